package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
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
	"pingan/internal/auth"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/demo"
	"pingan/internal/notify"
	"pingan/internal/web"
)

// xlsxSheet checks a response is a workbook and returns its sheet's XML.
func xlsxSheet(t *testing.T, p page) string {
	t.Helper()
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("xlsx: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	z, err := zip.NewReader(strings.NewReader(p.Body), int64(len(p.Body)))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	for _, f := range z.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("xlsx: no sheet")
	return ""
}

// postFile submits a multipart form with one file.
func (b *browser) postFile(path string, fields url.Values, field, name string, content []byte) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if fields == nil {
		fields = url.Values{}
	}
	if fields.Get("csrf") == "" {
		fields.Set("csrf", b.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.env.Server.URL+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.env.Server.URL)
	return b.do(req)
}

// signedInAdmin signs an administrator in, enrolling the second factor on
// the way as the pages ask.
func signedInAdmin(t testing.TB, env *apptest.Env, username string) *browser {
	t.Helper()
	b, _ := enrolledAdmin(t, env, username)
	return b
}

// enrolledAdmin is signedInAdmin that also returns the TOTP secret.
func enrolledAdmin(t testing.TB, env *apptest.Env, username string) (*browser, string) {
	t.Helper()
	b := newBrowser(t, env)
	if p := b.signIn(username, password); p.Location != "/login/enroll" {
		t.Fatalf("%s sign-in went to %q", username, p.Location)
	}
	p := b.get("/login/enroll")
	// Before the second factor the header offers no page, only signing out.
	mustNotContain(t, p, `href="/admin"`, `href="/inbox"`, `href="/settings"`)
	mustContain(t, p, `action="/logout"`)
	secret, pending := enrolment(t, p)
	code, err := auth.TOTPCode(secret, auth.Step(env.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if p = b.post("/login/enroll", url.Values{"code": {code}, "pending": {pending}}); p.Status != http.StatusSeeOther {
		t.Fatalf("enrol %s: %d\n%s", username, p.Status, excerpt(p.Body))
	}
	b.get("/settings")
	return b, secret
}

// dispatched makes a case dispatched to 江头街道 through the services and
// returns its number and its report's id.
func dispatched(t testing.TB, env *apptest.Env) (string, int64) {
	t.Helper()
	ctx := context.Background()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "江头北路工地夜间施工噪音扰民，凌晨一点还在打桩。", ReporterName: "林先生", ReporterPhone: "13806012345",
		ReporterIDNumber: "35020319900101123X", Address: "湖里区江头北路", Nature: "complaint"})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Case.Number
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), n, casework.Register, casework.ActionInput{CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), n, casework.Dispatch,
		casework.ActionInput{UnitID: env.Unit(t, "350206004")}); err != nil {
		t.Fatal(err)
	}
	return n, res.Report.ID
}

// verified is dispatched taken on by its unit (signed for, reported back
// with note) and verified: a case waiting for its callback.
func verified(t testing.TB, env *apptest.Env, note string) string {
	t.Helper()
	ctx := context.Background()
	n, _ := dispatched(t, env)
	for _, s := range []struct {
		user   string
		action casework.Action
		in     casework.ActionInput
	}{
		{"jiangtou", casework.Sign, casework.ActionInput{}},
		{"jiangtou", casework.ReportBack, casework.ActionInput{Note: note}},
		{"verifier", casework.Verify, casework.ActionInput{}},
	} {
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, s.user), n, s.action, s.in); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	return n
}

// The whole loop through the pages, each step by the role that does it.
func TestClosedLoopThroughPages(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake", "dispatcher", "jiangtou", "verifier", "callback")
	in := signedIn(t, env, "intake")
	in.get("/intake")
	p := in.post("/intake", url.Values{"form_id": {"loop-1"}, "channel": {"hotline"}, "body": {"莲前西路人行道井盖缺失，夜里有人差点掉下去。"},
		"reporter_name": {"陈女士"}, "reporter_phone": {"13906001234"}, "address": {"思明区莲前西路"}, "lat": {"24.47"}, "lon": {"118.15"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("intake: %d\n%s", p.Status, excerpt(p.Body))
	}
	n, _ := url.QueryUnescape(strings.TrimPrefix(strings.Split(p.Location, "&")[0], "/intake?saved="))
	// The district came from the coordinates.
	c, err := env.App.Cases.Get(context.Background(), access.System("test"), n)
	if err != nil || c.Case.DivisionCode == "" || !strings.HasPrefix(c.Case.DivisionCode, "350203") {
		t.Fatalf("case %s: division %q (%v)", n, c.Case.DivisionCode, err)
	}

	step := func(b *browser, action string, form url.Values, wantState casework.State) {
		t.Helper()
		b.get("/cases/" + n)
		p := b.post("/cases/"+n+"/actions/"+action, form)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", action, p.Status, excerpt(p.Body))
		}
		got, err := env.App.Cases.Get(context.Background(), access.System("test"), n)
		if err != nil || got.Case.State != wantState {
			t.Fatalf("after %s: %s (%v), want %s", action, got.Case.State, err, wantState)
		}
		// The page after says which action was done.
		mustContain(t, b.get(p.Location), `role="status">已完成“`+casework.ActionNames[casework.Action(action)].ZH+`”`)
	}
	dis := signedIn(t, env, "dispatcher")
	// A case number in the search box, as pasted, opens the case.
	if p := dis.get("/search?q=" + url.QueryEscape(" "+strings.ToLower(n)+" ")); p.Status != http.StatusSeeOther || p.Location != "/cases/"+n {
		t.Fatalf("searching %s: %d %q", n, p.Status, p.Location)
	}
	// The dispatcher's queue lists it; the case page offers register.
	mustContain(t, dis.get("/queue?tab=register"), n)
	mustContain(t, dis.get("/cases/"+n), `/cases/`+n+`/actions/register`)
	cat, err := env.App.Catalog.CategoryByCode(context.Background(), env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	dis.get("/cases/" + n)
	if p := dis.post("/cases/"+n+"/actions/register", nil); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("register without a category: %d", p.Status)
	} else {
		mustContain(t, p, "分类")
	}
	step(dis, "register", url.Values{"nature": {"complaint"}, "category_id": {fmt.Sprint(cat.ID)}}, casework.Registered)
	step(dis, "dispatch", url.Values{"unit_id": {fmt.Sprint(env.Unit(t, "350206004"))}, "note": {"请江头街道处理"}}, casework.Dispatched)

	h := signedIn(t, env, "jiangtou")
	mustContain(t, h.get("/queue?tab=sign"), n)
	// Bulk sign from the queue: nothing ticked is said, then one.
	h.get("/queue?tab=sign")
	if p := h.post("/queue/sign", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("bulk sign of nothing: %d", p.Status)
	} else {
		mustContain(t, h.get(p.Location), "请先勾选要签收的案件")
	}
	if p := h.post("/queue/sign", url.Values{"case": {n}}); p.Status != http.StatusOK && p.Status != http.StatusSeeOther {
		t.Fatalf("bulk sign: %d\n%s", p.Status, excerpt(p.Body))
	}
	if got, _ := env.App.Cases.Get(context.Background(), access.System("test"), n); got.Case.State != casework.Handling {
		t.Fatalf("after bulk sign: %s", got.Case.State)
	}
	// A report-back with a photo as evidence.
	h.get("/cases/" + n)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	p = h.postFile("/cases/"+n+"/actions/report", url.Values{"note": {"已补装井盖"}}, "evidence", "井盖.png", png)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("report: %d\n%s", p.Status, excerpt(p.Body))
	}
	page := h.get("/cases/" + n)
	mustContain(t, page, "井盖.png", "已补装井盖")
	id := regexp.MustCompile(`href="/attachments/(\d+)"`).FindStringSubmatch(page.Body)
	if id == nil {
		t.Fatal("no attachment link")
	}
	if d := h.get("/attachments/" + id[1]); d.Status != http.StatusOK || !bytes.Equal([]byte(d.Body), png) ||
		d.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %q", d.Status, d.Header)
	}

	// On no clock while it waits to be verified, the queue says how long
	// since it last changed instead of a deadline.
	env.Exec(t, fmt.Sprintf("UPDATE cases SET updated_at = %d WHERE number = '%s'", env.Clock.Now().Add(-26*time.Hour).UnixMicro(), n))
	mustContain(t, signedIn(t, env, "verifier").get("/queue"), n, "1天2小时前有变动")
	step(signedIn(t, env, "verifier"), "verify", url.Values{"note": {"现场核实"}}, casework.Verified)
	cb := signedIn(t, env, "callback")
	// The callback's required answer is marked as such; whether the
	// problem was solved is asked unless the citizen was not reached.
	mustContain(t, cb.get("/cases/"+n), `满意度 <span class="req">*</span><select name="satisfaction" required>`,
		`问题是否解决</legend>`, "联系到群众时必填；未能联系时不填")
	step(cb, "callback", url.Values{"satisfaction": {"satisfied"}, "resolved": {"yes"}}, casework.PendingClose)
	step(dis, "close", nil, casework.Closed)
	mustContain(t, dis.get("/cases/"+n), "结案")
}

// The link form's mistakes are said on the case page, what was typed
// kept; those who may not link cases are not offered the form.
func TestLinkFormOnCasePage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher", "leader")
	n, _ := dispatched(t, env)
	d := signedIn(t, env, "dispatcher")
	d.get("/cases/" + n)
	for typed, says := range map[string]string{"XM-2026-999999": "没有编号为 XM-2026-999999 的案件", n: "不能关联案件自身"} {
		p := d.post("/cases/"+n+"/links", url.Values{"case": {typed}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("link to %s: %d\n%s", typed, p.Status, excerpt(p.Body))
		}
		mustContain(t, p, says, "<li>案件编号", `value="`+typed+`"`)
	}
	other, _ := dispatched(t, env)
	d.get("/cases/" + n)
	if p := d.post("/cases/"+n+"/links", url.Values{"case": {other}}); p.Status != http.StatusSeeOther {
		t.Fatalf("link: %d", p.Status)
	} else {
		mustContain(t, d.get(p.Location), `role="status">已关联`, other)
	}
	page := signedIn(t, env, "leader").get("/cases/" + n)
	mustContain(t, page, other) // the link, shown
	mustNotContain(t, page, `action="/cases/`+n+`/links"`)
}

// A refused transition shows the reason on the case page and changes
// nothing.
func TestRefusedActionOnPage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou")
	n, _ := dispatched(t, env)
	h := signedIn(t, env, "jiangtou")
	h.get("/cases/" + n)
	// Not this state's action: the page says which state the case is in.
	p := h.post("/cases/"+n+"/actions/verify", nil)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("verify by a handler: %d", p.Status)
	}
	mustContain(t, p, "待签收")
	p = h.post("/cases/"+n+"/actions/return", url.Values{"reason": {""}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("return without reason: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "理由")
	if got, _ := env.App.Cases.Get(context.Background(), access.System("test"), n); got.Case.State != casework.Dispatched {
		t.Fatalf("state changed to %s", got.Case.State)
	}
}

// No page or form opens, changes or lists a case outside the user's units,
// and nothing of it leaks into the answer.
func TestPagesRefuseOutOfScope(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou", "gulangyu", "jiangtou.police")
	n, reportID := dispatched(t, env)
	other, _ := dispatched(t, env)
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
	before := auditCount(t, env, "personal.reveal", audit.OK)

	routes := web.Must(env.App).Routes()
	for _, outsider := range []string{"gulangyu", "jiangtou.police"} {
		b := signedIn(t, env, outsider)
		covered := 0
		for _, rt := range routes {
			method, path, _ := strings.Cut(rt, " ")
			if !strings.Contains(path, "{number}") && !strings.HasPrefix(path, "/attachments/") {
				continue
			}
			covered++
			path = strings.NewReplacer("{number}", n, "{action}", "sign", "{id}", attachment).Replace(path)
			var p page
			if method == http.MethodGet {
				p = b.get(path)
			} else {
				b.get("/settings")
				form := url.Values{"note": {"x"}}
				switch {
				case strings.HasSuffix(path, "/reveal"):
					form = url.Values{"report": {fmt.Sprint(reportID)}, "field": {"phone"}}
				case strings.HasSuffix(path, "/links"):
					form = url.Values{"case": {other}}
				case strings.HasSuffix(path, "/supervision"):
					form = url.Values{"kind": {"remind"}, "reason": {"x"}}
				}
				p = b.post(path, form)
			}
			if p.Status != http.StatusNotFound {
				t.Errorf("%s %s as %s: %d, want 404", method, path, outsider, p.Status)
			}
			mustNotContain(t, p, "江头北路", "13806012345", "现场记录")
		}
		if covered < 7 {
			t.Errorf("only %d case routes walked", covered)
		}
		// The refusal says, in the reader's language, no more than that.
		mustContain(t, b.get("/cases/"+n), "案件 "+n+" 不存在或无权查看")
		// Search and export do not list it either.
		mustNotContain(t, b.get("/search?q="+url.QueryEscape(n)), "江头北路")
		mustNotContain(t, b.get("/search?q="+url.QueryEscape("噪音")), n)
		mustNotContain(t, b.get("/search.csv?q="+url.QueryEscape("噪音")), n)
	}
	if got := auditCount(t, env, "personal.reveal", audit.OK); got != before {
		t.Errorf("outsiders revealed personal data %d times", got-before)
	}
	if got, _ := env.App.Cases.Get(context.Background(), access.System("test"), n); got.Case.State != casework.Dispatched {
		t.Errorf("state after refused attempts: %s", got.Case.State)
	}
}

// Personal data is masked on every page; showing it is a deliberate,
// audited act, and only roles that contact citizens may.
func TestMaskingAndReveal(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou", "leader")
	n, reportID := dispatched(t, env)
	h := signedIn(t, env, "jiangtou")
	p := h.get("/cases/" + n)
	mustContain(t, p, "138****2345", "350203********123X", "/cases/"+n+"/reveal")
	mustNotContain(t, p, "13806012345", "35020319900101123X")
	p = h.post("/cases/"+n+"/reveal", url.Values{"report": {fmt.Sprint(reportID)}, "field": {"phone"}})
	if p.Status != http.StatusOK || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d %q", p.Status, p.Header.Get("Cache-Control"))
	}
	mustContain(t, p, "13806012345")
	mustNotContain(t, p, "35020319900101123X") // only the field asked for
	if got := auditCount(t, env, "personal.reveal", audit.OK); got != 1 {
		t.Fatalf("%d reveals audited, want 1", got)
	}
	// Reloading masks it again.
	mustNotContain(t, h.get("/cases/"+n), "13806012345")

	// A leader reads the case but may not unmask; the refusal is audited.
	l := signedIn(t, env, "leader")
	lp := l.get("/cases/" + n)
	mustContain(t, lp, "138****2345")
	mustNotContain(t, lp, "/reveal") // no button that would only be refused
	if p = l.post("/cases/"+n+"/reveal", url.Values{"report": {fmt.Sprint(reportID)}, "field": {"phone"}}); p.Status != http.StatusForbidden {
		t.Fatalf("leader reveal: %d", p.Status)
	}
	mustNotContain(t, p, "13806012345")
	if got := auditCount(t, env, "personal.reveal", audit.Denied); got != 1 {
		t.Fatalf("%d refused reveals audited, want 1", got)
	}
	// The exports mask too.
	mustNotContain(t, l.get("/search.csv"), "13806012345")
	x := l.get("/search.xlsx")
	if sheet := xlsxSheet(t, x); !strings.Contains(sheet, n) || strings.Contains(sheet, "13806012345") {
		t.Fatalf("the Excel export lacks the case or shows the phone:\n%s", sheet)
	}
}

// Every page renders for every demo role, in both languages, without an
// internal error or a missing text.
func TestEveryPageForEveryRole(t *testing.T) {
	env := apptest.New(t)
	var users []string
	for _, du := range demo.Users {
		users = append(users, du.Username)
	}
	setPasswords(t, env, users...)
	// A webhook, so that the case's events make a delivery to show.
	rcv := newHookReceiver(t)
	hook, _, err := env.App.Notify.CreateWebhook(context.Background(), env.Actor(t, "sysadmin"),
		notify.WebhookInput{Name: "市大数据局", URL: rcv.srv.URL + "/hook", Events: []string{"case.*"}})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := dispatched(t, env)
	ds, err := env.App.Notify.Deliveries(context.Background(), env.Actor(t, "sysadmin"), notify.DeliveryFilter{WebhookID: hook.ID})
	if err != nil || len(ds) == 0 {
		t.Fatalf("no delivery to show: %v", err)
	}
	delivery := fmt.Sprintf("/admin/webhooks/deliveries/%d", ds[0].ID)
	cat, err := env.App.Catalog.CategoryByCode(context.Background(), env.App.DB, "C0102001")
	if err != nil {
		t.Fatal(err)
	}
	category := fmt.Sprintf("/admin/categories/%d", cat.ID)
	unitPage := fmt.Sprintf("/admin/units/%d", env.Unit(t, "350206004"))
	userPage := fmt.Sprintf("/admin/users/%d", env.User(t, "jiangtou").User.ID)
	policyPage := "/admin/policies/1"
	// A petition answered, its 复查 requested, and the petitioner back.
	pet := closedPetition(t, env, "反映江头北路某小区地下车库长期积水，物业公司不作为。")
	review, err := env.App.Cases.RequestReview(context.Background(), env.Actor(t, "intake"), pet.Number, casework.ReviewInput{Reason: "不服"})
	if err != nil {
		t.Fatal(err)
	}
	again := closedPetition(t, env, "地下车库积水，物业不作为，再次反映。")
	env.Clock.Advance(4 * 24 * time.Hour) // some deadlines red, timers fired
	env.Fire(t)
	var pages []string
	for _, rt := range web.Must(env.App).Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if method != http.MethodGet || strings.Contains(path, "/attachments/") || strings.HasPrefix(path, "/login") {
			continue
		}
		pages = append(pages, strings.NewReplacer("{number}", n, "{$}", "", "{unit}", fmt.Sprint(env.Unit(t, "350206004")),
			"/admin/webhooks/deliveries/{id}", delivery, "/admin/categories/{id}", category, "/admin/units/{id}", unitPage, "/admin/users/{id}", userPage, "/admin/policies/{id}", policyPage).Replace(path))
	}
	pages = append(pages, "/queue?tab=dispatch", "/search?q=%E5%99%AA%E9%9F%B3&status=red&sort=due", "/inbox?unread=1",
		"/admin/audit?action=login", "/no/such/page", "/hot?days=7&division_code=350206", "/scores?period=week", "/scores?period=year&date=2026-01-01",
		fmt.Sprintf("/scores/%d/cases?metric=assigned", env.Unit(t, "350206004")),
		"/cases/"+pet.Number, "/cases/"+review.Number, "/cases/"+again.Number, "/petitions/backlog?period=year",
		"/petitions/backlog/cases?figure=stock", "/petitions/backlog/cases?figure=risk&period=quarter")
	// Who opens each page (200). The others are refused: 403, or 404 where
	// the page is about a case or a unit they may not see, or sent on (303).
	// A page not listed fails the test: each new page says who may open it.
	const (
		caseWorkers = "intake dispatcher callback jiangtou jiangtou.police gulangyu verifier supervisor huli leader"
		everyone    = caseWorkers + " sysadmin secadmin auditadmin"
		intakers    = "intake dispatcher jiangtou jiangtou.police gulangyu"
		queues      = "intake dispatcher callback jiangtou jiangtou.police gulangyu verifier supervisor huli"
		boards      = "dispatcher supervisor huli leader"
		citywide    = "supervisor leader"
		petitions   = "supervisor huli leader"
		seeCase     = "intake dispatcher callback jiangtou verifier supervisor huli leader"
		seeUnit     = "jiangtou supervisor huli leader"
	)
	unit := fmt.Sprintf("/scores/%d", env.Unit(t, "350206004"))
	opens := map[string]string{
		"/": "", "/no/such/page": "",
		"/intake": intakers, "/intake/repeats": intakers, "/intake/suggest": intakers, "/intake/import": intakers,
		"/queue": queues, "/search": caseWorkers, "/search.csv": caseWorkers, "/search.xlsx": caseWorkers, "/supervision": caseWorkers,
		"/cases/" + n: seeCase, "/cases/" + n + "/reports": seeCase, "/cases/" + n + "/timeline": seeCase, "/cases/" + n + "/attachments": seeCase, "/cases/" + pet.Number: seeCase, "/cases/" + review.Number: seeCase, "/cases/" + again.Number: seeCase,
		"/supervise": boards, "/hot": boards, "/scores": boards, "/scores.csv": boards, "/scores.xlsx": boards, "/scores/report": boards,
		unit: seeUnit, unit + "/cases": seeUnit, unit + "/cases.csv": seeUnit, unit + "/cases.xlsx": seeUnit,
		"/petitions/backlog": petitions, "/petitions/backlog/cases": petitions,
		"/dashboard": citywide, "/dashboard.json": citywide, "/dashboard/districts.geojson": everyone,
		"/inbox": everyone, "/settings": everyone, "/settings/totp": caseWorkers,
		"/admin": "sysadmin secadmin auditadmin", "/admin/users": "sysadmin secadmin", userPage: "sysadmin secadmin", "/admin/audit": "auditadmin",
		"/admin/units": "sysadmin", unitPage: "sysadmin", policyPage: "sysadmin", "/admin/categories": "sysadmin", category: "sysadmin", "/admin/deadlines": "sysadmin", "/admin/routing": "sysadmin",
		"/admin/weights": "sysadmin", "/admin/webhooks": "sysadmin", "/admin/webhooks/deliveries": "sysadmin", delivery: "sysadmin",
	}
	refused := map[string]int{"/": http.StatusSeeOther, "/queue": http.StatusSeeOther, "/settings/totp": http.StatusSeeOther,
		"/no/such/page": http.StatusNotFound}
	want := func(user, path string) int {
		base, query, _ := strings.Cut(path, "?")
		who, ok := opens[base]
		if !ok {
			t.Fatalf("the test does not say who may open %s", path)
		}
		if !slices.Contains(strings.Fields(who), user) {
			if s, ok := refused[base]; ok {
				return s
			}
			if strings.HasPrefix(base, "/cases/") || strings.HasPrefix(base, unit) {
				return http.StatusNotFound
			}
			return http.StatusForbidden
		}
		if query == "" && (strings.HasPrefix(base, unit+"/cases") || base == "/petitions/backlog/cases") {
			return http.StatusBadRequest // which number's cases: metric= or figure= is needed
		}
		return http.StatusOK
	}
	for _, du := range demo.Users {
		var b *browser
		if ri, _ := access.Info(du.Roles[0]); ri.Admin {
			b = signedInAdmin(t, env, du.Username)
		} else {
			b = signedIn(t, env, du.Username)
		}
		for _, lang := range []string{"zh-CN", "en"} {
			b.post("/lang", url.Values{"lang": {lang}})
			for _, path := range pages {
				p := b.get(path)
				switch {
				case p.Status >= 500:
					t.Errorf("%s %s (%s): %d\n%s", du.Username, path, lang, p.Status, excerpt(p.Body))
				case p.Status != want(du.Username, path):
					t.Errorf("%s %s (%s): %d, want %d", du.Username, path, lang, p.Status, want(du.Username, path))
				case p.Status == http.StatusOK && !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
				case p.Status == http.StatusOK && !strings.Contains(p.Body, `<html lang="`+lang+`">`):
					t.Errorf("%s %s: not in %s", du.Username, path, lang)
				case p.Status == http.StatusOK && (!strings.Contains(p.Body, "</html>") || strings.Contains(p.Body, "%!")):
					t.Errorf("%s %s (%s): broken page\n%s", du.Username, path, lang, excerpt(p.Body))
				case p.Status == http.StatusOK && strings.Contains(p.Body, `<a href="/queue"`) != slices.Contains(strings.Fields(queues), du.Username):
					// The navigation offers 待办 to those who have a queue
					// (a leader's would only send them on to 查询).
					t.Errorf("%s %s: the navigation's 待办 link is wrong", du.Username, path)
				}
			}
		}
	}
	if m := web.MissingMessages(); len(m) > 0 {
		t.Errorf("pages asked for texts that do not exist: %v", m)
	}
}

// Administrators manage units, users, categories, deadline policies and
// the calendar on the pages; each change is checked and audited.
func TestAdministrationPages(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin", "secadmin", "auditadmin", "dispatcher")
	sys := signedInAdmin(t, env, "sysadmin")

	// 2027's holiday notice is not out yet (the clock is at 2026-11-26):
	// the page says what that does to deadlines until it is imported.
	p := sys.get("/admin/deadlines")
	mustContain(t, p, "2027 年的放假通知尚未导入", "尚未发布：只有周末休息")
	notice := `{"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`
	if p := sys.postFile("/admin/calendar", nil, "notice", "2027.json", []byte(notice)); p.Status != http.StatusSeeOther {
		t.Fatalf("import 2027's notice: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = sys.get("/admin/deadlines")
	mustNotContain(t, p, "2027 年的放假通知尚未导入", "尚未发布")

	// A deadline policy: a bad limit is refused in words, a good one saved.
	p = sys.post("/admin/policies", url.Values{"new": {"1"}, "name": {"噪音投诉加急"}, "nature": {"complaint"}, "handle": {"3 weeks"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad policy: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "时限格式", `value="噪音投诉加急"`)
	p = sys.post("/admin/policies", url.Values{"new": {"1"}, "name": {"噪音投诉加急"}, "nature": {"complaint"}, "priority": {"urgent"},
		"sign": {"1h"}, "handle": {"2wd"}, "warn_ratio": {"0.5"}, "reply": {"1wd"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("policy: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, sys.get("/admin/deadlines"), "噪音投诉加急", "2个工作日")
	if auditCount(t, env, "deadline_policy.create", audit.OK) != 1 {
		t.Error("policy creation not audited")
	}
	// Counted from acceptance (as the petition policies are), or refused
	// for a start that does not exist.
	p = sys.post("/admin/policies", url.Values{"new": {"1"}, "name": {"建议意见加急"}, "nature": {"petition_suggestion"},
		"priority": {"urgent"}, "sign": {"1h"}, "handle": {"30d"}, "handle_from": {"receipt"}, "warn_ratio": {"0.5"}, "reply": {"1wd"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad start: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = sys.post("/admin/policies", url.Values{"new": {"1"}, "name": {"建议意见加急"}, "nature": {"petition_suggestion"},
		"priority": {"urgent"}, "sign": {"1h"}, "handle": {"30d"}, "handle_from": {"acceptance"}, "warn_ratio": {"0.5"}, "reply": {"1wd"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("policy from acceptance: %d\n%s", p.Status, excerpt(p.Body))
	}
	ps, _ := env.App.Policies.Policies(context.Background())
	if ps[len(ps)-1].Name != "建议意见加急" || ps[len(ps)-1].HandleFrom != deadline.FromAcceptance {
		t.Errorf("saved %+v", ps[len(ps)-1])
	}
	// The list links each policy to its page, which carries its form (a
	// category list in every row's form made the list 10,000 elements).
	pol := fmt.Sprintf("/admin/policies/%d", ps[len(ps)-1].ID)
	list := sys.get("/admin/deadlines")
	mustContain(t, list, "建议意见加急", `<a href="`+pol+`">`)
	mustNotContain(t, list, `/edit"`)
	mustContain(t, sys.get(pol), "建议意见加急", `<option value="acceptance" selected>`, `action="`+pol+`/edit"`, `action="`+pol+`/retire"`)
	// A bad change stays on the policy's page with what was typed.
	p = sys.post(pol+"/edit", url.Values{"name": {"建议意见特急"}, "nature": {"petition_suggestion"}, "handle": {"3 weeks"}, "reply": {"1wd"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad change: %d", p.Status)
	}
	mustContain(t, p, "时限格式", `value="建议意见特急"`, `action="`+pol+`/edit"`)
	if p = sys.post(pol+"/edit", url.Values{"name": {"建议意见特急"}, "nature": {"petition_suggestion"}, "priority": {"urgent"},
		"sign": {"1h"}, "handle": {"20d"}, "handle_from": {"acceptance"}, "warn_ratio": {"0.5"}, "reply": {"1wd"}}); p.Status != http.StatusSeeOther || p.Location != pol+"?flash=admin.saved" {
		t.Fatalf("a change: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}

	// A category: added, then retired.
	sys.get("/admin/categories")
	if p = sys.post("/admin/categories", url.Values{"domain": {"civic"}, "name": {"共享单车乱停放"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("category: %d\n%s", p.Status, excerpt(p.Body))
	}
	// The list links each category to its page, which carries its forms
	// (the list of the catalogue's 700 stays light).
	p = sys.get("/admin/categories?q=" + url.QueryEscape("共享单车乱停放"))
	m := regexp.MustCompile(`href="/admin/categories/(\d+)\?q=`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no link to the category:\n%s", excerpt(p.Body))
	}
	mustNotContain(t, p, "/retire", "/rename")
	mustContain(t, sys.get("/admin/categories/"+m[1]), "共享单车乱停放", `action="/admin/categories/`+m[1]+`/retire"`,
		`action="/admin/categories/`+m[1]+`/rename"`)
	if p := sys.get("/admin/categories/999999"); p.Status != http.StatusNotFound {
		t.Errorf("no such category: %d", p.Status)
	}
	// Its rule of 提级管辖: a bad one is refused with the reason, a good one
	// shows in the list, blanks inherit again.
	if p = sys.post("/admin/categories/"+m[1]+"/escalation", url.Values{"escalate_reports": {"1"}, "escalate_days": {"30"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule of 1 report: %d", p.Status)
	} else {
		mustContain(t, p, "2–100", `action="/admin/categories/`+m[1]+`/escalation"`) // on the category's page
	}
	if p = sys.post("/admin/categories/"+m[1]+"/escalation", url.Values{"escalate_reports": {"2"}, "escalate_days": {"7"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("escalation rule: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, sys.get("/admin/categories?q="+url.QueryEscape("共享单车乱停放")), "7 天内 2 次")
	if p = sys.post("/admin/categories/"+m[1]+"/escalation", url.Values{"escalate_reports": {""}, "escalate_days": {""}}); p.Status != http.StatusSeeOther {
		t.Fatalf("inherit again: %d", p.Status)
	}
	mustContain(t, sys.get("/admin/categories?q="+url.QueryEscape("共享单车乱停放")), "沿用上级")
	if p = sys.post("/admin/categories/"+m[1]+"/retire", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("retire: %d", p.Status)
	}
	mustContain(t, sys.get("/admin/categories?q="+url.QueryEscape("共享单车乱停放")), `class="retired"`)

	// The system administrator may not grant roles (separation of duties);
	// the security administrator may, and the boxes show what is held.
	disp := env.User(t, "dispatcher").User.ID
	if p = sys.post(fmt.Sprintf("/admin/users/%d/roles", disp), url.Values{"role": {"dispatcher", "leader"}}); p.Status < 400 {
		t.Fatalf("sysadmin granted roles: %d", p.Status)
	}
	sec := signedInAdmin(t, env, "secadmin")
	sec.get("/admin/users")
	if p = sec.post(fmt.Sprintf("/admin/users/%d/roles", disp), url.Values{"role": {"dispatcher", "leader"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("secadmin roles: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = sec.get(fmt.Sprintf("/admin/users/%d", disp))
	form := regexp.MustCompile(fmt.Sprintf(`(?s)action="/admin/users/%d/roles".*?</form>`, disp)).FindString(p.Body)
	if !strings.Contains(form, `value="leader" checked`) || !strings.Contains(form, `value="dispatcher" checked`) ||
		strings.Contains(form, `value="handler" checked`) {
		t.Fatalf("role boxes do not show the roles held:\n%s", form)
	}
	u, err := env.App.Org.User(context.Background(), env.App.DB, disp)
	if err != nil || !slices.Contains(u.Roles, access.Leader) {
		t.Fatalf("roles not saved: %v %v", u.Roles, err)
	}

	// The audit administrator verifies the chains on the page.
	aud := signedInAdmin(t, env, "auditadmin")
	aud.get("/admin/audit")
	p = aud.post("/admin/audit/verify", nil)
	mustContain(t, p, "校验通过", "deadline_policy.create")
	if sys.get("/admin/audit").Status != http.StatusForbidden {
		t.Error("the system administrator read the audit log")
	}
}

// Uploads are checked by type, by content and by name; a refused file is
// named in the answer and nothing is attached.
func TestUploadChecks(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou")
	n, _ := dispatched(t, env)
	h := signedIn(t, env, "jiangtou")
	for _, tc := range []struct{ name, want string }{
		{"run.exe", "不支持的文件类型"},
		{"photo.png", "文件内容与扩展名不符"},  // a text file pretending to be a photo
		{"../../etc/passwd.txt", ""}, // the path is dropped, the name kept for display
	} {
		h.get("/cases/" + n)
		p := h.postFile("/cases/"+n+"/attachments", nil, "files", tc.name, []byte("plain text, not a picture"))
		if tc.want == "" {
			if p.Status != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%s", tc.name, p.Status, excerpt(p.Body))
			}
			continue
		}
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.name, p.Status)
		}
		mustContain(t, p, tc.want)
	}
	d, err := env.App.Cases.Get(context.Background(), access.System("test"), n)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Attachments) != 1 || d.Attachments[0].Name != "passwd.txt" {
		t.Fatalf("attachments: %+v", d.Attachments)
	}
}

// Scorecards: the board for leaders, a unit's card with every number
// opening its cases, a handler seeing only their own unit, the export,
// and the weights for the system administrator.
func TestScorecardPages(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "leader", "jiangtou", "gulangyu", "sysadmin")
	if err := demo.LoadCases(context.Background(), env.App, 300, 20, 11, nil); err != nil {
		t.Fatal(err)
	}
	n, _ := dispatched(t, env)
	jt := env.Unit(t, "350206004")
	l := signedIn(t, env, "leader")
	p := l.get("/scores?group=government-street") // the streets' peer group
	mustContain(t, p, "考评排名", "江头街道", "综合得分", fmt.Sprintf("/scores/%d?", jt))
	// The drill-down behind 江头街道's "cases given" lists the case just
	// dispatched to it.
	p = l.get(fmt.Sprintf("/scores/%d/cases?metric=assigned", jt))
	mustContain(t, p, n)
	if sheet := xlsxSheet(t, l.get(fmt.Sprintf("/scores/%d/cases.xlsx?metric=assigned", jt))); !strings.Contains(sheet, n) {
		t.Fatalf("the drill-down's Excel lacks %s", n)
	}
	p = l.get(fmt.Sprintf("/scores/%d", jt))
	mustContain(t, p, "响应率", "满意率", fmt.Sprintf("/scores/%d/cases?metric=responded_on_time", jt),
		"唯“按时响应”与“退回”按派件之日计入") // why 按时签收 and 按时响应 may differ in a month
	if p = l.get(fmt.Sprintf("/scores/%d/cases?metric=bogus", jt)); p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusBadRequest {
		t.Fatalf("unknown metric: %d", p.Status)
	}
	before := auditCount(t, env, "score.export", audit.OK)
	csvPage := l.get("/scores.csv?period=month")
	if csvPage.Status != http.StatusOK || !strings.Contains(csvPage.Body, "江头街道") || auditCount(t, env, "score.export", audit.OK) != before+1 {
		t.Fatalf("export: %d, audited %d", csvPage.Status, auditCount(t, env, "score.export", audit.OK)-before)
	}

	// The month under way says its figures run to today; a month over does not.
	mustContain(t, l.get("/scores/report"), "平安建设考评月度通报（2026-11）", "红榜", "黑榜", "本月全市共受理",
		"（本期尚未结束，数据截至 "+env.Clock.Now().In(env.App.Config.Location()).Format("2006-01-02")+"）")
	october := l.get("/scores/report?date=2026-10-15")
	mustContain(t, october, "平安建设考评月度通报（2026-10）")
	mustNotContain(t, october, "本期尚未结束")
	x := l.get("/scores.xlsx?period=month")
	if sheet := xlsxSheet(t, x); !strings.Contains(sheet, "江头街道") || !strings.Contains(sheet, "综合得分") {
		t.Fatalf("the Excel board:\n%.2000s", sheet)
	}
	if auditCount(t, env, "score.export", audit.OK) != before+2 {
		t.Fatal("the Excel export was not audited")
	}

	// A handler reads their own unit's card, not another's, nor the board.
	h := signedIn(t, env, "jiangtou")
	if p = h.get(fmt.Sprintf("/scores/%d", jt)); p.Status != http.StatusOK {
		t.Fatalf("own card: %d", p.Status)
	}
	g := signedIn(t, env, "gulangyu")
	if p = g.get(fmt.Sprintf("/scores/%d", jt)); p.Status != http.StatusNotFound {
		t.Fatalf("another unit's card: %d", p.Status)
	}
	for _, path := range []string{"/scores/%d/cases?metric=assigned", "/scores/%d/cases.csv?metric=assigned", "/scores/%d/cases.xlsx?metric=assigned"} {
		if p = g.get(fmt.Sprintf(path, jt)); p.Status != http.StatusNotFound {
			t.Fatalf("another unit's drill-down %s: %d", path, p.Status)
		}
	}
	if p = g.get("/scores"); p.Status != http.StatusForbidden {
		t.Fatalf("the board for a handler: %d", p.Status)
	}

	// Weights: checked, saved, shown on the board.
	sys := signedInAdmin(t, env, "sysadmin")
	sys.get("/admin/weights")
	if p = sys.post("/admin/weights", url.Values{"weight_response": {"-3"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("negative weight: %d", p.Status)
	}
	mustContain(t, p, "响应率权重")
	if p = sys.post("/admin/weights", url.Values{"weight_response": {"50"}, "weight_satisfaction": {"50"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("weights: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, l.get("/scores"), "响应率 50 · 满意率 50")
}

// Routing on the pages: the case page explains the suggestion and the
// dispatch form starts on it; an unplaced report waits in the triage tab;
// the system administrator edits the rules.
func TestRoutingPages(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher", "sysadmin")
	ctx := context.Background()
	routed, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "police_110",
		Body: "江头北路有人打架", Address: "湖里区江头北路", Nature: "police_public_order"})
	if err != nil {
		t.Fatal(err)
	}
	lost, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "小区门口垃圾没人清理"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), routed.Case.Number, casework.Register,
		casework.ActionInput{CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}
	d := signedIn(t, env, "dispatcher")
	p := d.get("/cases/" + routed.Case.Number)
	mustContain(t, p, "派遣建议", "地址文字“湖里区、江头”指向江头街道", "警情 → 属地派出所", "建议派往江头派出所")
	sel := regexp.MustCompile(`(?s)<select name="unit_id" id="unit-dispatch".*?</select>`).FindString(p.Body)
	if !regexp.MustCompile(fmt.Sprintf(`value="%d" selected`, routed.Case.RouteUnitID)).MatchString(sel) {
		t.Fatalf("the dispatch form does not start on the suggestion")
	}
	p = d.get("/queue?tab=triage")
	mustContain(t, p, lost.Case.Number, "待分拣")
	mustNotContain(t, p, routed.Case.Number)

	sys := signedInAdmin(t, env, "sysadmin")
	sys.get("/admin/routing")
	if p = sys.post("/admin/routing", url.Values{"name": {"no target"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule without a target: %d", p.Status)
	}
	mustContain(t, p, "须指定派往的单位")
	hb, err := env.App.Org.UnitByCode(ctx, env.App.DB, "DEPT-HB-350200")
	if err != nil {
		t.Fatal(err)
	}
	if p = sys.post("/admin/routing", url.Values{"name": {"噪音 → 市生态环境局"}, "name_en": {"Noise → the city's environment bureau"},
		"category_code": {"C0101"}, "unit_id": {fmt.Sprint(hb.ID)}}); p.Status != http.StatusSeeOther {
		t.Fatalf("rule: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, sys.get("/admin/routing"), "噪音 → 市生态环境局", "Noise → the city&#39;s environment bureau", "厦门市生态环境局",
		"城乡建设 / 安全生产 <code>C0101</code>")
	// In English the case names its rule in English.
	d.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, d.get("/cases/"+routed.Case.Number), "Police incidents → the area&#39;s police station")
	if auditCount(t, env, "routing_rule.create", audit.OK) != 1 {
		t.Fatal("the rule was not audited")
	}
}

// Bulk import on the page: a dry run lists the bad rows by number, an
// import stores the valid ones, the same file again adds nothing.
func TestImportPage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := signedIn(t, env, "intake")
	csv := []byte("来源编号,内容,地址\nA-1,莲前西路路灯不亮,思明区莲前西路\nA-2,,湖里区\n")
	b.get("/intake/import")
	p := b.postFile("/intake/import", url.Values{"mode": {"dry-run"}, "source": {"数字城管"}}, "file", "export.csv", csv)
	mustContain(t, p, "正确 1 行，有问题 1 行", "内容：为必填项", "仅检查，没有导入")
	p = b.postFile("/intake/import", url.Values{"mode": {"valid-rows"}, "source": {"数字城管"}}, "file", "export.csv", csv)
	mustContain(t, p, "本次导入 1 行", "已导入")
	p = b.postFile("/intake/import", url.Values{"mode": {"valid-rows"}, "source": {"数字城管"}}, "file", "export.csv", csv)
	mustContain(t, p, "此前已导入 1 行，本次导入 0 行")
	n, err := env.App.Cases.Count(context.Background(), access.System("test"), casework.Filter{})
	if err != nil || n != 1 {
		t.Fatalf("%d cases (%v)", n, err)
	}
	if p = b.postFile("/intake/import", url.Values{"mode": {"valid-rows"}}, "file", "x.csv", []byte("\xff\xfe\x00")); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a file in another encoding: %d", p.Status)
	}
	mustContain(t, p, "须为 UTF-8 编码的 CSV 或 Excel")
}

// An export writes a deadline as the pages do: one at midnight is the day
// before's 24:00, not the next day's 00:00.
func TestExportWritesDeadlinesAsThePagesDo(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "leader")
	n, _ := dispatched(t, env)
	midnight := time.Date(2026, 12, 12, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env.Exec(t, fmt.Sprintf("UPDATE cases SET deadline_at = %d WHERE number = '%s'", midnight.UnixMicro(), n))
	b := signedIn(t, env, "leader")
	p := b.get("/search.csv?q=" + n)
	mustContain(t, p, n, "2026-12-11 24:00")
	mustNotContain(t, p, "2026-12-12 00:00")
	if sheet := xlsxSheet(t, b.get("/search.xlsx?q="+n)); !strings.Contains(sheet, "2026-12-11 24:00") {
		t.Errorf("the Excel export's deadline:\n%s", sheet)
	}
}

// The intake desk offers the channels a person takes a report from, not
// those a system reports by (Open311, bulk import, an integration); the
// search filters on every channel.
func TestIntakeOffersDeskChannels(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := signedIn(t, env, "intake")
	p := b.get("/intake")
	mustContain(t, p, `<option value="hotline"`, `<option value="visit"`)
	mustNotContain(t, p, `<option value="open311"`, `<option value="import"`, `<option value="api"`)
	mustContain(t, b.get("/search"), `<option value="open311"`)
}

// Without script the callback form still sends an answer with 未能联系;
// the server refuses it on the form, which comes back with the choices made.
func TestCallbackUnreachableWithoutScript(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "callback")
	n := verified(t, env, "已处理")
	cb := signedIn(t, env, "callback")
	mustContain(t, cb.get("/cases/"+n), `data-unknown-when="`+casework.Unreachable+`"`)
	p := cb.post("/cases/"+n+"/actions/callback", url.Values{"satisfaction": {casework.Unreachable}, "resolved": {"yes"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unreachable, answered: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "未能联系到群众时无从得知", `value="yes" checked`)
}
