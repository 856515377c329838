package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pingan/internal/db"
	"pingan/internal/dbtest"
)

func TestMigrateFromEmpty(t *testing.T) {
	cfg := dbtest.Config(t)
	d, err := db.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if v, err := d.SchemaVersion(ctx); err != nil || v != 0 {
		t.Fatalf("empty database at version %d (%v), want 0", v, err)
	}
	ms, err := db.Migrations(d.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrate from empty: %v", err)
	}
	if n != len(ms) {
		t.Errorf("applied %d migrations, want %d", n, len(ms))
	}
	if v, _ := d.SchemaVersion(ctx); v != ms[len(ms)-1].Version {
		t.Errorf("schema version %d, want %d", v, ms[len(ms)-1].Version)
	}
	if n, err := d.Migrate(ctx); err != nil || n != 0 {
		t.Errorf("second migrate applied %d (%v), want 0", n, err)
	}
	if p, err := d.Pending(ctx); err != nil || p != 0 {
		t.Errorf("pending = %d (%v)", p, err)
	}
	// A migration numbered below the newest applied one (a branch merged
	// after another's later migration ran) is applied when it arrives.
	if err := d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "DROP TABLE repeat_grams"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version = 16")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if p, err := d.Pending(ctx); err != nil || p != 1 {
		t.Errorf("pending with 16 missing = %d (%v), want 1", p, err)
	}
	if n, err := d.Migrate(ctx); err != nil || n != 1 {
		t.Errorf("migrate with 16 missing applied %d (%v), want 1", n, err)
	}
}

// Two nodes starting at once on one database: exactly one applies each
// migration, neither fails.
func TestConcurrentMigrate(t *testing.T) {
	cfg := dbtest.Config(t)
	if cfg.URL == "" {
		t.Skip("concurrent migration matters for several nodes on PostgreSQL")
	}
	var wg sync.WaitGroup
	applied := make([]int, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() {
			d, err := db.Open(context.Background(), cfg)
			if err != nil {
				errs[i] = err
				return
			}
			defer d.Close()
			applied[i], errs[i] = d.Migrate(context.Background())
		})
	}
	wg.Wait()
	ms, _ := db.Migrations(db.Postgres)
	total := 0
	for i := range 3 {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != len(ms) {
		t.Errorf("migrations applied %d times in total, want %d", total, len(ms))
	}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// In a batch, one write's failure rolls back only that write; the others
// commit, and each caller learns its own outcome.
func TestWriterIsolatesFailures(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	results := make([]error, 100)
	for i := range 100 {
		wg.Go(func() {
			results[i] = d.Write(ctx, func(tx *db.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'x')", fmt.Sprint("k", i)); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return boom // after a write: must be undone
				case 7:
					// A failing statement (duplicate key) inside the write.
					_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'y')", fmt.Sprint("k", i))
					return err
				case 9:
					panic("bad write")
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range results {
		switch i % 10 {
		case 3:
			if !errors.Is(err, boom) {
				t.Errorf("write %d: %v, want boom", i, err)
			}
		case 7:
			if !db.IsUniqueViolation(err) {
				t.Errorf("write %d: %v, want a unique violation", i, err)
			}
		case 9:
			if err == nil {
				t.Errorf("write %d: panic not reported", i)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	if n := count(t, d, "SELECT COUNT(*) FROM meta"); n != 70 {
		t.Errorf("%d rows committed, want 70", n)
	}
	st := d.WriterStats()
	if st.Writes != 70 || st.Commits == 0 || st.Commits > 70 {
		t.Errorf("writer stats %+v", st)
	}
}

func TestAfterCommitRunsOnlyOnSuccess(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	ran := 0
	_ = d.Write(ctx, func(tx *db.Tx) error {
		tx.AfterCommit(func() { ran++ })
		return errors.New("no")
	})
	if err := d.Write(ctx, func(tx *db.Tx) error {
		tx.AfterCommit(func() { ran += 10 })
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('a', 'b')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if ran != 10 {
		t.Errorf("after-commit hooks ran %d, want only the successful one (10)", ran)
	}
}

// OnVisible runs once a write's transaction has committed — when another
// connection already sees it — for the successful writes of a batch only,
// in the order they committed, and for the batch's deferred work.
func TestOnVisibleSeesTheCommit(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	var mu sync.Mutex
	var seen []string
	visible := func(key string) func() {
		return func() {
			var n int
			if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM meta WHERE key = $1", key).Scan(&n); err != nil || n != 1 {
				t.Errorf("%s: visible before another connection sees it (%d rows, %v)", key, n, err)
			}
			mu.Lock()
			seen = append(seen, key)
			mu.Unlock()
		}
	}
	deferred := &db.Deferred{Name: "test", Apply: func(ctx context.Context, tx *db.Tx, items []any) error {
		key := fmt.Sprint("batch", items[0])
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'x')", key)
		tx.OnVisible(visible(key))
		return err
	}}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			key := fmt.Sprint("v", i)
			_ = d.Write(ctx, func(tx *db.Tx) error {
				tx.OnVisible(visible(key))
				if i%4 == 0 {
					return errors.New("refused")
				}
				tx.Defer(deferred, i)
				_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'x')", key)
				return err
			})
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	writes, batches := 0, 0
	for _, k := range seen {
		if strings.HasPrefix(k, "batch") {
			batches++
			continue
		}
		writes++
		if k == "v0" || k == "v4" || k == "v8" || k == "v12" || k == "v16" {
			t.Errorf("%s failed, yet OnVisible ran", k)
		}
	}
	if writes != 15 || batches == 0 || !strings.HasPrefix(seen[len(seen)-1], "batch") {
		t.Errorf("OnVisible ran for %d writes and %d batches (%v), want 15 and the batch's last", writes, batches, seen)
	}
}

// Close finishes queued writes; later writes fail with ErrClosed.
func TestCloseDrains(t *testing.T) {
	cfg := dbtest.Config(t)
	d, err := db.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 50 {
		wg.Go(func() {
			err := d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'x')", fmt.Sprint(i))
				return err
			})
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if !errors.Is(err, db.ErrClosed) {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, func(*db.Tx) error { return nil }); !errors.Is(err, db.ErrClosed) {
		t.Errorf("write after close: %v, want ErrClosed", err)
	}
	d2 := dbtest.OpenConfig(t, cfg)
	if n := count(t, d2, "SELECT COUNT(*) FROM meta"); n != ok {
		t.Errorf("%d rows stored, %d writes acknowledged", n, ok)
	}
}

func TestTimelineIsAppendOnly(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE audit_log SET outcome = 'x'")
		return err
	})
	if err != nil {
		t.Fatalf("update of no rows should pass: %v", err)
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_name, action, object_type, object_id, outcome, detail, prev_hash, hash)
			VALUES (1, 0, 'x', 'x', 'x', 'x', 'ok', '{}', '', 'h')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM audit_log WHERE seq = 1")
		return err
	})
	if err == nil {
		t.Fatal("deleting an audit record succeeded")
	}
}

// On PostgreSQL two writes that lock the same rows in opposite orders
// deadlock; PostgreSQL undoes one of them, and the writer runs that one again
// instead of failing it: both callers succeed, and each write's effect is
// there once. The victim's second run can deadlock again (PostgreSQL may
// give it the first row back before the winner takes it), so more than one
// extra run is allowed, up to the writer's bound.
func TestWriterRunsDeadlockVictimAgain(t *testing.T) {
	d := dbtest.Open(t)
	if d.Dialect() != db.Postgres {
		t.Skip("SQLite has one writer: its writes cannot deadlock")
	}
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('a', ''), ('b', '')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	locked := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	write := func(me int, first, second string) error {
		tried := false
		return d.Write(ctx, func(tx *db.Tx) error {
			runs.Add(1)
			if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = value || $1 WHERE key = $2", fmt.Sprint(me), first); err != nil {
				return err
			}
			if !tried { // the first run waits until both hold their first row
				tried = true
				close(locked[me])
				select {
				case <-locked[1-me]:
				case <-time.After(10 * time.Second):
					return errors.New("the other write never started")
				}
			}
			_, err := tx.ExecContext(ctx, "UPDATE meta SET value = value || $1 WHERE key = $2", fmt.Sprint(me), second)
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- write(0, "a", "b") }()
	<-locked[0] // the second write must not join the first one's batch
	go func() { errs <- write(1, "b", "a") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a write failed: %v", err)
		}
	}
	if n := runs.Load(); n < 3 || n > 2*db.MaxTries {
		t.Errorf("%d runs, want 3 to %d (one of the two ran again)", n, 2*db.MaxTries)
	}
	for _, key := range []string{"a", "b"} {
		var v string
		if err := d.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = $1", key).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if len(v) != 2 || v[0] == v[1] {
			t.Errorf("meta %s = %q, want each write's mark once", key, v)
		}
	}
}

// Counters added to by many concurrent writes add up; a write that fails
// adds nothing; additions cancelling out leave the row as it was.
func TestCountersAddUpAtCommit(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	c := db.NewCounter("overdue_counts", "dim", "key")
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			err := d.Write(ctx, func(tx *db.Tx) error {
				tx.Add(c, 1, "test", "hot")
				tx.Add(c, 2, "test", fmt.Sprint("k", i%3))
				tx.Add(c, 1, "test", "zero")
				tx.Add(c, -1, "test", "zero")
				if i%6 == 5 {
					return errors.New("refused")
				}
				return nil
			})
			if (err != nil) != (i%6 == 5) {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	want := map[string]int{"hot": 50, "k0": 40, "k1": 40, "k2": 20}
	for key, n := range want {
		if got := count(t, d, "SELECT n FROM overdue_counts WHERE dim = 'test' AND key = $1", key); got != n {
			t.Errorf("counter %s = %d, want %d", key, got, n)
		}
	}
	if n := count(t, d, "SELECT COUNT(*) FROM overdue_counts WHERE dim = 'test' AND key = 'zero'"); n != 0 {
		t.Errorf("additions that cancel out made a row")
	}
}

// DeleteChunked deletes every matching row, a chunk per write, runs also
// in each write that deleted rows, and leaves the others.
func TestDeleteChunked(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for i := range 12 {
			v := "old"
			if i >= 10 {
				v = "new"
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, $2)", fmt.Sprint("k", i), v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var chunks []int64
	n, err := d.DeleteChunked(ctx, "meta", "key", "value = $1", []any{"old"}, 3, func(tx *db.Tx, n int64) error {
		chunks = append(chunks, n)
		return nil
	})
	if err != nil || n != 10 || !slices.Equal(chunks, []int64{3, 3, 3, 1}) {
		t.Fatalf("deleted %d in chunks %v (%v), want 10 in 3, 3, 3, 1", n, chunks, err)
	}
	if left := count(t, d, "SELECT COUNT(*) FROM meta WHERE value = 'new'"); left != 2 || count(t, d, "SELECT COUNT(*) FROM meta") != 2 {
		t.Errorf("%d rows left, want the 2 new ones", left)
	}
}

// Work asked for at the next start is claimed by one node, kept while its
// holder renews the claim, taken over when the holder dies (its claim
// lapses), left for the next start when the work fails, and gone once done.
func TestRequestClaims(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	const lease = 300 * time.Millisecond
	if c, err := d.ClaimRequest(ctx, "rebuild:x", lease); err != nil || c != nil {
		t.Fatalf("claimed work nobody asked for: %v %v", c, err)
	}
	if err := d.Request(ctx, "rebuild:x", "test"); err != nil {
		t.Fatal(err)
	}
	first, err := d.ClaimRequest(ctx, "rebuild:x", lease)
	if err != nil || first == nil {
		t.Fatalf("first claim: %v %v", first, err)
	}
	// A second node starting meanwhile sees the claim renewed and goes on,
	// even after several leases have passed.
	time.Sleep(2 * lease)
	if c, err := d.ClaimRequest(ctx, "rebuild:x", lease); err != nil || c != nil {
		t.Fatalf("a live claim was taken over: %v %v", c, err)
	}
	// The work fails: the request stays for the next start, which claims
	// it at once.
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Requested(ctx, "rebuild:x"); err != nil || !ok {
		t.Fatalf("the request went with a failed attempt: %v %v", ok, err)
	}
	began := time.Now()
	second, err := d.ClaimRequest(ctx, "rebuild:x", lease)
	if err != nil || second == nil || time.Since(began) > lease/2 {
		t.Fatalf("claim after a release: %v %v in %s", second, err, time.Since(began))
	}
	// Its holder dies (it stops renewing): the next start waits for the
	// claim to lapse and takes the work over.
	second.Crash()
	third, err := d.ClaimRequest(ctx, "rebuild:x", lease)
	if err != nil || third == nil {
		t.Fatalf("a dead node's claim was not taken over: %v %v", third, err)
	}
	// The dead node, back, cannot end what is no longer its claim.
	if err := second.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Requested(ctx, "rebuild:x"); err != nil || !ok {
		t.Fatalf("a claim taken over was ended by its old holder: %v %v", ok, err)
	}
	if err := third.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Requested(ctx, "rebuild:x"); err != nil || ok {
		t.Fatalf("the request outlived the work: %v %v", ok, err)
	}
	var claims int
	if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM meta WHERE key LIKE 'claim:%'").Scan(&claims); err != nil || claims != 0 {
		t.Fatalf("%d claims left (%v)", claims, err)
	}
	if c, err := d.ClaimRequest(ctx, "rebuild:x", lease); err != nil || c != nil {
		t.Fatalf("claimed work already done: %v %v", c, err)
	}
}

// The log is copied back into the SQLite file beside the writer, well before
// the writer's own (far larger) checkpoint threshold: without the
// checkpointer these pages would stay in the log.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	if dbtest.Backend() != "sqlite" {
		t.Skip("SQLite's write-ahead log")
	}
	cfg := dbtest.Config(t)
	d := dbtest.OpenConfig(t, cfg)
	ctx := context.Background()
	file := filepath.Join(cfg.DataDir, db.SQLiteFile)
	size := func() int64 {
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// Let a checkpoint of the migrations settle first.
	time.Sleep(500 * time.Millisecond)
	before := size()
	page := strings.Repeat("平安", 700) // ~4 KiB a row
	for i := range 30 {
		if err := d.Write(ctx, func(tx *db.Tx) error {
			for j := range 10 {
				if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, $2)", fmt.Sprintf("ck-%d-%d", i, j), fmt.Sprint(i, j, page)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	const want = 1 << 20 // 300 rows of 4 KiB: over a megabyte in the file
	for deadline := time.Now().Add(10 * time.Second); size()-before < want; {
		if time.Now().After(deadline) {
			t.Fatalf("the file grew %d bytes after 1.2 MB of commits; the log was not checkpointed", size()-before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLogSyncedBesideTheWriter(t *testing.T) {
	if dbtest.Backend() != "sqlite" {
		t.Skip("SQLite's write-ahead log")
	}
	d := dbtest.Open(t)
	ctx := context.Background()
	// The writer commits without waiting for the disk; every other
	// connection keeps FULL.
	var writerSync, readerSync int
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&writerSync)
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&readerSync); err != nil {
		t.Fatal(err)
	}
	if writerSync != 1 || readerSync != 2 {
		t.Fatalf("synchronous: writer %d, readers %d; want 1 (NORMAL) and 2 (FULL)", writerSync, readerSync)
	}
	// Each acknowledgement waits for a sync of the log made after its
	// commit.
	for i := range 5 {
		before := d.WriterStats().Syncs
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'x')", fmt.Sprint("sync-", i))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if after := d.WriterStats().Syncs; after <= before {
			t.Fatalf("write %d acknowledged with %d syncs before and %d after: not synced", i, before, after)
		}
	}
	// Concurrent batches share syncs: never more syncs than commits.
	st := d.WriterStats()
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			if err := d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'x')", fmt.Sprint("many-", i))
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	now := d.WriterStats()
	if syncs, commits := now.Syncs-st.Syncs, now.Commits-st.Commits; syncs < 1 || syncs > commits {
		t.Errorf("64 writes: %d commits, %d syncs", commits, syncs)
	}
	if n := count(t, d, "SELECT COUNT(*) FROM meta WHERE key LIKE 'many-%'"); n != 64 {
		t.Errorf("%d of 64 acknowledged writes stored", n)
	}

	// A disk that refuses the sync: the write waiting for it fails, and so
	// does every write after it, as does Durable.
	db.BreakLogSync(d)
	write := func(key string) error {
		return d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, 'x')", key)
			return err
		})
	}
	if err := write("refused"); !errors.Is(err, db.ErrLogSync) {
		t.Fatalf("write whose sync failed: %v, want ErrLogSync", err)
	}
	if err := write("after"); !errors.Is(err, db.ErrLogSync) {
		t.Fatalf("write after a failed sync: %v, want ErrLogSync", err)
	}
	if err := d.Durable(ctx); !errors.Is(err, db.ErrLogSync) {
		t.Fatalf("Durable after a failed sync: %v, want ErrLogSync", err)
	}
	// The node says it cannot serve (/readyz pings the database).
	if err := d.Ping(ctx); !errors.Is(err, db.ErrLogSync) {
		t.Fatalf("Ping after a failed sync: %v, want ErrLogSync", err)
	}
	if n := count(t, d, "SELECT COUNT(*) FROM meta WHERE key = 'after'"); n != 0 {
		t.Errorf("a write after the failed sync was committed")
	}
}
