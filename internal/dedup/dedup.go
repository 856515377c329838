// Package dedup finds the open cases a new report may repeat: the same
// matter told again — by the same citizen or a neighbour, in other words —
// at the same place within a time window. Each candidate comes with a
// score and the reasons for it, for the intake operator to add the report
// to the case or keep it apart.
package dedup

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/db"
	"pingan/internal/division"
	"pingan/internal/i18n"
	"pingan/internal/placename"
)

// Defaults of a search.
const (
	DefaultRadius = 500.0               // metres
	DefaultWindow = 30 * 24 * time.Hour // how far back an open case may have been received
	MinScore      = 0.35                // below this a case is not shown
	// How much of its words a case must share with the report
	// (Candidate.Text) to be shown depends on how sure it is to be at the
	// same place: at least minText within the radius of the report's point
	// (where both have a point, the distance alone says whether the case is
	// at the place: one further away is only in the district) or on the
	// street the report names, for a repeat may be told in quite
	// other words; minTextPlace when it is only in the same township,
	// unless it is of the same category; minTextAway — nearly the same
	// words — when it is only in the same district, for the same matter
	// elsewhere in the district is another case. Whichever, it must share
	// minShared words (pairs of characters) at least, or all its matter's
	// if it has fewer: one alone is as often a place's name (朝元社区,
	// 莲前东路一…) as the matter.
	minText       = 0.15
	minTextPlace  = 0.3
	minTextAway   = 0.8
	minShared     = 2
	MaxCandidates = 5
	// sameStreet is what naming the same street adds, when there is no
	// point to measure: as much as being at the same point.
	sameStreet = 0.25
)

// Query is what is known of the new report.
type Query struct {
	Text         string   // title, body and address
	Address      string   // the report's address, when it has one apart (also in Text)
	Lat, Lon     *float64 // WGS-84
	DivisionCode string   // the area, if known
	CategoryID   int64
	At           time.Time // when it came in (zero: now)
	Radius       float64   // metres; 0 for DefaultRadius
	Window       time.Duration
	// Probe, when set, is the only text looked up in the index (the
	// candidates are still scored on all of Text), and fewer candidates
	// are scored: for near-exact repeats, whose titles share nearly all
	// their words, a lookup of the title's few bigrams finds them at a
	// fraction of the cost. Its bigrams that are in ProbePlace (the
	// report's address) are left out, as the index leaves out a case's.
	Probe, ProbePlace string
}

// Candidate is an open case the report may repeat.
type Candidate struct {
	CaseID   int64     `json:"-"`
	Number   string    `json:"number"`
	Title    string    `json:"title"`
	Received time.Time `json:"received_at"`
	Score    float64   `json:"score"`   // 0–1
	Text     float64   `json:"text"`    // likeness of the words, 0–1
	Meters   *float64  `json:"meters"`  // distance, when both have a point
	Reasons  []string  `json:"reasons"` // in the user's language
	// Why is Reasons in both languages, for a note kept on the case
	// (an automatic merge's).
	Why []i18n.Message `json:"-"`
}

// In is cs as an answer shows them: a list, empty rather than nil, with
// times in loc (the city's).
func In(cs []Candidate, loc *time.Location) []Candidate {
	out := make([]Candidate, len(cs))
	for i, c := range cs {
		c.Received = c.Received.In(loc)
		out[i] = c
	}
	return out
}

// Service finds candidates.
type Service struct {
	db       *db.DB
	now      func() time.Time
	resident *resident // nil: the database is read (PostgreSQL)
}

// NewService returns the duplicate finder. On SQLite it keeps the repeat
// index in memory as well (resident.go), shared by every Service of the
// database.
func NewService(d *db.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, now: now, resident: residentOf(d)}
}

// openStates are the states a repeat can join.
const openStates = `'received','registered','dispatched','handling','reported','verified','pending_close','suspended'`

// Find returns the best candidates, most likely first, among the open
// cases of the same area (the township or district the report is in, or
// within the radius of its point) received within the window, that the
// actor may see. It reads the repeat index (see index.go) for the cases
// that share words with the report and scores the likeliest of them — from
// memory when the resident index (resident.go) is in step with the
// database, else from the database; Scan scores every case instead, with
// the same measure.
func (s *Service) Find(ctx context.Context, actor access.Actor, q Query, lang i18n.Lang) ([]Candidate, error) {
	p, ok := s.plan(actor, q)
	if !ok {
		return nil, nil
	}
	if s.resident != nil {
		if cs, ok, err := s.resident.find(ctx, p, s.now(), lang); err != nil || ok {
			if err == nil {
				cs, err = s.inScope(ctx, actor, cs)
			}
			return best(cs), err
		}
	}
	ids, err := s.lookup(ctx, p)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	// The cases by id, first: a planner left to itself may rather walk an
	// index of open or recent cases.
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	if s.db.Dialect() == db.Postgres {
		p.args = append(p.args, "{"+strings.Join(list, ",")+"}")
		p.from = fmt.Sprintf("unnest($%d::bigint[]) AS ids(value) CROSS JOIN cases c", len(p.args))
	} else {
		p.args = append(p.args, "["+strings.Join(list, ",")+"]")
		p.from = fmt.Sprintf("json_each($%d) AS ids CROSS JOIN cases c", len(p.args))
	}
	p.where = append(p.where, "c.id = ids.value")
	return s.score(ctx, p, lang)
}

// Scan is Find without the index: it scores every open case of the area
// and window. It is the reference Find is measured against (recall); its
// cost grows with the open cases of a district.
func (s *Service) Scan(ctx context.Context, actor access.Actor, q Query, lang i18n.Lang) ([]Candidate, error) {
	p, ok := s.plan(actor, q)
	if !ok {
		return nil, nil
	}
	return s.score(ctx, p, lang)
}

// Where returns the condition on cases (aliased c) Find and Scan draw
// candidates from for q — open, received in the window, at the place, in
// the actor's scope — with its arguments numbered from $1; false when
// there is nowhere to look. It is for measuring other ways of finding
// repeats on the same cases.
func (s *Service) Where(actor access.Actor, q Query) (string, []any, bool) {
	p, ok := s.plan(actor, q)
	return strings.Join(p.where, " AND "), p.args, ok
}

// plan is a search resolved: the report's words, its area and the
// conditions on a case.
type plan struct {
	q     Query
	words grams
	named []string // the places the report names (placename.Names)
	road  string   // the road the report's address is on (road), if any
	area  string   // the division the report is in, if known
	areas []string // the districts (index keys) a candidate may be filed under
	start int64    // the window's start, µs
	// Where a candidate may be: its division code in [lo, hi) (the
	// district's codes), or its point in box (south, north, west, east)
	// when the report has one; the condition where says in SQL.
	lo, hi string
	box    *[4]float64
	from   string // the FROM clause, cases c by default
	where  []string
	args   []any
}

// plan resolves q for actor; false when there is nothing to look for.
func (s *Service) plan(actor access.Actor, q Query) (plan, bool) {
	if q.Radius <= 0 {
		q.Radius = DefaultRadius
	}
	if q.Window <= 0 {
		q.Window = DefaultWindow
	}
	if q.At.IsZero() {
		q.At = s.now()
	}
	p := plan{q: q, words: bigrams(q.Text), named: placename.Names(q.Text), road: road(Street(q.Address, q.DivisionCode))}
	if len(p.words) == 0 {
		return p, false
	}
	area := q.DivisionCode
	if area == "" && q.Lat != nil && q.Lon != nil {
		if d, ok := division.Locate(*q.Lat, *q.Lon); ok {
			area = d.Code
		}
	}
	if area == "" {
		if pl, ok := division.FromText(q.Text); ok && !pl.Ambiguous {
			area = pl.Division.Code
		}
	}
	p.area = area
	p.start = q.At.Add(-q.Window).UnixMicro()
	p.args = []any{p.start}
	p.where = []string{"c.state IN (" + openStates + ")", "c.received_at >= $1"}
	var place []string
	areas := map[string]bool{}
	if area != "" {
		// The district's codes, as a range an index can read.
		lo := district(area)
		hi := lo[:len(lo)-1] + string(lo[len(lo)-1]+1)
		p.lo, p.hi = lo, hi
		p.args = append(p.args, lo, hi)
		place = append(place, fmt.Sprintf("(c.division_code >= $%d AND c.division_code < $%d)", len(p.args)-1, len(p.args)))
		areas[lo] = true
		if len(lo) < 6 {
			for _, d := range division.Children(division.XiamenCode) {
				if strings.HasPrefix(d.Code, lo) {
					areas[d.Code] = true
				}
			}
		}
	}
	if q.Lat != nil && q.Lon != nil {
		dLat := q.Radius / 111_000
		dLon := dLat / math.Cos(*q.Lat*math.Pi/180)
		p.box = &[4]float64{*q.Lat - dLat, *q.Lat + dLat, *q.Lon - dLon, *q.Lon + dLon}
		p.args = append(p.args, p.box[0], p.box[1], p.box[2], p.box[3])
		n := len(p.args)
		place = append(place, fmt.Sprintf("(c.lat BETWEEN $%d AND $%d AND c.lon BETWEEN $%d AND $%d)", n-3, n-2, n-1, n))
		// Cases within the radius are filed under the districts of the
		// box's centre and corners, or under none.
		areas[""] = true
		for _, c := range [][2]float64{{0, 0}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}} {
			if d, ok := division.Locate(*q.Lat+c[0]*dLat, *q.Lon+c[1]*dLon); ok {
				areas[district(d.Code)] = true
			}
		}
	}
	if len(place) == 0 {
		return p, false // nowhere to look: a repeat must be about the same place
	}
	for a := range areas {
		p.areas = append(p.areas, a)
	}
	slices.Sort(p.areas)
	p.where = append(p.where, "("+strings.Join(place, " OR ")+")")
	if !actor.Scope.All && !actor.System {
		if len(actor.Scope.Units) == 0 {
			return p, false
		}
		ph := make([]string, len(actor.Scope.Units))
		for i, u := range actor.Scope.Units {
			p.args = append(p.args, u)
			ph[i] = fmt.Sprintf("$%d", len(p.args))
		}
		p.where = append(p.where, "EXISTS (SELECT 1 FROM case_units cu WHERE cu.case_id = c.id AND cu.unit_id IN ("+strings.Join(ph, ", ")+"))")
	}
	return p, true
}

// Reading the index: up to perGram cases, newest first, for each of the
// report's bigrams in each district; the fetch likeliest of the cases
// found (by the share of their words the report has) are scored. A lookup
// so reads at most bigrams × perGram index rows and fetch cases, however
// many cases are stored. On a million generated cases, 200 rows a bigram
// found the same candidates as 100 for 94% of the queries and 50 for 87%;
// scoring 20 cases instead of 40, for 77% (pingan bench dedup measures
// recall against the exhaustive Scan).
const (
	perGram = 100
	fetch   = 40
	// A lookup by Probe reads fewer rows a bigram and scores fewer cases:
	// a near-exact repeat shares its title's rarer bigrams too, where it is
	// among the newest.
	perGramProbe = 30
	fetchProbe   = 10
)

// probe returns the words a lookup reads the index for, how many of each
// word's newest postings it reads and how many of the cases found it
// scores.
func (p plan) probe() (words grams, per, most int) {
	if p.q.Probe != "" {
		return matter(p.q.Probe, p.q.ProbePlace), perGramProbe, fetchProbe
	}
	return p.words, perGram, fetch
}

// keys are the index keys of words in each of the plan's districts.
func (p plan) keys(words grams) []int64 {
	keys := make([]int64, 0, len(words)*len(p.areas))
	for _, a := range p.areas {
		for _, g := range words {
			keys = append(keys, g.key(a))
		}
	}
	return keys
}

// hit is a case the index found: how many of the looked-up words it is
// filed under, how many its matter has, and its street's key.
type hit struct {
	hits, n int
	place   int64
}

// lookup returns the ids of the cases to score, likeliest first.
func (s *Service) lookup(ctx context.Context, p plan) ([]int64, error) {
	words, per, most := p.probe()
	keys := p.keys(words)
	found := map[int64]*hit{}
	read := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var id, place int64
			var n int
			if err := rows.Scan(&id, &n, &place); err != nil {
				return err
			}
			if h := found[id]; h != nil {
				h.hits++
			} else {
				found[id] = &hit{hits: 1, n: n, place: place}
			}
		}
		return rows.Err()
	}
	// One statement: each key's newest postings, side by side.
	arr := make([]string, len(keys))
	for i, k := range keys {
		arr[i] = strconv.FormatInt(k, 10)
	}
	var rows *sql.Rows
	var err error
	if s.db.Dialect() == db.Postgres {
		rows, err = s.db.QueryContext(ctx, `SELECT r.case_id, r.n, r.place FROM unnest($1::bigint[]) AS k(gram)
			CROSS JOIN LATERAL (SELECT case_id, n, place FROM repeat_grams g WHERE g.gram = k.gram AND g.received_at >= $2
				ORDER BY g.received_at DESC LIMIT $3) r`, "{"+strings.Join(arr, ",")+"}", p.start, per)
	} else {
		// SQLite has no LATERAL: a key's postings are read from the
		// per-th newest on (or the window's start, if it has fewer). At
		// 5M cases this was faster than a compound SELECT of one
		// newest-first range per key (1.8 ms against 2.5 ms at p50).
		rows, err = s.db.QueryContext(ctx, `SELECT r.case_id, r.n, r.place FROM json_each($1) AS k
			JOIN repeat_grams r ON r.gram = k.value AND r.received_at >= COALESCE((SELECT x.received_at FROM repeat_grams x
				WHERE x.gram = k.value AND x.received_at >= $2 ORDER BY x.received_at DESC LIMIT 1 OFFSET $3 - 1), $2)`,
			"["+strings.Join(arr, ",")+"]", p.start, per)
	}
	if err == nil {
		err = read(rows)
	}
	if err != nil {
		return nil, fmt.Errorf("find repeats: read index: %w", err)
	}
	return p.rank(found, len(words), most), nil
}

// rank returns the ids of the most likeliest of the cases found by a
// lookup of words words: by the share of their matter the lookup found.
func (p plan) rank(found map[int64]*hit, words, most int) []int64 {
	type scored struct {
		id   int64
		like float64
	}
	// Without a point, a case on a street the report names gains as the
	// score does (see judge); with one, distance is not in the index.
	var streets map[int64]bool
	if p.q.Lat == nil || p.q.Lon == nil {
		places := map[int64]bool{}
		for _, h := range found {
			if h.place != 0 {
				places[h.place] = true
			}
		}
		streets = mentioned(p.q.Text, places)
	}
	cs := make([]scored, 0, len(found))
	for id, h := range found {
		like := float64(h.hits) / float64(max(1, min(words, h.n)))
		if h.place != 0 && streets[h.place] {
			like += sameStreet
		}
		cs = append(cs, scored{id, like})
	}
	slices.SortFunc(cs, func(a, b scored) int {
		if a.like != b.like {
			if a.like > b.like {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.id, a.id)
	})
	ids := make([]int64, 0, min(len(cs), most))
	for _, c := range cs[:min(len(cs), most)] {
		ids = append(ids, c.id)
	}
	return ids
}

// score reads the cases p selects and returns the best candidates.
func (s *Service) score(ctx context.Context, p plan, lang i18n.Lang) ([]Candidate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+docColumns+` FROM `+cmp.Or(p.from, "cases c")+` WHERE `+strings.Join(p.where, " AND "), p.args...)
	if err != nil {
		return nil, fmt.Errorf("find repeats: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return nil, err
		}
		if c, ok := p.judge(d.held(), lang); ok {
			out = append(out, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return best(out), nil
}

// docColumns are the columns of an open case (cases c) scanDoc reads.
const docColumns = `c.id, c.number, c.title, c.address, COALESCE(c.division_code, ''), c.lat, c.lon,
	COALESCE(c.category_id, 0), c.received_at`

// scanDoc reads an open case's docColumns.
func scanDoc(rows *sql.Rows) (Doc, error) {
	d := Doc{Open: true}
	var lat, lon sql.NullFloat64
	var received int64
	if err := rows.Scan(&d.CaseID, &d.Number, &d.Title, &d.Address, &d.DivisionCode, &lat, &lon, &d.CategoryID, &received); err != nil {
		return d, err
	}
	if lat.Valid && lon.Valid {
		d.Lat, d.Lon = &lat.Float64, &lon.Float64
	}
	d.ReceivedAt = time.UnixMicro(received)
	return d, nil
}

// best sorts candidates most likely first and keeps the first
// MaxCandidates.
func best(out []Candidate) []Candidate {
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.CaseID, a.CaseID)
	})
	return out[:min(len(out), MaxCandidates)]
}

// judge scores a case as a candidate for the report; false when it is
// not one.
func (p plan) judge(h *held, lang i18n.Lang) (Candidate, bool) {
	q, area := p.q, p.area
	if placesDiffer(h.title, q.Text, p.named) {
		return Candidate{}, false // another community, estate or village: another matter
	}
	c := Candidate{CaseID: h.id, Number: h.number, Title: h.title}
	var shared, size int
	c.Text, shared, size = likeness(p.words, h.matter, h.place)
	score := c.Text
	floor := minTextAway // lowered below by the evidence of the place
	var reasons []i18n.Message
	if c.Text >= 0.2 {
		reasons = append(reasons, msgWords.Fill(int(math.Round(100*c.Text))))
	}
	near := false // both points, within the radius
	switch {
	case q.Lat != nil && q.Lon != nil && h.point:
		m := metres(*q.Lat, *q.Lon, h.lat, h.lon)
		c.Meters = &m
		if m <= q.Radius {
			near = true
			score += 0.25 * (1 - m/q.Radius)
			floor = minText
			reasons = append(reasons, msgNear.Fill(int(math.Round(m))))
		}
	case h.street != "" && strings.Contains(q.Text, h.street) && !apart(area, h.div):
		score += sameStreet
		floor = minText
		reasons = append(reasons, msgSameStreet.Fill(h.street))
	case area != "" && h.div != "" && strings.HasPrefix(h.div, area):
		score += 0.1
		if len(area) > 6 { // a township, not the whole district
			floor = minTextPlace
		}
		if d, ok := division.ByCode(area); ok {
			reasons = append(reasons, msgSameArea.Fill(d.Name))
		}
	}
	if !near && p.road != "" {
		// Both on roads the addresses name, and not one: another
		// place, however alike the words (西福路 and 同济路's signals
		// in one township), unless the report names the case's road.
		if h.road != "" && h.road != p.road && !strings.Contains(q.Text, h.road) {
			return Candidate{}, false
		}
	}
	if q.CategoryID != 0 && h.category == q.CategoryID {
		score += 0.1
		if floor == minTextPlace {
			floor = minText
		}
		reasons = append(reasons, msgSameCategory)
	}
	c.Score = math.Min(1, score)
	if c.Score < MinScore || c.Text < floor || shared < min(minShared, size) {
		return Candidate{}, false
	}
	c.Received = time.UnixMicro(h.at)
	c.Why = reasons
	for _, r := range reasons {
		c.Reasons = append(c.Reasons, r.Format(lang))
	}
	return c, true
}

// inScope keeps the candidates the actor may see: those of a case of a
// unit in its scope (case_units).
func (s *Service) inScope(ctx context.Context, actor access.Actor, cs []Candidate) ([]Candidate, error) {
	if len(cs) == 0 || actor.Scope.All || actor.System {
		return cs, nil
	}
	args := make([]any, 0, len(cs)+len(actor.Scope.Units))
	for _, c := range cs {
		args = append(args, c.CaseID)
	}
	for _, u := range actor.Scope.Units {
		args = append(args, u)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT case_id FROM case_units WHERE case_id IN ("+db.Placeholders(1, len(cs))+
		") AND unit_id IN ("+db.Placeholders(len(cs)+1, len(actor.Scope.Units))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("find repeats: scope: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find repeats: scope: %w", err)
		}
		seen[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find repeats: scope: %w", err)
	}
	out := cs[:0]
	for _, c := range cs {
		if seen[c.CaseID] {
			out = append(out, c)
		}
	}
	return out, nil
}

var (
	msgWords        = i18n.M("内容相似度 %d%%", "words %d%% alike")
	msgNear         = i18n.M("相距 %d 米", "%d m apart")
	msgSameArea     = i18n.M("同在%s", "both in %s")
	msgSameStreet   = i18n.M("同在%s", "both on %s")
	msgSameCategory = i18n.M("分类相同", "same category")
)

// apart reports whether two division codes name different townships: a
// road that runs through both (仙岳路 through 江头 and 禾山) is not one
// place, and naming it is no evidence of being at the same place.
func apart(a, b string) bool {
	return len(a) > 6 && len(b) > 6 && !strings.HasPrefix(a, b) && !strings.HasPrefix(b, a)
}

// overlap is the share of the smaller set found in the larger: a case's
// title is short, a new report long, and the title's words appearing in
// the report is what matters.
func overlap(a, b grams) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	return float64(a.common(b)) / float64(min(len(a), len(b)))
}

// metres between two WGS-84 points (haversine).
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6_371_000
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := (lat2-lat1)*math.Pi/180, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
