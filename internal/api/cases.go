package api

import (
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// ReportRequest takes in a report.
type ReportRequest struct {
	Channel      string            `json:"channel" doc:"hotline, police_110, web, app, wechat, letter, visit, email, grid, open311, import, api"`
	SourceRef    string            `json:"source_ref,omitempty" doc:"the report's id in its source system; a repeat returns the first report"`
	Title        string            `json:"title,omitempty" doc:"derived from the body's first line when empty"`
	Body         string            `json:"body"`
	Reporter     *ReporterInput    `json:"reporter,omitempty"`
	OccurredAt   *time.Time        `json:"occurred_at,omitempty"`
	Address      string            `json:"address,omitempty"`
	Location     *Location         `json:"location,omitempty"`
	DivisionCode string            `json:"division_code,omitempty"`
	Attachments  []AttachmentInput `json:"attachments,omitempty"`
	Nature       string            `json:"nature,omitempty"`
	CategoryID   int64             `json:"category_id,omitempty"`
	Priority     string            `json:"priority,omitempty"`
	CaseNumber   string            `json:"case_number,omitempty" doc:"add this report to an open case: it opens a case merged into that one at once (reversibly)"`
	KeepSeparate bool              `json:"keep_separate,omitempty" doc:"never merge this report on its own, even as a near-exact repeat"`
}

// ReporterInput is who reports; all optional (anonymous reports are taken).
type ReporterInput struct {
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	IDNumber string `json:"id_number,omitempty" doc:"18-character resident ID number; stored encrypted"`
}

// AttachmentInput is attachment metadata.
type AttachmentInput struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256,omitempty"`
}

// ActionRequest carries an action's input; /lifecycle says which fields
// each action requires or accepts.
type ActionRequest struct {
	Note         string            `json:"note,omitempty"`
	Reason       string            `json:"reason,omitempty"`
	UnitID       int64             `json:"unit_id,omitempty"`
	DueAt        *time.Time        `json:"due_at,omitempty"`
	Nature       string            `json:"nature,omitempty"`
	CategoryID   int64             `json:"category_id,omitempty"`
	Priority     string            `json:"priority,omitempty"`
	Satisfaction string            `json:"satisfaction,omitempty" doc:"satisfied, basically_satisfied, unsatisfied, unreachable"`
	Resolved     *bool             `json:"resolved,omitempty" doc:"callback: whether the problem was solved, as the citizen said; required unless satisfaction is unreachable, and refused then"`
	Evidence     []AttachmentInput `json:"evidence,omitempty"`
	Into         string            `json:"into,omitempty" doc:"merge: the number of the open case this one repeats"`
	Version      int               `json:"version,omitempty" doc:"refuse if the case has changed since this version (or send If-Match)"`
}

// LinkRequest links a case.
type LinkRequest struct {
	Case string `json:"case" doc:"the other case's number"`
	Kind string `json:"kind,omitempty" doc:"related (default) or follow_up"`
}

// RevealRequest names the field to reveal.
type RevealRequest struct {
	Field string `json:"field" doc:"phone or id_number"`
}

func attachments(in []AttachmentInput) []casework.AttachmentInput {
	var out []casework.AttachmentInput
	for _, a := range in {
		out = append(out, casework.AttachmentInput{Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256})
	}
	return out
}

// point is the location in WGS-84, converted from GCJ-02 when it says so.
func (l *Location) point() (*casework.Point, error) {
	if l == nil {
		return nil, nil
	}
	lat, lon, ok := division.ToWGS84(l.CRS, l.Lat, l.Lon)
	if !ok {
		return nil, fault.InvalidField("location.crs", fault.BadValue, l.CRS)
	}
	return &casework.Point{Lat: lat, Lon: lon}, nil
}

var msgKeyWithCase = i18n.M("Idempotency-Key 头过长", "the Idempotency-Key header is too long")

func (a *API) createReport(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req ReportRequest
	if err := parseJSON(r, body, &req); err != nil {
		return err
	}
	in := casework.ReportInput{
		Channel: casework.Channel(req.Channel), SourceRef: req.SourceRef, Title: req.Title, Body: req.Body,
		Address: req.Address, DivisionCode: req.DivisionCode, Attachments: attachments(req.Attachments),
		Nature: req.Nature, CategoryID: req.CategoryID, Priority: casework.Priority(req.Priority),
		CaseNumber: req.CaseNumber, KeepSeparate: req.KeepSeparate,
	}
	if req.Reporter != nil {
		in.ReporterName, in.ReporterPhone, in.ReporterIDNumber = req.Reporter.Name, req.Reporter.Phone, req.Reporter.IDNumber
	}
	if req.OccurredAt != nil {
		in.OccurredAt = *req.OccurredAt
	}
	if in.Location, err = req.Location.point(); err != nil {
		return err
	}
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		if len(key) > 200 {
			return fault.InvalidField("Idempotency-Key", msgKeyWithCase)
		}
		// The request as decoded, not its bytes: a client that builds the
		// body again on retry (another key order, spacing, escapes) sends
		// the same request.
		canonical, err := json.Marshal(req)
		if err != nil {
			return err
		}
		in.IdempotencyKey, in.RequestHash = key, requestHash(canonical)
	}
	res, err := a.cases.Intake(r.Context(), actor, in)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	var d casework.Detail
	if res.Fresh != nil {
		d = *res.Fresh
	} else if d, err = a.cases.Get(r.Context(), actor, res.Case.Number); err != nil {
		return err
	}
	lang := langOf(r)
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", Prefix+"/cases/"+res.Case.Number)
	return writeJSON(w, http.StatusCreated, IntakeResponse{Report: a.reportView(n, res.Report),
		Case: a.detailView(n, d, lang, a.now()), MergedFrom: ptrStr(res.MergedFrom), AutoMerged: res.AutoMerged})
}

func (a *API) reveal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req RevealRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	v, err := a.cases.RevealPersonal(r.Context(), actorOf(r), id, casework.PersonalField(req.Field))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, Revealed{Field: req.Field, Value: v})
}

func (a *API) listCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f casework.Filter
	var err error
	for _, s := range splitList(q.Get("state")) {
		f.States = append(f.States, casework.State(s))
	}
	f.Natures = splitList(q.Get("nature"))
	if f.UnitID, err = queryInt(q.Get("unit_id"), "unit_id"); err != nil {
		return err
	}
	if f.CategoryID, err = queryInt(q.Get("category_id"), "category_id"); err != nil {
		return err
	}
	f.Channel, f.Priority = casework.Channel(q.Get("channel")), casework.Priority(q.Get("priority"))
	f.DivisionCode = q.Get("division_code")
	f.Text = q.Get("q")
	if f.From, err = a.queryTime(q.Get("received_from"), "received_from", false); err != nil {
		return err
	}
	if f.To, err = a.queryTime(q.Get("received_to"), "received_to", true); err != nil {
		return err
	}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fault.New(fault.Invalid, "bad-query", msgBadQuery, "overdue", v)
		}
		f.Overdue = &b
	}
	for _, s := range splitList(q.Get("status")) {
		f.Statuses = append(f.Statuses, deadline.Status(s))
	}
	f.Sort, f.Cursor = q.Get("sort"), q.Get("cursor")
	if f.Limit, err = queryLimit(q, 200); err != nil {
		return err
	}
	for _, s := range f.States {
		if !knownState(s) {
			return fault.New(fault.Invalid, "bad-query", msgBadQuery, "state", string(s))
		}
	}
	page, err := a.cases.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	out := CaseList{Cases: []Case{}, NextCursor: page.NextCursor}
	now, lang := a.now(), langOf(r)
	for _, c := range page.Cases {
		out.Cases = append(out.Cases, a.caseView(n, c, lang, now))
	}
	return writeJSON(w, http.StatusOK, out)
}

func knownState(s casework.State) bool {
	for _, x := range casework.States {
		if x.State == s {
			return true
		}
	}
	return false
}

func (a *API) writeCase(w http.ResponseWriter, r *http.Request, number string, status int) error {
	d, err := a.cases.Get(r.Context(), actorOf(r), number)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(d.Case.Version)))
	return writeJSON(w, status, a.detailView(n, d, langOf(r), a.now()))
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request) error {
	return a.writeCase(w, r, r.PathValue("number"), http.StatusOK)
}

// pageQuery reads ?cursor= (an id from the page before's next_cursor) and
// ?limit= (1–200) of a case's reports, attachments or timeline, refused as
// every list's are.
func pageQuery(r *http.Request) (after int64, limit int, err error) {
	q := r.URL.Query()
	if after, err = queryInt(q.Get("cursor"), "cursor"); err != nil {
		return 0, 0, err
	}
	if after < 0 {
		return 0, 0, fault.New(fault.Invalid, "bad-query", msgBadQuery, "cursor", q.Get("cursor"))
	}
	limit, err = queryLimit(q, 200)
	return after, limit, err
}

// nextCursor is next_cursor for the page that ends before id next (0: the
// last page).
func nextCursor(next int64) string {
	if next == 0 {
		return ""
	}
	return strconv.FormatInt(next, 10)
}

func (a *API) caseReports(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	page, err := a.cases.Reports(r.Context(), actorOf(r), r.PathValue("number"), after, limit)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	out := ReportList{Reports: []ListedReport{}, NextCursor: nextCursor(page.Next)}
	for _, rep := range page.Reports {
		out.Reports = append(out.Reports, ListedReport{Report: a.reportView(n, rep), MergedFrom: ptrStr(page.From[rep.ID])})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) caseAttachments(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	page, err := a.cases.Attachments(r.Context(), actorOf(r), r.PathValue("number"), after, limit)
	if err != nil {
		return err
	}
	out := AttachmentList{Attachments: []Attachment{}, NextCursor: nextCursor(page.Next)}
	for _, at := range page.Attachments {
		out.Attachments = append(out.Attachments, a.attachmentView(at))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) addAttachments(w http.ResponseWriter, r *http.Request) error {
	defer func() {
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files of this request
		}
	}()
	added, err := a.cases.AttachUploads(r.Context(), actorOf(r), r.PathValue("number"), "files",
		func() ([]*multipart.FileHeader, error) { return a.uploads(w, r, "files") })
	if err != nil {
		return err
	}
	out := AttachmentList{Attachments: []Attachment{}}
	for _, at := range added {
		out.Attachments = append(out.Attachments, a.attachmentView(at))
	}
	w.Header().Set("Location", Prefix+"/cases/"+url.PathEscape(r.PathValue("number"))+"/attachments")
	return writeJSON(w, http.StatusCreated, out)
}

func (a *API) attachmentContent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	at, content, err := a.cases.AttachmentContent(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return casework.ServeAttachment(w, at, content)
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	page, err := a.cases.TimelinePage(r.Context(), actorOf(r), r.PathValue("number"), after, limit)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	lang := langOf(r)
	out := TimelineList{Entries: []TimelineEntry{}, NextCursor: nextCursor(page.Next)}
	for _, e := range page.Entries {
		v := TimelineEntry{ID: e.ID, At: e.At.In(a.loc), Action: e.Action, ActionName: casework.ActionNames[e.Action].Format(lang),
			FromState: string(e.FromState), ToState: e.ToState, Note: e.Note.Format(lang), Changes: e.Changes, Unit: unitRef(n, e.UnitID)}
		if e.ActorID != 0 {
			v.Actor = &UserRef{ID: e.ActorID, Name: e.ActorName}
		}
		if v.Changes == nil {
			v.Changes = map[string][2]any{}
		}
		out.Entries = append(out.Entries, v)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) doAction(w http.ResponseWriter, r *http.Request) error {
	var req ActionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	in := casework.ActionInput{Note: req.Note, Reason: req.Reason, UnitID: req.UnitID, Nature: req.Nature,
		CategoryID: req.CategoryID, Priority: casework.Priority(req.Priority), Satisfaction: req.Satisfaction,
		Resolved: req.Resolved, Evidence: attachments(req.Evidence), Into: req.Into, ExpectedVersion: req.Version}
	if req.DueAt != nil {
		in.DueAt = *req.DueAt
	}
	if m := r.Header.Get("If-Match"); m != "" && in.ExpectedVersion == 0 {
		v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(m, "W/"), `"`))
		if err != nil {
			return fault.New(fault.Invalid, "bad-header", msgBadHeader, "If-Match", m)
		}
		in.ExpectedVersion = v
	}
	number := r.PathValue("number")
	if _, err := a.cases.Do(r.Context(), actorOf(r), number, casework.Action(r.PathValue("action")), in); err != nil {
		return err
	}
	return a.writeCase(w, r, number, http.StatusOK)
}

func (a *API) link(w http.ResponseWriter, r *http.Request) error {
	var req LinkRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Case) == "" {
		return fault.InvalidField("case", fault.Required)
	}
	number := r.PathValue("number")
	if err := a.cases.Link(r.Context(), actorOf(r), number, strings.TrimSpace(req.Case), req.Kind); err != nil {
		return err
	}
	return a.writeCase(w, r, number, http.StatusOK)
}

func (a *API) unlink(w http.ResponseWriter, r *http.Request) error {
	number := r.PathValue("number")
	if err := a.cases.Unlink(r.Context(), actorOf(r), number, r.PathValue("other")); err != nil {
		return err
	}
	return a.writeCase(w, r, number, http.StatusOK)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	unit, err := a.org.Unit(r.Context(), a.db, actor.UnitID)
	if err != nil {
		return err
	}
	roles := actor.Roles
	if roles == nil {
		roles = []access.Role{}
	}
	scope := actor.Scope.Units
	if scope == nil {
		scope = []int64{}
	}
	return writeJSON(w, http.StatusOK, Me{ID: actor.UserID, Username: actor.Username, Name: actor.Name,
		Unit: UnitRef{ID: unit.ID, Code: unit.Code, Name: unit.Name}, Roles: roles, ScopeAll: actor.Scope.All, Scope: scope})
}

func (a *API) lifecycle(w http.ResponseWriter, r *http.Request) error {
	lang := langOf(r)
	out := Lifecycle{}
	for _, s := range casework.States {
		out.States = append(out.States, NamedCode{Code: string(s.State), Name: s.Name.Format(lang)})
	}
	for _, act := range casework.TableActions() {
		out.Actions = append(out.Actions, NamedCode{Code: string(act), Name: casework.ActionNames[act].Format(lang)})
	}
	who := map[casework.Who]string{casework.InScope: "in_scope", casework.HandlingUnit: "handling_unit",
		casework.OutsideHandlingUnit: "outside_handling_unit"}
	for _, t := range casework.Table {
		req, opt := t.Required, t.Optional
		if req == nil {
			req = []casework.Field{}
		}
		if opt == nil {
			opt = []casework.Field{}
		}
		out.Transitions = append(out.Transitions, TransitionView{Action: t.Action, From: t.From, To: string(t.To),
			Roles: t.Roles, Who: who[t.Who], Guard: t.Guard.Name(), Required: req, Optional: opt})
	}
	return writeJSON(w, http.StatusOK, out)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// queryLimit reads ?limit=: 0 when absent (the list's default), else a
// whole number from 1 to most.
func queryLimit(q url.Values, most int) (int, error) {
	if !q.Has("limit") {
		return 0, nil
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 || n > most {
		return 0, fault.New(fault.Invalid, "bad-query", msgBadQuery, "limit", q.Get("limit"))
	}
	return n, nil
}

func queryInt(s, name string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fault.New(fault.Invalid, "bad-query", msgBadQuery, name, s)
	}
	return v, nil
}

// queryTime parses YYYY-MM-DD (local; as an upper bound, the end of that
// day) or RFC 3339.
func (a *API) queryTime(s, name string, upper bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, a.loc); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fault.New(fault.Invalid, "bad-query", msgBadQuery, name, s)
	}
	return t, nil
}

func pathID(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, errNoRoute(r)
	}
	return v, nil
}
