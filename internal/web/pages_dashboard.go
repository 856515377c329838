package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/dashboard"
	"pingan/internal/deadline"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/score"
)

var msgNoDashboard = i18n.M("指挥大屏供市级领导和督办员使用", "the city dashboard is for city-level leaders and supervisors")

// mayReadDashboard: leaders and supervisors who see the whole city.
func mayReadDashboard(a access.Actor) bool {
	return a.HasAny(access.Leader, access.Supervisor) && a.Scope.All
}

// dashView is the dashboard's figures as the page's script reads them,
// named in the user's language.
type dashView struct {
	Period     string       `json:"period"`
	Total      int64        `json:"total"`
	Overdue    int64        `json:"overdue"`
	Days       []dashPoint  `json:"days"`
	Channels   []dashPoint  `json:"channels"`
	Natures    []dashPoint  `json:"natures"`
	Categories []dashPoint  `json:"categories"` // top-level categories
	Hot        []dashPoint  `json:"hot"`        // the most reported categories
	Districts  []dashRegion `json:"districts"`
	Backlog    []dashPoint  `json:"backlog"` // overdue cases by the day their deadline passed
	Cleared    []dashPoint  `json:"cleared"` // overdue cases cleared per day
	Labels     dashLabels   `json:"labels"`

	// The search that lists the cases each figure counts: a figure links
	// to exactly its cases, or to nothing.
	TotalLink   string `json:"total_link"`
	OverdueLink string `json:"overdue_link"`
}

type dashPoint struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
	Link  string `json:"link,omitempty"`
	// SoFar marks a day still under way (today), which the chart must not
	// show as a fall.
	SoFar bool `json:"so_far,omitempty"`
}

type dashRegion struct {
	Code           string  `json:"code"`
	Name           string  `json:"name"`
	Population     int64   `json:"population"`
	Cases          int64   `json:"cases"`
	PerTenK        float64 `json:"per10k"`
	Lawsuits       int64   `json:"lawsuits"`
	LawsuitsPerTen float64 `json:"lawsuits_per10k"`
	Overdue        int64   `json:"overdue"`
	// The cases behind its cases, its lawsuits and its overdue cases.
	CasesLink    string `json:"cases_link"`
	LawsuitsLink string `json:"lawsuits_link"`
	OverdueLink  string `json:"overdue_link"`
}

type dashLabels struct {
	SoFar      string            `json:"so_far"` // before today's count: "今日截至 14:05："
	Backlog    string            `json:"backlog"`
	Cleared    string            `json:"cleared"`
	Indicators map[string]string `json:"indicators"`
}

func (w *Web) dashboardView(r *http.Request, v *view) (dashView, score.Period, error) {
	if !mayReadDashboard(v.Actor) {
		return dashView{}, score.Period{}, fault.New(fault.Forbidden, "forbidden", msgNoDashboard)
	}
	p, _, _, err := w.periodOf(r, v)
	if err != nil {
		return dashView{}, p, err
	}
	f, err := w.app.Dashboard.Figures(r.Context(), p)
	if err != nil {
		return dashView{}, p, err
	}
	n := v.names()
	d := dashView{Period: p.From.String() + " — " + p.To.String(), Total: f.Total, Overdue: f.Overdue,
		Labels: dashLabels{SoFar: v.T("dash.so_far", v.Now.In(w.loc).Format("15:04")), Backlog: v.T("dash.backlog"), Cleared: v.T("dash.cleared"), Indicators: map[string]string{"cases": v.T("dash.cases"), "per10k": v.T("dash.per10k"),
			"lawsuits_per10k": v.T("dash.lawsuits_per10k"), "overdue": v.T("dash.overdue")}}}
	// A figure of the period opens the search of its cases received in it;
	// the overdue figures are of now, whenever received (score.ReadBacklog
	// counts what the search's red status finds).
	from, to := p.From.String(), p.To.String()
	search := func(extra url.Values) string {
		if extra.Get("from") == "" {
			extra.Set("from", from)
			extra.Set("to", to)
		}
		return "/search?" + extra.Encode()
	}
	overdue := func(extra url.Values) string {
		extra.Set("status", string(deadline.Red))
		extra.Set("sort", "due")
		return "/search?" + extra.Encode()
	}
	d.TotalLink, d.OverdueLink = search(url.Values{}), overdue(url.Values{})
	for _, day := range f.Days {
		d.Days = append(d.Days, dashPoint{Name: day.Day.String(), Value: day.N, SoFar: day.SoFar,
			Link: search(url.Values{"from": {day.Day.String()}, "to": {day.Day.String()}})})
	}
	for _, x := range sortedCounts(f.Channels) {
		d.Channels = append(d.Channels, dashPoint{Name: v.ChannelName(casework.Channel(x.key)), Value: x.n,
			Link: search(url.Values{"channel": {x.key}})})
	}
	// Cases with no nature or category cannot be searched for: their
	// figures open nothing rather than every case.
	for _, x := range sortedCounts(f.Natures) {
		pt := dashPoint{Name: v.T("dash.unset"), Value: x.n}
		if x.key != "" {
			pt.Name, pt.Link = v.NatureName(x.key), search(url.Values{"nature": {x.key}})
		}
		d.Natures = append(d.Natures, pt)
	}
	roots := map[string]int64{}
	leaves := map[string]int64{}
	for id, c := range f.Category {
		cat, ok := n.Cats[id]
		if !ok {
			roots[""] += c
			continue
		}
		leaves[strconv.FormatInt(id, 10)] += c
		for cat.ParentID != 0 {
			parent, ok := n.Cats[cat.ParentID]
			if !ok {
				break
			}
			cat = parent
		}
		roots[strconv.FormatInt(cat.ID, 10)] += c
	}
	// The search by a category finds it and every category under it (by
	// code): a figure links there only when that is what it counted — not
	// a category some of whose cases were classified below it.
	category := func(id, count int64) string {
		cat, ok := n.Cats[id]
		if !ok {
			return ""
		}
		var found int64
		for sub, c := range f.Category {
			if s, ok := n.Cats[sub]; ok && strings.HasPrefix(s.Code, cat.Code) {
				found += c
			}
		}
		if found != count {
			return ""
		}
		return search(url.Values{"category_id": {strconv.FormatInt(id, 10)}})
	}
	for _, x := range sortedCounts(roots) {
		id, _ := strconv.ParseInt(x.key, 10, 64)
		pt := dashPoint{Name: v.T("dash.unset"), Value: x.n}
		if id != 0 {
			pt.Name, pt.Link = n.Cats[id].Label(v.Lang), category(id, x.n)
		}
		d.Categories = append(d.Categories, pt)
	}
	for i, x := range sortedCounts(leaves) {
		if i == 10 {
			break
		}
		id, _ := strconv.ParseInt(x.key, 10, 64)
		d.Hot = append(d.Hot, dashPoint{Name: n.CategoryPath(id, v.Lang), Value: x.n, Link: category(id, x.n)})
	}
	for _, reg := range f.Districts {
		name := reg.Code
		if div, ok := division.ByCode(reg.Code); ok {
			name = div.Name
		}
		d.Districts = append(d.Districts, dashRegion{Code: reg.Code, Name: name, Population: reg.Population, Cases: reg.Cases,
			PerTenK: reg.PerTenK, Lawsuits: reg.Lawsuits, LawsuitsPerTen: reg.LawsuitsPerTen, Overdue: reg.Overdue,
			CasesLink:    search(url.Values{"division": {reg.Code}}),
			LawsuitsLink: search(url.Values{"division": {reg.Code}, "nature": {dashboard.LitigationNature}}),
			OverdueLink:  overdue(url.Values{"division": {reg.Code}})})
	}
	for _, b := range f.Backlog {
		d.Backlog = append(d.Backlog, dashPoint{Name: b.Day.String(), Value: b.N})
	}
	for _, c := range f.Cleared {
		d.Cleared = append(d.Cleared, dashPoint{Name: c.Day.String(), Value: c.N})
	}
	return d, p, nil
}

type countKey struct {
	key string
	n   int64
}

// sortedCounts orders counts largest first (then by key).
func sortedCounts[K comparable](m map[K]int64) []countKey {
	out := make([]countKey, 0, len(m))
	for k, n := range m {
		if n != 0 {
			out = append(out, countKey{key: toString(k), n: n})
		}
	}
	slices.SortFunc(out, func(a, b countKey) int {
		if a.n != b.n {
			return int(b.n - a.n)
		}
		if a.key < b.key {
			return -1
		}
		return 1
	})
	return out
}

func toString(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

type dashboardData struct {
	JSON       string // the figures, for the page's script
	View       dashView
	Kinds      []option
	Kind, Date string
	Query      template.URL // period and date, for the refresh
	Wall       bool
}

func (w *Web) dashboardPage(rw http.ResponseWriter, r *http.Request, v *view) error {
	dv, _, err := w.dashboardView(r, v)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(dv)
	if err != nil {
		return err
	}
	_, kind, date, _ := w.periodOf(r, v)
	d := dashboardData{JSON: string(raw), View: dv, Kind: kind, Date: date, Wall: r.URL.Query().Get("wall") == "1",
		Query: pageQuery(url.Values{"period": {kind}, "date": {date}})}
	for _, k := range score.PeriodKinds {
		d.Kinds = append(d.Kinds, option{Value: k.Kind, Label: k.Name.Format(v.Lang)})
	}
	v.Title, v.Active, v.Data = v.T("dash.title"), "dashboard", d
	return w.render(rw, r, v, "dashboard", http.StatusOK)
}

// dashboardJSON serves the figures for the page's refresh.
func (w *Web) dashboardJSON(rw http.ResponseWriter, r *http.Request, v *view) error {
	dv, _, err := w.dashboardView(r, v)
	if err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(rw).Encode(dv)
}

// districtsGeoJSON serves the district outlines for the map.
func (w *Web) districtsGeoJSON(rw http.ResponseWriter, r *http.Request, v *view) error {
	rw.Header().Set("Content-Type", "application/geo+json")
	rw.Header().Set("Cache-Control", "private, max-age=86400")
	_, err := rw.Write(division.GeoJSON())
	return err
}
