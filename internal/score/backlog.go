package score

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"pingan/internal/db"
)

// The backlog (积案 stock): the open cases past their running deadline, by
// handling unit (the scorecards), by district and by the day the deadline
// passed (the dashboard). They are kept as counters in overdue_counts,
// moved in the transaction of every change that makes a case count or
// stop counting, so that reading them costs a few hundred rows whatever
// the number of cases.
//
// What counts is a case marked overdue (cases.overdue_at, package
// casework): pingan recorded it past its running deadline — when its
// overdue timer fired, when a lifecycle action left it past its deadline,
// or when the counters were rebuilt — and the deadline has not moved or
// stopped since (reporting back, suspending, extending, transferring with
// a new deadline, closing all clear the mark). Reading adds the cases whose
// deadline has passed (deadline.Passed) and whose timer has not fired yet
// (normally none, or those of the last second; after pingan was down, those
// that passed meanwhile), so that the backlog is exactly the cases the
// lists show red.

// Dimensions of the overdue counters.
const (
	OverdueByUnit     = "unit"     // the handling unit's id; "" for none (not yet dispatched)
	OverdueByDistrict = "district" // the first six digits of the division code; "" for none
	OverdueByDay      = "day"      // the day the running deadline passed, YYYYMMDD
)

// Overdue is what the backlog counters need of a case.
type Overdue struct {
	Counted    bool // marked overdue (see above)
	UnitID     int64
	Division   string
	DeadlineAt time.Time
}

// OverdueKey addresses one overdue counter.
type OverdueKey struct {
	Dim, Key string
}

func (o Overdue) keys(loc *time.Location) []OverdueKey {
	unit := ""
	if o.UnitID != 0 {
		unit = strconv.FormatInt(o.UnitID, 10)
	}
	district := ""
	if len(o.Division) >= 6 {
		district = o.Division[:6]
	}
	return []OverdueKey{{OverdueByUnit, unit}, {OverdueByDistrict, district},
		{OverdueByDay, strconv.Itoa(int(DayOf(o.DeadlineAt, loc)))}}
}

// overdueCounter is the table of the overdue counts.
var overdueCounter = db.NewCounter("overdue_counts", "dim", "key")

// TrackOverdue moves the overdue counters for a change of a case, inside
// its transaction: out of the keys it counted under before (if it was
// counted), into those it counts under after (if it is).
func (s *Service) TrackOverdue(ctx context.Context, tx *db.Tx, before, after Overdue) error {
	delta := map[OverdueKey]int64{}
	if before.Counted {
		for _, k := range before.keys(s.loc) {
			delta[k]--
		}
	}
	if after.Counted {
		for _, k := range after.keys(s.loc) {
			delta[k]++
		}
	}
	for k, d := range delta {
		tx.Add(overdueCounter, d, k.Dim, k.Key)
	}
	return nil
}

// Backlog is the backlog now, from the counters.
type Backlog struct {
	Total     int64
	Units     map[int64]int64  // by handling unit (cases with none are in Total only)
	Districts map[string]int64 // by district code ("": no district)
	Days      map[Day]int64    // by the day the running deadline passed
}

// ReadBacklog reads the backlog at now, days in loc: the overdue counters,
// and the cases past their deadline not marked yet (see above). For the
// scorecards and for the dashboard, which reads them without a scorecard
// service. Both are read in one statement, so in one snapshot: a timer that
// marks a case meanwhile moves it from the second part into the first, and
// read apart it could be missed by both.
func ReadBacklog(ctx context.Context, q db.Querier, now time.Time, loc *time.Location) (Backlog, error) {
	b := Backlog{Units: map[int64]int64{}, Districts: map[string]int64{}, Days: map[Day]int64{}}
	// The rows of the counters have a dimension; those of the cases not
	// marked yet, found by the index of unmarked deadlines (migration
	// 0023, which holds only them below now), have none.
	rows, err := q.QueryContext(ctx, `SELECT dim, key, n, 0, '', 0 FROM overdue_counts WHERE n <> 0 AND dim IN ($1, $2, $3)
		UNION ALL
		SELECT '', '', 0, COALESCE(handling_unit_id, 0), COALESCE(division_code, ''), deadline_at
		FROM cases WHERE overdue_at IS NULL AND deadline_at < $4`,
		OverdueByUnit, OverdueByDistrict, OverdueByDay, now.Truncate(time.Second).UnixMicro())
	if err != nil {
		return b, fmt.Errorf("read backlog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim, key string
		var n, at int64
		var o Overdue
		if err := rows.Scan(&dim, &key, &n, &o.UnitID, &o.Division, &at); err != nil {
			return b, fmt.Errorf("read backlog: %w", err)
		}
		if dim != "" {
			b.count(dim, key, n)
			continue
		}
		o.DeadlineAt = time.UnixMicro(at)
		for _, k := range o.keys(loc) {
			b.count(k.Dim, k.Key, 1)
		}
	}
	if err := rows.Err(); err != nil {
		return b, fmt.Errorf("read backlog: %w", err)
	}
	return b, nil
}

// count adds n cases under key of dimension dim.
func (b *Backlog) count(dim, key string, n int64) {
	switch dim {
	case OverdueByUnit:
		if id, err := strconv.ParseInt(key, 10, 64); err == nil && id != 0 {
			b.Units[id] += n
		}
	case OverdueByDistrict:
		b.Districts[key] += n
		b.Total += n
	case OverdueByDay:
		if d, err := strconv.Atoi(key); err == nil {
			b.Days[Day(d)] += n
		}
	}
}

// Backlog counts each unit's open cases past their running deadline now
// (as defined above), from the counters.
func (s *Service) Backlog(ctx context.Context) (map[int64]int64, error) {
	b, err := ReadBacklog(ctx, s.db, s.now(), s.loc)
	return b.Units, err
}

// OverdueStored returns every non-zero overdue counter.
func (s *Service) OverdueStored(ctx context.Context) (map[OverdueKey]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT dim, key, n FROM overdue_counts WHERE n <> 0")
	if err != nil {
		return nil, fmt.Errorf("read overdue counters: %w", err)
	}
	defer rows.Close()
	out := map[OverdueKey]int64{}
	for rows.Next() {
		var k OverdueKey
		var n int64
		if err := rows.Scan(&k.Dim, &k.Key, &n); err != nil {
			return nil, fmt.Errorf("read overdue counters: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

// OverdueRecompute counts the cases marked overdue, by the keys they are
// counted under: the figures the counters must hold. It reads a range of
// cases at a time, so no read stays open across millions of rows.
func (s *Service) OverdueRecompute(ctx context.Context) (map[OverdueKey]int64, error) {
	var last int64
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM cases").Scan(&last); err != nil {
		return nil, fmt.Errorf("recompute overdue: %w", err)
	}
	out := map[OverdueKey]int64{}
	const chunk = 100_000
	for lo := int64(0); lo < last; lo += chunk {
		rows, err := s.db.QueryContext(ctx, `SELECT COALESCE(handling_unit_id, 0), COALESCE(division_code, ''), deadline_at
			FROM cases WHERE id > $1 AND id <= $2 AND overdue_at IS NOT NULL AND deadline_at IS NOT NULL`, lo, lo+chunk)
		if err != nil {
			return nil, fmt.Errorf("recompute overdue: %w", err)
		}
		for rows.Next() {
			var o Overdue
			var at int64
			if err := rows.Scan(&o.UnitID, &o.Division, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("recompute overdue: %w", err)
			}
			o.DeadlineAt = time.UnixMicro(at)
			for _, k := range o.keys(s.loc) {
				out[k]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("recompute overdue: %w", err)
		}
	}
	return out, nil
}

// RebuildOverdue replaces the overdue counters with those the marked cases
// imply (OverdueRecompute), in one transaction: after a bulk load or
// migration 0015, once the cases past their deadline have been marked
// (casework.Service.RebuildBacklog does both).
func (s *Service) RebuildOverdue(ctx context.Context) error {
	counts, err := s.OverdueRecompute(ctx)
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(counts))
	for k, n := range counts {
		rows = append(rows, []any{k.Dim, k.Key, n})
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM overdue_counts"); err != nil {
			return err
		}
		return tx.InsertRows(ctx, "overdue_counts", []string{"dim", "key", "n"}, rows)
	})
	if err != nil {
		return fmt.Errorf("rebuild overdue counters: %w", err)
	}
	return nil
}
