package web

import (
	"net/http"
	"strconv"
	"strings"

	"pingan/internal/access"
	"pingan/internal/fault"
	"pingan/internal/hot"
	"pingan/internal/i18n"
)

type hotData struct {
	Query   hot.CityQuery
	Result  hot.CityResult
	Windows []int
	Choices choices
}

var msgNoHot = i18n.M("热点问题供督办员、领导和派遣员使用", "hot issues are for supervisors, leaders and dispatchers")

// hotIssues ranks the hot issues (热点问题) among the recent reports in the
// user's scope: one place or group, one matter, many people, lately.
func (w *Web) hotIssues(rw http.ResponseWriter, r *http.Request, v *view) error {
	if !v.Actor.HasAny(access.Supervisor, access.Leader, access.Dispatcher) {
		return fault.New(fault.Forbidden, "forbidden", msgNoHot)
	}
	q := hot.CityQuery{Days: 30, DivisionCode: strings.TrimSpace(r.URL.Query().Get("division_code"))}
	if s := r.URL.Query().Get("days"); s != "" {
		if q.Days, _ = strconv.Atoi(s); q.Days == 0 {
			q.Days = -1 // refused by Validate
		}
	}
	res, err := w.app.Hot.City(r.Context(), v.Actor, q)
	if err != nil {
		return err
	}
	v.Title, v.Active = v.T("hot.title"), "hot"
	v.Data = hotData{Query: q, Result: res, Windows: hot.Windows, Choices: w.choices(v)}
	return w.render(rw, r, v, "hot", http.StatusOK)
}
