package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Tx is one write inside a group commit. Its statements always run on the
// writer's own context: a caller that gives up must not abort the shared
// transaction of the other writes in its batch.
type Tx struct {
	tx    *sql.Tx
	d     *DB
	ctx   context.Context
	after []func()
}

// ExecContext runs a statement in the write transaction.
func (t *Tx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

// QueryContext runs a query in the write transaction; it sees the batch's
// uncommitted writes.
func (t *Tx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

// QueryRowContext runs a single-row query in the write transaction.
func (t *Tx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// Dialect returns the database's dialect.
func (t *Tx) Dialect() Dialect { return t.d.dialect }

// AfterCommit registers f to run once this write is durably committed. It
// does not run if the write fails or is rolled back.
func (t *Tx) AfterCommit(f func()) { t.after = append(t.after, f) }

// Write runs fn atomically and returns once its effects are durable (or it
// failed). Concurrent writes are committed together: each runs in its own
// savepoint inside one transaction, so one write's failure rolls back only
// that write, and all of them share one commit (and one fsync). Within a
// batch, writes run in arrival order and see each other's effects, exactly as
// if they had committed one after another.
//
// fn must use tx for every statement, and may be called at most once.
func (d *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return d.w.submit(ctx, fn)
}

type job struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

type writer struct {
	d     *DB
	max   int
	queue chan *job

	mu     sync.RWMutex // guards closed against concurrent submit
	closed bool
	wg     sync.WaitGroup

	commits, writes atomic.Int64 // for metrics
}

// WriterStats counts commits and the writes they carried; writes/commits is
// the mean batch size.
type WriterStats struct {
	Commits, Writes int64
	Queued          int
}

// WriterStats returns the writer's counters.
func (d *DB) WriterStats() WriterStats {
	return WriterStats{Commits: d.w.commits.Load(), Writes: d.w.writes.Load(), Queued: len(d.w.queue)}
}

func newWriter(d *DB, maxBatch int) *writer {
	w := &writer{d: d, max: maxBatch, queue: make(chan *job, 4*maxBatch)}
	w.wg.Add(1)
	go w.run()
	return w
}

func (w *writer) submit(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.queue <- j:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	// Once queued, the write may commit: wait for the outcome so that the
	// caller never reports failure for something that was stored.
	return <-j.done
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

func (w *writer) run() {
	defer w.wg.Done()
	batch := make([]*job, 0, w.max)
	for j := range w.queue {
		batch = append(batch[:0], j)
	drain:
		for len(batch) < w.max {
			select {
			case j, ok := <-w.queue:
				if !ok {
					break drain
				}
				batch = append(batch, j)
			default:
				break drain
			}
		}
		w.commit(batch)
	}
}

// commit runs one batch in one transaction and reports each job's outcome.
func (w *writer) commit(batch []*job) {
	results := make([]error, len(batch))
	txs := make([]*Tx, len(batch))
	finish := func(commitErr error) {
		for i, j := range batch {
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

	// Statements get a generous bound so that a wedged write cannot stall
	// every other writer for ever.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sqlTx, err := w.d.write.BeginTx(ctx, nil)
	if err != nil {
		finish(fmt.Errorf("begin write: %w", err))
		return
	}
	// A lone write needs no savepoint: its failure rolls back the transaction.
	savepoints := len(batch) > 1
	live := 0
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if savepoints {
			if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
				w.abort(sqlTx, results, i, fmt.Errorf("savepoint: %w", err))
				finish(nil)
				return
			}
		}
		txs[i] = &Tx{tx: sqlTx, d: w.d, ctx: ctx}
		err := run(j.fn, txs[i])
		if err != nil {
			results[i] = err
			if !savepoints {
				_ = sqlTx.Rollback() // the error already says what went wrong
				finish(nil)
				return
			}
			if _, rerr := sqlTx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); rerr != nil {
				w.abort(sqlTx, results, i+1, fmt.Errorf("rollback to savepoint: %w", rerr))
				finish(nil)
				return
			}
		} else {
			live++
		}
		if savepoints {
			if _, err := sqlTx.ExecContext(ctx, "RELEASE SAVEPOINT w"); err != nil {
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
	if err := sqlTx.Commit(); err != nil {
		w.d.log.Error("commit failed", "writes", live, "err", err)
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	w.commits.Add(1)
	w.writes.Add(int64(live))
	finish(nil)
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
