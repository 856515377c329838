package api

import (
	"cmp"
	"net/http"
	"strings"
	"time"

	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// PetitionerRequest is who is petitioning at the desk, and about what.
type PetitionerRequest struct {
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	IDNumber string `json:"id_number,omitempty" doc:"compared by keyed hash, never stored by this call"`
	Text     string `json:"text,omitempty" doc:"title and body, to tell the same matter"`
}

// PriorPetition is an earlier petition of the same petitioner.
type PriorPetition struct {
	Number     string         `json:"number"`
	Title      string         `json:"title"`
	State      casework.State `json:"state"`
	Stage      casework.Stage `json:"stage" doc:"petition, review (复查) or rereview (复核)"`
	ReceivedAt time.Time      `json:"received_at"`
	ClosedAt   *time.Time     `json:"closed_at,omitempty"`
	SameMatter bool           `json:"same_matter"`
}

// PetitionerHistory is what is known of a petitioner.
type PetitionerHistory struct {
	Visits     int             `json:"visits" doc:"this petition's place among the petitioner's: 第 N 次信访"`
	SameMatter int             `json:"same_matter" doc:"its place among those about the same matter"`
	Earlier    []PriorPetition `json:"earlier" doc:"earlier petitions in the caller's scope, oldest first"`
	Hidden     int             `json:"hidden" doc:"earlier petitions outside the caller's scope (counted, not shown)"`
	Barred     *PriorPetition  `json:"no_longer_accepted_by,omitempty" doc:"a concluded 复核 of the same matter: 不再受理"`
	Message    string          `json:"message,omitempty"`
}

// ReviewStage is one case of a petition's 复查/复核 chain.
type ReviewStage struct {
	Stage       casework.Stage `json:"stage"`
	Number      string         `json:"number,omitempty" doc:"absent outside the caller's scope"`
	State       casework.State `json:"state"`
	Unit        *UnitRef       `json:"unit,omitempty"`
	RequestedAt *time.Time     `json:"requested_at,omitempty"`
	DueAt       *time.Time     `json:"due_at,omitempty"`
	ClosedAt    *time.Time     `json:"closed_at,omitempty"`
	Conclusion  string         `json:"conclusion,omitempty" doc:"upheld or revised"`
	Opinion     string         `json:"opinion,omitempty"`
}

// PetitionView is a petition case's petition facts.
type PetitionView struct {
	Stage     casework.Stage    `json:"stage"`
	History   PetitionerHistory `json:"history"`
	Chain     []ReviewStage     `json:"chain" doc:"the petition, its 复查 and its 复核"`
	Next      casework.Stage    `json:"next_review,omitempty" doc:"the review the answer is open to"`
	WindowEnd *time.Time        `json:"review_window_ends_at,omitempty" doc:"the end of the 30th day after the answer"`
}

// ReviewRequest records a request for 复查 or 复核.
type ReviewRequest struct {
	RequestedAt *time.Time `json:"requested_at,omitempty" doc:"when the petitioner asked; now when absent"`
	Channel     string     `json:"channel,omitempty" doc:"how the request came in; visit by default"`
	Reason      string     `json:"reason" doc:"the petitioner's request and reasons"`
}

// ConclusionRequest is the opinion of a 复查 or 复核.
type ConclusionRequest struct {
	Conclusion string `json:"conclusion" doc:"upheld or revised"`
	Opinion    string `json:"opinion"`
}

// BacklogView is the 积案 registry's figures.
type BacklogView struct {
	Period string                `json:"period" doc:"2026-11, 2026-Q4 or 2026"`
	From   time.Time             `json:"from"`
	To     time.Time             `json:"to"`
	At     time.Time             `json:"at" doc:"the end of the period, or now if sooner"`
	Stock  int                   `json:"stock" doc:"存量: in the backlog at the end"`
	Inflow int                   `json:"inflow" doc:"增量: fell into the backlog during the period"`
	Risk   int                   `json:"risk" doc:"变量: open, not yet backlog, at risk"`
	Trend  []casework.TrendPoint `json:"trend" doc:"the 12 months up to the period's end"`
}

// BacklogCase is one case behind a figure.
type BacklogCase struct {
	Case
	LimitAt *time.Time            `json:"limit_at,omitempty" doc:"the statutory limit it runs against"`
	Reasons []casework.RiskReason `json:"reasons,omitempty" doc:"变量: near_limit, repeated, same_matter, petitioners"`
}

// BacklogCaseList is a page of the cases behind a figure.
type BacklogCaseList struct {
	Cases  []BacklogCase `json:"cases"`
	Before int64         `json:"next_before,omitempty" doc:"pass as ?before= for the next page"`
}

func (a *API) petitionRoutes() []Route {
	period := []QueryParam{{"period", "string", "month (default), quarter or year"},
		{"date", "string", "a day or month in the period: YYYY-MM-DD or YYYY-MM; today by default"}}
	return []Route{
		{Method: "POST", Path: "/repeats/petitioner", Summary: "Earlier petitions of a petitioner (same ID number, or same name and phone), which are about the same matter, and whether a concluded 复核 bars it (不再受理)",
			Tag: "petitions", Body: PetitionerRequest{}, Resp: PetitionerHistory{}, Status: 200, Handle: a.petitionerHistory},
		{Method: "GET", Path: "/cases/{number}/petition", Summary: "A petition's repeat counts, its 复查/复核 chain and the review window",
			Tag: "petitions", Resp: PetitionView{}, Status: 200, Handle: a.petitionOf},
		{Method: "POST", Path: "/cases/{number}/review", Summary: "Record a request for 复查 of an answered petition (or 复核 of an answered 复查): opens a case for the next level up, due in 30 days; refused after the 30-day window",
			Tag: "petitions", Body: ReviewRequest{}, Resp: CaseDetail{}, Status: 201, Handle: a.requestReview},
		{Method: "POST", Path: "/cases/{number}/review/conclusion", Summary: "Record the opinion of a 复查 or 复核 and close it",
			Tag: "petitions", Body: ConclusionRequest{}, Resp: CaseDetail{}, Status: 200, Handle: a.concludeReview},
		{Method: "POST", Path: "/cases/{number}/no-longer-accepted", Summary: "Close a received petition as 不再受理: a 复核 of the same matter was concluded",
			Tag: "petitions", Resp: CaseDetail{}, Status: 200, Handle: a.declineBarred},
		{Method: "GET", Path: "/petitions/backlog", Summary: "The 积案 registry: 存量, 增量, 变量 of a period and the 12-month trend, in the caller's scope (supervisors, leaders)",
			Tag: "petitions", Query: period, Resp: BacklogView{}, Status: 200, Handle: a.backlog},
		{Method: "GET", Path: "/petitions/backlog/cases", Summary: "The cases behind one figure of the registry",
			Tag: "petitions", Query: append(period, QueryParam{"figure", "string", "stock, inflow or risk"},
				QueryParam{"before", "integer", "cases with a smaller id (paging)"}, QueryParam{"limit", "integer", "1–200, default 50"}),
			Needs: []string{"figure"}, Resp: BacklogCaseList{}, Status: 200, Handle: a.backlogCases},
	}
}

func (a *API) petitionerHistory(w http.ResponseWriter, r *http.Request) error {
	var req PetitionerRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	h, err := a.cases.PetitionerHistory(r.Context(), actorOf(r), casework.PetitionerQuery{Name: req.Name, Phone: req.Phone,
		IDNumber: req.IDNumber, Text: req.Text})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.historyView(h, langOf(r)))
}

var msgRepeatPetitioner = i18n.M("该信访人第 %d 次信访，同一事项 %d 次", "the petitioner's petition no. %d; no. %d about this matter")

func (a *API) historyView(h casework.PetitionHistory, lang i18n.Lang) PetitionerHistory {
	out := PetitionerHistory{Visits: h.Visits, SameMatter: h.SameMatter, Hidden: h.Hidden, Earlier: []PriorPetition{}}
	view := func(e casework.PriorPetition) PriorPetition {
		return PriorPetition{Number: e.Number, Title: e.Title, State: e.State, Stage: e.Stage, ReceivedAt: e.ReceivedAt.In(a.loc),
			ClosedAt: ptrTime(e.ClosedAt, a.loc), SameMatter: e.SameMatter}
	}
	for _, e := range h.Earlier {
		out.Earlier = append(out.Earlier, view(e))
	}
	if h.Barred != nil {
		b := view(*h.Barred)
		b.Title = "" // the number and date are the reason; the rest may be out of scope
		out.Barred = &b
	}
	if h.Visits > 1 {
		out.Message = msgRepeatPetitioner.Format(lang, h.Visits, h.SameMatter)
	}
	return out
}

func (a *API) petitionOf(w http.ResponseWriter, r *http.Request) error {
	v, err := a.cases.PetitionOf(r.Context(), actorOf(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	if v == nil {
		return fault.New(fault.NotFound, "not-a-petition", msgNotPetition, r.PathValue("number"))
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	out := PetitionView{Stage: v.Petition.Stage, History: a.historyView(v.History, langOf(r)), Next: v.Next,
		WindowEnd: ptrTime(v.WindowEnd, a.loc), Chain: []ReviewStage{}}
	for _, st := range v.Chain {
		rs := ReviewStage{Stage: st.Stage, State: st.State, Unit: unitRef(n, st.UnitID), RequestedAt: ptrTime(st.RequestedAt, a.loc),
			DueAt: ptrTime(st.DueAt, a.loc), ClosedAt: ptrTime(st.ClosedAt, a.loc), Conclusion: st.Conclusion}
		if st.Visible {
			rs.Number, rs.Opinion = st.Number, st.Opinion
		}
		out.Chain = append(out.Chain, rs)
	}
	return writeJSON(w, http.StatusOK, out)
}

var msgNotPetition = i18n.M("案件 %s 不是信访事项", "case %s is not a petition")

func (a *API) requestReview(w http.ResponseWriter, r *http.Request) error {
	var req ReviewRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	in := casework.ReviewInput{Channel: casework.Channel(req.Channel), Reason: req.Reason}
	if req.RequestedAt != nil {
		in.RequestedAt = *req.RequestedAt
	}
	c, err := a.cases.RequestReview(r.Context(), actorOf(r), r.PathValue("number"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/cases/"+c.Number)
	return a.writeCase(w, r, c.Number, http.StatusCreated)
}

func (a *API) concludeReview(w http.ResponseWriter, r *http.Request) error {
	var req ConclusionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := a.cases.ConcludeReview(r.Context(), actorOf(r), r.PathValue("number"),
		casework.ConclusionInput{Conclusion: req.Conclusion, Opinion: req.Opinion})
	if err != nil {
		return err
	}
	return a.writeCase(w, r, c.Number, http.StatusOK)
}

func (a *API) declineBarred(w http.ResponseWriter, r *http.Request) error {
	c, err := a.cases.DeclineBarred(r.Context(), actorOf(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	return a.writeCase(w, r, c.Number, http.StatusOK)
}

// backlogPeriod reads ?period= and ?date=.
func (a *API) backlogPeriod(r *http.Request) (casework.BacklogPeriod, error) {
	q := r.URL.Query()
	date := a.now()
	if s := strings.TrimSpace(q.Get("date")); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, a.loc)
		if err != nil {
			if t, err = time.ParseInLocation("2006-01", s, a.loc); err != nil {
				return casework.BacklogPeriod{}, fault.New(fault.Invalid, "bad-query", msgBadQuery, "date", s)
			}
		}
		date = t
	}
	return casework.PeriodOf(q.Get("period"), date, a.loc)
}

func (a *API) backlog(w http.ResponseWriter, r *http.Request) error {
	p, err := a.backlogPeriod(r)
	if err != nil {
		return err
	}
	b, err := a.cases.Backlog(r.Context(), actorOf(r), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, BacklogView{Period: p.Label(a.loc), From: p.From.In(a.loc), To: p.To.In(a.loc),
		At: b.At.In(a.loc), Stock: b.Stock, Inflow: b.Inflow, Risk: b.Risk, Trend: b.Trend})
}

func (a *API) backlogCases(w http.ResponseWriter, r *http.Request) error {
	p, err := a.backlogPeriod(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	before, err := queryInt(q.Get("before"), "before")
	if err != nil {
		return err
	}
	limit, err := queryLimit(q, 200)
	if err != nil {
		return err
	}
	bcs, err := a.cases.BacklogCases(r.Context(), actorOf(r), p, casework.Figure(q.Get("figure")), before, cmp.Or(limit, 50))
	if err != nil {
		return err
	}
	out := BacklogCaseList{Cases: []BacklogCase{}}
	if len(bcs) == 0 {
		return writeJSON(w, http.StatusOK, out)
	}
	ids := make([]int64, len(bcs))
	for i, bc := range bcs {
		ids[i] = bc.CaseID
	}
	page, err := a.cases.List(r.Context(), actorOf(r), casework.Filter{IDs: ids, Limit: len(ids)})
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	byID := map[int64]casework.Case{}
	for _, c := range page.Cases {
		byID[c.ID] = c
	}
	now, lang := a.now(), langOf(r)
	for _, bc := range bcs {
		c, ok := byID[bc.CaseID]
		if !ok {
			continue
		}
		out.Cases = append(out.Cases, BacklogCase{Case: a.caseView(n, c, lang, now), LimitAt: ptrTime(bc.LimitAt, a.loc), Reasons: bc.Reasons})
	}
	if len(bcs) == int(limit) {
		out.Before = bcs[len(bcs)-1].CaseID
	}
	return writeJSON(w, http.StatusOK, out)
}
