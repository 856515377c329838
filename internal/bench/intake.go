// Package bench measures pingan as a whole: acknowledged intake over real
// HTTP against a fresh database, next to the raw durable insert rate of the
// same database measured in the same run, so that the ratio — not a
// machine-dependent absolute — is what a reader compares.
package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/casegen"
	"pingan/internal/config"
	"pingan/internal/db"
	"pingan/internal/demo"
	"pingan/internal/org"
	"pingan/internal/server"
)

// Options configure an intake benchmark.
type Options struct {
	Clients  int
	Duration time.Duration
	// PostgresURL selects PostgreSQL (a fresh schema is created and
	// dropped); empty means SQLite in a temporary directory.
	PostgresURL string
	// Bare measures intake without its smart parts (app.WithBareIntake: no
	// classifier, no routing), the baseline smart intake is compared with.
	Bare bool
	// Trace, when set, is a file for an execution trace (runtime/trace) of
	// two seconds in the middle of the HTTP run: where the writer waits.
	Trace string
	// attach runs the load against an open app instead of a fresh one,
	// without the raw-insert measurement (the timer benchmark's load).
	attach *app.App
}

// Result is one backend's measurement.
type Result struct {
	Backend    string
	Bare       bool
	Clients    int
	RawRate    float64 // durable single-row inserts per second, same database
	Requests   int
	Errors     int
	Rate       float64 // acknowledged reports per second over HTTP
	P50, P99   time.Duration
	MeanBatch  float64       // writes per commit
	WriterBusy float64       // share of the run the writer's lanes spent in batches
	CommitTime time.Duration // mean time in COMMIT (log written; on PostgreSQL also synced)
	SyncTime   time.Duration // SQLite: mean time of a log fsync beside the writer, 0 for none
	Merged     int           // acknowledged reports intake merged into an open case on its own
	Routed     int           // cases routing placed with a unit
	Suggested  int           // cases with the classifier's suggestion
	Statements float64       // SQL statements per write (each a round trip on PostgreSQL)
	// CPU is the CPU time this process (server and load generator; not a
	// PostgreSQL server) spent per acknowledged report: steadier than the
	// rate when other work shares the machine.
	CPU          time.Duration
	Ratio        float64 // Rate / RawRate
	RawClients   int
	Elapsed      time.Duration
	SQLiteSync   string
	GoMaxProcs   int
	CaseCount    int
	ReportCount  int
	Acknowledged int
}

// Intake runs the benchmark.
func Intake(ctx context.Context, o Options) (Result, error) {
	res := Result{Backend: "sqlite", Clients: o.Clients, Bare: o.Bare}
	dir, err := os.MkdirTemp("", "pingan-bench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.DataDir, cfg.SecretKey, cfg.Listen = dir, "", "127.0.0.1:0"
	if o.PostgresURL != "" {
		res.Backend = "postgres"
		schemaURL, drop, err := freshSchema(ctx, o.PostgresURL)
		if err != nil {
			return res, err
		}
		defer drop()
		cfg.DatabaseURL = schemaURL
	}

	a := o.attach
	if a == nil {
		// 1. Raw durable inserts, same engine and settings, in the same run.
		raw, rawClients, err := rawRate(ctx, cfg, o)
		if err != nil {
			return res, fmt.Errorf("raw insert rate: %w", err)
		}
		res.RawRate, res.RawClients = raw, rawClients
		// 2. Intake over HTTP.
		var opts []app.Option
		if o.Bare {
			opts = append(opts, app.WithBareIntake())
		}
		if a, err = app.Open(ctx, cfg, nil, opts...); err != nil {
			return res, err
		}
		defer a.Close()
	}
	sys := access.System("bench")
	unit, err := a.Org.UnitByCode(ctx, a.DB, org.CodeHotline)
	if err != nil {
		return res, err
	}
	u, err := a.Org.CreateUser(ctx, sys, org.UserInput{Username: "bench", Name: "压测", UnitID: unit.ID, Roles: []access.Role{access.Intake}})
	if err != nil {
		return res, err
	}
	token, _, err := a.Org.IssueToken(ctx, sys, u.ID, "bench", 0)
	if err != nil {
		return res, err
	}
	// More distinct reports than the run will post (100 a second per client
	// is several times what this machine acknowledges), so that none is
	// posted twice.
	bodies, err := intakeBodies(ctx, a, min(60_000, max(2_000, o.Clients*int(o.Duration.Seconds())*100)))
	if err != nil {
		return res, err
	}
	var next atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: server.New(a).Handler()}
	go srv.Serve(ln) //nolint:errcheck // closed below
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/api/v1/reports"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: o.Clients}}

	before, cpu := a.DB.WriterStats(), processCPU()
	var acked, failed atomic.Int64
	lat := make([][]time.Duration, o.Clients)
	deadline := time.Now().Add(o.Duration)
	start := time.Now()
	if o.Trace != "" {
		stop, err := traceMiddle(ctx, o.Trace, o.Duration)
		if err != nil {
			return res, err
		}
		defer stop()
	}
	var wg sync.WaitGroup
	for i := range o.Clients {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				body := bodies[int(next.Add(1)-1)%len(bodies)]
				req, _ := http.NewRequestWithContext(ctx, "POST", base, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d", i, n))
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					failed.Add(1)
					continue
				}
				lat[i] = append(lat[i], time.Since(t0))
				acked.Add(1)
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	after := a.DB.WriterStats()
	// The side file's indexing of these reports is part of their cost.
	if err := a.DB.SyncAside(ctx); err != nil {
		return res, err
	}
	cpu = processCPU() - cpu
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	res.Acknowledged, res.Errors = int(acked.Load()), int(failed.Load())
	res.Requests = res.Acknowledged + res.Errors
	res.Rate = float64(res.Acknowledged) / res.Elapsed.Seconds()
	if res.Acknowledged > 0 {
		res.CPU = cpu / time.Duration(res.Acknowledged)
	}
	if len(all) > 0 {
		res.P50, res.P99 = all[len(all)/2], all[len(all)*99/100]
	}
	if c := after.Commits - before.Commits; c > 0 {
		res.MeanBatch = float64(after.Writes-before.Writes) / float64(c)
		res.CommitTime = (after.Committing - before.Committing) / time.Duration(c)
	}
	if n := after.Syncs - before.Syncs; n > 0 {
		res.SyncTime = (after.Syncing - before.Syncing) / time.Duration(n)
	}
	if w := after.Writes - before.Writes; w > 0 {
		res.Statements = float64(after.Statements-before.Statements) / float64(w)
	}
	res.WriterBusy = float64(after.Busy-before.Busy) / float64(res.Elapsed) / float64(max(1, after.Lanes))
	if res.RawRate > 0 {
		res.Ratio = res.Rate / res.RawRate
	}
	// Every acknowledged report is stored, once.
	if err := a.DB.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM cases WHERE state = 'merged'),
		(SELECT COUNT(*) FROM cases WHERE route_unit_id IS NOT NULL), (SELECT COUNT(*) FROM cases WHERE suggestion IS NOT NULL)`).
		Scan(&res.CaseCount, &res.ReportCount, &res.Merged, &res.Routed, &res.Suggested); err != nil {
		return res, err
	}
	// What is compared is what ran: smart intake routed and classified,
	// bare intake did neither.
	if o.attach == nil && res.CaseCount > 0 && (o.Bare != (res.Routed == 0 && res.Suggested == 0)) {
		return res, fmt.Errorf("bare=%t intake: %d of %d cases routed, %d with a suggestion", o.Bare, res.Routed, res.CaseCount, res.Suggested)
	}
	if o.attach == nil && res.ReportCount != res.Acknowledged {
		return res, fmt.Errorf("%d reports acknowledged but %d stored", res.Acknowledged, res.ReportCount)
	}
	return res, nil
}

// traceMiddle writes an execution trace of two seconds (at most half the
// run) from the middle of a run of duration d to path; stop ends it early
// and waits for the file.
func traceMiddle(ctx context.Context, path string, d time.Duration) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	span := min(2*time.Second, d/2)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer f.Close()
		select {
		case <-time.After((d - span) / 2):
		case <-ctx.Done():
			return
		}
		if err := trace.Start(f); err != nil {
			fmt.Fprintln(os.Stderr, "trace:", err)
			return
		}
		select {
		case <-time.After(span):
		case <-ctx.Done():
		}
		trace.Stop()
	}()
	return func() { cancel(); <-done }, nil
}

// rawRate measures durable single-row inserts into a scratch table of the
// same database: on SQLite one connection committing each row (SQLite has one
// writer), with the same WAL and synchronous=FULL settings; on PostgreSQL
// the same number of concurrent clients as the HTTP run, each row its own
// committed transaction.
func rawRate(ctx context.Context, cfg config.Config, o Options) (float64, int, error) {
	d, err := db.Open(ctx, cfg.DB(nil))
	if err != nil {
		return 0, 0, err
	}
	defer d.Close()
	raw, clients, err := d.RawForBenchmark(filepath.Join(cfg.DataDir, db.SQLiteFile), o.Clients)
	if err != nil {
		return 0, 0, err
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, "CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
		return 0, 0, err
	}
	defer raw.ExecContext(context.Background(), "DROP TABLE bench_raw") //nolint:errcheck // scratch table
	// The engine at its best: one prepared statement, reused.
	ins, err := raw.PrepareContext(ctx, "INSERT INTO bench_raw (id, body) VALUES ($1, $2)")
	if err != nil {
		return 0, 0, err
	}
	defer ins.Close()
	dur := o.Duration / 2
	if dur < time.Second {
		dur = time.Second
	}
	var next, done atomic.Int64
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				id := next.Add(1)
				if _, err := ins.ExecContext(ctx, id, "湖里区江头北路某工地夜间施工噪音扰民，请尽快处理。"); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), clients, nil
}

// freshSchema creates a scratch schema on a PostgreSQL server and returns a
// URL that uses it and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	return benchSchema(ctx, base, "")
}

// benchSchema returns base's URL with a search path of a schema for a
// benchmark: a new one, dropped by the returned function, or the schema
// keep (created if missing) that the function leaves in place.
func benchSchema(ctx context.Context, base, keep string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	schema := keep
	if keep == "" {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", nil, err
		}
		schema = "bench_" + hex.EncodeToString(b[:])
	}
	create := "CREATE SCHEMA " + pgIdent(schema)
	if keep != "" {
		create = "CREATE SCHEMA IF NOT EXISTS " + pgIdent(schema)
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	if keep != "" {
		admin.Close()
		return u.String(), func() {}, nil
	}
	return u.String(), func() {
		_, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "drop bench schema:", err)
		}
	}, nil
}

// pgIdent quotes a PostgreSQL identifier.
func pgIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// intakeBodies composes n reports as citizens make them (casegen: the
// city's real places, the matters people report, each worded its own way),
// as JSON bodies of POST /api/v1/reports. Reports that all said the same
// thing at one place would measure merging into one case, not intake.
func intakeBodies(ctx context.Context, a *app.App, n int) ([][]byte, error) {
	if err := demo.EnsureAccounts(ctx, a); err != nil {
		return nil, err
	}
	w, err := demo.World(ctx, a)
	if err != nil {
		return nil, err
	}
	g, err := casegen.New(w, 1)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([][]byte, n)
	for i := range out {
		c := g.Generate(now, now)
		b, err := json.Marshal(map[string]any{"channel": "hotline", "title": c.Case.Title, "body": c.Report.Body,
			"address": c.Case.Address, "division_code": c.Case.DivisionCode,
			"reporter": map[string]string{"name": c.Report.ReporterName, "phone": fmt.Sprintf("138%08d", i)}})
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
