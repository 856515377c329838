package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/notify"
)

var ctx = context.Background()

// receiver is a webhook endpoint that fails the first failures requests.
type receiver struct {
	mu       sync.Mutex
	failures int
	got      []received
	srv      *httptest.Server
}

type received struct {
	event, delivery, signature string
	body                       []byte
}

func newReceiver(t *testing.T, failures int) *receiver {
	r := &receiver{failures: failures}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got = append(r.got, received{req.Header.Get("X-Pingan-Event"), req.Header.Get("X-Pingan-Delivery"),
			req.Header.Get(notify.SignatureHeader), b})
		if r.failures > 0 {
			r.failures--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func intake(t *testing.T, env *apptest.Env, user string) casework.Case {
	t.Helper()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, user), casework.ReportInput{Channel: "hotline", Body: "路灯不亮"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Case
}

func TestWebhookSignedDeliveryWithRetry(t *testing.T) {
	env := apptest.New(t)
	rcv := newReceiver(t, 2)
	admin := env.Actor(t, "sysadmin")
	hook, secret, err := env.App.Notify.CreateWebhook(ctx, admin, notify.WebhookInput{Name: "市大数据局", URL: rcv.srv.URL, Events: []string{"case.*"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	var stored string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT secret FROM webhooks WHERE id = $1", hook.ID).Scan(&stored); err != nil || strings.Contains(stored, secret[6:]) {
		t.Error("webhook secret stored in the clear")
	}
	c := intake(t, env, "intake")
	// Attempt 1 fails (503): retried after 30 s.
	if n, err := env.App.Notify.DeliverDue(ctx); err != nil || n != 0 {
		t.Fatalf("first attempt: %d %v", n, err)
	}
	ds, _ := env.App.Notify.Deliveries(ctx, admin, notify.DeliveryFilter{WebhookID: hook.ID})
	if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].LastStatus != 503 || !ds[0].NextAttemptAt.Equal(env.Clock.Now().Add(30*time.Second)) {
		t.Fatalf("after a failure: %+v", ds)
	}
	if n, _ := env.App.Notify.DeliverDue(ctx); n != 0 || len(rcv.all()) != 1 {
		t.Fatal("retried before its backoff")
	}
	env.Clock.Advance(30 * time.Second)
	env.App.Notify.DeliverDue(ctx) // attempt 2 fails: next in 60 s
	env.Clock.Advance(time.Minute)
	if n, err := env.App.Notify.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("third attempt: %d %v", n, err)
	}
	got := rcv.all()
	if len(got) != 3 {
		t.Fatalf("%d requests", len(got))
	}
	last := got[2]
	if last.event != "case.receive" || !strings.Contains(string(last.body), c.Number) {
		t.Errorf("payload %s %s", last.event, last.body)
	}
	// Its time in the city's offset, as the API gives times.
	var body struct {
		OccurredAt time.Time `json:"occurred_at"`
	}
	if err := json.Unmarshal(last.body, &body); err != nil {
		t.Fatal(err)
	}
	if _, off := body.OccurredAt.Zone(); off != 8*3600 || !strings.Contains(string(last.body), "+08:00") ||
		!strings.Contains(string(last.body), `"deadline_at"`) || strings.Contains(string(last.body), `Z"`) {
		t.Errorf("times in another offset (occurred_at, data.deadline_at): %s", last.body)
	}
	if !notify.VerifySignature(secret, last.signature, last.body, env.Clock.Now(), 5*time.Minute) {
		t.Errorf("signature %q does not verify", last.signature)
	}
	if notify.VerifySignature(secret, last.signature, append(last.body, ' '), env.Clock.Now(), 5*time.Minute) ||
		notify.VerifySignature("whsec_other", last.signature, last.body, env.Clock.Now(), 5*time.Minute) ||
		notify.VerifySignature(secret, last.signature, last.body, env.Clock.Now().Add(time.Hour), 5*time.Minute) {
		t.Error("a tampered body, a wrong secret or a stale timestamp verifies")
	}
	as, _ := env.App.Notify.Attempts(ctx, admin, ds[0].ID)
	if len(as) != 3 || as[0].Status != 503 || as[2].Status != 204 {
		t.Errorf("attempt log %+v", as)
	}
	// Replay sends it once more.
	if err := env.App.Notify.Replay(ctx, admin, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := env.App.Notify.DeliverDue(ctx); n != 1 || len(rcv.all()) != 4 {
		t.Error("replay did not resend")
	}
	if err := env.App.Notify.Replay(ctx, env.Actor(t, "dispatcher"), ds[0].ID); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("dispatcher replays: %v", err)
	}
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	env := apptest.New(t)
	rcv := newReceiver(t, 1000)
	hook, _, err := env.App.Notify.CreateWebhook(ctx, env.Actor(t, "sysadmin"), notify.WebhookInput{Name: "x", URL: rcv.srv.URL, Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	intake(t, env, "intake")
	for range notify.MaxAttempts + 3 {
		env.App.Notify.DeliverDue(ctx)
		env.Clock.Advance(2 * time.Hour)
	}
	ds, _ := env.App.Notify.Deliveries(ctx, env.Actor(t, "sysadmin"), notify.DeliveryFilter{WebhookID: hook.ID})
	if len(ds) != 1 || ds[0].Attempts != notify.MaxAttempts || ds[0].FailedAt.IsZero() || !ds[0].NextAttemptAt.IsZero() {
		t.Errorf("after giving up: %+v", ds)
	}
	if len(rcv.all()) != notify.MaxAttempts {
		t.Errorf("%d requests, want %d", len(rcv.all()), notify.MaxAttempts)
	}
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 5: 8 * time.Minute, 8: time.Hour, 12: time.Hour} {
		if got := notify.Backoff(n); got != want {
			t.Errorf("backoff after %d: %v, want %v", n, got, want)
		}
	}
}

// Deliveries are an outbox: a change that rolls back leaves none.
func TestOutboxCommitsWithTheChange(t *testing.T) {
	env := apptest.New(t)
	rcv := newReceiver(t, 0)
	if _, _, err := env.App.Notify.CreateWebhook(ctx, env.Actor(t, "sysadmin"), notify.WebhookInput{Name: "x", URL: rcv.srv.URL, Events: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("rolled back")
	err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		if err := env.App.Notify.Emit(ctx, tx, notify.Event{Type: "case.test"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM webhook_deliveries").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d deliveries from a rolled-back change", n)
	}
}

// A webhook for a unit hears only about cases that unit (or one under it)
// is involved in; event patterns filter.
func TestWebhookScopeAndPatterns(t *testing.T) {
	env := apptest.New(t)
	rcv := newReceiver(t, 0)
	admin := env.Actor(t, "sysadmin")
	hook, _, err := env.App.Notify.CreateWebhook(ctx, admin, notify.WebhookInput{Name: "湖里区", URL: rcv.srv.URL,
		UnitID: env.Unit(t, "350206"), Events: []string{"case.dispatch"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []notify.WebhookInput{{Name: "", URL: "ftp://x", Events: nil}, {Name: "x", URL: "http://x", Events: []string{"ca*se"}},
		{Name: "x", URL: "http://x", Events: []string{"bogus.event"}}, {Name: "x", URL: "http://x", Events: []string{"case.*", "cases.*"}}} {
		if _, _, err := env.App.Notify.CreateWebhook(ctx, admin, bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("bad webhook %+v: %v", bad, err)
		}
	}
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102001")
	for _, unit := range []string{"350206004", "350203012"} { // 江头街道 (湖里区), 鼓浪屿街道 (思明区)
		c := intake(t, env, "intake")
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), c.Number, casework.Register, casework.ActionInput{Nature: "complaint", CategoryID: cat.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), c.Number, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, unit)}); err != nil {
			t.Fatal(err)
		}
	}
	ds, _ := env.App.Notify.Deliveries(ctx, admin, notify.DeliveryFilter{WebhookID: hook.ID})
	if len(ds) != 1 || ds[0].Event != "case.dispatch" || !strings.Contains(ds[0].Payload, "XM-2026-000001") {
		t.Errorf("deliveries %+v", ds)
	}
	if err := env.App.Notify.SetWebhookRetired(ctx, admin, hook.ID, true); err != nil {
		t.Fatal(err)
	}
	// Every family is one a pattern may name.
	for _, family := range notify.EventFamilies {
		if _, _, err := env.App.Notify.CreateWebhook(ctx, admin, notify.WebhookInput{Name: family, URL: rcv.srv.URL, Events: []string{family + ".*"}}); err != nil {
			t.Errorf("%s.*: %v", family, err)
		}
	}
	// The deliveries of a webhook there is not: not found, not an empty list.
	if _, err := env.App.Notify.Deliveries(ctx, admin, notify.DeliveryFilter{WebhookID: 999999}); fault.KindOf(err) != fault.NotFound {
		t.Errorf("deliveries of no webhook: %v", err)
	}
}

func TestInbox(t *testing.T) {
	env := apptest.New(t)
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102001")
	for range 3 {
		c := intake(t, env, "intake")
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), c.Number, casework.Register, casework.ActionInput{Nature: "complaint", CategoryID: cat.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), c.Number, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}); err != nil {
			t.Fatal(err)
		}
	}
	h := env.Actor(t, "jiangtou")
	p, err := env.App.Notify.Inbox(ctx, h, false, 0, 2)
	if err != nil || p.Unread != 3 || len(p.Items) != 2 || p.Next == 0 || p.Items[0].Kind != "case.assigned" || p.Items[0].CaseNumber == "" {
		t.Fatalf("inbox %+v %v", p, err)
	}
	if n, err := env.App.Notify.MarkRead(ctx, h, []int64{p.Items[0].ID}); err != nil || n != 1 {
		t.Fatalf("mark one: %d %v", n, err)
	}
	// Another user's message cannot be marked by someone else.
	if n, _ := env.App.Notify.MarkRead(ctx, env.Actor(t, "gulangyu"), []int64{p.Items[1].ID}); n != 0 {
		t.Error("marked someone else's message")
	}
	if u, _ := env.App.Notify.Unread(ctx, h); u != 2 {
		t.Errorf("unread %d", u)
	}
	if n, _ := env.App.Notify.MarkRead(ctx, h, nil); n != 2 {
		t.Errorf("mark all: %d", n)
	}
	if p, _ := env.App.Notify.Inbox(ctx, h, true, 0, 10); len(p.Items) != 0 || p.Unread != 0 {
		t.Errorf("unread after marking all: %+v", p)
	}
	if p, _ := env.App.Notify.Inbox(ctx, env.Actor(t, "gulangyu"), false, 0, 10); len(p.Items) != 0 {
		t.Errorf("another unit sees 江头街道's messages: %+v", p.Items)
	}
}

// Repeat reports on a case its unit has not looked at are one message
// that counts them, with the newest's text; once someone has read it, the
// next repeat is a message of its own.
func TestRepeatReportsGatherInOneMessage(t *testing.T) {
	env := apptest.New(t)
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0102001")
	var cases []casework.Case
	for range 2 {
		c := intake(t, env, "intake")
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "intake"), c.Number, casework.Register, casework.ActionInput{Nature: "complaint", CategoryID: cat.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), c.Number, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	repeat := func(c casework.Case, body string) {
		t.Helper()
		if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", CaseNumber: c.Number, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		repeat(cases[0], fmt.Sprintf("第%d次来电", i+2))
	}
	repeat(cases[1], "另一件的来电")
	h := env.Actor(t, "jiangtou")
	reports := func() []notify.Item {
		t.Helper()
		p, err := env.App.Notify.Inbox(ctx, h, false, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []notify.Item
		for _, it := range p.Items {
			if it.Kind == "case.report" {
				out = append(out, it)
			}
		}
		return out
	}
	got := reports()
	if len(got) != 2 || got[0].CaseNumber != cases[1].Number || got[0].Times != 1 ||
		got[1].CaseNumber != cases[0].Number || got[1].Times != 3 || got[1].Body.ZH != "第4次来电" {
		t.Fatalf("report messages: %+v", got)
	}
	// Another repeat moves the case's notice back to the top, counting 4;
	// the one it replaces is no longer listed or counted.
	unreadBefore, err := env.App.Notify.Unread(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	repeat(cases[0], "第5次来电")
	got = reports()
	if len(got) != 2 || got[0].CaseNumber != cases[0].Number || got[0].Times != 4 || got[0].Body.ZH != "第5次来电" ||
		got[1].CaseNumber != cases[1].Number {
		t.Fatalf("after a fourth repeat, report messages: %+v", got)
	}
	if n, err := env.App.Notify.Unread(ctx, h); err != nil || n != unreadBefore {
		t.Errorf("unread %d (%v) after the gathered notice moved, want %d", n, err, unreadBefore)
	}
	// Read, the next repeat starts a message of its own.
	if _, err := env.App.Notify.MarkRead(ctx, h, []int64{got[0].ID}); err != nil {
		t.Fatal(err)
	}
	repeat(cases[0], "第6次来电")
	got = reports()
	if len(got) != 3 || got[0].CaseNumber != cases[0].Number || got[0].Times != 1 || got[0].Read ||
		!got[1].Read || got[1].Times != 4 || got[2].CaseNumber != cases[1].Number {
		t.Fatalf("after reading, report messages: %+v", got)
	}
}
