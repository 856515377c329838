package web

import (
	"fmt"
	"html/template"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/deadline"
	"pingan/internal/dedup"
	"pingan/internal/directory"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/search"
	"pingan/internal/supervision"
)

// home sends each user to where their work is.
func (w *Web) home(rw http.ResponseWriter, r *http.Request, v *view) error {
	a := v.Actor
	switch {
	case a.HasAny(access.Handler, access.Verifier, access.Callback, access.Dispatcher):
		return redirect(rw, r, "/queue", "")
	case a.Has(access.Intake):
		return redirect(rw, r, "/intake", "")
	case a.HasAny(access.Supervisor, access.Leader):
		return redirect(rw, r, "/supervise", "")
	case a.HasAny(access.SysAdmin, access.SecAdmin, access.AuditAdmin):
		return redirect(rw, r, "/admin", "")
	}
	return redirect(rw, r, "/inbox", "")
}

// choices are the option lists forms need.
type choices struct {
	Channels []option
	// DeskChannels are those a report is taken from at the intake desk.
	DeskChannels []option
	Priorities   []option
	Natures      []optgroup
	Categories   []option
	Units        []option
	Divisions    []option
	Satisfy      []option
	States       []option
	Statuses     []option
	Map          districtMap
	// Unreachable is the callback result that leaves unknown whether the
	// problem was solved: the form puts that question out of reach.
	Unreachable string
}

type option struct {
	Value, Label string
	Depth        int
}

type optgroup struct {
	Label   string
	Options []option
}

// unitOptions are the active units in tree order, for a unit picker; a
// page that needs no other list asks for these alone (choices builds them
// all, the 700 categories too).
func unitOptions(n *directory.Names) []option {
	var out []option
	for _, u := range n.UnitList {
		if u.Active() {
			out = append(out, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Depth: u.Depth()})
		}
	}
	return out
}

func (w *Web) choices(v *view) choices {
	n := v.names()
	c := choices{Map: w.dmap}
	for _, x := range casework.Channels {
		o := option{Value: string(x.Channel), Label: x.Name.Format(v.Lang)}
		c.Channels = append(c.Channels, o)
		if !x.Machine {
			c.DeskChannels = append(c.DeskChannels, o)
		}
	}
	for _, x := range casework.Priorities {
		c.Priorities = append(c.Priorities, option{Value: string(x.Priority), Label: x.Name.Format(v.Lang)})
	}
	for _, f := range catalog.Families {
		g := optgroup{Label: f.Name.Format(v.Lang)}
		for _, x := range n.NatList {
			if x.Family == f.Family && x.Active() {
				g.Options = append(g.Options, option{Value: x.Code, Label: x.Label(v.Lang)})
			}
		}
		c.Natures = append(c.Natures, g)
	}
	for _, x := range n.CatList {
		if x.Active() {
			c.Categories = append(c.Categories, option{Value: strconv.FormatInt(x.ID, 10), Label: x.Label(v.Lang), Depth: x.Level - 1})
		}
	}
	c.Units = unitOptions(n)
	for _, d := range division.All() {
		if d.Level == division.District || d.Level == division.Street {
			depth := 0
			if d.Level == division.Street {
				depth = 1
			}
			c.Divisions = append(c.Divisions, option{Value: d.Code, Label: d.Name, Depth: depth})
		}
	}
	for _, x := range casework.Satisfactions {
		c.Satisfy = append(c.Satisfy, option{Value: x.Value, Label: x.Name.Format(v.Lang)})
	}
	c.Unreachable = casework.Unreachable
	for _, x := range casework.States {
		c.States = append(c.States, option{Value: string(x.State), Label: x.Name.Format(v.Lang)})
	}
	for _, x := range deadline.Statuses {
		c.Statuses = append(c.Statuses, option{Value: string(x.Status), Label: x.Name.Format(v.Lang)})
	}
	return c
}

type intakeData struct {
	Choices choices
	Saved   *casework.Case
	AddTo   string
	// MergedFrom is the case the last report opened, merged at once into
	// Saved (AutoMerged: on its own, as a near-exact repeat).
	MergedFrom string
	AutoMerged bool
}

func (w *Web) mayIntake(v *view) error {
	if !v.MayIntake() {
		return fault.New(fault.Forbidden, "forbidden", msgNoIntake)
	}
	return nil
}

var msgNoIntake = i18n.M("您的角色不能受理来件", "your role may not take in reports")

func (w *Web) intakePage(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.mayIntake(v); err != nil {
		return err
	}
	q := r.URL.Query()
	d := intakeData{Choices: w.choices(v), AddTo: q.Get("case"), MergedFrom: q.Get("from"), AutoMerged: q.Get("auto") == "1"}
	if saved := r.URL.Query().Get("saved"); saved != "" {
		if det, err := w.app.Cases.Get(r.Context(), v.Actor, saved); err == nil {
			d.Saved = &det.Case
		}
	}
	if v.Form == nil {
		v.Form = url.Values{"channel": {"hotline"}, "priority": {"normal"}, "case_number": {d.AddTo}}
	}
	v.Title, v.Active, v.Data = v.T("intake.title"), "intake", d
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "intake", status)
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

// formTime reads a datetime-local field in the service's zone.
func (w *Web) formTime(r *http.Request, name string) (time.Time, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, w.loc)
	if err != nil {
		return time.Time{}, fault.InvalidField(name, fault.BadFormat, s)
	}
	return t, nil
}

func (w *Web) intake(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.mayIntake(v); err != nil {
		return err
	}
	in := casework.ReportInput{
		Channel: casework.Channel(r.PostFormValue("channel")), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		ReporterName: r.PostFormValue("reporter_name"), ReporterPhone: r.PostFormValue("reporter_phone"),
		ReporterIDNumber: r.PostFormValue("reporter_id"), Address: r.PostFormValue("address"),
		DivisionCode: r.PostFormValue("division_code"), Nature: r.PostFormValue("nature"),
		CategoryID: formInt(r, "category_id"), Priority: casework.Priority(r.PostFormValue("priority")),
		CaseNumber: strings.TrimSpace(r.PostFormValue("case_number")), KeepSeparate: r.PostFormValue("keep_separate") != "",
		// The form's own token makes a double submission (a double click,
		// a resent form) return the first case.
		IdempotencyKey: "form:" + r.PostFormValue("form_id"), RequestHash: r.PostFormValue("form_id"),
	}
	if r.PostFormValue("form_id") == "" {
		in.IdempotencyKey, in.RequestHash = "", ""
	}
	var err error
	if in.OccurredAt, err = w.formTime(r, "occurred_at"); err == nil {
		err = w.readPoint(r, &in)
	}
	if err == nil {
		in.Attachments, err = w.readUploads(r, "files")
	}
	var res casework.IntakeResult
	if err == nil {
		res, err = w.app.Cases.Intake(r.Context(), v.Actor, in)
	}
	if err != nil {
		if v.Errors, err = formErrors(v, err); err != nil {
			return err
		}
		v.Form = r.PostForm
		return w.intakePage(rw, r, v)
	}
	to := "/intake?saved=" + url.QueryEscape(res.Case.Number)
	if res.MergedFrom != "" {
		to += "&from=" + url.QueryEscape(res.MergedFrom)
		if res.AutoMerged {
			to += "&auto=1"
		}
	}
	return redirect(rw, r, to, "") // the saved panel says which case it went to
}

var msgPoint = i18n.M("须为数字", "must be numbers")

// readPoint reads the map point. It leaves the division as the operator
// chose it: a point with none chosen is routing's to place (route.Locate:
// the district it falls in, made a township by the address), as the
// suggestion beside the form placed it. Filled in here, the point's
// district read as the operator's choice and stopped there.
func (w *Web) readPoint(r *http.Request, in *casework.ReportInput) error {
	lat, lon := strings.TrimSpace(r.PostFormValue("lat")), strings.TrimSpace(r.PostFormValue("lon"))
	if lat == "" && lon == "" {
		return nil
	}
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	if err1 != nil || err2 != nil {
		return fault.InvalidField("location", msgPoint)
	}
	in.Location = &casework.Point{Lat: la, Lon: lo}
	return nil
}

// queueTab is one tab of the work queue.
type queueTab struct {
	Key    string
	Label  string
	Count  int
	filter casework.Filter
}

func (w *Web) tabs(v *view) []queueTab {
	a := v.Actor
	var tabs []queueTab
	add := func(key string, f casework.Filter) {
		f.Sort = "due"
		tabs = append(tabs, queueTab{Key: key, Label: v.T("queue." + key), filter: f})
	}
	if a.Has(access.Handler) {
		add("sign", casework.Filter{States: []casework.State{casework.Dispatched}, UnitID: a.UnitID})
		add("handle", casework.Filter{States: []casework.State{casework.Handling}, UnitID: a.UnitID})
	}
	if a.HasAny(access.Intake, access.Dispatcher) {
		add("register", casework.Filter{States: []casework.State{casework.Received}})
	}
	if a.Has(access.Dispatcher) {
		add("dispatch", casework.Filter{States: []casework.State{casework.Registered}})
	}
	if a.HasAny(access.Intake, access.Dispatcher) {
		add("triage", casework.Filter{Triage: true, States: []casework.State{casework.Received, casework.Registered}})
	}
	if a.Has(access.Verifier) {
		add("verify", casework.Filter{States: []casework.State{casework.Reported}})
	}
	if a.Has(access.Callback) {
		add("callback", casework.Filter{States: []casework.State{casework.Verified}})
	}
	if a.HasAny(access.Dispatcher, access.Supervisor) {
		add("close", casework.Filter{States: []casework.State{casework.PendingClose}})
	}
	if a.Has(access.Supervisor) {
		add("extension", casework.Filter{States: []casework.State{casework.Handling}, PendingExtension: true})
		add("suspended", casework.Filter{States: []casework.State{casework.Suspended}})
	}
	return tabs
}

type queueData struct {
	Tabs   []queueTab
	Tab    string
	Cases  []casework.Case
	Next   string
	Signed int
	Failed []string
	Same   string // what every case of the tab shares (see sameIn)
}

// sameIn names what every case of a tab shares, which a phone's card of
// the case (template casetable) need not repeat: "unit" when the tab holds
// the user's own unit's cases, "state" when it holds cases of one state
// (the tab's name says it).
func sameIn(t queueTab, a access.Actor) string {
	var same []string
	if t.filter.UnitID != 0 && t.filter.UnitID == a.UnitID {
		same = append(same, "unit")
	}
	if len(t.filter.States) == 1 {
		same = append(same, "state")
	}
	return strings.Join(same, " ")
}

func (w *Web) queue(rw http.ResponseWriter, r *http.Request, v *view) error {
	tabs := w.tabs(v)
	if len(tabs) == 0 {
		return redirect(rw, r, "/search", "")
	}
	for i := range tabs {
		n, err := w.app.Cases.Count(r.Context(), v.Actor, tabs[i].filter)
		if err != nil {
			return err
		}
		tabs[i].Count = n
	}
	key := r.URL.Query().Get("tab")
	cur := tabs[0]
	for _, t := range tabs {
		if t.Key == key {
			cur = t
		}
	}
	f := cur.filter
	f.Cursor, f.Limit = r.URL.Query().Get("cursor"), 50
	page, err := w.app.Cases.List(r.Context(), v.Actor, f)
	if err != nil {
		return err
	}
	d := queueData{Tabs: tabs, Tab: cur.Key, Cases: page.Cases, Next: page.NextCursor, Same: sameIn(cur, v.Actor)}
	if s := r.URL.Query().Get("signed"); s != "" {
		d.Signed, _ = strconv.Atoi(s)
		d.Failed = strings.Split(r.URL.Query().Get("failed"), ",")
		if d.Failed[0] == "" {
			d.Failed = nil
		}
	}
	v.Title, v.Active, v.Data = v.T("queue.title"), "queue", d
	return w.render(rw, r, v, "queue", http.StatusOK)
}

// bulkSign signs for every chosen case; each is its own action, so one
// refusal does not stop the others.
func (w *Web) bulkSign(rw http.ResponseWriter, r *http.Request, v *view) error {
	if len(r.PostForm["case"]) == 0 {
		return redirect(rw, r, "/queue?tab=sign", "queue.none_ticked")
	}
	signed := 0
	var failed []string
	for _, n := range r.PostForm["case"] {
		if _, err := w.app.Cases.Do(r.Context(), v.Actor, n, casework.Sign, casework.ActionInput{}); err != nil {
			failed = append(failed, n)
			continue
		}
		signed++
	}
	q := url.Values{"tab": {"sign"}, "signed": {strconv.Itoa(signed)}, "failed": {strings.Join(failed, ",")}}
	return redirect(rw, r, "/queue?"+q.Encode(), "")
}

// actionForm is one allowed action with the fields it takes.
type actionForm struct {
	Action    casework.Action
	Fields    map[casework.Field]bool // field → required
	Danger    bool
	Multipart bool
}

type caseData struct {
	Detail   casework.Detail
	Timeline []casework.Entry // the newest timelineShown
	// TimelineOmitted counts the older entries, on the timeline's pages.
	TimelineOmitted int
	Orders          []supervision.Order
	Forms           []actionForm
	Choices         choices
	Revealed        map[string]string // "reportID/field" → value
	Open            string            // the action form to open (after an error)
	CanIssue        bool
	// Routing: the case awaits dispatch, so routing's suggestion (its
	// unit and why) is still to be acted on; once dispatched the timeline
	// says where it went.
	Routing bool
	// Suggested is routing's unit, chosen in the dispatch form unless the
	// user chose another (while Routing).
	Suggested string
	// MayUnmerge: the cases merged into this one are to be taken out, if
	// wrongly merged, by this user (the case is open, and the user holds a
	// role that undoes merges).
	MayUnmerge bool
	// MergeHint fills the merge form's target (?into=, from a repeat
	// candidate), which then opens.
	MergeHint string
	// Repeats are the open cases this one may repeat, when the user may
	// merge it (Mergeable); each links to the merge form filled with it.
	Repeats   []dedup.Candidate
	Mergeable bool
	// Petition is the petition's repeat counts and 复查/复核 chain (nil
	// for other cases).
	Petition *casework.PetitionView
}

func (d caseData) revealed(id int64, field string) string {
	return d.Revealed[fmt.Sprint(id, "/", field)]
}

// formsFor lists the forms of the actions the table allows the actor now,
// with the union of the fields of the rows for each.
func formsFor(d casework.Detail) []actionForm {
	var out []actionForm
	for _, a := range d.Allowed {
		f := actionForm{Action: a, Fields: map[casework.Field]bool{}}
		for _, t := range casework.Rows(d.Case.State, a) {
			for _, x := range t.Optional {
				if _, seen := f.Fields[x]; !seen {
					f.Fields[x] = false
				}
			}
			for _, x := range t.Required {
				f.Fields[x] = true
			}
		}
		if _, ok := f.Fields[casework.FNote]; !ok {
			f.Fields[casework.FNote] = false
		}
		f.Multipart = f.Fields[casework.FEvidence] || hasKey(f.Fields, casework.FEvidence)
		switch a {
		case casework.Reject, casework.Return, casework.Rework, casework.Rehandle, casework.DenyExtension, casework.Suspend,
			casework.Merge:
			f.Danger = true
		}
		out = append(out, f)
	}
	return out
}

// undoesMerges reports whether the actor holds a role that may take a
// merged case out of the case it was merged into.
func undoesMerges(a access.Actor) bool {
	for _, t := range casework.Rows(casework.Merged, casework.Unmerge) {
		if slices.ContainsFunc(t.Roles, a.Has) {
			return true
		}
	}
	return false
}

// Takes reports whether the action takes a field.
func (f actionForm) Takes(name string) bool { return hasKey(f.Fields, casework.Field(name)) }

// Needs reports whether the action requires a field.
func (f actionForm) Needs(name string) bool { return f.Fields[casework.Field(name)] }

func hasKey(m map[casework.Field]bool, k casework.Field) bool {
	_, ok := m[k]
	return ok
}

func (w *Web) caseData(r *http.Request, v *view, number string) (caseData, error) {
	d, err := w.app.Cases.Get(r.Context(), v.Actor, number)
	if err != nil {
		return caseData{}, err
	}
	tl, older, err := w.app.Cases.TimelineShown(r.Context(), v.Actor, number, timelineShown)
	if err != nil {
		return caseData{}, err
	}
	orders, err := w.app.Supervision.Ledger(r.Context(), v.Actor, supervision.Filter{CaseNumber: number, Limit: 200})
	if err != nil {
		return caseData{}, err
	}
	cd := caseData{Detail: d, Timeline: tl, TimelineOmitted: older, Orders: orders, Forms: formsFor(d), Choices: w.choices(v),
		Revealed: map[string]string{}, CanIssue: v.Actor.Has(access.Supervisor) && d.Case.State.Open()}
	cd.Routing = d.Case.State == casework.Received || d.Case.State == casework.Registered
	if cd.Routing && d.Case.RouteUnitID != 0 {
		cd.Suggested = strconv.FormatInt(d.Case.RouteUnitID, 10)
	}
	cd.MayUnmerge = d.Case.State.Open() && undoesMerges(v.Actor)
	if cd.Mergeable = slices.Contains(d.Allowed, casework.Merge); cd.Mergeable {
		if into := strings.TrimSpace(r.URL.Query().Get("into")); into != "" {
			cd.MergeHint, cd.Open = into, string(casework.Merge)
		}
		if cd.Repeats, err = w.app.Cases.RepeatsOf(r.Context(), v.Actor, d, v.Lang); err != nil {
			return caseData{}, err
		}
	}
	if cd.Petition, err = w.app.Cases.PetitionOf(r.Context(), v.Actor, number); err != nil {
		return caseData{}, err
	}
	return cd, nil
}

func (w *Web) casePage(rw http.ResponseWriter, r *http.Request, v *view) error {
	d, err := w.caseData(r, v, r.PathValue("number"))
	if err != nil {
		return err
	}
	return w.renderCase(rw, r, v, d, http.StatusOK)
}

func (w *Web) renderCase(rw http.ResponseWriter, r *http.Request, v *view, d caseData, status int) error {
	v.Title, v.Active, v.Data = d.Detail.Case.Number+" "+d.Detail.Case.Title, "search", d
	return w.render(rw, r, v, "case", status)
}

// caseAction performs a lifecycle action from its form.
func (w *Web) caseAction(rw http.ResponseWriter, r *http.Request, v *view) error {
	number, action := r.PathValue("number"), casework.Action(r.PathValue("action"))
	in := casework.ActionInput{Note: r.PostFormValue("note"), Reason: r.PostFormValue("reason"), UnitID: formInt(r, "unit_id"),
		Nature: r.PostFormValue("nature"), CategoryID: formInt(r, "category_id"), Priority: casework.Priority(r.PostFormValue("priority")),
		Satisfaction: r.PostFormValue("satisfaction"), Into: strings.TrimSpace(r.PostFormValue("into")),
		ExpectedVersion: int(formInt(r, "version"))}
	switch r.PostFormValue("resolved") {
	case "yes":
		t := true
		in.Resolved = &t
	case "no":
		f := false
		in.Resolved = &f
	}
	var err error
	if in.DueAt, err = w.formTime(r, "due_at"); err == nil {
		in.Evidence, err = w.readUploads(r, "evidence")
	}
	if err == nil {
		_, err = w.app.Cases.Do(r.Context(), v.Actor, number, action, in)
	}
	if err != nil {
		return w.caseFormError(rw, r, v, number, string(action), err)
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(number), "done."+string(action))
}

// reveal shows one personal field in full, once, and the audit log keeps
// that it was seen and by whom.
func (w *Web) reveal(rw http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("number")
	id, field := formInt(r, "report"), casework.PersonalField(r.PostFormValue("field"))
	value, err := w.app.Cases.RevealPersonal(r.Context(), v.Actor, id, field)
	if err != nil {
		return err
	}
	rw.Header().Set("Cache-Control", "no-store")
	if after := r.PostFormValue("after"); after != "" {
		// From a page of all the case's reports: back to that page.
		d, err := w.reportsData(r, v, number, after)
		if err != nil {
			return err
		}
		d.Revealed[fmt.Sprint(id, "/", field)] = value
		return w.renderReports(rw, r, v, d)
	}
	d, err := w.caseData(r, v, number)
	if err != nil {
		return err
	}
	d.Revealed[fmt.Sprint(id, "/", field)] = value
	return w.renderCase(rw, r, v, d, http.StatusOK)
}

// timelineShown is how much of a case's history its page shows: the
// newest entries; the whole is on the timeline's pages, timelinePage each.
const (
	timelineShown = 50
	timelinePage  = 100
)

// caseAttachments pages through all of a case's attachments, oldest
// first: the case's own page lists the newest only.
func (w *Web) caseAttachments(rw http.ResponseWriter, r *http.Request, v *view) error {
	var d struct {
		casework.AttachmentPage
		After int64
	}
	var err error
	if d.After, err = afterParam(r.URL.Query().Get("after")); err != nil {
		return err
	}
	if d.AttachmentPage, err = w.app.Cases.Attachments(r.Context(), v.Actor, r.PathValue("number"), d.After, 50); err != nil {
		return err
	}
	v.Title, v.Active, v.Data = d.Case.Number+" "+v.T("case.attachments"), "search", d
	return w.render(rw, r, v, "attachments", http.StatusOK)
}

// caseTimeline pages through a case's whole history, oldest first.
func (w *Web) caseTimeline(rw http.ResponseWriter, r *http.Request, v *view) error {
	var d struct {
		casework.EntryPage
		After int64
	}
	var err error
	if d.After, err = afterParam(r.URL.Query().Get("after")); err != nil {
		return err
	}
	if d.EntryPage, err = w.app.Cases.TimelinePage(r.Context(), v.Actor, r.PathValue("number"), d.After, timelinePage); err != nil {
		return err
	}
	v.Title, v.Active, v.Data = d.Case.Number+" "+v.T("case.timeline"), "search", d
	return w.render(rw, r, v, "timeline", http.StatusOK)
}

// reportsData is one page of all a case's reports.
type reportsData struct {
	Page     casework.ReportPage
	After    int64             // this page's cursor: the reports after this id
	Revealed map[string]string // "reportID/field" → value
}

func (d reportsData) revealed(id int64, field string) string {
	return d.Revealed[fmt.Sprint(id, "/", field)]
}

// caseReports pages through all of a case's reports, oldest first: the
// case's own page lists only the first and the newest.
func (w *Web) caseReports(rw http.ResponseWriter, r *http.Request, v *view) error {
	d, err := w.reportsData(r, v, r.PathValue("number"), r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	return w.renderReports(rw, r, v, d)
}

func (w *Web) reportsData(r *http.Request, v *view, number, after string) (reportsData, error) {
	d := reportsData{Revealed: map[string]string{}}
	var err error
	if d.After, err = afterParam(after); err != nil {
		return d, err
	}
	d.Page, err = w.app.Cases.Reports(r.Context(), v.Actor, number, d.After, 0)
	return d, err
}

// afterParam reads the ?after= of a page of a case's reports or history:
// the id of the last entry of the page before ("" for the first page).
func afterParam(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	after, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fault.InvalidField("after", msgBadCursor)
	}
	return after, nil
}

var msgBadCursor = i18n.M("页码无效", "not a page of this list")

func (w *Web) renderReports(rw http.ResponseWriter, r *http.Request, v *view, d reportsData) error {
	v.Title, v.Active, v.Data = d.Page.Case.Number+" "+v.T("case.reports"), "search", d
	return w.render(rw, r, v, "reports", http.StatusOK)
}

func (w *Web) upload(rw http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("number")
	if _, err := w.app.Cases.AttachUploads(r.Context(), v.Actor, number, "files",
		func() ([]*multipart.FileHeader, error) { return formFiles(r, "files"), nil }); err != nil {
		return w.caseFormError(rw, r, v, number, "", err)
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(number), "case.uploaded")
}

// download serves an attachment (casework.ServeAttachment).
func (w *Web) download(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNoPage()
	}
	a, content, err := w.app.Cases.AttachmentContent(r.Context(), v.Actor, id)
	if err != nil {
		return err
	}
	return casework.ServeAttachment(rw, a, content)
}

func (w *Web) link(rw http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("number")
	other := strings.TrimSpace(r.PostFormValue("case"))
	err, flash := error(nil), "case.linked"
	if r.PostFormValue("unlink") != "" {
		err, flash = w.app.Cases.Unlink(r.Context(), v.Actor, number, other), "case.unlinked"
	} else {
		err = w.app.Cases.Link(r.Context(), v.Actor, number, other, r.PostFormValue("kind"))
	}
	if err != nil {
		return w.caseFormError(rw, r, v, number, "", err)
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(number), flash)
}

func (w *Web) issueOrder(rw http.ResponseWriter, r *http.Request, v *view) error {
	number := r.PathValue("number")
	due, err := w.formTime(r, "reply_due_at")
	if err == nil {
		_, err = w.app.Supervision.Issue(r.Context(), v.Actor, number, supervision.IssueInput{
			Kind: supervision.Kind(r.PostFormValue("kind")), Reason: r.PostFormValue("reason"), ReplyDueAt: due})
	}
	if err != nil {
		return w.caseFormError(rw, r, v, number, "supervise", err)
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(number), "case.supervised")
}

func (w *Web) replyOrder(rw http.ResponseWriter, r *http.Request, v *view) error {
	o, err := w.app.Supervision.Reply(r.Context(), v.Actor, r.PathValue("order"), r.PostFormValue("reply"))
	if err != nil {
		return err
	}
	if to := r.PostFormValue("to"); to != "" { // the ledger's form comes back to the ledger
		return redirect(rw, r, safeNext(to), "case.replied")
	}
	return redirect(rw, r, "/cases/"+url.PathEscape(o.CaseNumber), "case.replied")
}

// searchFilter reads the search form.
func (w *Web) searchFilter(r *http.Request) (casework.Filter, error) {
	q := r.URL.Query()
	f := casework.Filter{Text: strings.TrimSpace(q.Get("q")), Channel: casework.Channel(q.Get("channel")),
		Priority: casework.Priority(q.Get("priority")), DivisionCode: q.Get("division"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	for _, s := range q["state"] {
		if s != "" {
			f.States = append(f.States, casework.State(s))
		}
	}
	for _, s := range q["status"] {
		if s != "" {
			f.Statuses = append(f.Statuses, deadline.Status(s))
		}
	}
	if n := q.Get("nature"); n != "" {
		f.Natures = []string{n}
	}
	f.CategoryID, _ = strconv.ParseInt(q.Get("category_id"), 10, 64)
	f.UnitID, _ = strconv.ParseInt(q.Get("unit_id"), 10, 64)
	var err error
	f.From, f.To, err = w.dayRange(q)
	return f, err
}

type searchData struct {
	Choices  choices
	Cases    []casework.Case
	Next     string
	Total    int
	More     bool         // more than Total match: the count stopped there
	Query    template.URL // the query string, for the export link and paging
	Searched bool
}

func (w *Web) search(rw http.ResponseWriter, r *http.Request, v *view) error {
	if !v.Actor.CaseWorker() {
		return fault.New(fault.Forbidden, "forbidden", msgNoCases)
	}
	d := searchData{Choices: w.choices(v)}
	v.Form = r.URL.Query()
	f, err := w.searchFilter(r)
	if err == nil {
		f.Limit = 50
		var page casework.Page
		if page, err = w.app.Cases.List(r.Context(), v.Actor, f); err == nil {
			// A case number (the list looks it up by number) goes
			// straight to its page.
			if q, perr := search.Parse(f.Text); perr == nil && len(page.Cases) == 1 {
				if n, ok := q.CaseNumber(); ok && n == page.Cases[0].Number {
					return redirect(rw, r, "/cases/"+url.PathEscape(n), "")
				}
			}
			d.Cases, d.Next, d.Searched = page.Cases, page.NextCursor, true
			count := f
			count.Cursor = ""
			d.Total, d.More, err = w.app.Cases.CountUpTo(r.Context(), v.Actor, count, searchCountMax)
		}
	}
	if err != nil {
		if v.Errors, err = formErrors(v, err); err != nil {
			return err
		}
	}
	d.Query = pageQuery(r.URL.Query(), "cursor")
	v.Title, v.Active, v.Data = v.T("search.title"), "search", d
	return w.render(rw, r, v, "search", http.StatusOK)
}

// searchCountMax is where the search page stops counting ("10000+ cases"):
// an exact count of a word every address contains would read the whole
// index.
const searchCountMax = 10000

var msgNoCases = i18n.M("当前账号不办理案件", "this account does not work on cases")

// exportMax bounds one export.
const exportMax = 10000

// exportCases writes the search result as CSV or XLSX (by the path's
// extension), up to exportMax rows; the export is audited.
func (w *Web) exportCases(rw http.ResponseWriter, r *http.Request, v *view) error {
	if !v.Actor.CaseWorker() {
		return fault.New(fault.Forbidden, "forbidden", msgNoCases)
	}
	f, err := w.searchFilter(r)
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = 200, ""
	var rows []casework.Case
	for len(rows) < exportMax {
		page, err := w.app.Cases.List(r.Context(), v.Actor, f)
		if err != nil {
			return err
		}
		rows = append(rows, page.Cases...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	if len(rows) > exportMax {
		rows = rows[:exportMax]
	}
	if err := w.app.Cases.RecordExport(r.Context(), v.Actor, r.URL.RawQuery, len(rows)); err != nil {
		return err
	}
	return writeTable(rw, r, "pingan-cases-"+v.Now.In(w.loc).Format("20060102-1504"), casesTable(v, w.loc, rows))
}

// casesTable is a list of cases as an export: personal data is never in it.
func casesTable(v *view, loc *time.Location, cases []casework.Case) table {
	t := table{Sheet: v.T("search.title")}
	for _, h := range []string{"number", "title", "state", "deadline_status", "nature", "category", "priority", "channel",
		"handling_unit", "division", "address", "received_at", "deadline_at", "closed_at", "repeat_count"} {
		t.Header = append(t.Header, v.T("csv."+h))
	}
	for _, c := range cases {
		t.Rows = append(t.Rows, []any{c.Number, c.Title, v.StateName(c.State), v.StatusName(v.Status(c)), v.NatureName(c.Nature),
			v.CategoryPath(c.CategoryID), v.PriorityName(c.Priority), v.ChannelName(c.Channel), v.UnitName(c.HandlingUnitID),
			v.DivisionName(c.DivisionCode), c.Address, fmtTime(c.ReceivedAt, loc), fmtDeadline(c.DeadlineAt, loc), fmtTime(c.ClosedAt, loc),
			c.RepeatCount()})
	}
	return t
}

// fmtDeadline writes a deadline as the pages do (deadline.Text: one at
// midnight is the day before's 24:00); "" for none.
func fmtDeadline(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return deadline.Text(t, loc)
}

func fmtTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}
