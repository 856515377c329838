package cli

import (
	"context"
	"fmt"
	"time"

	"pingan/internal/bench"
)

// benchScores measures a month's scorecard board and dashboard at scale.
func benchScores(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench scores", "[--cases 5000000] [--days 365] [--runs 20] [--naive-runs 3] [--postgres URL] [--dir DIR | --schema NAME]")
	cases := fs.Int("cases", 5_000_000, "generated cases to load into a fresh database")
	days := fs.Int("days", 365, "the cases are received over this many days before now")
	runs := fs.Int("runs", 20, "measurements of the board and the dashboard")
	naiveRuns := fs.Int("naive-runs", 3, "measurements of the GROUP BYs over raw rows")
	seed := fs.Uint64("seed", 1, "case generator seed")
	pg := fs.String("postgres", "", "measure PostgreSQL at this postgres:// URL instead of SQLite (a scratch schema is created and dropped)")
	keep := keepFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cases < 1 || *days < 31 || *runs < 1 || *naiveRuns < 1 || *seed == 0 {
		return fmt.Errorf("%w: --cases, --runs, --naive-runs and --seed must be positive, --days at least 31", errUsage)
	}
	start := time.Now()
	step := max(*cases/10, 1)
	mark := step
	r, err := bench.Scores(ctx, bench.ScoresOptions{Cases: *cases, Days: *days, Runs: *runs, NaiveRuns: *naiveRuns, Seed: *seed,
		PostgresURL: *pg, Keep: keep(), Progress: func(done int) {
			if done >= mark || done == *cases {
				fmt.Fprintf(e.stderr, "  %d / %d cases (%s)\n", done, *cases, time.Since(start).Round(time.Second))
				mark += step
			}
		}})
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, r)
	fmt.Fprintf(e.stdout, "\n(%s in all)\n", time.Since(start).Round(time.Second))
	return nil
}
