package dashboard

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"pingan/internal/score"
)

// Population is the 2020 census (七普) count of residents by district,
// the denominator of the per-10,000-residents figures.
var Population = map[string]int64{
	"350203": 1073315, // 思明区
	"350205": 582519,  // 海沧区
	"350206": 1036974, // 湖里区
	"350211": 1035791, // 集美区
	"350212": 855920,  // 同安区
	"350213": 579451,  // 翔安区
}

// LitigationNature is the nature of a case that went to court (诉讼), for
// 万人成讼率.
const LitigationNature = "dispute_litigation"

// DayCount is one day's figure.
type DayCount struct {
	Day score.Day
	N   int64
	// SoFar marks today: counted up to now, not a whole day.
	SoFar bool
}

// District is one district's figures over a period.
type District struct {
	Code           string
	Population     int64
	Cases          int64
	PerTenK        float64 // cases per 10,000 residents
	Lawsuits       int64
	LawsuitsPerTen float64 // 万人成讼率
	Overdue        int64   // its open cases past their deadline now (see score.Backlog)
}

// Figures are the dashboard's numbers for a period.
type Figures struct {
	Period    score.Period
	Total     int64
	Days      []DayCount // cases received per day, every day of the period up to today
	Channels  map[string]int64
	Natures   map[string]int64
	Category  map[int64]int64 // by category id
	Districts []District
	Overdue   int64      // open cases past their deadline now (see score.Backlog)
	Backlog   []DayCount // those overdue cases by the day their deadline passed (the age of the backlog)
	Cleared   []DayCount // overdue cases reported back, every day of the period up to today (0 on a day none was)
}

// Figures reads the dashboard for a period.
func (s *Service) Figures(ctx context.Context, p score.Period) (Figures, error) {
	f := Figures{Period: p, Channels: map[string]int64{}, Natures: map[string]int64{}, Category: map[int64]int64{}}
	// The daily totals from the day rows; everything else from the month
	// rows when the period is whole months.
	cond, args := p.BucketCondition(s.loc, 4)
	rows, err := s.db.QueryContext(ctx, `SELECT day, dim, key, n FROM volume_counts
		WHERE dim = $1 AND day >= $2 AND day <= $3 AND day % 100 <> 0
		UNION ALL SELECT 0, dim, key, SUM(n) FROM volume_counts WHERE dim <> $1 AND `+cond+` GROUP BY dim, key`,
		append([]any{DimTotal, int(p.From), int(p.To)}, args...)...)
	if err != nil {
		return f, fmt.Errorf("read volumes: %w", err)
	}
	perDay := map[score.Day]int64{}
	districts := map[string]*District{}
	district := func(code string) *District {
		d, ok := districts[code]
		if !ok {
			d = &District{Code: code, Population: Population[code]}
			districts[code] = d
		}
		return d
	}
	for code := range Population {
		district(code)
	}
	for rows.Next() {
		var day int
		var dim, key string
		var n int64
		if err := rows.Scan(&day, &dim, &key, &n); err != nil {
			rows.Close()
			return f, err
		}
		switch dim {
		case DimTotal:
			perDay[score.Day(day)] += n
			f.Total += n
		case DimChannel:
			f.Channels[key] += n
		case DimNature:
			f.Natures[key] += n
		case DimCategory:
			var id int64
			fmt.Sscan(key, &id)
			f.Category[id] += n
		case DimDistrict:
			if key != "" {
				district(key).Cases += n
			}
		case DimDistrictNature:
			if code, nature, _ := strings.Cut(key, "/"); code != "" && nature == LitigationNature {
				district(code).Lawsuits += n
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	today := score.DayOf(s.now(), s.loc)
	for day := p.From; day <= p.To && day <= today; day = score.DayOf(day.Time(s.loc).AddDate(0, 0, 1), s.loc) {
		f.Days = append(f.Days, DayCount{Day: day, N: perDay[day], SoFar: day == today})
	}

	// Overdue now, by district and by the day the deadline passed: the
	// backlog counters (score.ReadBacklog says what counts).
	backlog, err := score.ReadBacklog(ctx, s.db, s.now(), s.loc)
	if err != nil {
		return f, err
	}
	f.Overdue = backlog.Total
	for code, n := range backlog.Districts {
		if code != "" {
			district(code).Overdue += n
		}
	}
	for day, n := range backlog.Days {
		f.Backlog = append(f.Backlog, DayCount{Day: day, N: n})
	}
	slices.SortFunc(f.Backlog, func(a, b DayCount) int { return int(a.Day - b.Day) })

	// Overdue cases cleared per day, from the scorecards' day counters (not
	// their month rows, YYYYMM00): every day of the period up to today, as
	// Days, since a day without a row is a day nothing was cleared.
	rows, err = s.db.QueryContext(ctx, `SELECT day, SUM(n) FROM score_counts WHERE metric = $1 AND day >= $2 AND day <= $3
		AND day % 100 <> 0 GROUP BY day`, string(score.ReportedLate), int(p.From), int(p.To))
	if err != nil {
		return f, fmt.Errorf("read cleared: %w", err)
	}
	defer rows.Close()
	cleared := map[score.Day]int64{}
	for rows.Next() {
		var day int
		var n int64
		if err := rows.Scan(&day, &n); err != nil {
			return f, fmt.Errorf("read cleared: %w", err)
		}
		cleared[score.Day(day)] = n
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("read cleared: %w", err)
	}
	for _, d := range f.Days {
		f.Cleared = append(f.Cleared, DayCount{Day: d.Day, N: cleared[d.Day], SoFar: d.SoFar})
	}
	for _, d := range districts {
		if d.Population > 0 {
			d.PerTenK = float64(d.Cases) * 10000 / float64(d.Population)
			d.LawsuitsPerTen = float64(d.Lawsuits) * 10000 / float64(d.Population)
		}
		f.Districts = append(f.Districts, *d)
	}
	slices.SortFunc(f.Districts, func(a, b District) int {
		if a.Code < b.Code {
			return -1
		}
		if a.Code > b.Code {
			return 1
		}
		return 0
	})
	return f, nil
}
