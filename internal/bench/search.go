package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/search"
)

// SearchOptions configure the search benchmark.
type SearchOptions struct {
	Cases    int      // generated cases to load; 0 means 1,000,000
	Runs     int      // full-text measurements per word; 0 means 20
	LikeRuns int      // LIKE measurements per word; 0 means 3 (a miss scans every case)
	Words    []string // query words; nil means SearchWords
	Seed     uint64   // case generator seed; 0 means 1
	// PostgresURL selects PostgreSQL (a fresh schema is created and
	// dropped); empty means SQLite in a temporary directory, removed after.
	PostgresURL string
	Keep        Keep             // a database to keep and reuse; zero for a fresh one
	Progress    func(loaded int) // called as cases are loaded, if set
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

// SearchCountLimit is where the search page stops counting ("10,000+").
const SearchCountLimit = 10_000

// SearchResult reports the load and the ways of searching.
type SearchResult struct {
	Backend    string // sqlite or postgres
	Cases      int
	Load       time.Duration // generating and writing the cases (and indexing them, if the loader does)
	Index      time.Duration // search.Reindex, when the loader left cases unindexed
	Reindexed  bool          // whether Reindex ran
	DBBytes    int64         // the whole database, index included
	IndexBytes int64         // the full-text index (case_fts and its shadow tables)
	Words      []WordLatency
	FTS, In    Latency // the index, newest first (NewestFirst) and as a condition (Condition), over every word
	Like       Latency
	// The product's path over every word: casework List (first page,
	// newest first, as the city leader), CountUpTo(SearchCountLimit), both
	// in sequence (what a search page asks), and List for one street's
	// handler; then the search page (List and CountUpTo) in three scopes:
	// a street's handler, a district's supervisor, and a unit no case
	// involves.
	List, Count, Page, Street   Latency
	StreetPage, District, Empty Latency
	SameResults                 bool // every word's first page was the same all four ways
}

// WordLatency is one query word's measurements.
type WordLatency struct {
	Word          string
	Matches       int // cases containing it
	FTS, In, Like Latency
	List, Count   Latency
	Page          Latency // List then CountUpTo, as one search page
	Street        Latency // List as one street's handler
	StreetPage    Latency // List then CountUpTo as the street's handler
	District      Latency // List then CountUpTo as a district's supervisor
	Empty         Latency // List then CountUpTo as a unit no case involves
	Shown         int     // what CountUpTo returned
	More          bool    // and whether it stopped at the limit
	StreetCases   int     // the street handler's first page
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

// Search measures, on a fresh database holding Cases generated cases, the
// first page (50 cases, newest first) of a search for each word in the same
// run: reading the full-text index in id order (search.Query.NewestFirst),
// ANDing the index's condition into a query on cases
// (search.Query.Condition), the product's path — casework.Service.List as
// the city's leader (who sees every case) and CountUpTo(SearchCountLimit) —
// and a LIKE scan of the same texts with the same ORDER BY and LIMIT.
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
	res := SearchResult{Backend: "sqlite", Cases: o.Cases, SameResults: true}
	a, backend, closeApp, err := scratch(ctx, "search", o.PostgresURL, o.Keep)
	if err != nil {
		return res, err
	}
	defer closeApp()
	res.Backend = backend
	d := a.DB.Dialect()

	t0 := time.Now()
	if _, err := loadCases(ctx, a, o.Cases, 90, o.Seed, true, o.Progress); err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	res.Load = time.Since(t0)
	// The case loader indexes what it writes; should it not, index here.
	// (Indexing the cases again would replace every one, which costs more
	// and leaves tombstones that slow the queries.)
	indexTable := "case_fts"
	if d == db.Postgres {
		indexTable = "case_search"
	}
	var indexed int
	if err := a.DB.SyncAside(ctx); err != nil { // the side file's writer may still be at it
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	if err := a.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+indexTable).Scan(&indexed); err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	if indexed < o.Cases {
		t0 = time.Now()
		if _, err := search.Reindex(ctx, a.DB, nil); err != nil {
			return res, fmt.Errorf("search benchmark: %w", err)
		}
		res.Index, res.Reindexed = time.Since(t0), true
	}
	if d == db.Postgres {
		// What autovacuum does after a bulk load, done now rather than
		// whenever it gets round to it: the planner's choices depend on it.
		err := a.DB.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, "ANALYZE cases, reports, case_units, case_search")
			return err
		})
		if err != nil {
			return res, fmt.Errorf("search benchmark: %w", err)
		}
	}
	if res.DBBytes, res.IndexBytes, err = searchSizes(ctx, a.DB); err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	leader, err := demoActor(ctx, a, "leader")
	if err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	street, err := demoActor(ctx, a, "jiangtou")
	if err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	district, err := demoActor(ctx, a, "huli")
	if err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}
	empty, err := emptyActor(ctx, a)
	if err != nil {
		return res, fmt.Errorf("search benchmark: %w", err)
	}

	// What the index holds (casework indexes a case's title and address and
	// each of its reports'): a merged case's reports bring their own titles
	// and addresses.
	like := fmt.Sprintf(`SELECT c.id FROM cases c WHERE c.title LIKE $1 OR c.address LIKE $1
		OR EXISTS (SELECT 1 FROM reports r WHERE r.case_id = c.id AND (r.body LIKE $1 OR r.title LIKE $1 OR r.address LIKE $1))
		ORDER BY c.id DESC LIMIT %d`, searchPage)
	var all struct {
		fts, in, like, list, count, page, street []time.Duration
		streetPage, district, empty              []time.Duration
	}
	for _, w := range o.Words {
		q, err := search.Parse(w)
		if err != nil {
			return res, fmt.Errorf("search benchmark: word %q: %w", w, err)
		}
		nf := q.NewestFirst(d, 1)
		fts := fmt.Sprintf("SELECT c.id FROM cases c %s WHERE %s ORDER BY %s DESC LIMIT %d", nf.Join, nf.Where, nf.ID, searchPage)
		cond, arg := q.Condition(d, 1)
		in := fmt.Sprintf("SELECT c.id FROM cases c WHERE %s ORDER BY c.id DESC LIMIT %d", cond, searchPage)
		wl := WordLatency{Word: w}
		if err := a.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases c WHERE "+cond, arg).Scan(&wl.Matches); err != nil {
			return res, fmt.Errorf("search benchmark: count %q: %w", w, err)
		}
		inIDs, inTimes, err := timeQuery(ctx, a.DB, o.Runs, in, arg)
		if err != nil {
			return res, fmt.Errorf("search benchmark: search %q: %w", w, err)
		}
		// On PostgreSQL both forms are the same query (NewestFirst is
		// Condition there): measured once.
		ftsIDs, ftsTimes := inIDs, inTimes
		if fts != in {
			if ftsIDs, ftsTimes, err = timeQuery(ctx, a.DB, o.Runs, fts, nf.Arg); err != nil {
				return res, fmt.Errorf("search benchmark: search %q: %w", w, err)
			}
		}
		listIDs, lists, counts, pages, err := timeProduct(ctx, a, leader, w, o.Runs, &wl)
		if err != nil {
			return res, fmt.Errorf("search benchmark: list %q: %w", w, err)
		}
		streets, err := timeRuns(o.Runs, func() error {
			p, err := a.Cases.List(ctx, street, casework.Filter{Text: w, Limit: searchPage})
			wl.StreetCases = len(p.Cases)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("search benchmark: list %q as a street: %w", w, err)
		}
		scoped := []struct {
			actor access.Actor
			times *[]time.Duration
			wl    *Latency
		}{{street, &all.streetPage, &wl.StreetPage}, {district, &all.district, &wl.District}, {empty, &all.empty, &wl.Empty}}
		for _, sc := range scoped {
			var scope WordLatency
			_, _, _, pages, err := timeProduct(ctx, a, sc.actor, w, o.Runs, &scope)
			if err != nil {
				return res, fmt.Errorf("search benchmark: search page %q as %s: %w", w, sc.actor.Username, err)
			}
			*sc.wl, *sc.times = latency(pages), append(*sc.times, pages...)
		}
		likeIDs, likeTimes, err := timeQuery(ctx, a.DB, o.LikeRuns, like, "%"+w+"%")
		if err != nil {
			return res, fmt.Errorf("search benchmark: LIKE %q: %w", w, err)
		}
		if !slices.Equal(ftsIDs, likeIDs) || !slices.Equal(inIDs, likeIDs) || !slices.Equal(listIDs, likeIDs) {
			res.SameResults = false
		}
		if wl.Shown != min(wl.Matches, SearchCountLimit) || wl.More != (wl.Matches > SearchCountLimit) {
			return res, fmt.Errorf("search benchmark: %q: CountUpTo gave %d (more %v) of %d matches", w, wl.Shown, wl.More, wl.Matches)
		}
		wl.FTS, wl.In, wl.Like = latency(ftsTimes), latency(inTimes), latency(likeTimes)
		wl.List, wl.Count, wl.Page, wl.Street = latency(lists), latency(counts), latency(pages), latency(streets)
		res.Words = append(res.Words, wl)
		all.fts, all.in, all.like = append(all.fts, ftsTimes...), append(all.in, inTimes...), append(all.like, likeTimes...)
		all.list, all.count, all.page = append(all.list, lists...), append(all.count, counts...), append(all.page, pages...)
		all.street = append(all.street, streets...)
	}
	res.FTS, res.In, res.Like = latency(all.fts), latency(all.in), latency(all.like)
	res.List, res.Count, res.Page, res.Street = latency(all.list), latency(all.count), latency(all.page), latency(all.street)
	res.StreetPage, res.District, res.Empty = latency(all.streetPage), latency(all.district), latency(all.empty)
	return res, nil
}

// emptyActor is a handler of a unit without descendants that no case
// involves: whose search finds nothing, however common the word. (Not a
// political-legal committee: its scope is its parent's subtree.)
func emptyActor(ctx context.Context, a *app.App) (access.Actor, error) {
	var id int64
	err := a.DB.QueryRowContext(ctx, `SELECT u.id FROM units u WHERE u.parent_id IS NOT NULL AND u.kind <> 'committee'
		AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id)
		AND NOT EXISTS (SELECT 1 FROM case_units cu WHERE cu.unit_id = u.id) ORDER BY u.id LIMIT 1`).Scan(&id)
	if err != nil {
		return access.Actor{}, fmt.Errorf("a unit no case involves: %w", err)
	}
	u, err := a.Org.Unit(ctx, a.DB, id)
	if err != nil {
		return access.Actor{}, err
	}
	scope, err := a.Org.ScopeOf(ctx, u)
	if err != nil {
		return access.Actor{}, err
	}
	if scope.All || len(scope.Units) != 1 {
		return access.Actor{}, fmt.Errorf("unit %s: its scope is not the unit alone", u.Code)
	}
	return access.Actor{Username: "unit " + u.Code, UnitID: u.ID, Roles: []access.Role{access.Handler}, Scope: scope}, nil
}

// demoActor returns the acting identity of a demo user.
func demoActor(ctx context.Context, a *app.App, username string) (access.Actor, error) {
	u, err := a.Org.UserByName(ctx, a.DB, username)
	if err != nil {
		return access.Actor{}, err
	}
	return a.Org.Actor(ctx, u.ID)
}

// timeProduct times what a search page asks of casework for word, as
// actor: the first page of the list, newest first, then the count up to
// SearchCountLimit; each run is timed apart and together. It returns the
// ids of the last page and records the count in wl.
func timeProduct(ctx context.Context, a *app.App, actor access.Actor, word string, runs int, wl *WordLatency) (ids []int64, lists, counts, pages []time.Duration, err error) {
	f := casework.Filter{Text: word, Limit: searchPage}
	for i := range runs + 1 {
		t0 := time.Now()
		p, err := a.Cases.List(ctx, actor, f)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		t1 := time.Now()
		if wl.Shown, wl.More, err = a.Cases.CountUpTo(ctx, actor, f, SearchCountLimit); err != nil {
			return nil, nil, nil, nil, err
		}
		t2 := time.Now()
		if i == 0 {
			continue // warming the caches
		}
		lists, counts, pages = append(lists, t1.Sub(t0)), append(counts, t2.Sub(t1)), append(pages, t2.Sub(t0))
		ids = ids[:0]
		for _, c := range p.Cases {
			ids = append(ids, c.ID)
		}
	}
	return ids, lists, counts, pages, nil
}

// timeRuns runs f once to warm the caches, then runs times more, timing each.
func timeRuns(runs int, f func() error) ([]time.Duration, error) {
	ds := make([]time.Duration, 0, runs)
	for i := range runs + 1 {
		t0 := time.Now()
		if err := f(); err != nil {
			return nil, err
		}
		if i > 0 {
			ds = append(ds, time.Since(t0))
		}
	}
	return ds, nil
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
// On SQLite dbstat counts pages wherever they are, in the file or still in
// the WAL; on PostgreSQL it is the tables of the schema with their indexes
// and TOAST.
func searchSizes(ctx context.Context, d *db.DB) (total, index int64, err error) {
	// Both files of the embedded database; the index is in the side one.
	q := `SELECT (SELECT COALESCE(SUM(pgsize), 0) FROM dbstat('main')) + (SELECT COALESCE(SUM(pgsize), 0) FROM dbstat('side')),
		(SELECT COALESCE(SUM(pgsize), 0) FROM dbstat('side') WHERE name LIKE 'case\_fts%' ESCAPE '\')`
	if d.Dialect() == db.Postgres {
		q = `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint, pg_total_relation_size('case_search')
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`
	}
	if err := d.QueryRowContext(ctx, q).Scan(&total, &index); err != nil {
		return 0, 0, fmt.Errorf("measure the database: %w", err)
	}
	return total, index, nil
}

// String renders the result as markdown tables: the product's path next to
// the LIKE scan, then the raw forms of the index.
func (r SearchResult) String() string {
	var b strings.Builder
	indexed := "indexed as they were loaded"
	if r.Reindexed {
		indexed = "indexed afterwards in " + r.Index.Round(time.Second).String()
	}
	fmt.Fprintf(&b, "%s: %d cases loaded in %s, %s; database %s, full-text index %s.\n",
		r.Backend, r.Cases, r.Load.Round(time.Second), indexed, mib(r.DBBytes), mib(r.IndexBytes))
	if !r.SameResults {
		b.WriteString("**The ways of searching returned different first pages.**\n")
	}
	cell := func(l Latency) string { return fmt.Sprintf("%s / %s / %s", ms(l.P50), ms(l.P95), ms(l.P99)) }
	ratio := func(like, l Latency) string {
		if l.P50 <= 0 {
			return "–"
		}
		x := float64(like.P50) / float64(l.P50)
		if x < 10 {
			return fmt.Sprintf("%.1f×", x)
		}
		return fmt.Sprintf("%.0f×", x)
	}
	fmt.Fprintf(&b, "\nThe search page: casework List (first page of %d, newest first, as the city's leader) and CountUpTo(%d), next to a LIKE scan of titles, addresses and report texts for the same first page (p50 / p95 / p99):\n\n",
		searchPage, SearchCountLimit)
	b.WriteString("| query | cases | shown | List | CountUpTo | List + CountUpTo | LIKE scan | LIKE ÷ List (p50) | List as one street (page) |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, w := range r.Words {
		shown := fmt.Sprint(w.Shown)
		if w.More {
			shown += "+"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s (%d) |\n", w.Word, w.Matches, shown, cell(w.List), cell(w.Count),
			cell(w.Page), cell(w.Like), ratio(w.Like, w.List), cell(w.Street), w.StreetCases)
	}
	fmt.Fprintf(&b, "| **all** | | | %s | %s | %s | %s | %s | %s |\n", cell(r.List), cell(r.Count), cell(r.Page), cell(r.Like),
		ratio(r.Like, r.List), cell(r.Street))
	b.WriteString("\nThe index alone, first page of 50 case ids, newest first (p50 / p95 / p99):\n\n")
	b.WriteString("| query | cases | index, newest first | index as IN condition | LIKE scan |\n")
	b.WriteString("|---|--:|--:|--:|--:|\n")
	for _, w := range r.Words {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", w.Word, w.Matches, cell(w.FTS), cell(w.In), cell(w.Like))
	}
	fmt.Fprintf(&b, "| **all** | | %s | %s | %s |\n", cell(r.FTS), cell(r.In), cell(r.Like))
	b.WriteString("\nThe search page (List + CountUpTo) in a scope (p50 / p95 / p99):\n\n")
	b.WriteString("| query | a street's handler | a district's supervisor | a unit no case involves |\n")
	b.WriteString("|---|--:|--:|--:|\n")
	for _, w := range r.Words {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", w.Word, cell(w.StreetPage), cell(w.District), cell(w.Empty))
	}
	fmt.Fprintf(&b, "| **all** | %s | %s | %s |\n", cell(r.StreetPage), cell(r.District), cell(r.Empty))
	return b.String()
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }
