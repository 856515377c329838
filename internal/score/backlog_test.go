package score_test

import (
	"maps"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/demo"
	"pingan/internal/org"
	"pingan/internal/score"
)

// overdueCase takes a report in 江头街道 (湖里区), registers, dispatches it to
// the street office and has it signed for.
func overdueCase(t *testing.T, env *apptest.Env, unit int64) casework.Case {
	t.Helper()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "江头北路工地夜间施工噪音扰民", Nature: "complaint", Address: "湖里区江头北路", DivisionCode: "350206004"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	n := res.Case.Number
	do(t, env, "dispatcher", n, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	do(t, env, "dispatcher", n, casework.Dispatch, casework.ActionInput{UnitID: unit})
	return do(t, env, "jiangtou", n, casework.Sign, casework.ActionInput{})
}

// backlogNow reads the counters, after checking they equal a count over
// the cases marked overdue.
func backlogNow(t *testing.T, env *apptest.Env) score.Backlog {
	t.Helper()
	stored, err := env.App.Score.OverdueStored(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := env.App.Score.OverdueRecompute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(stored, want) {
		t.Fatalf("overdue counters %v, marked cases %v", stored, want)
	}
	b, err := score.ReadBacklog(ctx, env.App.DB, env.Clock.Now(), env.App.Score.Location())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The backlog counts a case from the moment its deadline passes (as the
// lists show it red; its overdue timer marks it), under its handling unit,
// district and deadline day, and stops counting it, or moves it, with
// every change of its clock or its unit — on both backends.
func TestBacklogTransitions(t *testing.T) {
	env := apptest.New(t)
	jiangtou, gulangyu := env.Unit(t, "350206004"), env.Unit(t, "350203012")
	loc := env.App.Score.Location()
	type want struct {
		jiangtou, gulangyu, huli, total int64
	}
	check := func(step string, w want) score.Backlog {
		t.Helper()
		b := backlogNow(t, env)
		got := want{b.Units[jiangtou], b.Units[gulangyu], b.Districts["350206"], b.Total}
		if got != w {
			t.Fatalf("%s: backlog (江头, 鼓浪屿, 湖里区, total) = %v, want %v", step, got, w)
		}
		var days int64
		for _, n := range b.Days {
			days += n
		}
		if days != b.Total {
			t.Fatalf("%s: by deadline day %v, total %d", step, b.Days, b.Total)
		}
		board, err := env.App.Score.Board(ctx, month(t, env), mustUnits(t, env), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range board.Groups {
			for _, r := range g.Rows {
				if r.Backlog != b.Units[r.Unit.ID] {
					t.Fatalf("%s: board shows %s with backlog %d, counters %d", step, r.Unit.Name, r.Backlog, b.Units[r.Unit.ID])
				}
			}
		}
		return b
	}
	past := func(c casework.Case) { env.Clock.Advance(c.DueAt.Sub(env.Clock.Now()) + time.Hour) }

	// Not at its deadline, which is "by" that time; from the next second
	// on, before its timer fires and after: under 江头街道, 湖里区 and the
	// day its deadline passed.
	a := overdueCase(t, env, jiangtou)
	env.Clock.Advance(a.DueAt.Sub(env.Clock.Now()))
	check("at the deadline", want{})
	env.Clock.Advance(time.Second)
	check("deadline passed, timer not fired", want{1, 0, 1, 1})
	env.Clock.Advance(time.Hour)
	env.Fire(t)
	b := check("overdue timer fired", want{1, 0, 1, 1})
	if day := score.DayOf(a.DueAt, loc); b.Days[day] != 1 {
		t.Fatalf("by deadline day %v, want one on %s", b.Days, day)
	}
	env.Fire(t) // nothing is due again: still counted once
	check("timers fired again", want{1, 0, 1, 1})
	// Reported back: it leaves.
	do(t, env, "jiangtou", a.Number, casework.ReportBack, casework.ActionInput{Note: "已处理"})
	check("reported back", want{})
	// Sent back at verification, past its deadline: the change finds it
	// overdue and it counts again at once; reported and closed, it leaves.
	do(t, env, "verifier", a.Number, casework.Rework, casework.ActionInput{Reason: "照片不清"})
	check("sent back past its deadline", want{1, 0, 1, 1})
	do(t, env, "jiangtou", a.Number, casework.ReportBack, casework.ActionInput{Note: "已补充"})
	do(t, env, "verifier", a.Number, casework.Verify, casework.ActionInput{})
	yes := true
	do(t, env, "callback", a.Number, casework.CallBack, casework.ActionInput{Satisfaction: "satisfied", Resolved: &yes})
	do(t, env, "dispatcher", a.Number, casework.CloseCase, casework.ActionInput{})
	check("closed", want{})

	// Transferred with its deadline standing: it moves to the new unit (and
	// district counts follow the case, not the unit).
	c := overdueCase(t, env, jiangtou)
	past(c)
	env.Fire(t)
	check("second case overdue", want{1, 0, 1, 1})
	moved := do(t, env, "dispatcher", c.Number, casework.Transfer, casework.ActionInput{UnitID: gulangyu, Reason: "属鼓浪屿辖区"})
	if !moved.DeadlineAt.Equal(c.DueAt) || moved.OverdueAt.IsZero() {
		t.Fatalf("transferred: deadline %v (was %v), overdue since %v", moved.DeadlineAt, c.DueAt, moved.OverdueAt)
	}
	check("transferred", want{0, 1, 1, 1})
	// Transferred back with a new deadline: no longer overdue.
	do(t, env, "dispatcher", c.Number, casework.Transfer, casework.ActionInput{UnitID: jiangtou, Reason: "退回江头",
		DueAt: env.Clock.Now().Add(72 * time.Hour)})
	check("transferred with a new deadline", want{})
	do(t, env, "jiangtou", c.Number, casework.Sign, casework.ActionInput{})
	do(t, env, "jiangtou", c.Number, casework.ReportBack, casework.ActionInput{Note: "已处理"})

	// An extension asked for does not stop the clock; approved, past now,
	// it takes the case out.
	e := overdueCase(t, env, jiangtou)
	past(e)
	env.Fire(t)
	check("third case overdue", want{1, 0, 1, 1})
	do(t, env, "jiangtou", e.Number, casework.RequestExtension, casework.ActionInput{DueAt: env.Clock.Now().Add(2 * time.Hour),
		Reason: "需协调多部门"})
	check("extension requested", want{1, 0, 1, 1})
	do(t, env, "supervisor", e.Number, casework.ApproveExtension, casework.ActionInput{})
	check("extension approved", want{})
	// The extended deadline passes too: counted again once its timer fires.
	env.Clock.Advance(3 * time.Hour)
	env.Fire(t)
	check("extended deadline passed", want{1, 0, 1, 1})

	// Suspended: the clock stops and it leaves; resumed, its deadline moved
	// by the time suspended has still passed, and it counts again.
	do(t, env, "supervisor", e.Number, casework.Suspend, casework.ActionInput{Reason: "等待司法鉴定"})
	check("suspended", want{})
	env.Clock.Advance(30 * time.Minute)
	do(t, env, "supervisor", e.Number, casework.Resume, casework.ActionInput{})
	check("resumed past its deadline", want{1, 0, 1, 1})
	env.Fire(t)
	check("resumed, timer fired", want{1, 0, 1, 1})

	// A rebuild finds the same.
	if n, err := env.App.Cases.RebuildBacklog(ctx); err != nil || n != 0 {
		t.Fatalf("rebuild marked %d (%v), want 0", n, err)
	}
	check("rebuilt", want{1, 0, 1, 1})
}

func mustUnits(t *testing.T, env *apptest.Env) []org.Unit {
	t.Helper()
	units, err := env.App.Org.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return units
}

// After a bulk load, and at the first start after migration 0015 on a
// database that had cases, the cases past their deadline are marked and
// counted.
func TestBacklogRebuilt(t *testing.T) {
	env := apptest.New(t)
	if err := demo.LoadCases(ctx, env.App, 300, 30, 4, nil); err != nil {
		t.Fatal(err)
	}
	passed := func() int64 {
		var n int64
		if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases WHERE deadline_at < $1",
			env.Clock.Now().Truncate(time.Second).UnixMicro()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if b, n := backlogNow(t, env), passed(); b.Total != n || n < 10 {
		t.Fatalf("after the load: %d counted, %d cases past their deadline", b.Total, n)
	}
	// A database as it was before migration 0015, which leaves the marks
	// and counters to the next start.
	env.Exec(t, "UPDATE cases SET overdue_at = NULL", "DELETE FROM overdue_counts",
		"INSERT INTO meta (key, value) VALUES ('rebuild:backlog', 'test')")
	env.Clock.Advance(48 * time.Hour)
	env.Node(t) // another start on the same database
	if pending, err := env.App.DB.Requested(ctx, "rebuild:backlog"); err != nil || pending {
		t.Fatalf("rebuild still pending after a start: %v %v", pending, err)
	}
	if b, n := backlogNow(t, env), passed(); b.Total != n {
		t.Fatalf("after the start: %d counted, %d cases past their deadline", b.Total, n)
	}
}
