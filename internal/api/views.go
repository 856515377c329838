package api

import (
	"encoding/json"
	"pingan/internal/directory"
	"pingan/internal/route"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// API response types. They are separate from the domain types so that the
// wire format changes only on purpose.

// UnitRef names a unit.
type UnitRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// UserRef names a user.
type UserRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// CategoryRef names a category with its path.
type CategoryRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name" doc:"in the language of the request (Accept-Language), Chinese where the category has no English name"`
	Path string `json:"path" doc:"names from the top level down, separated by ' / ', in the language of the request"`
}

// PolicyRef names the deadline policy that set a case's deadlines.
type PolicyRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name" doc:"in the reader's language"`
}

// Location is a WGS-84 point.
type Location struct {
	Lat float64 `json:"lat" doc:"latitude, WGS-84 unless crs says otherwise"`
	Lon float64 `json:"lon" doc:"longitude, WGS-84 unless crs says otherwise"`
	CRS string  `json:"crs,omitempty" doc:"wgs84 (default) or gcj02, the datum of 高德 and 腾讯 maps; pingan stores WGS-84"`
}

// Case is a case as lists show it.
type Case struct {
	Number           string         `json:"number" doc:"human-readable case number, e.g. XM-2026-000123"`
	Title            string         `json:"title"`
	State            casework.State `json:"state"`
	StateName        string         `json:"state_name"`
	Nature           *string        `json:"nature"`
	NatureName       string         `json:"nature_name,omitempty"`
	Category         *CategoryRef   `json:"category"`
	Priority         string         `json:"priority"`
	Channel          string         `json:"channel"`
	IntakeUnit       *UnitRef       `json:"intake_unit"`
	JurisdictionUnit *UnitRef       `json:"jurisdiction_unit"`
	HandlingUnit     *UnitRef       `json:"handling_unit"`
	Handler          *UserRef       `json:"handler"`
	DivisionCode     *string        `json:"division_code"`
	Address          string         `json:"address"`
	Location         *Location      `json:"location"`
	ReceivedAt       time.Time      `json:"received_at"`
	SignDueAt        *time.Time     `json:"sign_due_at" doc:"deadline to sign for a dispatched case"`
	DueAt            *time.Time     `json:"due_at" doc:"deadline to report back"`
	RequestedDueAt   *time.Time     `json:"requested_due_at" doc:"deadline asked for by a pending extension request"`
	SuspendedAt      *time.Time     `json:"suspended_at"`
	ClosedAt         *time.Time     `json:"closed_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
	Overdue          bool           `json:"overdue"`
	DeadlineStatus   string         `json:"deadline_status" enum:",green,yellow,red" doc:"colour of the running clock; empty when none runs"`
	DeadlineAt       *time.Time     `json:"deadline_at" doc:"the running deadline: accepting, signing for or handling"`
	WarnAt           *time.Time     `json:"warn_at" doc:"when the running clock turns yellow"`
	TimeLeft         *int64         `json:"time_left_seconds" doc:"seconds until the running deadline; negative when overdue"`
	AcceptDueAt      *time.Time     `json:"accept_due_at" doc:"deadline to register or reject the case while it waits to be accepted (立案期限): its policy's time to accept, from receipt"`
	Policy           *PolicyRef     `json:"deadline_policy"`
	ExtensionCount   int            `json:"extension_count"`
	ReportCount      int            `json:"report_count"`
	RepeatCount      int            `json:"repeat_count" doc:"reports after the first"`
	Satisfaction     *string        `json:"satisfaction"`
	Resolved         *bool          `json:"resolved"`
	Version          int            `json:"version" doc:"changes with every update; send it back as If-Match or version"`
	Routing          *Routing       `json:"routing,omitempty" doc:"where jurisdiction routing suggests the case go, and why"`
}

// Routing is routing's suggestion for a case.
type Routing struct {
	Unit        *UnitRef `json:"unit" doc:"the suggested unit; null when the case waits in triage"`
	Triage      bool     `json:"triage" doc:"the case waits for an operator to place or route it (分拣)"`
	Reason      string   `json:"reason,omitempty" enum:",no-area,ambiguous,no-rule,no-unit" doc:"why it waits in triage"`
	Area        string   `json:"area,omitempty" doc:"the division code routing placed it in"`
	Explanation string   `json:"explanation" doc:"the words or point that placed it and the rule that chose the unit"`
}

// CaseDetail is one case with everything in it.
type CaseDetail struct {
	Case
	AllowedActions     []casework.Action `json:"allowed_actions" doc:"what the caller may do now, from the lifecycle table"`
	CanAttach          bool              `json:"can_attach" doc:"whether the caller may add files now (POST /cases/{number}/attachments): a role that adds files, and the case not closed, rejected or merged"`
	Reports            []Report          `json:"reports" doc:"the first report and the newest, 20 at most; all of them: /cases/{number}/reports"`
	ReportsOmitted     int               `json:"reports_omitted" doc:"reports between the first and the newest that reports leaves out"`
	Attachments        []Attachment      `json:"attachments" doc:"the newest 20, oldest first; all of them: /cases/{number}/attachments"`
	AttachmentsOmitted int               `json:"attachments_omitted" doc:"older attachments attachments leaves out"`
	Links              []Link            `json:"links"`
	MergedInto         *string           `json:"merged_into" doc:"state merged: the number of the case that holds this one's reports"`
	Merged             []MergedCase      `json:"merged" doc:"cases merged into this one (并案), the newest 20; undo with their unmerge action"`
	MergedOmitted      int               `json:"merged_omitted" doc:"older merged cases merged leaves out; /cases/{number}/reports names each report's"`
}

// MergedCase is a case merged into another.
type MergedCase struct {
	Number  string `json:"number"`
	Title   string `json:"title"`
	Reports int    `json:"reports" doc:"its reports this case holds"`
}

// Reporter is who made a report; phone and ID number are masked.
type Reporter struct {
	Name        string `json:"name"`
	Phone       string `json:"phone" doc:"masked: first 3 and last 4 digits"`
	IDNumber    string `json:"id_number" doc:"masked: first 6 and last 4 characters"`
	HasPhone    bool   `json:"has_phone"`
	HasIDNumber bool   `json:"has_id_number"`
}

// Report is one contact.
type Report struct {
	ID           int64      `json:"id"`
	Channel      string     `json:"channel"`
	SourceRef    string     `json:"source_ref,omitempty"`
	Title        string     `json:"title"`
	Body         string     `json:"body"`
	Reporter     Reporter   `json:"reporter"`
	OccurredAt   *time.Time `json:"occurred_at"`
	ReceivedAt   time.Time  `json:"received_at"`
	Address      string     `json:"address"`
	Location     *Location  `json:"location"`
	DivisionCode *string    `json:"division_code"`
	IntakeUnit   *UnitRef   `json:"intake_unit"`
}

// Attachment is attachment metadata.
type Attachment struct {
	ID          int64     `json:"id"`
	ReportID    *int64    `json:"report_id"`
	TimelineID  *int64    `json:"timeline_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// Link is a related case.
type Link struct {
	Number    string         `json:"number"`
	Title     string         `json:"title"`
	State     casework.State `json:"state"`
	Kind      string         `json:"kind"`
	CreatedAt time.Time      `json:"created_at"`
}

// TimelineList is one page of a case's history, oldest first.
type TimelineList struct {
	Entries    []TimelineEntry `json:"entries"`
	NextCursor string          `json:"next_cursor,omitempty" doc:"pass as ?cursor= for the next page; absent on the last page"`
}

// TimelineEntry is one step of a case's history.
type TimelineEntry struct {
	ID         int64             `json:"id"`
	At         time.Time         `json:"at"`
	Actor      *UserRef          `json:"actor"`
	Unit       *UnitRef          `json:"unit"`
	Action     casework.Action   `json:"action"`
	ActionName string            `json:"action_name"`
	FromState  string            `json:"from_state"`
	ToState    casework.State    `json:"to_state"`
	Note       string            `json:"note"`
	Changes    map[string][2]any `json:"changes" doc:"field → [before, after]"`
}

// IntakeResponse answers a created report.
type IntakeResponse struct {
	Report Report     `json:"report"`
	Case   CaseDetail `json:"case"`
	// MergedFrom: the report opened this case, merged at once into Case
	// (case_number was given, or AutoMerged: a near-exact repeat).
	MergedFrom *string `json:"merged_from" doc:"the case the report opened, merged at once into case (undo with its unmerge action)"`
	AutoMerged bool    `json:"auto_merged" doc:"merged on its own as a near-exact repeat of an open case at the same place"`
}

// CaseList is one page of cases.
// ReportList is one page of a case's reports.
// AttachmentList is a page of a case's attachments.
type AttachmentList struct {
	Attachments []Attachment `json:"attachments"`
	NextCursor  string       `json:"next_cursor,omitempty" doc:"pass as ?cursor= for the next page; absent on the last page"`
}

// ReportList is a page of a case's reports.
type ReportList struct {
	Reports    []ListedReport `json:"reports"`
	NextCursor string         `json:"next_cursor,omitempty" doc:"pass as ?cursor= for the next page; absent on the last page"`
}

// ListedReport is a report on a page of its case's reports.
type ListedReport struct {
	Report
	MergedFrom *string `json:"merged_from" doc:"the case it came in as, merged into this one since (并案); null if it came in here"`
}

type CaseList struct {
	Cases      []Case `json:"cases"`
	NextCursor string `json:"next_cursor,omitempty" doc:"pass as ?cursor= for the next page; absent on the last page"`
}

// Unit is an organisation unit.
type Unit struct {
	ID           int64      `json:"id"`
	ParentID     *int64     `json:"parent_id"`
	Code         string     `json:"code"`
	Name         string     `json:"name"`
	Kind         org.Kind   `json:"kind"`
	Level        org.Level  `json:"level"`
	DivisionCode *string    `json:"division_code"`
	Depth        int        `json:"depth"`
	RetiredAt    *time.Time `json:"retired_at"`
}

// UnitList lists units in tree order.
type UnitList struct {
	Units []Unit `json:"units"`
}

// Nature is a nature of matters.
type Nature struct {
	Code      string         `json:"code"`
	Family    catalog.Family `json:"family"`
	Name      string         `json:"name"`
	NameEN    string         `json:"name_en"`
	Sort      int            `json:"sort"`
	RetiredAt *time.Time     `json:"retired_at"`
}

// NatureList lists natures.
type NatureList struct {
	Natures []Nature `json:"natures"`
}

// Category is a catalogue node.
type Category struct {
	ID        int64          `json:"id"`
	ParentID  *int64         `json:"parent_id"`
	Code      string         `json:"code"`
	Domain    catalog.Domain `json:"domain"`
	Level     int            `json:"level"`
	Name      string         `json:"name"`
	NameEN    string         `json:"name_en"`
	Path      string         `json:"path" doc:"names from the top level down, separated by ' / ', in the language of the request"`
	Sort      int            `json:"sort"`
	RetiredAt *time.Time     `json:"retired_at"`
	// Escalation is the category's own rule of 提级管辖; null inherits the
	// parent's (at the top, 3 reports in 30 days).
	Escalation *catalog.Escalation `json:"escalation" doc:"own 提级管辖 rule: reports within days raise the case one level; reports 0 never; null inherits"`
}

// CategoryList lists categories in code order.
type CategoryList struct {
	Categories []Category `json:"categories"`
}

// Me describes the caller.
type Me struct {
	ID       int64         `json:"id"`
	Username string        `json:"username"`
	Name     string        `json:"name"`
	Unit     UnitRef       `json:"unit"`
	Roles    []access.Role `json:"roles"`
	ScopeAll bool          `json:"scope_all" doc:"sees every unit's cases"`
	Scope    []int64       `json:"scope_unit_ids" doc:"units whose cases the caller sees, when not scope_all"`
}

// AuditRecord is one audit log record.
type AuditRecord struct {
	ID         int64           `json:"id"`
	Chain      string          `json:"chain" doc:"the writer lane's hash chain the record belongs to"`
	Seq        int64           `json:"seq" doc:"position in its chain"`
	At         time.Time       `json:"at"`
	ActorID    *int64          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	UnitID     *int64          `json:"unit_id"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Outcome    string          `json:"outcome"`
	Detail     json.RawMessage `json:"detail"`
	RemoteAddr string          `json:"remote_addr"`
	Hash       string          `json:"hash"`
}

// AuditList is a page of the audit log, newest first.
type AuditList struct {
	Records    []AuditRecord `json:"records"`
	NextBefore int64         `json:"next_before,omitempty" doc:"pass as ?before= for older records"`
}

// AuditVerification is the result of checking the hash chains.
type AuditVerification struct {
	Intact   bool        `json:"intact"`
	Records  int64       `json:"records"`
	Chains   []AuditHead `json:"chains" doc:"each chain's head: keep them elsewhere to prove later that nothing before them was rewritten"`
	Problem  string      `json:"problem,omitempty" doc:"the first break"`
	BrokenAt int64       `json:"broken_at,omitempty" doc:"id of the first broken record"`
	Kind     string      `json:"kind,omitempty" enum:"altered,removed,inserted"`
	Broken   int         `json:"broken_chains"`
}

// AuditHead is a chain's newest record.
type AuditHead struct {
	Chain string `json:"chain"`
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"`
}

// Revealed is a revealed personal field.
type Revealed struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Lifecycle publishes the lifecycle table.
type Lifecycle struct {
	States      []NamedCode      `json:"states"`
	Actions     []NamedCode      `json:"actions"`
	Transitions []TransitionView `json:"transitions"`
}

// NamedCode is a code with its name.
type NamedCode struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// TransitionView is one row of the lifecycle table.
type TransitionView struct {
	Action   casework.Action    `json:"action"`
	From     []casework.State   `json:"from"`
	To       string             `json:"to" doc:"the next state; empty: unchanged; <previous>: the state before suspension"`
	Roles    []access.Role      `json:"roles"`
	Who      string             `json:"who" enum:"in_scope,handling_unit,outside_handling_unit"`
	Guard    casework.GuardName `json:"guard,omitempty" doc:"a condition on the case beyond its state: no_pending_extension, pending_extension, classified (nature and category set — by the action's own input when it takes them), holder_open (unmerge: the case it joined, and any holding its reports, still open — a closed case's record is final)"`
	Required []casework.Field   `json:"required"`
	Optional []casework.Field   `json:"optional"`
}

func ptrTime(t time.Time, loc *time.Location) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.In(loc)
	return &t
}

func ptrStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ptrID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func unitRef(n *directory.Names, id int64) *UnitRef {
	if id == 0 {
		return nil
	}
	u, ok := n.Units[id]
	if !ok {
		return &UnitRef{ID: id}
	}
	return &UnitRef{ID: id, Code: u.Code, Name: u.Name}
}

func userRef(n *directory.Names, id int64) *UserRef {
	if id == 0 {
		return nil
	}
	return &UserRef{ID: id, Name: n.Users[id]}
}

func location(p *casework.Point) *Location {
	if p == nil {
		return nil
	}
	return &Location{Lat: p.Lat, Lon: p.Lon}
}

func stateLabel(s casework.State, lang i18n.Lang) string {
	for _, x := range casework.States {
		if x.State == s {
			return x.Name.Format(lang)
		}
	}
	return string(s)
}

func (a *API) caseView(n *directory.Names, c casework.Case, lang i18n.Lang, now time.Time) Case {
	loc := a.loc
	v := Case{
		Number: c.Number, Title: c.Title, State: c.State, StateName: stateLabel(c.State, lang),
		Nature: ptrStr(c.Nature), Priority: string(c.Priority), Channel: string(c.Channel),
		IntakeUnit: unitRef(n, c.IntakeUnitID), JurisdictionUnit: unitRef(n, c.JurisdictionUnitID),
		HandlingUnit: unitRef(n, c.HandlingUnitID), Handler: userRef(n, c.HandlerID),
		DivisionCode: ptrStr(c.DivisionCode), Address: c.Address, Location: location(c.Location),
		ReceivedAt: c.ReceivedAt.In(loc), SignDueAt: ptrTime(c.SignDueAt, loc), DueAt: ptrTime(c.DueAt, loc),
		RequestedDueAt: ptrTime(c.RequestedDueAt, loc), SuspendedAt: ptrTime(c.SuspendedAt, loc),
		ClosedAt: ptrTime(c.ClosedAt, loc), UpdatedAt: c.UpdatedAt.In(loc), Overdue: c.Overdue(now),
		DeadlineStatus: string(c.Status(now)), DeadlineAt: ptrTime(c.DeadlineAt, loc), WarnAt: ptrTime(c.WarnAt, loc),
		AcceptDueAt:    ptrTime(c.AcceptDueAt, loc),
		ExtensionCount: c.ExtensionCount, ReportCount: c.ReportCount, RepeatCount: c.RepeatCount(),
		Satisfaction: ptrStr(c.Satisfaction), Resolved: c.Resolved, Version: c.Version,
	}
	if nat, ok := n.Natures[c.Nature]; ok {
		v.NatureName = nat.Label(lang)
	}
	if !c.DeadlineAt.IsZero() {
		left := int64(c.DeadlineAt.Sub(now).Seconds())
		v.TimeLeft = &left
	}
	if p, ok := n.Policies[c.PolicyID]; ok {
		v.Policy = &PolicyRef{ID: p.ID, Name: p.Label().Format(lang)}
	}
	if cat, ok := n.Cats[c.CategoryID]; ok {
		v.Category = &CategoryRef{ID: cat.ID, Code: cat.Code, Name: cat.Label(lang), Path: n.CategoryPath(cat.ID, lang)}
	}
	if c.Route.AreaCode != "" || c.Route.Triage || c.RouteUnitID != 0 {
		v.Routing = &Routing{Unit: unitRef(n, c.RouteUnitID), Triage: c.Triage, Reason: c.Route.Reason, Area: c.Route.AreaCode,
			Explanation: route.Explain(c.Route, lang, n.UnitName)}
	}
	return v
}

func (a *API) reportView(n *directory.Names, r casework.Report) Report {
	return Report{
		ID: r.ID, Channel: string(r.Channel), SourceRef: r.SourceRef, Title: r.Title, Body: r.Body,
		Reporter: Reporter{Name: r.ReporterName, Phone: r.PhoneMasked, IDNumber: r.IDMasked,
			HasPhone: r.HasPhone, HasIDNumber: r.HasIDNumber},
		OccurredAt: ptrTime(r.OccurredAt, a.loc), ReceivedAt: r.ReceivedAt.In(a.loc), Address: r.Address,
		Location: location(r.Location), DivisionCode: ptrStr(r.DivisionCode), IntakeUnit: unitRef(n, r.IntakeUnitID),
	}
}

func (a *API) attachmentView(at casework.Attachment) Attachment {
	return Attachment{ID: at.ID, ReportID: ptrID(at.ReportID), TimelineID: ptrID(at.TimelineID), Name: at.Name,
		ContentType: at.ContentType, Size: at.Size, SHA256: at.SHA256, CreatedAt: at.CreatedAt.In(a.loc)}
}

func (a *API) detailView(n *directory.Names, d casework.Detail, lang i18n.Lang, now time.Time) CaseDetail {
	v := CaseDetail{Case: a.caseView(n, d.Case, lang, now), AllowedActions: d.Allowed, CanAttach: d.CanAttach, ReportsOmitted: d.ReportsOmitted, MergedOmitted: d.MergedOmitted,
		AttachmentsOmitted: d.AttachmentsOmitted,
		Reports:            []Report{}, Attachments: []Attachment{}, Links: []Link{}, MergedInto: ptrStr(d.MergedInto), Merged: []MergedCase{}}
	for _, m := range d.Merged {
		v.Merged = append(v.Merged, MergedCase{Number: m.Number, Title: m.Title, Reports: m.Reports})
	}
	if v.AllowedActions == nil {
		v.AllowedActions = []casework.Action{}
	}
	for _, r := range d.Reports {
		v.Reports = append(v.Reports, a.reportView(n, r))
	}
	for _, at := range d.Attachments {
		v.Attachments = append(v.Attachments, a.attachmentView(at))
	}
	for _, l := range d.Links {
		v.Links = append(v.Links, Link{Number: l.Number, Title: l.Title, State: l.State, Kind: l.Kind,
			CreatedAt: l.CreatedAt.In(a.loc)})
	}
	return v
}

func unitView(u org.Unit, loc *time.Location) Unit {
	return Unit{ID: u.ID, ParentID: ptrID(u.ParentID), Code: u.Code, Name: u.Name, Kind: u.Kind, Level: u.Level,
		DivisionCode: ptrStr(u.DivisionCode), Depth: u.Depth(), RetiredAt: ptrTime(u.RetiredAt, loc)}
}

func natureView(x catalog.Nature, loc *time.Location) Nature {
	return Nature{Code: x.Code, Family: x.Family, Name: x.Name, NameEN: x.NameEN, Sort: x.Sort,
		RetiredAt: ptrTime(x.RetiredAt, loc)}
}

func categoryView(n *directory.Names, c catalog.Category, lang i18n.Lang, loc *time.Location) Category {
	path := c.Label(lang)
	if n != nil {
		path = n.CategoryPath(c.ID, lang)
	}
	return Category{ID: c.ID, ParentID: ptrID(c.ParentID), Code: c.Code, Domain: c.Domain, Level: c.Level,
		Name: c.Name, NameEN: c.NameEN, Path: path, Sort: c.Sort, RetiredAt: ptrTime(c.RetiredAt, loc), Escalation: c.Escalation}
}

func auditView(r audit.Record, loc *time.Location) AuditRecord {
	detail := json.RawMessage(r.Detail)
	return AuditRecord{ID: r.ID, Chain: r.Chain, Seq: r.Seq, At: r.At.In(loc), ActorID: ptrID(r.ActorID), ActorName: r.ActorName,
		UnitID: ptrID(r.UnitID), Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID,
		Outcome: r.Outcome, Detail: detail, RemoteAddr: r.RemoteAddr, Hash: r.Hash}
}
