package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"pingan/internal/bench"
)

// keepFlags registers --dir and --schema, which keep a benchmark's
// database for the next run (a large load takes most of an hour).
func keepFlags(fs *flag.FlagSet) func() bench.Keep {
	dir := fs.String("dir", "", "SQLite: keep the database in this directory, and reuse it when it already holds the cases")
	schema := fs.String("schema", "", "PostgreSQL: keep the database in this schema (lower case), and reuse it when it already holds the cases")
	return func() bench.Keep { return bench.Keep{Dir: *dir, Schema: *schema} }
}

// progress prints a load's progress every tenth of n.
func progress(e *env, n int, start time.Time) func(int) {
	step := max(n/10, 1)
	mark := step
	return func(done int) {
		if done >= mark || done == n {
			fmt.Fprintf(e.stderr, "  %d / %d cases (%s)\n", done, n, time.Since(start).Round(time.Second))
			mark += step
		}
	}
}

// benchDedup measures the duplicate-candidate lookup at scale.
func benchDedup(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench dedup", "[--cases 1000000] [--days 365] [--queries 200] [--runs 5] [--postgres URL] [--dir DIR | --schema NAME]")
	cases := fs.Int("cases", 1_000_000, "generated cases to load")
	days := fs.Int("days", 365, "the cases are received over this many days before now")
	queries := fs.Int("queries", 200, "reworded repeats of open cases, and as many fresh reports")
	runs := fs.Int("runs", 5, "timed lookups of each query")
	seed := fs.Uint64("seed", 1, "case generator seed")
	trgm := fs.Float64("trgm-threshold", 0.3, "pg_trgm.similarity_threshold for the pg_trgm comparison (PostgreSQL)")
	pg := fs.String("postgres", "", "measure PostgreSQL at this postgres:// URL instead of SQLite (a scratch schema is created and dropped)")
	keep := keepFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cases < 1 || *days < 31 || *queries < 1 || *runs < 1 || *seed == 0 || *trgm <= 0 || *trgm > 1 {
		return fmt.Errorf("%w: --cases, --queries, --runs and --seed must be positive, --days at least 31, --trgm-threshold in (0, 1]", errUsage)
	}
	start := time.Now()
	r, err := bench.Dedup(ctx, bench.DedupOptions{Cases: *cases, Days: *days, Queries: *queries, Runs: *runs, Seed: *seed,
		TrgmThreshold: *trgm, PostgresURL: *pg, Keep: keep(), Progress: progress(e, *cases, start),
		Log: func(step string) { fmt.Fprintf(e.stderr, "%s (%s)\n", step, time.Since(start).Round(time.Second)) }})
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, r)
	fmt.Fprintf(e.stdout, "\n(%s in all)\n", time.Since(start).Round(time.Second))
	return nil
}
