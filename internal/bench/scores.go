package bench

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"pingan/internal/app"
	"pingan/internal/config"
	"pingan/internal/db"
	"pingan/internal/demo"
	"pingan/internal/score"
)

// ScoresOptions configure the scorecard and dashboard benchmark.
type ScoresOptions struct {
	Cases     int    // generated cases; 0 means 5,000,000
	Days      int    // received over this many days before now; 0 means 365
	Runs      int    // measurements of the product's path; 0 means 20
	NaiveRuns int    // measurements of the raw GROUP BYs; 0 means 3
	Seed      uint64 // case generator seed; 0 means 1
	// PostgresURL selects PostgreSQL (a fresh schema, dropped after);
	// empty means SQLite in a temporary directory, removed after.
	PostgresURL string
	Keep        Keep // a database to keep and reuse; zero for a fresh one
	Progress    func(loaded int)
}

// ScoresResult reports a month's scorecards and dashboard three ways.
type ScoresResult struct {
	Backend string
	Cases   int
	Load    time.Duration // generating the cases and rebuilding the counters from them
	Month   score.Period
	Units   int   // units on the month's board
	Events  int64 // scoring events of the month
	// The product's path: the month's ranked board (score.Service.Board) and
	// the dashboard's figures (dashboard.Service.Figures), each and together.
	Board, Figures, Both Latency
	// The overdue part of both: the backlog counters (score.ReadBacklog),
	// next to what the board and the dashboard did before them — scan the
	// open overdue cases through the index cases_overdue — in the same run.
	Overdue           int64 // cases counted overdue now
	Backlog, ScanPast Latency
	// A GROUP BY over the month's scoring events (what the daily counters
	// save), and the naive way: GROUP BYs over the raw timeline and cases of
	// the month, which do not even compute on-time shares.
	FromEvents, Naive Latency
}

// Scores measures, on a fresh database holding Cases generated cases, what
// a month's scorecard board and dashboard cost from the daily counters,
// next to GROUP BYs over the month's raw rows in the same run.
func Scores(ctx context.Context, o ScoresOptions) (ScoresResult, error) {
	if o.Cases <= 0 {
		o.Cases = 5_000_000
	}
	if o.Days <= 0 {
		o.Days = 365
	}
	if o.Runs <= 0 {
		o.Runs = 20
	}
	if o.NaiveRuns <= 0 {
		o.NaiveRuns = 3
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	res := ScoresResult{Backend: "sqlite", Cases: o.Cases}
	a, backend, closeApp, err := scratch(ctx, "scores", o.PostgresURL, o.Keep)
	if err != nil {
		return res, err
	}
	defer closeApp()
	res.Backend = backend
	t0 := time.Now()
	if _, err := loadCases(ctx, a, o.Cases, o.Days, o.Seed, true, o.Progress); err != nil {
		return res, fmt.Errorf("scores benchmark: %w", err)
	}
	res.Load = time.Since(t0)
	if a.DB.Dialect() == db.Postgres {
		if err := a.DB.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, "ANALYZE cases, timeline, score_counts, score_events, volume_counts")
			return err
		}); err != nil {
			return res, err
		}
	}
	loc := a.Config.Location()
	// The last full month before now.
	first := time.Date(a.Now().In(loc).Year(), a.Now().In(loc).Month(), 1, 0, 0, 0, 0, loc)
	if res.Month, err = score.ParsePeriod("month", first.AddDate(0, -1, 0).Format("2006-01-02"), loc, a.Now()); err != nil {
		return res, err
	}
	units, err := a.Org.Units(ctx)
	if err != nil {
		return res, err
	}
	from := res.Month.From.Time(loc).UnixMicro()
	to := res.Month.To.Time(loc).AddDate(0, 0, 1).UnixMicro()
	if err := a.DB.QueryRowContext(ctx, "SELECT COALESCE(SUM(n), 0) FROM score_counts WHERE day >= $1 AND day <= $2",
		int(res.Month.From), int(res.Month.To)).Scan(&res.Events); err != nil {
		return res, err
	}

	backlog, err := score.ReadBacklog(ctx, a.DB, a.Now(), loc)
	if err != nil {
		return res, err
	}
	res.Overdue = backlog.Total

	var board, figures, both, events, naive, counters, scan []time.Duration
	for i := 0; i < o.Runs; i++ {
		t := time.Now()
		b, err := a.Score.Board(ctx, res.Month, units, nil)
		if err != nil {
			return res, err
		}
		t1 := time.Now()
		if _, err := a.Dashboard.Figures(ctx, res.Month); err != nil {
			return res, err
		}
		t2 := time.Now()
		board, figures, both = append(board, t1.Sub(t)), append(figures, t2.Sub(t1)), append(both, t2.Sub(t))
		res.Units = 0
		for _, g := range b.Groups {
			res.Units += len(g.Rows)
		}
	}
	now := a.Now().UnixMicro()
	for i := 0; i < o.Runs; i++ {
		t := time.Now()
		if _, err := score.ReadBacklog(ctx, a.DB, a.Now(), loc); err != nil {
			return res, err
		}
		counters = append(counters, time.Since(t))
		t = time.Now()
		for _, q := range []string{
			// The board's backlog column, and the dashboard's overdue
			// figures, before the counters.
			`SELECT handling_unit_id, COUNT(*) FROM cases
				WHERE deadline_at IS NOT NULL AND deadline_at <= $1 AND handling_unit_id IS NOT NULL GROUP BY handling_unit_id`,
			`SELECT COALESCE(division_code, ''), deadline_at FROM cases WHERE deadline_at IS NOT NULL AND deadline_at <= $1`,
		} {
			rows, err := a.DB.QueryContext(ctx, q, now)
			if err != nil {
				return res, err
			}
			for rows.Next() {
				var k string
				var n int64
				if err := rows.Scan(&k, &n); err != nil {
					rows.Close()
					return res, err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return res, err
			}
		}
		scan = append(scan, time.Since(t))
	}
	for i := 0; i < o.NaiveRuns; i++ {
		t := time.Now()
		if _, err := a.Score.CountsFromEvents(ctx, res.Month); err != nil {
			return res, err
		}
		events = append(events, time.Since(t))
		t = time.Now()
		for _, q := range []string{
			// What each unit did in the month, by action, from the timeline.
			`SELECT unit_id, action, COUNT(*) FROM timeline WHERE at >= $1 AND at < $2 GROUP BY unit_id, action`,
			// The month's volumes from the cases.
			`SELECT channel, nature, category_id, division_code, COUNT(*) FROM cases WHERE received_at >= $1 AND received_at < $2
				GROUP BY channel, nature, category_id, division_code`,
		} {
			rows, err := a.DB.QueryContext(ctx, q, from, to)
			if err != nil {
				return res, err
			}
			for rows.Next() {
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return res, err
			}
		}
		naive = append(naive, time.Since(t))
	}
	res.Board, res.Figures, res.Both = latency(board), latency(figures), latency(both)
	res.Backlog, res.ScanPast = latency(counters), latency(scan)
	res.FromEvents, res.Naive = latency(events), latency(naive)
	return res, nil
}

func (r ScoresResult) String() string {
	var sb strings.Builder
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(&sb, "backend %s · %d cases (loaded and counted in %s) · month %s–%s: %d scoring events, %d units on the board\n",
		r.Backend, r.Cases, r.Load.Round(time.Second), r.Month.From, r.Month.To, r.Events, r.Units)
	fmt.Fprintf(&sb, "%d cases overdue now\n", r.Overdue)
	fmt.Fprintf(&sb, "%-44s %10s %10s %10s\n", "", "p50", "p95", "p99")
	for _, row := range []struct {
		name string
		l    Latency
	}{
		{"board (ranking, counters)", r.Board},
		{"dashboard figures (counters)", r.Figures},
		{"board + dashboard (one page each)", r.Both},
		{"  of which overdue figures (counters)", r.Backlog},
		{"  overdue figures before: scan of cases", r.ScanPast},
		{"GROUP BY over the month's scoring events", r.FromEvents},
		{"naive GROUP BY over raw timeline + cases", r.Naive},
	} {
		fmt.Fprintf(&sb, "%-44s %10s %10s %10s\n", row.name, ms(row.l.P50), ms(row.l.P95), ms(row.l.P99))
	}
	if r.Both.P50 > 0 {
		fmt.Fprintf(&sb, "naive / product (p50): %.0f×\n", float64(r.Naive.P50)/float64(r.Both.P50))
	}
	return sb.String()
}

// Keep names a benchmark database to keep and reuse across runs, since
// generating millions of cases takes most of an hour: a SQLite directory
// or a PostgreSQL schema. The zero Keep makes a fresh database and drops
// it afterwards.
type Keep struct {
	Dir    string // SQLite: the data directory (created if missing)
	Schema string // PostgreSQL: the schema (created if missing)
}

// scratch opens a pingan on a database for a benchmark: SQLite in a
// temporary directory, or a new schema of the PostgreSQL at pgURL; or the
// kept directory or schema keep names. close closes it and removes the
// database unless it is kept.
func scratch(ctx context.Context, name, pgURL string, keep Keep) (a *app.App, backend string, close func(), err error) {
	var cleanup []func()
	close = func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	dir := keep.Dir
	if dir == "" || pgURL != "" {
		if dir, err = os.MkdirTemp("", "pingan-bench-"+name+"-"); err != nil {
			return nil, "", nil, err
		}
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", nil, err
	}
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL, cfg.SecretKey, cfg.LogLevel = dir, "", "", "warn"
	backend = "sqlite"
	if pgURL != "" {
		backend = "postgres"
		schemaURL, drop, err := benchSchema(ctx, pgURL, keep.Schema)
		if err != nil {
			close()
			return nil, "", nil, err
		}
		cleanup = append(cleanup, drop)
		cfg.DatabaseURL = schemaURL
	}
	if a, err = app.Open(ctx, cfg, nil); err != nil {
		close()
		return nil, "", nil, err
	}
	cleanup = append(cleanup, func() { a.Close() })
	return a, backend, close, nil
}

// loadCases fills a benchmark database with n cases received over the
// days before now (demo.LoadCases), unless it holds them already: a kept
// database loaded before with the same n, days and seed (or, without that
// record, made by `pingan gen` with n cases) is reused as it is. It says
// whether it loaded. Without derived, only the cases and what the loader
// writes with them (their scoring events and counters, the search and
// repeat indexes) are made: the petition registry, the backlog and the
// dashboard's volumes are not rebuilt from them (demo.GenerateCases), for
// benchmarks that read none of those; such a database is recorded as such.
func loadCases(ctx context.Context, a *app.App, n, days int, seed uint64, derived bool, progress func(int)) (bool, error) {
	full := fmt.Sprintf("cases=%d days=%d seed=%d", n, days, seed)
	what := full
	// "counters=no" is what such a database was recorded as before the
	// loader wrote the scoring counters itself.
	also := full
	if !derived {
		what, also = full+" derived=no", full+" counters=no"
	}
	if err := a.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS bench_load (what TEXT NOT NULL)")
		return err
	}); err != nil {
		return false, err
	}
	have, err := demo.CaseCount(ctx, a.DB)
	if err != nil {
		return false, err
	}
	var was string
	if err := a.DB.QueryRowContext(ctx, "SELECT what FROM bench_load").Scan(&was); err != nil && !db.IsNotFound(err) {
		return false, err
	}
	switch {
	case have > 0 && (was == what || was == also || was == full || was == "" && have == n):
		return false, nil
	case have > 0:
		return false, fmt.Errorf("the kept database holds %d cases (%s), not %s: name another", have, cmp.Or(was, "unrecorded"), what)
	}
	if err := demo.EnsureAccounts(ctx, a); err != nil {
		return false, err
	}
	if derived {
		if err := demo.LoadCases(ctx, a, n, days, seed, progress); err != nil {
			return false, fmt.Errorf("load: %w", err)
		}
	} else if _, err := demo.GenerateCases(ctx, a, n, days, seed, progress); err != nil {
		return false, fmt.Errorf("load: %w", err)
	}
	return true, a.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO bench_load (what) VALUES ($1)", what)
		return err
	})
}
