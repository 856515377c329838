package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"pingan/internal/app"
	"pingan/internal/config"
	"pingan/internal/db"
	"pingan/internal/demo"
	"pingan/internal/search"
)

// SearchOptions configure the search benchmark.
type SearchOptions struct {
	Cases    int      // generated cases to load; 0 means 1,000,000
	Runs     int      // full-text measurements per word; 0 means 20
	LikeRuns int      // LIKE measurements per word; 0 means 3 (a miss scans every case)
	Words    []string // query words; nil means SearchWords
	Seed     uint64   // case generator seed; 0 means 1
}

// SearchWords are real one- and two-character words operators search for,
// common, rare and absent in the generated cases alike: a LIKE scan is quick
// for a common word (the first page fills early) and slowest for a miss,
// reading all matches is slowest for the commonest (区 is in every address).
var SearchWords = []string{
	"区", "楼", "水", "电", "噪", "狗", "桥",
	"物业", "噪音", "停车", "工资", "垃圾", "电梯", "孩子", "漏水", "学校", "油烟", "诈骗", "路灯", "快递", "外卖", "彩票", "地震",
}

// searchPage is the case list's default page size.
const searchPage = 50

// SearchResult reports the load and both ways of searching.
type SearchResult struct {
	Cases       int
	Load        time.Duration // generating and writing the cases (and indexing them, if the loader does)
	Index       time.Duration // search.Reindex, when the loader left cases unindexed
	Reindexed   bool          // whether Reindex ran
	DBBytes     int64         // the whole database, index included
	IndexBytes  int64         // the full-text index (case_fts and its shadow tables)
	Words       []WordLatency
	FTS, In     Latency // the index, newest first (NewestFirst) and as a condition (Condition), over every word
	Like        Latency
	SameResults bool // every word's first page was the same all three ways
}

// WordLatency is one query word's measurements.
type WordLatency struct {
	Word          string
	Matches       int // cases containing it
	FTS, In, Like Latency
}

// Latency holds percentiles of a measured duration.
type Latency struct{ P50, P95, P99 time.Duration }

func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	at := func(p int) time.Duration { return ds[min(len(ds)-1, len(ds)*p/100)] }
	return Latency{P50: at(50), P95: at(95), P99: at(99)}
}

// Search measures, on a fresh SQLite database holding Cases generated
// cases, the first page (50 case ids, newest first) of a search for each
// word three ways in the same run: reading the full-text index in id order
// (search.Query.NewestFirst), ANDing the index's condition into a query on
// cases (search.Query.Condition), and a LIKE scan of the same texts with the
// same ORDER BY and LIMIT.
func Search(ctx context.Context, o SearchOptions) (SearchResult, error) {
	if o.Cases <= 0 {
		o.Cases = 1_000_000
	}
	if o.Runs <= 0 {
		o.Runs = 20
	}
	if o.LikeRuns <= 0 {
		o.LikeRuns = 3
	}
	if o.Words == nil {
		o.Words = SearchWords
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	res := SearchResult{Cases: o.Cases, SameResults: true}
	dir, err := os.MkdirTemp("", "pingan-bench-search-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL, cfg.SecretKey, cfg.LogLevel = dir, "", "", "warn"
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		return res, err
	}
	defer a.Close()

	t0 := time.Now()
	if err := demo.EnsureAccounts(ctx, a); err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	if err := demo.LoadCases(ctx, a, o.Cases, 90, o.Seed, nil); err != nil {
		return res, fmt.Errorf("search benchmark: load cases: %w", err)
	}
	res.Load = time.Since(t0)
	// The case loader indexes what it writes; should it not, index here.
	// (Indexing the cases again would replace every one, which costs more
	// and leaves tombstones that slow the queries.)
	var indexed int
	if err := a.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM case_fts").Scan(&indexed); err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	if indexed < o.Cases {
		t0 = time.Now()
		if _, err := search.Reindex(ctx, a.DB, nil); err != nil {
			return res, fmt.Errorf("search benchmark: %w", err)
		}
		res.Index, res.Reindexed = time.Since(t0), true
	}
	if res.DBBytes, res.IndexBytes, err = searchSizes(ctx, a.DB, filepath.Join(dir, db.SQLiteFile)); err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}

	like := fmt.Sprintf(`SELECT c.id FROM cases c WHERE c.title LIKE $1 OR c.address LIKE $1
		OR EXISTS (SELECT 1 FROM reports r WHERE r.case_id = c.id AND r.body LIKE $1) ORDER BY c.id DESC LIMIT %d`, searchPage)
	var allFTS, allIn, allLike []time.Duration
	for _, w := range o.Words {
		q, err := search.Parse(w)
		if err != nil {
			return res, fmt.Errorf("search benchmark: word %q: %w", w, err)
		}
		nf := q.NewestFirst(db.SQLite, 1)
		fts := fmt.Sprintf("SELECT c.id FROM cases c %s WHERE %s ORDER BY %s DESC LIMIT %d", nf.Join, nf.Where, nf.ID, searchPage)
		cond, arg := q.Condition(db.SQLite, 1)
		in := fmt.Sprintf("SELECT c.id FROM cases c WHERE %s ORDER BY c.id DESC LIMIT %d", cond, searchPage)
		wl := WordLatency{Word: w}
		count := "SELECT COUNT(*) FROM case_fts WHERE case_fts MATCH $1"
		if err := a.DB.QueryRowContext(ctx, count, arg).Scan(&wl.Matches); err != nil {
			return res, fmt.Errorf("search benchmark: count %q: %w", w, err)
		}
		ftsIDs, ftsTimes, err := timeQuery(ctx, a.DB, o.Runs, fts, nf.Arg)
		if err != nil {
			return res, fmt.Errorf("search benchmark: search %q: %w", w, err)
		}
		inIDs, inTimes, err := timeQuery(ctx, a.DB, o.Runs, in, arg)
		if err != nil {
			return res, fmt.Errorf("search benchmark: search %q: %w", w, err)
		}
		likeIDs, likeTimes, err := timeQuery(ctx, a.DB, o.LikeRuns, like, "%"+w+"%")
		if err != nil {
			return res, fmt.Errorf("search benchmark: LIKE %q: %w", w, err)
		}
		if !slices.Equal(ftsIDs, likeIDs) || !slices.Equal(inIDs, likeIDs) {
			res.SameResults = false
		}
		wl.FTS, wl.In, wl.Like = latency(ftsTimes), latency(inTimes), latency(likeTimes)
		res.Words = append(res.Words, wl)
		allFTS, allIn, allLike = append(allFTS, ftsTimes...), append(allIn, inTimes...), append(allLike, likeTimes...)
	}
	res.FTS, res.In, res.Like = latency(allFTS), latency(allIn), latency(allLike)
	return res, nil
}

// timeQuery runs query once to warm the caches, then runs times more,
// timing each; it returns the ids of the last run.
func timeQuery(ctx context.Context, d *db.DB, runs int, query string, args ...any) ([]int64, []time.Duration, error) {
	var ids []int64
	ds := make([]time.Duration, 0, runs)
	for i := range runs + 1 {
		t0 := time.Now()
		rows, err := d.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, nil, err
		}
		ids = ids[:0]
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		if i > 0 {
			ds = append(ds, time.Since(t0))
		}
	}
	return ids, ds, nil
}

// searchSizes returns the size of the database and of its full-text index.
// dbstat counts pages wherever they are, in the file or still in the WAL.
func searchSizes(ctx context.Context, d *db.DB, file string) (total, index int64, err error) {
	err = d.QueryRowContext(ctx, `SELECT COALESCE(SUM(pgsize), 0),
		COALESCE(SUM(CASE WHEN name LIKE 'case\_fts%' ESCAPE '\' THEN pgsize END), 0) FROM dbstat`).Scan(&total, &index)
	if err != nil {
		return 0, 0, fmt.Errorf("measure %s: %w", file, err)
	}
	return total, index, nil
}

// String renders the result as a markdown table.
func (r SearchResult) String() string {
	var b strings.Builder
	indexed := "indexed as they were loaded"
	if r.Reindexed {
		indexed = "indexed afterwards in " + r.Index.Round(time.Second).String()
	}
	fmt.Fprintf(&b, "%d cases loaded in %s, %s; database %s, full-text index %s.\n",
		r.Cases, r.Load.Round(time.Second), indexed, mib(r.DBBytes), mib(r.IndexBytes))
	if !r.SameResults {
		b.WriteString("**The three ways returned different first pages.**\n")
	}
	b.WriteString("\nFirst page of 50 case ids, newest first (p50 / p95 / p99):\n\n")
	b.WriteString("| query | cases | index, newest first | index as IN condition | LIKE scan |\n")
	b.WriteString("|---|--:|--:|--:|--:|\n")
	cell := func(l Latency) string { return fmt.Sprintf("%s / %s / %s", ms(l.P50), ms(l.P95), ms(l.P99)) }
	for _, w := range r.Words {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", w.Word, w.Matches, cell(w.FTS), cell(w.In), cell(w.Like))
	}
	fmt.Fprintf(&b, "| **all** | | %s | %s | %s |\n", cell(r.FTS), cell(r.In), cell(r.Like))
	return b.String()
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }
