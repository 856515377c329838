package api

import (
	"net/http"
	"strings"

	"pingan/internal/dedup"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// RepeatsRequest describes a report to look for repeats of.
type RepeatsRequest struct {
	Text         string    `json:"text" doc:"title and body of the new report"`
	Address      string    `json:"address,omitempty"`
	Location     *Location `json:"location,omitempty"`
	DivisionCode string    `json:"division_code,omitempty"`
	CategoryID   int64     `json:"category_id,omitempty"`
}

// RepeatsResponse lists the candidates, most likely first.
type RepeatsResponse struct {
	Candidates []dedup.Candidate `json:"candidates"`
}

var (
	msgNoText     = i18n.M("需要诉求内容", "the text is required")
	msgNoCaseWork = i18n.M("当前账号不办理案件", "this account does not work on cases")
)

func (a *API) repeats(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	if !actor.CaseWorker() {
		return fault.New(fault.Forbidden, "forbidden", msgNoCaseWork)
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req RepeatsRequest
	if err := parseJSON(r, body, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Text) == "" {
		return fault.InvalidField("text", msgNoText)
	}
	q := dedup.Query{Text: req.Text + " " + req.Address, Address: req.Address, DivisionCode: req.DivisionCode, CategoryID: req.CategoryID}
	p, err := req.Location.point()
	if err != nil {
		return err
	}
	if p != nil {
		q.Lat, q.Lon = &p.Lat, &p.Lon
	}
	cs, err := a.rep.Find(r.Context(), actor, q, langOf(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, RepeatsResponse{Candidates: dedup.In(cs, a.loc)})
}

func (a *API) caseRepeats(w http.ResponseWriter, r *http.Request) error {
	d, err := a.cases.Get(r.Context(), actorOf(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	cs, err := a.cases.RepeatsOf(r.Context(), actorOf(r), d, langOf(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, RepeatsResponse{Candidates: dedup.In(cs, a.loc)})
}
