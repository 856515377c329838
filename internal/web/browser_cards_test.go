package web_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/demo"
	"pingan/internal/notify"
	"pingan/internal/supervision"
)

// cards measures, on a phone, the tables sel finds on a page: what scrolls
// sideways (the page, or a box in it), which rows are still table rows and
// not cards, which cells are hidden or stick out of their card, and which
// cells say something without their column's heading before them (a
// card's title, td.lead, needs none, nor does a cell across several
// columns, such as a supervision order's reason below it). rows counts the
// rows with cells.
const cards = `(function (sel) {
	var out = [], rows = 0, w = document.documentElement.clientWidth;
	var name = function (el) {
		return el.tagName.toLowerCase() + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "");
	};
	if (document.documentElement.scrollWidth > w) out.push("the page is " + document.documentElement.scrollWidth + "px wide in " + w + "px");
	document.querySelectorAll("main *").forEach(function (el) {
		var s = getComputedStyle(el);
		if ((s.overflowX === "auto" || s.overflowX === "scroll") && el.scrollWidth > el.clientWidth + 1)
			out.push(name(el) + " scrolls sideways: " + el.scrollWidth + "px in " + el.clientWidth + "px");
	});
	var tables = document.querySelectorAll(sel);
	if (!tables.length) out.push("nothing is " + sel);
	tables.forEach(function (table) {
		var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
		table.querySelectorAll("tbody tr").forEach(function (tr) {
			if (tr.querySelector("td.empty")) return;
			rows++;
			if (getComputedStyle(tr).display === "table-row") out.push("row " + rows + " is a table row");
			var right = tr.getBoundingClientRect().right;
			tr.querySelectorAll("*").forEach(function (el) {
				var r = el.getBoundingClientRect();
				if (r.width > 0 && r.right > right + 0.5) out.push("row " + rows + ": " + name(el) + " sticks out of its card by " + Math.round(r.right - right) + "px");
			});
			Array.prototype.forEach.call(tr.children, function (td, i) {
				var text = td.textContent.trim();
				if (!text) return;
				if (!td.getClientRects().length) { out.push("row " + rows + ": " + (heads[i] || "column " + i) + " " + JSON.stringify(text.slice(0, 30)) + " is hidden"); return; }
				if (!heads[i] || td.classList.contains("lead") || td.colSpan > 1) return;
				var label = getComputedStyle(td, "::before").content;
				if (label !== JSON.stringify(heads[i])) out.push("row " + rows + ": " + JSON.stringify(text.slice(0, 30)) + " is labelled " + label + ", not " + JSON.stringify(heads[i]));
			});
		});
	});
	return {rows: rows, problems: out.slice(0, 12)};
})`

// notTable counts, on the desktop, the rows of the tables sel finds that
// are not laid out as table rows, or whose cells show labels.
const notTable = `(function (sel) {
	var n = 0;
	document.querySelectorAll(sel + " tbody tr").forEach(function (tr) {
		var labelled = Array.prototype.some.call(tr.children, function (td) { return getComputedStyle(td, "::before").content !== "none"; });
		if (getComputedStyle(tr).display !== "table-row" || labelled) n++;
	});
	return n;
})`

// misaligned names, on the desktop, the headings of the tables sel finds
// that are not aligned as their column's first cell is (a heading over
// numbers is right-aligned, as they are).
const misaligned = `(function (sel) {
	var out = [];
	document.querySelectorAll(sel).forEach(function (table) {
		var first = table.querySelector("tbody tr");
		if (!first) return;
		table.querySelectorAll("thead th").forEach(function (th, i) {
			var td = first.children[i];
			if (td && getComputedStyle(th).textAlign !== getComputedStyle(td).textAlign) out.push(th.textContent.trim());
		});
	});
	return out;
})`

// A page with a table that is to read as cards on a phone, and the name
// of its screenshots.
type cardPage struct{ path, table, shot string }

// asCards opens pages on a phone, in the language the user has, and fails
// the test for each that scrolls sideways or whose table does not read as
// cards (see cards), or lists fewer than least rows; the window is the
// desktop's again afterwards.
func (u *ui) asCards(lang string, least int, pages []cardPage) {
	u.t.Helper()
	u.run("phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	defer u.run("desktop window", chromedp.EmulateViewport(1366, 900))
	for _, p := range pages {
		u.open(p.path)
		got := get(u, "cards of "+p.path, chromedp.Evaluate[struct {
			Rows     int
			Problems []string
		}](cards+"("+strconv.Quote(p.table)+")"))
		if got.Rows < least {
			u.t.Errorf("%s (%s) lists %d rows in %s: too few to try a phone on", p.path, lang, got.Rows, p.table)
		}
		for _, problem := range got.Problems {
			u.t.Errorf("%s (%s) on a phone: %s", p.path, lang, problem)
		}
	}
}

// onDesktop checks that on the desktop each table is the table it was,
// each heading aligned as its column is (right over numbers).
func (u *ui) onDesktop(pages []cardPage) {
	u.t.Helper()
	for _, p := range pages {
		u.open(p.path)
		if n := get(u, "rows of "+p.path, chromedp.Evaluate[int](notTable+"("+strconv.Quote(p.table)+")")); n > 0 {
			u.t.Errorf("%s at 1366px: %d rows of %s are not table rows", p.path, n, p.table)
		}
		for _, h := range get(u, "headings of "+p.path, chromedp.Evaluate[[]string](misaligned+"("+strconv.Quote(p.table)+")")) {
			u.t.Errorf("%s at 1366px: the heading %q is not aligned with its column", p.path, h)
		}
	}
}

// The wide tables beyond the lists of cases read as cards on a phone, in
// both languages: the hot issues and the dashboard's districts for a
// leader, the accounts for the system administrator, the audit log for
// the audit administrator. Nothing scrolls sideways, and every cell is
// there, labelled with its column's heading.
func TestBrowserTablesAsCardsOnPhone(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "leader", "sysadmin", "auditadmin")
	if err := demo.LoadCases(context.Background(), env.App, 400, 30, 21, nil); err != nil {
		t.Fatal(err)
	}
	u := newUI(t, env)
	for _, who := range []struct {
		user  string
		admin bool
		pages []cardPage
	}{
		{"leader", false, []cardPage{{"/hot", "table.hot", "hot-phone"}, {"/dashboard", "table.districts", "dashboard-districts-phone"}}},
		{"sysadmin", true, []cardPage{{"/admin/users", "table.users", "admin-users-phone"}}},
		{"auditadmin", true, []cardPage{{"/admin/audit", "table.audit", "audit-phone"}}},
	} {
		if who.admin {
			u.signInAdmin(env, who.user)
		} else {
			u.signIn(who.user)
		}
		u.onDesktop(who.pages)
		u.asCards("zh-CN", 3, who.pages)
		u.submit("English", `form.lang button`)
		u.asCards("en", 3, who.pages)
		// Screenshots, when asked for: on the phone in English, then in
		// Chinese on the desktop and on the phone (the language switch is
		// behind 菜单 on a phone).
		u.shots(who.pages, phoneWidth, phoneHeight, "-en")
		u.submit("Chinese", `form.lang button`)
		u.shots(who.pages, 1366, 900, "-desktop")
		u.shots(who.pages, phoneWidth, phoneHeight, "")
		u.signOut()
	}
}

// shots saves a screenshot of each page's table (named shot+suffix) in a
// window of width×height, when PINGAN_SCREENSHOTS asks for them; the
// window is the desktop's again afterwards.
func (u *ui) shots(pages []cardPage, width, height int64, suffix string) {
	u.t.Helper()
	if u.shot == "" {
		return
	}
	u.run("window", chromedp.EmulateViewport(width, height))
	defer u.run("desktop window", chromedp.EmulateViewport(1366, 900))
	for _, p := range pages {
		u.open(p.path)
		u.screenshotTable(p.shot + suffix)
	}
}

// screenshotTable saves the window scrolled to the page's last table.
func (u *ui) screenshotTable(name string) {
	u.t.Helper()
	get(u, "scroll", chromedp.Evaluate[bool](`(function () {
		var ts = document.querySelectorAll("main table");
		ts[ts.length - 1].scrollIntoView();
		return true;
	})()`))
	u.screenshotWindow(name)
}

// The other wide tables read as cards on a phone too, in both languages:
// the scorecards and the monthly report's indicators and districts for a
// leader, the
// supervision orders and the backlog's cases for a supervisor, and the
// units, routing rules, deadline policies, webhooks and their deliveries
// for the system administrator. Nothing scrolls sideways, and every cell
// is there, labelled with its column's heading. Narrow tables that fit a
// phone (a unit's indicators, the report's supervised units, the holiday
// calendar, the backlog's trend) stay tables.
func TestBrowserMoreTablesAsCardsOnPhone(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	setPasswords(t, env, "leader", "supervisor", "sysadmin")
	// Webhooks first, so that the cases loaded after them are delivered.
	for _, h := range []notify.WebhookInput{
		{Name: "市大数据局", URL: "https://data.xm.gov.cn/pingan/events", Events: []string{"*"}},
		{Name: "湖里区网格中心", URL: "https://grid.huli.gov.cn/hooks/pingan-case-events", UnitID: env.Unit(t, "350206"), Events: []string{"case.dispatch", "case.close"}},
		{Name: "市信访局", URL: "https://xf.xm.gov.cn/api/v1/pingan", Events: []string{"case.*"}},
	} {
		if _, _, err := env.App.Notify.CreateWebhook(ctx, env.Actor(t, "sysadmin"), h); err != nil {
			t.Fatal(err)
		}
	}
	if err := demo.LoadCases(ctx, env.App, 400, 30, 21, nil); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []supervision.Kind{supervision.Remind, supervision.Interview, supervision.Onsite, supervision.Notice} {
		n, _ := dispatched(t, env)
		if _, err := env.App.Supervision.Issue(ctx, env.Actor(t, "supervisor"), n,
			supervision.IssueInput{Kind: kind, Reason: "群众反映强烈，请加快办理并书面答复办理情况。"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		take(t, env, casework.ReportInput{Channel: "visit", Nature: "petition_claim",
			Body: fmt.Sprintf("反映观音山%d号地块拆迁补偿标准不一，要求公开补偿方案。", i+1)})
	}
	u := newUI(t, env)
	for _, who := range []struct {
		user   string
		admin  bool
		before func() // what happens before the user signs in
		pages  []cardPage
		one    []cardPage // tables of one row
	}{
		{user: "leader", pages: []cardPage{{"/scores", "table.scores", "scores-phone"}, {"/scores/report", "table.districts", "score-report-districts-phone"}},
			one: []cardPage{{"/scores/report", "table.indicators", "score-report-phone"}}},
		{user: "supervisor", pages: []cardPage{{"/supervision", "table.ledger", "ledger-phone"}, {"/supervise", "table.orders", "supervise-phone"}}},
		{user: "sysadmin", admin: true, pages: []cardPage{{"/admin/units", "table.units", "admin-units-phone"},
			{"/admin/routing", "table.rules", "admin-routing-phone"}, {"/admin/deadlines", "table.policies", "admin-deadlines-phone"},
			{"/admin/webhooks", "table.webhooks", "admin-webhooks-phone"}, {"/admin/webhooks/deliveries", "table.deliveries", "admin-deliveries-phone"}}},
		// The petitions fall into the backlog when their time is up.
		{user: "supervisor", before: func() { env.Clock.Advance(40 * 24 * time.Hour) },
			pages: []cardPage{{"/petitions/backlog/cases?period=quarter&figure=stock", "table.cases", "backlog-cases-phone"}}},
	} {
		if who.before != nil {
			who.before()
		}
		if who.admin {
			u.signInAdmin(env, who.user)
		} else {
			u.signIn(who.user)
		}
		all := append(slices.Clone(who.pages), who.one...)
		u.onDesktop(all)
		for _, lang := range []string{"zh-CN", "en"} {
			if lang == "en" {
				u.submit("English", `form.lang button`)
			}
			u.asCards(lang, 3, who.pages)
			u.asCards(lang, 1, who.one)
		}
		u.shots(all, phoneWidth, phoneHeight, "-en")
		u.submit("Chinese", `form.lang button`)
		u.shots(all, 1366, 900, "-desktop")
		u.shots(all, phoneWidth, phoneHeight, "")
		u.signOut()
	}
}
