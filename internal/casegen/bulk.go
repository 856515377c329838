package casegen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"pingan/internal/db"
	"pingan/internal/score"
	"pingan/internal/search"
)

// bulkTables are the tables a load fills row by row; their secondary
// indexes are made again after a bulk load rather than kept up to date
// through it.
var bulkTables = []string{"cases", "reports", "timeline", "case_units", "timers", "score_events"}

// bulkCacheKiB is the writer's page cache during a bulk load (the default
// is 32 MB): the index builds at its end sort in it.
const bulkCacheKiB = 256 << 10

// bulkMax is the largest load loadBulk takes. Its one transaction holds
// the database's write lock for the whole load (a server writing the same
// file waits), the log grows by the load's size until the commit, the
// index builds at its end sort in memory (temp_store is memory), and the
// writer bounds a transaction to two minutes: 100,000 cases take 15–25 s on
// the development machine. A larger load goes batch by batch.
const bulkMax = 100_000

// bulk reports whether a load of n cases goes through loadBulk: on SQLite,
// into a database without cases (a new one: making the indexes again then
// costs less than keeping them through the load, and nobody is at work
// in it yet), and at most bulkMax.
func (l *loader) bulk(ctx context.Context, n int) (bool, error) {
	if l.d.Dialect() != db.SQLite || l.d.Side() == nil || n > bulkMax {
		return false, nil
	}
	var have int64
	if err := l.d.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM cases").Scan(&have); err != nil {
		return false, fmt.Errorf("bulk load: count cases: %w", err)
	}
	return have == 0, nil
}

// index is a secondary index as sqlite_master keeps it.
type index struct{ name, sql string }

// loadBulk writes every batch in one transaction: the secondary indexes of
// bulkTables that the load would update out of order are dropped at its
// start and made again, from the definitions sqlite_master held, at its
// end. A load cut short —
// an error, a crash, the power — leaves the database as it was before it,
// indexes included: the drop commits only with the load and the indexes
// made again. Meanwhile the side file's writer indexes each batch's search
// texts on the other core; once both have finished, the side file's mark
// moves past the load. Texts indexed for a load that then failed are
// dropped before it returns (and, after a crash, at the next start:
// search.Prepare drops entries above the newest case), so that no case
// taking those ids matches them. A crash after the commit and before the
// mark moved leaves the loaded cases to be indexed again at the next start.
func (l *loader) loadBulk(ctx context.Context, batches <-chan batch) error {
	side := l.d.Side()
	texts := make(chan []search.Doc, 4)
	sideErr := make(chan error, 1)
	// Cancelled when the load fails: the texts still queued are not indexed.
	sideCtx, stopSide := context.WithCancel(ctx)
	defer stopSide()
	go func() {
		var err error
		for docs := range texts {
			if err == nil {
				err = side.Write(sideCtx, func(tx *db.Tx) error { return search.BulkIndex(sideCtx, tx, docs) })
			}
		}
		sideErr <- err
	}()
	err := l.d.Write(ctx, func(tx *db.Tx) error { return l.writeAll(ctx, tx, batches, texts) })
	if err != nil {
		stopSide()
	}
	close(texts)
	serr := <-sideErr
	if err != nil {
		// The database had no cases: every entry indexed meanwhile is the
		// failed load's.
		if derr := search.DropAbove(context.WithoutCancel(ctx), l.d, 0); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	}
	if serr != nil {
		return fmt.Errorf("bulk load: the cases are loaded; their search index is made again at the next start: %w", serr)
	}
	// The mark: the side file holds every text up to the newest entry.
	if err := l.d.Write(ctx, func(tx *db.Tx) error { return search.IndexAll(ctx, tx, nil) }); err != nil {
		return err
	}
	return l.d.SyncAside(ctx)
}

// writeAll writes every batch in tx between dropping the indexes and
// making them again, with a larger page cache meanwhile; texts takes each
// batch's search texts.
func (l *loader) writeAll(ctx context.Context, tx *db.Tx, batches <-chan batch, texts chan<- []search.Doc) (err error) {
	indexes, err := dropIndexes(ctx, tx)
	if err != nil {
		return err
	}
	var cache int64
	if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", bulkCacheKiB)); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	defer func() {
		// Restored even when ctx has ended: the connection is the writer's.
		if _, rerr := tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", cache)); rerr != nil && err == nil {
			err = fmt.Errorf("bulk load: restore the page cache's size: %w", rerr)
		}
	}()
	counts := map[score.Key]int64{}
	for b := range batches {
		batch := b.cases
		if err := l.write(ctx, tx, batch, func(docs []search.Doc) error {
			// The scopes as the loader knows them, rather than read back
			// from case_units (search.ResolveScopes).
			for i := range docs {
				scope, err := l.scope(batch[i].Units)
				if err != nil {
					return err
				}
				docs[i] = docs[i].WithScope(scope)
			}
			select {
			case texts <- docs:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}); err != nil {
			return fmt.Errorf("load cases %d–%d: %w", l.done+1, l.done+len(batch), err)
		}
		for k, n := range b.counts {
			counts[k] += n
		}
		l.loaded(len(batch))
	}
	// All of it or nothing: the generator stops early only on an error.
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.done != l.n {
		return fmt.Errorf("bulk load: %d of %d cases generated", l.done, l.n)
	}
	l.scores.AddCounts(tx, counts)
	for _, ix := range indexes {
		if _, err := tx.ExecContext(ctx, ix.sql); err != nil {
			return fmt.Errorf("bulk load: make index %s again: %w", ix.name, err)
		}
	}
	return nil
}

// scope returns the units of a case's search scope: its units and their
// ancestors.
func (l *loader) scope(units []int64) ([]int64, error) {
	out := slices.Clone(units)
	for _, u := range units {
		as, ok := l.g.w.Ancestors[u]
		if !ok {
			return nil, fmt.Errorf("bulk load: unit %d is not in the world's organisation", u)
		}
		out = append(out, as...)
	}
	return out, nil
}

// dropIndexes drops the non-unique secondary indexes of bulkTables in tx
// and returns their definitions. Unique ones stay: they are constraints
// (and ON CONFLICT clauses rely on them). So do those led by case_id: the
// load appends to them in order (new cases have the highest ids), which
// costs less than building them again (measured: 100,000 cases, ~1 s of
// CPU less).
func dropIndexes(ctx context.Context, tx *db.Tx) ([]index, error) {
	q := "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('" +
		strings.Join(bulkTables, "', '") + "') ORDER BY name"
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("bulk load: read indexes: %w", err)
	}
	var out []index
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.sql); err != nil {
			rows.Close()
			return nil, fmt.Errorf("bulk load: read indexes: %w", err)
		}
		if !strings.HasPrefix(strings.ToUpper(ix.sql), "CREATE UNIQUE") && !strings.Contains(ix.sql, "(case_id") {
			out = append(out, ix)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bulk load: read indexes: %w", err)
	}
	for _, ix := range out {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+ix.name+`"`); err != nil {
			return nil, fmt.Errorf("bulk load: drop index %s: %w", ix.name, err)
		}
	}
	return out, nil
}
