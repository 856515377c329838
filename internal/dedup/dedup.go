// Package dedup finds the open cases a new report may repeat: the same
// matter told again — by the same citizen or a neighbour, in other words —
// at the same place within a time window. Each candidate comes with a
// score and the reasons for it, for the intake operator to add the report
// to the case or keep it apart.
package dedup

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"pingan/internal/access"
	"pingan/internal/db"
	"pingan/internal/division"
	"pingan/internal/i18n"
)

// Defaults of a search.
const (
	DefaultRadius = 500.0               // metres
	DefaultWindow = 30 * 24 * time.Hour // how far back an open case may have been received
	MinScore      = 0.35                // below this a case is not shown
	MaxCandidates = 5
)

// Query is what is known of the new report.
type Query struct {
	Text         string   // title, body and address
	Lat, Lon     *float64 // WGS-84
	DivisionCode string   // the area, if known
	CategoryID   int64
	At           time.Time // when it came in (zero: now)
	Radius       float64   // metres; 0 for DefaultRadius
	Window       time.Duration
}

// Candidate is an open case the report may repeat.
type Candidate struct {
	CaseID   int64    `json:"-"`
	Number   string   `json:"number"`
	Title    string   `json:"title"`
	Received string   `json:"received_at"`
	Score    float64  `json:"score"`   // 0–1
	Text     float64  `json:"text"`    // likeness of the words, 0–1
	Meters   *float64 `json:"meters"`  // distance, when both have a point
	Reasons  []string `json:"reasons"` // in the user's language
}

// Service finds candidates.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the duplicate finder.
func NewService(d *db.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, now: now}
}

// openStates are the states a repeat can join.
const openStates = `'received','registered','dispatched','handling','reported','verified','pending_close','suspended'`

// Find returns the best candidates, most likely first, among the open
// cases of the same area (the township or district the report is in, or
// within the radius of its point) received within the window, that the
// actor may see.
func (s *Service) Find(ctx context.Context, actor access.Actor, q Query, lang i18n.Lang) ([]Candidate, error) {
	if q.Radius <= 0 {
		q.Radius = DefaultRadius
	}
	if q.Window <= 0 {
		q.Window = DefaultWindow
	}
	if q.At.IsZero() {
		q.At = s.now()
	}
	words := bigrams(q.Text)
	if len(words) == 0 {
		return nil, nil
	}
	area := q.DivisionCode
	if area == "" && q.Lat != nil && q.Lon != nil {
		if d, ok := division.Locate(*q.Lat, *q.Lon); ok {
			area = d.Code
		}
	}
	if area == "" {
		if p, ok := division.FromText(q.Text); ok && !p.Ambiguous {
			area = p.Division.Code
		}
	}
	args := []any{q.At.Add(-q.Window).UnixMicro()}
	where := []string{"c.state IN (" + openStates + ")", "c.received_at >= $1"}
	var place []string
	if area != "" {
		// The district's codes, as a range an index can read.
		lo := area[:min(len(area), 6)]
		hi := lo[:len(lo)-1] + string(lo[len(lo)-1]+1)
		args = append(args, lo, hi)
		place = append(place, fmt.Sprintf("(c.division_code >= $%d AND c.division_code < $%d)", len(args)-1, len(args)))
	}
	if q.Lat != nil && q.Lon != nil {
		dLat := q.Radius / 111_000
		dLon := dLat / math.Cos(*q.Lat*math.Pi/180)
		args = append(args, *q.Lat-dLat, *q.Lat+dLat, *q.Lon-dLon, *q.Lon+dLon)
		n := len(args)
		place = append(place, fmt.Sprintf("(c.lat BETWEEN $%d AND $%d AND c.lon BETWEEN $%d AND $%d)", n-3, n-2, n-1, n))
	}
	if len(place) == 0 {
		return nil, nil // nowhere to look: a repeat must be about the same place
	}
	where = append(where, "("+strings.Join(place, " OR ")+")")
	if !actor.Scope.All && !actor.System {
		if len(actor.Scope.Units) == 0 {
			return nil, nil
		}
		ph := make([]string, len(actor.Scope.Units))
		for i, u := range actor.Scope.Units {
			args = append(args, u)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, "EXISTS (SELECT 1 FROM case_units cu WHERE cu.case_id = c.id AND cu.unit_id IN ("+strings.Join(ph, ", ")+"))")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.number, c.title, c.address, COALESCE(c.division_code, ''), c.lat, c.lon,
		COALESCE(c.category_id, 0), c.received_at FROM cases c WHERE `+strings.Join(where, " AND ")+` ORDER BY c.id DESC LIMIT 5000`, args...)
	if err != nil {
		return nil, fmt.Errorf("find repeats: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		var title, address, div string
		var lat, lon sql.NullFloat64
		var cat, received int64
		if err := rows.Scan(&c.CaseID, &c.Number, &title, &address, &div, &lat, &lon, &cat, &received); err != nil {
			return nil, err
		}
		c.Title = title
		c.Text = overlap(words, bigrams(title+" "+address))
		score := c.Text
		var reasons []string
		if c.Text >= 0.2 {
			reasons = append(reasons, msgWords.Format(lang, int(math.Round(100*c.Text))))
		}
		switch {
		case q.Lat != nil && q.Lon != nil && lat.Valid && lon.Valid:
			m := metres(*q.Lat, *q.Lon, lat.Float64, lon.Float64)
			c.Meters = &m
			if m <= q.Radius {
				score += 0.25 * (1 - m/q.Radius)
				reasons = append(reasons, msgNear.Format(lang, int(math.Round(m))))
			}
		case area != "" && div != "" && strings.HasPrefix(div, area):
			score += 0.1
			if d, ok := division.ByCode(area); ok {
				reasons = append(reasons, msgSameArea.Format(lang, d.Name))
			}
		}
		if q.CategoryID != 0 && cat == q.CategoryID {
			score += 0.1
			reasons = append(reasons, msgSameCategory.Format(lang))
		}
		c.Score = math.Min(1, score)
		if c.Score < MinScore || c.Text < 0.15 {
			continue
		}
		c.Received = time.UnixMicro(received).Format(time.RFC3339)
		c.Reasons = reasons
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return int(b.CaseID - a.CaseID)
	})
	return out[:min(len(out), MaxCandidates)], nil
}

var (
	msgWords        = i18n.M("内容相似度 %d%%", "words %d%% alike")
	msgNear         = i18n.M("相距 %d 米", "%d m apart")
	msgSameArea     = i18n.M("同在%s", "both in %s")
	msgSameCategory = i18n.M("分类相同", "same category")
)

// bigrams are the distinct pairs of adjacent letters of a text (Chinese
// characters, letters, digits), the unit of comparison that survives
// rewording: 噪音扰民 and 噪声扰民 share 扰民.
func bigrams(s string) map[string]bool {
	out := map[string]bool{}
	var prev rune
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			prev = 0
			continue
		}
		r = unicode.ToLower(r)
		if prev != 0 {
			out[string([]rune{prev, r})] = true
		}
		prev = r
	}
	return out
}

// overlap is the share of the smaller set found in the larger: a case's
// title is short, a new report long, and the title's words appearing in
// the report is what matters.
func overlap(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	small, large := a, b
	if len(small) > len(large) {
		small, large = large, small
	}
	n := 0
	for w := range small {
		if large[w] {
			n++
		}
	}
	return float64(n) / float64(len(small))
}

// metres between two WGS-84 points (haversine).
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6_371_000
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := (lat2-lat1)*math.Pi/180, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
