package api

import (
	"net/http"
	"time"

	"pingan/internal/access"
	"pingan/internal/fault"
	"pingan/internal/hot"
	"pingan/internal/i18n"
)

// HotIssues are the hot issues of a window, hottest first.
type HotIssues struct {
	From      time.Time  `json:"from"`
	To        time.Time  `json:"to"`
	Reports   int        `json:"reports" doc:"reports read"`
	Truncated bool       `json:"truncated" doc:"the window held more reports than are read at once; the newest were read"`
	Issues    []HotIssue `json:"issues"`
}

// HotIssue is one hot issue and its cases.
type HotIssue struct {
	Rank        int       `json:"rank"`
	Heat        float64   `json:"heat" doc:"10 × people + 2 × reports + 5 × ln(1 + votes), each weighted by recency"`
	Description string    `json:"description"`
	Place       string    `json:"place" doc:"the place or group of people it is about"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Reports     int       `json:"reports"`
	People      int       `json:"people"`
	Cases       []string  `json:"cases" doc:"case numbers, newest report first"`
}

var msgNoHot = i18n.M("热点问题供督办员、领导和派遣员使用", "hot issues are for supervisors, leaders and dispatchers")

func (a *API) hotIssues(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	if !actor.HasAny(access.Supervisor, access.Leader, access.Dispatcher) {
		return fault.New(fault.Forbidden, "forbidden", msgNoHot)
	}
	q := r.URL.Query()
	days, err := queryInt(q.Get("days"), "days")
	if err != nil {
		return err
	}
	top, err := queryInt(q.Get("top"), "top")
	if err != nil {
		return err
	}
	res, err := a.hot.City(r.Context(), actor, hot.CityQuery{Days: int(days), DivisionCode: q.Get("division_code"), Top: int(top)})
	if err != nil {
		return err
	}
	out := HotIssues{From: res.From.In(a.loc), To: res.To.In(a.loc), Reports: res.Reports, Truncated: res.Truncated, Issues: []HotIssue{}}
	for _, is := range res.Issues {
		out.Issues = append(out.Issues, HotIssue{Rank: is.Rank, Heat: is.Heat, Description: is.Description, Place: is.Place,
			From: is.From.In(a.loc), To: is.To.In(a.loc), Reports: len(is.Messages), People: is.Users, Cases: is.Cases})
	}
	return writeJSON(w, http.StatusOK, out)
}
