package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/notify"
	"pingan/internal/org"
	"pingan/internal/supervision"
)

// unreadBadge is the unread count the navigation shows (0: no badge).
func unreadBadge(t testing.TB, p page) int {
	t.Helper()
	m := regexp.MustCompile(`id="unread"[^>]*>(\d+)<`).FindStringSubmatch(p.Body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// hookReceiver answers 503 to its first request and 204 after.
type hookReceiver struct {
	mu  sync.Mutex
	n   int
	srv *httptest.Server
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.n++
		if h.n == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// The system administrator adds a webhook on its page (the secret shown
// once), an event makes a delivery, its failed and successful attempts show
// in the log, a replay sends it again, and retiring stops new deliveries.
// Other roles are refused every page, and refused changes are audited.
func TestWebhookPages(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	setPasswords(t, env, "sysadmin", "secadmin", "supervisor")
	rcv := newHookReceiver(t)
	admin := signedInAdmin(t, env, "sysadmin")
	mustContain(t, admin.get("/admin"), `href="/admin/webhooks"`)
	mustContain(t, admin.get("/admin/webhooks"), "尚无 Webhook")

	// Bad input: every problem said, in Chinese.
	p := admin.post("/admin/webhooks", url.Values{"name": {"市大数据局"}, "url": {"ftp://data.xm.gov.cn"}, "events": {"ca*se"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad webhook: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "须为 http:// 或 https:// 开头的完整地址", "事件类型无效：ca*se")

	p = admin.post("/admin/webhooks", url.Values{"name": {"市大数据局"}, "url": {rcv.srv.URL + "/hook"}, "unit_id": {""},
		"events": {"case.*, supervision.*"}})
	if p.Status != http.StatusOK {
		t.Fatalf("add webhook: %d\n%s", p.Status, excerpt(p.Body))
	}
	secret := regexp.MustCompile(`<code class="secret" id="webhook-secret">(whsec_[0-9a-f]+)</code>`).FindStringSubmatch(p.Body)
	if secret == nil || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the secret is not shown once (Cache-Control %q):\n%s", p.Header.Get("Cache-Control"), excerpt(p.Body))
	}
	hooks, err := env.App.Notify.Webhooks(ctx, env.Actor(t, "sysadmin"))
	if err != nil || len(hooks) != 1 || strings.Join(hooks[0].Events, " ") != "case.* supervision.*" || hooks[0].UnitID != 0 {
		t.Fatalf("webhooks %+v %v", hooks, err)
	}
	hook := hooks[0]
	list := admin.get("/admin/webhooks")
	mustContain(t, list, rcv.srv.URL+"/hook", "<code>case.*</code>", "<code>supervision.*</code>", "全部案件（对接系统）", "正常")
	mustNotContain(t, list, secret[1])
	if n := auditCount(t, env, "webhook.create", "ok"); n != 1 {
		t.Errorf("%d webhook.create records", n)
	}

	// An event: a case taken in makes a pending delivery.
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "路灯不亮"})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := env.App.Notify.Deliveries(ctx, env.Actor(t, "sysadmin"), notify.DeliveryFilter{WebhookID: hook.ID})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
	d := ds[0]
	detail := fmt.Sprintf("/admin/webhooks/deliveries/%d", d.ID)
	pending := admin.get("/admin/webhooks/deliveries?status=pending")
	mustContain(t, pending, `href="`+detail+`"`, "case.receive", "待发送")
	mustNotContain(t, admin.get("/admin/webhooks/deliveries?status=delivered"), `href="`+detail+`"`)

	// The first attempt fails: the detail shows it and the next retry.
	if _, err := env.App.Notify.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	next := env.Clock.Now().Add(notify.Backoff(1)).In(env.App.Config.Location()).Format("2006-01-02 15:04")
	p = admin.get(detail)
	mustContain(t, p, "<td>503</td>", "HTTP 503", "下次重试", next, res.Case.Number)
	env.Clock.Advance(time.Minute)
	if n, err := env.App.Notify.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("second attempt: %d %v", n, err)
	}
	mustContain(t, admin.get("/admin/webhooks/deliveries?status=delivered&webhook="+fmt.Sprint(hook.ID)), `href="`+detail+`"`, "已送达")
	mustContain(t, admin.get(detail), "<td>204</td>", "已送达")

	// Replay: a POST with the form's token, audited, then a new attempt.
	admin.get(detail)
	p = admin.post(detail+"/replay", nil)
	if p.Status != http.StatusSeeOther || p.Location != detail+"?flash=webhooks.replayed" {
		t.Fatalf("replay: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if n := auditCount(t, env, "webhook.replay", "ok"); n != 1 {
		t.Errorf("%d webhook.replay records", n)
	}
	mustContain(t, admin.get(p.Location), "已安排重新推送", "待发送")
	if n, err := env.App.Notify.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("replayed: %d %v", n, err)
	}
	if as, _ := env.App.Notify.Attempts(ctx, env.Actor(t, "sysadmin"), d.ID); len(as) != 3 {
		t.Errorf("%d attempts after the replay, want 3", len(as))
	}
	if got := strings.Count(admin.get(detail).Body, "<td>204</td>"); got != 2 {
		t.Errorf("the detail shows %d successful attempts, want 2", got)
	}
	// An unknown status filter is said, not ignored.
	mustContain(t, admin.get("/admin/webhooks/deliveries?status=lost"), "投递状态无效：lost")

	// Others: refused every page and form; the refused changes audited.
	sup := signedIn(t, env, "supervisor")
	sec := signedInAdmin(t, env, "secadmin")
	for _, b := range []*browser{sup, sec} {
		for _, path := range []string{"/admin/webhooks", "/admin/webhooks/deliveries", detail} {
			if p := b.get(path); p.Status != http.StatusForbidden {
				t.Errorf("GET %s: %d, want 403", path, p.Status)
			}
		}
		b.get("/settings")
		for _, path := range []string{"/admin/webhooks", fmt.Sprintf("/admin/webhooks/%d/retire", hook.ID), detail + "/replay"} {
			if p := b.post(path, url.Values{"name": {"x"}, "url": {"https://x.example"}, "events": {"*"}}); p.Status != http.StatusForbidden {
				t.Errorf("POST %s: %d, want 403", path, p.Status)
			}
		}
	}
	for _, action := range []string{"webhook.create", "webhook.retire", "webhook.replay"} {
		if n := auditCount(t, env, action, "denied"); n != 2 {
			t.Errorf("%d refused %s records, want 2", n, action)
		}
	}
	if hs, _ := env.App.Notify.Webhooks(ctx, env.Actor(t, "sysadmin")); len(hs) != 1 || !hs[0].RetiredAt.IsZero() {
		t.Errorf("a refused form changed the webhooks: %+v", hs)
	}

	// Retired: listed as such, and the next event makes no delivery.
	admin.get("/admin/webhooks")
	if p := admin.post(fmt.Sprintf("/admin/webhooks/%d/retire", hook.ID), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("retire: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, admin.get("/admin/webhooks"), "已停用", fmt.Sprintf(`action="/admin/webhooks/%d/restore"`, hook.ID))
	if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "井盖缺失"}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := env.App.Notify.Deliveries(ctx, env.Actor(t, "sysadmin"), notify.DeliveryFilter{}); len(ds) != 1 {
		t.Errorf("%d deliveries after retiring, want 1", len(ds))
	}
}

// ledgerOrders issues orders through the service — a reminder on each of
// reminders cases dispatched to 江头街道 (one at a time awaits its reply on
// a case), a notice on the first, an interview on a case of 鼓浪屿街道 —
// and returns the first case's number and 鼓浪屿's.
func ledgerOrders(t *testing.T, env *apptest.Env, reminders int) (string, string) {
	t.Helper()
	ctx := context.Background()
	jt, _ := dispatched(t, env)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "鼓浪屿龙头路商户占道经营。", Nature: "complaint"})
	if err != nil {
		t.Fatal(err)
	}
	gly := res.Case.Number
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), gly, casework.Register, casework.ActionInput{CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), gly, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350203012")}); err != nil {
		t.Fatal(err)
	}
	sup := env.Actor(t, "supervisor")
	due := env.Clock.Now().Add(20 * 24 * time.Hour)
	issue := func(number string, kind supervision.Kind, reason string) {
		if _, err := env.App.Supervision.Issue(ctx, sup, number, supervision.IssueInput{Kind: kind, Reason: reason, ReplyDueAt: due}); err != nil {
			t.Fatal(err)
		}
	}
	issue(gly, supervision.Interview, "约谈鼓浪屿街道分管领导")
	for i := range reminders {
		n := jt
		if i > 0 {
			n, _ = dispatched(t, env)
		}
		issue(n, supervision.Remind, fmt.Sprintf("第%d次催办", i+1))
	}
	issue(jt, supervision.Notice, "全市通报")
	return jt, gly
}

// The ledger: a handling unit opens its own orders (and only those) from
// the navigation and answers one there; a supervisor filters the scope by
// unit, kind, state and date, and pages through it with a real count.
func TestLedgerPage(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	setPasswords(t, env, "jiangtou", "gulangyu", "supervisor", "sysadmin")
	jt, gly := ledgerOrders(t, env, 50) // 江头街道: 50 reminders and a notice; 鼓浪屿街道: an interview

	h := signedIn(t, env, "jiangtou")
	p := h.get("/supervision")
	mustContain(t, p, `href="/supervision" aria-current="page"`, "共 51 件督办单", jt, `action="/supervision/`)
	mustNotContain(t, p, gly, "约谈鼓浪屿街道分管领导")
	// Asking for another unit's orders shows none of them.
	p = h.get(fmt.Sprintf("/supervision?unit_id=%d", env.Unit(t, "350203012")))
	mustContain(t, p, "共 0 件督办单")
	mustNotContain(t, p, gly)
	g := signedIn(t, env, "gulangyu")
	p = g.get("/supervision")
	mustContain(t, p, "共 1 件督办单", gly, "约谈鼓浪屿街道分管领导")
	mustNotContain(t, p, jt)

	// Answering from the ledger comes back to the ledger as it was.
	open, err := env.App.Supervision.Ledger(ctx, env.Actor(t, "jiangtou"), supervision.Filter{State: supervision.Open, Limit: 1})
	if err != nil || len(open) != 1 {
		t.Fatal(open, err)
	}
	back := "/supervision?state=open"
	h.get(back)
	p = h.post("/supervision/"+open[0].Number+"/reply", url.Values{"reply": {"已安排专人跟进"}, "to": {back}})
	if p.Status != http.StatusSeeOther || p.Location != back+"&flash=case.replied" {
		t.Fatalf("reply from the ledger: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if o, _ := env.App.Supervision.Get(ctx, env.Actor(t, "jiangtou"), open[0].Number); o.State != supervision.Replied || o.Reply != "已安排专人跟进" {
		t.Errorf("after the reply: %+v", o)
	}
	mustContain(t, h.get(back), "共 49 件督办单")

	// The supervisor's filters, each with its count.
	s := signedIn(t, env, "supervisor")
	today := env.Clock.Now().In(env.App.Config.Location()).Format("2006-01-02")
	tomorrow := env.Clock.Now().In(env.App.Config.Location()).AddDate(0, 0, 1).Format("2006-01-02")
	for query, want := range map[string]int{
		"": 52,
		"unit_id=" + fmt.Sprint(env.Unit(t, "350206004")): 51,
		"unit_id=" + fmt.Sprint(env.Unit(t, "350203012")): 1,
		"kind=interview":   1,
		"kind=notice":      1,
		"kind=auto":        0,
		"state=open":       50,
		"state=replied":    1,
		"state=noted":      1,
		"from=" + today:    52,
		"from=" + tomorrow: 0,
		"to=" + today:      52,
		"kind=remind&state=replied&from=" + today + "&to=" + today: 1,
	} {
		p := s.get("/supervision?" + query)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d\n%s", query, p.Status, excerpt(p.Body))
		}
		mustContain(t, p, fmt.Sprintf("共 %d 件督办单", want))
	}
	// Fifty to a page, newest first; the next page holds the rest.
	p = s.get("/supervision")
	more := regexp.MustCompile(`href="/supervision\?&amp;before=(\d+)"`).FindStringSubmatch(p.Body)
	if more == nil || strings.Count(p.Body, `<tr class="order-`) != 50 {
		t.Fatalf("first page: %d orders, more %v", strings.Count(p.Body, `<tr class="order-`), more)
	}
	mustNotContain(t, p, "约谈鼓浪屿街道分管领导") // the oldest order
	p = s.get("/supervision?before=" + more[1])
	if n := strings.Count(p.Body, `<tr class="order-`); n != 2 {
		t.Errorf("second page: %d orders, want 2", n)
	}
	mustContain(t, p, "约谈鼓浪屿街道分管领导", "共 52 件督办单")
	mustNotContain(t, p, `before=`)
	// A filtered list's next page keeps its filters: the one order left of
	// Jiangtou's 51, not Gulangyu's.
	jiangtou := fmt.Sprint(env.Unit(t, "350206004"))
	p = s.get("/supervision?unit_id=" + jiangtou + "&from=" + today)
	more = regexp.MustCompile(`href="/supervision\?(from=` + today + `&amp;unit_id=` + jiangtou + `&amp;before=\d+)"`).FindStringSubmatch(p.Body)
	if more == nil {
		t.Fatalf("the filtered first page's next link does not keep the filters:\n%s", excerpt(p.Body))
	}
	p = s.get("/supervision?" + html.UnescapeString(more[1]))
	if n := strings.Count(p.Body, `<tr class="order-`); n != 1 {
		t.Errorf("filtered second page: %d orders, want 1", n)
	}
	mustContain(t, p, "共 51 件督办单")
	mustNotContain(t, p, "约谈鼓浪屿街道分管领导")
	// Bad filters are said in Chinese.
	mustContain(t, s.get("/supervision?from=2026-13-01"), "起始日期")
	mustContain(t, s.get("/supervision?kind=scold"), "督办方式无效：scold")
	// The overview counts open orders with the same query.
	mustContain(t, s.get("/supervise"), `<a class="stat" href="/supervision?state=open"><strong>50</strong>`)
	// No ledger for an administrator, and no link to it.
	a := signedInAdmin(t, env, "sysadmin")
	if p := a.get("/supervision"); p.Status != http.StatusForbidden {
		t.Errorf("administrator's ledger: %d", p.Status)
	}
	mustNotContain(t, a.get("/admin"), `href="/supervision"`)
}

// A supervisor issues each kind of order from the case page; the handling
// unit answers on the same page. Orders, replies, timeline, inbox (with the
// unread badge, only the issuer's) and audit all follow.
func TestIssueAndReplyOnCasePage(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	setPasswords(t, env, "supervisor", "verifier", "jiangtou", "gulangyu")
	n, _ := dispatched(t, env)
	s := signedIn(t, env, "supervisor")
	mustContain(t, s.get("/cases/"+n), `action="/cases/`+n+`/supervision"`, `<option value="remind" selected>催办</option>`, `<option value="onsite" >实地督办</option>`)

	// Bad input stays on the case page with the reason.
	p := s.post("/cases/"+n+"/supervision", url.Values{"kind": {"remind"}, "reason": {" "}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("no reason: %d", p.Status)
	}
	past := env.Clock.Now().Add(-time.Hour).In(env.App.Config.Location()).Format("2006-01-02T15:04")
	p = s.post("/cases/"+n+"/supervision", url.Values{"kind": {"remind"}, "reason": {"请尽快"}, "reply_due_at": {past}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a reply time in the past: %d", p.Status)
	}
	mustContain(t, p, "须晚于当前时间", "请尽快")

	due := env.Clock.Now().Add(72 * time.Hour).In(env.App.Config.Location())
	kinds := []supervision.Kind{supervision.Remind, supervision.Interview, supervision.Onsite, supervision.Notice}
	for i, k := range kinds {
		form := url.Values{"kind": {string(k)}, "reason": {"督办理由" + string(k)}}
		if i == 0 {
			form.Set("reply_due_at", due.Format("2006-01-02T15:04"))
		}
		s.get("/cases/" + n)
		p := s.post("/cases/"+n+"/supervision", form)
		if p.Status != http.StatusSeeOther || p.Location != "/cases/"+n+"?flash=case.supervised" {
			t.Fatalf("issue %s: %d %s\n%s", k, p.Status, p.Location, excerpt(p.Body))
		}
	}
	// The reminder again, while the first awaits its reply: said on the
	// form, with the reason kept, and nothing issued.
	p = s.post("/cases/"+n+"/supervision", url.Values{"kind": {"remind"}, "reason": {"再催一次"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a second reminder: %d", p.Status)
	}
	mustContain(t, p, "已有同类督办（催办 DB-", "再催一次")
	os, err := env.App.Supervision.Ledger(ctx, access.System("test"), supervision.Filter{CaseNumber: n})
	if err != nil || len(os) != len(kinds) {
		t.Fatalf("orders %+v %v", os, err)
	}
	byKind := map[supervision.Kind]supervision.Order{}
	for _, o := range os {
		byKind[o.Kind] = o
		if o.Automatic || o.FromUnitID != env.Unit(t, "PLC-350200") || o.ToUnitID != env.Unit(t, "350206004") ||
			o.IssuedBy != env.User(t, "supervisor").User.ID || o.Reason.ZH != "督办理由"+string(o.Kind) {
			t.Errorf("order %+v", o)
		}
	}
	if !byKind[supervision.Remind].ReplyDueAt.Equal(due.Truncate(time.Minute)) || byKind[supervision.Remind].State != supervision.Open {
		t.Errorf("the reminder's reply time %v, want %v", byKind[supervision.Remind].ReplyDueAt, due)
	}
	if o := byKind[supervision.Notice]; o.State != supervision.Noted || !o.ReplyDueAt.IsZero() {
		t.Errorf("a notice takes no reply: %+v", o)
	}
	if got := auditCount(t, env, "supervision.issue", "ok"); got != len(kinds) {
		t.Errorf("%d supervision.issue records, want %d", got, len(kinds))
	}

	// A handler may not issue; the refusal is audited.
	h := signedIn(t, env, "jiangtou")
	page := h.get("/cases/" + n)
	mustNotContain(t, page, `action="/cases/`+n+`/supervision"`)
	if p := h.post("/cases/"+n+"/supervision", url.Values{"kind": {"remind"}, "reason": {"自己督办自己"}}); p.Status != http.StatusForbidden {
		t.Errorf("handler issues: %d", p.Status)
	}
	if got := auditCount(t, env, "supervision.issue", "denied"); got != 2 { // the second reminder's and the handler's
		t.Errorf("%d refused supervision.issue records, want 2", got)
	}
	// The handling unit sees a reply form on each open order, none on the
	// notice.
	if got := strings.Count(page.Body, `/reply" class="stack"`); got != 3 {
		t.Errorf("%d reply forms, want 3", got)
	}
	mustNotContain(t, page, `action="/supervision/`+byKind[supervision.Notice].Number+`/reply"`)

	// The reply: to the supervisor alone, with the unread badge.
	before := unreadBadge(t, s.get("/settings"))
	verifierBefore := unreadBadge(t, signedIn(t, env, "verifier").get("/settings"))
	o := byKind[supervision.Interview]
	h.get("/cases/" + n)
	if p := h.post("/supervision/"+o.Number+"/reply", url.Values{"reply": {" "}}); p.Status != http.StatusBadRequest {
		t.Errorf("an empty reply: %d", p.Status)
	}
	h.get("/cases/" + n)
	p = h.post("/supervision/"+o.Number+"/reply", url.Values{"reply": {"已约谈施工方负责人，明日整改"}})
	if p.Status != http.StatusSeeOther || p.Location != "/cases/"+n+"?flash=case.replied" {
		t.Fatalf("reply: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	mustContain(t, h.get("/cases/"+n), "已约谈施工方负责人，明日整改")
	if got, _ := env.App.Supervision.Get(ctx, env.Actor(t, "jiangtou"), o.Number); got.State != supervision.Replied ||
		got.RepliedBy != env.User(t, "jiangtou").User.ID {
		t.Errorf("after the reply: %+v", got)
	}
	if got := auditCount(t, env, "supervision.reply", "ok"); got != 1 {
		t.Errorf("%d supervision.reply records", got)
	}
	tl, err := env.App.Cases.Timeline(ctx, access.System("test"), n)
	if err != nil || tl[len(tl)-1].Action != casework.SuperviseReply || !strings.Contains(tl[len(tl)-1].Note.ZH, o.Number) {
		t.Errorf("timeline ends %+v (%v)", tl[len(tl)-1], err)
	}
	// Someone outside the unit's scope cannot see the order to answer it.
	gb := signedIn(t, env, "gulangyu")
	if p := gb.post("/supervision/"+byKind[supervision.Onsite].Number+"/reply", url.Values{"reply": {"x"}}); p.Status != http.StatusNotFound {
		t.Errorf("another unit answers: %d", p.Status)
	}

	p = s.get("/inbox")
	if got := unreadBadge(t, p); got != before+1 {
		t.Fatalf("the supervisor's badge: %d, want %d", got, before+1)
	}
	mustContain(t, p, "督办已回复："+o.Number)
	// The same notice in English, for a reader who asks for it.
	en := signedIn(t, env, "supervisor")
	en.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, en.get("/inbox"), "Supervision answered: "+o.Number)
	// And the case's timeline: the orders' notes in English, the reply
	// as its writer wrote it.
	mustContain(t, en.get("/cases/"+n), "Interview "+o.Number+": ", o.Number+": 已约谈施工方负责人，明日整改")
	mustNotContain(t, en.get("/cases/"+n), "约谈 "+o.Number)
	// Its deadline policy by its English name.
	got, err := env.App.Cases.Get(ctx, access.System("test"), n)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := env.App.Policies.Get(ctx, env.App.DB, got.Case.PolicyID)
	if err != nil || pol.NameEN == "" {
		t.Fatalf("the case's policy %+v has no English name (%v)", pol, err)
	}
	mustContain(t, en.get("/cases/"+n), "<dd>"+pol.NameEN+"</dd>")
	if got := unreadBadge(t, signedIn(t, env, "verifier").get("/inbox")); got != verifierBefore {
		t.Errorf("a colleague's badge moved: %d, was %d", got, verifierBefore)
	}
	mustNotContain(t, signedIn(t, env, "verifier").get("/inbox"), "督办已回复")
	// Reading the message drops the badge.
	id := regexp.MustCompile(`name="id" value="(\d+)"><input type="hidden" name="to"`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatalf("no open link:\n%s", excerpt(p.Body))
	}
	p = s.post("/inbox/read", url.Values{"id": {id[1]}, "to": {"/cases/" + n}})
	if p.Status != http.StatusSeeOther || p.Location != "/cases/"+n {
		t.Fatalf("open the message: %d %s", p.Status, p.Location)
	}
	if got := unreadBadge(t, s.get("/inbox")); got != before {
		t.Errorf("after reading: badge %d, want %d", got, before)
	}
}

// The decision on an extension goes to the handler who asked for it: the
// badge and the inbox show it to them, not to a colleague in the unit.
func TestExtensionDecisionReachesTheRequester(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	setPasswords(t, env, "jiangtou", "supervisor")
	colleague, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: "jiangtou2", Name: "何平",
		UnitID: env.Unit(t, "350206004"), Roles: []access.Role{access.Handler}})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.ResetPassword(ctx, access.System("test"), colleague.ID, password); err != nil {
		t.Fatal(err)
	}
	n, _ := dispatched(t, env)
	c, err := env.App.Cases.Do(ctx, env.Actor(t, "jiangtou"), n, casework.Sign, casework.ActionInput{})
	if err != nil {
		t.Fatal(err)
	}
	h, other := signedIn(t, env, "jiangtou"), signedIn(t, env, "jiangtou2")
	h.get("/cases/" + n)
	want := c.DueAt.AddDate(0, 0, 10).In(env.App.Config.Location()).Format("2006-01-02T15:04")
	if p := h.post("/cases/"+n+"/actions/request_extension", url.Values{"due_at": {want}, "reason": {"需等待管线迁改"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("request: %d\n%s", p.Status, excerpt(p.Body))
	}
	before, otherBefore := unreadBadge(t, h.get("/settings")), unreadBadge(t, other.get("/settings"))
	s := signedIn(t, env, "supervisor")
	s.get("/cases/" + n)
	if p := s.post("/cases/"+n+"/actions/approve_extension", url.Values{"note": {"同意"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", p.Status, excerpt(p.Body))
	}
	p := h.get("/inbox?unread=1")
	if got := unreadBadge(t, p); got != before+1 {
		t.Errorf("the requester's badge: %d, want %d", got, before+1)
	}
	mustContain(t, p, "延期申请已批准："+n)
	p = other.get("/inbox")
	if got := unreadBadge(t, p); got != otherBefore {
		t.Errorf("the colleague's badge: %d, want %d", got, otherBefore)
	}
	mustNotContain(t, p, "延期申请已批准")
	// A denial says so, whatever the note.
	h.get("/cases/" + n)
	later := c.DueAt.AddDate(0, 0, 20).In(env.App.Config.Location()).Format("2006-01-02T15:04")
	if p := h.post("/cases/"+n+"/actions/request_extension", url.Values{"due_at": {later}, "reason": {"仍需等待"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("request again: %d\n%s", p.Status, excerpt(p.Body))
	}
	s.get("/cases/" + n)
	if p := s.post("/cases/"+n+"/actions/deny_extension", url.Values{"reason": {"理由不充分"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("deny: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, h.get("/inbox?unread=1"), "延期申请未获批准："+n)
}

// leftText is how the pages write a time span.
func leftText(d time.Duration) string {
	h := int(d.Hours())
	switch {
	case h >= 24:
		return fmt.Sprintf("%d天%d小时", h/24, h%24)
	case h > 0:
		return fmt.Sprintf("%d小时%d分", h, int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d分钟", int(d.Minutes()))
}

// The case page shows the deadline's colour and the time left (or past)
// as the clock moves: green, yellow after the warning, red after the
// deadline.
func TestDeadlineBadgeOnCasePage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou")
	n, _ := dispatched(t, env)
	c, err := env.App.Cases.Get(context.Background(), access.System("test"), n)
	if err != nil {
		t.Fatal(err)
	}
	due, warn := c.Case.DeadlineAt, c.Case.WarnAt
	if due.IsZero() || warn.IsZero() || !warn.Before(due) {
		t.Fatalf("deadline %v, warning %v", due, warn)
	}
	// A deadline at midnight is the end of the day before: 24:00, not the
	// next day's 00:00.
	local := due.In(env.App.Config.Location())
	if local.Hour() != 0 || local.Minute() != 0 {
		t.Fatalf("the deadline %s is not at a day's end", local)
	}
	deadline := "期限 " + local.AddDate(0, 0, -1).Format("2006-01-02") + " 24:00"
	for _, step := range []struct {
		at        time.Time
		rag, name string
		left      string
	}{
		{env.Clock.Now(), "green", "正常", "剩余 " + leftText(due.Sub(env.Clock.Now()))},
		{warn.Add(time.Minute), "yellow", "临期", "剩余 " + leftText(due.Sub(warn.Add(time.Minute)))},
		{due.Add(26 * time.Hour), "red", "超期", "已超期 1天2小时"},
	} {
		env.Clock.Advance(step.at.Sub(env.Clock.Now()))
		p := signedIn(t, env, "jiangtou").get("/cases/" + n) // a session would have timed out

		mustContain(t, p, fmt.Sprintf(`<span class="rag rag-%s">%s</span> <strong>%s</strong>`, step.rag, step.name, step.left))
		if !strings.Contains(p.Body, deadline) {
			t.Errorf("%s: the page lacks %q", step.rag, deadline)
		}
	}
}

// TestSuperviseListsTheMostPressing: the supervision view lists the 20
// cases most overdue, counts all of them, and links to the whole list.
func TestSuperviseListsTheMostPressing(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "supervisor")
	var numbers []string
	for range 22 {
		n, _ := dispatched(t, env)
		numbers = append(numbers, n)
	}
	env.Clock.Advance(30 * 24 * time.Hour)
	p := signedIn(t, env, "supervisor").get("/supervise")
	mustContain(t, p, `<span class="count">22</span>`, "全部 22 件，按期限排序")
	shown := 0
	for _, n := range numbers {
		if strings.Contains(p.Body, `href="/cases/`+n+`"`) {
			shown++
		}
	}
	if shown != 20 {
		t.Errorf("%d of the 22 overdue cases listed, want 20", shown)
	}
}
