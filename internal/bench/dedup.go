package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"pingan/internal/app"
	"pingan/internal/casegen"
	"pingan/internal/db"
	"pingan/internal/dedup"
	"pingan/internal/demo"
	"pingan/internal/i18n"
)

// DedupOptions configure the duplicate-candidate benchmark.
type DedupOptions struct {
	Cases   int    // generated cases; 0 means 1,000,000
	Days    int    // received over this many days before the load; 0 means 365
	Queries int    // reworded repeats, and as many fresh reports; 0 means 200
	Runs    int    // timed lookups of each query; 0 means 5
	Seed    uint64 // case generator seed; 0 means 1
	// TrgmThreshold is pg_trgm.similarity_threshold for the pg_trgm
	// comparison; 0 means pg_trgm's default, 0.3.
	TrgmThreshold float64
	PostgresURL   string
	Keep          Keep // a database to keep and reuse; zero for a fresh one
	Progress      func(loaded int)
	Log           func(step string) // told as each step begins, if set
}

// DedupResult reports the product's lookup next to the exhaustive scan
// and, on PostgreSQL, pg_trgm.
type DedupResult struct {
	Backend     string
	Cases       int
	Load        time.Duration // zero when a kept database was reused
	Reindex     time.Duration // dedup.Reindex, when the cases were loaded without the index
	IndexRows   int64         // rows of the repeat index
	OpenWindow  int           // open cases received in the window
	MaxDistrict int           // of which in the largest district
	Repeats     QuerySet      // reworded repeats of open cases
	Fresh       QuerySet      // fresh reports
	// Recall of the lookup: the share of the exhaustive scan's candidates
	// (at most dedup.MaxCandidates, each scoring ≥ dedup.MinScore) that
	// Find returns, over every query; Same, the share of queries whose
	// candidates are the same, in the same order.
	Recall, Same float64
	Find, Scan   Latency // over every query
	// pg_trgm (PostgreSQL): a GIN index with gin_trgm_ops on the case
	// titles, `title % query title` with the same filter, best 5 by
	// similarity(); its recall against the same exhaustive scan.
	Trgm          Latency
	TrgmRecall    float64
	TrgmIndex     time.Duration // building its index
	TrgmThreshold float64
}

// QuerySet is one kind of query's results.
type QuerySet struct {
	Queries   int
	Answered  int // with at least one candidate (Find)
	Original  int // repeats: the case reworded is among Find's candidates
	ScanOrig  int // … among the exhaustive scan's
	Find      Latency
	Scan      Latency
	Trgm      Latency
	Recall    float64
	TrgmFound float64
}

type dedupQuery struct {
	q        dedup.Query
	title    string // the new report's title (what pg_trgm compares)
	original int64  // the case a repeat rewords; 0 for a fresh report
}

// Dedup measures the duplicate-candidate lookup (dedup.Service.Find, what
// the intake page and /api/v1/repeats ask) on a database of Cases generated
// cases received over Days, for reworded repeats of open cases and fresh
// reports, against the exhaustive scan (dedup.Service.Scan: every open case
// of the district and window scored the same way), and on PostgreSQL
// against pg_trgm, in the same run.
func Dedup(ctx context.Context, o DedupOptions) (DedupResult, error) {
	if o.Cases <= 0 {
		o.Cases = 1_000_000
	}
	if o.Days <= 0 {
		o.Days = 365
	}
	if o.Queries <= 0 {
		o.Queries = 200
	}
	if o.Runs <= 0 {
		o.Runs = 5
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.TrgmThreshold <= 0 {
		o.TrgmThreshold = 0.3
	}
	res := DedupResult{Cases: o.Cases, TrgmThreshold: o.TrgmThreshold}
	log := func(step string) {
		if o.Log != nil {
			o.Log(step)
		}
	}
	a, backend, closeApp, err := scratch(ctx, "dedup", o.PostgresURL, o.Keep)
	if err != nil {
		return res, err
	}
	defer closeApp()
	res.Backend = backend
	fail := func(err error) (DedupResult, error) { return res, fmt.Errorf("dedup benchmark: %w", err) }
	t0 := time.Now()
	loaded, err := loadCases(ctx, a, o.Cases, o.Days, o.Seed, false, o.Progress)
	if err != nil {
		return fail(err)
	}
	if loaded {
		res.Load = time.Since(t0)
	}
	if err := a.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM repeat_grams").Scan(&res.IndexRows); err != nil {
		return fail(err)
	}
	if res.IndexRows == 0 { // loaded before the index existed
		log("rebuilding the repeat index")
		t0 = time.Now()
		if _, err := dedup.Reindex(ctx, a.DB); err != nil {
			return fail(err)
		}
		res.Reindex = time.Since(t0)
		if err := a.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM repeat_grams").Scan(&res.IndexRows); err != nil {
			return fail(err)
		}
	}
	if a.DB.Dialect() == db.Postgres {
		// What autovacuum does after a bulk load, done now: the planner's
		// choices and index-only scans depend on it.
		if _, err := a.DB.SQL().ExecContext(ctx, "VACUUM ANALYZE cases, repeat_grams"); err != nil {
			return fail(err)
		}
	}
	// The data's present: its newest case (a kept database was generated
	// up to the time it was loaded).
	var newest, maxID int64
	if err := a.DB.QueryRowContext(ctx, "SELECT MAX(id) FROM cases").Scan(&maxID); err != nil {
		return fail(err)
	}
	if err := a.DB.QueryRowContext(ctx, "SELECT received_at FROM cases WHERE id = $1", maxID).Scan(&newest); err != nil {
		return fail(err)
	}
	at := time.UnixMicro(newest).Add(time.Minute)
	from := at.Add(-dedup.DefaultWindow).UnixMicro()
	actor, err := demoActor(ctx, a, "intake")
	if err != nil {
		return fail(err)
	}
	log("composing the queries")
	queries, err := dedupQueries(ctx, a, o, at, from, maxID, &res)
	if err != nil {
		return fail(err)
	}
	svc := a.Repeats
	// On SQLite Find answers from the resident index once it is loaded,
	// as a running server's does (app.Background preloads it).
	if svc.Preload() {
		log("the resident repeat index is loaded: Find answers from memory")
	}
	log(fmt.Sprintf("timing Find: %d queries × %d runs", len(queries), o.Runs))
	// Warm the caches as a running server's are, then time.
	for _, dq := range queries {
		if _, err := svc.Find(ctx, actor, dq.q, i18n.ZH); err != nil {
			return fail(err)
		}
	}
	type answer struct{ find, scan, trgm []int64 }
	answers := make([]answer, len(queries))
	times := make([]struct{ find, scan, trgm []time.Duration }, len(queries))
	for run := range o.Runs {
		for i, dq := range queries {
			t := time.Now()
			cs, err := svc.Find(ctx, actor, dq.q, i18n.ZH)
			if err != nil {
				return fail(err)
			}
			times[i].find = append(times[i].find, time.Since(t))
			if run == 0 {
				answers[i].find = ids(cs)
			}
		}
	}
	log("timing the exhaustive scan")
	for i, dq := range queries {
		t := time.Now()
		cs, err := svc.Scan(ctx, actor, dq.q, i18n.ZH)
		if err != nil {
			return fail(err)
		}
		times[i].scan = append(times[i].scan, time.Since(t))
		answers[i].scan = ids(cs)
	}
	trgm := a.DB.Dialect() == db.Postgres
	if trgm {
		log("pg_trgm: index and timing")
		conn, err := trgmSetup(ctx, a, o.TrgmThreshold, &res)
		if err != nil {
			return fail(err)
		}
		defer conn.Close()
		for run := range o.Runs {
			for i, dq := range queries {
				where, args, _ := svc.Where(actor, dq.q)
				args = append(args, dq.title)
				q := fmt.Sprintf(`SELECT c.id FROM cases c WHERE c.title OPERATOR(public.%%) $%d AND %s
					ORDER BY public.similarity(c.title, $%d) DESC, c.id DESC LIMIT %d`, len(args), where, len(args), dedup.MaxCandidates)
				t := time.Now()
				got, err := db.IDs(ctx, conn, q, args...)
				if err != nil {
					return fail(fmt.Errorf("pg_trgm: %w", err))
				}
				times[i].trgm = append(times[i].trgm, time.Since(t))
				if run == 0 {
					answers[i].trgm = got
				}
			}
		}
	}
	// Tally.
	var all struct{ find, scan, trgm []time.Duration }
	var found, foundTrgm, want, same int
	for k, set := range []*QuerySet{&res.Repeats, &res.Fresh} {
		var ft, st, tt []time.Duration
		var f, tf, w int
		for i, dq := range queries {
			if (dq.original != 0) != (k == 0) {
				continue
			}
			set.Queries++
			an := answers[i]
			ft, st, tt = append(ft, times[i].find...), append(st, times[i].scan...), append(tt, times[i].trgm...)
			if len(an.find) > 0 {
				set.Answered++
			}
			if dq.original != 0 && slices.Contains(an.find, dq.original) {
				set.Original++
			}
			if dq.original != 0 && slices.Contains(an.scan, dq.original) {
				set.ScanOrig++
			}
			for _, id := range an.scan {
				w++
				if slices.Contains(an.find, id) {
					f++
				}
				if slices.Contains(an.trgm, id) {
					tf++
				}
			}
			if slices.Equal(an.find, an.scan) {
				same++
			}
		}
		set.Find, set.Scan, set.Trgm = latency(ft), latency(st), latency(tt)
		set.Recall, set.TrgmFound = ratio(f, w), ratio(tf, w)
		found, foundTrgm, want = found+f, foundTrgm+tf, want+w
		all.find, all.scan, all.trgm = append(all.find, ft...), append(all.scan, st...), append(all.trgm, tt...)
	}
	res.Find, res.Scan, res.Trgm = latency(all.find), latency(all.scan), latency(all.trgm)
	res.Recall, res.TrgmRecall, res.Same = ratio(found, want), ratio(foundTrgm, want), ratio(same, len(queries))
	return res, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func ids(cs []dedup.Candidate) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.CaseID
	}
	return out
}

// dedupQueries draws o.Queries open cases of the window at random and
// rewords each (casegen.Generator.Repeat), and composes as many fresh
// reports received at the data's present (casegen.Generator.Generate).
func dedupQueries(ctx context.Context, a *app.App, o DedupOptions, at time.Time, from, maxID int64, res *DedupResult) ([]dedupQuery, error) {
	w, err := demo.World(ctx, a)
	if err != nil {
		return nil, err
	}
	g, err := casegen.New(w, o.Seed+7919)
	if err != nil {
		return nil, err
	}
	// The first case of the window: ids follow the time cases came in.
	lo, hi := int64(1), maxID
	for lo < hi {
		mid := (lo + hi) / 2
		var t int64
		err := a.DB.QueryRowContext(ctx, "SELECT received_at FROM cases WHERE id >= $1 ORDER BY id LIMIT 1", mid).Scan(&t)
		if err != nil {
			return nil, err
		}
		if t >= from {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	perDistrict := map[string]int{}
	rows, err := a.DB.QueryContext(ctx, `SELECT SUBSTR(COALESCE(division_code, ''), 1, 6), COUNT(*) FROM cases
		WHERE id >= $1 AND received_at >= $2 AND state IN ('received','registered','dispatched','handling','reported','verified','pending_close','suspended')
		GROUP BY 1`, lo, from)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			rows.Close()
			return nil, err
		}
		perDistrict[d] = n
		res.OpenWindow += n
		res.MaxDistrict = max(res.MaxDistrict, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 17))
	var out []dedupQuery
	seen := map[int64]bool{}
	for tries := 0; len(out) < o.Queries && tries < 100*o.Queries; tries++ {
		id := lo + rng.Int64N(maxID-lo+1)
		if seen[id] {
			continue
		}
		seen[id] = true
		var title, address, div, state string
		var cat int64
		err := a.DB.QueryRowContext(ctx, `SELECT title, address, COALESCE(division_code, ''), COALESCE(category_id, 0), state
			FROM cases WHERE id = $1`, id).Scan(&title, &address, &div, &cat, &state)
		if db.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains([]string{"received", "registered", "dispatched", "handling", "reported", "verified", "pending_close", "suspended"}, state) {
			continue
		}
		t, body, ok := g.Repeat(title, address, div, cat)
		if !ok {
			continue
		}
		out = append(out, dedupQuery{original: id, title: t, q: dedup.Query{Text: t + "\n" + address + "\n" + body,
			Address: address, DivisionCode: div, CategoryID: cat, At: at}})
	}
	for range o.Queries {
		c := g.Generate(at, at)
		out = append(out, dedupQuery{title: c.Case.Title, q: dedup.Query{Text: c.Case.Title + "\n" + c.Case.Address + "\n" + c.Report.Body,
			Address: c.Case.Address, DivisionCode: c.Case.DivisionCode, CategoryID: c.Case.CategoryID, At: at}})
	}
	return out, nil
}

// trgmSetup makes pg_trgm ready on PostgreSQL — the extension (in public),
// a GIN index on the case titles — and returns a connection with the
// similarity threshold set.
func trgmSetup(ctx context.Context, a *app.App, threshold float64, res *DedupResult) (*sql.Conn, error) {
	pool := a.DB.SQL()
	if _, err := pool.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"); err != nil {
		return nil, fmt.Errorf("pg_trgm: %w", err)
	}
	t0 := time.Now()
	if _, err := pool.ExecContext(ctx, "CREATE INDEX IF NOT EXISTS cases_title_trgm ON cases USING gin (title public.gin_trgm_ops)"); err != nil {
		return nil, fmt.Errorf("pg_trgm: %w", err)
	}
	res.TrgmIndex = time.Since(t0)
	if _, err := pool.ExecContext(ctx, "ANALYZE cases"); err != nil {
		return nil, err
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET pg_trgm.similarity_threshold = %g", threshold)); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (r DedupResult) String() string {
	var sb strings.Builder
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
	load := "reused"
	if r.Load > 0 {
		load = "loaded in " + r.Load.Round(time.Second).String()
	}
	fmt.Fprintf(&sb, "backend %s · %d cases (%s) · repeat index %d rows", r.Backend, r.Cases, load, r.IndexRows)
	if r.Reindex > 0 {
		fmt.Fprintf(&sb, " (rebuilt in %s)", r.Reindex.Round(time.Second))
	}
	fmt.Fprintf(&sb, "\nopen cases received in the 30-day window: %d (largest district %d)\n", r.OpenWindow, r.MaxDistrict)
	fmt.Fprintf(&sb, "%-34s %8s %10s %10s %10s %8s %9s\n", "", "queries", "p50", "p95", "p99", "recall", "answered")
	row := func(name string, n int, l Latency, recall float64, answered string) {
		fmt.Fprintf(&sb, "%-34s %8d %10s %10s %10s %8.3f %9s\n", name, n, ms(l.P50), ms(l.P95), ms(l.P99), recall, answered)
	}
	for _, s := range []struct {
		name string
		qs   QuerySet
	}{{"reworded repeats", r.Repeats}, {"fresh reports", r.Fresh}} {
		row("Find (repeat index): "+s.name, s.qs.Queries, s.qs.Find, s.qs.Recall, fmt.Sprint(s.qs.Answered))
		row("exhaustive scan: "+s.name, s.qs.Queries, s.qs.Scan, 1, "")
		if r.Backend == "postgres" {
			row("pg_trgm: "+s.name, s.qs.Queries, s.qs.Trgm, s.qs.TrgmFound, "")
		}
	}
	row("Find, all queries", r.Repeats.Queries+r.Fresh.Queries, r.Find, r.Recall, "")
	fmt.Fprintf(&sb, "Find's candidates the same as the scan's, in order: %.3f of queries\n", r.Same)
	fmt.Fprintf(&sb, "the case reworded among the candidates: Find %d, scan %d of %d\n", r.Repeats.Original, r.Repeats.ScanOrig, r.Repeats.Queries)
	if r.Backend == "postgres" {
		fmt.Fprintf(&sb, "pg_trgm: similarity_threshold %.2f, GIN index built in %s, recall %.3f\n", r.TrgmThreshold, r.TrgmIndex.Round(time.Millisecond), r.TrgmRecall)
	}
	return sb.String()
}
