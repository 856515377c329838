package supervision_test

import (
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/fault"
	"pingan/internal/org"
	"pingan/internal/supervision"
)

// ledgerWorld makes two cases overdue (an automatic order each: 湖里区委政法委
// → 江头街道, 思明区委政法委 → 鼓浪屿街道), then, two days later, manual
// orders: a reminder and a notice to 江头街道 from the city's committee, an
// interview to 鼓浪屿街道, and 湖里区委政法委's on-site order to 江头街道.
func ledgerWorld(t *testing.T, env *apptest.Env) (jiangtou, gulangyu string) {
	t.Helper()
	c1 := dispatchedTo(t, env, "350206004")
	c2 := dispatchedTo(t, env, "350203012")
	last := c1.DeadlineAt
	if c2.DeadlineAt.After(last) {
		last = c2.DeadlineAt
	}
	env.Clock.Advance(last.Sub(env.Clock.Now()) + time.Minute)
	env.Fire(t)
	if n := len(orders(t, env, c1.Number)) + len(orders(t, env, c2.Number)); n != 2 {
		t.Fatalf("%d automatic orders, want 2", n)
	}
	env.Clock.Advance(48 * time.Hour)
	due := env.Clock.Now().Add(30 * 24 * time.Hour)
	for _, o := range []struct {
		user, number string
		kind         supervision.Kind
	}{
		{"supervisor", c1.Number, supervision.Remind},
		{"supervisor", c1.Number, supervision.Notice},
		{"supervisor", c2.Number, supervision.Interview},
		{"huli", c1.Number, supervision.Onsite},
	} {
		if _, err := env.App.Supervision.Issue(ctx, env.Actor(t, o.user), o.number, supervision.IssueInput{Kind: o.kind,
			Reason: "请加快办理", ReplyDueAt: due}); err != nil {
			t.Fatalf("%s issues %s: %v", o.user, o.kind, err)
		}
	}
	return c1.Number, c2.Number
}

// The ledger's filters (unit, kind, automatic, state, dates, case), its
// paging and its count agree, within each reader's scope.
func TestLedgerFiltersCountsAndScope(t *testing.T) {
	env := apptest.New(t)
	jiangtou, _ := ledgerWorld(t, env)
	jt, gly, huli := env.Unit(t, "350206004"), env.Unit(t, "350203012"), env.Unit(t, "PLC-350206")
	// Midnights: of the day the automatic orders were issued (two days
	// before now), and d days after it.
	now := env.Clock.Now()
	overdueDay := time.Date(now.Year(), now.Month(), now.Day()-2, 0, 0, 0, 0, now.Location())
	day := func(d int) time.Time { return overdueDay.AddDate(0, 0, d) }
	for _, tc := range []struct {
		name, user string
		f          supervision.Filter
		want       int
	}{
		{"everything", "supervisor", supervision.Filter{}, 6},
		{"to or from 江头街道", "supervisor", supervision.Filter{UnitID: jt}, 4},
		{"to or from 鼓浪屿街道", "supervisor", supervision.Filter{UnitID: gly}, 2},
		{"from 湖里区委政法委", "supervisor", supervision.Filter{UnitID: huli}, 2},
		{"reminders", "supervisor", supervision.Filter{Kind: supervision.Remind}, 1},
		{"automatic", "supervisor", supervision.Filter{Automatic: true}, 2},
		{"automatic to 江头街道", "supervisor", supervision.Filter{Automatic: true, UnitID: jt}, 1},
		{"open", "supervisor", supervision.Filter{State: supervision.Open}, 5},
		{"noted", "supervisor", supervision.Filter{State: supervision.Noted}, 1},
		{"issued on the overdue day", "supervisor", supervision.Filter{From: day(0), To: day(1)}, 2},
		{"issued from two days later", "supervisor", supervision.Filter{From: day(2)}, 4},
		{"one case", "supervisor", supervision.Filter{CaseNumber: jiangtou}, 4},
		// 湖里区委政法委 sees its district only.
		{"湖里 everything", "huli", supervision.Filter{}, 4},
		{"湖里 asks for 鼓浪屿街道", "huli", supervision.Filter{UnitID: gly}, 0},
		// A handling unit sees its own orders, never another unit's.
		{"江头街道's own", "jiangtou", supervision.Filter{}, 4},
		{"江头街道 asks for 鼓浪屿街道", "jiangtou", supervision.Filter{UnitID: gly}, 0},
		{"鼓浪屿街道's own", "gulangyu", supervision.Filter{}, 2},
		{"a police station", "jiangtou.police", supervision.Filter{}, 0},
		// Whoever may see a case sees every order on it, as its history
		// does; whoever may not, none.
		{"江头街道's case, to the intake centre", "intake", supervision.Filter{CaseNumber: jiangtou}, 4},
		{"the intake centre's own", "intake", supervision.Filter{}, 0},
		{"江头街道's case, to 鼓浪屿街道", "gulangyu", supervision.Filter{CaseNumber: jiangtou}, 0},
	} {
		actor := env.Actor(t, tc.user)
		os, err := env.App.Supervision.Ledger(ctx, actor, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		n, err := env.App.Supervision.Count(ctx, actor, tc.f)
		if err != nil {
			t.Fatalf("%s: count: %v", tc.name, err)
		}
		if len(os) != tc.want || n != tc.want {
			t.Errorf("%s: %d orders listed, %d counted, want %d", tc.name, len(os), n, tc.want)
		}
		for _, o := range os {
			if tc.f.CaseNumber == "" && !actor.Scope.Contains(o.ToUnitID) && !actor.Scope.Contains(o.FromUnitID) {
				t.Errorf("%s: %s (to %d, from %d) is outside %s's scope", tc.name, o.Number, o.ToUnitID, o.FromUnitID, tc.user)
			}
			if tc.f.UnitID != 0 && o.ToUnitID != tc.f.UnitID && o.FromUnitID != tc.f.UnitID {
				t.Errorf("%s: %s is neither to nor from unit %d", tc.name, o.Number, tc.f.UnitID)
			}
		}
	}
	// Each order the ledger lists for a case opens for whoever sees the
	// case, and for nobody else.
	onCase, err := env.App.Supervision.Ledger(ctx, env.Actor(t, "intake"), supervision.Filter{CaseNumber: jiangtou})
	if err != nil || len(onCase) == 0 {
		t.Fatalf("orders on %s: %v (%v)", jiangtou, onCase, err)
	}
	for _, o := range onCase {
		if _, err := env.App.Supervision.Get(ctx, env.Actor(t, "intake"), o.Number); err != nil {
			t.Errorf("the intake centre cannot open %s, listed for a case it sees: %v", o.Number, err)
		}
		if _, err := env.App.Supervision.Get(ctx, env.Actor(t, "gulangyu"), o.Number); fault.KindOf(err) != fault.NotFound {
			t.Errorf("鼓浪屿街道 opens %s: %v", o.Number, err)
		}
	}
	// Pages of two, newest first, cover the ledger once; the count ignores
	// the page.
	sup := env.Actor(t, "supervisor")
	var seen []int64
	f := supervision.Filter{Limit: 2}
	for {
		page, err := env.App.Supervision.Ledger(ctx, sup, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			if len(seen) > 0 && o.ID >= seen[len(seen)-1] {
				t.Fatalf("not newest first: %v then %d", seen, o.ID)
			}
			seen = append(seen, o.ID)
		}
		if len(page) < 2 {
			break
		}
		f.Before = page[len(page)-1].ID
		if n, _ := env.App.Supervision.Count(ctx, sup, f); n != 6 {
			t.Errorf("count with a page position: %d, want 6", n)
		}
	}
	if len(seen) != 6 {
		t.Errorf("paging saw %d orders, want 6", len(seen))
	}
	// A kind or state that does not exist is an error, not an empty ledger;
	// an administrator has no ledger.
	for _, f := range []supervision.Filter{{Kind: "scold"}, {State: "lost"}} {
		if _, err := env.App.Supervision.Ledger(ctx, sup, f); fault.KindOf(err) != fault.Invalid {
			t.Errorf("ledger with %+v: %v", f, err)
		}
		if _, err := env.App.Supervision.Count(ctx, sup, f); fault.KindOf(err) != fault.Invalid {
			t.Errorf("count with %+v: %v", f, err)
		}
	}
	if _, err := env.App.Supervision.Count(ctx, env.Actor(t, "sysadmin"), supervision.Filter{}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("an administrator counts orders: %v", err)
	}
}

// The reply to an order a supervisor issued by hand goes to that
// supervisor alone; the reply to an automatic order goes to the committee
// that issued it. A disabled issuer's reply goes to the unit instead.
func TestReplyGoesToTheIssuer(t *testing.T) {
	env := apptest.New(t)
	jiangtou, _ := ledgerWorld(t, env)
	// A colleague of the supervisor in the city's committee.
	colleague, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: "supervisor2", Name: "钱进",
		UnitID: env.Unit(t, "PLC-350200"), Roles: []access.Role{access.Supervisor}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := env.App.Org.Actor(ctx, colleague.ID)
	if err != nil {
		t.Fatal(err)
	}
	unread := func(a access.Actor) int {
		n, err := env.App.Notify.Unread(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sup, huli := env.Actor(t, "supervisor"), env.Actor(t, "huli")
	before, otherBefore, huliBefore := unread(sup), unread(other), unread(huli)
	byKind := map[supervision.Kind]supervision.Order{}
	for _, o := range orders(t, env, jiangtou) {
		byKind[o.Kind] = o
	}
	if _, err := env.App.Supervision.Reply(ctx, env.Actor(t, "jiangtou"), byKind[supervision.Remind].Number, "已督促施工方整改"); err != nil {
		t.Fatal(err)
	}
	if unread(sup) != before+1 || unread(other) != otherBefore {
		t.Errorf("after the reply to the supervisor's reminder: supervisor %d unread (was %d), colleague %d (was %d)",
			unread(sup), before, unread(other), otherBefore)
	}
	p, err := env.App.Notify.Inbox(ctx, sup, true, 0, 10)
	if err != nil || len(p.Items) == 0 || p.Items[0].Kind != "supervision.replied" || p.Items[0].UserID != sup.UserID {
		t.Fatalf("the supervisor's inbox: %+v %v", p.Items, err)
	}
	p, err = env.App.Notify.Inbox(ctx, other, false, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range p.Items {
		if it.Kind == "supervision.replied" {
			t.Errorf("the colleague sees the supervisor's reply: %+v", it)
		}
	}
	// The automatic order's reply: to 湖里区委政法委 as a unit.
	if _, err := env.App.Supervision.Reply(ctx, env.Actor(t, "jiangtou"), byKind[supervision.Formal].Number, "已办理"); err != nil {
		t.Fatal(err)
	}
	if unread(huli) != huliBefore+1 {
		t.Errorf("湖里区委政法委 has %d unread after the reply to its automatic order, want %d", unread(huli), huliBefore+1)
	}
	// huli's on-site order, huli disabled: the reply goes to the unit.
	if _, err := env.App.Org.SetUserDisabled(ctx, env.Actor(t, "sysadmin"), huli.UserID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supervision.Reply(ctx, env.Actor(t, "jiangtou"), byKind[supervision.Onsite].Number, "已现场核实"); err != nil {
		t.Fatal(err)
	}
	var unit, user int64
	if err := env.App.DB.QueryRowContext(ctx, `SELECT unit_id, COALESCE(user_id, 0) FROM notifications
		WHERE order_id = $1 AND kind = 'supervision.replied'`, byKind[supervision.Onsite].ID).Scan(&unit, &user); err != nil {
		t.Fatal(err)
	}
	if unit != env.Unit(t, "PLC-350206") || user != 0 {
		t.Errorf("the reply to a disabled issuer went to unit %d, user %d; want the unit", unit, user)
	}
}
