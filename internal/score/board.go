package score

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// MinAssigned is how many cases a unit must have been given in a period to
// be ranked: below it a rate says more about chance than about the unit.
const MinAssigned = 5

// ListSize is the length of the red list (best) and the black list (worst)
// of each peer group, at most half the ranked units of the group.
const ListSize = 5

// Row is one unit's scorecard for a period.
type Row struct {
	Unit     org.Unit
	Counts   Counts
	Orders   int64 // supervision orders the unit received
	Backlog  int64 // its open cases past their deadline now (积案 stock; see backlog.go)
	Score    float64
	Ranked   bool   // enough cases to rank
	Rank     int    // 1 = best within its peers; 0 when not ranked
	OfRanked int    // how many peers are ranked
	List     string // "red", "black" or ""
}

// Rate is one indicator of the row.
func (r Row) Rate(key string) Rate {
	ind, _ := IndicatorByKey(key)
	return r.Counts.Rate(ind)
}

// Group is the units of one kind and level: they are ranked against each
// other.
type Group struct {
	Kind  org.Kind
	Level org.Level
	Rows  []Row
}

// Board is the ranking for a period.
type Board struct {
	Period  Period
	Weights map[string]float64
	Groups  []Group
}

// Board ranks units over a period. Units outside keep (when keep is not
// nil) are left out: a user sees the units of their scope.
func (s *Service) Board(ctx context.Context, p Period, units []org.Unit, keep func(org.Unit) bool) (Board, error) {
	weights, err := s.Weights(ctx)
	if err != nil {
		return Board{}, err
	}
	counts, err := s.Counts(ctx, p)
	if err != nil {
		return Board{}, err
	}
	orders, err := s.orders(ctx, p)
	if err != nil {
		return Board{}, err
	}
	backlog, err := s.Backlog(ctx)
	if err != nil {
		return Board{}, err
	}
	b := Board{Period: p, Weights: weights}
	groups := map[string]*Group{}
	var order []string
	for _, u := range units {
		if !u.Active() || keep != nil && !keep(u) {
			continue
		}
		c := counts[u.ID]
		if c == nil {
			c = Counts{}
		}
		row := Row{Unit: u, Counts: c, Orders: orders[u.ID], Backlog: backlog[u.ID]}
		row.Score, row.Ranked = c.Composite(weights)
		row.Ranked = row.Ranked && c[Assigned] >= MinAssigned
		if c[Assigned] == 0 && row.Orders == 0 && row.Backlog == 0 && len(c) == 0 {
			continue // nothing happened in this unit: not a row of the board
		}
		key := string(u.Kind) + "/" + string(u.Level)
		g, ok := groups[key]
		if !ok {
			g = &Group{Kind: u.Kind, Level: u.Level}
			groups[key] = g
			order = append(order, key)
		}
		g.Rows = append(g.Rows, row)
	}
	for _, key := range order {
		g := groups[key]
		rank(g.Rows)
		b.Groups = append(b.Groups, *g)
	}
	// Peer groups in the order of the organisation's kinds, then from the
	// city down.
	slices.SortStableFunc(b.Groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(org.KindIndex(a.Kind), org.KindIndex(b.Kind)), cmp.Compare(org.LevelIndex(a.Level), org.LevelIndex(b.Level)))
	})
	return b, nil
}

// rank orders a peer group by its published score (one decimal; ranked
// units first, best first; among equal scores by more cases, then by code,
// which orders the table and nothing else) and marks the red and black
// lists. Equal scores share a rank (1, 2, 2, 4): a published ranking
// treats them alike. The red list is the units with fewer than ListSize
// (at most half the ranked) peers above them, the black list those with as
// few below; a unit that is both — tied across the middle, or every unit
// tied — is on neither.
func rank(rows []Row) {
	published := func(r Row) float64 { return math.Round(r.Score * 10) }
	slices.SortStableFunc(rows, func(a, b Row) int {
		switch {
		case a.Ranked != b.Ranked:
			if a.Ranked {
				return -1
			}
			return 1
		case published(a) != published(b):
			if published(a) > published(b) {
				return -1
			}
			return 1
		case a.Counts[Assigned] != b.Counts[Assigned]:
			return int(b.Counts[Assigned] - a.Counts[Assigned])
		}
		return strings.Compare(a.Unit.Code, b.Unit.Code)
	})
	n := 0
	for _, r := range rows {
		if r.Ranked {
			n++
		}
	}
	list := min(ListSize, n/2)
	for i := 0; i < n; {
		j := i // rows[i:j] share a score
		for j < n && published(rows[j]) == published(rows[i]) {
			j++
		}
		red, black := i < list, n-j < list
		for k := i; k < j; k++ {
			rows[k].Rank, rows[k].OfRanked, rows[k].List = i+1, n, ""
			switch {
			case red && !black:
				rows[k].List = "red"
			case black && !red:
				rows[k].List = "black"
			}
		}
		i = j
	}
}

// orders counts the supervision orders each unit received in a period.
func (s *Service) orders(ctx context.Context, p Period) (map[int64]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT to_unit_id, COUNT(*) FROM supervision_orders
		WHERE issued_at >= $1 AND issued_at < $2 GROUP BY to_unit_id`,
		p.From.Time(s.loc).UnixMicro(), p.To.Time(s.loc).AddDate(0, 0, 1).UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("count orders: %w", err)
	}
	return scanCounts(rows)
}

type rowScanner interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}

func scanCounts(rows rowScanner) (map[int64]int64, error) {
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Periods a scorecard covers.
var PeriodKinds = []struct {
	Kind string
	Name i18n.Message
}{
	{"day", i18n.M("日", "Day")},
	{"week", i18n.M("周", "Week")},
	{"month", i18n.M("月", "Month")},
	{"quarter", i18n.M("季度", "Quarter")},
	{"year", i18n.M("年", "Year")},
}

var msgPeriod = i18n.M("期间无效：%s", "invalid period: %s")

// ParsePeriod returns the day, week (Monday to Sunday), month, quarter or
// year that contains date ("YYYY-MM-DD"; empty for today).
func ParsePeriod(kind, date string, loc *time.Location, now time.Time) (Period, error) {
	t := now.In(loc)
	if date != "" {
		var err error
		if t, err = time.ParseInLocation("2006-01-02", date, loc); err != nil {
			return Period{}, fault.InvalidField("date", msgPeriod, date)
		}
	}
	y, m, d := t.Date()
	var from, to time.Time
	switch kind {
	case "day":
		from = time.Date(y, m, d, 0, 0, 0, 0, loc)
		to = from
	case "week":
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		from = time.Date(y, m, d-wd, 0, 0, 0, 0, loc)
		to = from.AddDate(0, 0, 6)
	case "", "month":
		from = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		to = from.AddDate(0, 1, -1)
	case "quarter":
		from = time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, loc)
		to = from.AddDate(0, 3, -1)
	case "year":
		from = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		to = time.Date(y, 12, 31, 0, 0, 0, 0, loc)
	default:
		return Period{}, fault.InvalidField("period", msgPeriod, kind)
	}
	return Period{From: DayOf(from, loc), To: DayOf(to, loc)}, nil
}
