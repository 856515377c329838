package deadline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/calendar"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/score"
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

// A suspended clock keeps the time it had left in its limit's unit: working
// time for working hours and days, elapsed time for hours and days —
// across a weekend, National Day 2024 and a make-up Saturday.
func TestResumed(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	ns, _ := calendar.Embedded()
	office, _ := calendar.ParseOfficeHours("08:00-12:00,14:30-17:30")
	cal := calendar.New(shanghai, ns, office)
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, tc := range []struct {
		name                           string
		unit                           deadline.Unit
		due, suspended, resumed, wants string
	}{
		// 3wd due at the close of Tuesday 1 December, suspended Thursday
		// 17:00 (half an office hour and three days left), resumed Monday
		// 09:00: the time runs out on Thursday morning, so the close of
		// Thursday 3 December (not Saturday 16:00, a wall-clock shift).
		{"wd over a weekend", deadline.WorkingDays, "2026-12-02 00:00", "2026-11-26 17:00", "2026-11-30 09:00", "2026-12-04 00:00"},
		// A dispatcher's own deadline (Friday 15:00, 5 office hours left)
		// under a working-day policy keeps its time, not the day's close.
		{"wd set at 15:00", deadline.WorkingDays, "2026-11-27 15:00", "2026-11-26 17:00", "2026-11-30 09:00", "2026-11-30 16:30"},
		{"wh over a weekend", deadline.WorkingHours, "2026-11-27 11:30", "2026-11-26 17:00", "2026-11-30 09:00", "2026-11-30 15:30"},
		{"h over a weekend", deadline.Hours, "2026-11-27 01:00", "2026-11-26 17:00", "2026-11-30 09:00", "2026-11-30 17:00"},
		{"d over a weekend", deadline.CalendarDays, "2026-12-01 17:00", "2026-11-26 17:00", "2026-11-30 09:00", "2026-12-05 09:00"},
		// Suspended on the last working day before National Day with 5
		// office hours of Monday and Tuesday 8 October left, resumed in the
		// holiday: Tuesday and 5 hours of Wednesday.
		{"wd over National Day", deadline.WorkingDays, "2024-10-09 00:00", "2024-09-30 10:00", "2024-10-03 10:00", "2024-10-10 00:00"},
		{"wh over National Day", deadline.WorkingHours, "2024-10-08 10:00", "2024-09-30 17:00", "2024-10-05 12:00", "2024-10-08 10:30"},
		{"h over National Day", deadline.Hours, "2024-09-30 20:00", "2024-09-30 17:00", "2024-10-05 12:00", "2024-10-05 15:00"},
		{"d over National Day", deadline.CalendarDays, "2024-10-10 17:00", "2024-09-30 17:00", "2024-10-07 17:00", "2024-10-17 17:00"},
		// 13 office hours left, resumed Friday 17:00: half an hour on
		// Friday, the make-up Saturday 12 October, 5.5 hours of Monday.
		{"wd over a make-up Saturday", deadline.WorkingDays, "2024-10-12 00:00", "2024-10-10 09:00", "2024-10-11 17:00", "2024-10-15 00:00"},
		{"wd resumed at once", deadline.WorkingDays, "2024-10-09 00:00", "2024-09-27 16:00", "2024-09-27 16:00", "2024-10-09 00:00"},
		// Passed 5 hours before the suspension: still passed by 5 hours.
		{"passed", deadline.WorkingDays, "2024-09-30 12:00", "2024-09-30 17:00", "2024-10-08 09:00", "2024-10-08 04:00"},
	} {
		got := tc.unit.Resumed(cal, at(tc.due), at(tc.suspended), at(tc.resumed))
		if !got.Equal(at(tc.wants)) {
			t.Errorf("%s: %v, want %s", tc.name, got.In(shanghai), tc.wants)
		}
	}
	if got := deadline.WorkingDays.Resumed(cal, time.Time{}, at("2024-09-30 17:00"), at("2024-10-08 09:00")); !got.IsZero() {
		t.Errorf("no deadline: %v", got)
	}
}

func TestStatus(t *testing.T) {
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	due := start.Add(30 * time.Hour)
	warn := deadline.WarnAt(start, due, 2.0/3)
	if !warn.Equal(start.Add(20 * time.Hour)) {
		t.Fatalf("warn %v", warn)
	}
	// A deadline is "by" that time: red from the next second on.
	for at, want := range map[time.Duration]deadline.Status{0: deadline.Green, 19 * time.Hour: deadline.Green,
		20 * time.Hour: deadline.Yellow, 29 * time.Hour: deadline.Yellow, 30 * time.Hour: deadline.Yellow,
		30*time.Hour + 999*time.Millisecond: deadline.Yellow, 30*time.Hour + time.Second: deadline.Red} {
		if got := deadline.StatusAt(warn, due, start.Add(at)); got != want {
			t.Errorf("at +%v: %s, want %s", at, got, want)
		}
	}
	if deadline.StatusAt(time.Time{}, time.Time{}, start) != deadline.None {
		t.Error("no clock is not a colour")
	}
	// The overdue timer falls on the first instant red, also for a
	// deadline between seconds (hours counted from a moment with micros).
	for _, d := range []time.Time{due, due.Add(250 * time.Millisecond)} {
		from := deadline.OverdueFrom(d)
		if deadline.Passed(d, from.Add(-time.Microsecond)) || !deadline.Passed(d, from) ||
			deadline.StatusAt(warn, d, from) != deadline.Red || deadline.StatusAt(warn, d, d) == deadline.Red {
			t.Errorf("deadline %v: overdue from %v", d, from)
		}
	}
	// The scorecards agree: a report back at the deadline is on time; a
	// second later, late.
	for at, want := range map[time.Duration]score.Metric{0: score.ReportedOnTime, 999 * time.Millisecond: score.ReportedOnTime,
		time.Second: score.ReportedLate} {
		evs := score.Classify("report", 1, score.Snapshot{HandlingUnitID: 7, DueAt: due}, score.Snapshot{HandlingUnitID: 7}, due.Add(at))
		red := deadline.StatusAt(warn, due, due.Add(at)) == deadline.Red
		if len(evs) != 2 || evs[1].Metric != want || red != (want == score.ReportedLate) {
			t.Errorf("reported %v after the deadline: %+v (red %v), want %s", at, evs, red, want)
		}
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
	// Accepted: handled within 60 days of acceptance, before and after
	// dispatch.
	if want := apptest.Start.Add(60 * 24 * time.Hour); !c.DueAt.Equal(want) || !c.DeadlineAt.Equal(want) {
		t.Errorf("a registered petition runs against %v (due %v), want %v", c.DeadlineAt, c.DueAt, want)
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

// pendingTimers returns the due times of the case's pending timers, by kind.
func pendingTimers(t *testing.T, env *apptest.Env, caseID int64) map[string]time.Time {
	t.Helper()
	rows, err := env.App.DB.QueryContext(ctx, `SELECT kind, due_at FROM timers
		WHERE subject_id = $1 AND kind LIKE 'case.%' AND fired_at IS NULL AND cancelled_at IS NULL`, caseID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var kind string
		var at int64
		if err := rows.Scan(&kind, &at); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[kind]; dup {
			t.Fatalf("two pending %s timers", kind)
		}
		out[kind] = time.UnixMicro(at)
	}
	return out
}

// checkClock checks the case's running deadline, colour at now and timers.
func checkClock(t *testing.T, env *apptest.Env, step string, c casework.Case, deadlineAt time.Time, status deadline.Status) {
	t.Helper()
	if !c.DeadlineAt.Equal(deadlineAt) || c.Status(env.Clock.Now()) != status {
		t.Fatalf("%s: running against %v, %q; want %v, %q", step, c.DeadlineAt, c.Status(env.Clock.Now()), deadlineAt, status)
	}
	got := pendingTimers(t, env, c.ID)
	want := map[string]time.Time{}
	if !c.WarnAt.IsZero() && c.WarnAt.After(env.Clock.Now()) {
		want[string(casework.TimerWarn)] = c.WarnAt
	}
	if !deadlineAt.IsZero() {
		want[string(casework.TimerOverdue)] = deadline.OverdueFrom(deadlineAt)
	}
	for k, at := range want {
		if !got[k].Equal(at) {
			t.Fatalf("%s: timers %v, want %v", step, got, want)
		}
	}
	if _, ok := got[string(casework.TimerOverdue)]; ok != !deadlineAt.IsZero() {
		t.Fatalf("%s: timers %v, want %v", step, got, want)
	}
}

// A petition is handled within 60 days of its acceptance (信访工作条例):
// the clock starts at registration, runs while it waits to be dispatched,
// and dispatch, return and transfer carry it. A complaint's handling time
// starts at each dispatch.
func TestPetitionHandlingCountsFromAcceptance(t *testing.T) {
	env := apptest.New(t)
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	do := func(user, number string, a casework.Action, in casework.ActionInput) casework.Case {
		t.Helper()
		c, err := env.App.Cases.Do(ctx, env.Actor(t, user), number, a, in)
		if err != nil {
			t.Fatalf("%s %s: %v", user, a, err)
		}
		return c
	}
	intake := func(nature string) casework.Case {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
			Channel: "letter", Body: "反映村集体土地征收补偿款未按时发放", Nature: nature})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case
	}
	jiangtou, gulangyu := env.Unit(t, "350206004"), env.Unit(t, "350203012")
	p, cp := intake("petition_claim"), intake("complaint")
	env.Clock.Advance(2 * 24 * time.Hour)
	accepted := env.Clock.Now()
	due := accepted.Add(60 * 24 * time.Hour)
	c := do("intake", p.Number, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	if !c.DueAt.Equal(due) || !c.ClockStartAt.Equal(accepted) || !c.WarnAt.Equal(accepted.Add(45*24*time.Hour)) {
		t.Fatalf("registered: due %v from %v, yellow %v; want due %v", c.DueAt, c.ClockStartAt, c.WarnAt, due)
	}
	checkClock(t, env, "registered", c, due, deadline.Green)
	cc := do("intake", cp.Number, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	checkClock(t, env, "complaint registered", cc, time.Time{}, deadline.None)

	// Not dispatched for 50 days: yellow, in the yellow list, reminded.
	env.Clock.Advance(50 * 24 * time.Hour)
	c, err := env.App.Cases.Load(ctx, env.App.DB, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkClock(t, env, "50 days undispatched", c, due, deadline.Yellow)
	page, err := env.App.Cases.List(ctx, env.Actor(t, "supervisor"), casework.Filter{Statuses: []deadline.Status{deadline.Yellow}})
	if err != nil || len(page.Cases) != 1 || page.Cases[0].Number != c.Number {
		t.Fatalf("yellow list: %+v (%v)", page.Cases, err)
	}
	if env.Fire(t) == 0 {
		t.Error("no warning fired for the undispatched petition")
	}

	// Dispatched 50 days after acceptance: due on the statutory date, not
	// 60 days from now; the unit's time to sign for it runs first.
	c = do("dispatcher", c.Number, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	if !c.DueAt.Equal(due) || !c.ClockStartAt.Equal(accepted) || !c.SignDueAt.After(env.Clock.Now()) {
		t.Fatalf("dispatched: due %v from %v, sign by %v; want due %v", c.DueAt, c.ClockStartAt, c.SignDueAt, due)
	}
	checkClock(t, env, "dispatched", c, c.SignDueAt, deadline.Yellow)
	c = do("jiangtou", c.Number, casework.Return, casework.ActionInput{Reason: "不属本街道职责"})
	checkClock(t, env, "returned", c, due, deadline.Yellow)
	c = do("dispatcher", c.Number, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	c = do("jiangtou", c.Number, casework.Sign, casework.ActionInput{})
	checkClock(t, env, "signed for", c, due, deadline.Yellow)
	c = do("dispatcher", c.Number, casework.Transfer, casework.ActionInput{UnitID: gulangyu, Reason: "属鼓浪屿辖区"})
	if !c.DueAt.Equal(due) {
		t.Fatalf("transferred: due %v, want %v", c.DueAt, due)
	}
	c = do("gulangyu", c.Number, casework.Sign, casework.ActionInput{})
	checkClock(t, env, "signed for after the transfer", c, due, deadline.Yellow)
	// The statutory date passes: red from the next second.
	env.Clock.Advance(due.Sub(env.Clock.Now()))
	c = do("gulangyu", c.Number, casework.Handle, casework.ActionInput{Note: "已约谈村委会"})
	if c.Status(env.Clock.Now()) == deadline.Red || !c.DueAt.Equal(due) {
		t.Fatalf("at the deadline: %s, due %v", c.Status(env.Clock.Now()), c.DueAt)
	}
	env.Clock.Advance(time.Second)
	if c.Status(env.Clock.Now()) != deadline.Red {
		t.Fatalf("a second after the deadline: %s", c.Status(env.Clock.Now()))
	}

	// The complaint, dispatched 52 days after its registration, gets its
	// 15 working days from the dispatch.
	cc = do("dispatcher", cc.Number, casework.Dispatch, casework.ActionInput{UnitID: jiangtou})
	if !cc.ClockStartAt.Equal(env.Clock.Now()) || !cc.DueAt.After(env.Clock.Now().Add(15*24*time.Hour)) {
		t.Fatalf("complaint dispatched: due %v from %v", cc.DueAt, cc.ClockStartAt)
	}
	cc = do("jiangtou", cc.Number, casework.Return, casework.ActionInput{Reason: "不属本街道职责"})
	checkClock(t, env, "complaint returned", cc, time.Time{}, deadline.None)
}

// Suspension keeps the working time left (a 3-working-day 咨询 case
// suspended on Thursday at 17:00 and resumed on Monday at 09:00 is due at
// the close of Thursday, not on Saturday), and the timers follow.
func TestSuspensionKeepsWorkingTime(t *testing.T) {
	env := apptest.New(t)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
		Channel: "hotline", Body: "咨询居住证办理需要哪些材料", Nature: "consult"})
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	n := res.Case.Number
	for _, s := range []struct {
		user   string
		action casework.Action
		in     casework.ActionInput
	}{
		{"intake", casework.Register, casework.ActionInput{CategoryID: cat.ID}},
		{"dispatcher", casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}},
		{"jiangtou", casework.Sign, casework.ActionInput{}},
	} {
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, s.user), n, s.action, s.in); err != nil {
			t.Fatal(err)
		}
	}
	loc := apptest.Start.Location()
	sup := env.Actor(t, "supervisor")
	env.Clock.Advance(8 * time.Hour) // Thursday 26 November, 17:00
	c, err := env.App.Cases.Do(ctx, sup, n, casework.Suspend, casework.ActionInput{Reason: "等待申请人补充材料"})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 2, 0, 0, 0, 0, loc); !c.DueAt.Equal(want) {
		t.Fatalf("3 working days from Thursday: %v, want %v", c.DueAt, want)
	}
	checkClock(t, env, "suspended", c, time.Time{}, deadline.None)
	env.Clock.Advance(88 * time.Hour) // Monday 30 November, 09:00
	if c, err = env.App.Cases.Do(ctx, sup, n, casework.Resume, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 4, 0, 0, 0, 0, loc); !c.DueAt.Equal(want) {
		t.Fatalf("resumed: due %v, want the close of Thursday 3 December", c.DueAt.In(loc))
	}
	// The time used before the suspension stays used: the clock started
	// 8 hours before the resumption.
	if want := env.Clock.Now().Add(-8 * time.Hour); !c.ClockStartAt.Equal(want) || !c.WarnAt.After(env.Clock.Now()) {
		t.Fatalf("resumed: clock from %v (want %v), yellow at %v", c.ClockStartAt, want, c.WarnAt)
	}
	checkClock(t, env, "resumed", c, c.DueAt, deadline.Green)
}

func TestPolicyAdministration(t *testing.T) {
	env := apptest.New(t)
	pol := env.App.Policies
	admin := env.Actor(t, "sysadmin")
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102")
	p, err := pol.Create(ctx, admin, deadline.Input{Name: "市政设施", NameEN: " Municipal facilities ", CategoryID: cat.ID, Sign: "4wh", Handle: "5wd", Reply: "1wd", WarnRatio: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	// Named in both languages, read back; a policy named in one reads the
	// same in both, and the defaults have their English names.
	if l := p.Label(); l.ZH != "市政设施" || l.EN != "Municipal facilities" {
		t.Errorf("label %+v", l)
	}
	if l := (deadline.Policy{Name: "夜间"}).Label(); l.EN != "夜间" {
		t.Errorf("a policy without an English name: %+v", l)
	}
	defaults := map[string]string{}
	ps, _ := pol.Policies(ctx)
	for _, x := range ps {
		defaults[x.Name] = x.NameEN
	}
	if defaults["紧急"] != "Urgent" || defaults["人民调解"] != "People's mediation" || defaults["市政设施"] != "Municipal facilities" {
		t.Errorf("English names %v", defaults)
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
		{Name: "x", NameEN: strings.Repeat("x", 61), Sign: "1wd", Handle: "1wd", Reply: "1wd", WarnRatio: 0.5},
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

// A deadline at midnight reads as the end of the day before.
func TestText(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	for in, want := range map[time.Time]string{
		time.Date(2026, 12, 19, 0, 0, 0, 0, loc):       "2026-12-18 24:00",
		time.Date(2026, 12, 18, 17, 30, 0, 0, loc):     "2026-12-18 17:30",
		time.Date(2026, 12, 18, 16, 0, 0, 0, time.UTC): "2026-12-18 24:00", // midnight in the city
		{}: "—",
	} {
		if got := deadline.Text(in, loc); got != want {
			t.Errorf("Text(%v) = %q, want %q", in, got, want)
		}
	}
}
