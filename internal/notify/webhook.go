package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Webhook is an outbound subscription.
type Webhook struct {
	ID        int64
	Name      string
	URL       string
	UnitID    int64 // 0: every case; otherwise cases involving this unit or one under it
	unitPath  string
	Events    []string // patterns: "*", "case.*", "case.dispatch"
	CreatedAt time.Time
	RetiredAt time.Time
}

// Matches reports whether the webhook wants an event type.
func (w Webhook) Matches(event string) bool {
	for _, p := range w.Events {
		if p == "*" || p == event || (strings.HasSuffix(p, ".*") && strings.HasPrefix(event, strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}

// EventFamilies are the kinds of event there are: a pattern names one
// ("case.*", "supervision.issued") or is "*".
var EventFamilies = []string{"case", "supervision"}

// Event is something that happened, as webhooks report it.
type Event struct {
	Type       string // "case.dispatch", "case.warning", "supervision.issued"…
	CaseID     int64
	CaseNumber string
	Data       map[string]any
}

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" under the webhook's secret>".
const SignatureHeader = "X-Pingan-Signature"

// Sign returns the signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a signature header as a receiver should: the MAC
// matches and the timestamp is within tolerance of now (against replays).
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return false
	}
	t := time.Unix(sec, 0)
	if now.Sub(t) > tolerance || t.Sub(now) > tolerance {
		return false
	}
	_, want, _ := strings.Cut(Sign(secret, t, body), ",v1=")
	return hmac.Equal([]byte(want), []byte(sig))
}

const hookCacheTTL = 10 * time.Second

func (s *Service) activeHooks(ctx context.Context, q db.Querier) ([]Webhook, error) {
	return s.hooks.Get(s.now(), func() ([]Webhook, error) { return s.webhooks(ctx, q, false) })
}

func (s *Service) webhooks(ctx context.Context, q db.Querier, includeRetired bool) ([]Webhook, error) {
	where := " WHERE w.retired_at IS NULL"
	if includeRetired {
		where = ""
	}
	rows, err := q.QueryContext(ctx, `SELECT w.id, w.name, w.url, COALESCE(w.unit_id, 0), COALESCE(u.path, ''), w.events,
		w.created_at, w.retired_at FROM webhooks w LEFT JOIN units u ON u.id = w.unit_id`+where+" ORDER BY w.id")
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		var w Webhook
		var events string
		var created int64
		var retired sql.NullInt64
		if err := rows.Scan(&w.ID, &w.Name, &w.URL, &w.UnitID, &w.unitPath, &events, &created, &retired); err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		w.Events = strings.Split(events, ",")
		w.CreatedAt, w.RetiredAt = time.UnixMicro(created), db.Time(retired)
		out = append(out, w)
	}
	return out, rows.Err()
}

// Webhooks lists every webhook, retired ones too, for the administrator.
func (s *Service) Webhooks(ctx context.Context, actor access.Actor) ([]Webhook, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	return s.webhooks(ctx, s.db, true)
}

// Emit writes an outbox delivery, inside tx, for every webhook that wants e:
// the delivery commits (or not) with the change it reports.
func (s *Service) Emit(ctx context.Context, tx *db.Tx, e Event) error {
	hooks, err := s.activeHooks(ctx, tx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	var paths []string
	now := s.now()
	var payload []byte
	for _, h := range hooks {
		if !h.Matches(e.Type) {
			continue
		}
		if h.UnitID != 0 {
			if paths == nil && e.CaseID != 0 {
				if paths, err = casePaths(ctx, tx, e.CaseID); err != nil {
					return err
				}
			}
			in := false
			for _, p := range paths {
				in = in || strings.HasPrefix(p, h.unitPath)
			}
			if !in {
				continue
			}
		}
		if payload == nil {
			body := map[string]any{"event": e.Type, "occurred_at": now.In(s.loc).Format(time.RFC3339Nano)}
			if e.CaseNumber != "" {
				body["case"] = e.CaseNumber
			}
			if len(e.Data) > 0 {
				body["data"] = e.Data
			}
			if payload, err = json.Marshal(body); err != nil {
				return fmt.Errorf("webhook payload: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at)
			VALUES ($1, $2, $3, $4, $4)`, h.ID, e.Type, string(payload), now.UnixMicro()); err != nil {
			return fmt.Errorf("webhook outbox: %w", err)
		}
		tx.AfterCommit(s.Wake)
	}
	return nil
}

// casePaths returns the tree paths of the units involved in a case.
func casePaths(ctx context.Context, q db.Querier, caseID int64) ([]string, error) {
	out, err := db.Column[string](ctx, q, "SELECT u.path FROM case_units cu JOIN units u ON u.id = cu.unit_id WHERE cu.case_id = $1", caseID)
	if err != nil {
		return nil, fmt.Errorf("case units: %w", err)
	}
	if out == nil {
		out = []string{} // read: the case has no units
	}
	return out, nil
}

// Wake makes the deliverer look for due deliveries now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

const (
	Pending   DeliveryStatus = "pending"   // not sent yet, or waiting to be retried
	Delivered DeliveryStatus = "delivered" // the receiver answered 2xx
	Failed    DeliveryStatus = "failed"    // given up after MaxAttempts
)

// DeliveryStatuses are the statuses in display order.
var DeliveryStatuses = []struct {
	Status DeliveryStatus
	Name   i18n.Message
}{
	{Pending, i18n.M("待发送", "Pending")},
	{Delivered, i18n.M("已送达", "Delivered")},
	{Failed, i18n.M("已放弃", "Failed")},
}

// Status says where the delivery stands.
func (d Delivery) Status() DeliveryStatus {
	switch {
	case !d.DeliveredAt.IsZero():
		return Delivered
	case !d.FailedAt.IsZero():
		return Failed
	}
	return Pending
}

// Delivery is one event for one webhook.
type Delivery struct {
	ID            int64
	WebhookID     int64
	Event         string
	Payload       string
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	DeliveredAt   time.Time
	FailedAt      time.Time
	LastStatus    int
	LastError     string
}

// Attempt is one try at sending a delivery.
type Attempt struct {
	ID       int64
	At       time.Time
	Status   int
	Error    string
	Duration time.Duration
}

// MaxAttempts is how many times a delivery is tried before it is marked
// failed (about 15 hours of backoff); a replay starts it over.
const MaxAttempts = 12

// Backoff is how long to wait after the n-th failed attempt: 30 s doubling,
// at most an hour.
func Backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// DeliverDue sends every delivery that is due and returns how many
// succeeded. Several nodes may run it: a delivery is leased to one at a time.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	now := s.now()
	ids, err := db.IDs(ctx, s.db, `SELECT id FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL
		AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) ORDER BY next_attempt_at LIMIT 100`, now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("due deliveries: %w", err)
	}
	ok := 0
	for _, id := range ids {
		sent, err := s.deliver(ctx, id)
		if err != nil {
			return ok, err
		}
		if sent {
			ok++
		}
	}
	return ok, nil
}

// deliver leases, sends and records one delivery.
func (s *Service) deliver(ctx context.Context, id int64) (bool, error) {
	now := s.now()
	var d Delivery
	var hookURL, sealed string
	leased := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		leased = false
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET locked_until = $1 WHERE id = $2
			AND next_attempt_at IS NOT NULL AND next_attempt_at <= $3 AND (locked_until IS NULL OR locked_until < $3)`,
			now.Add(time.Minute).UnixMicro(), id, now.UnixMicro())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		leased = true
		return tx.QueryRowContext(ctx, `SELECT d.webhook_id, d.event, d.payload, d.attempts, w.url, w.secret
			FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1`, id).
			Scan(&d.WebhookID, &d.Event, &d.Payload, &d.Attempts, &hookURL, &sealed)
	})
	if err != nil || !leased {
		return false, err
	}
	secret, err := s.keys.Open(sealed, "webhook.secret")
	if err != nil {
		return false, fmt.Errorf("webhook %d secret: %w", d.WebhookID, err)
	}
	status, sendErr := 0, error(nil)
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, bytes.NewReader([]byte(d.Payload)))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "pingan-webhook/1")
		req.Header.Set("X-Pingan-Event", d.Event)
		req.Header.Set("X-Pingan-Delivery", strconv.FormatInt(id, 10))
		req.Header.Set(SignatureHeader, Sign(secret, s.now(), []byte(d.Payload)))
		var resp *http.Response
		if resp, err = s.client.Do(req); err == nil {
			status = resp.StatusCode
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
	}
	sendErr = err
	took := time.Since(start)
	success := sendErr == nil && status >= 200 && status < 300
	errText := ""
	switch {
	case sendErr != nil:
		errText = sendErr.Error()
	case !success:
		errText = "HTTP " + strconv.Itoa(status)
	}
	if len(errText) > 500 {
		errText = errText[:500]
	}
	attempts := d.Attempts + 1
	done := s.now()
	err = s.db.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, error, duration_us)
			VALUES ($1, $2, $3, $4, $5)`, id, done.UnixMicro(), db.NullID(int64(status)), errText, took.Microseconds()); err != nil {
			return err
		}
		var next, delivered, failed any
		switch {
		case success:
			delivered = done.UnixMicro()
		case attempts >= MaxAttempts:
			failed = done.UnixMicro()
		default:
			next = done.Add(Backoff(attempts)).UnixMicro()
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = $1, next_attempt_at = $2, delivered_at = $3,
			failed_at = $4, locked_until = NULL, last_status = $5, last_error = $6 WHERE id = $7`,
			attempts, next, delivered, failed, db.NullID(int64(status)), errText, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record delivery %d: %w", id, err)
	}
	if !success {
		s.log.Warn("webhook delivery failed", "delivery", id, "attempt", attempts, "err", errText)
	}
	return success, nil
}

// RunDeliveries sends deliveries as they fall due until ctx ends.
func (s *Service) RunDeliveries(ctx context.Context, poll time.Duration) {
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("webhook deliveries", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-time.After(poll):
		}
	}
}

// WebhookInput creates or changes a webhook.
type WebhookInput struct {
	Name   string
	URL    string
	UnitID int64
	Events []string
}

var (
	msgAdminOnly = i18n.M("只有系统管理员可以管理 Webhook", "only a system administrator may manage webhooks")
	msgURL       = i18n.M("须为 http:// 或 https:// 开头的完整地址", "must be a full http:// or https:// address")
	msgEvents    = i18n.M("至少需要一个事件类型，如 *、case.*、case.dispatch", "needs at least one event pattern: *, case.*, case.dispatch")
	msgWebhook   = i18n.M("推送地址", "webhook")
	msgBadEvent  = i18n.M("事件类型无效：%s（应为 *、case.* 或 supervision.* 之类）", "invalid event pattern: %s (use *, case.*, supervision.* or one event)")
	msgBadUnit   = i18n.M("单位不存在", "no such unit")
)

// mayManage is the one rule for webhooks: only the system administrator
// (or pingan itself) sees and manages them.
func mayManage(a access.Actor) error {
	if a.System || a.Has(access.SysAdmin) {
		return nil
	}
	return fault.New(fault.Forbidden, "forbidden", msgAdminOnly)
}

// requireAdmin is mayManage for changes: a refusal is audited.
func (s *Service) requireAdmin(ctx context.Context, a access.Actor, action, objType string, id int64) error {
	if err := mayManage(a); err != nil {
		return s.audit.Refuse(ctx, s.db, entry(a, action, objType, id, nil), err)
	}
	return nil
}

func entry(a access.Actor, action, objType string, id int64, detail map[string]any) audit.Entry {
	return audit.Entry{ActorID: a.UserID, ActorName: a.Username, UnitID: a.UnitID, Action: action,
		ObjectType: objType, ObjectID: strconv.FormatInt(id, 10), Detail: detail, RemoteAddr: a.RemoteAddr}
}

func (in *WebhookInput) validate(ctx context.Context, q db.Querier) error {
	var v fault.Validation
	in.Name, in.URL = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL)
	switch {
	case in.Name == "":
		v.Add("name", fault.Required)
	case utf8.RuneCountInString(in.Name) > 60:
		v.Add("name", fault.TooLong, 60)
	}
	if u, err := url.Parse(in.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(in.URL) > 500 {
		v.Add("url", msgURL)
	}
	var events []string
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		family, _, _ := strings.Cut(e, ".")
		if strings.ContainsAny(e, ", ") || (strings.Contains(e, "*") && e != "*" && !strings.HasSuffix(e, ".*")) ||
			(e != "*" && !slices.Contains(EventFamilies, family)) {
			v.Add("events", msgBadEvent, e)
		}
		events = append(events, e)
	}
	if len(events) == 0 {
		v.Add("events", msgEvents)
	}
	in.Events = events
	if in.UnitID != 0 {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM units WHERE id = $1", in.UnitID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v.Add("unit_id", msgBadUnit)
		}
	}
	return v.Err()
}

// CreateWebhook adds a webhook and returns its signing secret, shown once.
func (s *Service) CreateWebhook(ctx context.Context, actor access.Actor, in WebhookInput) (Webhook, string, error) {
	if err := s.requireAdmin(ctx, actor, "webhook.create", "webhook", 0); err != nil {
		return Webhook{}, "", err
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Webhook{}, "", err
	}
	secret := "whsec_" + hex.EncodeToString(raw[:])
	sealed, err := s.keys.Seal(secret, "webhook.secret")
	if err != nil {
		return Webhook{}, "", err
	}
	var out Webhook
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := in.validate(ctx, tx); err != nil {
			return err
		}
		var id int64
		now := s.now().UnixMicro()
		if err := tx.QueryRowContext(ctx, `INSERT INTO webhooks (name, url, secret, unit_id, events, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, in.Name, in.URL, sealed, db.NullID(in.UnitID),
			strings.Join(in.Events, ","), now).Scan(&id); err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		hs, err := s.webhooks(ctx, tx, true)
		if err != nil {
			return err
		}
		for _, h := range hs {
			if h.ID == id {
				out = h
			}
		}
		return s.audit.Append(ctx, tx, entry(actor, "webhook.create", "webhook", id,
			map[string]any{"name": in.Name, "url": in.URL, "events": in.Events, "unit_id": in.UnitID}))
	})
	s.hooks.Flush()
	return out, secret, err
}

// SetWebhookRetired stops (or restarts) a webhook; pending deliveries stay.
func (s *Service) SetWebhookRetired(ctx context.Context, actor access.Actor, id int64, retired bool) error {
	action := "webhook.restore"
	if retired {
		action = "webhook.retire"
	}
	if err := s.requireAdmin(ctx, actor, action, "webhook", id); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM webhooks WHERE id = $1", id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fault.NotFoundf(msgWebhook, id)
		}
		if err := tx.SetRetired(ctx, "webhooks", "id", id, retired, s.now()); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, action, "webhook", id, nil))
	})
	s.hooks.Flush()
	return err
}

// DeliveryFilter narrows the delivery log.
type DeliveryFilter struct {
	WebhookID int64 // 0: every webhook's
	Status    DeliveryStatus
	Before    int64 // page: deliveries older than this id
	Limit     int   // 1–200, default 50
}

const deliveryColumns = `id, webhook_id, event, payload, created_at, attempts, next_attempt_at, delivered_at, failed_at,
	COALESCE(last_status, 0), last_error`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var created int64
	var next, delivered, failed sql.NullInt64
	if err := sc.Scan(&d.ID, &d.WebhookID, &d.Event, &d.Payload, &created, &d.Attempts, &next, &delivered, &failed,
		&d.LastStatus, &d.LastError); err != nil {
		return Delivery{}, err
	}
	d.CreatedAt, d.NextAttemptAt, d.DeliveredAt, d.FailedAt = time.UnixMicro(created), db.Time(next), db.Time(delivered), db.Time(failed)
	return d, nil
}

var msgBadStatus = i18n.M("投递状态无效：%s", "invalid delivery status: %s")

// Deliveries lists deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, actor access.Actor, f DeliveryFilter) ([]Delivery, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if f.WebhookID != 0 {
		var n int
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM webhooks WHERE id = $1", f.WebhookID).Scan(&n); err != nil {
			return nil, fmt.Errorf("deliveries: %w", err)
		}
		if n == 0 {
			return nil, fault.NotFoundf(msgWebhook, f.WebhookID)
		}
		args = append(args, f.WebhookID)
		where = append(where, fmt.Sprintf("webhook_id = $%d", len(args)))
	}
	switch f.Status {
	case "":
	case Delivered:
		where = append(where, "delivered_at IS NOT NULL")
	case Failed:
		where = append(where, "failed_at IS NOT NULL")
	case Pending:
		where = append(where, "delivered_at IS NULL AND failed_at IS NULL")
	default:
		return nil, fault.InvalidField("status", msgBadStatus, string(f.Status))
	}
	if f.Before > 0 {
		args = append(args, f.Before)
		where = append(where, fmt.Sprintf("id < $%d", len(args)))
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := "SELECT " + deliveryColumns + " FROM webhook_deliveries"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, q+fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit), args...)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Delivery returns one delivery.
func (s *Service) Delivery(ctx context.Context, actor access.Actor, id int64) (Delivery, error) {
	if err := mayManage(actor); err != nil {
		return Delivery{}, err
	}
	d, err := scanDelivery(s.db.QueryRowContext(ctx, "SELECT "+deliveryColumns+" FROM webhook_deliveries WHERE id = $1", id))
	if db.IsNotFound(err) {
		return Delivery{}, fault.NotFoundf(i18n.M("推送记录", "delivery"), id)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("delivery %d: %w", id, err)
	}
	return d, nil
}

// Attempts lists the tries at one delivery, oldest first.
func (s *Service) Attempts(ctx context.Context, actor access.Actor, deliveryID int64) ([]Attempt, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, COALESCE(status, 0), error, duration_us FROM webhook_attempts
		WHERE delivery_id = $1 ORDER BY id`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	defer rows.Close()
	out := []Attempt{}
	for rows.Next() {
		var a Attempt
		var at, us int64
		if err := rows.Scan(&a.ID, &at, &a.Status, &a.Error, &us); err != nil {
			return nil, err
		}
		a.At, a.Duration = time.UnixMicro(at), time.Duration(us)*time.Microsecond
		out = append(out, a)
	}
	return out, rows.Err()
}

// Replay sends a delivery again now, whatever happened to it before.
func (s *Service) Replay(ctx context.Context, actor access.Actor, deliveryID int64) error {
	if err := s.requireAdmin(ctx, actor, "webhook.replay", "webhook_delivery", deliveryID); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $1, delivered_at = NULL,
			failed_at = NULL, attempts = 0, locked_until = NULL WHERE id = $2`, s.now().UnixMicro(), deliveryID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf(i18n.M("推送记录", "delivery"), deliveryID)
		}
		tx.AfterCommit(s.Wake)
		return s.audit.Append(ctx, tx, entry(actor, "webhook.replay", "webhook_delivery", deliveryID, nil))
	})
}
