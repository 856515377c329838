package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// petitioner answers the intake desk as the operator types the reporter:
// the petitioner's earlier petitions and whether a 复核 bars this one. It is
// a POST (with the CSRF header) so the ID number never sits in a URL.
func (w *Web) petitioner(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.mayIntake(v); err != nil {
		return err
	}
	text := strings.TrimSpace(r.PostFormValue("title") + " " + r.PostFormValue("body"))
	if len([]rune(text)) > 2000 {
		text = string([]rune(text)[:2000])
	}
	h, err := w.app.Cases.PetitionerHistory(r.Context(), v.Actor, casework.PetitionerQuery{Name: r.PostFormValue("reporter_name"),
		Phone: r.PostFormValue("reporter_phone"), IDNumber: r.PostFormValue("reporter_id"), Text: text})
	if err != nil {
		return err
	}
	type earlier struct {
		Number   string `json:"number"`
		Title    string `json:"title"`
		State    string `json:"state"`
		Received string `json:"received"`
		Same     bool   `json:"same"`
	}
	out := struct {
		Visits  int       `json:"visits"`
		Message string    `json:"message,omitempty"`
		Hidden  string    `json:"hidden,omitempty"`
		Barred  string    `json:"barred,omitempty"`
		Same    string    `json:"same_label"`
		Earlier []earlier `json:"earlier"`
	}{Visits: h.Visits, Same: v.T("petition.same_matter"), Earlier: []earlier{}}
	if h.Visits > 1 {
		out.Message = v.T("petition.visits", h.Visits, h.SameMatter)
	}
	if h.Hidden > 0 {
		out.Hidden = v.T("petition.hidden", h.Hidden)
	}
	if b := h.Barred; b != nil {
		out.Barred = v.T("petition.barred", b.Number, b.ClosedAt.In(w.loc).Format("2006-01-02"))
	}
	for _, e := range h.Earlier {
		out.Earlier = append(out.Earlier, earlier{Number: e.Number, Title: e.Title, State: v.StateName(e.State),
			Received: e.ReceivedAt.In(w.loc).Format("2006-01-02"), Same: e.SameMatter})
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(rw).Encode(out)
}

// StageName names a petition stage.
func (v *view) StageName(s casework.Stage) string { return casework.StageNames[s].Format(v.Lang) }

// StageWord names a stage inside a sentence (lower case in English).
func (v *view) StageWord(s casework.Stage) string {
	return i18n.Lower(casework.StageNames[s]).Format(v.Lang)
}

// ConclusionName names the conclusion of a review.
func (v *view) ConclusionName(c string) string {
	for _, x := range casework.Conclusions {
		if x.Value == c {
			return x.Name.Format(v.Lang)
		}
	}
	return c
}

// Conclusions are the choices of the conclusion form.
func (v *view) Conclusions() []option {
	var out []option
	for _, x := range casework.Conclusions {
		out = append(out, option{Value: x.Value, Label: x.Name.Format(v.Lang)})
	}
	return out
}

// RiskName names why a petition is at risk.
func (v *view) RiskName(r casework.RiskReason) string { return casework.RiskReasons[r].Format(v.Lang) }

// FigureName names a figure of the registry.
func (v *view) FigureName(f casework.Figure) string {
	for _, x := range casework.Figures {
		if x.Figure == f {
			return x.Name.Format(v.Lang)
		}
	}
	return string(f)
}

// requestReview records a request for 复查/复核 from the case page.
func (w *Web) requestReview(rw http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("number")
	at, err := w.formTime(r, "requested_at")
	var c casework.Case
	if err == nil {
		c, err = w.app.Cases.RequestReview(r.Context(), v.Actor, number, casework.ReviewInput{RequestedAt: at,
			Channel: casework.Channel(r.PostFormValue("channel")), Reason: r.PostFormValue("reason")})
	}
	if err != nil {
		return w.caseFormError(rw, r, v, number, "review", err)
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(c.Number), "petition.review_opened")
}

// concludeReview records the opinion of a 复查/复核.
func (w *Web) concludeReview(rw http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("number")
	_, err := w.app.Cases.ConcludeReview(r.Context(), v.Actor, number, casework.ConclusionInput{
		Conclusion: r.PostFormValue("conclusion"), Opinion: r.PostFormValue("opinion")})
	if err != nil {
		return w.caseFormError(rw, r, v, number, "conclude", err)
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(number), "case.done")
}

// declineBarred closes a petition as 不再受理.
func (w *Web) declineBarred(rw http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("number")
	if _, err := w.app.Cases.DeclineBarred(r.Context(), v.Actor, number); err != nil {
		return w.caseFormError(rw, r, v, number, "decline", err)
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(number), "case.done")
}

// caseFormError shows the case page again with a form's errors, the form
// open; errors that are not the form's go to the error page.
func (w *Web) caseFormError(rw http.ResponseWriter, r *http.Request, v *view, number, open string, err error) error {
	errs, ferr := formErrors(v, err)
	if ferr != nil {
		return ferr
	}
	d, derr := w.caseData(r, v, number)
	if derr != nil {
		return derr
	}
	v.Errors, v.Form, d.Open = errs, r.PostForm, open
	return w.renderCase(rw, r, v, d, http.StatusUnprocessableEntity)
}

type backlogData struct {
	Backlog  casework.Backlog
	Label    string
	Kinds    []option
	Kind     string
	Date     string
	Query    template.URL // period and date, for the figures' links
	MaxTrend int
}

// backlogPeriod reads the registry's period (this month by default).
func (w *Web) backlogPeriod(r *http.Request, v *view) (casework.BacklogPeriod, string, string, error) {
	kind, date := r.URL.Query().Get("period"), strings.TrimSpace(r.URL.Query().Get("date"))
	if kind == "" {
		kind = "month"
	}
	at := v.Now
	if date != "" {
		t, err := time.ParseInLocation("2006-01-02", date, w.loc)
		if err != nil {
			if t, err = time.ParseInLocation("2006-01", date, w.loc); err != nil {
				return casework.BacklogPeriod{}, kind, date, fault.InvalidField("date", fault.BadFormat, date)
			}
		}
		at = t
	} else {
		date = at.In(w.loc).Format("2006-01-02")
	}
	p, err := casework.PeriodOf(kind, at, w.loc)
	return p, kind, date, err
}

// backlog is the 积案 registry: 存量, 增量, 变量 and the 12-month trend.
func (w *Web) backlog(rw http.ResponseWriter, r *http.Request, v *view) error {
	p, kind, date, err := w.backlogPeriod(r, v)
	if err != nil {
		return err
	}
	b, err := w.app.Cases.Backlog(r.Context(), v.Actor, p)
	if err != nil {
		return err
	}
	d := backlogData{Backlog: b, Label: p.Label(w.loc), Kind: kind, Date: date,
		Query: pageQuery(url.Values{"period": {kind}, "date": {date}}), MaxTrend: 1}
	d.Kinds = []option{{Value: "month", Label: v.T("backlog.period_month")}, {Value: "quarter", Label: v.T("backlog.period_quarter")},
		{Value: "year", Label: v.T("backlog.period_year")}}
	for _, tp := range b.Trend {
		d.MaxTrend = max(d.MaxTrend, tp.Stock, tp.Inflow)
	}
	v.Title, v.Active, v.Data = v.T("backlog.title"), "backlog", d
	return w.render(rw, r, v, "backlog", http.StatusOK)
}

type backlogCasesData struct {
	Figure casework.Figure
	Label  string
	Rows   []backlogRow
	Query  template.URL // period, date and figure, for paging
	Next   int64
}

type backlogRow struct {
	Case    casework.Case
	LimitAt time.Time
	Reasons []casework.RiskReason
}

// backlogCases lists the cases behind one number of the registry.
func (w *Web) backlogCases(rw http.ResponseWriter, r *http.Request, v *view) error {
	p, kind, date, err := w.backlogPeriod(r, v)
	if err != nil {
		return err
	}
	fig := casework.Figure(r.URL.Query().Get("figure"))
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	const pageSize = 50
	bcs, err := w.app.Cases.BacklogCases(r.Context(), v.Actor, p, fig, before, pageSize)
	if err != nil {
		return err
	}
	d := backlogCasesData{Figure: fig, Label: p.Label(w.loc),
		Query: pageQuery(url.Values{"period": {kind}, "date": {date}, "figure": {string(fig)}})}
	if len(bcs) > 0 {
		ids := make([]int64, len(bcs))
		for i, bc := range bcs {
			ids[i] = bc.CaseID
		}
		page, err := w.app.Cases.List(r.Context(), v.Actor, casework.Filter{IDs: ids, Limit: len(ids)})
		if err != nil {
			return err
		}
		byID := map[int64]casework.Case{}
		for _, c := range page.Cases {
			byID[c.ID] = c
		}
		for _, bc := range bcs {
			if c, ok := byID[bc.CaseID]; ok {
				d.Rows = append(d.Rows, backlogRow{Case: c, LimitAt: bc.LimitAt, Reasons: bc.Reasons})
			}
		}
	}
	if len(bcs) == pageSize {
		d.Next = bcs[len(bcs)-1].CaseID
	}
	v.Title, v.Active, v.Data = v.T("backlog.title")+" · "+v.FigureName(fig), "backlog", d
	return w.render(rw, r, v, "backlog_cases", http.StatusOK)
}
