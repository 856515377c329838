package score

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Day is a calendar day in the service's time zone, as YYYYMMDD.
type Day int

// DayOf returns the day of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day(y*10000 + int(m)*100 + d)
}

// Time is the day's first instant in loc.
func (d Day) Time(loc *time.Location) time.Time {
	return time.Date(int(d)/10000, time.Month(int(d)/100%100), int(d)%100, 0, 0, 0, 0, loc)
}

func (d Day) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", int(d)/10000, int(d)/100%100, int(d)%100)
}

// Service records scoring events and reads scorecards.
type Service struct {
	db    *db.DB
	audit *audit.Log
	loc   *time.Location
	now   func() time.Time
}

// NewService returns the scorecard service.
func NewService(d *db.DB, a *audit.Log, loc *time.Location, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, audit: a, loc: loc, now: now}
}

// Location is the zone days are counted in.
func (s *Service) Location() *time.Location { return s.loc }

// Record stores scoring events inside the transaction of the change that
// caused them.
func (s *Service) Record(ctx context.Context, tx *db.Tx, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := s.insertEvents(ctx, tx, events); err != nil {
		return fmt.Errorf("record score: %w", err)
	}
	for _, e := range events {
		day := DayOf(e.At, s.loc)
		for _, bucket := range []Day{day, day.Month()} {
			tx.Add(scoreCounter, 1, int(bucket), e.UnitID, string(e.Metric))
		}
	}
	return nil
}

// scoreCounter is the table of the score counts.
var scoreCounter = db.NewCounter("score_counts", "day", "unit_id", "metric")

// Month is the month's bucket of a day: YYYYMM00. The counters keep one
// row per unit, metric and day, and one per month, so that a month (or a
// quarter, or a year) reads a row per unit and metric for each month
// rather than for each day.
func (d Day) Month() Day { return d / 100 * 100 }

// Period is a range of days, both ends included.
type Period struct {
	From, To Day
}

// bucketRange is the condition on score_counts.day (or volume_counts.day)
// that covers a period: the month rows when the period is whole months,
// the day rows otherwise.
func (p Period) bucketRange(loc *time.Location) (from, to int, months bool) {
	next := p.To.Time(loc).AddDate(0, 0, 1)
	if p.From%100 == 1 && next.Day() == 1 {
		return int(p.From.Month()), int(p.To.Month()), true
	}
	return int(p.From), int(p.To), false
}

// BucketCondition is bucketRange as SQL over the column day, binding the
// two arguments it returns at $n and $n+1.
func (p Period) BucketCondition(loc *time.Location, n int) (string, []any) {
	from, to, months := p.bucketRange(loc)
	cond := fmt.Sprintf("day >= $%d AND day <= $%d", n, n+1)
	if months {
		cond += " AND day % 100 = 0"
	} else {
		cond += " AND day % 100 <> 0"
	}
	return cond, []any{from, to}
}

// Counts reads every unit's metrics over a period from the daily counters.
func (s *Service) Counts(ctx context.Context, p Period) (map[int64]Counts, error) {
	cond, args := p.BucketCondition(s.loc, 1)
	rows, err := s.db.QueryContext(ctx, `SELECT unit_id, metric, SUM(n) FROM score_counts
		WHERE `+cond+` GROUP BY unit_id, metric`, args...)
	if err != nil {
		return nil, fmt.Errorf("read scores: %w", err)
	}
	defer rows.Close()
	out := map[int64]Counts{}
	for rows.Next() {
		var unit, n int64
		var m string
		if err := rows.Scan(&unit, &m, &n); err != nil {
			return nil, fmt.Errorf("read scores: %w", err)
		}
		if out[unit] == nil {
			out[unit] = Counts{}
		}
		out[unit][Metric(m)] = n
	}
	return out, rows.Err()
}

// CountsFromEvents computes the same figures from the event rows, one
// GROUP BY over a period's events: what the daily counters save.
func (s *Service) CountsFromEvents(ctx context.Context, p Period) (map[int64]Counts, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT unit_id, metric, COUNT(*) FROM score_events
		WHERE day >= $1 AND day <= $2 GROUP BY unit_id, metric`, int(p.From), int(p.To))
	if err != nil {
		return nil, fmt.Errorf("read score events: %w", err)
	}
	defer rows.Close()
	out := map[int64]Counts{}
	for rows.Next() {
		var unit, n int64
		var m string
		if err := rows.Scan(&unit, &m, &n); err != nil {
			return nil, err
		}
		if out[unit] == nil {
			out[unit] = Counts{}
		}
		out[unit][Metric(m)] = n
	}
	return out, rows.Err()
}

// Cases returns the ids of the cases behind one unit's metric over a
// period, newest first, a page at a time (before: the last id of the
// previous page).
func (s *Service) Cases(ctx context.Context, unitID int64, m Metric, p Period, before int64, limit int) ([]int64, error) {
	q := `SELECT DISTINCT case_id FROM score_events WHERE unit_id = $1 AND metric = $2 AND day >= $3 AND day <= $4`
	args := []any{unitID, string(m), int(p.From), int(p.To)}
	if before > 0 {
		q += " AND case_id < $5"
		args = append(args, before)
	}
	q += fmt.Sprintf(" ORDER BY case_id DESC LIMIT %d", limit)
	ids, err := db.IDs(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("score cases: %w", err)
	}
	return ids, nil
}

var (
	msgAdminOnly = i18n.M("只有系统管理员可以修改考评权重", "only a system administrator may change the score weights")
	msgWeight    = i18n.M("权重须在 0 到 100 之间", "a weight must be between 0 and 100")
	msgNoWeight  = i18n.M("至少一项指标的权重须大于 0", "at least one indicator needs a weight above 0")
)

// Weights returns the composite's weights: the stored ones over the
// defaults.
func (s *Service) Weights(ctx context.Context) (map[string]float64, error) {
	out := DefaultWeights()
	rows, err := s.db.QueryContext(ctx, "SELECT indicator, weight FROM score_weights")
	if err != nil {
		return nil, fmt.Errorf("read weights: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var w float64
		if err := rows.Scan(&k, &w); err != nil {
			return nil, err
		}
		if _, ok := IndicatorByKey(k); ok {
			out[k] = w
		}
	}
	return out, rows.Err()
}

// SetWeights replaces the composite's weights (system administrator);
// audited with the old and new values.
func (s *Service) SetWeights(ctx context.Context, actor access.Actor, weights map[string]float64) error {
	var v fault.Validation
	total := 0.0
	for _, ind := range Indicators {
		w := weights[ind.Key]
		if w < 0 || w > 100 {
			v.Add("weight_"+ind.Key, msgWeight)
		}
		total += w
	}
	if !actor.System && !actor.Has(access.SysAdmin) {
		refusal := fault.New(fault.Forbidden, "forbidden", msgAdminOnly)
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
				Action: "score.weights", ObjectType: "score_weights", ObjectID: "*", Outcome: audit.Denied, RemoteAddr: actor.RemoteAddr})
		})
		if err != nil {
			return err
		}
		return refusal
	}
	if err := v.Err(); err != nil {
		return err
	}
	if total <= 0 {
		return fault.New(fault.Invalid, "invalid", msgNoWeight)
	}
	old, err := s.Weights(ctx)
	if err != nil {
		return err
	}
	now := s.now().UnixMicro()
	return s.db.Write(ctx, func(tx *db.Tx) error {
		detail := map[string]any{}
		for _, ind := range Indicators {
			w := weights[ind.Key]
			if _, err := tx.ExecContext(ctx, `INSERT INTO score_weights (indicator, weight, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (indicator) DO UPDATE SET weight = excluded.weight, updated_at = excluded.updated_at`, ind.Key, w, now); err != nil {
				return err
			}
			if old[ind.Key] != w {
				detail[ind.Key] = [2]float64{old[ind.Key], w}
			}
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "score.weights", ObjectType: "score_weights", ObjectID: "*", Detail: detail, RemoteAddr: actor.RemoteAddr})
	})
}

// Recompute replays every case's timeline and returns the scoring events
// it implies, by unit, day and metric: the figures the counters must hold.
func (s *Service) Recompute(ctx context.Context) (map[Key]int64, error) {
	out := map[Key]int64{}
	err := s.replay(ctx, func(e Event) error {
		count(out, e, s.loc)
		return nil
	})
	return out, err
}

// count adds an event to its day's and its month's counters.
func count(out map[Key]int64, e Event, loc *time.Location) {
	day := DayOf(e.At, loc)
	out[Key{UnitID: e.UnitID, Day: day, Metric: e.Metric}]++
	out[Key{UnitID: e.UnitID, Day: day.Month(), Metric: e.Metric}]++
}

// Key addresses one daily counter.
type Key struct {
	UnitID int64
	Day    Day
	Metric Metric
}

// Stored returns every daily counter.
func (s *Service) Stored(ctx context.Context) (map[Key]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT unit_id, day, metric, n FROM score_counts")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Key]int64{}
	for rows.Next() {
		var k Key
		var day int
		var m string
		var n int64
		if err := rows.Scan(&k.UnitID, &day, &m, &n); err != nil {
			return nil, err
		}
		k.Day, k.Metric = Day(day), Metric(m)
		out[k] = n
	}
	return out, rows.Err()
}

// Rebuild replaces the scoring events and counters with those the timeline
// implies: after a bulk load that wrote cases directly, or a change of
// definition.
func (s *Service) Rebuild(ctx context.Context) (int, error) { return s.rebuild(ctx) }

func (s *Service) rebuild(ctx context.Context) (int, error) {
	var batch []Event
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.db.Write(ctx, func(tx *db.Tx) error { return s.insertEvents(ctx, tx, batch) })
		n += len(batch)
		batch = batch[:0]
		return err
	}
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM score_events"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM score_counts")
		return err
	}); err != nil {
		return 0, fmt.Errorf("rebuild scores: %w", err)
	}
	counts := map[Key]int64{}
	err := s.replay(ctx, func(e Event) error {
		count(counts, e, s.loc)
		batch = append(batch, e)
		// Large transactions: each commit rewrites the index pages it
		// touched, so fewer of them write far less.
		if len(batch) == 20_000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return n, fmt.Errorf("rebuild scores: %w", err)
	}
	keys := make([]Key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	for len(keys) > 0 {
		part := keys[:min(len(keys), 20_000)]
		keys = keys[len(part):]
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			// Added to what is there: a change recorded by another node
			// while this one rebuilt has made its counter already.
			cols := []string{"unit_id", "day", "metric", "n"}
			for len(part) > 0 {
				chunk := part[:min(len(part), 5000)]
				part = part[len(chunk):]
				args := make([]any, 0, 4*len(chunk))
				for _, k := range chunk {
					args = append(args, k.UnitID, int(k.Day), string(k.Metric), counts[k])
				}
				if _, err := tx.ExecContext(ctx, db.InsertSQL(tx.Dialect(), "score_counts", cols, len(chunk))+
					" ON CONFLICT (day, unit_id, metric) DO UPDATE SET n = score_counts.n + excluded.n", args...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return n, fmt.Errorf("rebuild scores: %w", err)
		}
	}
	return n, nil
}

func (s *Service) insertEvents(ctx context.Context, tx *db.Tx, events []Event) error {
	rows := make([][]any, len(events))
	for i, e := range events {
		rows[i] = s.EventRow(nil, e)
	}
	return tx.InsertRows(ctx, "score_events", EventColumns, rows)
}

// replay walks the timeline case by case, rebuilding each case's handling
// unit, deadlines and callback answer from the changes each entry records,
// and classifies every action as it happened.
func (s *Service) replay(ctx context.Context, emit func(Event) error) error {
	var last int64
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(case_id), 0) FROM timeline").Scan(&last); err != nil {
		return fmt.Errorf("read timeline: %w", err)
	}
	// A range of cases at a time: no read stays open across the whole
	// replay, so the database can checkpoint what Rebuild writes meanwhile.
	const chunk = 20_000
	for lo := int64(0); lo < last; lo += chunk {
		if err := s.replayRange(ctx, lo, lo+chunk, emit); err != nil {
			return err
		}
	}
	return nil
}

// replayRange replays the cases with ids in (lo, hi]; it reads the range
// first and classifies after, so that emit may write.
func (s *Service) replayRange(ctx context.Context, lo, hi int64, emit func(Event) error) error {
	rows, err := s.db.QueryContext(ctx, "SELECT case_id, at, action, changes FROM timeline WHERE case_id > $1 AND case_id <= $2 ORDER BY case_id, id", lo, hi)
	if err != nil {
		return fmt.Errorf("read timeline: %w", err)
	}
	var (
		cases []int64
		steps []Step
	)
	for rows.Next() {
		var id int64
		var st Step
		if err := rows.Scan(&id, &st.At, &st.Action, &st.Changes); err != nil {
			rows.Close()
			return err
		}
		cases, steps = append(cases, id), append(steps, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 0; i < len(steps); {
		j := i + 1
		for j < len(steps) && cases[j] == cases[i] {
			j++
		}
		if err := replayCase(cases[i], steps[i:j], emit); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// applyChanges moves a snapshot to the "after" values of a timeline entry.
func applyChanges(s *Snapshot, changes string) error {
	if changes == "" || changes == "{}" {
		return nil
	}
	var m map[string][2]any
	if err := json.Unmarshal([]byte(changes), &m); err != nil {
		return err
	}
	for k, v := range m {
		after := v[1]
		switch k {
		case "handling_unit_id":
			s.HandlingUnitID = int64Of(after)
		case "sign_due_at":
			s.SignDueAt = timeOf(after)
		case "due_at":
			s.DueAt = timeOf(after)
		case "satisfaction":
			s.Satisfaction, _ = after.(string)
		case "resolved":
			if b, ok := after.(bool); ok {
				s.Resolved = &b
			} else {
				s.Resolved = nil
			}
		}
	}
	return nil
}

func int64Of(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func timeOf(v any) time.Time {
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
