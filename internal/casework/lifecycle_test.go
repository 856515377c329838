package casework_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/fault"
)

// roleUser is the demo user who plays each role on a case taken in by the
// 12345 centre and dispatched to 江头街道.
var roleUser = map[access.Role]string{
	access.Intake:     "intake",
	access.Dispatcher: "dispatcher",
	access.Handler:    "jiangtou",
	access.Verifier:   "verifier",
	access.Callback:   "callback",
	access.Supervisor: "supervisor",
}

const handlingUnit = "350206004" // 江头街道

// step is one action on the way to a state.
type step struct {
	action casework.Action
	role   access.Role
}

// pathsFromTable finds, by breadth-first search over the lifecycle table, the
// shortest sequence of actions from a new case to every state. Transfers are
// left out so that the case stays with one handling unit.
func pathsFromTable() map[casework.State][]step {
	paths := map[casework.State][]step{casework.Received: nil}
	queue := []casework.State{casework.Received}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, t := range casework.Table {
			if !slices.Contains(t.From, cur) || t.Guard == casework.PendingExtension || t.Action == casework.Transfer {
				continue
			}
			next := t.Next(cur, cur)
			if _, seen := paths[next]; seen || t.To == casework.Previous {
				continue
			}
			paths[next] = append(slices.Clone(paths[cur]), step{t.Action, t.Roles[0]})
			queue = append(queue, next)
		}
	}
	return paths
}

// validInput returns an input that the row for action accepts.
func validInput(t *testing.T, env *apptest.Env, action casework.Action, now time.Time) casework.ActionInput {
	resolved := true
	switch action {
	case casework.Register:
		return casework.ActionInput{Nature: "complaint", CategoryID: civicCategory(t, env)}
	case casework.Reclassify:
		return casework.ActionInput{Priority: casework.Urgent}
	case casework.Dispatch:
		return casework.ActionInput{UnitID: env.Unit(t, handlingUnit)}
	case casework.Transfer:
		return casework.ActionInput{UnitID: env.Unit(t, "350206003"), Reason: "属禾山街道辖区"}
	case casework.Handle, casework.ReportBack:
		return casework.ActionInput{Note: "已到现场处理"}
	case casework.CallBack:
		return casework.ActionInput{Satisfaction: "satisfied", Resolved: &resolved}
	case casework.RequestExtension:
		return casework.ActionInput{DueAt: now.Add(60 * 24 * time.Hour), Reason: "需协调多个部门"}
	case casework.Merge:
		return casework.ActionInput{Into: newCase(t, env).Number, Reason: "同一事项重复反映"}
	case casework.Reject, casework.Return, casework.Rework, casework.Rehandle, casework.DenyExtension,
		casework.Suspend, casework.Reopen, casework.Unmerge:
		return casework.ActionInput{Reason: "测试原因"}
	}
	return casework.ActionInput{}
}

func civicCategory(t *testing.T, env *apptest.Env) int64 {
	c, err := env.App.Catalog.CategoryByCode(context.Background(), env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// newCase takes in a report as the intake operator.
func newCase(t *testing.T, env *apptest.Env) casework.Case {
	t.Helper()
	res, err := env.App.Cases.Intake(context.Background(), env.Actor(t, "intake"), casework.ReportInput{
		Channel: "hotline", Body: "江头北路夜间施工噪音扰民，已持续一周。", ReporterName: "林先生", ReporterPhone: "13806012345",
	})
	if err != nil {
		t.Fatalf("intake: %v", err)
	}
	return res.Case
}

func do(t *testing.T, env *apptest.Env, number string, s step) casework.Case {
	t.Helper()
	c, err := env.App.Cases.Do(context.Background(), env.Actor(t, roleUser[s.role]), number, s.action,
		validInput(t, env, s.action, env.Clock.Now()))
	if err != nil {
		t.Fatalf("%s as %s: %v", s.action, s.role, err)
	}
	return c
}

// driveTo returns a new case in state s; with pending, an extension request
// is waiting.
func driveTo(t *testing.T, env *apptest.Env, paths map[casework.State][]step, s casework.State, pending bool) casework.Case {
	t.Helper()
	c := newCase(t, env)
	for _, st := range paths[s] {
		c = do(t, env, c.Number, st)
	}
	if pending {
		c = do(t, env, c.Number, step{casework.RequestExtension, access.Handler})
	}
	if c.State != s {
		t.Fatalf("drove to %s, got %s", s, c.State)
	}
	return c
}

// TestLifecycleTable drives every state × every action from the one table:
// each transition the table allows succeeds for the role it names and ends
// in the state it names; the same action by a role it does not name is
// refused with 403; every action the table does not allow in a state is
// refused with 409 naming the state and the allowed actions.
func TestLifecycleTable(t *testing.T) {
	env := apptest.New(t)
	paths := pathsFromTable()
	omni := env.Actor(t, "supervisor")
	omni.Roles = []access.Role{access.Intake, access.Dispatcher, access.Handler, access.Verifier, access.Callback, access.Supervisor}
	for _, st := range casework.States {
		if _, ok := paths[st.State]; !ok {
			t.Fatalf("state %s unreachable from received in the table", st.State)
		}
	}
	for _, st := range casework.States {
		for _, action := range casework.TableActions() {
			name := fmt.Sprintf("%s/%s", st.State, action)
			rows := casework.Rows(st.State, action)
			if len(rows) == 0 {
				t.Run(name+"/forbidden", func(t *testing.T) {
					c := driveTo(t, env, paths, st.State, false)
					// Someone who sees every case and holds every case-work
					// role, so only the state can forbid.
					_, err := env.App.Cases.Do(context.Background(), omni, c.Number, action,
						validInput(t, env, action, env.Clock.Now()))
					fe, ok := fault.As(err)
					if !ok || fe.Kind != fault.Conflict || fe.Code != "transition-not-allowed" {
						t.Fatalf("got %v, want a 409 transition-not-allowed", err)
					}
					if fe.Extra["state"] != st.State {
						t.Errorf("refusal names state %v, want %s", fe.Extra["state"], st.State)
					}
					if _, ok := fe.Extra["allowed_actions"].([]casework.Action); !ok {
						t.Errorf("refusal lacks allowed_actions: %v", fe.Extra)
					}
				})
				continue
			}
			for i, row := range rows {
				pending := row.Guard == casework.PendingExtension
				t.Run(fmt.Sprintf("%s/allowed-%d", name, i), func(t *testing.T) {
					c := driveTo(t, env, paths, st.State, pending)
					got, err := env.App.Cases.Do(context.Background(), env.Actor(t, roleUser[row.Roles[0]]), c.Number, action,
						validInput(t, env, action, env.Clock.Now()))
					if err != nil {
						t.Fatalf("%s by %s: %v", action, row.Roles[0], err)
					}
					if want := row.Next(st.State, c.ResumeState); got.State != want {
						t.Errorf("state after %s = %s, want %s", action, got.State, want)
					}
				})
				t.Run(fmt.Sprintf("%s/wrong-role-%d", name, i), func(t *testing.T) {
					c := driveTo(t, env, paths, st.State, pending)
					outsider := outsiderFor(action)
					_, err := env.App.Cases.Do(context.Background(), env.Actor(t, outsider), c.Number, action,
						validInput(t, env, action, env.Clock.Now()))
					if fault.KindOf(err) != fault.Forbidden {
						t.Fatalf("%s by %s: got %v, want 403", action, outsider, err)
					}
				})
			}
		}
	}
}

// outsiderFor returns a demo user in scope (the leader sees the whole city)
// whose roles the table never names for action.
func outsiderFor(a casework.Action) string {
	for _, t := range casework.Table {
		if t.Action == a && slices.Contains(t.Roles, access.Leader) {
			panic("leader may " + string(a))
		}
	}
	return "leader"
}

// TestTransitionRefusalCarriesAllowedActions checks the refusal lists what
// the actor may do instead.
func TestTransitionRefusalCarriesAllowedActions(t *testing.T) {
	env := apptest.New(t)
	c := newCase(t, env)
	_, err := env.App.Cases.Do(context.Background(), env.Actor(t, "dispatcher"), c.Number, casework.CloseCase, casework.ActionInput{})
	fe, _ := fault.As(err)
	if fe == nil || fe.Kind != fault.Conflict {
		t.Fatalf("close a received case: %v, want 409", err)
	}
	allowed := fe.Extra["allowed_actions"].([]casework.Action)
	for _, want := range []casework.Action{casework.Register, casework.Reject, casework.Reclassify} {
		if !slices.Contains(allowed, want) {
			t.Errorf("allowed_actions %v lacks %s", allowed, want)
		}
	}
	if slices.Contains(allowed, casework.Dispatch) {
		t.Errorf("allowed_actions %v offers dispatch before registration", allowed)
	}
}

// TestDispatchNeedsAClassifiedCase: a case rejected at intake (never
// classified) and reopened is registered without a nature or category;
// it is not dispatched until it has them, and the refusal says so.
func TestDispatchNeedsAClassifiedCase(t *testing.T) {
	env := apptest.New(t)
	c := newCase(t, env)
	do(t, env, c.Number, step{casework.Reject, access.Intake})
	c = do(t, env, c.Number, step{casework.Reopen, access.Supervisor})
	if c.State != casework.Registered || c.CategoryID != 0 {
		t.Fatalf("reopened: %s, category %d", c.State, c.CategoryID)
	}
	dispatcher := env.Actor(t, "dispatcher")
	d, err := env.App.Cases.Get(ctx, dispatcher, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(d.Allowed, casework.Dispatch) || !slices.Contains(d.Allowed, casework.Reclassify) {
		t.Errorf("allowed on an unclassified registered case: %v", d.Allowed)
	}
	_, err = env.App.Cases.Do(ctx, dispatcher, c.Number, casework.Dispatch, validInput(t, env, casework.Dispatch, env.Clock.Now()))
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.Conflict || fe.Code != "guard-failed" {
		t.Fatalf("dispatching an unclassified case: %v", err)
	}
	if _, err := env.App.Cases.Do(ctx, dispatcher, c.Number, casework.Reclassify,
		casework.ActionInput{Nature: "complaint", CategoryID: civicCategory(t, env)}); err != nil {
		t.Fatal(err)
	}
	if c = do(t, env, c.Number, step{casework.Dispatch, access.Dispatcher}); c.State != casework.Dispatched {
		t.Fatalf("dispatched once classified: %s", c.State)
	}
}

// A callback says whether the problem was solved when the citizen was
// reached, and says nothing of it when they were not: the table leaves
// resolved optional, the action decides by the result.
func TestCallbackResolvedFollowsTheResult(t *testing.T) {
	env := apptest.New(t)
	paths := pathsFromTable()
	yes := true
	for _, tc := range []struct {
		in    casework.ActionInput
		field string // the field refused, "" for none
	}{
		{casework.ActionInput{Satisfaction: "satisfied"}, "resolved"},
		{casework.ActionInput{Satisfaction: casework.Unreachable, Resolved: &yes}, "resolved"},
		{casework.ActionInput{Satisfaction: casework.Unreachable}, ""},
		{casework.ActionInput{Satisfaction: "unsatisfied", Resolved: &yes}, ""},
	} {
		c := driveTo(t, env, paths, casework.Verified, false)
		got, err := env.App.Cases.Do(context.Background(), env.Actor(t, roleUser[access.Callback]), c.Number, casework.CallBack, tc.in)
		if tc.field == "" {
			if err != nil || got.State != casework.PendingClose || (got.Resolved == nil) != (tc.in.Resolved == nil) {
				t.Errorf("%+v: %v, %+v", tc.in, err, got)
			}
			continue
		}
		fe, ok := fault.As(err)
		if !ok || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != tc.field {
			t.Errorf("%+v: %v, want %s refused", tc.in, err, tc.field)
		}
	}
}
