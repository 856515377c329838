package casework

import (
	"context"
	"fmt"
	"time"

	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/fault"
)

// MarkOverdue records, when the case's overdue timer fires (package
// supervision), that its running deadline has passed: from now it counts
// in the backlog of its unit, district and deadline day, until the
// deadline moves or stops. It does nothing when the case is marked
// already or its deadline has not passed. The mark moves the case's
// version, so that a change prepared on the unmarked case is refused
// rather than undo it.
func (s *Service) MarkOverdue(ctx context.Context, tx *db.Tx, c Case, now time.Time) error {
	if !c.OverdueAt.IsZero() || !deadline.Passed(c.DeadlineAt, now) {
		return nil
	}
	res, err := tx.ExecContext(ctx, "UPDATE cases SET overdue_at = $1, version = version + 1 WHERE id = $2 AND version = $3",
		now.UnixMicro(), c.ID, c.Version)
	if err != nil {
		return fmt.Errorf("mark case %s overdue: %w", c.Number, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark case %s overdue: %w", c.Number, err)
	} else if n == 0 {
		return fault.New(fault.Conflict, "case-changed", msgChanged)
	}
	after := c
	after.OverdueAt, after.Version = now, c.Version+1
	return s.score.TrackOverdue(ctx, tx, c.overdue(), after.overdue())
}

// RebuildBacklog marks every case whose running deadline has passed and
// is not marked yet, then rebuilds the backlog counters from the marks:
// after a bulk load that wrote cases directly, and at the first start
// after migration 0015. The overdue timers of those cases still fire (and
// issue their supervision orders); the marks make them count once.
func (s *Service) RebuildBacklog(ctx context.Context) (marked int64, err error) {
	now := s.now()
	var last int64
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM cases").Scan(&last); err != nil {
		return 0, fmt.Errorf("rebuild backlog: %w", err)
	}
	// A range of cases per transaction: a short write each, and SQLite's
	// log does not grow with the whole table.
	const chunk = 20_000
	for lo := int64(0); lo < last; lo += chunk {
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE cases SET overdue_at = $1, version = version + 1
				WHERE id > $2 AND id <= $3 AND deadline_at < $4 AND overdue_at IS NULL`, now.UnixMicro(), lo, lo+chunk,
				now.Truncate(time.Second).UnixMicro()) // passed: deadline.Passed
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			marked += n
			return err
		})
		if err != nil {
			return marked, fmt.Errorf("rebuild backlog: mark overdue cases: %w", err)
		}
	}
	return marked, s.score.RebuildOverdue(ctx)
}
