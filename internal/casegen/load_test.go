package casegen_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casegen"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/demo"
)

// table reads a whole table as strings, in a total order.
func table(t *testing.T, d *db.DB, query string) []string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

const (
	eventsQuery = "SELECT unit_id, day, metric, case_id, at FROM score_events ORDER BY case_id, at, metric, unit_id, day"
	countsQuery = "SELECT unit_id, day, metric, n FROM score_counts ORDER BY unit_id, day, metric"
	// The secondary indexes as the migrations made them (SQLite).
	indexQuery = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
)

// The loader records the scoring events of what it loads as it goes: the
// rows and counters must be those a replay of the timeline (Rebuild) makes,
// after a bulk load into a new database and after a smaller load on top of
// it, which goes batch by batch. On SQLite the indexes the bulk load drops
// are all there again, as they were.
func TestLoadRecordsWhatARebuildMakes(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	a := env.App
	sqlite := a.DB.Dialect() == db.SQLite
	var indexes []string
	if sqlite {
		indexes = table(t, a.DB, indexQuery)
	}
	for _, load := range []struct {
		n    int
		seed uint64
	}{{3000, 5}, {600, 6}} {
		if _, err := demo.GenerateCases(ctx, a, load.n, 60, load.seed, nil); err != nil {
			t.Fatal(err)
		}
		events, counts := table(t, a.DB, eventsQuery), table(t, a.DB, countsQuery)
		if len(events) < 5*load.n {
			t.Fatalf("%d scoring events for %d cases", len(events), load.n)
		}
		if sqlite {
			if got := table(t, a.DB, indexQuery); !slices.Equal(got, indexes) {
				t.Fatalf("indexes after the load:\n%v\nbefore:\n%v", got, indexes)
			}
		}
		if _, err := a.Score.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			got, want []string
		}{{"score_events", events, table(t, a.DB, eventsQuery)}, {"score_counts", counts, table(t, a.DB, countsQuery)}} {
			if !slices.Equal(c.got, c.want) {
				for i := range min(len(c.got), len(c.want)) {
					if c.got[i] != c.want[i] {
						t.Fatalf("%s row %d: loaded %s, rebuilt %s", c.name, i, c.got[i], c.want[i])
					}
				}
				t.Fatalf("%s: loaded %d rows, rebuilt %d", c.name, len(c.got), len(c.want))
			}
		}
	}
	// What was loaded is found by full-text search once the load returns.
	sys := access.System("test")
	page, err := a.Cases.List(ctx, sys, casework.Filter{Limit: 1})
	if err != nil || len(page.Cases) == 0 {
		t.Fatalf("%v, %d cases", err, len(page.Cases))
	}
	c := page.Cases[0]
	found, err := a.Cases.List(ctx, sys, casework.Filter{Text: c.Title, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(found.Cases, func(f casework.Case) bool { return f.ID == c.ID }) {
		t.Fatalf("searching %q does not find %s", c.Title, c.Number)
	}
}

// A bulk load cut short leaves the database as it was: no cases, and every
// index it dropped still there.
func TestBulkLoadCutShortLeavesTheIndexes(t *testing.T) {
	env := apptest.New(t)
	a := env.App
	if a.DB.Dialect() != db.SQLite {
		t.Skip("the bulk path is SQLite's")
	}
	indexes := table(t, a.DB, indexQuery)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := demo.World(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	g, err := casegen.New(w, 9)
	if err != nil {
		t.Fatal(err)
	}
	now := a.Now()
	err = casegen.Load(ctx, a.DB, a.Audit, a.Score, g, 3*casegen.BatchSize, now.AddDate(0, 0, -30), now, func(done int) {
		if done >= casegen.BatchSize {
			cancel() // after the first batch, inside the load's transaction
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("load cut short: %v", err)
	}
	if n, err := demo.CaseCount(context.Background(), a.DB); err != nil || n != 0 {
		t.Fatalf("%d cases after a load cut short (%v)", n, err)
	}
	if got := table(t, a.DB, indexQuery); !slices.Equal(got, indexes) {
		t.Fatalf("indexes after a load cut short:\n%v\nbefore:\n%v", got, indexes)
	}
	// Nor does the side file keep texts of cases that were never stored:
	// the cases later given those ids would match them.
	var entries int
	if err := a.DB.Side().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM case_fts").Scan(&entries); err != nil || entries != 0 {
		t.Fatalf("%d search entries after a load cut short (%v)", entries, err)
	}
}
