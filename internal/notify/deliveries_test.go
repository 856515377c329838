package notify_test

import (
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/notify"
)

// The delivery log filters by webhook and status and pages newest first;
// only the system administrator reads it or lists webhooks.
func TestDeliveryLogFilters(t *testing.T) {
	env := apptest.New(t)
	admin := env.Actor(t, "sysadmin")
	ok, failing := newReceiver(t, 0), newReceiver(t, 1000)
	good, _, err := env.App.Notify.CreateWebhook(ctx, admin, notify.WebhookInput{Name: "ok", URL: ok.srv.URL, Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	bad, _, err := env.App.Notify.CreateWebhook(ctx, admin, notify.WebhookInput{Name: "down", URL: failing.srv.URL, Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		intake(t, env, "intake") // one case.receive each, to both webhooks
	}
	env.App.Notify.DeliverDue(ctx) // ok's deliver; down's fail once and wait
	// The newest of down's has been tried all but once: its next try
	// gives up.
	var last notify.Delivery
	if ds, err := env.App.Notify.Deliveries(ctx, admin, notify.DeliveryFilter{WebhookID: bad.ID}); err != nil || len(ds) != 3 {
		t.Fatalf("down's deliveries: %d %v", len(ds), err)
	} else {
		last = ds[0]
	}
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE webhook_deliveries SET attempts = $1 WHERE id = $2", notify.MaxAttempts-1, last.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Minute)
	env.App.Notify.DeliverDue(ctx)
	for _, tc := range []struct {
		f    notify.DeliveryFilter
		want int
	}{
		{notify.DeliveryFilter{}, 6},
		{notify.DeliveryFilter{WebhookID: good.ID}, 3},
		{notify.DeliveryFilter{Status: notify.Delivered}, 3},
		{notify.DeliveryFilter{WebhookID: bad.ID, Status: notify.Pending}, 2},
		{notify.DeliveryFilter{Status: notify.Failed}, 1},
		{notify.DeliveryFilter{WebhookID: good.ID, Status: notify.Failed}, 0},
	} {
		ds, err := env.App.Notify.Deliveries(ctx, admin, tc.f)
		if err != nil || len(ds) != tc.want {
			t.Errorf("deliveries %+v: %d (%v), want %d", tc.f, len(ds), err, tc.want)
		}
		for _, d := range ds {
			if (tc.f.Status != "" && d.Status() != tc.f.Status) || (tc.f.WebhookID != 0 && d.WebhookID != tc.f.WebhookID) {
				t.Errorf("deliveries %+v lists %+v", tc.f, d)
			}
		}
	}
	// Pages of four, newest first.
	first, _ := env.App.Notify.Deliveries(ctx, admin, notify.DeliveryFilter{Limit: 4})
	rest, _ := env.App.Notify.Deliveries(ctx, admin, notify.DeliveryFilter{Limit: 4, Before: first[3].ID})
	if len(first) != 4 || len(rest) != 2 || rest[0].ID >= first[3].ID {
		t.Errorf("pages: %d then %d", len(first), len(rest))
	}
	// One delivery, with its attempts.
	d, err := env.App.Notify.Delivery(ctx, admin, last.ID)
	if err != nil || d.Status() != notify.Failed || d.Attempts != notify.MaxAttempts || d.LastStatus != 503 {
		t.Errorf("the failed delivery: %+v %v", d, err)
	}
	if _, err := env.App.Notify.Delivery(ctx, admin, 999999); fault.KindOf(err) != fault.NotFound {
		t.Errorf("no such delivery: %v", err)
	}
	if _, err := env.App.Notify.Deliveries(ctx, admin, notify.DeliveryFilter{Status: "lost"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("an unknown status: %v", err)
	}
	// Everyone else is refused every read; a refused replay is audited.
	for _, user := range []string{"supervisor", "secadmin", "auditadmin", "jiangtou"} {
		a := env.Actor(t, user)
		if _, err := env.App.Notify.Webhooks(ctx, a); fault.KindOf(err) != fault.Forbidden {
			t.Errorf("%s lists webhooks: %v", user, err)
		}
		if _, err := env.App.Notify.Deliveries(ctx, a, notify.DeliveryFilter{}); fault.KindOf(err) != fault.Forbidden {
			t.Errorf("%s reads the log: %v", user, err)
		}
		if _, err := env.App.Notify.Delivery(ctx, a, d.ID); fault.KindOf(err) != fault.Forbidden {
			t.Errorf("%s reads a delivery: %v", user, err)
		}
		if _, err := env.App.Notify.Attempts(ctx, a, d.ID); fault.KindOf(err) != fault.Forbidden {
			t.Errorf("%s reads attempts: %v", user, err)
		}
	}
	if err := env.App.Notify.Replay(ctx, env.Actor(t, "supervisor"), d.ID); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("a supervisor replays: %v", err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "webhook.replay"})
	if err != nil || len(recs) != 1 || recs[0].Outcome != audit.Denied || recs[0].ObjectType != "webhook_delivery" {
		t.Errorf("the refused replay's audit: %+v %v", recs, err)
	}
	if hs, err := env.App.Notify.Webhooks(ctx, admin); err != nil || len(hs) != 2 {
		t.Errorf("the administrator's webhooks: %d %v", len(hs), err)
	}
}
