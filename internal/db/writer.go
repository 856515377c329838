package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Tx is one write inside a group commit. Its statements always run on the
// writer's own context: a caller that gives up must not abort the shared
// transaction of the other writes in its batch.
type Tx struct {
	tx       *sql.Tx
	d        *DB
	ctx      context.Context
	lane     int
	after    []func()
	visible  []func()
	deferred []deferredItem
	aside    []func(context.Context, *Tx) error
}

// Lane names the writer lane this transaction runs on. Transactions on one
// lane never run concurrently, so a lane can own a chain of records (the
// audit log keeps one hash chain per lane) without locking against others.
// SQLite has a single lane, shared by every process writing the file (SQLite
// serialises them); on PostgreSQL each process has its own lanes.
func (t *Tx) Lane() string {
	if t.d.dialect == SQLite {
		return "main"
	}
	return fmt.Sprintf("%s-%d", t.d.node, t.lane)
}

// ExecContext runs a statement in the write transaction.
func (t *Tx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	t.d.w.statements.Add(1)
	if st := t.d.writeStmts.get(t.ctx, t.d.write, query); st != nil {
		return t.tx.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, query, args...)
}

// QueryContext runs a query in the write transaction; it sees the batch's
// uncommitted writes.
func (t *Tx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	t.d.w.statements.Add(1)
	if st := t.d.writeStmts.get(t.ctx, t.d.write, query); st != nil {
		return t.tx.StmtContext(t.ctx, st).QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, query, args...)
}

// QueryRowContext runs a single-row query in the write transaction.
func (t *Tx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	t.d.w.statements.Add(1)
	if st := t.d.writeStmts.get(t.ctx, t.d.write, query); st != nil {
		return t.tx.StmtContext(t.ctx, st).QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// Dialect returns the database's dialect.
func (t *Tx) Dialect() Dialect { return t.d.dialect }

// DB returns the database the transaction writes.
func (t *Tx) DB() *DB { return t.d }

// AfterCommit registers f to run once this write is durably committed. It
// does not run if the write fails or is rolled back.
func (t *Tx) AfterCommit(f func()) { t.after = append(t.after, f) }

// OnVisible registers f to run as soon as this write's transaction has
// committed, before it is durable (AfterCommit): when readers on other
// connections start to see it. The writer runs it, in the order the
// transactions committed, so it must be quick: it is for keeping an
// in-memory mirror of what readers see in step (dedup's resident index).
// It does not run if the write fails or is rolled back.
func (t *Tx) OnVisible(f func()) { t.visible = append(t.visible, f) }

// Aside leaves fn to the side file's writer (SQLite only, see DB.Side): it
// runs in a transaction of that file once this write's batch has
// committed, batches' work in the order they committed. The write is
// acknowledged without waiting for it (DB.SyncAside waits). A failure is
// logged: the side file holds only what can be made again, and whoever
// leaves work aside finds it missing at the next start.
func (t *Tx) Aside(fn func(ctx context.Context, tx *Tx) error) {
	if t.d.side == nil {
		panic("db: Aside on a database without a side file (PostgreSQL)")
	}
	t.aside = append(t.aside, fn)
}

// Deferred is work a write leaves to the end of its batch's transaction,
// done once for the whole batch just before the commit: Apply gets the
// items every successful write of the batch deferred to it, in order.
// Reads inside the transaction do not see deferred work. Apply's tx runs
// statements and takes work Aside and OnVisible; AfterCommit and Defer on
// it are not honoured.
type Deferred struct {
	Name  string // orders the deferred work of a batch
	Apply func(ctx context.Context, tx *Tx, items []any) error
}

type deferredItem struct {
	d    *Deferred
	item any
}

// Defer leaves item to d, at the end of the batch's transaction.
func (t *Tx) Defer(d *Deferred, item any) { t.deferred = append(t.deferred, deferredItem{d, item}) }

// applyDeferred does the deferred work of the batch's successful writes,
// each kind once, in the order of their names.
func (w *writer) applyDeferred(ctx context.Context, tx *Tx, txs []*Tx, results []error) error {
	items := map[*Deferred][]any{}
	var kinds []*Deferred
	for i, t := range txs {
		if t == nil || results[i] != nil {
			continue
		}
		for _, x := range t.deferred {
			if _, seen := items[x.d]; !seen {
				kinds = append(kinds, x.d)
			}
			items[x.d] = append(items[x.d], x.item)
		}
	}
	slices.SortFunc(kinds, func(a, b *Deferred) int { return strings.Compare(a.Name, b.Name) })
	for _, d := range kinds {
		if err := d.Apply(ctx, tx, items[d]); err != nil {
			return fmt.Errorf("%s: %w", d.Name, err)
		}
	}
	return nil
}

// Counter is a table of counters: the columns of its primary key, and a
// column n that holds the count.
type Counter struct {
	table string
	key   []string
	d     *Deferred
}

// NewCounter names a table of counters and the columns of its key.
func NewCounter(table string, key ...string) *Counter {
	c := &Counter{table: table, key: key}
	c.d = &Deferred{Name: "counters " + table, Apply: c.apply}
	return c
}

type counterAdd struct {
	key []any
	n   int64
}

// Add adds n to the counter row of c with the given key (one value per key
// column), creating it at n. The addition is deferred to the end of the
// batch's transaction, together with every other write's additions to the
// same row and in one order: counters every write moves (today's volumes, a
// unit's scores) are then locked for the moment of the commit, not for a
// whole transaction, and never in a circle.
func (t *Tx) Add(c *Counter, n int64, key ...any) {
	if n == 0 {
		return
	}
	t.Defer(c.d, counterAdd{key: key, n: n})
}

// apply makes the additions to c: one upsert per 200 rows, in key order.
func (c *Counter) apply(ctx context.Context, tx *Tx, items []any) error {
	type row struct {
		id  string
		key []any
		n   int64
	}
	rows := map[string]*row{}
	for _, it := range items {
		a := it.(counterAdd)
		var b strings.Builder
		for _, k := range a.key {
			fmt.Fprintf(&b, "%v\x00", k)
		}
		id := b.String()
		if r := rows[id]; r != nil {
			r.n += a.n
		} else {
			rows[id] = &row{id: id, key: a.key, n: a.n}
		}
	}
	sorted := make([]*row, 0, len(rows))
	for _, r := range rows {
		if r.n != 0 {
			sorted = append(sorted, r)
		}
	}
	slices.SortFunc(sorted, func(a, b *row) int { return strings.Compare(a.id, b.id) })
	for len(sorted) > 0 {
		n := min(len(sorted), 200)
		args := make([]any, 0, n*(len(c.key)+1))
		for _, r := range sorted[:n] {
			args = append(append(args, r.key...), r.n)
		}
		q := InsertSQL(tx.d.dialect, c.table, append(slices.Clone(c.key), "n"), n) +
			fmt.Sprintf(" ON CONFLICT (%s) DO UPDATE SET n = %s.n + excluded.n", strings.Join(c.key, ", "), c.table)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		sorted = sorted[n:]
	}
	return nil
}

// Write runs fn atomically and returns once its effects are durable (or it
// failed). Concurrent writes are committed together: each runs in its own
// savepoint inside one transaction, so one write's failure rolls back only
// that write, and all of them share one commit (and one fsync). Within a
// batch, writes run in arrival order and see each other's effects, exactly as
// if they had committed one after another — except work deferred to the
// commit (Defer, Add), which none of them sees.
//
// fn must use tx for every statement. On PostgreSQL a write chosen as the
// victim of a deadlock, or failing to serialise, is rolled back and run again
// on its own (up to maxTries times): fn must therefore derive everything from
// the database each time it runs, assigning its results rather than adding to
// state from an earlier run.
func (d *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return d.w.submit(ctx, fn)
}

type job struct {
	ctx   context.Context
	fn    func(*Tx) error
	done  chan error
	tries int // runs so far that failed and were retried
}

// asideWork counts the work left to the side file: queued by the main
// writer, done by the side's; SyncAside waits for done to reach queued.
type asideWork struct {
	queued atomic.Int64
	mu     sync.Mutex
	done   int64
	moved  chan struct{} // closed, and replaced, when done grows
}

// leave queues the work a batch left aside on the side file's writer, for
// it to do after the writes already there.
func (w *writer) leave(fns []func(context.Context, *Tx) error) {
	side := w.d.side
	a := &w.d.asideWork
	a.queued.Add(1)
	j := &job{ctx: context.Background(), done: make(chan error, 1), fn: func(tx *Tx) error {
		for _, fn := range fns {
			if err := fn(tx.ctx, tx); err != nil {
				return err
			}
		}
		return nil
	}}
	if err := side.w.enqueue(j); err != nil {
		j.done <- err
	}
	go func() {
		if err := <-j.done; err != nil {
			w.d.log.Error("work left to the side file failed; it is redone at the next start", "err", err)
		}
		a.mu.Lock()
		a.done++
		if a.moved != nil {
			close(a.moved)
			a.moved = nil
		}
		a.mu.Unlock()
	}()
}

// SyncAside waits until the work left aside (Tx.Aside) by the writes
// acknowledged before the call is done, or ctx ends: what reads the side
// file then sees those writes.
func (d *DB) SyncAside(ctx context.Context) error {
	if d.side == nil {
		return nil
	}
	a := &d.asideWork
	target := a.queued.Load()
	for {
		a.mu.Lock()
		if a.done >= target {
			a.mu.Unlock()
			return nil
		}
		if a.moved == nil {
			a.moved = make(chan struct{})
		}
		moved := a.moved
		a.mu.Unlock()
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// maxTries bounds how often a write that keeps losing deadlocks runs.
const maxTries = 4

type writer struct {
	d     *DB
	max   int
	lanes int
	queue chan *job

	mu     sync.RWMutex // guards closed against concurrent submit
	closed bool
	wg     sync.WaitGroup

	commits, writes atomic.Int64 // for metrics
	busy, syncing   atomic.Int64 // nanoseconds (syncing: in COMMIT), for metrics
	statements      atomic.Int64 // run through Tx, committed or not
}

// WriterStats counts commits and the writes they carried; writes/commits is
// the mean batch size. Busy is the time the writer's lanes spent in
// batches, from BEGIN to the end of COMMIT, summed over the lanes;
// Committing the part of it in COMMIT (writing the log; on PostgreSQL also
// waiting for the disk). Busy over wall time and lanes near 1 means the
// writer is what limits the write rate. On SQLite the log is synced beside
// the writer (logSyncer): Syncs counts the fsyncs, each covering every
// batch committed before it, and Syncing is the time they took.
type WriterStats struct {
	Lanes            int
	Commits, Writes  int64
	Statements       int64 // run by writes and their deferred work, each a round trip on PostgreSQL
	Queued           int
	Busy, Committing time.Duration
	Syncs            int64
	Syncing          time.Duration
}

// WriterStats returns the writer's counters.
func (d *DB) WriterStats() WriterStats {
	st := WriterStats{Lanes: d.w.lanes, Commits: d.w.commits.Load(), Writes: d.w.writes.Load(), Statements: d.w.statements.Load(), Queued: len(d.w.queue),
		Busy: time.Duration(d.w.busy.Load()), Committing: time.Duration(d.w.syncing.Load())}
	if d.sync != nil {
		st.Syncs, st.Syncing = d.sync.syncs.Load(), time.Duration(d.sync.syncing.Load())
	}
	return st
}

func newWriter(d *DB, lanes, maxBatch int) *writer {
	w := &writer{d: d, max: maxBatch, lanes: lanes, queue: make(chan *job, 4*maxBatch*lanes)}
	for lane := range lanes {
		w.wg.Add(1)
		go w.run(lane)
	}
	return w
}

func (w *writer) submit(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	if err := w.enqueue(j); err != nil {
		return err
	}
	// Once queued, the write may commit: wait for the outcome so that the
	// caller never reports failure for something that was stored.
	return <-j.done
}

// enqueue queues j behind the writes already waiting, unless the writer is
// closed or j's context ends first.
func (w *writer) enqueue(j *job) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case w.queue <- j:
		return nil
	case <-j.ctx.Done():
		return j.ctx.Err()
	}
}

// close stops accepting writes, finishes the queued ones and stops the loop.
func (w *writer) close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	close(w.queue)
	w.mu.Unlock()
	w.wg.Wait()
}

// run is one lane: it takes whatever writes are waiting and commits them
// together, again and again.
func (w *writer) run(lane int) {
	defer w.wg.Done()
	batch := make([]*job, 0, w.max)
	for j := range w.queue {
		batch = gather(append(batch[:0], j), w.queue, w.max)
		// A write that lost a deadlock runs again on its own, once the
		// batch that held it has committed and released its locks.
		for _, j := range w.commit(lane, batch) {
			for again := []*job{j}; len(again) > 0; {
				again = w.commit(lane, again)
			}
		}
		w.d.writeStmts.prepareWanted(context.Background(), w.d.write)
	}
}

// gather appends to buf what is already waiting on ch, until buf holds max
// items or ch is empty (or closed); it never waits.
func gather[T any](buf []T, ch <-chan T, max int) []T {
	for len(buf) < max {
		select {
		case v, ok := <-ch:
			if !ok {
				return buf
			}
			buf = append(buf, v)
		default:
			return buf
		}
	}
	return buf
}

// commit runs one batch in one transaction and reports each job's outcome,
// except for the jobs it returns: those lost a deadlock (or a serialisation
// check), were rolled back, and should run again.
func (w *writer) commit(lane int, batch []*job) (retry []*job) {
	began := time.Now()
	defer func() { w.busy.Add(int64(time.Since(began))) }()
	results := make([]error, len(batch))
	txs := make([]*Tx, len(batch))
	finish := func(commitErr error) {
		retry = w.retries(batch, results)
		deliver(batch, txs, results, commitErr)
	}
	if err := w.d.sync.broken(); err != nil {
		finish(err)
		return
	}

	// Statements get a generous bound so that a wedged write cannot stall
	// every other writer for ever.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sqlTx, err := w.d.write.BeginTx(ctx, nil)
	if err != nil {
		finish(fmt.Errorf("begin write: %w", err))
		return
	}
	// The batch's own statements, prepared once like the writes' (Tx).
	batchTx := &Tx{tx: sqlTx, d: w.d, ctx: ctx, lane: lane}
	// A lone write needs no savepoint: its failure rolls back the transaction.
	savepoints := len(batch) > 1
	live := 0
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if savepoints {
			if _, err := batchTx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
				w.abort(sqlTx, results, i, fmt.Errorf("savepoint: %w", err))
				finish(nil)
				return
			}
		}
		txs[i] = &Tx{tx: sqlTx, d: w.d, ctx: ctx, lane: lane}
		err := run(j.fn, txs[i])
		if err != nil {
			results[i] = err
			if !savepoints {
				_ = sqlTx.Rollback() // the error already says what went wrong
				finish(nil)
				return
			}
			if _, rerr := batchTx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); rerr != nil {
				w.abort(sqlTx, results, i+1, fmt.Errorf("rollback to savepoint: %w", rerr))
				finish(nil)
				return
			}
		} else {
			live++
		}
		// On PostgreSQL the savepoint is left open (the next one nests in
		// it, ROLLBACK TO reaches the newest of the name, COMMIT ends them
		// all): releasing it was a round trip per write. SQLite releases
		// it, which frees its sub-journal.
		if savepoints && w.d.dialect == SQLite {
			if _, err := batchTx.ExecContext(ctx, "RELEASE SAVEPOINT w"); err != nil {
				w.abort(sqlTx, results, i+1, fmt.Errorf("release savepoint: %w", err))
				finish(nil)
				return
			}
		}
	}
	if live == 0 {
		_ = sqlTx.Rollback() // nothing to keep
		finish(nil)
		return
	}
	if err := w.applyDeferred(ctx, batchTx, txs, results); err != nil {
		w.abort(sqlTx, results, len(batch), err)
		finish(nil)
		return
	}
	committing := time.Now()
	err = sqlTx.Commit()
	w.syncing.Add(int64(time.Since(committing)))
	if err != nil {
		w.d.log.Error("commit failed", "writes", live, "err", err)
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	w.commits.Add(1)
	w.writes.Add(int64(live))
	for i, t := range txs {
		if t != nil && results[i] == nil {
			for _, f := range t.visible {
				f()
			}
		}
	}
	for _, f := range batchTx.visible {
		f()
	}
	w.d.ckpt.kick()
	// The work left aside, queued before the writes are acknowledged, so
	// that SyncAside after an acknowledgement waits for it.
	var aside []func(context.Context, *Tx) error
	for i, t := range txs {
		if t != nil && results[i] == nil {
			aside = append(aside, t.aside...)
		}
	}
	if aside = append(aside, batchTx.aside...); len(aside) > 0 {
		w.leave(aside)
	}
	if w.d.sync == nil {
		finish(nil)
		return retry
	}
	// The log is synced beside the writer (logSyncer); the batch's writes
	// learn the outcome once it is. The slices are the batch's own: run
	// reuses batch for the next one.
	retry = w.retries(batch, results)
	batch = slices.Clone(batch)
	w.d.sync.hand(func(err error) { deliver(batch, txs, results, err) })
	return retry
}

// retries takes the writes that lost a deadlock (or a serialisation check)
// out of batch, setting their places to nil, and returns them to run again.
func (w *writer) retries(batch []*job, results []error) (retry []*job) {
	for i, j := range batch {
		if err := results[i]; err != nil && j.tries+1 < maxTries && IsRetryable(err) && j.ctx.Err() == nil {
			j.tries++
			w.d.log.Warn("write lost a deadlock; running it again", "try", j.tries+1, "err", err)
			retry = append(retry, j)
			batch[i] = nil
		}
	}
	return retry
}

// deliver tells each write of batch (nil places skipped) its outcome:
// its own error, else commitErr; a write that succeeded runs its
// AfterCommit functions first.
func deliver(batch []*job, txs []*Tx, results []error, commitErr error) {
	for i, j := range batch {
		if j == nil {
			continue
		}
		err := results[i]
		if err == nil && commitErr != nil {
			err = commitErr
		}
		if err == nil {
			for _, f := range txs[i].after {
				f()
			}
		}
		j.done <- err
	}
}

// abort rolls the whole transaction back after the batch machinery itself
// failed: every write that had succeeded so far, and every one not yet run
// (from index next on), fails with cause.
func (w *writer) abort(tx *sql.Tx, results []error, next int, cause error) {
	_ = tx.Rollback() // cause is what matters
	w.d.log.Error("write batch aborted", "err", cause)
	for i := range results {
		if i >= next || results[i] == nil {
			results[i] = cause
		}
	}
}

// run calls fn, turning a panic into an error so that one bad write cannot
// take the writer (and every other write) down with it.
func run(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return nil
}

// PrepareContext prepares a statement in the write transaction, for bulk
// loads that run one statement many times.
func (t *Tx) PrepareContext(_ context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(t.ctx, query)
}

// SyncIdentity moves table's id generator past the largest id, after rows
// were inserted with explicit ids (bulk loads). SQLite needs nothing: its
// rowid continues from the largest.
func (t *Tx) SyncIdentity(ctx context.Context, table string) error {
	if t.d.dialect != Postgres {
		return nil
	}
	_, err := t.tx.ExecContext(t.ctx, fmt.Sprintf(
		"SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), GREATEST((SELECT MAX(id) FROM %[1]s), 1))", table))
	if err != nil {
		return fmt.Errorf("sync identity of %s: %w", table, err)
	}
	return nil
}

// NextInSeries returns the next number of a named series (case numbers per
// year). On SQLite, whose writes are serial anyway, a counter row updated in
// the transaction makes the series gapless. On PostgreSQL a sequence serves
// it without making concurrent transactions wait for each other; a number is
// skipped only when its transaction rolls back.
func (t *Tx) NextInSeries(ctx context.Context, name string) (int64, error) {
	ns, err := t.ReserveInSeries(ctx, name, 1)
	if err != nil {
		return 0, err
	}
	return ns[0], nil
}

// ReserveInSeries returns the next n numbers of a series, ascending.
func (t *Tx) ReserveInSeries(ctx context.Context, name string, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	if t.d.dialect == SQLite {
		var last int64
		if err := t.QueryRowContext(ctx, `INSERT INTO counters (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET value = counters.value + $2 RETURNING value`, name, n).Scan(&last); err != nil {
			return nil, fmt.Errorf("series %s: %w", name, err)
		}
		for v := last - int64(n) + 1; v <= last; v++ {
			out = append(out, v)
		}
		return out, nil
	}
	seq, err := t.d.sequence(ctx, name)
	if err != nil {
		return nil, err
	}
	rows, err := t.tx.QueryContext(t.ctx, "SELECT nextval('"+seq+"') FROM generate_series(1, $1) ORDER BY 1", n)
	if err != nil {
		return nil, fmt.Errorf("series %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("series %s: %w", name, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// sequence returns the PostgreSQL sequence behind a series, creating it
// outside any transaction the first time (concurrent CREATE SEQUENCE in two
// transactions would collide).
func (d *DB) sequence(ctx context.Context, name string) (string, error) {
	var b strings.Builder
	b.WriteString("pingan_series_")
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	seq := b.String()
	d.seriesMu.Lock()
	known := d.series[seq]
	d.seriesMu.Unlock()
	if known {
		return seq, nil
	}
	var err error
	for range 3 {
		if _, err = d.read.ExecContext(ctx, "CREATE SEQUENCE IF NOT EXISTS "+seq); err == nil || !IsUniqueViolation(err) {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("series %s: create sequence: %w", name, err)
	}
	d.seriesMu.Lock()
	if d.series == nil {
		d.series = map[string]bool{}
	}
	d.series[seq] = true
	d.seriesMu.Unlock()
	return seq, nil
}
