package supervision_test

import (
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/catalog"
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
			if strings.Contains(o.Reason.ZH, "提级管辖") {
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
		told = told || strings.Contains(it.Title.ZH, "已提级至湖里区")
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

// A category's own rule of 提级管辖 replaces the default for everything
// under it: with "2 reports in 10 days" set on the top category, the second
// report raises the case; with 0 set on the leaf, nothing ever does.
func TestCategoryRuleOfEscalation(t *testing.T) {
	env := apptest.New(t)
	sys := access.System("t")
	top, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C01")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Catalog.SetEscalation(ctx, sys, top.ID, &catalog.Escalation{Reports: 1, Days: 10}); err == nil {
		t.Error("a rule of 1 report was accepted")
	}
	if _, err := env.App.Catalog.SetEscalation(ctx, env.Actor(t, "supervisor"), top.ID, &catalog.Escalation{Reports: 2, Days: 10}); err == nil {
		t.Error("a supervisor changed the catalogue")
	}
	if _, err := env.App.Catalog.SetEscalation(ctx, sys, top.ID, &catalog.Escalation{Reports: 2, Days: 10}); err != nil {
		t.Fatal(err)
	}
	if rule, from, err := env.App.Catalog.EscalationFor(ctx, env.App.DB, leaf.ID); err != nil || rule.Reports != 2 || from != top.ID {
		t.Fatalf("the leaf's rule: %+v from %d (%v)", rule, from, err)
	}
	c := dispatched(t, env)
	env.Clock.Advance(11 * 24 * time.Hour)
	repeat(t, env, c.Number) // 2 reports, but 11 days apart
	env.Fire(t)
	if got, _ := env.App.Cases.Get(ctx, sys, c.Number); got.Case.HandlingUnitID != c.HandlingUnitID {
		t.Fatal("raised although the reports came 11 days apart")
	}
	env.Clock.Advance(24 * time.Hour)
	repeat(t, env, c.Number) // 2 within 10 days
	env.Fire(t)
	got, err := env.App.Cases.Get(ctx, sys, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Case.HandlingUnitID != env.Unit(t, "350206") {
		t.Fatalf("not raised at the category's threshold: unit %d", got.Case.HandlingUnitID)
	}
	found := false
	for _, o := range orders(t, env, c.Number) {
		found = found || strings.Contains(o.Reason.ZH, "10天内已被反映2次")
	}
	if !found {
		t.Error("the order does not name the category's rule")
	}

	// 0 on the leaf: never.
	if _, err := env.App.Catalog.SetEscalation(ctx, sys, leaf.ID, &catalog.Escalation{Reports: 0, Days: 30}); err != nil {
		t.Fatal(err)
	}
	d := dispatched(t, env)
	for range 4 {
		env.Clock.Advance(time.Hour)
		repeat(t, env, d.Number)
		env.Fire(t)
	}
	if got, _ := env.App.Cases.Get(ctx, sys, d.Number); got.Case.HandlingUnitID != d.HandlingUnitID {
		t.Fatal("raised although the category never escalates")
	}
	// Back to inheriting: the top's rule applies again.
	if _, err := env.App.Catalog.SetEscalation(ctx, sys, leaf.ID, nil); err != nil {
		t.Fatal(err)
	}
	if rule, _, _ := env.App.Catalog.EscalationFor(ctx, env.App.DB, leaf.ID); rule.Reports != 2 {
		t.Errorf("after clearing the leaf's rule: %+v", rule)
	}
}
