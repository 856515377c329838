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
	os := orders(t, env, c.Number)
	if len(os) != 1 || os[0].ToUnitID != district || !strings.Contains(os[0].Reason, "提级管辖") || !os[0].Automatic {
		t.Fatalf("orders: %+v", os)
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
	if len(orders(t, env, c.Number)) != 1 {
		t.Fatal("escalated twice")
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
