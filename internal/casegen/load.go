package casegen

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/dedup"
	"pingan/internal/score"
	"pingan/internal/search"
)

// BatchSize is how many cases the loader writes at a time.
const BatchSize = 5000

// Load generates n cases received evenly (with jitter) between from and to,
// in time order, and writes them with their reports, histories, involved
// units, timers, search and repeat indexes and scoring events (scores), so
// that nothing needs replaying afterwards. Each batch appends one audit
// record. progress, if set, is called after each batch with the number
// loaded so far.
//
// On SQLite a load of at most bulkMax cases into a database without cases
// is one transaction that drops the secondary indexes of the tables it fills and
// makes them again before it commits (see loadBulk); otherwise each batch
// is a transaction of its own.
func Load(ctx context.Context, d *db.DB, log *audit.Log, scores *score.Service, g *Generator, n int, from, to time.Time, progress func(int)) error {
	if n <= 0 {
		return nil
	}
	batches := make(chan batch, 2)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		step := to.Sub(from) / time.Duration(n)
		next := func() batch { return batch{cases: make([]Case, 0, BatchSize), counts: map[score.Key]int64{}} }
		b := next()
		for i := range n {
			t := from.Add(step * time.Duration(i))
			if step > time.Microsecond {
				t = t.Add(time.Duration(g.rng.Int64N(int64(step))))
			}
			c := g.Generate(t, to)
			if err := c.prepare(scores, b.counts); err != nil {
				genErr <- err
				return
			}
			b.cases = append(b.cases, c)
			if len(b.cases) == BatchSize || i == n-1 {
				select {
				case batches <- b:
				case <-ctx.Done():
					genErr <- ctx.Err()
					return
				}
				b = next()
			}
		}
		genErr <- nil
	}()
	l := &loader{g: g, d: d, log: log, scores: scores, n: n, loadedAt: to, progress: progress}
	bulk, err := l.bulk(ctx, n)
	if err == nil {
		if bulk {
			err = l.loadBulk(ctx, batches)
		} else {
			err = l.loadBatches(ctx, batches)
		}
	}
	if err != nil {
		// Drain so the generator can finish; its error, if any, is why.
		for range batches {
		}
		if gerr := <-genErr; gerr != nil {
			return gerr
		}
		return err
	}
	return <-genErr
}

// batch is generated cases on their way to the writer, with the counters
// their scoring events add to.
type batch struct {
	cases  []Case
	counts map[score.Key]int64
}

// loader writes generated batches.
type loader struct {
	g        *Generator
	d        *db.DB
	log      *audit.Log
	scores   *score.Service
	n        int // cases to load
	loadedAt time.Time
	progress func(int)
	done     int
}

func (l *loader) loaded(n int) {
	l.done += n
	if l.progress != nil {
		l.progress(l.done)
	}
}

// loadBatches writes each batch in a transaction of its own, its search
// texts indexed as every write indexes them (search.IndexAll).
func (l *loader) loadBatches(ctx context.Context, batches <-chan batch) error {
	for b := range batches {
		err := l.d.Write(ctx, func(tx *db.Tx) error {
			if err := l.write(ctx, tx, b.cases, func(docs []search.Doc) error { return search.IndexAll(ctx, tx, docs) }); err != nil {
				return err
			}
			l.scores.AddCounts(tx, b.counts)
			return nil
		})
		if err != nil {
			return fmt.Errorf("load cases %d–%d: %w", l.done+1, l.done+len(b.cases), err)
		}
		l.loaded(len(b.cases))
	}
	return nil
}

// table is one bulk-loaded table; with autoID its first column is an id the
// loader assigns (PostgreSQL) or SQLite assigns the same way by appending
// (an explicit id would cost SQLite a seek per row).
type table struct {
	name   string
	cols   []string
	autoID bool
	args   []any
	rows   int
}

func (t *table) add(vals ...any) {
	t.args = append(t.args, vals...)
	t.rows++
}

func newTables() (cases, reports, timeline, units, timers *table) {
	return &table{name: "cases", autoID: true, cols: []string{"id", "number", "title", "nature", "category_id", "priority",
			"state", "resume_state", "channel", "intake_unit_id", "jurisdiction_unit_id", "handling_unit_id", "handler_id",
			"division_code", "address", "lat", "lon", "received_at", "sign_due_at", "due_at", "suspended_at",
			"requested_due_at", "extension_count", "report_count", "satisfaction", "resolved", "closed_at", "updated_at", "version",
			"accept_due_at", "clock_start_at", "deadline_at", "warn_at", "policy_id"}},
		&table{name: "reports", autoID: true, cols: []string{"id", "case_id", "channel", "source_ref", "title", "body",
			"reporter_name", "phone_masked", "phone_sealed", "phone_hash", "id_masked", "id_sealed", "id_hash", "occurred_at",
			"received_at", "address", "lat", "lon", "division_code", "intake_unit_id", "created_by"}},
		&table{name: "timeline", autoID: true, cols: []string{"id", "case_id", "at", "actor_id", "unit_id", "action",
			"from_state", "to_state", "note", "note_en", "changes"}},
		&table{name: "case_units", cols: []string{"unit_id", "case_id"}},
		&table{name: "timers", cols: []string{"kind", "subject_id", "due_at", "created_at"}}
}

func maxID(ctx context.Context, tx *db.Tx, table string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&id)
	return id, err
}

// write writes one batch's cases in tx, with their scoring events (the
// caller adds the batch's counters: score.Service.AddCounts); index takes
// the batch's search texts.
func (l *loader) write(ctx context.Context, tx *db.Tx, batch []Case, index func([]search.Doc) error) error {
	g := l.g
	tCases, tReports, tTimeline, tUnits, tTimers := newTables()
	now := l.loadedAt.UnixMicro()
	ids := map[string]int64{}
	for _, t := range []*table{tCases, tReports, tTimeline} {
		id, err := maxID(ctx, tx, t.name)
		if err != nil {
			return err
		}
		ids[t.name] = id
	}
	caseID, reportID, entryID := ids["cases"], ids["reports"], ids["timeline"]
	// Reserve case numbers per year.
	perYear := map[int]int{}
	for _, c := range batch {
		perYear[c.Case.ReceivedAt.In(g.w.Location).Year()]++
	}
	numbers := map[int][]int64{}
	for y, k := range perYear {
		ns, err := tx.ReserveInSeries(ctx, casework.NumberSeries(y), k)
		if err != nil {
			return fmt.Errorf("reserve case numbers: %w", err)
		}
		numbers[y] = ns
	}
	tEvents := &table{name: "score_events", cols: score.EventColumns}
	first, last := "", ""
	for i := range batch {
		b := &batch[i]
		c, r := &b.Case, &b.Report
		caseID++
		c.ID = caseID
		y := c.ReceivedAt.In(g.w.Location).Year()
		c.Number = casework.FormatNumber(g.w.Prefix, y, numbers[y][0])
		numbers[y] = numbers[y][1:]
		if first == "" {
			first = c.Number
		}
		last = c.Number
		var resolved any
		if c.Resolved != nil {
			resolved = *c.Resolved
		}
		tCases.add(c.ID, c.Number, c.Title, c.Nature, c.CategoryID, string(c.Priority), string(c.State),
			db.NullText(string(c.ResumeState)), string(c.Channel), c.IntakeUnitID, db.NullID(c.JurisdictionUnitID),
			db.NullID(c.HandlingUnitID), db.NullID(c.HandlerID), c.DivisionCode, c.Address, nil, nil, c.ReceivedAt.UnixMicro(),
			db.Micros(c.SignDueAt), db.Micros(c.DueAt), db.Micros(c.SuspendedAt), db.Micros(c.RequestedDueAt),
			c.ExtensionCount, c.ReportCount, db.NullText(c.Satisfaction), resolved, db.Micros(c.ClosedAt),
			c.UpdatedAt.UnixMicro(), c.Version, db.Micros(c.AcceptDueAt), db.Micros(c.ClockStartAt), db.Micros(c.DeadlineAt),
			db.Micros(c.WarnAt), db.NullID(c.PolicyID))
		// The clock's timers, as the service would set them.
		if !c.WarnAt.IsZero() {
			tTimers.add(string(casework.TimerWarn), c.ID, c.WarnAt.UnixMicro(), now)
		}
		if !c.DeadlineAt.IsZero() {
			tTimers.add(string(casework.TimerOverdue), c.ID, deadline.OverdueFrom(c.DeadlineAt).UnixMicro(), now)
		}
		reportID++
		ref := r.SourceRef // the batch is left as it was: a write may run again
		if ref != "" {
			ref += strconv.FormatInt(c.ID, 10)
		}
		tReports.add(reportID, c.ID, string(r.Channel), db.NullText(ref), r.Title, r.Body,
			r.ReporterName, r.PhoneMasked, db.NullText(b.Personal.PhoneSealed), db.NullText(b.Personal.PhoneHash), r.IDMasked,
			db.NullText(b.Personal.IDSealed), db.NullText(b.Personal.IDHash), db.Micros(r.OccurredAt), r.ReceivedAt.UnixMicro(),
			r.Address, nil, nil, r.DivisionCode, r.IntakeUnitID, db.NullID(r.CreatedBy))
		for j, e := range b.Timeline {
			entryID++
			note, noteEN := e.Note.Columns()
			tTimeline.add(entryID, c.ID, e.At.UnixMicro(), db.NullID(e.ActorID), db.NullID(e.UnitID),
				string(e.Action), string(e.FromState), string(e.ToState), note, noteEN, b.changes[j])
		}
		for k := 0; k < len(b.eventRows); k += len(score.EventColumns) {
			b.eventRows[k+eventCaseID] = c.ID
			tEvents.rows++
		}
		tEvents.args = append(tEvents.args, b.eventRows...)
		for _, u := range b.Units {
			tUnits.add(u, c.ID)
		}
	}
	for _, t := range []*table{tCases, tReports, tTimeline, tUnits, tTimers, tEvents} {
		if err := bulkInsert(ctx, tx, t); err != nil {
			return err
		}
	}
	docs := make([]search.Doc, len(batch))
	for i, b := range batch {
		docs[i] = search.Doc{CaseID: b.Case.ID, Text: search.Text(b.Case.Title, b.Case.Address, b.Report.Body)}
	}
	if err := index(docs); err != nil {
		return err
	}
	repeats := make([]dedup.Doc, len(batch))
	for i, b := range batch {
		c := b.Case
		repeats[i] = dedup.Doc{CaseID: c.ID, Title: c.Title, Address: c.Address, DivisionCode: c.DivisionCode,
			ReceivedAt: c.ReceivedAt, Open: c.State.Open()}
	}
	if err := dedup.BulkIndex(ctx, tx, repeats); err != nil {
		return err
	}
	// SQLite assigned the ids by appending; they must be the ones the rows
	// above refer to.
	for _, t := range []struct {
		name string
		want int64
	}{{"cases", caseID}, {"reports", reportID}, {"timeline", entryID}} {
		got, err := maxID(ctx, tx, t.name)
		if err != nil {
			return err
		}
		if got != t.want {
			return fmt.Errorf("bulk load: %s ids end at %d, expected %d", t.name, got, t.want)
		}
		if err := tx.SyncIdentity(ctx, t.name); err != nil {
			return err
		}
	}
	return l.log.Append(ctx, tx, audit.Entry{ActorName: "casegen", Action: "case.bulk_load", ObjectType: "case",
		ObjectID: first, Detail: map[string]any{"cases": len(batch), "first": first, "last": last,
			"timeline_entries": tTimeline.rows}})
}

// bulkInsert writes a table's rows with multi-row INSERTs, reusing one
// prepared statement for the full chunks.
func bulkInsert(ctx context.Context, tx *db.Tx, t *table) error {
	if t.rows == 0 {
		return nil
	}
	cols, args, width := t.cols, t.args, len(t.cols)
	sqlite := tx.Dialect() == db.SQLite
	if sqlite && t.autoID {
		// Drop the id column from the statement and from every row.
		cols = cols[1:]
		trimmed := make([]any, 0, len(args)-t.rows)
		for i := 0; i < len(args); i += width {
			trimmed = append(trimmed, args[i+1:i+width]...)
		}
		args, width = trimmed, width-1
	}
	per := max(1, min(250, 30000/width))
	stmtSQL := func(n int) string { return db.InsertSQL(tx.Dialect(), t.name, cols, n) }
	rows, i := len(args)/width, 0
	if rows >= per {
		stmt, err := tx.PrepareContext(ctx, stmtSQL(per))
		if err != nil {
			return fmt.Errorf("bulk insert into %s: %w", t.name, err)
		}
		defer stmt.Close()
		for ; i+per <= rows; i += per {
			if _, err := stmt.ExecContext(ctx, args[i*width:(i+per)*width]...); err != nil {
				return fmt.Errorf("bulk insert into %s: %w", t.name, err)
			}
		}
	}
	if i < rows {
		if _, err := tx.ExecContext(ctx, stmtSQL(rows-i), args[i*width:]...); err != nil {
			return fmt.Errorf("bulk insert into %s: %w", t.name, err)
		}
	}
	return nil
}

// eventCaseID is the place of case_id in score.EventColumns.
var eventCaseID = slices.Index(score.EventColumns, "case_id")

// prepare does, before the write, what needs no case id: the timeline
// entries' changes as stored, and the scoring events they imply from the
// entries as stored — what a replay of the timeline (score.Rebuild)
// finds — as rows of score_events (the case id left for the writer to
// fill in), counted into counts. The writer, which every batch waits for,
// then only numbers them.
func (c *Case) prepare(scores *score.Service, counts map[score.Key]int64) error {
	steps := make([]score.Step, len(c.Timeline))
	c.changes = make([]string, len(c.Timeline))
	for i, e := range c.Timeline {
		c.changes[i] = changesJSON(e.Changes)
		steps[i] = score.Step{At: e.At.UnixMicro(), Action: string(e.Action), Changes: c.changes[i]}
	}
	events, err := score.CaseEvents(0, steps)
	if err != nil {
		return err
	}
	c.eventRows = make([]any, 0, len(events)*len(score.EventColumns))
	for _, e := range events {
		c.eventRows = scores.EventRow(c.eventRows, e)
		scores.Count(counts, e)
	}
	return nil
}

func changesJSON(ch map[string][2]any) string {
	if len(ch) == 0 {
		return "{}"
	}
	b, err := json.Marshal(ch)
	if err != nil {
		panic(err) // strings, numbers and nil only
	}
	return string(b)
}
