package score_test

import (
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// A repeat merged while overdue (dispatched, its sign-for deadline passed)
// leaves the backlog: the case it joined carries the matter. Undone, it is
// back with its unit, still past its deadline, and counts again at once.
func TestBacklogFollowsMerges(t *testing.T) {
	env := apptest.New(t)
	jiangtou := env.Unit(t, "350206004")
	take := func(body string) string {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Body: body, Nature: "complaint", Address: "湖里区江头北路", DivisionCode: "350206004"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case.Number
	}
	target := take("江头北路工地夜间施工噪音扰民")
	n := take("江头北路工地晚上施工太吵")
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	// The case it joins is registered, waiting for a unit: on no clock
	// (left at intake, it would be late to register by then too).
	do(t, env, "dispatcher", target, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	do(t, env, "dispatcher", n, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	c := do(t, env, "dispatcher", n, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	env.Clock.Advance(c.DeadlineAt.Sub(env.Clock.Now()) + time.Hour)
	env.Fire(t)
	if b := backlogNow(t, env); b.Units[jiangtou] != 1 || b.Total != 1 {
		t.Fatalf("overdue before the merge: %+v", b)
	}
	merged := do(t, env, "dispatcher", n, casework.Merge, casework.ActionInput{Into: target})
	if b := backlogNow(t, env); b.Total != 0 || !merged.OverdueAt.IsZero() {
		t.Fatalf("after the merge: backlog %+v, overdue since %v", b, merged.OverdueAt)
	}
	back := do(t, env, "dispatcher", n, casework.Unmerge, casework.ActionInput{Reason: "不是同一工地"})
	if b := backlogNow(t, env); back.State != casework.Dispatched || b.Units[jiangtou] != 1 || b.Total != 1 {
		t.Fatalf("after undoing it: %s, backlog %+v", back.State, b)
	}
}
