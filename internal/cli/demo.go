package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"
	"unicode"

	"pingan/internal/app"
	"pingan/internal/bench"
	"pingan/internal/config"
	"pingan/internal/demo"
)

func cmdDemo(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	if os.Getenv("PINGAN_DATA_DIR") == "" {
		cfg.DataDir = demoDataDir
	}
	fs := e.flags("demo", "[flags]")
	cfg.RegisterServer(fs)
	cases := fs.Int("cases", 2000, "cases to generate when the database has none")
	days := fs.Int("days", 90, "the generated cases are received over this many days before now")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cases < 0 || *days < 1 {
		return fmt.Errorf("%w: --cases must be ≥ 0 and --days ≥ 1", errUsage)
	}
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	creds, err := demo.EnsureUsers(ctx, a)
	if err != nil {
		a.Close()
		return err
	}
	n, err := demo.CaseCount(ctx, a.DB)
	if err != nil {
		a.Close()
		return err
	}
	if n == 0 && *cases > 0 {
		start := time.Now()
		if err := demo.LoadDemo(ctx, a, *cases, *days, 2026); err != nil {
			a.Close()
			return err
		}
		a.Log.Info("demo cases loaded", "cases", *cases, "days", *days, "took", time.Since(start).Round(time.Millisecond))
	}
	return serve(ctx, a, e, func(addr string) { banner(e.stdout, a, addr, creds) })
}

func banner(w io.Writer, a *app.App, addr string, creds []demo.Credential) {
	backend := "SQLite in " + a.Config.DataDir + " (delete it to start over)"
	if a.Config.DatabaseURL != "" {
		backend = "PostgreSQL"
	}
	fmt.Fprintf(w, "\n平安 pingan demo: http://%s/\n", addr)
	fmt.Fprintf(w, "data: %s\n", backend)
	fmt.Fprintf(w, "every demo user's password: %s   (demo only: it listens on %s)\n\n", demo.Password, a.Config.Listen)
	rows := [][]string{{"USER", "NAME", "ROLES", "WHAT FOR", "API TOKEN"}}
	for _, c := range creds {
		rows = append(rows, []string{c.Username, c.Name, demo.RoleNames(c.Roles), c.About, c.Token})
	}
	table(w, rows)
	if len(creds) > 1 {
		fmt.Fprintf(w, "\ntry:\n  curl -s -H 'Authorization: Bearer %s' 'http://%s/api/v1/cases?state=registered&limit=5'\n", creds[1].Token, addr)
		fmt.Fprintf(w, "  curl -s http://%s/api/v1/openapi.json\n\n", addr)
	}
}

func cmdGen(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := e.flags("gen", "--cases N [flags]")
	cfg.RegisterStorage(fs)
	cases := fs.Int("cases", 0, "how many cases to generate")
	days := fs.Int("days", 90, "the cases are received over this many days before now")
	seed := fs.Uint64("seed", 1, "random seed: the same seed on the same database state gives the same cases")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the load to this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cases <= 0 || *days < 1 {
		return fmt.Errorf("%w: --cases must be positive and --days ≥ 1", errUsage)
	}
	stop, err := cpuProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	a, err := openApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := demo.EnsureAccounts(ctx, a); err != nil {
		return err
	}
	start := time.Now()
	step := max(*cases/10, 1)
	mark := step
	err = demo.LoadCases(ctx, a, *cases, *days, *seed, func(done int) {
		if done >= mark || done == *cases {
			fmt.Fprintf(e.stderr, "  %d / %d cases (%.0f/s)\n", done, *cases, float64(done)/time.Since(start).Seconds())
			mark += step
		}
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(e.stdout, "loaded %d cases in %s: %.0f cases/s (%s)\n", *cases, took.Round(time.Millisecond),
		float64(*cases)/took.Seconds(), a.DB.Dialect())
	return nil
}

func cmdBench(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "timers" {
		return benchTimers(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "search" {
		return benchSearch(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "scores" {
		return benchScores(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "dedup" {
		return benchDedup(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "intake" {
		return fmt.Errorf("%w: pingan bench intake [flags] | pingan bench timers [flags] | pingan bench search [flags] | pingan bench scores [flags] | pingan bench dedup [flags]", errUsage)
	}
	fs := e.flags("bench intake", "[--clients 32] [--duration 10s] [--postgres URL] [--only sqlite|postgres] [--bare] [--rounds 1] [--cpuprofile F] [--trace F]")
	clients := fs.Int("clients", 32, "concurrent HTTP clients")
	dur := fs.Duration("duration", 10*time.Second, "how long to send reports (the raw insert run takes half as long)")
	pg := fs.String("postgres", "", "also measure PostgreSQL at this postgres:// URL (a scratch schema is created and dropped)")
	only := fs.String("only", "", "measure only this backend: sqlite or postgres")
	bare := fs.Bool("bare", false, "before each run, measure bare intake (no classifier, no routing) on a fresh database: smart intake's baseline")
	rounds := fs.Int("rounds", 1, "measure each backend this many times, alternating with --bare")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	traceFile := fs.String("trace", "", "write an execution trace of two seconds in the middle of the HTTP run to this file (the last run's, with --rounds or --bare; read it with go tool trace)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *clients < 1 || *dur < time.Second || *rounds < 1 {
		return fmt.Errorf("%w: --clients ≥ 1, --duration ≥ 1s and --rounds ≥ 1", errUsage)
	}
	if *only != "" && *only != "sqlite" && *only != "postgres" {
		return fmt.Errorf("%w: --only takes sqlite or postgres", errUsage)
	}
	var backends []string
	if *only != "postgres" {
		backends = append(backends, "")
	}
	if *pg != "" && *only != "sqlite" {
		backends = append(backends, *pg)
	}
	if len(backends) == 0 {
		return fmt.Errorf("%w: --only postgres needs --postgres URL", errUsage)
	}
	var runs []bench.Options
	for range *rounds {
		for _, url := range backends {
			if *bare {
				runs = append(runs, bench.Options{Clients: *clients, Duration: *dur, PostgresURL: url, Bare: true, Trace: *traceFile})
			}
			runs = append(runs, bench.Options{Clients: *clients, Duration: *dur, PostgresURL: url, Trace: *traceFile})
		}
	}
	stop, err := cpuProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintln(e.stdout, "| backend | intake | clients | raw durable inserts/s (clients) | intake over HTTP, reports/s | p50 | p99 | intake ÷ raw | writes per commit | statements per write | writer busy | COMMIT | log sync | CPU per report | merged | routed | errors |")
	fmt.Fprintln(e.stdout, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	bareRate := map[string]float64{}
	for _, o := range runs {
		r, err := bench.Intake(ctx, o)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Backend, err)
		}
		share := func(n int) float64 {
			if r.CaseCount == 0 {
				return 0
			}
			return 100 * float64(n) / float64(r.CaseCount)
		}
		mode := "smart"
		if o.Bare {
			mode, bareRate[r.Backend] = "bare", r.Rate
		} else if b := bareRate[r.Backend]; b > 0 {
			mode = fmt.Sprintf("smart (%.0f%% of bare)", 100*r.Rate/b)
		}
		fmt.Fprintf(e.stdout, "| %s | %s | %d | %.0f (%d) | %.0f | %s | %s | %.2f | %.1f | %.1f | %.0f%% | %s | %s | %s | %.0f%% | %.0f%% | %d |\n", r.Backend, mode, r.Clients, r.RawRate,
			r.RawClients, r.Rate, ms(r.P50), ms(r.P99), r.Ratio, r.MeanBatch, r.Statements, 100*r.WriterBusy, ms(r.CommitTime), syncMs(r.SyncTime), fmt.Sprintf("%.0f µs", float64(r.CPU.Nanoseconds())/1000), share(r.Merged), share(r.Routed), r.Errors)
	}
	return nil
}

// syncMs shows the mean time of a log sync beside the writer; PostgreSQL
// syncs inside COMMIT.
func syncMs(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return ms(d)
}

// cpuProfile starts writing a CPU profile to path ("" for none) and
// returns what stops it.
func cpuProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// table prints rows in aligned columns, counting Chinese characters as two
// columns wide (tabwriter counts them as one, so Chinese columns drift).
func table(w io.Writer, rows [][]string) {
	width := func(s string) int {
		n := 0
		for _, r := range s {
			if unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) {
				n += 2
			} else {
				n++
			}
		}
		return n
	}
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-width(cell)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func benchTimers(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench timers", "[--open 1000000] [--lookups 200] [--lag-timers 1000] [--clients 32] [--load 10s]")
	open := fs.Int("open", 1000000, "open cases, each with a warning and a deadline timer")
	lookups := fs.Int("lookups", 200, "how many times each lookup is measured")
	lagTimers := fs.Int("lag-timers", 1000, "timers falling due during the intake load")
	clients := fs.Int("clients", 32, "intake clients during the lag measurement")
	load := fs.Duration("load", 10*time.Second, "how long the lag measurement runs")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *open < 1 || *lookups < 1 || *lagTimers < 1 || *clients < 1 || *load < time.Second {
		return fmt.Errorf("%w: every count must be positive and --load at least 1s", errUsage)
	}
	start := time.Now()
	r, err := bench.Timers(ctx, bench.TimerOptions{OpenCases: *open, Lookups: *lookups, LagTimers: *lagTimers,
		LoadClients: *clients, LoadFor: *load})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "SQLite, %d open cases, %d pending timers (%s)\n\n", r.OpenCases, r.PendingTimers, time.Since(start).Round(time.Second))
	fmt.Fprintln(e.stdout, "| lookup | latency |")
	fmt.Fprintln(e.stdout, "|---|---|")
	fmt.Fprintf(e.stdout, "| due timers (index on due_at, LIMIT 200) | %s |\n", r.DueQuery)
	fmt.Fprintf(e.stdout, "| next due time (MIN over the index) | %s |\n", r.NextQuery)
	fmt.Fprintf(e.stdout, "| scan of the open cases (polling without timers) | %s |\n\n", r.Scan)
	fmt.Fprintf(e.stdout, "firing lag under intake load (%.0f reports/s, %d clients): %d timers, %s\n", r.IntakeRate, *clients, r.Fired, r.Lag)
	return nil
}

func benchSearch(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench search", "[--cases 1000000] [--runs 20] [--like-runs 3] [--words 区,楼,噪音] [--postgres URL] [--dir DIR | --schema NAME]")
	cases := fs.Int("cases", 1_000_000, "generated cases to load into a fresh database")
	runs := fs.Int("runs", 20, "measurements of each word by the index and by the case list")
	likeRuns := fs.Int("like-runs", 3, "measurements of each word by the LIKE scan (a miss reads every case)")
	words := fs.String("words", strings.Join(bench.SearchWords, ","), "comma-separated query words")
	seed := fs.Uint64("seed", 1, "case generator seed")
	pg := fs.String("postgres", "", "measure PostgreSQL at this postgres:// URL instead of SQLite (a scratch schema is created and dropped)")
	keep := keepFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	var ws []string
	for w := range strings.SplitSeq(*words, ",") {
		if w = strings.TrimSpace(w); w != "" {
			ws = append(ws, w)
		}
	}
	if *cases < 1 || *runs < 1 || *likeRuns < 1 || len(ws) == 0 || *seed == 0 {
		return fmt.Errorf("%w: --cases, --runs, --like-runs and --seed must be positive, --words not empty", errUsage)
	}
	start := time.Now()
	step := max(*cases/10, 1)
	mark := step
	r, err := bench.Search(ctx, bench.SearchOptions{Cases: *cases, Runs: *runs, LikeRuns: *likeRuns, Words: ws, Seed: *seed,
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
