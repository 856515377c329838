// Package notify tells people and systems what happened: an in-app inbox
// per user and unit, and outbound webhooks whose deliveries are written in
// the same transaction as the change they report (an outbox), then sent,
// signed with HMAC-SHA256, retried with backoff, logged and replayable.
package notify

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/i18n"
	"pingan/internal/secret"
)

// Service is the inbox and the webhooks.
type Service struct {
	db     *db.DB
	audit  *audit.Log
	keys   *secret.Keyring
	log    *slog.Logger
	loc    *time.Location
	now    func() time.Time
	client *http.Client

	hooks db.Cache[[]Webhook] // the active webhooks
	wake  chan struct{}
}

// NewService returns the notification service; webhook payloads give
// their times in loc (the city's, as the API does).
func NewService(d *db.DB, a *audit.Log, keys *secret.Keyring, log *slog.Logger, loc *time.Location, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		loc = time.UTC
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, audit: a, keys: keys, log: log, loc: loc, now: now, wake: make(chan struct{}, 1), hooks: db.Cache[[]Webhook]{TTL: hookCacheTTL},
		client: &http.Client{Timeout: 10 * time.Second}}
}

// Message is one inbox notification, to everyone in a unit or one user.
type Message struct {
	UnitID  int64
	UserID  int64 // 0: the whole unit
	Kind    string
	CaseID  int64
	OrderID int64
	Title   i18n.Message // in both languages (i18n.Message.Fill, i18n.Plain)
	Body    i18n.Message
	// Gather makes a message on a case join the unread one of its kind on
	// that case to the same addressee: it replaces that one at the top of
	// the inbox, counting both (Item.Times), with its own text and time.
	// Every repeat report on a case is then one notice, however many come
	// before someone looks.
	Gather bool
	// Subject names what the message asks its addressee to act on (such
	// as "credential_reset:17"); Settle marks every message about it
	// settled once it is.
	Subject string
	// At is when the message was sent; zero for now. Only what tells of a
	// step taken earlier (the demo's inbox, its cases loaded directly)
	// sets it.
	At time.Time
}

// Notify adds a message to the inbox inside tx. A message to a user whose
// account is disabled goes to the whole unit instead: someone must read it.
func (s *Service) Notify(ctx context.Context, tx *db.Tx, m Message) error {
	if m.UnitID == 0 {
		return nil
	}
	if m.UserID != 0 {
		var disabled sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT disabled_at FROM users WHERE id = $1", m.UserID).Scan(&disabled); err != nil {
			return fmt.Errorf("notify user %d: %w", m.UserID, err)
		}
		if disabled.Valid {
			m.UserID = 0
		}
	}
	title, titleEN := i18n.Message{ZH: clip(m.Title.ZH), EN: clip(m.Title.EN)}.Columns()
	body, bodyEN := m.Body.Columns()
	times, replaces := 1, int64(0)
	if m.Gather && m.CaseID != 0 {
		err := tx.QueryRowContext(ctx, `SELECT n.id, n.times FROM notifications n WHERE n.case_id = $1 AND n.unit_id = $2 AND n.kind = $3
			AND COALESCE(n.user_id, 0) = $4 AND n.superseded_by IS NULL
			AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id)
			ORDER BY n.id DESC LIMIT 1`, m.CaseID, m.UnitID, m.Kind, m.UserID).Scan(&replaces, &times)
		switch {
		case db.IsNotFound(err):
			times = 1
		case err != nil:
			return fmt.Errorf("notify unit %d: gather: %w", m.UnitID, err)
		default:
			times++
		}
	}
	at := m.At
	if at.IsZero() {
		at = s.now()
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO notifications (unit_id, user_id, kind, case_id, order_id, title, body, title_en, body_en,
		created_at, times, subject) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, m.UnitID, db.NullID(m.UserID),
		m.Kind, db.NullID(m.CaseID), db.NullID(m.OrderID), title, body, titleEN, bodyEN,
		at.UnixMicro(), times, db.NullText(m.Subject)).Scan(&id)
	if err != nil {
		return fmt.Errorf("notify unit %d: %w", m.UnitID, err)
	}
	// The notice it gathers is replaced by this one, on top of the inbox:
	// superseded, not deleted (a reader marking it read at this moment, on
	// PostgreSQL, refers to it).
	if replaces != 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE notifications SET superseded_by = $1 WHERE id = $2 AND superseded_by IS NULL", id, replaces); err != nil {
			return fmt.Errorf("notify unit %d: gather: %w", m.UnitID, err)
		}
	}
	return nil
}

// clip bounds a notice's title.
func clip(title string) string {
	if utf8.RuneCountInString(title) > 200 {
		return string([]rune(title)[:200])
	}
	return title
}

// Settle marks every message about subject (Message.Subject) settled, in
// tx: it reads as read to everyone, with note (what became of it) after its
// text, and is no longer counted unread. It returns how many it marked.
func (s *Service) Settle(ctx context.Context, tx *db.Tx, subject string, note i18n.Message) (int, error) {
	// body_en '' reads as body: the English note goes after whichever it is.
	res, err := tx.ExecContext(ctx, `UPDATE notifications SET settled_at = $1,
		body = CASE WHEN body = '' THEN $2 ELSE body || ' ' || $2 END,
		body_en = CASE WHEN body_en = '' AND body = '' THEN $3 WHEN body_en = '' THEN body || ' ' || $3 ELSE body_en || ' ' || $3 END
		WHERE subject = $4 AND settled_at IS NULL`, s.now().UnixMicro(), note.ZH, note.EN, subject)
	if err != nil {
		return 0, fmt.Errorf("settle notices of %s: %w", subject, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Item is a message as its reader sees it.
type Item struct {
	ID         int64
	UnitID     int64
	UserID     int64
	Kind       string
	CaseID     int64
	CaseNumber string
	OrderID    int64
	Title      i18n.Message
	Body       i18n.Message
	CreatedAt  time.Time // of the newest event it stands for
	Read       bool
	Times      int  // events it stands for (Message.Gather)
	Settled    bool // what it asked for was settled (Service.Settle); Read too
}

// Page of the inbox, newest first.
type Page struct {
	Items  []Item
	Unread int
	Next   int64 // pass as before for older items; 0 on the last page
}

// inboxWhere selects the actor's messages ($1 the user, $2 the unit): to
// the actor or the actor's unit, and not replaced by a newer one.
const inboxWhere = "(n.user_id = $1 OR (n.user_id IS NULL AND n.unit_id = $2)) AND n.superseded_by IS NULL"

// Unread counts the actor's unread messages: to the actor, or to the actor's
// unit.
func (s *Service) Unread(ctx context.Context, actor access.Actor) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications n WHERE `+inboxWhere+` AND n.settled_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = $1 AND r.notification_id = n.id)`,
		actor.UserID, actor.UnitID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread: %w", err)
	}
	return n, nil
}

// Inbox returns a page of the actor's messages.
func (s *Service) Inbox(ctx context.Context, actor access.Actor, unreadOnly bool, before int64, limit int) (Page, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := `SELECT n.id, n.unit_id, COALESCE(n.user_id, 0), n.kind, COALESCE(n.case_id, 0), COALESCE(c.number, ''),
		COALESCE(n.order_id, 0), n.title, n.body, n.title_en, n.body_en, n.created_at, n.times, n.settled_at IS NOT NULL,
		EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = $1 AND r.notification_id = n.id)
		FROM notifications n LEFT JOIN cases c ON c.id = n.case_id WHERE ` + inboxWhere
	args := []any{actor.UserID, actor.UnitID}
	if before > 0 {
		args = append(args, before)
		q += fmt.Sprintf(" AND n.id < $%d", len(args))
	}
	if unreadOnly {
		q += " AND n.settled_at IS NULL AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = $1 AND r.notification_id = n.id)"
	}
	rows, err := s.db.QueryContext(ctx, q+fmt.Sprintf(" ORDER BY n.id DESC LIMIT %d", limit+1), args...)
	if err != nil {
		return Page{}, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		var it Item
		var at int64
		var title, body, titleEN, bodyEN string
		if err := rows.Scan(&it.ID, &it.UnitID, &it.UserID, &it.Kind, &it.CaseID, &it.CaseNumber, &it.OrderID, &title,
			&body, &titleEN, &bodyEN, &at, &it.Times, &it.Settled, &it.Read); err != nil {
			return Page{}, fmt.Errorf("inbox: %w", err)
		}
		it.Title, it.Body = i18n.Stored(title, titleEN), i18n.Stored(body, bodyEN)
		it.CreatedAt = time.UnixMicro(at)
		it.Read = it.Read || it.Settled
		p.Items = append(p.Items, it)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("inbox: %w", err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.Next = p.Items[limit-1].ID
	}
	p.Unread, err = s.Unread(ctx, actor)
	return p, err
}

// MarkRead marks the given messages (all of the actor's when ids is empty)
// read for the actor; messages not addressed to the actor are ignored.
func (s *Service) MarkRead(ctx context.Context, actor access.Actor, ids []int64) (int, error) {
	var marked int
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		q := `INSERT INTO notification_reads (user_id, notification_id, read_at)
			SELECT $1, n.id, $3 FROM notifications n WHERE ` + inboxWhere + `
			AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = $1 AND r.notification_id = n.id)`
		args := []any{actor.UserID, actor.UnitID, s.now().UnixMicro()}
		if len(ids) > 0 {
			q += " AND n.id IN (" + db.Placeholders(4, len(ids)) + ")"
			for _, id := range ids {
				args = append(args, id)
			}
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		n, _ := res.RowsAffected()
		marked = int(n)
		return nil
	})
	return marked, err
}
