package supervision_test

import (
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
)

func repeat(t *testing.T, env *apptest.Env, number string) {
	t.Helper()
	if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "江头北路路灯还是不亮", CaseNumber: number}); err != nil {
		t.Fatal(err)
	}
}

// 提级管辖: the third report within 30 days raises the case from 江头街道 to
// 湖里区, with a supervision order to the district and a message to the
// street; the second does not.
func TestRepeatedMatterIsRaised(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	street := c.HandlingUnitID
	env.Clock.Advance(24 * time.Hour)
	repeat(t, env, c.Number) // 2 reports
	env.Fire(t)
	if got, _ := env.App.Cases.Get(ctx, access.System("t"), c.Number); got.Case.HandlingUnitID != street {
		t.Fatalf("raised after two reports")
	}
	env.Clock.Advance(24 * time.Hour)
	repeat(t, env, c.Number) // 3 reports within 30 days
	if n := env.Fire(t); n == 0 {
		t.Fatal("no timer fired")
	}
	got, err := env.App.Cases.Get(ctx, access.System("t"), c.Number)
	if err != nil {
		t.Fatal(err)
	}
	district := env.Unit(t, "350206")
	if got.Case.HandlingUnitID != district || got.Case.State != casework.Dispatched {
		t.Fatalf("after three reports: unit %d state %s, want %d dispatched", got.Case.HandlingUnitID, got.Case.State, district)
	}
	// The order that says why (the case may also have had an overdue
	// order by now: two days have passed).
	raised := func() []string {
		var out []string
		for _, o := range orders(t, env, c.Number) {
			if strings.Contains(o.Reason, "提级管辖") {
				if o.ToUnitID != district || !o.Automatic {
					t.Fatalf("the escalation order: %+v", o)
				}
				out = append(out, o.Number)
			}
		}
		return out
	}
	if got := raised(); len(got) != 1 {
		t.Fatalf("escalation orders: %v", got)
	}
	told := false
	for _, it := range inbox(t, env, "jiangtou") {
		told = told || strings.Contains(it.Title, "已提级至湖里区")
	}
	if !told {
		t.Error("the street office was not told")
	}
	// Firing again changes nothing: the timer fired once.
	env.Fire(t)
	if got := raised(); len(got) != 1 {
		t.Fatalf("escalated twice: %v", got)
	}
}

// Reports spread over more than the window are not a repeat pattern.
func TestSpreadReportsAreNotRaised(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	for i := 0; i < 2; i++ {
		env.Clock.Advance(20 * 24 * time.Hour)
		repeat(t, env, c.Number)
		env.Fire(t)
	}
	if got, _ := env.App.Cases.Get(ctx, access.System("t"), c.Number); got.Case.HandlingUnitID != c.HandlingUnitID {
		t.Fatal("raised although the reports came over 40 days")
	}
}
