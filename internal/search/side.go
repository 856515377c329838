package search

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pingan/internal/db"
)

// On SQLite the index lives in the side file (db.SideFile) and is written
// by the side file's writer once each batch of writes has committed
// (db.Tx.Aside): tokens go in off the writer every write waits for, in the
// order the batches committed. A search first waits for the index to take
// in every write acknowledged before it (Sync), so what a user stored is
// what they find.
//
// The side file keeps a mark of how far it has come: the newest timeline
// entry committed before the last batch it indexed. Every change of a
// case's searchable text appends a timeline entry in the same write, so at
// start (Prepare) the cases with entries after the mark are indexed again
// — after a crash between a commit and its indexing, or a failed
// indexing — and every case when the side file is new.

// sideSchema makes the side file's tables; see migration 0005 for the
// index's design, scope.go for the scope column.
const sideSchema = `CREATE VIRTUAL TABLE IF NOT EXISTS case_fts USING fts5 (
    uni,
    bi,
    scope,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
CREATE TABLE IF NOT EXISTS search_mark (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    timeline_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS search_scope (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
)`

// sideState is what this process knows of a database's side index.
type sideState struct {
	failed atomic.Bool // an indexing failed: the mark must stay until the next start
}

var sides sync.Map // *db.DB → *sideState

func stateOf(d *db.DB) *sideState {
	s, _ := sides.LoadOrStore(d, &sideState{})
	return s.(*sideState)
}

// Prepare readies the index of a database before it serves: on SQLite it
// makes the side file's tables if they are not there and indexes again the
// cases changed since the side file's mark (every case, for a new side
// file, or one made before its entries held their scope). It returns how
// many cases it indexed. On PostgreSQL the index is in the database's own
// transactions and there is nothing to do.
func Prepare(ctx context.Context, d *db.DB) (int, error) {
	side := d.Side()
	if side == nil {
		return 0, nil
	}
	remade := false
	if err := side.Write(ctx, func(tx *db.Tx) error {
		// An index without the scope column (made by a build before it) is
		// made again: its entries lack the tokens scoped searches match.
		var cols, scoped int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(*) FILTER (WHERE name = 'scope') FROM pragma_table_info('case_fts')").
			Scan(&cols, &scoped); err != nil {
			return err
		}
		if cols > 0 && scoped == 0 {
			if _, err := tx.ExecContext(ctx, "DROP TABLE case_fts; DROP TABLE IF EXISTS search_mark; DROP TABLE IF EXISTS search_scope"); err != nil {
				return err
			}
			remade = true
		}
		_, err := tx.ExecContext(ctx, sideSchema)
		return err
	}); err != nil {
		return 0, fmt.Errorf("search index: create: %w", err)
	}
	// Entries above the newest case are a load's that failed or crashed
	// after its texts were indexed (casegen's bulk load indexes beside its
	// transaction): cases taking those ids must not match their words or
	// scopes.
	var newestCase int64
	if err := d.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM cases").Scan(&newestCase); err != nil {
		return 0, fmt.Errorf("search index: newest case: %w", err)
	}
	if err := DropAbove(ctx, d, newestCase); err != nil {
		return 0, err
	}
	var mark int64
	if err := side.QueryRowContext(ctx, "SELECT COALESCE(MAX(timeline_id), -1) FROM search_mark").Scan(&mark); err != nil {
		return 0, fmt.Errorf("search index: read its mark: %w", err)
	}
	var newest int64
	if err := d.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM timeline").Scan(&newest); err != nil {
		return 0, fmt.Errorf("search index: newest timeline entry: %w", err)
	}
	// A unit moved whose re-indexed entries the side file did not take in
	// (see UnitMoved): every case again, their scopes may be anywhere.
	want, have, err := generations(ctx, d)
	if err != nil {
		return 0, err
	}
	moved := want != have
	n := 0
	switch {
	case remade || moved || mark < 0 && newest > 0:
		n, err = Reindex(ctx, d, nil) // a new side file, or new scopes
	case mark >= 0 && mark < newest:
		n, err = reindexChanged(ctx, d, mark)
	}
	if err != nil {
		return n, err
	}
	if mark == newest && !moved {
		return 0, nil // caught up
	}
	// The mark goes where the reindex got to, in order after its work.
	if err := d.Write(ctx, func(tx *db.Tx) error {
		tx.Aside(func(ctx context.Context, side *db.Tx) error {
			if err := setMark(ctx, side, newest); err != nil {
				return err
			}
			return setGeneration(ctx, side, want)
		})
		return nil
	}); err != nil {
		return n, err
	}
	stateOf(d).failed.Store(false)
	return n, d.SyncAside(ctx)
}

// DropAbove removes the side file's entries of case ids above id: texts
// indexed for cases that were then not stored. Nothing on PostgreSQL,
// whose index rows are written in the cases' own transactions.
func DropAbove(ctx context.Context, d *db.DB, id int64) error {
	side := d.Side()
	if side == nil {
		return nil
	}
	if err := side.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM case_fts WHERE rowid > $1", id)
		return err
	}); err != nil {
		return fmt.Errorf("search index: drop entries above case %d: %w", id, err)
	}
	return nil
}

// Rebuild makes the index again from the cases, and returns how many it
// indexed: on SQLite a new index in the side file (the old one dropped,
// with the tombstones of cases indexed over and over), on PostgreSQL every
// case's vector replaced.
func Rebuild(ctx context.Context, d *db.DB) (int, error) {
	side := d.Side()
	if side == nil {
		return Reindex(ctx, d, nil)
	}
	if err := d.SyncAside(ctx); err != nil {
		return 0, err
	}
	if err := side.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS case_fts; DROP TABLE IF EXISTS search_mark; DROP TABLE IF EXISTS search_scope")
		return err
	}); err != nil {
		return 0, fmt.Errorf("search index: drop: %w", err)
	}
	return Prepare(ctx, d)
}

// setMark records that the index holds every change up to the timeline
// entry given.
func setMark(ctx context.Context, side *db.Tx, timelineID int64) error {
	_, err := side.ExecContext(ctx, `INSERT INTO search_mark (id, timeline_id) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET timeline_id = excluded.timeline_id`, timelineID)
	return err
}

// reindexChanged indexes again the cases with timeline entries after mark.
func reindexChanged(ctx context.Context, d *db.DB, mark int64) (int, error) {
	ids, err := db.IDs(ctx, d, "SELECT DISTINCT case_id FROM timeline WHERE id > $1 ORDER BY case_id", mark)
	if err != nil {
		return 0, fmt.Errorf("search index: cases changed since %d: %w", mark, err)
	}
	done := 0
	for chunk := range slices.Chunk(ids, reindexBatch) {
		err := d.Write(ctx, func(tx *db.Tx) error {
			where, args := caseIDs(tx.Dialect(), "id", 1, chunk)
			docs, err := caseTexts(ctx, tx, where+" ORDER BY id", args...)
			if err != nil {
				return err
			}
			return indexWith(ctx, tx, docs, false)
		})
		if err != nil {
			return done, fmt.Errorf("search index: reindex changed cases: %w", err)
		}
		done += len(chunk)
	}
	return done, d.SyncAside(ctx)
}

// indexAside leaves docs to the side file's writer, with the mark of the
// write's batch when mark is set (the batch is then all indexed up to it).
func indexAside(tx *db.Tx, docs []Doc, mark bool) {
	st := stateOf(tx.DB())
	var newest int64 = -1
	if mark {
		if err := tx.QueryRowContext(context.Background(), "SELECT COALESCE(MAX(id), 0) FROM timeline").Scan(&newest); err != nil {
			newest = -1 // the next start indexes from the mark before
		}
	}
	tx.Aside(func(ctx context.Context, side *db.Tx) error {
		if err := BulkIndex(ctx, side, docs); err != nil {
			st.failed.Store(true)
			return err
		}
		if newest < 0 || st.failed.Load() {
			return nil
		}
		return setMark(ctx, side, newest)
	})
}

// SyncBound is the longest a search waits for the index to take in the
// writes before it: the side writer takes milliseconds; one far behind (a
// bulk load of many thousand cases) leaves the search to what it has.
const SyncBound = 10 * time.Second

// Sync waits until the index holds every write acknowledged before the
// call (on SQLite, where it is written after the commit), for SyncBound at
// most. It fails only when ctx ends.
func Sync(ctx context.Context, d *db.DB) error {
	bounded, cancel := context.WithTimeout(ctx, SyncBound)
	defer cancel()
	if err := d.SyncAside(bounded); err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}
