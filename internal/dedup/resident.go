package dedup

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pingan/internal/db"
	"pingan/internal/i18n"
)

// The resident index: on SQLite the repeat index is kept in memory as
// well, with what a candidate is judged on, so that intake's lookup before
// every write (auto-merge) reads neither the index nor the cases — it was
// a quarter of intake's CPU (docs/BENCHMARKS.md).
//
// It mirrors the database, never replaces it. Every write of the index
// counts the index's generation up in its transaction (bump); the writes of
// Track tell the resident index what they changed as soon as their
// transaction is visible (db.Tx.OnVisible), in the order they committed.
// A lookup reads the generation first and answers from memory only when
// the memory has seen that generation; otherwise — being loaded, a bulk
// load or another process's write (a generation it was not told of),
// cases older than it holds — the database answers, as on PostgreSQL
// (whose nodes write at once, and where no node keeps the index). Memory
// that has missed a generation is dropped and loaded again from the cases.
//
// It holds the open cases received since its horizon (twice the default
// window before it was loaded) that Track tells it of: about 0.7 KB a
// case.

// residentKey attaches a database's resident index to it (db.Attached).
type residentKey struct{}

// residentOf returns the resident index of d, nil on PostgreSQL.
func residentOf(d *db.DB) *resident {
	if d.Dialect() != db.SQLite {
		return nil
	}
	return d.Attached(residentKey{}, func() any { return &resident{d: d} }).(*resident)
}

type residentState int

const (
	cold    residentState = iota // holds nothing
	loading                      // being loaded; changes wait in queue
	warm                         // in step with generation gen
)

type resident struct {
	d *db.DB

	mu      sync.RWMutex
	state   residentState
	gen     int64
	horizon int64 // µs: cases received before it are not held
	cases   map[int64]*held
	grams   map[int64][]posting // by index key (gram.key), oldest first
	queue   []generation        // while loading
	loads   int                 // loads started: the newest is the one to finish
	behind  time.Time           // when a lookup first found the database ahead, if it is

	answered, declined atomic.Int64 // lookups answered from memory, and left to the database
}

// posting is a case filed under a key.
type posting struct{ at, id int64 }

func (a posting) cmp(b posting) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id)) }

// generation is what one write of the index changed: the cases as they
// are now.
type generation struct {
	n    int64
	docs []Doc
}

// lagAllowed is how long lookups may find the database ahead of a warm
// resident index before it is loaded again: long enough for the writer to
// tell it of the write it has just committed.
const lagAllowed = time.Second

// find answers a lookup and judges its candidates from memory, all of
// them (the caller keeps the actor's and the best); false when the
// database must answer instead.
func (r *resident) find(ctx context.Context, p plan, now time.Time, lang i18n.Lang) ([]Candidate, bool, error) {
	var g int64
	if err := r.d.QueryRowContext(ctx, "SELECT generation FROM repeat_generation WHERE id = 1").Scan(&g); err != nil {
		return nil, false, fmt.Errorf("find repeats: generation: %w", err)
	}
	r.mu.RLock()
	if r.state != warm || r.gen < g || p.start < r.horizon {
		state, behind := r.state, r.state == warm && r.gen < g
		r.mu.RUnlock()
		r.declined.Add(1)
		if state == cold || behind {
			// The lookup that finds the memory to load loads it, for the
			// next: a load is as long as a few hundred lookups (0.1 s at
			// 100,000 open cases), and Preload does the first.
			if load := r.lag(g); load != 0 {
				r.load(load, now)
			}
		}
		return nil, false, nil
	}
	r.answered.Add(1)
	words, per, most := p.probe()
	found := map[int64]*hit{}
	for _, k := range p.keys(words) {
		ps := r.grams[k]
		for i := len(ps) - 1; i >= 0 && len(ps)-i <= per && ps[i].at >= p.start; i-- {
			if h := found[ps[i].id]; h != nil {
				h.hits++
			} else if c := r.cases[ps[i].id]; c != nil {
				found[c.id] = &hit{hits: 1, n: len(c.matter), place: c.placeKey}
			}
		}
	}
	ids := p.rank(found, len(words), most)
	cases := make([]*held, 0, len(ids))
	for _, id := range ids {
		if c := r.cases[id]; c != nil && p.holds(c) {
			cases = append(cases, c)
		}
	}
	r.mu.RUnlock()
	// What is held is never changed, only replaced: it is judged unlocked.
	var out []Candidate
	for _, c := range cases {
		if cand, ok := p.judge(c, lang); ok {
			out = append(out, cand)
		}
	}
	return out, true, nil
}

// holds reports whether a case is where and when the plan looks (the
// resident index holds open cases only): what plan's condition says of
// cases in SQL, but the actor's scope.
func (p plan) holds(c *held) bool {
	if c.at < p.start {
		return false
	}
	if p.lo != "" && c.div >= p.lo && c.div < p.hi {
		return true
	}
	return p.box != nil && c.point && c.lat >= p.box[0] && c.lat <= p.box[1] && c.lon >= p.box[2] && c.lon <= p.box[3]
}

// lag is a lookup that found the memory cold, or behind the database's
// generation g: it returns the load to start (see start), when the memory
// is cold or has been behind for longer than lagAllowed (another process
// wrote the index), else 0.
func (r *resident) lag(g int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.state == cold:
	case r.state == warm && r.gen < g:
		if r.behind.IsZero() {
			r.behind = time.Now()
			return 0
		}
		if time.Since(r.behind) < lagAllowed {
			return 0
		}
	default:
		return 0
	}
	return r.start()
}

// start drops what the memory holds and starts a load: the changes
// become visible from now on wait for it. It returns the load's number;
// a load that another has started after it is not kept. r.mu is held.
func (r *resident) start() int {
	r.loads++
	r.state, r.queue, r.behind = loading, nil, time.Time{}
	r.cases, r.grams = nil, nil
	return r.loads
}

// load reads the open cases received since the horizon, and the
// generation, in one read transaction (a snapshot), then applies the
// changes told while it read.
func (r *resident) load(n int, now time.Time) {
	horizon := now.Add(-2 * DefaultWindow).UnixMicro()
	cases, grams, g, err := r.read(context.Background(), horizon)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loads != n || r.state != loading {
		return // another load took its place
	}
	if err != nil {
		slog.Warn("repeat index: load into memory failed; the database answers", "err", err)
		r.state, r.queue = cold, nil
		return
	}
	r.cases, r.grams, r.gen, r.horizon = cases, grams, g, horizon
	for _, q := range r.queue {
		if q.n <= r.gen {
			continue // the snapshot has it
		}
		if q.n != r.gen+1 {
			r.state, r.queue, r.cases, r.grams = cold, nil, nil, nil
			return
		}
		r.change(q.docs)
		r.gen = q.n
	}
	r.state, r.queue = warm, nil
}

func (r *resident) read(ctx context.Context, horizon int64) (map[int64]*held, map[int64][]posting, int64, error) {
	tx, err := r.d.SQL().BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, 0, err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	var g int64
	if err := tx.QueryRowContext(ctx, "SELECT generation FROM repeat_generation WHERE id = 1").Scan(&g); err != nil {
		return nil, nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+docColumns+` FROM cases c WHERE c.state IN (`+openStates+`) AND c.received_at >= $1`, horizon)
	if err != nil {
		return nil, nil, 0, err
	}
	defer rows.Close()
	cases, grams := map[int64]*held{}, map[int64][]posting{}
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return nil, nil, 0, err
		}
		c := d.held()
		cases[c.id] = c
		for _, k := range c.keys() {
			grams[k] = append(grams[k], posting{c.at, c.id})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, err
	}
	for _, ps := range grams {
		slices.SortFunc(ps, posting.cmp)
	}
	return cases, grams, g, nil
}

// apply is a write of the index become visible: generation g, the cases
// as they are now. The writer calls it, in commit order.
func (r *resident) apply(g int64, docs []Doc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.state {
	case loading:
		r.queue = append(r.queue, generation{g, docs})
	case warm:
		if g != r.gen+1 {
			// A generation it was not told of: another process's
			// write, or a bulk load. The next lookup loads again.
			r.state, r.cases, r.grams = cold, nil, nil
			return
		}
		r.change(docs)
		r.gen, r.behind = g, time.Time{}
	}
}

// change files the cases as they are now, in place of what it held of them.
func (r *resident) change(docs []Doc) {
	for _, d := range docs {
		if old := r.cases[d.CaseID]; old != nil {
			for _, k := range old.keys() {
				ps := r.grams[k]
				if i, ok := slices.BinarySearchFunc(ps, posting{old.at, old.id}, posting.cmp); ok {
					ps = slices.Delete(ps, i, i+1)
				}
				if len(ps) == 0 {
					delete(r.grams, k)
				} else {
					r.grams[k] = ps
				}
			}
			delete(r.cases, d.CaseID)
		}
		if !d.Open || d.ReceivedAt.UnixMicro() < r.horizon {
			continue
		}
		c := d.held()
		r.cases[c.id] = c
		p := posting{c.at, c.id}
		for _, k := range c.keys() {
			ps := r.grams[k]
			i, _ := slices.BinarySearchFunc(ps, p, posting.cmp)
			r.grams[k] = slices.Insert(ps, i, p)
		}
	}
}

// keys are the index keys a case is filed under, as Doc.postings files it.
func (c *held) keys() []int64 {
	area := district(c.div)
	out := make([]int64, len(c.matter))
	for i, g := range c.matter {
		out[i] = g.key(area)
	}
	return out
}

// Preload loads the resident index now, unless it is in step already, so
// that the first lookups after a start need not read the database; it
// reports whether the index is then in memory (never on PostgreSQL).
func (s *Service) Preload() bool {
	r := s.resident
	if r == nil {
		return false
	}
	r.mu.Lock()
	if r.state != warm {
		n := r.start()
		r.mu.Unlock()
		r.load(n, s.now())
		r.mu.Lock()
	}
	defer r.mu.Unlock()
	return r.state == warm
}
