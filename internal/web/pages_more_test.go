package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/supervision"
	"pingan/internal/web"
)

// take registers a report at the 12345 centre through the service and
// returns its case number.
func take(t testing.TB, env *apptest.Env, in casework.ReportInput) string {
	t.Helper()
	if in.Channel == "" {
		in.Channel = "hotline"
	}
	res, err := env.App.Cases.Intake(context.Background(), env.Actor(t, "intake"), in)
	if err != nil {
		t.Fatalf("intake %q: %v", in.Body, err)
	}
	return res.Case.Number
}

// do performs lifecycle actions on a case through the service, failing the
// test on a refusal.
func do(t testing.TB, env *apptest.Env, user, number string, action casework.Action, in casework.ActionInput) {
	t.Helper()
	if _, err := env.App.Cases.Do(context.Background(), env.Actor(t, user), number, action, in); err != nil {
		t.Fatalf("%s %s by %s: %v", action, number, user, err)
	}
}

// sentTo takes a report, registers it and dispatches it to the unit with
// code, due at due (zero: the policy's deadline).
func sentTo(t testing.TB, env *apptest.Env, code, body string, due time.Time) string {
	t.Helper()
	n := take(t, env, casework.ReportInput{Body: body, Nature: "complaint"})
	cat, err := env.App.Catalog.CategoryByCode(context.Background(), env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	do(t, env, "dispatcher", n, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	do(t, env, "dispatcher", n, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, code), DueAt: due})
	return n
}

var rowLink = regexp.MustCompile(`<td(?: class="(?:number|span2)")?(?: data-label="[^"]*")?><a href="/cases/([^"]+)">`)

// listed returns the case numbers of the page's case table, in order.
func listed(t testing.TB, p page) []string {
	t.Helper()
	i := strings.Index(p.Body, `<table class="cases`)
	if i < 0 {
		t.Fatalf("no case table (%d):\n%s", p.Status, excerpt(p.Body))
	}
	j := strings.Index(p.Body[i:], "</table>")
	var out []string
	for _, m := range rowLink.FindAllStringSubmatch(p.Body[i:i+j], -1) {
		out = append(out, m[1])
	}
	return out
}

// sameSet reports whether a and b hold the same strings, each once.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b) && len(slices.Compact(a)) == len(a)
}

// csvRows reads a CSV export: it must start with the UTF-8 byte order mark.
func csvRows(t testing.TB, p page) [][]string {
	t.Helper()
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("csv: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	body, ok := strings.CutPrefix(p.Body, "\xef\xbb\xbf")
	if !ok {
		t.Fatalf("the CSV does not start with the UTF-8 BOM: %q", p.Body[:min(len(p.Body), 20)])
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	return rows
}

// Search: filters and paging on the page, and the CSV export holds exactly
// the cases found, under the header, and is audited with its query.
func TestSearchPagingFiltersAndExport(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	var all, help, wechat []string
	for i := range 56 {
		in := casework.ReportInput{Body: fmt.Sprintf("禾祥西路%d号楼下夜间施工噪音扰民", i+1), Nature: "complaint"}
		switch {
		case i%10 == 3:
			in.Nature = "help"
		case i%10 == 7:
			in.Channel = "wechat"
		}
		n := take(t, env, in)
		all = append(all, n)
		switch {
		case in.Nature == "help":
			help = append(help, n)
		case in.Channel == "wechat":
			wechat = append(wechat, n)
		}
	}
	other := take(t, env, casework.ReportInput{Body: "莲前西路人行道违章停车", Nature: "help"})
	d := signedIn(t, env, "dispatcher")
	q := "q=" + url.QueryEscape("噪音")

	// Paging: fifty on the first page, the rest on the next, none twice.
	p1 := d.get("/search?" + q)
	mustContain(t, p1, "共 56 件")
	first := listed(t, p1)
	m := regexp.MustCompile(`<a class="button" href="/search\?([^"]*cursor=[^"]*)"`).FindStringSubmatch(p1.Body)
	if len(first) != 50 || m == nil {
		t.Fatalf("the first page lists %d cases, next link %v", len(first), m)
	}
	if !strings.HasPrefix(m[1], q+"&cursor=") {
		t.Fatalf("the next link %q does not keep the search %q", m[1], q)
	}
	p2 := d.get("/search?" + html.UnescapeString(m[1]))
	second := listed(t, p2)
	if len(second) != 6 || !sameSet(append(first, second...), all) {
		t.Fatalf("the pages list %d + %d cases, not the 56 that match", len(first), len(second))
	}
	mustNotContain(t, p2, `cursor=`)

	// Filters on the page.
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{q + "&nature=help", help},
		{q + "&channel=wechat", wechat},
		{"nature=help", append(slices.Clone(help), other)},
		{q + "&nature=help&channel=wechat", nil},
	} {
		if got := listed(t, d.get("/search?"+tc.query)); !sameSet(got, tc.want) {
			t.Errorf("/search?%s lists %v, want %v", tc.query, got, tc.want)
		}
	}

	// Nothing found: nothing to export, and the empty row spans the table.
	none := d.get("/search?q=" + url.QueryEscape("没有这样的案件"))
	mustContain(t, none, `<td colspan="6" class="empty">`)
	mustNotContain(t, none, "/search.csv?")
	mustContain(t, d.get("/search?"+q), "/search.csv?")

	// The export: the header, then one row per case found.
	header := []string{"案件编号", "标题", "状态", "期限状态", "性质", "分类", "紧急程度", "来源渠道", "承办单位", "行政区划", "地址",
		"受理时间", "期限", "结案时间", "重复次数"}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{q, all},
		{q + "&nature=help", help},
	} {
		before := auditCount(t, env, "case.export", audit.OK)
		rows := csvRows(t, d.get("/search.csv?"+tc.query))
		if !slices.Equal(rows[0], header) {
			t.Fatalf("CSV header %q", rows[0])
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0])
			if r[4] == "" || !strings.Contains(r[1], "噪音") {
				t.Errorf("CSV row %q", r)
			}
		}
		if !sameSet(got, tc.want) {
			t.Errorf("the CSV of %s holds %v, want %v", tc.query, got, tc.want)
		}
		if auditCount(t, env, "case.export", audit.OK) != before+1 {
			t.Fatalf("the export of %s was not audited", tc.query)
		}
		recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: "case.export", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		var detail struct {
			Query string `json:"query"`
			Rows  int    `json:"rows"`
		}
		if err := json.Unmarshal([]byte(recs[0].Detail), &detail); err != nil || detail.Query != tc.query || detail.Rows != len(tc.want) ||
			recs[0].ActorName != "dispatcher" {
			t.Errorf("the export's audit record: %+v %s (%v)", recs[0], recs[0].Detail, err)
		}
	}
}

var tabCount = regexp.MustCompile(`<a href="/queue\?tab=(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>`)

// queueTabs returns the queue's tabs and the count each shows.
func queueTabs(t testing.TB, b *browser) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range tabCount.FindAllStringSubmatch(b.get("/queue").Body, -1) {
		var n int
		fmt.Sscan(m[2], &n)
		out[m[1]] = n
	}
	return out
}

var ragRow = regexp.MustCompile(`(?s)<tr class="st-(\w*)">.*?<td(?: class="number")?><a href="/cases/([^"]+)">.*?</tr>`)

// The queue: each tab's count is the number of its rows; the rows run by
// deadline with the right 红/黄/绿 badge as time passes; bulk sign-for signs
// every case ticked that the unit may sign for, and only those.
func TestQueueCountsOrderBadgesAndBulkSign(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher", "jiangtou")
	now := env.Clock.Now()
	ctx := context.Background()
	take(t, env, casework.ReportInput{Body: "思明区莲前西路路灯不亮", Nature: "help"})
	take(t, env, casework.ReportInput{Body: "小区门口垃圾没人清理"})
	registered := take(t, env, casework.ReportInput{Body: "江头北路井盖缺失", Nature: "complaint"})
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	do(t, env, "dispatcher", registered, casework.Register, casework.ActionInput{CategoryID: cat.ID})
	// Three in hand at 江头街道, due in 30 days, a day and two days; two
	// more waiting to be signed for, and one at 鼓浪屿街道.
	later := sentTo(t, env, "350206004", "江头北路工地夜间打桩噪音扰民", now.Add(30*24*time.Hour))
	past := sentTo(t, env, "350206004", "江头北路餐馆油烟扰民", now.Add(24*time.Hour))
	soon := sentTo(t, env, "350206004", "江头北路商铺占道经营", now.Add(48*time.Hour))
	for _, n := range []string{later, past, soon} {
		do(t, env, "jiangtou", n, casework.Sign, casework.ActionInput{})
	}
	waiting := []string{sentTo(t, env, "350206004", "江头北路噪音扰民一", time.Time{}), sentTo(t, env, "350206004", "江头北路噪音扰民二", time.Time{})}
	elsewhere := sentTo(t, env, "350203012", "鼓浪屿龙头路噪音扰民", time.Time{})

	for _, user := range []string{"dispatcher", "jiangtou"} {
		b := signedIn(t, env, user)
		tabs := queueTabs(t, b)
		if len(tabs) < 2 {
			t.Fatalf("%s's queue has tabs %v", user, tabs)
		}
		for key, n := range tabs {
			if rows := listed(t, b.get("/queue?tab="+key)); len(rows) != n {
				t.Errorf("%s's tab %s says %d, lists %d", user, key, n, len(rows))
			}
		}
		want := map[string]int{"dispatcher": 0, "jiangtou": 3}[user]
		if user == "dispatcher" && (tabs["register"] != 2 || tabs["dispatch"] != 1) {
			t.Errorf("the dispatcher's tabs: %v", tabs)
		}
		if user == "jiangtou" && (tabs["handle"] != want || tabs["sign"] != 2) {
			t.Errorf("the street's tabs: %v", tabs)
		}
	}

	// A day and a half later: one overdue, one soon due, one with time left,
	// listed in the order they fall due.
	env.Clock.Advance(36 * time.Hour)
	h := signedIn(t, env, "jiangtou")
	p := h.get("/queue?tab=handle")
	var order, colours []string
	for _, m := range ragRow.FindAllStringSubmatch(p.Body, -1) {
		colours = append(colours, m[1])
		order = append(order, m[2])
		if !strings.Contains(m[0], `<span class="rag rag-`+m[1]+`">`) {
			t.Errorf("row %s has no %s badge:\n%s", m[2], m[1], m[0])
		}
	}
	if !slices.Equal(order, []string{past, soon, later}) || !slices.Equal(colours, []string{"red", "yellow", "green"}) {
		t.Fatalf("the handle tab lists %v as %v, want %v as red, yellow, green", order, colours, []string{past, soon, later})
	}
	var last time.Time
	for _, n := range order {
		c, err := env.App.Cases.Get(ctx, access.System("test"), n)
		if err != nil {
			t.Fatal(err)
		}
		if c.Case.DeadlineAt.Before(last) {
			t.Fatalf("%s is due %s, before the row above it", n, c.Case.DeadlineAt)
		}
		last = c.Case.DeadlineAt
	}
	mustContain(t, p, `<span class="rag rag-red">超期</span>`, `<span class="rag rag-yellow">临期</span>`, `<span class="rag rag-green">正常</span>`)

	// Bulk sign-for: both waiting cases at once; 鼓浪屿's case is refused
	// and named, and stays where it was.
	h.get("/queue?tab=sign")
	p = h.post("/queue/sign", url.Values{"case": {waiting[0], elsewhere, waiting[1]}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("bulk sign: %d\n%s", p.Status, excerpt(p.Body))
	}
	loc, _ := url.Parse(p.Location)
	if loc.Query().Get("signed") != "2" || loc.Query().Get("failed") != elsewhere {
		t.Fatalf("bulk sign went to %s", p.Location)
	}
	for n, want := range map[string]casework.State{waiting[0]: casework.Handling, waiting[1]: casework.Handling, elsewhere: casework.Dispatched} {
		if c, err := env.App.Cases.Get(ctx, access.System("test"), n); err != nil || c.Case.State != want {
			t.Errorf("%s after bulk sign: %s (%v), want %s", n, c.Case.State, err, want)
		}
	}
	p = h.get(p.Location)
	mustContain(t, p, "已签收 2 件")
	if rows := listed(t, p); len(rows) != 0 {
		t.Errorf("the sign tab still lists %v", rows)
	}
	if tabs := queueTabs(t, h); tabs["sign"] != 0 || tabs["handle"] != 5 {
		t.Errorf("after bulk sign the tabs say %v", tabs)
	}
}

var actionForm = regexp.MustCompile(`<form method="post" action="/cases/[^/"]+/actions/([a-z_]+)"`)

// The case page offers exactly the forms of the actions the lifecycle
// table allows the user now: for users of every kind, in every state.
func TestCasePageShowsAllowedActions(t *testing.T) {
	env := apptest.New(t)
	users := []string{"intake", "dispatcher", "callback", "jiangtou", "jiangtou.police", "gulangyu", "verifier", "supervisor", "huli", "leader"}
	setPasswords(t, env, users...)
	cat, err := env.App.Catalog.CategoryByCode(context.Background(), env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	// One case in each state, each taken one step further than the last.
	steps := []struct {
		state casework.State
		user  string
		act   casework.Action
		in    casework.ActionInput
	}{
		{casework.Received, "", "", casework.ActionInput{}},
		{casework.Registered, "dispatcher", casework.Register, casework.ActionInput{CategoryID: cat.ID}},
		{casework.Dispatched, "dispatcher", casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}},
		{casework.Handling, "jiangtou", casework.Sign, casework.ActionInput{}},
		{casework.Reported, "jiangtou", casework.ReportBack, casework.ActionInput{Note: "已处理"}},
		{casework.Verified, "verifier", casework.Verify, casework.ActionInput{}},
		{casework.PendingClose, "callback", casework.CallBack, casework.ActionInput{Satisfaction: "satisfied", Resolved: new(true)}},
		{casework.Closed, "dispatcher", casework.CloseCase, casework.ActionInput{}},
	}
	cases := map[casework.State]string{}
	for i, st := range steps {
		n := take(t, env, casework.ReportInput{Body: fmt.Sprintf("江头北路%d号门前积水", i+1), Nature: "complaint"})
		for _, prev := range steps[1 : i+1] {
			do(t, env, prev.user, n, prev.act, prev.in)
		}
		cases[st.state] = n
	}
	// A suspended case and one with an extension waiting for a decision.
	cases[casework.Suspended] = sentTo(t, env, "350206004", "江头北路违建", time.Time{})
	do(t, env, "supervisor", cases[casework.Suspended], casework.Suspend, casework.ActionInput{Reason: "等待法院判决"})
	pending := sentTo(t, env, "350206004", "江头北路占道", time.Time{})
	do(t, env, "jiangtou", pending, casework.Sign, casework.ActionInput{})
	do(t, env, "jiangtou", pending, casework.RequestExtension, casework.ActionInput{Reason: "需协调", DueAt: env.Clock.Now().Add(60 * 24 * time.Hour)})

	// A few spelled out, so that a wrong table is caught here too.
	spelled := map[string][]casework.Action{
		"jiangtou " + cases[casework.Dispatched]:  {casework.Sign, casework.Return, casework.Transfer},
		"jiangtou " + cases[casework.Handling]:    {casework.Handle, casework.ReportBack, casework.Transfer, casework.RequestExtension},
		"jiangtou " + pending:                     {casework.Handle, casework.ReportBack, casework.Transfer},
		"supervisor " + pending:                   {casework.ApproveExtension, casework.DenyExtension, casework.Suspend, casework.Reclassify},
		"verifier " + cases[casework.Reported]:    {casework.Verify, casework.Rework},
		"jiangtou " + cases[casework.Reported]:    nil,
		"leader " + cases[casework.Dispatched]:    nil,
		"callback " + cases[casework.Verified]:    {casework.CallBack, casework.Rehandle},
		"supervisor " + cases[casework.Closed]:    {casework.Reopen},
		"supervisor " + cases[casework.Suspended]: {casework.Resume, casework.Reclassify},
	}
	numbers := []string{pending}
	for _, n := range cases {
		numbers = append(numbers, n)
	}
	checked := 0
	for _, user := range users {
		b := signedIn(t, env, user)
		for _, n := range numbers {
			d, err := env.App.Cases.Get(context.Background(), env.Actor(t, user), n)
			p := b.get("/cases/" + n)
			if fault.KindOf(err) == fault.NotFound {
				if p.Status != http.StatusNotFound {
					t.Errorf("%s opened %s, which it may not see: %d", user, n, p.Status)
				}
				continue
			}
			if err != nil || p.Status != http.StatusOK {
				t.Fatalf("%s %s: %d (%v)", user, n, p.Status, err)
			}
			var shown []casework.Action
			for _, m := range actionForm.FindAllStringSubmatch(p.Body, -1) {
				shown = append(shown, casework.Action(m[1]))
			}
			if !slices.Equal(shown, d.Allowed) {
				t.Errorf("%s on %s (%s) sees forms %v, the table allows %v", user, n, d.Case.State, shown, d.Allowed)
			}
			if want, ok := spelled[user+" "+n]; ok {
				checked++
				if !slices.Equal(shown, want) {
					t.Errorf("%s on %s (%s) sees forms %v, want %v", user, n, d.Case.State, shown, want)
				}
			}
		}
	}
	if checked != len(spelled) {
		t.Errorf("only %d of the %d spelled-out cases were checked", checked, len(spelled))
	}
	// The head of the page names the deadline the clock runs to.
	b := signedIn(t, env, "dispatcher")
	for st, want := range map[casework.State]string{casework.Dispatched: "签收期限", casework.Handling: "办理期限"} {
		p := b.get("/cases/" + cases[st])
		head := p.Body[strings.Index(p.Body, `class="casehead"`):]
		head = head[:strings.Index(head, "</header>")]
		if !strings.Contains(head, want) {
			t.Errorf("the head of a %s case does not name its %s: %s", st, want, head)
		}
	}
}

// The supervision view lists the overdue and at-risk cases of the units in
// its user's scope, and not those of other districts.
func TestSupervisePageByScope(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "huli", "supervisor", "jiangtou")
	now := env.Clock.Now()
	huliRed := sentTo(t, env, "350206004", "江头北路工地噪音扰民", now.Add(24*time.Hour))
	huliYellow := sentTo(t, env, "350206004", "江头北路餐馆油烟", now.Add(48*time.Hour))
	huliGreen := sentTo(t, env, "350206004", "江头北路占道经营", now.Add(30*24*time.Hour))
	siming := sentTo(t, env, "350203012", "鼓浪屿龙头路噪音扰民", now.Add(24*time.Hour))
	simingYellow := sentTo(t, env, "350203012", "鼓浪屿龙头路占道", now.Add(48*time.Hour))
	for _, n := range []string{huliRed, huliYellow, huliGreen} {
		do(t, env, "jiangtou", n, casework.Sign, casework.ActionInput{})
	}
	for _, n := range []string{siming, simingYellow} {
		do(t, env, "gulangyu", n, casework.Sign, casework.ActionInput{})
	}
	env.Clock.Advance(36 * time.Hour)
	section := func(p page, h2 string) []string {
		t.Helper()
		i := strings.Index(p.Body, "<h2>"+h2+" <span class=\"count\">")
		if i < 0 {
			t.Fatalf("no section %s:\n%s", h2, excerpt(p.Body))
		}
		return listed(t, page{Body: p.Body[i:]})
	}
	for _, tc := range []struct {
		user        string
		red, yellow []string
	}{
		{"huli", []string{huliRed}, []string{huliYellow}},
		{"supervisor", []string{huliRed, siming}, []string{huliYellow, simingYellow}},
	} {
		p := signedIn(t, env, tc.user).get("/supervise")
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d", tc.user, p.Status)
		}
		if got := section(p, "已超期"); !sameSet(got, tc.red) {
			t.Errorf("%s's overdue cases: %v, want %v", tc.user, got, tc.red)
		}
		if got := section(p, "临近期限"); !sameSet(got, tc.yellow) {
			t.Errorf("%s's cases at risk: %v, want %v", tc.user, got, tc.yellow)
		}
		mustContain(t, p, fmt.Sprintf(`<strong>%d</strong>`, len(tc.red)), fmt.Sprintf(`<strong>%d</strong>`, len(tc.yellow)))
		if tc.user == "huli" {
			mustNotContain(t, p, siming, simingYellow, "鼓浪屿龙头路", "鼓浪屿街道")
		}
	}
	if p := signedIn(t, env, "jiangtou").get("/supervise"); p.Status != http.StatusForbidden {
		t.Errorf("a handler opened the supervision view: %d", p.Status)
	}
}

// No page or form, of all the workbench's routes, lets a handler read or
// change a case of another unit: each route is walked by two outsiders with
// its placeholders filled from that case (its number, every lifecycle
// action, its attachment, its supervision order, its unit) and its
// parameters pointing at it; no answer shows anything of the case (its
// title, text, address, reporter — and its number, unless the request
// carried it), and afterwards the case is as it was, with no audit record
// of an outsider's success on it.
func TestNoRouteLeaksAnotherUnitsCase(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou", "gulangyu", "jiangtou.police")
	ctx := context.Background()
	n, reportID := dispatched(t, env)
	other := take(t, env, casework.ReportInput{Body: "鼓浪屿龙头路商铺占道", Nature: "complaint"})
	own := signedIn(t, env, "jiangtou")
	own.get("/cases/" + n)
	if p := own.postFile("/cases/"+n+"/attachments", nil, "files", "note.txt", []byte("现场记录")); p.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", p.Status, excerpt(p.Body))
	}
	m := regexp.MustCompile(`href="/attachments/(\d+)"`).FindStringSubmatch(own.get("/cases/" + n).Body)
	if m == nil {
		t.Fatal("no attachment")
	}
	attachment := m[1]
	order, err := env.App.Supervision.Issue(ctx, env.Actor(t, "supervisor"), n, supervision.IssueInput{Kind: supervision.Remind, Reason: "请加快办理"})
	if err != nil {
		t.Fatal(err)
	}
	unit := fmt.Sprint(env.Unit(t, "350206004"))
	before, err := env.App.Cases.Get(ctx, access.System("test"), n)
	if err != nil {
		t.Fatal(err)
	}
	timeline, err := env.App.Cases.Timeline(ctx, access.System("test"), n)
	if err != nil {
		t.Fatal(err)
	}
	// What of the case must not show: its text, place and reporter.
	secrets := []string{before.Case.Title, "江头北路", "林先生", "13806012345", "1380601", "35020319900101123X", "现场记录", "请加快办理"}

	// Parameters that point at the case, by route.
	query := map[string]string{
		"/intake":                   "saved=" + n,
		"/intake/repeats":           url.Values{"text": {before.Reports[0].Body}, "address": {"湖里区江头北路"}, "division_code": {before.Case.DivisionCode}}.Encode(),
		"/intake/suggest":           url.Values{"title": {before.Case.Title}, "body": {before.Reports[0].Body}}.Encode(),
		"/search":                   "q=" + url.QueryEscape("噪音"),
		"/search.csv":               "q=" + url.QueryEscape("噪音"),
		"/search.xlsx":              "q=" + url.QueryEscape("噪音"),
		"/scores/{unit}/cases":      "metric=assigned",
		"/scores/{unit}/cases.csv":  "metric=assigned",
		"/scores/{unit}/cases.xlsx": "metric=assigned",
		"/petitions/backlog/cases":  "figure=stock",
		"/hot":                      "days=7&division_code=350206",
		"/admin/audit":              "action=case.dispatch",
	}
	form := func(path string) url.Values {
		switch {
		case path == "/intake":
			return url.Values{"form_id": {"leak-" + path}, "channel": {"hotline"}, "body": {"同一工地又在夜间施工"}, "case_number": {n}}
		case path == "/intake/petitioner":
			return url.Values{"reporter_name": {"林先生"}, "reporter_phone": {"13806012345"}, "reporter_id": {"35020319900101123X"}, "body": {"工地噪音"}}
		case path == "/queue/sign":
			return url.Values{"case": {n}}
		case strings.HasSuffix(path, "/reveal"):
			return url.Values{"report": {fmt.Sprint(reportID)}, "field": {"phone"}}
		case strings.HasSuffix(path, "/links"):
			return url.Values{"case": {other}, "kind": {"related"}}
		case strings.HasSuffix(path, "/supervision"):
			return url.Values{"kind": {"remind"}, "reason": {"x"}}
		case strings.HasSuffix(path, "/reply"):
			return url.Values{"reply": {"已办理"}}
		case strings.Contains(path, "/review"):
			return url.Values{"reason": {"不服"}, "conclusion": {"upheld"}}
		case strings.Contains(path, "/actions/"):
			return url.Values{"note": {"x"}, "reason": {"x"}, "unit_id": {unit}, "into": {other}, "satisfaction": {"satisfied"}, "resolved": {"yes"},
				"due_at": {"2027-01-30T12:00"}, "category_id": {"1"}, "nature": {"help"}}
		}
		return url.Values{"note": {"x"}}
	}
	skip := map[string]bool{"POST /logout": true, "POST /lang": true, "POST /login": true, "POST /login/totp": true, "POST /login/enroll": true}
	var actions []string
	for _, a := range casework.TableActions() {
		actions = append(actions, string(a))
	}
	routes := web.Must(env.App).Routes()
	for _, outsider := range []string{"gulangyu", "jiangtou.police"} {
		b := signedIn(t, env, outsider)
		walked := 0
		for _, rt := range routes {
			if skip[rt] {
				continue
			}
			method, pattern, _ := strings.Cut(rt, " ")
			fill := strings.NewReplacer("{number}", n, "{id}", attachment, "{order}", order.Number, "{unit}", unit, "{op}", "disable", "{$}", "")
			variants := []string{pattern}
			if strings.Contains(pattern, "{action}") {
				variants = nil
				for _, a := range actions {
					variants = append(variants, strings.Replace(pattern, "{action}", a, 1))
				}
			}
			for _, path := range variants {
				path = fill.Replace(path)
				var p page
				var sent string
				if method == http.MethodGet {
					if q := query[pattern]; q != "" {
						path += "?" + q
					}
					sent = path
					p = b.get(path)
				} else {
					b.get("/settings")
					f := form(pattern)
					sent = path + "?" + f.Encode()
					p = b.post(path, f)
				}
				walked++
				if strings.Contains(pattern, "{number}") || strings.Contains(pattern, "{order}") || strings.Contains(pattern, "{unit}") ||
					strings.HasPrefix(pattern, "/attachments/") {
					if p.Status != http.StatusNotFound {
						t.Errorf("%s %s as %s: %d, want 404", method, path, outsider, p.Status)
					}
				}
				body := p.Body
				if p.Status == http.StatusOK && strings.HasSuffix(strings.Split(path, "?")[0], ".xlsx") {
					body = xlsxSheet(t, p)
				}
				show := secrets
				if !strings.Contains(sent, n) && !strings.Contains(sent, url.QueryEscape(n)) {
					show = append(slices.Clone(secrets), n)
				}
				for _, s := range show {
					if strings.Contains(body, s) || strings.Contains(p.Location, s) && !strings.Contains(sent, s) {
						t.Errorf("%s %s as %s (%d) shows %q:\n%s", method, path, outsider, p.Status, s, excerpt(body))
					}
				}
			}
		}
		if walked < len(routes) {
			t.Errorf("only %d requests for %d routes", walked, len(routes))
		}
	}

	// Nothing took effect.
	after, err := env.App.Cases.Get(ctx, access.System("test"), n)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := env.App.Cases.Timeline(ctx, access.System("test"), n)
	if err != nil {
		t.Fatal(err)
	}
	if after.Case.State != before.Case.State || after.Case.Version != before.Case.Version || len(after.Reports) != len(before.Reports) ||
		len(after.Attachments) != len(before.Attachments) || len(tl) != len(timeline) {
		t.Errorf("the case changed: %s v%d, %d reports, %d attachments, %d timeline entries", after.Case.State, after.Case.Version,
			len(after.Reports), len(after.Attachments), len(tl))
	}
	orders, err := env.App.Supervision.Ledger(ctx, access.System("test"), supervision.Filter{CaseNumber: n, Limit: 10})
	if err != nil || len(orders) != 1 || orders[0].State != order.State {
		t.Errorf("the order changed: %+v (%v)", orders, err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if (r.ActorName == "gulangyu" || r.ActorName == "jiangtou.police") && r.Outcome == audit.OK &&
			(r.ObjectID == n || r.ObjectID == order.Number || r.ObjectID == attachment || strings.Contains(r.Detail, n)) {
			t.Errorf("audited as done by an outsider: %s %s %s %s", r.ActorName, r.Action, r.ObjectID, r.Detail)
		}
	}
}

// auditedOn reports whether the newest audit record of action is a success
// by actor on the object with id.
func auditedOn(t testing.TB, env *apptest.Env, action, actor string, id int64) bool {
	t.Helper()
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: action, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs) == 1 && recs[0].Outcome == audit.OK && recs[0].ActorName == actor && recs[0].ObjectID == fmt.Sprint(id)
}

// Administration through the pages, each form posted with the page's
// token as a browser would: units added and renamed, an account created,
// disabled and enabled again, unlocked, its password reset and a token
// issued; each takes effect and is audited with who did it to what.
func TestAdministrationFormsTakeEffect(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin", "secadmin", "intake")
	ctx := context.Background()
	sys := signedInAdmin(t, env, "sysadmin")

	// A unit: added under 江头街道, then renamed.
	parent := env.Unit(t, "350206004")
	sys.get("/admin/units")
	p := sys.post("/admin/units", url.Values{"parent_id": {fmt.Sprint(parent)}, "code": {"350206004-C09"}, "name": {"江头第九社区"},
		"kind": {"government"}, "level": {"community"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("add unit: %d\n%s", p.Status, excerpt(p.Body))
	}
	u, err := env.App.Org.UnitByCode(ctx, env.App.DB, "350206004-C09")
	if err != nil || u.Name != "江头第九社区" || u.ParentID != parent {
		t.Fatalf("the unit: %+v (%v)", u, err)
	}
	if !auditedOn(t, env, "unit.create", "sysadmin", u.ID) {
		t.Error("the new unit was not audited")
	}
	// The list links each unit to its page (no form a row: a city's
	// thousand units stay a light page); ?q= finds one by name or code.
	list := sys.get("/admin/units")
	mustContain(t, list, fmt.Sprintf(`<a href="/admin/units/%d">江头第九社区</a>`, u.ID))
	if n := strings.Count(list.Body, "<form"); n > 4 {
		t.Errorf("the units list has %d forms", n)
	}
	found := sys.get("/admin/units?q=C09")
	mustContain(t, found, "江头第九社区</a> <span class=\"muted\">江头街道</span>") // with its parent
	mustNotContain(t, found, ">江头街道</a>")
	// Its page: where it sits, and the form; its own subtree is no parent
	// to move under.
	page := sys.get(fmt.Sprintf("/admin/units/%d", u.ID))
	mustContain(t, page, `<a href="/admin/units/`+fmt.Sprint(parent)+`">江头街道</a>`, fmt.Sprintf(`action="/admin/units/%d"`, u.ID),
		fmt.Sprintf(`<option value="%d" selected>`, parent), `name="name" required maxlength="100" value="江头第九社区"`,
		`name="code" required maxlength="40" value="350206004-C09"`)
	mustNotContain(t, page, fmt.Sprintf(`<option value="%d"`, u.ID))
	p = sys.post(fmt.Sprintf("/admin/units/%d", u.ID), url.Values{"parent_id": {fmt.Sprint(parent)}, "code": {"350206004-C09"},
		"name": {""}, "kind": {string(u.Kind)}, "level": {string(u.Level)}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a unit renamed to nothing: %d", p.Status)
	}
	mustContain(t, p, `class="flash err"`, fmt.Sprintf(`action="/admin/units/%d"`, u.ID))
	p = sys.post(fmt.Sprintf("/admin/units/%d", u.ID), url.Values{"parent_id": {fmt.Sprint(parent)}, "code": {"350206004-C09"},
		"name": {"江头第九社区（东）"}, "kind": {string(u.Kind)}, "level": {string(u.Level)}})
	if p.Status != http.StatusSeeOther || p.Location != fmt.Sprintf("/admin/units/%d?flash=admin.saved", u.ID) {
		t.Fatalf("rename unit: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if u, err = env.App.Org.UnitByCode(ctx, env.App.DB, "350206004-C09"); err != nil || u.Name != "江头第九社区（东）" {
		t.Fatalf("after renaming: %+v (%v)", u, err)
	}
	if !auditedOn(t, env, "unit.update", "sysadmin", u.ID) {
		t.Error("the renamed unit was not audited")
	}
	// A bad form is refused in words and changes nothing.
	if p = sys.post("/admin/units", url.Values{"parent_id": {fmt.Sprint(parent)}, "code": {""}, "name": {""}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a unit without a name: %d", p.Status)
	}

	// An account: created at the new unit, disabled, enabled.
	sys.get("/admin/users")
	p = sys.post("/admin/users", url.Values{"username": {"c09"}, "name": {"陈社区"}, "unit_id": {fmt.Sprint(u.ID)}, "password": {"Grid-Nine-Pass-2026"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("add user: %d\n%s", p.Status, excerpt(p.Body))
	}
	user, err := env.App.Org.UserByName(ctx, env.App.DB, "c09")
	if err != nil || user.Name != "陈社区" || user.UnitID != u.ID {
		t.Fatalf("the user: %+v (%v)", user, err)
	}
	if !auditedOn(t, env, "user.create", "sysadmin", user.ID) {
		t.Error("the new account was not audited")
	}
	// The form leads on to the new account's page, which says what is next.
	if want := fmt.Sprintf("/admin/users/%d?", user.ID); !strings.HasPrefix(p.Location, want) {
		t.Errorf("after creating, to %q, want %s…", p.Location, want)
	}
	mustContain(t, sys.get(p.Location), "用户已创建；请安全管理员为其分配角色", "<code class=\"muted\">c09</code>")
	for _, op := range []string{"disable", "enable"} {
		if p = sys.post(fmt.Sprintf("/admin/users/%d/%s", user.ID, op), nil); p.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", op, p.Status, excerpt(p.Body))
		}
		got, err := env.App.Org.User(ctx, env.App.DB, user.ID)
		if err != nil || got.DisabledAt.IsZero() != (op == "enable") {
			t.Fatalf("after %s: disabled at %v (%v)", op, got.DisabledAt, err)
		}
		if !auditedOn(t, env, "user."+op, "sysadmin", user.ID) {
			t.Errorf("%s was not audited", op)
		}
	}

	// The security administrator unlocks a locked account, resets a
	// password and issues a token.
	intake := env.User(t, "intake").User.ID
	b := newBrowser(t, env)
	for range 5 {
		b.signIn("intake", "not-the-password-1")
	}
	if until, err := env.App.Auth.LockedUntil(ctx, intake); err != nil || until.IsZero() {
		t.Fatalf("intake is not locked: %v %v", until, err)
	}
	sec := signedInAdmin(t, env, "secadmin")
	mustContain(t, sec.get(fmt.Sprintf("/admin/users/%d", intake)), fmt.Sprintf(`action="/admin/users/%d/unlock"`, intake))
	if p = sec.post(fmt.Sprintf("/admin/users/%d/unlock", intake), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("unlock: %d\n%s", p.Status, excerpt(p.Body))
	}
	if until, err := env.App.Auth.LockedUntil(ctx, intake); err != nil || !until.IsZero() {
		t.Fatalf("still locked until %v (%v)", until, err)
	}
	if !auditedOn(t, env, "user.unlock", "secadmin", intake) {
		t.Error("the unlock was not audited")
	}
	// An administrator's lockout is lifted only on the server (the
	// service refuses it): the page offers no unlock for one.
	auditor := env.User(t, "auditadmin").User.ID
	for range 5 {
		b.signIn("auditadmin", "not-the-password-1")
	}
	if until, err := env.App.Auth.LockedUntil(ctx, auditor); err != nil || until.IsZero() {
		t.Fatalf("auditadmin is not locked: %v %v", until, err)
	}
	mustNotContain(t, sec.get(fmt.Sprintf("/admin/users/%d", auditor)), fmt.Sprintf(`action="/admin/users/%d/unlock"`, auditor))
	if p = sec.post(fmt.Sprintf("/admin/users/%d/password", user.ID), url.Values{"password": {"short"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a short password: %d", p.Status)
	}
	if p = sec.post(fmt.Sprintf("/admin/users/%d/password", user.ID), url.Values{"password": {"Grid-Nine-Reset-2026"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("reset password: %d\n%s", p.Status, excerpt(p.Body))
	}
	if !auditedOn(t, env, "password.reset", "secadmin", user.ID) {
		t.Error("the password reset was not audited")
	}
	if p = newBrowser(t, env).signIn("c09", "Grid-Nine-Reset-2026"); p.Status != http.StatusSeeOther || strings.HasPrefix(p.Location, "/login?") {
		t.Fatalf("the new password does not sign in: %d %s", p.Status, p.Location)
	}
	if p = newBrowser(t, env).signIn("c09", "Grid-Nine-Pass-2026"); p.Status == http.StatusSeeOther {
		t.Fatal("the old password still signs in")
	}
	// Issued, then shown on the account's page the browser is sent on to
	// (a reload there issues no second one), and only there, once.
	userPage := fmt.Sprintf("/admin/users/%d", user.ID)
	p = sec.post(userPage+"/token", url.Values{"name": {"grid-app"}})
	if p.Status != http.StatusSeeOther || p.Location != userPage || strings.Contains(p.Body, "pa_") {
		t.Fatalf("issue token: %d %s", p.Status, p.Location)
	}
	if other := sys.get(userPage); strings.Contains(other.Body, `<code class="secret">`) {
		t.Error("another session was shown the token")
	}
	p = sec.get(userPage)
	tok := regexp.MustCompile(`<code class="secret">([^<]+)</code>`).FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || tok == nil || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the token on the account's page: %d %q\n%s", p.Status, p.Header.Get("Cache-Control"), excerpt(p.Body))
	}
	var tokens int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1", user.ID).Scan(&tokens); err != nil || tokens != 1 {
		t.Errorf("%d tokens issued (%v), want 1", tokens, err)
	}
	if !auditedOn(t, env, "token.issue", "secadmin", user.ID) {
		t.Error("the token was not audited")
	}
	if recs, _ := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "token.issue", Limit: 1}); strings.Contains(recs[0].Detail, tok[1]) {
		t.Error("the audit record holds the token")
	}
	r := env.Do(t, http.MethodGet, "/api/v1/me", "", nil, "Authorization", "Bearer "+html.UnescapeString(tok[1]))
	var me struct {
		Username string `json:"username"`
	}
	if r.Status != http.StatusOK {
		t.Fatalf("the issued token: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &me)
	if me.Username != "c09" {
		t.Fatalf("the token belongs to %q", me.Username)
	}
	// The page shows it once: reloading does not; it lists the token by
	// its purpose, with a revoke button that takes effect (and another
	// account's token id in the form is no token of this page).
	p = sec.get(userPage)
	mustNotContain(t, p, tok[1])
	var tokenID int64
	if err := env.App.DB.QueryRowContext(ctx, "SELECT id FROM api_tokens WHERE user_id = $1", user.ID).Scan(&tokenID); err != nil {
		t.Fatal(err)
	}
	mustContain(t, p, "<td>grid-app</td>", fmt.Sprintf(`name="token_id" value="%d"`, tokenID))
	if p = sec.post(fmt.Sprintf("/admin/users/%d/revoke", env.User(t, "intake").User.ID), url.Values{"token_id": {fmt.Sprint(tokenID)}}); p.Status != http.StatusNotFound {
		t.Errorf("revoke through another account's page: %d", p.Status)
	}
	if p = sec.post(userPage+"/revoke", url.Values{"token_id": {fmt.Sprint(tokenID)}}); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d\n%s", p.Status, excerpt(p.Body))
	}
	if r := env.Do(t, http.MethodGet, "/api/v1/me", "", nil, "Authorization", "Bearer "+html.UnescapeString(tok[1])); r.Status != http.StatusUnauthorized {
		t.Errorf("the revoked token: %d", r.Status)
	}
	if !auditedOn(t, env, "token.revoke", "secadmin", user.ID) {
		t.Error("the revocation was not audited")
	}
	mustContain(t, sec.get(userPage), "已吊销（")
	// Another administrator's token is refused, and the refusal audited:
	// it would act as them without their second factor.
	sysID := env.User(t, "sysadmin").User.ID
	mustNotContain(t, sec.get(fmt.Sprintf("/admin/users/%d", sysID)), fmt.Sprintf(`action="/admin/users/%d/token"`, sysID))
	if p = sec.post(fmt.Sprintf("/admin/users/%d/token", sysID), url.Values{"name": {"borrowed"}}); p.Status != http.StatusForbidden ||
		strings.Contains(p.Body, `<code class="secret">`) {
		t.Fatalf("a token for the system administrator: %d\n%s", p.Status, excerpt(p.Body))
	}
	if recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "token.issue", Limit: 1}); err != nil || len(recs) != 1 ||
		recs[0].Outcome != audit.Denied || recs[0].ActorName != "secadmin" || recs[0].ObjectID != fmt.Sprint(sysID) {
		t.Errorf("the refused token is not audited: %+v (%v)", recs, err)
	}
}

// TestUploadFormOnlyWhereFilesAreTaken: the case page offers its upload
// form to whoever may add files to the case now: not to a role that adds
// none, and to no one once the case is finished, whose refusal of a file
// sent anyway names its state.
func TestUploadFormOnlyWhereFilesAreTaken(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	setPasswords(t, env, "jiangtou", "leader", "dispatcher")
	n, _ := dispatched(t, env)
	form := func(number string) string { return `action="/cases/` + number + `/attachments"` }
	if p := signedIn(t, env, "jiangtou").get("/cases/" + n); !strings.Contains(p.Body, form(n)) {
		t.Error("the handler's page of an open case has no upload form")
	}
	if p := signedIn(t, env, "leader").get("/cases/" + n); p.Status != http.StatusOK || strings.Contains(p.Body, form(n)) {
		t.Errorf("the leader's page of the case: %d, upload form shown: %v", p.Status, strings.Contains(p.Body, form(n)))
	}

	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "咨询户口迁移需要什么材料。", Address: "思明区", Nature: "help"})
	if err != nil {
		t.Fatal(err)
	}
	done := res.Case.Number
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), done, casework.Reject,
		casework.ActionInput{Reason: "已当场答复"}); err != nil {
		t.Fatal(err)
	}
	d := signedIn(t, env, "dispatcher")
	if p := d.get("/cases/" + done); p.Status != http.StatusOK || strings.Contains(p.Body, form(done)) {
		t.Errorf("a rejected case's page: %d, upload form shown: %v", p.Status, strings.Contains(p.Body, form(done)))
	}
	p := d.postFile("/cases/"+done+"/attachments", nil, "files", "late.txt", []byte("事后补充"))
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "状态为“不予受理”，不能再添加附件") {
		t.Errorf("a file sent to a rejected case: %d\n%s", p.Status, excerpt(p.Body))
	}
	var files int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM attachments WHERE case_id = $1", res.Case.ID).Scan(&files); err != nil {
		t.Fatal(err)
	}
	if files != 0 {
		t.Errorf("the rejected case took %d files", files)
	}
}

// Every priority above normal has its own look, 特急 the strongest: the
// tag's class is prio-<priority>.
func TestPriorityTagsAreStyled(t *testing.T) {
	env := apptest.New(t)
	b := newBrowser(t, env)
	css := b.get("/static/app.css").Body
	for _, p := range casework.Priorities {
		if p.Priority == casework.Normal {
			continue
		}
		if !strings.Contains(css, ".prio-"+string(p.Priority)+" {") {
			t.Errorf("app.css has no style for the %s tag", p.Priority)
		}
	}
	if i, j := strings.Index(css, ".prio-emergency {"), strings.Index(css, ".prio-urgent {"); i < 0 || j < 0 ||
		!strings.Contains(css[i:j], "--err") {
		t.Error("特急 is not drawn in the error colour")
	}
}

// The supervision view lists the fifteen units with most cases at risk,
// and all of them on asking.
func TestSuperviseByUnitShowsAll(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "supervisor")
	var streets []string
	for _, d := range division.Children(division.XiamenCode) {
		for _, s := range division.Children(d.Code) {
			if len(streets) < 17 {
				streets = append(streets, s.Code)
			}
		}
	}
	due := env.Clock.Now().Add(24 * time.Hour)
	for i, code := range streets {
		sentTo(t, env, code, fmt.Sprintf("路灯不亮第%d处", i+1), due)
	}
	env.Clock.Advance(36 * time.Hour)
	units := func(p page) int {
		t.Helper()
		i := strings.Index(p.Body, `id="by-unit"`)
		if i < 0 {
			t.Fatalf("no units section:\n%s", excerpt(p.Body))
		}
		sec := p.Body[i : i+strings.Index(p.Body[i:], "</section>")]
		return strings.Count(sec, `<a href="/search?unit_id=`)
	}
	b := signedIn(t, env, "supervisor")
	p := b.get("/supervise")
	if n := units(p); n != 15 {
		t.Errorf("%d units listed, want the first 15", n)
	}
	mustContain(t, p, `<a href="/supervise?units=all#by-unit">全部单位 →</a>`)
	p = b.get("/supervise?units=all")
	if n := units(p); n != len(streets) {
		t.Errorf("%d units listed on asking for all, want %d", n, len(streets))
	}
	mustNotContain(t, p, `units=all#by-unit">`)
	// A unit's link opens its cases at risk, both kinds ticked on the
	// search form (filtering again keeps both).
	link := regexp.MustCompile(`<a href="(/search\?unit_id=[^"]+)">`).FindStringSubmatch(p.Body)
	if link == nil {
		t.Fatal("no unit link")
	}
	mustContain(t, b.get(html.UnescapeString(link[1])), `value="red" checked`, `value="yellow" checked`)
	mustNotContain(t, b.get(html.UnescapeString(link[1])), `value="green" checked`)
}
