package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/notify"
	"pingan/internal/org"
	"pingan/internal/route"
	"pingan/internal/score"
)

// nextPage returns the query of p's "more" link to path, unescaped, failing
// unless it starts with the filters in want (as a query string).
func nextPage(t *testing.T, p page, path, want string) string {
	t.Helper()
	m := regexp.MustCompile(`<a [^>]*href="`+regexp.QuoteMeta(path)+`\?([^"]*)">`).FindAllStringSubmatch(p.Body, -1)
	for _, x := range m {
		q := html.UnescapeString(x[1])
		if strings.Contains(q, "before=") || strings.Contains(q, "cursor=") {
			if !strings.HasPrefix(q, want+"&") {
				t.Fatalf("the next page of %s?%s is %s?%s: the filters are lost", path, want, path, q)
			}
			return q
		}
	}
	t.Fatalf("no next page link to %s (%d):\n%s", path, p.Status, excerpt(p.Body))
	return ""
}

// A filtered list's next page keeps the filters: its link carries them as
// query parameters (not one escaped value), and its rows all match them.
func TestNextPageKeepsFilters(t *testing.T) {
	ctx := context.Background()

	t.Run("search", func(t *testing.T) {
		env := apptest.New(t)
		setPasswords(t, env, "dispatcher")
		for i := range 10 { // older cases that match the words but not the nature
			take(t, env, casework.ReportInput{Body: fmt.Sprintf("湖滨南路%d号工地夜间噪音", i+1), Nature: "help"})
		}
		var complaints []string
		for i := range 55 {
			complaints = append(complaints, take(t, env, casework.ReportInput{Body: fmt.Sprintf("禾祥西路%d号楼下噪音扰民", i+1), Nature: "complaint"}))
		}
		d := signedIn(t, env, "dispatcher")
		filters := "nature=complaint&q=%E5%99%AA%E9%9F%B3" // 噪音
		p1 := d.get("/search?" + filters)
		p2 := d.get("/search?" + nextPage(t, p1, "/search", filters))
		first, second := listed(t, p1), listed(t, p2)
		if len(second) != 5 || !sameSet(append(first, second...), complaints) {
			t.Errorf("the pages list %d + %d cases, not the 55 complaints", len(first), len(second))
		}
	})

	t.Run("webhook deliveries", func(t *testing.T) {
		env := apptest.New(t)
		setPasswords(t, env, "sysadmin")
		rcv := newHookReceiver(t)
		var ids []string
		for _, name := range []string{"市大数据局", "区网格中心"} {
			h, _, err := env.App.Notify.CreateWebhook(ctx, env.Actor(t, "sysadmin"), notify.WebhookInput{Name: name, URL: rcv.srv.URL, Events: []string{"case.*"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, fmt.Sprint(h.ID))
		}
		for i := range 51 {
			take(t, env, casework.ReportInput{Body: fmt.Sprintf("莲前西路%d号路灯不亮", i+1)})
		}
		admin := signedInAdmin(t, env, "sysadmin")
		filters := "status=pending&webhook=" + ids[0]
		p := admin.get("/admin/webhooks/deliveries?" + nextPage(t, admin.get("/admin/webhooks/deliveries?"+filters), "/admin/webhooks/deliveries", filters))
		rows := regexp.MustCompile(`<td data-label="#"><a href="/admin/webhooks/deliveries/\d+">\d+</a></td><td class="span2" data-label="[^"]*">([^<]*)</td>`).FindAllStringSubmatch(p.Body, -1)
		if len(rows) != 1 || rows[0][1] != "市大数据局" {
			t.Errorf("the second page of the first webhook's deliveries: %v", rows)
		}
	})

	t.Run("audit log", func(t *testing.T) {
		env := apptest.New(t)
		setPasswords(t, env, "auditadmin")
		for i := range 105 {
			for _, action := range []string{"test.paged", "test.other"} {
				if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
					return env.App.Audit.Append(ctx, tx, audit.Entry{Action: action, ObjectType: "thing", ObjectID: fmt.Sprint(i)})
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
		aud := signedInAdmin(t, env, "auditadmin")
		filters := "action=test.paged&object_type=thing"
		p := aud.get("/admin/audit?" + nextPage(t, aud.get("/admin/audit?"+filters), "/admin/audit", filters))
		var actions []string
		for _, m := range regexp.MustCompile(`<code class="muted action">([^<]*)</code></td>`).FindAllStringSubmatch(p.Body, -1) {
			actions = append(actions, m[1])
		}
		if len(actions) != 5 || strings.Count(strings.Join(actions, " "), "test.paged") != 5 {
			t.Errorf("the second page's actions: %v", actions)
		}
	})

	t.Run("petition backlog", func(t *testing.T) {
		env := apptest.New(t)
		setPasswords(t, env, "supervisor")
		var stock []string
		for i := range 51 {
			stock = append(stock, take(t, env, casework.ReportInput{Channel: "visit", Nature: "petition_claim",
				Body: fmt.Sprintf("反映观音山%d号地块拆迁补偿标准不一，要求公开补偿方案。", i+1)}))
		}
		env.Clock.Advance(40 * 24 * time.Hour)
		sup := signedIn(t, env, "supervisor")
		date := env.Clock.Now().In(env.App.Config.Location()).Format("2006-01-02")
		// The registry's figures link to their cases with its period.
		mustContain(t, sup.get("/petitions/backlog?period=quarter"),
			`id="fig-stock" href="/petitions/backlog/cases?date=`+date+`&amp;period=quarter&figure=stock"`)
		filters := "date=" + date + "&figure=stock&period=quarter"
		p1 := sup.get("/petitions/backlog/cases?" + filters)
		p2 := sup.get("/petitions/backlog/cases?" + nextPage(t, p1, "/petitions/backlog/cases", filters))
		if p2.Status != http.StatusOK {
			t.Fatalf("the second page: %d\n%s", p2.Status, excerpt(p2.Body))
		}
		first, second := listed(t, p1), listed(t, p2)
		if len(second) != 1 || !sameSet(append(first, second...), stock) {
			t.Errorf("the pages list %d + %d cases, not the 51 in stock", len(first), len(second))
		}
	})
}

// The audit log's dates are read as the other lists read theirs: a day
// range in the service's zone, and a bad date said on the page (nothing is
// read then, nor recorded as read) instead of quietly ignored.
func TestAuditLogDates(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "auditadmin")
	aud := signedInAdmin(t, env, "auditadmin")
	day := func(d int) string {
		return env.Clock.Now().In(env.App.Config.Location()).AddDate(0, 0, d).Format("2006-01-02")
	}
	mustContain(t, aud.get("/admin/audit?action=login&from="+day(0)+"&to="+day(0)), `<code class="muted action">login</code></td>`)
	mustNotContain(t, aud.get("/admin/audit?action=login&to="+day(-1)), `<code class="muted action">login</code></td>`)
	mustNotContain(t, aud.get("/admin/audit?action=login&from="+day(1)), `<code class="muted action">login</code></td>`)

	reads := auditCount(t, env, "audit.read", audit.OK)
	for query, want := range map[string]string{
		"from=2026-13-01":           "起始日期",
		"action=login&to=yesterday": "截止日期",
	} {
		p := aud.get("/admin/audit?" + query)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d\n%s", query, p.Status, excerpt(p.Body))
		}
		mustContain(t, p, `class="flash err"`, want)
		mustNotContain(t, p, `<code class="muted action">login</code></td>`)
	}
	if n := auditCount(t, env, "audit.read", audit.OK); n != reads {
		t.Errorf("%d reads recorded for pages that read nothing", n-reads)
	}
}

// The audit page names what it lists — actions, objects, outcomes — in
// the reader's language beside their codes, and filters by those names and
// by a user's name: an audit administrator need not know the codes.
func TestAuditLogNames(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "auditadmin")
	n, _ := dispatched(t, env)
	aud := signedInAdmin(t, env, "auditadmin")

	p := aud.get("/admin/audit?object_type=case&action=" + url.QueryEscape("案件 · 派遣"))
	mustContain(t, p, `案件 · 派遣 <code class="muted action">case.dispatch</code>`, `<a href="/cases/`+n+`" class="casenum">`+n+`</a>`,
		`<td class="nowrap" data-label="结果">成功</td>`, `<dt>单位 <code class="muted key">unit_id</code></dt>`, `<dt>原状态 <code class="muted key">from</code></dt>`, `江头街道</span></dd>`, `<option value="supervision_order" >督办单</option>`)
	mustNotContain(t, p, "case.register</code>")

	// By the user's name: the dispatcher registered and dispatched, the
	// intake operator took the report in.
	p = aud.get("/admin/audit?actor=dispatcher&object_type=case")
	mustContain(t, p, "case.register</code>", "case.dispatch</code>")
	mustNotContain(t, p, "case.receive</code>")

	reads := auditCount(t, env, "audit.read", audit.OK)
	for query, want := range map[string]string{
		"actor=nobody":                     "没有这个用户：nobody",
		"actor=nobody&from=2026-99-01":     "起始日期",
		"from=2026-11-20&to=2026-11-10":    "不能早于起始日期",
		"action=" + url.QueryEscape("不存在"): "没有这项操作：不存在",
	} {
		p := aud.get("/admin/audit?" + query)
		mustContain(t, p, `class="flash err"`, want)
		mustNotContain(t, p, `<code class="muted action">`)
	}
	if got := auditCount(t, env, "audit.read", audit.OK); got != reads {
		t.Errorf("%d reads recorded for filters that read nothing", got-reads)
	}
	// Every bad field is said at once.
	mustContain(t, aud.get("/admin/audit?actor=nobody&from=2026-99-01"), "没有这个用户：nobody", "起始日期")

	// The person's name does as well as the user name (the dispatcher is
	// 李强).
	p = aud.get("/admin/audit?actor=" + url.QueryEscape("李强") + "&object_type=case")
	mustContain(t, p, "case.register</code>", "李强 <code class=\"muted\">dispatcher</code>")
	// A user name of digits (a staff number) is a name, not an id.
	if _, err := env.App.Org.CreateUser(context.Background(), access.System("test"), org.UserInput{Username: "20231234", Name: "工号用户",
		UnitID: env.Unit(t, "350206004"), Password: "Staff-Number-2026"}); err != nil {
		t.Fatal(err)
	}
	newBrowser(t, env).signIn("20231234", "Staff-Number-2026")
	mustContain(t, aud.get("/admin/audit?actor=20231234"), `<code class="muted action">login</code>`)
	// A code the list does not offer stays chosen for the next filter.
	mustContain(t, aud.get("/admin/audit?action=test.paged"), `<option value="test.paged" selected>test.paged</option>`)

	// In English too.
	aud.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, aud.get("/admin/audit?actor=dispatcher&object_type=case"), "Case · dispatched", `<td class="nowrap" data-label="Outcome">done</td>`,
		`<dt>Unit <code class="muted key">unit_id</code></dt>`)
}

// A record's detail reads member by member in the reader's language: each
// key named beside its code, a change's before and after as members of
// their own, a unit's id with its name, a state or a role by its name with
// its code beside it, a time as a time.
func TestAuditLogDetail(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "auditadmin")
	ctx := context.Background()
	dispatched(t, env)
	u, err := env.App.Org.UnitByCode(ctx, env.App.DB, "350206004")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Org.UpdateUnit(ctx, access.System("test"), u.ID, org.UnitInput{ParentID: u.ParentID, Code: u.Code,
		Name: "江头街道办事处", Kind: u.Kind, Level: u.Level, DivisionCode: u.DivisionCode}); err != nil {
		t.Fatal(err)
	}
	nu, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: "paiqian2", Name: "派遣二",
		UnitID: u.ID, Roles: []access.Role{access.Dispatcher, access.Handler}, Password: "Dispatch-Two-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Org.RenameUser(ctx, access.System("test"), nu.ID, "派遣二号"); err != nil {
		t.Fatal(err)
	}
	weights := score.DefaultWeights()
	weights["response"] = 40
	if err := env.App.Score.SetWeights(ctx, access.System("test"), weights); err != nil {
		t.Fatal(err)
	}
	names, err := env.App.Directory.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	parent := names.UnitName(u.ParentID)
	rule, err := env.App.Route.Create(ctx, access.System("test"), route.Rule{Name: "噪音 → 城管", Family: "hotline",
		UnitKind: org.Government, UnitLevel: org.District, Priority: 5})
	if err != nil {
		t.Fatal(err)
	}
	rule.Priority = 7
	if _, err := env.App.Route.Update(ctx, access.System("test"), rule.ID, rule); err != nil {
		t.Fatal(err)
	}
	aud := signedInAdmin(t, env, "auditadmin")

	// A rule's priority is no case's urgency; no policy reads —.
	p := aud.get("/admin/audit?action=routing_rule.update")
	// The change marks what it changed (the priority), not what it kept.
	mustContain(t, p, `<dt class="changed">优先级 <code class="muted key">priority</code></dt><dd class="changed">7</dd>`,
		`<dt>期限规则 <code class="muted key">policy_id</code></dt><dd>—</dd>`)
	mustNotContain(t, p, "紧急程度")
	mustContain(t, p, `系统 <code class="muted">test</code>`) // the command line, seeding, pingan's own timers

	p = aud.get("/admin/audit?action=unit.update&from=2020-01-01")
	mustContain(t, p, `<dt>修改前 <code class="muted key">before</code></dt><dd><dl class="detail">`,
		`<dt class="changed">名称 <code class="muted key">name</code></dt><dd class="changed">江头街道</dd>`,
		`<dt class="changed">名称 <code class="muted key">name</code></dt><dd class="changed">江头街道办事处</dd>`,
		`<dt>上级 <code class="muted key">parent_id</code></dt><dd>`+strconv.FormatInt(u.ParentID, 10)+` <span class="muted">`+parent+`</span></dd>`,
		`<dt>层级 <code class="muted key">level</code></dt><dd>街道/镇级 <code class="muted">street</code></dd>`)
	mustNotContain(t, p, `{&#34;`)
	mustContain(t, aud.get("/admin/audit?action=case.dispatch"),
		`<dt>原状态 <code class="muted key">from</code></dt><dd>待派遣 <code class="muted">registered</code></dd>`,
		`<dt>新状态 <code class="muted key">to</code></dt><dd>待签收 <code class="muted">dispatched</code></dd>`)
	mustContain(t, aud.get("/admin/audit?action=user.create"),
		`<dt>角色 <code class="muted key">roles</code></dt><dd>派遣员、承办人 <code class="muted">dispatcher, handler</code></dd>`,
		`<dt>用户名 <code class="muted key">username</code></dt><dd>paiqian2</dd>`)
	mustContain(t, aud.get("/admin/audit?action=user.update"), `<dt>姓名 <code class="muted key">name</code></dt><dd>派遣二号</dd>`,
		`<dt>原姓名 <code class="muted key">name_before</code></dt><dd>派遣二</dd>`)
	mustContain(t, aud.get("/admin/audit?action=score.weights"), `<dt>响应率权重 <code class="muted key">response</code></dt><dd>30 → 40</dd>`)
	// The reader's own filter, in audit.read's records: dates as times.
	mustContain(t, aud.get("/admin/audit?action=audit.read"), `<dt>起始日期 <code class="muted key">from</code></dt><dd>2020-01-01 00:00</dd>`,
		`<dt>操作 <code class="muted key">action</code></dt><dd>单位 · 修改 <code class="muted">unit.update</code></dd>`)

	aud.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, aud.get("/admin/audit?action=unit.update"), `<dt>Before <code class="muted key">before</code></dt>`,
		`<dt>Level <code class="muted key">level</code></dt><dd>Street / town <code class="muted">street</code></dd>`)
	mustContain(t, aud.get("/admin/audit?action=user.create"),
		`<dt>Roles <code class="muted key">roles</code></dt><dd>Dispatcher, Handler <code class="muted">dispatcher, handler</code></dd>`)
}
