package score_test

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/demo"
	"pingan/internal/fault"
	"pingan/internal/score"
)

var ctx = context.Background()

// newCase takes a report and registers it with a category.
func newCase(t *testing.T, env *apptest.Env) string {
	t.Helper()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "江头北路工地夜间施工噪音扰民", Nature: "complaint"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	do(t, env, "dispatcher", res.Case.Number, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	return res.Case.Number
}

func do(t *testing.T, env *apptest.Env, user, n string, a casework.Action, in casework.ActionInput) casework.Case {
	t.Helper()
	c, err := env.App.Cases.Do(ctx, env.Actor(t, user), n, a, in)
	if err != nil {
		t.Fatalf("%s %s by %s: %v", a, n, user, err)
	}
	return c
}

// handlerOf returns a handler of a unit (the demo world gives every unit one).
func handlerOf(t *testing.T, env *apptest.Env, unitID int64) access.Actor {
	t.Helper()
	users, err := env.App.Org.Users(ctx, unitID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if slices.Contains(u.Roles, access.Handler) {
			a, err := env.App.Org.Actor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	t.Fatalf("unit %d has no handler", unitID)
	return access.Actor{}
}

func month(t *testing.T, env *apptest.Env) score.Period {
	p, err := score.ParsePeriod("month", "", env.App.Score.Location(), env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Each definition, on cases whose outcome is known.
func TestDefinitions(t *testing.T) {
	env := apptest.New(t)
	jiangtou := env.Unit(t, "350206004")
	yes := true

	// Case A: signed for late, reported on time, sent back once at
	// verification, then verified; the citizen is satisfied, resolved.
	a := newCase(t, env)
	c := do(t, env, "dispatcher", a, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	env.Clock.Advance(c.SignDueAt.Sub(env.Clock.Now()) + time.Hour)
	do(t, env, "jiangtou", a, casework.Sign, casework.ActionInput{})
	do(t, env, "jiangtou", a, casework.ReportBack, casework.ActionInput{Note: "已处理"})
	do(t, env, "verifier", a, casework.Rework, casework.ActionInput{Reason: "照片不清"})
	do(t, env, "jiangtou", a, casework.ReportBack, casework.ActionInput{Note: "已补充"})
	do(t, env, "verifier", a, casework.Verify, casework.ActionInput{})
	do(t, env, "callback", a, casework.CallBack, casework.ActionInput{Satisfaction: "satisfied", Resolved: &yes})

	// Case B: returned on time.
	b := newCase(t, env)
	do(t, env, "dispatcher", b, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	do(t, env, "jiangtou", b, casework.Return, casework.ActionInput{Reason: "不属本街道"})

	// Case C: signed on time, reported after the deadline, verified; the
	// citizen is unsatisfied and it goes back (重办); then unreachable.
	cn := newCase(t, env)
	do(t, env, "dispatcher", cn, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	c = do(t, env, "jiangtou", cn, casework.Sign, casework.ActionInput{})
	env.Clock.Advance(c.DueAt.Sub(env.Clock.Now()) + time.Hour)
	do(t, env, "jiangtou", cn, casework.ReportBack, casework.ActionInput{Note: "已处理"})
	do(t, env, "verifier", cn, casework.Verify, casework.ActionInput{})
	do(t, env, "callback", cn, casework.Rehandle, casework.ActionInput{Reason: "仍有噪音，不满意"})
	do(t, env, "jiangtou", cn, casework.ReportBack, casework.ActionInput{Note: "再次处理"})
	do(t, env, "verifier", cn, casework.Verify, casework.ActionInput{})
	do(t, env, "callback", cn, casework.CallBack, casework.ActionInput{Satisfaction: casework.Unreachable})

	p := score.Period{From: score.DayOf(apptest.Start, env.App.Score.Location()), To: score.DayOf(env.Clock.Now(), env.App.Score.Location())}
	counts, err := env.App.Score.Counts(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := score.Counts{
		score.Assigned: 3, score.Signed: 2, score.SignedOnTime: 1, score.Returned: 1, score.RespondedOnTime: 2,
		score.Reported: 4, score.ReportedOnTime: 2, score.ReportedLate: 2, score.Verified: 3, score.Reworked: 1,
		score.Callbacks: 3, score.Reached: 2, score.Satisfied: 1, score.ResolvedAnswered: 1, score.Resolved: 1,
		score.Rehandled: 1,
	}
	if got := counts[jiangtou]; !maps.Equal(got, want) {
		t.Errorf("江头街道\n got %v\nwant %v", got, want)
	}
	got := counts[jiangtou]
	for key, r := range map[string]score.Rate{"response": {2, 3}, "sign_on_time": {1, 2}, "close_on_time": {2, 4},
		"resolution": {1, 1}, "satisfaction": {1, 2}, "return": {1, 3}, "rehandle": {1, 3}, "rework": {1, 4}} {
		ind, _ := score.IndicatorByKey(key)
		if g := got.Rate(ind); g != r {
			t.Errorf("%s: %v, want %v", key, g, r)
		}
	}
	// The default composite: 响应 2/3 ×30, 解决 1/1 ×35, 满意 1/2 ×35.
	s, ok := got.Composite(score.DefaultWeights())
	if want := 100 * (30*2.0/3 + 35*1 + 35*0.5) / 100; !ok || s < want-1e-9 || s > want+1e-9 {
		t.Errorf("composite %.4f, want %.4f", s, want)
	}
	// The drill-down lists the cases behind a number.
	ids, err := env.App.Score.Cases(ctx, jiangtou, score.ReportedLate, p, 0, 10)
	if err != nil || len(ids) != 1 {
		t.Fatalf("late report-backs: %v %v", ids, err)
	}
	if d, _ := env.App.Cases.Get(ctx, access.System("test"), cn); d.Case.ID != ids[0] {
		t.Errorf("drill-down lists case %d, want %s", ids[0], cn)
	}
}

// The counters kept as cases move equal what the timeline implies, event
// by event; and the daily counters equal a GROUP BY over the events.
func TestCountersMatchTimeline(t *testing.T) {
	env := apptest.New(t)
	if err := demo.LoadCases(ctx, env.App, 400, 30, 3, nil); err != nil {
		t.Fatal(err)
	}
	// Move some generated cases on through the service, with time passing.
	rng := rand.New(rand.NewPCG(1, 2))
	page, err := env.App.Cases.List(ctx, access.System("test"), casework.Filter{States: []casework.State{casework.Dispatched,
		casework.Handling, casework.Reported, casework.Verified}, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, c := range page.Cases {
		env.Clock.Advance(time.Duration(rng.IntN(20)) * time.Hour)
		who := env.Actor(t, "verifier")
		if c.State == casework.Verified {
			who = env.Actor(t, "callback")
		}
		if c.State == casework.Dispatched || c.State == casework.Handling {
			who = handlerOf(t, env, c.HandlingUnitID)
		}
		var in casework.ActionInput
		var a casework.Action
		switch c.State {
		case casework.Dispatched:
			a = casework.Sign
		case casework.Handling:
			a, in.Note = casework.ReportBack, "已处理"
		case casework.Reported:
			a = casework.Verify
		case casework.Verified:
			yes := rng.IntN(2) == 0
			a, in.Satisfaction, in.Resolved = casework.CallBack, "basically_satisfied", &yes
		}
		if _, err := env.App.Cases.Do(ctx, who, c.Number, a, in); err != nil {
			t.Fatalf("%s %s: %v", a, c.Number, err)
		}
		moved++
	}
	if moved < 50 {
		t.Fatalf("only %d cases moved", moved)
	}
	stored, err := env.App.Score.Stored(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := env.App.Score.Recompute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 100 || !maps.Equal(stored, want) {
		for k, v := range want {
			if stored[k] != v {
				t.Errorf("%+v: stored %d, timeline %d", k, stored[k], v)
			}
		}
		for k, v := range stored {
			if _, ok := want[k]; !ok {
				t.Errorf("%+v: stored %d, timeline has none", k, v)
			}
		}
		t.Fatalf("%d counters stored, %d implied by the timeline", len(stored), len(want))
	}
	p := score.Period{From: 20200101, To: 20301231}
	fast, err := env.App.Score.Counts(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := env.App.Score.CountsFromEvents(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(fast, slow, func(a, b score.Counts) bool { return maps.Equal(a, b) }) {
		t.Fatalf("counters and events disagree:\n%v\n%v", fast, slow)
	}
}

// Peers are ranked by score; units with too few cases are listed but not
// ranked; the red and black lists take at most half each.
func TestBoard(t *testing.T) {
	env := apptest.New(t)
	if err := demo.LoadCases(ctx, env.App, 600, 30, 5, nil); err != nil {
		t.Fatal(err)
	}
	units, err := env.App.Org.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.App.Score.Board(ctx, month(t, env), units, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Groups) < 2 {
		t.Fatalf("%d peer groups", len(b.Groups))
	}
	ranked := 0
	for _, g := range b.Groups {
		var n, red, black int
		last := 101.0
		for i, r := range g.Rows {
			if r.Unit.Kind != g.Kind || r.Unit.Level != g.Level {
				t.Fatalf("%s in the group %s/%s", r.Unit.Name, g.Kind, g.Level)
			}
			if !r.Ranked {
				if r.Counts[score.Assigned] >= score.MinAssigned && len(r.Counts) > 0 {
					if _, ok := r.Counts.Composite(b.Weights); ok {
						t.Errorf("%s has %d cases but is not ranked", r.Unit.Name, r.Counts[score.Assigned])
					}
				}
				continue
			}
			n++
			// Equal published scores share the rank of the first of them.
			if r.Rank > i+1 || r.Score > last+0.05 || r.Rank < i+1 && math.Round(g.Rows[r.Rank-1].Score*10) != math.Round(r.Score*10) {
				t.Errorf("%s: rank %d at %d, score %.1f after %.1f", r.Unit.Name, r.Rank, i+1, r.Score, last)
			}
			last = r.Score
			switch r.List {
			case "red":
				red++
			case "black":
				black++
			}
		}
		ranked += n
		// Ties may lengthen a list or, tied across the middle, shorten it.
		if list := min(score.ListSize, n/2); list > 0 && (red == 0 || black == 0) || red+black > n {
			t.Errorf("%s/%s: %d ranked, %d red, %d black", g.Kind, g.Level, n, red, black)
		}
	}
	if ranked < 5 {
		t.Fatalf("only %d units ranked", ranked)
	}
}

func TestWeights(t *testing.T) {
	env := apptest.New(t)
	w := score.DefaultWeights()
	if w["response"] != 30 || w["resolution"] != 35 || w["satisfaction"] != 35 {
		t.Fatalf("defaults %v", w)
	}
	w["close_on_time"] = 20
	if err := env.App.Score.SetWeights(ctx, env.Actor(t, "leader"), w); fault.KindOf(err) != fault.Forbidden {
		t.Fatalf("a leader set weights: %v", err)
	}
	if err := env.App.Score.SetWeights(ctx, env.Actor(t, "sysadmin"), map[string]float64{"response": -1}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("a negative weight: %v", err)
	}
	if err := env.App.Score.SetWeights(ctx, env.Actor(t, "sysadmin"), map[string]float64{}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("all weights zero: %v", err)
	}
	if err := env.App.Score.SetWeights(ctx, env.Actor(t, "sysadmin"), w); err != nil {
		t.Fatal(err)
	}
	got, err := env.App.Score.Weights(ctx)
	if err != nil || !maps.Equal(got, w) {
		t.Fatalf("weights %v (%v), want %v", got, err, w)
	}
}

func TestParsePeriod(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct {
		kind, date string
		from, to   score.Day
	}{
		{"day", "2026-11-26", 20261126, 20261126},
		{"week", "2026-11-26", 20261123, 20261129}, // Monday to Sunday
		{"week", "2026-11-23", 20261123, 20261129},
		{"week", "2026-11-29", 20261123, 20261129},
		{"month", "2026-02-10", 20260201, 20260228},
		{"quarter", "2026-11-26", 20261001, 20261231},
		{"year", "2024-02-29", 20240101, 20241231},
	} {
		p, err := score.ParsePeriod(tc.kind, tc.date, loc, time.Now())
		if err != nil || p.From != tc.from || p.To != tc.to {
			t.Errorf("%s %s: %v %v, want %d–%d", tc.kind, tc.date, p, err, tc.from, tc.to)
		}
	}
	if _, err := score.ParsePeriod("fortnight", "", loc, time.Now()); err == nil {
		t.Error("an unknown period kind was accepted")
	}
	if _, err := score.ParsePeriod("month", "2026-13-01", loc, time.Now()); err == nil {
		t.Error("a bad date was accepted")
	}
}

// The response to an assignment counts on the day of the assignment: a
// case dispatched on the evening of 30 November and signed for (another
// returned) after midnight responds in November, where the assignment is
// counted, so that no period's response or return rate passes 1 — live
// and when the counters are rebuilt from the timeline.
func TestResponseCountsWhereTheAssignmentIs(t *testing.T) {
	env := apptest.New(t)
	jiangtou := env.Unit(t, "350206004")
	loc := env.App.Score.Location()
	signed, returned := newCase(t, env), newCase(t, env)
	env.Clock.Advance(time.Date(2026, 11, 30, 23, 30, 0, 0, loc).Sub(env.Clock.Now()))
	c := do(t, env, "dispatcher", signed, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	do(t, env, "dispatcher", returned, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	env.Clock.Advance(time.Hour)
	if !env.Clock.Now().Before(c.SignDueAt) {
		t.Fatalf("the sign-for deadline %s is within the hour: the test needs a later one", c.SignDueAt)
	}
	do(t, env, "jiangtou", signed, casework.Sign, casework.ActionInput{})
	do(t, env, "jiangtou", returned, casework.Return, casework.ActionInput{Reason: "不属本街道"})

	nov := score.Period{From: score.DayOf(apptest.Start, loc), To: score.DayOf(time.Date(2026, 11, 30, 12, 0, 0, 0, loc), loc)}
	dec := score.Period{From: score.DayOf(env.Clock.Now(), loc), To: score.DayOf(env.Clock.Now(), loc)}
	check := func(when string) {
		t.Helper()
		for _, tc := range []struct {
			p    score.Period
			want score.Counts
		}{
			{nov, score.Counts{score.Assigned: 2, score.RespondedOnTime: 2, score.Returned: 1}},
			{dec, score.Counts{score.Signed: 1, score.SignedOnTime: 1}},
		} {
			counts, err := env.App.Score.Counts(ctx, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts[jiangtou]; !maps.Equal(got, tc.want) {
				t.Errorf("%s, %s–%s:\n got %v\nwant %v", when, tc.p.From, tc.p.To, got, tc.want)
			}
			for _, key := range []string{"response", "return"} {
				ind, _ := score.IndicatorByKey(key)
				if r := counts[jiangtou].Rate(ind); r.Num > r.Den {
					t.Errorf("%s: %s rate %d/%d", when, key, r.Num, r.Den)
				}
			}
		}
	}
	check("live")
	if _, err := env.App.Score.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")
}

// A migration that changes how cases are scored asks (a meta row) for the
// scorecards to be rebuilt: pingan rebuilds them when it next starts, once
// — also when a node that started the rebuild died before finishing it.
func TestRebuildAskedByAMigrationRunsAtStart(t *testing.T) {
	env := apptest.New(t)
	jiangtou := env.Unit(t, "350206004")
	n := newCase(t, env)
	do(t, env, "dispatcher", n, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	p := month(t, env)
	want, err := env.App.Score.Counts(ctx, p)
	if err != nil || want[jiangtou][score.Assigned] != 1 {
		t.Fatalf("counts before: %v (%v)", want, err)
	}
	// Counters made by other rules, the migration's request, and the claim
	// of a node that died rebuilding (long lapsed).
	env.Exec(t, "DELETE FROM score_counts", "INSERT INTO meta (key, value) VALUES ('rebuild:scores', 'test')",
		"INSERT INTO meta (key, value) VALUES ('claim:rebuild:scores', '00000001700000000000 dead')")
	node := env.Node(t)
	got, err := node.Score.Counts(ctx, p)
	if err != nil || !maps.Equal(got[jiangtou], want[jiangtou]) {
		t.Errorf("counts after the start: %v, want %v (%v)", got[jiangtou], want[jiangtou], err)
	}
	if taken, err := node.DB.Requested(ctx, "rebuild:scores"); err != nil || taken {
		t.Errorf("the request is still there after the rebuild (%v)", err)
	}
}
