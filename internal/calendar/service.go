package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Service keeps the holiday notices in the database, so that an imported
// year reaches every node.
type Service struct {
	db     *db.DB
	audit  *audit.Log
	loc    *time.Location
	office []Window
	now    func() time.Time

	mu     sync.Mutex
	cur    *Calendar
	loaded time.Time
}

// cacheTTL bounds how long another node's import takes to be seen here.
const cacheTTL = time.Minute

// NewService returns the calendar service; office may be nil.
func NewService(d *db.DB, a *audit.Log, loc *time.Location, office []Window, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, audit: a, loc: loc, office: office, now: now}
}

// Seed stores the notices shipped with pingan for the years it has none of,
// and refreshes shipped ones that a newer pingan ships differently; an
// administrator's import is never overwritten.
func (s *Service) Seed(ctx context.Context) (int, error) {
	notices, err := Embedded()
	if err != nil {
		return 0, err
	}
	changed := 0
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		changed = 0
		for _, n := range notices {
			raw, err := json.Marshal(n)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO calendar_notices (year, notice, source, updated_at) VALUES ($1, $2, 'embedded', $3)
				ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, updated_at = excluded.updated_at
				WHERE calendar_notices.source = 'embedded' AND calendar_notices.notice <> excluded.notice`,
				n.Year, string(raw), s.now().UnixMicro())
			if err != nil {
				return fmt.Errorf("seed holiday notice %d: %w", n.Year, err)
			}
			k, _ := res.RowsAffected()
			changed += int(k)
		}
		if changed == 0 {
			return nil
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorName: "seed", Action: "calendar.seed", ObjectType: "calendar",
			ObjectID: "*", Detail: map[string]any{"years": changed}})
	})
	s.flush()
	return changed, err
}

func (s *Service) flush() {
	s.mu.Lock()
	s.cur = nil
	s.mu.Unlock()
}

// Calendar returns the current calendar.
func (s *Service) Calendar(ctx context.Context) (*Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if age := s.now().Sub(s.loaded); s.cur != nil && age >= 0 && age < cacheTTL {
		return s.cur, nil
	}
	notices, err := s.notices(ctx)
	if err != nil {
		return nil, err
	}
	var ns []Notice
	for _, n := range notices {
		ns = append(ns, n.Notice)
	}
	s.cur, s.loaded = New(s.loc, ns, s.office), s.now()
	return s.cur, nil
}

// StoredNotice is a notice with where it came from.
type StoredNotice struct {
	Notice
	Source    string // embedded or import
	UpdatedAt time.Time
}

func (s *Service) notices(ctx context.Context) ([]StoredNotice, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT notice, source, updated_at FROM calendar_notices ORDER BY year")
	if err != nil {
		return nil, fmt.Errorf("read holiday notices: %w", err)
	}
	defer rows.Close()
	var out []StoredNotice
	for rows.Next() {
		var raw, source string
		var at int64
		if err := rows.Scan(&raw, &source, &at); err != nil {
			return nil, fmt.Errorf("read holiday notices: %w", err)
		}
		n, err := ParseNotice([]byte(raw))
		if err != nil {
			return nil, fmt.Errorf("stored holiday notice: %w", err)
		}
		out = append(out, StoredNotice{Notice: n, Source: source, UpdatedAt: time.UnixMicro(at)})
	}
	return out, rows.Err()
}

// Notices lists the stored notices by year.
func (s *Service) Notices(ctx context.Context) ([]StoredNotice, error) { return s.notices(ctx) }

var (
	msgAdminOnly = i18n.M("只有系统管理员可以导入节假日安排", "only a system administrator may import holiday arrangements")
	msgBadNotice = i18n.M("节假日安排无效：%s", "invalid holiday arrangement: %s")
	msgNoDays    = i18n.M("安排中没有任何日期", "the arrangement lists no days")
)

// Import stores (or replaces) one year's notice, in holiday-cn's format.
func (s *Service) Import(ctx context.Context, actor access.Actor, raw []byte) (Notice, error) {
	if !actor.System && !actor.Has(access.SysAdmin) {
		return Notice{}, s.audit.Refuse(ctx, s.db, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username,
			UnitID: actor.UnitID, Action: "calendar.import", ObjectType: "calendar", ObjectID: "*", RemoteAddr: actor.RemoteAddr},
			fault.New(fault.Forbidden, "forbidden", msgAdminOnly))
	}
	n, err := ParseNotice(raw)
	if err != nil {
		return Notice{}, fault.InvalidField("notice", msgBadNotice, err.Error())
	}
	if len(n.Days) == 0 {
		return Notice{}, fault.InvalidField("notice", msgNoDays)
	}
	clean, err := json.Marshal(n)
	if err != nil {
		return Notice{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_notices (year, notice, source, updated_at) VALUES ($1, $2, 'import', $3)
			ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, source = 'import', updated_at = excluded.updated_at`,
			n.Year, string(clean), s.now().UnixMicro()); err != nil {
			return fmt.Errorf("import holiday notice %d: %w", n.Year, err)
		}
		off, work := 0, 0
		for _, d := range n.Days {
			if d.Off {
				off++
			} else {
				work++
			}
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "calendar.import", ObjectType: "calendar", ObjectID: strconv.Itoa(n.Year), RemoteAddr: actor.RemoteAddr,
			Detail: map[string]any{"holidays": off, "makeup_workdays": work, "papers": n.Papers}})
	})
	s.flush()
	return n, err
}
