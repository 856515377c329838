package search

import (
	"context"
	"fmt"

	"pingan/internal/db"
)

// reindexBatch is how many cases one write of Reindex covers: large enough
// to amortise the commit, small enough not to hold SQLite's single writer
// for long.
const reindexBatch = 2000

// Reindex indexes every case from what the database holds — its title and
// address, and each report's title, address and body, as casework indexes a
// case — replacing what was indexed before. It fills the index of a database
// whose cases predate it (migration 0005 creates it empty) and repairs one
// that drifted. Each batch reads and writes in one write transaction, so a
// case changed meanwhile is indexed either before that change (and then
// again by it) or after. progress, if set, is called after each batch with
// the number indexed so far.
//
// Replacing a case already indexed costs more than indexing it the first
// time: on SQLite each replaced case leaves a tombstone that merges and
// queries consult until the segments holding it are merged.
func Reindex(ctx context.Context, d *db.DB, progress func(indexed int)) (int, error) {
	var after int64
	done := 0
	for {
		var n int
		var last int64
		err := d.Write(ctx, func(tx *db.Tx) error {
			docs, err := caseTexts(ctx, tx, "id > $1 ORDER BY id LIMIT $2", after, reindexBatch)
			if err != nil {
				return err
			}
			if n = len(docs); n == 0 {
				return nil
			}
			last = docs[n-1].CaseID
			return indexWith(ctx, tx, docs, false)
		})
		if err != nil {
			return done, fmt.Errorf("reindex cases after %d: %w", after, err)
		}
		if n == 0 {
			return done, d.SyncAside(ctx)
		}
		after = last
		done += n
		if progress != nil {
			progress(done)
		}
	}
}

// caseTexts reads the searchable text of the cases where (SQL on cases,
// with its arguments) selects, in id order.
func caseTexts(ctx context.Context, tx *db.Tx, where string, args ...any) ([]Doc, error) {
	lock := ""
	if tx.Dialect() == db.Postgres {
		// A concurrent change to one of these cases waits until this batch
		// is indexed, then indexes its own text after it. (On SQLite the
		// write holds the only writer, and the index work it leaves aside
		// comes before any later change's.)
		lock = " FOR SHARE"
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, title, address FROM cases WHERE "+where+lock, args...)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	defer rows.Close()
	type parts struct{ title, address string }
	var ids []int64
	cases := map[int64]parts{}
	for rows.Next() {
		var id int64
		var p parts
		if err := rows.Scan(&id, &p.title, &p.address); err != nil {
			return nil, fmt.Errorf("read cases: %w", err)
		}
		ids = append(ids, id)
		cases[id] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	reports := make(map[int64][]string, len(ids))
	// The reports of a run of cases by range; of cases far apart (the
	// cases changed since a mark, or whose units changed), by their ids.
	where, wargs := caseIDs(tx.Dialect(), "case_id", 1, ids)
	rrows, err := tx.QueryContext(ctx, "SELECT case_id, title, address, body FROM reports WHERE "+where+" ORDER BY id", wargs...)
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var id int64
		var title, address, body string
		if err := rrows.Scan(&id, &title, &address, &body); err != nil {
			return nil, fmt.Errorf("read reports: %w", err)
		}
		reports[id] = append(reports[id], title, address, body)
	}
	if err := rrows.Err(); err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	docs := make([]Doc, len(ids))
	for i, id := range ids {
		p := cases[id]
		docs[i] = Doc{CaseID: id, Text: Text(append([]string{p.title, p.address}, reports[id]...)...)}
	}
	return docs, nil
}
