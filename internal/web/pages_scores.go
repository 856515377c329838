package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
	"pingan/internal/score"
)

// Today is the city's date, for a period not yet over.
func (v *view) Today() score.Day { return score.DayOf(v.Now, v.web.loc) }

var msgNoScores = i18n.M("考评只对领导、督办员和派遣员开放；承办人可查看本单位考评", "scorecards are open to leaders, supervisors and dispatchers; a handler sees their own unit's scorecard")

// scoreReaders may read the board of their scope.
func mayReadBoard(a access.Actor) bool {
	return a.HasAny(access.Leader, access.Supervisor, access.Dispatcher)
}

// periodOf reads the period of a scorecard request (month of today by
// default).
func (w *Web) periodOf(r *http.Request, v *view) (score.Period, string, string, error) {
	kind, date := r.URL.Query().Get("period"), r.URL.Query().Get("date")
	if kind == "" {
		kind = "month"
	}
	p, err := score.ParsePeriod(kind, date, w.loc, v.Now)
	if date == "" {
		date = v.Now.In(w.loc).Format("2006-01-02")
	}
	return p, kind, date, err
}

type scoresData struct {
	Board       score.Board
	MinAssigned int
	Indicators  []score.Indicator
	Kinds       []option
	Kind, Date  string
	Query       template.URL // period and date, encoded: links keep them

	// The page shows one peer group at a time (or all of them), chosen by a
	// tab; the export ignores this and sends the whole board.
	Tabs  []scoreTab
	Group string       // the selected tab's key
	Shown []scoreGroup // the groups the selected tab shows
}

// IndicatorName names an indicator.
func (v *view) IndicatorName(ind score.Indicator) string { return ind.Name.Format(v.Lang) }

// Pct renders a rate as a percentage, or a dash when there was nothing to
// measure.
func (v *view) Pct(r score.Rate) string {
	if !r.Valid() {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*r.Value())
}

func (w *Web) boardData(r *http.Request, v *view) (scoresData, error) {
	if !mayReadBoard(v.Actor) {
		return scoresData{}, fault.New(fault.Forbidden, "forbidden", msgNoScores)
	}
	p, kind, date, err := w.periodOf(r, v)
	if err != nil {
		return scoresData{}, err
	}
	units, err := w.app.Org.Units(r.Context())
	if err != nil {
		return scoresData{}, err
	}
	b, err := w.app.Score.Board(r.Context(), p, units, func(u org.Unit) bool { return v.Actor.Scope.Contains(u.ID) })
	if err != nil {
		return scoresData{}, err
	}
	d := scoresData{Board: b, MinAssigned: score.MinAssigned, Indicators: score.Indicators, Kind: kind, Date: date,
		Query: pageQuery(url.Values{"period": {kind}, "date": {date}})}
	for _, k := range score.PeriodKinds {
		d.Kinds = append(d.Kinds, option{Value: k.Kind, Label: k.Name.Format(v.Lang)})
	}
	return d, nil
}

func (w *Web) scores(rw http.ResponseWriter, r *http.Request, v *view) error {
	d, err := w.boardData(r, v)
	if err != nil {
		return err
	}
	pickGroup(&d, v, r.URL.Query().Get("group"))
	v.Form = r.URL.Query()
	v.Title, v.Active, v.Data = v.T("scores.title"), "scores", d
	return w.render(rw, r, v, "scores", http.StatusOK)
}

// allGroups is the key of the tab that shows every peer group.
const allGroups = "all"

// scoreTab is one tab of the board: a peer group, or every group.
type scoreTab struct {
	Key           string
	Label         string
	Href          template.URL
	Ranked, Total int // units ranked, units on the board
}

// scoreGroup is a peer group as the page shows it: the ranked units in
// the table, the units with too few cases to rank folded away below.
type scoreGroup struct {
	Kind             org.Kind
	Level            org.Level
	Ranked, Unranked []score.Row
}

// Total is how many units of the group the board lists.
func (g scoreGroup) Total() int { return len(g.Ranked) + len(g.Unranked) }

// groupKey names a peer group in the URL.
func groupKey(g score.Group) string { return string(g.Kind) + "-" + string(g.Level) }

// pickGroup builds the tabs of the board and keeps the groups the tab
// chosen by key shows. An unknown key, like none, selects the group with
// the most ranked units (the first of them; else the first group), as the
// queue does with tabs.
func pickGroup(d *scoresData, v *view, key string) {
	if len(d.Board.Groups) == 0 {
		return
	}
	href := func(key string) template.URL {
		return template.URL("/scores?" + string(d.Query) + "&group=" + url.QueryEscape(key))
	}
	groups := make([]scoreGroup, len(d.Board.Groups))
	keys := make([]string, len(d.Board.Groups))
	all := scoreTab{Key: allGroups, Label: v.T("scores.all_groups"), Href: href(allGroups)}
	pick, def := -1, -1
	for i, g := range d.Board.Groups {
		sg := scoreGroup{Kind: g.Kind, Level: g.Level}
		for _, row := range g.Rows {
			if row.Ranked {
				sg.Ranked = append(sg.Ranked, row)
			} else {
				sg.Unranked = append(sg.Unranked, row)
			}
		}
		groups[i] = sg
		k := groupKey(g)
		keys[i] = k
		if len(sg.Ranked) > 0 || k == key {
			// A group none of whose units is ranked has no tab of its own
			// (its units are under 全部, unranked), unless it is asked for.
			d.Tabs = append(d.Tabs, scoreTab{Key: k, Label: v.KindName(g.Kind) + " · " + v.LevelName(g.Level), Href: href(k),
				Ranked: len(sg.Ranked), Total: len(g.Rows)})
		}
		all.Ranked += len(sg.Ranked)
		all.Total += len(g.Rows)
		if len(sg.Ranked) > 0 && (def < 0 || len(sg.Ranked) > len(groups[def].Ranked)) {
			def = i
		}
		if k == key {
			pick = i
		}
	}
	d.Tabs = append(d.Tabs, all)
	switch {
	case key == allGroups:
		d.Group, d.Shown = allGroups, groups
		return
	case pick < 0:
		pick = max(def, 0)
	}
	d.Group, d.Shown = keys[pick], groups[pick:pick+1]
}

// scoresExport sends the board as CSV or XLSX; audited like every export.
func (w *Web) scoresExport(rw http.ResponseWriter, r *http.Request, v *view) error {
	d, err := w.boardData(r, v)
	if err != nil {
		return err
	}
	t := table{Sheet: v.T("scores.title"), Header: []string{v.T("scores.group"), v.T("field.unit"), v.T("scores.rank"),
		v.T("scores.list"), v.T("scores.composite")}}
	for _, ind := range d.Indicators {
		t.Header = append(t.Header, v.IndicatorName(ind), v.T("scores.num_den_of", v.IndicatorName(ind)))
	}
	t.Header = append(t.Header, v.T("scores.assigned"), v.T("scores.orders"), v.T("scores.backlog"), v.T("scores.cleared"))
	for _, g := range d.Board.Groups {
		for _, row := range g.Rows {
			rec := []any{v.KindName(g.Kind) + " · " + v.LevelName(g.Level), row.Unit.Name, nil, v.ListName(row.List), nil}
			if row.Ranked {
				rec[2], rec[4] = row.Rank, math.Round(row.Score*10)/10
			}
			for _, ind := range d.Indicators {
				rt := row.Counts.Rate(ind)
				var pct any
				if rt.Valid() {
					pct = math.Round(1000*rt.Value()) / 10
				}
				rec = append(rec, pct, fmt.Sprintf("%d/%d", rt.Num, rt.Den))
			}
			t.Rows = append(t.Rows, append(rec, row.Counts[score.Assigned], row.Orders, row.Backlog, row.Counts[score.ReportedLate]))
		}
	}
	if err := w.app.Cases.RecordAudit(r.Context(), v.Actor, "score.export", "score_board", d.Board.Period.From.String(),
		map[string]any{"query": r.URL.RawQuery, "rows": len(t.Rows)}); err != nil {
		return err
	}
	return writeTable(rw, r, fmt.Sprintf("pingan-scores-%s-%s", d.Board.Period.From, d.Board.Period.To), t)
}

// WeightsText says how the composite is weighed.
func (v *view) WeightsText(weights map[string]float64) string {
	var parts []string
	for _, ind := range score.Indicators {
		if w := weights[ind.Key]; w > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", v.IndicatorName(ind), strconv.FormatFloat(w, 'f', -1, 64)))
		}
	}
	return v.T("scores.weights", strings.Join(parts, " · "))
}

// ListName names the red or black list.
func (v *view) ListName(list string) string {
	switch list {
	case "red":
		return v.T("scores.red")
	case "black":
		return v.T("scores.black")
	}
	return ""
}

type unitScoreData struct {
	Weights    map[string]float64
	Unit       org.Unit
	Row        score.Row
	Ranked     bool
	Indicators []score.Indicator
	Metrics    []score.Metric
	Kinds      []option
	Kind, Date string
	Query      template.URL // period and date, encoded: links keep them
}

// MetricName names a count.
func (v *view) MetricName(m score.Metric) string { return v.T("metric." + string(m)) }

// unitScore is one unit's scorecard, every number linking to its cases.
func (w *Web) unitScore(rw http.ResponseWriter, r *http.Request, v *view) error {
	u, err := w.scoredUnit(r, v)
	if err != nil {
		return err
	}
	p, kind, date, err := w.periodOf(r, v)
	if err != nil {
		return err
	}
	units, err := w.app.Org.Units(r.Context())
	if err != nil {
		return err
	}
	// The unit's row, ranked among its peers in the whole city.
	b, err := w.app.Score.Board(r.Context(), p, units, func(x org.Unit) bool { return x.Kind == u.Kind && x.Level == u.Level })
	if err != nil {
		return err
	}
	d := unitScoreData{Weights: b.Weights, Unit: u, Row: score.Row{Unit: u, Counts: score.Counts{}}, Indicators: score.Indicators,
		Metrics: score.Metrics, Kind: kind, Date: date, Query: pageQuery(url.Values{"period": {kind}, "date": {date}})}
	for _, g := range b.Groups {
		for _, row := range g.Rows {
			if row.Unit.ID == u.ID {
				d.Row = row
			}
		}
	}
	for _, k := range score.PeriodKinds {
		d.Kinds = append(d.Kinds, option{Value: k.Kind, Label: k.Name.Format(v.Lang)})
	}
	v.Form = r.URL.Query()
	v.Title, v.Active, v.Data = u.Name+" · "+v.T("scores.title"), "scores", d
	return w.render(rw, r, v, "score_unit", http.StatusOK)
}

// scoredUnit is the unit of a scorecard URL, if the user may see it: a
// board reader within their scope, or a handler for their own unit.
func (w *Web) scoredUnit(r *http.Request, v *view) (org.Unit, error) {
	id, _ := strconv.ParseInt(r.PathValue("unit"), 10, 64)
	u, err := w.app.Org.Unit(r.Context(), w.app.DB, id)
	if err != nil {
		return org.Unit{}, err
	}
	ok := mayReadBoard(v.Actor) && v.Actor.Scope.Contains(u.ID) || v.Actor.Has(access.Handler) && v.Actor.UnitID == u.ID
	if !ok {
		return org.Unit{}, fault.NotFoundf(i18n.M("单位", "unit"), id)
	}
	return u, nil
}

type scoreCasesData struct {
	Unit       org.Unit
	Metric     score.Metric
	Period     score.Period
	Cases      []casework.Case
	Next       int64
	Query      template.URL // metric, period and date, encoded
	Kind, Date string
}

// scoreCases lists the cases behind one number of a scorecard.
func (w *Web) scoreCases(rw http.ResponseWriter, r *http.Request, v *view) error {
	u, err := w.scoredUnit(r, v)
	if err != nil {
		return err
	}
	p, kind, date, err := w.periodOf(r, v)
	if err != nil {
		return err
	}
	m := score.Metric(r.URL.Query().Get("metric"))
	if !slices.Contains(score.Metrics, m) {
		return fault.InvalidField("metric", fault.BadValue, string(m))
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	const pageSize = 50
	ids, err := w.app.Score.Cases(r.Context(), u.ID, m, p, before, pageSize)
	if err != nil {
		return err
	}
	d := scoreCasesData{Unit: u, Metric: m, Period: p, Kind: kind, Date: date}
	if len(ids) > 0 {
		page, err := w.app.Cases.List(r.Context(), v.Actor, casework.Filter{IDs: ids, Limit: pageSize})
		if err != nil {
			return err
		}
		d.Cases = page.Cases
	}
	if len(ids) == pageSize {
		d.Next = ids[len(ids)-1]
	}
	d.Query = pageQuery(url.Values{"period": {kind}, "date": {date}, "metric": {string(m)}})
	v.Title, v.Active, v.Data = u.Name+" · "+v.MetricName(m), "scores", d
	return w.render(rw, r, v, "score_cases", http.StatusOK)
}

// scoreCasesExport sends every case behind one number (up to exportMax) as
// CSV or Excel; audited like every export.
func (w *Web) scoreCasesExport(rw http.ResponseWriter, r *http.Request, v *view) error {
	u, err := w.scoredUnit(r, v)
	if err != nil {
		return err
	}
	p, _, _, err := w.periodOf(r, v)
	if err != nil {
		return err
	}
	m := score.Metric(r.URL.Query().Get("metric"))
	if !slices.Contains(score.Metrics, m) {
		return fault.InvalidField("metric", fault.BadValue, string(m))
	}
	var cases []casework.Case
	var before int64
	for len(cases) < exportMax {
		ids, err := w.app.Score.Cases(r.Context(), u.ID, m, p, before, 200)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		page, err := w.app.Cases.List(r.Context(), v.Actor, casework.Filter{IDs: ids, Limit: 200})
		if err != nil {
			return err
		}
		cases = append(cases, page.Cases...)
		before = ids[len(ids)-1]
	}
	if err := w.app.Cases.RecordExport(r.Context(), v.Actor, r.URL.RawQuery, len(cases)); err != nil {
		return err
	}
	t := casesTable(v, w.loc, cases)
	t.Sheet = u.Name
	return writeTable(rw, r, fmt.Sprintf("pingan-%s-%s-%s", m, p.From, p.To), t)
}

type weightsData struct {
	Indicators []score.Indicator
	Weights    map[string]float64
}

// Weight is the weight of an indicator in the form.
func (d weightsData) Weight(key string) string {
	return strconv.FormatFloat(d.Weights[key], 'f', -1, 64)
}

func (w *Web) adminWeights(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireAny(v, access.SysAdmin); err != nil {
		return err
	}
	ws, err := w.app.Score.Weights(r.Context())
	if err != nil {
		return err
	}
	v.Title, v.Active, v.Data = v.T("admin.weights"), "admin", weightsData{Indicators: score.Indicators, Weights: ws}
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "admin_weights", status)
}

func (w *Web) adminSetWeights(rw http.ResponseWriter, r *http.Request, v *view) error {
	ws := map[string]float64{}
	var err error
	for _, ind := range score.Indicators {
		s := r.PostFormValue("weight_" + ind.Key)
		if s == "" {
			continue
		}
		x, perr := strconv.ParseFloat(s, 64)
		if perr != nil {
			err = fault.InvalidField("weight_"+ind.Key, fault.BadFormat, s)
			break
		}
		ws[ind.Key] = x
	}
	if err == nil {
		err = w.app.Score.SetWeights(r.Context(), v.Actor, ws)
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminWeights)
	}
	return redirect(rw, r, "/admin/weights", "admin.saved")
}

type reportData struct {
	Month      string
	Board      score.Board
	City       score.Counts // every unit's counts summed
	Indicators []score.Indicator
	Figures    dashView
	Orders     []score.Row // the units that received the most supervision orders
	Query      template.URL
	Kinds      []option
	Kind, Date string
}

// monthlyReport is the monthly 通报: the city's figures, each peer group's
// red and black lists, the units most supervised, the hot categories and
// the districts — a page made to be printed.
func (w *Web) monthlyReport(rw http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	q.Set("period", "month")
	r.URL.RawQuery = q.Encode()
	d, err := w.boardData(r, v)
	if err != nil {
		return err
	}
	dv, _, err := w.dashboardView(r, v)
	if err != nil && fault.KindOf(err) != fault.Forbidden {
		return err
	}
	rd := reportData{Board: d.Board, City: score.Counts{}, Indicators: score.Indicators, Figures: dv,
		Month: d.Board.Period.From.Time(w.loc).Format("2006-01"), Query: d.Query, Kinds: d.Kinds, Kind: d.Kind, Date: d.Date}
	for _, g := range d.Board.Groups {
		for _, row := range g.Rows {
			for m, n := range row.Counts {
				rd.City[m] += n
			}
			if row.Orders > 0 {
				rd.Orders = append(rd.Orders, row)
			}
		}
	}
	slices.SortFunc(rd.Orders, func(a, b score.Row) int { return int(b.Orders - a.Orders) })
	rd.Orders = rd.Orders[:min(len(rd.Orders), 10)]
	v.Title, v.Active, v.Data = v.T("report.title", rd.Month), "scores", rd
	return w.render(rw, r, v, "score_report", http.StatusOK)
}
