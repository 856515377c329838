package casework

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// The 积案 (backlog) registry: petitions unresolved past their statutory
// limit. A petition falls into the backlog when its limit (the handling
// deadline once dispatched, extensions included; the acceptance deadline
// before) passes while it is neither closed nor rejected, and leaves it
// when it is. The figures of a period, as the city tracks them
// (减存量、控增量、防变量):
//
//   - 存量 stock: in the backlog at the end of the period;
//   - 增量 inflow: fell into the backlog during the period;
//   - 变量 risk: open at the end of the period, not yet in the backlog,
//     and likely to be — past its warning share of the time, reported more
//     than once, repeated by its petitioner about the same matter, or
//     brought by several petitioners.
//
// Limits and warning times are those the cases have now (a suspension
// moves them on), so a past month's figures are recomputed with what is
// known today.

// Figure names one number of the registry.
type Figure string

const (
	Stock  Figure = "stock"  // 存量
	Inflow Figure = "inflow" // 增量
	Risk   Figure = "risk"   // 变量
)

// Figures in display order, with names.
var Figures = []struct {
	Figure Figure
	Name   i18n.Message
}{
	{Stock, i18n.M("存量", "Stock")},
	{Inflow, i18n.M("增量", "Inflow")},
	{Risk, i18n.M("变量", "At risk")},
}

// BacklogPeriod is a span of time [From, To).
type BacklogPeriod struct {
	Kind     string // month | quarter | year
	From, To time.Time
}

// Label renders the period: 2026-11, 2026-Q4, 2026.
func (p BacklogPeriod) Label(loc *time.Location) string {
	f := p.From.In(loc)
	switch p.Kind {
	case "quarter":
		return fmt.Sprintf("%d-Q%d", f.Year(), (int(f.Month())-1)/3+1)
	case "year":
		return fmt.Sprint(f.Year())
	}
	return f.Format("2006-01")
}

var msgPeriod = i18n.M("期间须为 month、quarter 或 year", "the period must be month, quarter or year")

// PeriodOf returns the month, quarter or year (kind; month when empty) that
// holds date, in loc.
func PeriodOf(kind string, date time.Time, loc *time.Location) (BacklogPeriod, error) {
	d := date.In(loc)
	y, m := d.Year(), d.Month()
	switch kind {
	case "", "month":
		f := time.Date(y, m, 1, 0, 0, 0, 0, loc)
		return BacklogPeriod{"month", f, f.AddDate(0, 1, 0)}, nil
	case "quarter":
		f := time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, loc)
		return BacklogPeriod{"quarter", f, f.AddDate(0, 3, 0)}, nil
	case "year":
		f := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return BacklogPeriod{"year", f, f.AddDate(1, 0, 0)}, nil
	}
	return BacklogPeriod{}, fault.InvalidField("period", msgPeriod)
}

// TrendPoint is one month of the trend.
type TrendPoint struct {
	Month  string `json:"month"`  // 2026-11
	Stock  int    `json:"stock"`  // at the end of the month (or now, for this month)
	Inflow int    `json:"inflow"` // fell into the backlog during the month
}

// Backlog is the registry's figures for a period.
type Backlog struct {
	Period BacklogPeriod
	At     time.Time // the end of the period, or now if sooner
	Stock  int
	Inflow int
	Risk   int
	// Trend is the last 12 months up to the period's end, oldest first.
	Trend []TrendPoint
}

var msgBacklogRole = i18n.M("信访积案台账仅供督办员和领导查看", "the petition backlog is for supervisors and leaders")

func mayReadBacklog(a access.Actor) error {
	if a.System || a.HasAny(access.Supervisor, access.Leader) {
		return nil
	}
	return fault.New(fault.Forbidden, "forbidden", msgBacklogRole)
}

// scopeCond limits a query to the cases actor may see (an EXISTS over the
// units involved); it appends its arguments to args.
func scopeCond(actor access.Actor, args *[]any) (string, bool) {
	if actor.System || actor.Scope.All {
		return "", true
	}
	if len(actor.Scope.Units) == 0 {
		return "", false
	}
	ph := make([]string, len(actor.Scope.Units))
	for i, u := range actor.Scope.Units {
		*args = append(*args, u)
		ph[i] = fmt.Sprintf("$%d", len(*args))
	}
	return " AND EXISTS (SELECT 1 FROM case_units cu WHERE cu.case_id = c.id AND cu.unit_id IN (" + strings.Join(ph, ", ") + "))", true
}

// backlogFrom is the petitions of the petition family, joined to their
// cases.
const backlogFrom = ` FROM petitions p JOIN cases c ON c.id = p.case_id
	JOIN natures n ON n.code = c.nature AND n.family = 'petition' WHERE 1 = 1`

// riskCond is 变量 at $at: open, not in the backlog, and at risk.
func riskCond(at int) string {
	a := fmt.Sprintf("$%d", at)
	return ` AND c.received_at < ` + a + ` AND (p.resolved_at IS NULL OR p.resolved_at >= ` + a + `)
		AND (p.limit_at IS NULL OR p.limit_at >= ` + a + `)
		AND (p.warn_at < ` + a + ` OR c.report_count > 1 OR p.same_matter_no > 1 OR p.petitioners > 1)`
}

// Backlog computes the registry's figures for period over the cases actor
// may see, with the trend of the 12 months up to it.
func (s *Service) Backlog(ctx context.Context, actor access.Actor, period BacklogPeriod) (Backlog, error) {
	if err := mayReadBacklog(actor); err != nil {
		return Backlog{}, err
	}
	loc := s.cfg.Location
	b := Backlog{Period: period, At: period.To}
	if now := s.now(); now.Before(b.At) {
		b.At = now
	}
	first := time.Date(period.To.In(loc).Year(), period.To.In(loc).Month()-12, 1, 0, 0, 0, 0, loc)
	var months []monthSpan
	for f := first; f.Before(period.To); f = f.AddDate(0, 1, 0) {
		months = append(months, monthSpan{f, minTime(f.AddDate(0, 1, 0), b.At)})
	}
	// Every petition that ever fell into the backlog before the end and
	// was still there after the first month began.
	args := []any{b.At.UnixMicro(), first.UnixMicro()}
	scope, ok := scopeCond(actor, &args)
	if !ok {
		b.Trend = trendOf(months, nil, loc)
		return b, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.limit_at, p.resolved_at`+backlogFrom+`
		AND p.limit_at < $1 AND (p.resolved_at IS NULL OR (p.resolved_at > p.limit_at AND p.resolved_at >= $2))`+scope, args...)
	if err != nil {
		return Backlog{}, fmt.Errorf("backlog: %w", err)
	}
	var spans []span
	for rows.Next() {
		var lim int64
		var res sql.NullInt64
		if err := rows.Scan(&lim, &res); err != nil {
			rows.Close()
			return Backlog{}, fmt.Errorf("backlog: %w", err)
		}
		spans = append(spans, span{time.UnixMicro(lim), db.Time(res)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Backlog{}, err
	}
	b.Trend = trendOf(months, spans, loc)
	for _, sp := range spans {
		if sp.inBacklog(b.At) {
			b.Stock++
		}
		if sp.fellIn(period.From, b.At) {
			b.Inflow++
		}
	}
	args = []any{b.At.UnixMicro()}
	scope, _ = scopeCond(actor, &args)
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+backlogFrom+riskCond(1)+scope, args...).Scan(&b.Risk); err != nil {
		return Backlog{}, fmt.Errorf("backlog risk: %w", err)
	}
	return b, nil
}

// span is the time a petition spent in the backlog: from its limit until
// it was resolved (zero: still open).
type span struct{ limit, resolved time.Time }

// inBacklog reports whether the petition was in the backlog at t.
func (s span) inBacklog(t time.Time) bool {
	return s.limit.Before(t) && (s.resolved.IsZero() || !s.resolved.Before(t))
}

// fellIn reports whether the petition fell into the backlog in [from, to).
func (s span) fellIn(from, to time.Time) bool {
	return !s.limit.Before(from) && s.limit.Before(to) && (s.resolved.IsZero() || s.resolved.After(s.limit))
}

// monthSpan is one month of the trend, cut at now.
type monthSpan struct{ from, to time.Time }

func trendOf(months []monthSpan, spans []span, loc *time.Location) []TrendPoint {
	out := make([]TrendPoint, 0, len(months))
	for _, m := range months {
		p := TrendPoint{Month: m.from.In(loc).Format("2006-01")}
		for _, sp := range spans {
			if sp.inBacklog(m.to) {
				p.Stock++
			}
			if sp.fellIn(m.from, m.to) {
				p.Inflow++
			}
		}
		out = append(out, p)
	}
	return out
}

// BacklogCase is one case behind a figure, with why it counts.
type BacklogCase struct {
	CaseID  int64
	LimitAt time.Time
	Reasons []RiskReason // 变量 only
}

// RiskReason says why a petition is at risk.
type RiskReason string

const (
	RiskNearLimit   RiskReason = "near_limit"  // past the warning share of its time
	RiskRepeated    RiskReason = "repeated"    // reported more than once
	RiskSameMatter  RiskReason = "same_matter" // the petitioner came back about the matter
	RiskPetitioners RiskReason = "petitioners" // several petitioners
)

// RiskReasons names the reasons.
var RiskReasons = map[RiskReason]i18n.Message{
	RiskNearLimit:   i18n.M("临近法定期限", "close to the statutory limit"),
	RiskRepeated:    i18n.M("多次来件", "reported repeatedly"),
	RiskSameMatter:  i18n.M("重复信访", "repeat petition"),
	RiskPetitioners: i18n.M("多人信访", "several petitioners"),
}

var msgFigure = i18n.M("未知的台账数字：%s", "unknown figure: %s")

// BacklogCases returns the cases behind one figure of the period, most
// recent limit first, limit at a time after the case id before (0: from
// the start).
func (s *Service) BacklogCases(ctx context.Context, actor access.Actor, period BacklogPeriod, fig Figure, before int64, limit int) ([]BacklogCase, error) {
	if err := mayReadBacklog(actor); err != nil {
		return nil, err
	}
	at := period.To
	if now := s.now(); now.Before(at) {
		at = now
	}
	args := []any{at.UnixMicro()}
	var cond string
	switch fig {
	case Stock:
		cond = ` AND p.limit_at < $1 AND (p.resolved_at IS NULL OR p.resolved_at >= $1)`
	case Inflow:
		args = append(args, period.From.UnixMicro())
		cond = ` AND p.limit_at < $1 AND p.limit_at >= $2 AND (p.resolved_at IS NULL OR p.resolved_at > p.limit_at)`
	case Risk:
		cond = riskCond(1)
	default:
		return nil, fault.InvalidField("figure", msgFigure, string(fig))
	}
	if before > 0 {
		args = append(args, before)
		cond += fmt.Sprintf(" AND c.id < $%d", len(args))
	}
	scope, ok := scopeCond(actor, &args)
	if !ok {
		return nil, nil
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, p.limit_at, p.warn_at, c.report_count, p.same_matter_no, p.petitioners`+
		backlogFrom+cond+scope+fmt.Sprintf(" ORDER BY c.id DESC LIMIT $%d", len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("backlog cases: %w", err)
	}
	defer rows.Close()
	var out []BacklogCase
	for rows.Next() {
		var bc BacklogCase
		var lim, warn sql.NullInt64
		var reports, same, people int
		if err := rows.Scan(&bc.CaseID, &lim, &warn, &reports, &same, &people); err != nil {
			return nil, fmt.Errorf("backlog cases: %w", err)
		}
		bc.LimitAt = db.Time(lim)
		if fig == Risk {
			if w := db.Time(warn); !w.IsZero() && w.Before(at) {
				bc.Reasons = append(bc.Reasons, RiskNearLimit)
			}
			if reports > 1 {
				bc.Reasons = append(bc.Reasons, RiskRepeated)
			}
			if same > 1 {
				bc.Reasons = append(bc.Reasons, RiskSameMatter)
			}
			if people > 1 {
				bc.Reasons = append(bc.Reasons, RiskPetitioners)
			}
		}
		out = append(out, bc)
	}
	return out, rows.Err()
}

// ValidFigure reports whether f names a figure.
func ValidFigure(f Figure) bool {
	return slices.ContainsFunc(Figures, func(x struct {
		Figure Figure
		Name   i18n.Message
	}) bool {
		return x.Figure == f
	})
}
