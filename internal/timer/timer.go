// Package timer keeps durable timers: each fires exactly once — across
// restarts (a timer missed while pingan was down fires when it starts) and
// across several nodes on one PostgreSQL database (the node that claims it
// fires it; the claim and the timer's effects commit together). Pending
// timers are found through an index on their due time alone: nothing scans
// the cases.
package timer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"pingan/internal/db"
)

// Kind names what a timer is for.
type Kind string

// Timer is one pending timer.
type Timer struct {
	ID      int64
	Kind    Kind
	Subject int64 // what it is about: a case, a supervision order…
	DueAt   time.Time

	attempts int
}

// Handler does a timer's work inside the transaction that claims it; an
// error rolls both back and the timer stays pending.
type Handler func(ctx context.Context, tx *db.Tx, t Timer, now time.Time) error

// fireConcurrency is how many timers fire at once.
const fireConcurrency = 16

// Service schedules and fires timers.
type Service struct {
	db   *db.DB
	log  *slog.Logger
	now  func() time.Time
	node string

	mu       sync.Mutex
	handlers map[Kind]Handler

	wake chan struct{}
	// Poll bounds how long a timer set by another node waits to be noticed.
	Poll time.Duration
}

// NewService returns the timer service.
func NewService(d *db.DB, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail
	return &Service{db: d, log: log, now: now, node: hex.EncodeToString(b[:]), handlers: map[Kind]Handler{},
		wake: make(chan struct{}, 1), Poll: time.Second}
}

// Handle registers the handler of a kind.
func (s *Service) Handle(k Kind, h Handler) {
	s.mu.Lock()
	s.handlers[k] = h
	s.mu.Unlock()
}

// Set makes at the one pending time of kind for subject, inside tx: other
// pending timers of that kind and subject are cancelled; a zero at cancels
// them all.
func (s *Service) Set(ctx context.Context, tx *db.Tx, kind Kind, subject int64, at time.Time) error {
	now := s.now().UnixMicro()
	rows, err := tx.QueryContext(ctx, `SELECT id, due_at FROM timers
		WHERE subject_id = $1 AND kind = $2 AND fired_at IS NULL AND cancelled_at IS NULL`, subject, kind)
	if err != nil {
		return fmt.Errorf("set timer %s %d: %w", kind, subject, err)
	}
	keep := false
	var stale []int64
	for rows.Next() {
		var id, due int64
		if err := rows.Scan(&id, &due); err != nil {
			rows.Close()
			return fmt.Errorf("set timer %s %d: %w", kind, subject, err)
		}
		if !at.IsZero() && due == at.UnixMicro() && !keep {
			keep = true
		} else {
			stale = append(stale, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("set timer %s %d: %w", kind, subject, err)
	}
	for _, id := range stale {
		if _, err := tx.ExecContext(ctx, "UPDATE timers SET cancelled_at = $1 WHERE id = $2", now, id); err != nil {
			return fmt.Errorf("cancel timer %d: %w", id, err)
		}
	}
	if keep || at.IsZero() {
		return nil
	}
	return s.Add(ctx, tx, kind, subject, at)
}

// Add is Set for a subject that has no pending timer of kind — one created
// in tx — without looking for timers to cancel.
func (s *Service) Add(ctx context.Context, tx *db.Tx, kind Kind, subject int64, at time.Time) error {
	if at.IsZero() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO timers (kind, subject_id, due_at, created_at) VALUES ($1, $2, $3, $4)",
		kind, subject, at.UnixMicro(), s.now().UnixMicro()); err != nil {
		return fmt.Errorf("set timer %s %d: %w", kind, subject, err)
	}
	tx.AfterCommit(s.Wake)
	return nil
}

// Wake makes the runner look for due timers now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Next returns when the earliest pending timer is due (zero if none).
func (s *Service) Next(ctx context.Context) (time.Time, error) {
	return s.earliest(ctx, "due_at")
}

// NextFire returns when the earliest pending timer can fire: its due time,
// or its retry's when its work failed and waits (zero when none is
// pending). Unlike Next it reads every pending timer, not the index's
// first: for a replay of a loaded history (the demo), not for the runner.
func (s *Service) NextFire(ctx context.Context) (time.Time, error) {
	return s.earliest(ctx, "CASE WHEN retry_at > due_at THEN retry_at ELSE due_at END")
}

// earliest is the least of when (µs) over the pending timers; zero for none.
func (s *Service) earliest(ctx context.Context, when string) (time.Time, error) {
	var at *int64
	if err := s.db.QueryRowContext(ctx, "SELECT MIN("+when+") FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL").
		Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("next timer: %w", err)
	}
	if at == nil {
		return time.Time{}, nil
	}
	return time.UnixMicro(*at), nil
}

// DueQuery finds a page of the timers due at $1 (µs): what the runner reads,
// through the partial index of pending timers on due_at.
const DueQuery = `SELECT id, kind, subject_id, due_at, attempts FROM timers
	WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1 AND (retry_at IS NULL OR retry_at <= $1)
	ORDER BY due_at LIMIT 200`

// FireDue fires every timer due now and returns how many this node fired.
func (s *Service) FireDue(ctx context.Context) (int, error) {
	fired, pages := 0, 0
	for {
		now := s.now()
		rows, err := s.db.QueryContext(ctx, DueQuery, now.UnixMicro())
		if err != nil {
			return fired, fmt.Errorf("due timers: %w", err)
		}
		var due []Timer
		for rows.Next() {
			var t Timer
			var at int64
			if err := rows.Scan(&t.ID, &t.Kind, &t.Subject, &at, &t.attempts); err != nil {
				rows.Close()
				return fired, fmt.Errorf("due timers: %w", err)
			}
			t.DueAt = time.UnixMicro(at)
			due = append(due, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fired, fmt.Errorf("due timers: %w", err)
		}
		// Fire concurrently, each timer in its own transaction; the timers
		// of one subject go to one worker, one after another, so that they
		// do not contend for the subject's rows.
		var mu sync.Mutex
		work := make([]chan Timer, min(fireConcurrency, len(due)))
		var wg sync.WaitGroup
		for i := range work {
			work[i] = make(chan Timer, len(due))
			wg.Go(func() {
				for t := range work[i] {
					ok, err := s.fire(ctx, t, now)
					if err != nil {
						s.log.Error("timer failed", "kind", t.Kind, "subject", t.Subject, "attempt", t.attempts+1, "err", err)
						if ferr := s.fail(ctx, t, now, err); ferr != nil {
							s.log.Error("recording a failed timer", "err", ferr)
						}
					}
					if err == nil && ok {
						mu.Lock()
						fired++
						mu.Unlock()
					}
				}
			})
		}
		for _, t := range due {
			work[uint64(t.Subject)%uint64(len(work))] <- t
		}
		for _, w := range work {
			close(w)
		}
		wg.Wait()
		// A full page may hide more due timers; failed ones now wait, so
		// the next page moves on. Bounded, in case recording failures fails.
		if pages++; len(due) < 200 || pages >= 50 {
			return fired, nil
		}
	}
}

// errGone rolls back a handler's work when its timer was cancelled before it
// started or fired by another node while it ran.
var errGone = errors.New("timer fired elsewhere or cancelled")

// fire runs t's handler and claims t in one transaction; false when another
// node fired it first or it was cancelled. The claim comes last so that the
// handler takes its subject's rows before the timer's row, in the order every
// change of a subject takes them (it changes the subject, then resets its
// timers): the two cannot deadlock. A handler that finds its timer gone has
// its work rolled back.
func (s *Service) fire(ctx context.Context, t Timer, now time.Time) (bool, error) {
	s.mu.Lock()
	h := s.handlers[t.Kind]
	s.mu.Unlock()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var pending bool
		if err := tx.QueryRowContext(ctx, `SELECT fired_at IS NULL AND cancelled_at IS NULL FROM timers WHERE id = $1`,
			t.ID).Scan(&pending); err != nil {
			return err
		}
		if !pending {
			return errGone // spare the handler's work
		}
		if h == nil {
			s.log.Warn("timer without handler fired", "kind", t.Kind, "subject", t.Subject)
		} else if err := h(ctx, tx, t, now); err != nil {
			return err
		}
		// Only another node's claim stops this one: the handler itself may
		// have set the next timer of its kind, cancelling this one.
		res, err := tx.ExecContext(ctx, `UPDATE timers SET fired_at = $1, fired_by = $2
			WHERE id = $3 AND fired_at IS NULL`, now.UnixMicro(), s.node, t.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errGone
		}
		return nil
	})
	if errors.Is(err, errGone) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// Retry is how long a timer whose work failed n times waits: 5 s, doubling,
// at most 10 minutes.
func Retry(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// fail records a failed attempt, so that the timer waits (on every node)
// and does not hold up the ones due after it.
func (s *Service) fail(ctx context.Context, t Timer, now time.Time, cause error) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return s.db.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE timers SET attempts = attempts + 1, retry_at = $1, last_error = $2
			WHERE id = $3 AND fired_at IS NULL`, now.Add(Retry(t.attempts+1)).UnixMicro(), msg, t.ID)
		return err
	})
}

// Run fires timers as they fall due until ctx ends: it sleeps until the next
// one, wakes early when one is set on this node, and looks at least every
// Poll for ones set elsewhere.
func (s *Service) Run(ctx context.Context) {
	for {
		if _, err := s.FireDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("firing timers", "err", err)
		}
		wait := s.Poll
		if next, err := s.Next(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(s.now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-time.After(wait):
		}
	}
}
