package supervision_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/notify"
	"pingan/internal/supervision"
)

var ctx = context.Background()

// dispatched takes in a complaint and dispatches it to 江头街道.
func dispatched(t *testing.T, env *apptest.Env) casework.Case {
	t.Helper()
	return dispatchedTo(t, env, "350206004")
}

// dispatchedTo takes in a street-light complaint, registers it and
// dispatches it to the unit of code.
func dispatchedTo(t *testing.T, env *apptest.Env, code string) casework.Case {
	t.Helper()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
		Channel: "hotline", Body: "江头北路路灯不亮已一周", Nature: "complaint"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), res.Case.Number, casework.Register, casework.ActionInput{CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}
	c, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), res.Case.Number, casework.Dispatch,
		casework.ActionInput{UnitID: env.Unit(t, code)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func inbox(t *testing.T, env *apptest.Env, user string) []notify.Item {
	t.Helper()
	p, err := env.App.Notify.Inbox(ctx, env.Actor(t, user), false, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func timeline(t *testing.T, env *apptest.Env, number string) []casework.Entry {
	t.Helper()
	tl, err := env.App.Cases.Timeline(ctx, access.System("test"), number)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func orders(t *testing.T, env *apptest.Env, number string) []supervision.Order {
	t.Helper()
	os, err := env.App.Supervision.Ledger(ctx, access.System("test"), supervision.Filter{CaseNumber: number})
	if err != nil {
		t.Fatal(err)
	}
	return os
}

// The whole supervision chain, driven by the clock: yellow → reminder, red →
// automatic order from the district committee, unanswered → escalation to
// the street office's superior. Each fires once.
func TestWarningOrderAndEscalation(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	if c.Status(env.Clock.Now()) != deadline.Green || c.WarnAt.IsZero() {
		t.Fatalf("a fresh dispatch: %s, warn %v", c.Status(env.Clock.Now()), c.WarnAt)
	}
	// Signing moves the running deadline from signing to handling.
	c, err := env.App.Cases.Do(ctx, env.Actor(t, "jiangtou"), c.Number, casework.Sign, casework.ActionInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.DeadlineAt.Equal(c.DueAt) {
		t.Fatalf("after signing the running deadline is %v, want the handling deadline %v", c.DeadlineAt, c.DueAt)
	}
	if n := env.Fire(t); n != 0 {
		t.Fatalf("%d timers fired before anything was due", n)
	}
	// Yellow.
	env.Clock.Advance(c.WarnAt.Sub(env.Clock.Now()) + time.Minute)
	if n := env.Fire(t); n != 1 {
		t.Fatalf("at the warning time %d timers fired, want 1", n)
	}
	if n := env.Fire(t); n != 0 {
		t.Fatalf("the warning fired again: %d", n)
	}
	items := inbox(t, env, "jiangtou")
	if len(items) < 2 || items[0].Kind != "case.warning" || !strings.Contains(items[0].Title.ZH, c.Number) {
		t.Fatalf("江头街道's inbox: %+v", items)
	}
	// Red: an automatic order from 湖里区委政法委 to 江头街道.
	env.Clock.Advance(c.DeadlineAt.Sub(env.Clock.Now()) + time.Minute)
	if n := env.Fire(t); n != 1 {
		t.Fatalf("at the deadline %d timers fired, want 1", n)
	}
	os := orders(t, env, c.Number)
	if len(os) != 1 {
		t.Fatalf("%d orders, want 1", len(os))
	}
	o := os[0]
	if !o.Automatic || o.Kind != supervision.Formal || o.State != supervision.Open || o.Level != 1 ||
		o.FromUnitID != env.Unit(t, "PLC-350206") || o.ToUnitID != env.Unit(t, "350206004") {
		t.Fatalf("automatic order %+v", o)
	}
	if !strings.Contains(o.Reason.ZH, "案件已超过办理期限") {
		t.Errorf("the order's reason %q does not name the handling deadline", o.Reason)
	}
	// Reply time: the default policy's 2 working days.
	if o.ReplyDueAt.Sub(o.IssuedAt) < 24*time.Hour {
		t.Errorf("reply due %v after issue", o.ReplyDueAt.Sub(o.IssuedAt))
	}
	// Unanswered: breached, and a level-2 order to 湖里区 from the city committee.
	env.Clock.Advance(o.ReplyDueAt.Sub(env.Clock.Now()) + time.Minute)
	if n := env.Fire(t); n != 1 {
		t.Fatalf("at the reply deadline %d timers fired, want 1", n)
	}
	os = orders(t, env, c.Number)
	if len(os) != 2 || os[1].State != supervision.Breached || os[0].Level != 2 ||
		os[0].ToUnitID != env.Unit(t, "350206") || os[0].FromUnitID != env.Unit(t, "PLC-350200") || os[0].ParentID != os[1].ID {
		t.Fatalf("after the breach: %+v", os)
	}
	var told int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE unit_id = $1 AND kind = 'supervision.escalated'",
		env.Unit(t, "350206")).Scan(&told); err != nil || told != 1 {
		t.Errorf("湖里区 was told %d times of the escalation (%v)", told, err)
	}
	var acts []string
	for _, e := range timeline(t, env, c.Number) {
		acts = append(acts, string(e.Action))
	}
	if got := strings.Join(acts, ","); !strings.HasSuffix(got, "sign,warn,supervise,supervise,escalate") {
		t.Errorf("timeline %s", got)
	}
	recs, _ := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "supervision_order"})
	if len(recs) != 3 { // issue, issue (escalated), escalate
		t.Errorf("%d audit records for supervision, want 3", len(recs))
	}
}

func TestReplyStopsEscalation(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	env.Clock.Advance(c.DeadlineAt.Sub(env.Clock.Now()) + time.Minute)
	if n := env.Fire(t); n != 2 { // the warning (skipped: already red) and the overdue order
		t.Fatalf("fired %d", n)
	}
	if items := inbox(t, env, "jiangtou"); items[0].Kind != "supervision.issued" {
		t.Errorf("a red case gets an order, not a yellow reminder: %+v", items[0])
	}
	o := orders(t, env, c.Number)[0]
	if _, err := env.App.Supervision.Reply(ctx, env.Actor(t, "gulangyu"), o.Number, "不是我们"); fault.KindOf(err) != fault.NotFound {
		t.Errorf("reply from outside scope: %v", err)
	}
	if _, err := env.App.Supervision.Reply(ctx, env.Actor(t, "supervisor"), o.Number, "x"); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("reply from the issuing side: %v", err)
	}
	r, err := env.App.Supervision.Reply(ctx, env.Actor(t, "jiangtou"), o.Number, "已安排维修，明日完成")
	if err != nil || r.State != supervision.Replied || r.RepliedBy != env.Actor(t, "jiangtou").UserID {
		t.Fatalf("reply: %+v %v", r, err)
	}
	if _, err := env.App.Supervision.Reply(ctx, env.Actor(t, "jiangtou"), o.Number, "again"); fault.KindOf(err) != fault.Conflict {
		t.Errorf("second reply: %v", err)
	}
	env.Clock.Advance(30 * 24 * time.Hour)
	if n := env.Fire(t); n != 0 {
		t.Errorf("a replied order still fired %d timers", n)
	}
	if len(orders(t, env, c.Number)) != 1 {
		t.Error("a replied order escalated")
	}
	if items := inbox(t, env, "huli"); len(items) != 1 || items[0].Kind != "supervision.replied" {
		t.Errorf("the committee learns of the reply: %+v", items)
	}
}

// A clock that stopped or moved leaves its old timers without effect.
func TestStaleTimersAreCancelled(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	h := env.Actor(t, "jiangtou")
	if _, err := env.App.Cases.Do(ctx, h, c.Number, casework.Sign, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, h, c.Number, casework.ReportBack, casework.ActionInput{Note: "已修复"}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(60 * 24 * time.Hour)
	if n := env.Fire(t); n != 0 {
		t.Errorf("%d timers fired for a case that was reported back in time", n)
	}
	var pending int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL").Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d timers still pending (%v)", pending, err)
	}
}

func TestSuspensionStopsTheClock(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	sup := env.Actor(t, "supervisor")
	if _, err := env.App.Cases.Do(ctx, sup, c.Number, casework.Suspend, casework.ActionInput{Reason: "等待鉴定"}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(40 * 24 * time.Hour)
	if n := env.Fire(t); n != 0 {
		t.Errorf("a suspended case's timers fired: %d", n)
	}
	c2, err := env.App.Cases.Do(ctx, sup, c.Number, casework.Resume, casework.ActionInput{})
	if err != nil {
		t.Fatal(err)
	}
	if d := c2.DueAt.Sub(c.DueAt); d != 40*24*time.Hour || c2.Status(env.Clock.Now()) != deadline.Green {
		t.Errorf("after 40 days suspended the deadline moved %v; status %s", d, c2.Status(env.Clock.Now()))
	}
}

func TestManualOrdersAndLedger(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	o, err := env.App.Supervision.Issue(ctx, env.Actor(t, "huli"), c.Number, supervision.IssueInput{Kind: supervision.Interview, Reason: "约谈街道分管领导"})
	if err != nil || o.State != supervision.Open || o.FromUnitID != env.Unit(t, "PLC-350206") || o.Automatic {
		t.Fatalf("interview: %+v %v", o, err)
	}
	n, err := env.App.Supervision.Issue(ctx, env.Actor(t, "supervisor"), c.Number, supervision.IssueInput{Kind: supervision.Notice, Reason: "全市通报"})
	if err != nil || n.State != supervision.Noted || !n.ReplyDueAt.IsZero() {
		t.Fatalf("notice: %+v %v", n, err)
	}
	// The same kind again, to the same unit, while the first awaits its
	// reply: refused, naming the first; another kind presses on.
	_, err = env.App.Supervision.Issue(ctx, env.Actor(t, "supervisor"), c.Number, supervision.IssueInput{Kind: supervision.Interview, Reason: "再次约谈"})
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.Conflict || fe.Code != "order-awaiting-reply" || !strings.Contains(err.Error(), o.Number) {
		t.Errorf("a second interview while the first awaits its reply: %v", err)
	}
	var refused int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND outcome = $2 AND object_id = $3",
		"supervision.issue", audit.Denied, c.Number).Scan(&refused); err != nil || refused != 1 {
		t.Errorf("%d refused issues audited (%v), want 1", refused, err)
	}
	if _, err := env.App.Supervision.Issue(ctx, env.Actor(t, "supervisor"), c.Number, supervision.IssueInput{Kind: supervision.Remind, Reason: "请尽快答复"}); err != nil {
		t.Errorf("a reminder while an interview awaits its reply: %v", err)
	}
	for user, want := range map[string]fault.Kind{"jiangtou": fault.Forbidden, "gulangyu": fault.NotFound, "leader": fault.Forbidden} {
		if _, err := env.App.Supervision.Issue(ctx, env.Actor(t, user), c.Number, supervision.IssueInput{Kind: supervision.Remind, Reason: "x"}); fault.KindOf(err) != want {
			t.Errorf("%s issues: %v, want %v", user, err, want)
		}
	}
	if _, err := env.App.Supervision.Issue(ctx, env.Actor(t, "supervisor"), c.Number, supervision.IssueInput{Kind: "scold", Reason: ""}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("bad kind and no reason: %v", err)
	}
	for user, want := range map[string]int{"supervisor": 3, "huli": 3, "jiangtou": 3, "gulangyu": 0, "jiangtou.police": 0} {
		os, err := env.App.Supervision.Ledger(ctx, env.Actor(t, user), supervision.Filter{})
		if err != nil || len(os) != want {
			t.Errorf("%s's ledger: %d orders (%v), want %d", user, len(os), err, want)
		}
	}
	if _, err := env.App.Supervision.Get(ctx, env.Actor(t, "gulangyu"), o.Number); fault.KindOf(err) != fault.NotFound {
		t.Errorf("order outside scope: %v", err)
	}
	os, _ := env.App.Supervision.Ledger(ctx, env.Actor(t, "supervisor"), supervision.Filter{State: supervision.Open, Kind: supervision.Interview})
	if len(os) != 1 || os[0].Number != o.Number {
		t.Errorf("open interviews: %+v", os)
	}
	// Once answered, the unit may be interviewed again.
	if _, err := env.App.Supervision.Reply(ctx, env.Actor(t, "jiangtou"), o.Number, "已约谈并部署整改"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supervision.Issue(ctx, env.Actor(t, "supervisor"), c.Number, supervision.IssueInput{Kind: supervision.Interview, Reason: "再次约谈"}); err != nil {
		t.Errorf("an interview after the first was answered: %v", err)
	}
}

// Two pingan nodes on one database: every due timer fires exactly once,
// whichever node claims it.
func TestTwoNodesFireEachTimerOnce(t *testing.T) {
	env := apptest.New(t)
	nodes := []*app.App{env.App, env.Node(t), env.Node(t)}
	const cases = 40
	for range cases {
		dispatched(t, env)
	}
	fireAll := func() []int {
		var wg sync.WaitGroup
		fired := make([]int, len(nodes))
		for i, node := range nodes {
			wg.Go(func() {
				n, err := node.Timers.FireDue(ctx)
				if err != nil {
					t.Error(err)
				}
				fired[i] = n
			})
		}
		wg.Wait()
		return fired
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := env.App.DB.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Every case yellow: each is warned once, by one node.
	var lastWarn, firstDeadline int64
	if err := env.App.DB.QueryRowContext(ctx, "SELECT MAX(warn_at), MIN(deadline_at) FROM cases").Scan(&lastWarn, &firstDeadline); err != nil {
		t.Fatal(err)
	}
	if lastWarn >= firstDeadline {
		t.Fatalf("the cases' warnings (last %d) do not all come before their deadlines (first %d)", lastWarn, firstDeadline)
	}
	env.Clock.Advance(time.UnixMicro(lastWarn).Sub(env.Clock.Now()))
	fired := fireAll()
	if fired[0]+fired[1]+fired[2] != cases {
		t.Errorf("nodes fired %v warnings, want %d in all", fired, cases)
	}
	if n, m := count("SELECT COUNT(*) FROM timeline WHERE action = 'warn'"), count("SELECT COUNT(*) FROM notifications WHERE kind = 'case.warning'"); n != cases || m != cases {
		t.Errorf("%d warnings in timelines and %d warning messages for %d yellow cases", n, m, cases)
	}
	t.Logf("node shares of the warnings: %v", fired)
	// Every case red: each gets one automatic order.
	env.Clock.Advance(40 * 24 * time.Hour)
	fired = fireAll()
	if fired[0]+fired[1]+fired[2] != cases {
		t.Errorf("nodes fired %v deadlines, want %d in all", fired, cases)
	}
	if orders, firedRows := count("SELECT COUNT(*) FROM supervision_orders"), count("SELECT COUNT(*) FROM timers WHERE fired_at IS NOT NULL"); orders != cases || firedRows != 2*cases {
		t.Errorf("%d orders and %d fired timers for %d overdue cases", orders, firedRows, cases)
	}
	t.Logf("node shares of the deadlines: %v", fired)
}

// A case whose unit has no committee above it (here the city's own
// committee handles it) still turns overdue and counts in the backlog when
// its deadline passes; the unit is told, no order is issued, and the timer
// does not fail and retry for ever.
func TestOverdueWithoutSupervisingCommittee(t *testing.T) {
	env := apptest.New(t)
	c := dispatchedTo(t, env, "PLC-350200")
	env.Clock.Advance(c.DeadlineAt.Sub(env.Clock.Now()) + time.Hour)
	env.Fire(t)
	got, err := env.App.Cases.Get(ctx, access.System("t"), c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Case.OverdueAt.IsZero() {
		t.Error("the case was not marked overdue")
	}
	if os := orders(t, env, c.Number); len(os) != 0 {
		t.Errorf("orders issued with no committee to issue them: %+v", os)
	}
	var failed int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM timers WHERE subject_id = $1 AND attempts > 0", c.ID).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 0 {
		t.Errorf("%d timers of the case failed", failed)
	}
	told := false
	for _, it := range inbox(t, env, "supervisor") {
		told = told || strings.Contains(it.Title.ZH, "已逾期") && strings.Contains(it.Title.ZH, c.Number)
	}
	if !told {
		t.Error("the committee was not told its case is overdue")
	}
}

// TestOverdueSignForNamesItsDeadline: a case not signed for in time is
// supervised for its signing deadline, and the order says so (not the
// handling deadline, which has not come).
func TestOverdueSignForNamesItsDeadline(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	if !c.DeadlineAt.Equal(c.SignDueAt) {
		t.Fatalf("a fresh dispatch runs to %v, want the signing deadline %v", c.DeadlineAt, c.SignDueAt)
	}
	env.Clock.Advance(c.DeadlineAt.Sub(env.Clock.Now()) + time.Minute)
	env.Fire(t)
	os := orders(t, env, c.Number)
	if len(os) != 1 {
		t.Fatalf("%d orders, want 1", len(os))
	}
	if !strings.Contains(os[0].Reason.ZH, "案件已超过签收期限") {
		t.Errorf("the order's reason %q does not name the signing deadline", os[0].Reason)
	}
	if got := c.DeadlineName().Format(i18n.EN); got != "Sign for by" {
		t.Errorf("the deadline's English name %q", got)
	}
	// Read back, the reason is in both languages.
	if en := os[0].Reason.EN; !strings.HasPrefix(en, "Supervised automatically: the case is past its deadline (Sign for by: ") {
		t.Errorf("the order's reason in English: %q", en)
	}
	// So is the note the order left on the case's timeline.
	tl := timeline(t, env, c.Number)
	last := tl[len(tl)-1]
	if zh := "督办单 " + os[0].Number + "：案件已超过签收期限"; last.Action != casework.Supervise || !strings.HasPrefix(last.Note.ZH, zh) {
		t.Errorf("the timeline's last entry: %s %q, want it to start %q", last.Action, last.Note.ZH, zh)
	}
	if en := "Supervision order " + os[0].Number + ": Supervised automatically: the case is past its deadline (Sign for by: "; !strings.HasPrefix(last.Note.EN, en) {
		t.Errorf("the timeline's note in English: %q, want it to start %q", last.Note.EN, en)
	}
}

// A report nobody registers is late like any other case: a 110 incident
// within the hour, a complaint within a working day (the default
// policies), and then supervised at the intake unit, its order naming the
// deadline to accept.
func TestAReportNobodyRegistersIsSupervised(t *testing.T) {
	env := apptest.New(t)
	take := func(channel casework.Channel, nature, body string) casework.Case {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: channel, Body: body, Nature: nature})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case
	}
	incident := take("police_110", "police_public_order", "江头北路有人聚众斗殴")
	complaint := take("hotline", "complaint", "江头北路路灯不亮已一周")
	if want := apptest.Start.Add(time.Hour); !incident.AcceptDueAt.Equal(want) || !incident.DeadlineAt.Equal(want) ||
		incident.DeadlineName().ZH != "立案期限" {
		t.Fatalf("the incident must be registered by %v (running to %v, %s), want %v", incident.AcceptDueAt, incident.DeadlineAt,
			incident.DeadlineName().ZH, want)
	}
	// 1 working day from Thursday 09:00: by the end of Friday.
	if due, want := complaint.AcceptDueAt, time.Date(2026, 11, 28, 0, 0, 0, 0, apptest.Start.Location()); !due.Equal(want) ||
		!complaint.DeadlineAt.Equal(due) {
		t.Fatalf("the complaint must be registered by %v (running to %v), want %v", due, complaint.DeadlineAt, want)
	}
	env.Clock.Advance(time.Hour + time.Minute)
	env.Fire(t)
	os := orders(t, env, incident.Number)
	if len(os) != 1 || !os[0].Automatic || os[0].ToUnitID != incident.IntakeUnitID || !strings.Contains(os[0].Reason.ZH, "立案期限") {
		t.Fatalf("the unregistered incident's orders: %+v", os)
	}
	if os := orders(t, env, complaint.Number); len(os) != 0 {
		t.Errorf("the complaint, still in time, has %d orders", len(os))
	}
	// Registered, the clock to accept stops: nothing more is due of intake.
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102001")
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), complaint.Number, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !c.DeadlineAt.IsZero() {
		t.Errorf("registered, the complaint still runs to %v (accept by %v)", c.DeadlineAt, c.AcceptDueAt)
	}
	env.Clock.Advance(3 * 24 * time.Hour)
	env.Fire(t)
	if os := orders(t, env, complaint.Number); len(os) != 0 {
		t.Errorf("the registered complaint has %d orders", len(os))
	}
}

// An order to the top of the tree that goes unanswered has nobody above
// to escalate to: the committee that issued it is told, in its inbox, to
// take it up, and the breach is on the record.
func TestBreachAtTheTopTellsTheCommittee(t *testing.T) {
	env := apptest.New(t)
	c := dispatched(t, env)
	env.Clock.Advance(c.DeadlineAt.Sub(env.Clock.Now()) + time.Minute)
	env.Fire(t) // the sign-for deadline: an order to 江头街道
	for level := 1; level <= 3; level++ {
		os := orders(t, env, c.Number)
		if len(os) != level || os[0].State != supervision.Open {
			t.Fatalf("at level %d: %+v", level, os)
		}
		env.Clock.Advance(os[0].ReplyDueAt.Sub(env.Clock.Now()) + time.Minute)
		env.Fire(t)
	}
	os := orders(t, env, c.Number)
	top := os[0]
	if len(os) != 3 || top.State != supervision.Breached || top.ToUnitID != env.Unit(t, "350200") {
		t.Fatalf("the orders after the top's breach: %+v", os)
	}
	var told int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE unit_id = $1 AND kind = 'supervision.breached'",
		top.FromUnitID).Scan(&told); err != nil || told != 1 || top.FromUnitID != env.Unit(t, "PLC-350200") {
		t.Errorf("the committee (%d) was told %d times (%v)", top.FromUnitID, told, err)
	}
	items := inbox(t, env, "supervisor")
	if len(items) == 0 || items[0].Kind != "supervision.breached" || !strings.Contains(items[0].Title.ZH, top.Number) {
		t.Errorf("the city supervisor's inbox: %+v", items)
	}
}
