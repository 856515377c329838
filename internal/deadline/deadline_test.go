package deadline_test

import (
	"context"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/calendar"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/fault"
)

var ctx = context.Background()

func TestLimits(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	ns, _ := calendar.Embedded()
	office, _ := calendar.ParseOfficeHours("08:00-12:00,14:30-17:30")
	cal := calendar.New(shanghai, ns, office)
	from := time.Date(2024, 9, 27, 16, 0, 0, 0, shanghai) // a Friday before National Day
	for s, want := range map[string]time.Time{
		"2h":  from.Add(2 * time.Hour),
		"3wd": time.Date(2024, 10, 9, 0, 0, 0, 0, shanghai), // 9-29 make-up Sunday, 9-30, 10-8
		"60d": from.Add(60 * 24 * time.Hour),
		"4wh": time.Date(2024, 9, 29, 10, 30, 0, 0, shanghai), // 1.5 h on Friday, 2.5 h on the make-up Sunday
	} {
		l, err := deadline.ParseLimit(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.After(cal, from); !got.Equal(want) || l.String() != s {
			t.Errorf("%s after %v = %v, want %v", s, from, got, want)
		}
	}
	for _, bad := range []string{"3", "wd", "-1d", "0h", "3 days", "2x"} {
		if _, err := deadline.ParseLimit(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestStatus(t *testing.T) {
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	due := start.Add(30 * time.Hour)
	warn := deadline.WarnAt(start, due, 2.0/3)
	if !warn.Equal(start.Add(20 * time.Hour)) {
		t.Fatalf("warn %v", warn)
	}
	for at, want := range map[time.Duration]deadline.Status{0: deadline.Green, 19 * time.Hour: deadline.Green,
		20 * time.Hour: deadline.Yellow, 29 * time.Hour: deadline.Yellow, 30 * time.Hour: deadline.Red} {
		if got := deadline.StatusAt(warn, due, start.Add(at)); got != want {
			t.Errorf("at +%v: %s, want %s", at, got, want)
		}
	}
	if deadline.StatusAt(time.Time{}, time.Time{}, start) != deadline.None {
		t.Error("no clock is not a colour")
	}
}

func TestChooseMostSpecific(t *testing.T) {
	ps := []deadline.Policy{
		{ID: 1, Name: "默认"},
		{ID: 2, Name: "特急", Priority: "emergency"},
		{ID: 3, Name: "咨询", Nature: "consult"},
		{ID: 4, Name: "市政", CategoryID: 10, CategoryCode: "C0102"},
		{ID: 5, Name: "市政路灯", CategoryID: 11, CategoryCode: "C0102001"},
		{ID: 6, Name: "咨询特急", Nature: "consult", Priority: "emergency"},
		{ID: 7, Name: "停用", Nature: "help", RetiredAt: time.Now()},
	}
	for _, tc := range []struct {
		nature, code, prio, want string
	}{
		{"complaint", "C0401001", "normal", "默认"},
		{"complaint", "C0102001", "normal", "市政路灯"},
		{"complaint", "C0102005", "normal", "市政"},
		{"consult", "C0102001", "normal", "咨询"}, // one field each: nature outranks category
		{"consult", "", "emergency", "咨询特急"},
		{"complaint", "C0102001", "emergency", "特急"},
		{"help", "", "normal", "默认"},
	} {
		p, ok := deadline.Choose(ps, tc.nature, tc.code, tc.prio)
		if !ok || p.Name != tc.want {
			t.Errorf("%s/%s/%s → %s, want %s", tc.nature, tc.code, tc.prio, p.Name, tc.want)
		}
	}
}

// Petitions: accepted or rejected within 15 days; handled within 60; one
// extension of at most 30 days (信访工作条例).
func TestPetitionDeadlines(t *testing.T) {
	env := apptest.New(t)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
		Channel: "visit", Body: "反映征地补偿款至今未发放", Nature: "petition_claim"})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Case
	if want := apptest.Start.Add(15 * 24 * time.Hour); !c.AcceptDueAt.Equal(want) || !c.DeadlineAt.Equal(want) {
		t.Fatalf("acceptance deadline %v (running %v), want %v", c.AcceptDueAt, c.DeadlineAt, want)
	}
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if c, err = env.App.Cases.Do(ctx, env.Actor(t, "intake"), c.Number, casework.Register, casework.ActionInput{CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}
	if !c.DeadlineAt.IsZero() {
		t.Errorf("a registered petition still runs against %v", c.DeadlineAt)
	}
	if c, err = env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), c.Number, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}); err != nil {
		t.Fatal(err)
	}
	if want := apptest.Start.Add(60 * 24 * time.Hour); !c.DueAt.Equal(want) {
		t.Errorf("petition due %v, want %v", c.DueAt, want)
	}
	h, sup := env.Actor(t, "jiangtou"), env.Actor(t, "supervisor")
	if _, err := env.App.Cases.Do(ctx, h, c.Number, casework.Sign, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Cases.Do(ctx, h, c.Number, casework.RequestExtension, casework.ActionInput{DueAt: c.DueAt.Add(31 * 24 * time.Hour), Reason: "x"})
	if fault.KindOf(err) != fault.Invalid {
		t.Errorf("a 31-day extension: %v", err)
	}
	if _, err := env.App.Cases.Do(ctx, h, c.Number, casework.RequestExtension, casework.ActionInput{DueAt: c.DueAt.Add(30 * 24 * time.Hour), Reason: "需补充调查"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, sup, c.Number, casework.ApproveExtension, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Cases.Do(ctx, h, c.Number, casework.RequestExtension, casework.ActionInput{DueAt: c.DueAt.Add(40 * 24 * time.Hour), Reason: "x"})
	if fe, _ := fault.As(err); fe == nil || fe.Code != "extension-limit" {
		t.Errorf("a second extension of a petition: %v", err)
	}
	// The extension request reached the supervising committee's inbox.
	p, _ := env.App.Notify.Inbox(ctx, env.Actor(t, "huli"), false, 0, 10)
	found := false
	for _, it := range p.Items {
		found = found || it.Kind == "case.extension_request"
	}
	if !found {
		t.Errorf("湖里区委政法委 was not asked: %+v", p.Items)
	}
}

func TestPolicyAdministration(t *testing.T) {
	env := apptest.New(t)
	pol := env.App.Policies
	admin := env.Actor(t, "sysadmin")
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102")
	p, err := pol.Create(ctx, admin, deadline.Input{Name: "市政设施", CategoryID: cat.ID, Sign: "4wh", Handle: "5wd", Reply: "1wd", WarnRatio: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pol.Resolve(ctx, "complaint", "C0102001", "normal")
	if err != nil || got.ID != p.ID {
		t.Errorf("resolve under the new category policy: %+v %v", got, err)
	}
	bad := []deadline.Input{
		{Name: "", Sign: "1wd", Handle: "1wd", Reply: "1wd", WarnRatio: 0.5},
		{Name: "x", Sign: "soon", Handle: "1wd", Reply: "1wd", WarnRatio: 0.5},
		{Name: "x", Sign: "1wd", Handle: "1wd", Reply: "1wd", WarnRatio: 1.5},
		{Name: "x", Nature: "gossip", Sign: "1wd", Handle: "1wd", Reply: "1wd", WarnRatio: 0.5},
		{Name: "x", Sign: "1wd", Reply: "1wd", WarnRatio: 0.5},
	}
	for i, in := range bad {
		if _, err := pol.Create(ctx, admin, in); fault.KindOf(err) != fault.Invalid {
			t.Errorf("bad policy %d accepted: %v", i, err)
		}
	}
	if _, err := pol.Create(ctx, admin, deadline.Input{Name: "重复", CategoryID: cat.ID, Sign: "1wd", Handle: "1wd", Reply: "1wd", WarnRatio: 0.5}); fault.KindOf(err) != fault.Conflict {
		t.Errorf("a second policy for the same selector: %v", err)
	}
	if _, err := pol.Create(ctx, env.Actor(t, "supervisor"), deadline.Input{Name: "x", Sign: "1wd", Handle: "1wd", Reply: "1wd", WarnRatio: 0.5}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("supervisor edits policies: %v", err)
	}
	all, _ := pol.Policies(ctx)
	var def int64
	for _, x := range all {
		if x.Catchall() {
			def = x.ID
		}
	}
	if _, err := pol.SetRetired(ctx, admin, def, true); fault.KindOf(err) != fault.Conflict {
		t.Errorf("retire the default: %v", err)
	}
	if _, err := pol.SetRetired(ctx, admin, p.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := pol.Resolve(ctx, "complaint", "C0102001", "normal"); got.ID == p.ID {
		t.Error("a retired policy still applies")
	}
}
