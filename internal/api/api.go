// Package api is pingan's JSON API under /api/v1: intake, cases and their
// lifecycle actions, the organisation, the catalogue and the audit log.
// Every route is listed once, in routes(); the OpenAPI document is generated
// from that list, and errors are RFC 9457 problem JSON.
package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"pingan/internal/directory"
	"slices"
	"strings"
	"sync"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/calendar"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/dedup"
	"pingan/internal/fault"
	"pingan/internal/hot"
	"pingan/internal/i18n"
	"pingan/internal/notify"
	"pingan/internal/org"
	routing "pingan/internal/route"
	"pingan/internal/supervision"
)

// Deps are what the API needs.
type Deps struct {
	DB       *db.DB
	Org      *org.Service
	Auth     *auth.Service
	Catalog  *catalog.Service
	Cases    *casework.Service
	Audit    *audit.Log
	Calendar *calendar.Service
	Policies *deadline.Service
	Super    *supervision.Service
	Notify   *notify.Service
	Repeats  *dedup.Service
	Hot      *hot.Service
	Route    *routing.Service
	// Directory names things in responses; nil makes a private one.
	Directory *directory.Directory
	Log       *slog.Logger
	Location  *time.Location
	Now       func() time.Time
}

// API serves /api/v1.
type API struct {
	db    *db.DB
	org   *org.Service
	auth  *auth.Service
	cat   *catalog.Service
	cases *casework.Service
	audit *audit.Log
	cal   *calendar.Service
	pol   *deadline.Service
	sup   *supervision.Service
	ntf   *notify.Service
	rep   *dedup.Service
	hot   *hot.Service
	route *routing.Service
	log   *slog.Logger
	loc   *time.Location
	now   func() time.Time
	dir   *directory.Directory

	// openAPIDoc renders the OpenAPI document once.
	openAPIDoc func() ([]byte, error)
}

// New returns the API.
func New(d Deps) *API {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	a := &API{db: d.DB, org: d.Org, auth: d.Auth, cat: d.Catalog, cases: d.Cases, audit: d.Audit, cal: d.Calendar, pol: d.Policies,
		sup: d.Super, ntf: d.Notify, rep: d.Repeats, hot: d.Hot, route: d.Route, log: d.Log, loc: d.Location, now: d.Now,
		dir: d.Directory}
	if a.dir == nil {
		a.dir = directory.New(d.Org, d.Catalog, d.Policies)
	}
	a.openAPIDoc = sync.OnceValues(func() ([]byte, error) { return json.MarshalIndent(a.OpenAPI(), "", "  ") })
	return a
}

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Route is one API endpoint with what the OpenAPI document says about it.
type Route struct {
	Method  string
	Path    string // under Prefix, with {name} parameters
	Summary string
	Tag     string
	Public  bool         // no token needed
	Query   []QueryParam // documented query parameters
	Needs   []string     // the query parameters a request must have
	Body    any          // request body type, nil for none
	Files   string       // the request is a multipart form carrying files in this field, instead of Body
	Resp    any          // response body type, nil for none
	File    bool         // the response is a file's content, instead of Resp
	Status  int          // success status
	Also    []int        // other success statuses, with the same body (202 for a request still pending)
	Handle  handlerFunc
}

// QueryParam documents a query parameter.
type QueryParam struct {
	Name, Type, Doc string
}

// Handler returns the API's HTTP handler.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.Routes() {
		h := rt.Handle
		public := rt.Public
		mux.HandleFunc(rt.Method+" "+Prefix+rt.Path, func(w http.ResponseWriter, r *http.Request) {
			if !public {
				actor, err := a.authenticate(r)
				if err != nil {
					writeError(w, r, a.log, err)
					return
				}
				r = r.WithContext(context.WithValue(r.Context(), actorKey{}, actor))
			}
			if err := h(w, r); err != nil {
				writeError(w, r, a.log, err)
			}
		})
	}
	// Anything else under the prefix is a problem document too: 405 with
	// the methods the path has (Allow), or 404.
	catchAll := Prefix + "/"
	mux.HandleFunc(catchAll, func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); m != r.Method && pattern != catchAll {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, r, a.log, fault.New(fault.Invalid, "method-not-allowed", msgNoMethod, r.Method, strings.Join(allow, ", ")))
			return
		}
		writeError(w, r, a.log, errNoRoute(r))
	})
	// Names, reasons and problems are written in the request's language
	// (langOf): a cache keeps one answer per language.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Language")
		mux.ServeHTTP(w, r)
	})
}

var (
	msgNoRoute   = i18n.M("没有这个接口：%s %s", "no such endpoint: %s %s")
	msgNoMethod  = i18n.M("此地址不接受 %s，可用：%s", "%s is not allowed here; use %s")
	msgNoToken   = i18n.M("需要 API 令牌：Authorization: Bearer pa_…", "an API token is required: Authorization: Bearer pa_…")
	msgBadQuery  = i18n.M("查询参数 %s 无效：%s", "query parameter %s is invalid: %s")
	msgBadHeader = i18n.M("请求头 %s 无效：%s", "header %s is invalid: %s")
)

// errNoRoute answers a request whose address names nothing: an unknown
// path, or a known one with an id that cannot be one.
func errNoRoute(r *http.Request) error {
	return fault.New(fault.NotFound, "no-such-route", msgNoRoute, r.Method, r.URL.Path)
}

type actorKey struct{}

func actorOf(r *http.Request) access.Actor {
	a, _ := r.Context().Value(actorKey{}).(access.Actor)
	return a
}

// bearer is the request's API token, "" if it has none.
func bearer(r *http.Request) string {
	// The scheme in any case (RFC 9110 §11.1).
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func (a *API) authenticate(r *http.Request) (access.Actor, error) {
	token := bearer(r)
	if token == "" {
		return access.Actor{}, fault.New(fault.Unauthorized, "unauthorized", msgNoToken)
	}
	actor, err := a.org.Authenticate(r.Context(), token)
	if err != nil {
		return access.Actor{}, err
	}
	actor.RemoteAddr = remoteHost(r)
	return actor, nil
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Routes lists every endpoint of the API: the whole surface in one place.
func (a *API) Routes() []Route {
	caseFilters := []QueryParam{
		{"q", "string", "full-text search over titles, addresses and report texts: space-separated terms, all must occur (a CJK term of one or two characters matches that character or word, a longer one exactly that substring); or a case number"},
		{"state", "string", "states, comma-separated: " + joinStates()},
		{"unit_id", "integer", "handling unit"},
		{"category_id", "integer", "category, including everything under it"},
		{"nature", "string", "natures, comma-separated"},
		{"channel", "string", "channel of the first report"},
		{"priority", "string", "normal, urgent or emergency"},
		{"division_code", "string", "administrative division code or prefix"},
		{"received_from", "string", "received on or after: YYYY-MM-DD (local) or RFC 3339"},
		{"received_to", "string", "received on or before: YYYY-MM-DD (that whole day) or before an RFC 3339 time"},
		{"overdue", "boolean", "only overdue (true) or only not overdue (false)"},
		{"status", "string", "colours of the running clock, comma-separated: green, yellow, red"},
		{"sort", "string", "-received (newest first, default) or due (nearest deadline first)"},
		{"cursor", "string", "next_cursor of the previous page"},
		{"limit", "integer", "page size, 1–200, default 50"},
	}
	return append([]Route{
		{Method: "GET", Path: "/openapi.json", Summary: "This API's OpenAPI 3 document", Tag: "meta", Public: true,
			Status: 200, Handle: a.openAPI},
		{Method: "GET", Path: "/me", Summary: "Who the token belongs to: unit, roles and scope", Tag: "meta",
			Resp: Me{}, Status: 200, Handle: a.me},
		{Method: "GET", Path: "/lifecycle", Summary: "The lifecycle table: states, actions, who may do what", Tag: "meta",
			Resp: Lifecycle{}, Status: 200, Handle: a.lifecycle},

		{Method: "POST", Path: "/reports", Summary: "Take in a report; opens a case, or adds to case_number. Send Idempotency-Key to make retries safe",
			Tag: "intake", Body: ReportRequest{}, Resp: IntakeResponse{}, Status: 201, Handle: a.createReport},
		{Method: "POST", Path: "/incidents", Summary: "The 110 incident feed: one JSON object per line (application/x-ndjson), each taken in on its own, idempotent on incident_no",
			Tag: "intake", Body: IncidentLine{}, Resp: FeedResult{}, Status: 200, Handle: a.incidents},
		{Method: "POST", Path: "/repeats", Summary: "Open cases a new report may repeat: same place, recent, similar words; with scores and reasons",
			Tag: "intake", Body: RepeatsRequest{}, Resp: RepeatsResponse{}, Status: 200, Handle: a.repeats},
		{Method: "GET", Path: "/hot", Summary: "Hot issues (热点问题): matters many people raised lately about one place or group, ranked by heat, with their cases",
			Tag: "supervision", Query: []QueryParam{{"days", "integer", "window: 7, 30 (default) or 90"}, {"division_code", "string", "only this district or street"},
				{"top", "integer", "how many issues (default 20, at most 100)"}},
			Resp: HotIssues{}, Status: 200, Handle: a.hotIssues},
		{Method: "POST", Path: "/reports/{id}/reveal", Summary: "Reveal a report's full phone or ID number (audited)",
			Tag: "intake", Body: RevealRequest{}, Resp: Revealed{}, Status: 200, Handle: a.reveal},

		{Method: "GET", Path: "/cases", Summary: "List cases in the caller's scope, filtered, one page at a time", Tag: "cases",
			Query: caseFilters, Resp: CaseList{}, Status: 200, Handle: a.listCases},
		{Method: "GET", Path: "/cases/{number}", Summary: "One case with its reports, attachments, links and the actions allowed now",
			Tag: "cases", Resp: CaseDetail{}, Status: 200, Handle: a.getCase},
		{Method: "GET", Path: "/cases/{number}/reports", Summary: "All of a case's reports, oldest first, one page at a time (the case itself lists its first and newest only)",
			Tag: "cases", Query: pageParams("reports", 50), Resp: ReportList{}, Status: 200, Handle: a.caseReports},
		{Method: "GET", Path: "/cases/{number}/attachments", Summary: "All of a case's attachments (of its reports and its history), oldest first, one page at a time (the case itself lists the newest only)",
			Tag: "cases", Query: pageParams("attachments", 50), Resp: AttachmentList{}, Status: 200, Handle: a.caseAttachments},
		{Method: "POST", Path: "/cases/{number}/attachments", Summary: "Add files to a case (multipart/form-data, up to 20 in the field files, each a photo, PDF, text or office document of at most 20 MB whose content matches its extension); each is recorded on the case's history",
			Tag: "cases", Files: "files", Resp: AttachmentList{}, Status: 201, Handle: a.addAttachments},
		{Method: "GET", Path: "/attachments/{id}", Summary: "An attachment's content, to a caller who can see its case (the read is audited): photos and PDFs inline, other files as a download",
			Tag: "cases", File: true, Status: 200, Handle: a.attachmentContent},
		{Method: "GET", Path: "/cases/{number}/timeline", Summary: "A case's history, oldest first, one page at a time", Tag: "cases",
			Query: pageParams("entries", 100), Resp: TimelineList{}, Status: 200, Handle: a.timeline},
		{Method: "GET", Path: "/cases/{number}/repeats", Summary: "Open cases this case may repeat (found from its first report, at its place, in the window before it came in), for merging it with the action merge; empty unless the caller may merge it now",
			Tag: "cases", Resp: RepeatsResponse{}, Status: 200, Handle: a.caseRepeats},
		{Method: "POST", Path: "/cases/{number}/actions/{action}", Summary: "Perform a lifecycle action (see /lifecycle for what each takes)",
			Tag: "cases", Body: ActionRequest{}, Resp: CaseDetail{}, Status: 200, Handle: a.doAction},
		{Method: "POST", Path: "/cases/{number}/links", Summary: "Link another case to this one", Tag: "cases",
			Body: LinkRequest{}, Resp: CaseDetail{}, Status: 200, Handle: a.link},
		{Method: "DELETE", Path: "/cases/{number}/links/{other}", Summary: "Remove a link between two cases", Tag: "cases",
			Resp: CaseDetail{}, Status: 200, Handle: a.unlink},

		{Method: "GET", Path: "/units", Summary: "All units in tree order", Tag: "organisation",
			Resp: UnitList{}, Status: 200, Handle: a.listUnits},
		{Method: "GET", Path: "/units/{id}", Summary: "One unit", Tag: "organisation", Resp: Unit{}, Status: 200, Handle: a.getUnit},
		{Method: "POST", Path: "/units", Summary: "Add a unit (system administrator)", Tag: "organisation",
			Body: UnitRequest{}, Resp: Unit{}, Status: 201, Handle: a.createUnit},
		{Method: "PUT", Path: "/units/{id}", Summary: "Change or move a unit (system administrator)", Tag: "organisation",
			Body: UnitRequest{}, Resp: Unit{}, Status: 200, Handle: a.updateUnit},
		{Method: "POST", Path: "/units/{id}/retire", Summary: "Retire a unit: it keeps its history, receives no new cases",
			Tag: "organisation", Resp: Unit{}, Status: 200, Handle: a.retireUnit(true)},
		{Method: "POST", Path: "/units/{id}/restore", Summary: "Bring a retired unit back", Tag: "organisation",
			Resp: Unit{}, Status: 200, Handle: a.retireUnit(false)},

		{Method: "GET", Path: "/natures", Summary: "Natures of matters", Tag: "catalogue", Resp: NatureList{}, Status: 200, Handle: a.listNatures},
		{Method: "POST", Path: "/natures", Summary: "Add a nature (system administrator)", Tag: "catalogue",
			Body: NatureRequest{}, Resp: Nature{}, Status: 201, Handle: a.createNature},
		{Method: "PUT", Path: "/natures/{code}", Summary: "Rename or re-sort a nature", Tag: "catalogue",
			Body: NatureRequest{}, Resp: Nature{}, Status: 200, Handle: a.updateNature},
		{Method: "POST", Path: "/natures/{code}/retire", Summary: "Retire a nature", Tag: "catalogue",
			Resp: Nature{}, Status: 200, Handle: a.retireNature(true)},
		{Method: "POST", Path: "/natures/{code}/restore", Summary: "Restore a nature", Tag: "catalogue",
			Resp: Nature{}, Status: 200, Handle: a.retireNature(false)},
		{Method: "GET", Path: "/categories", Summary: "The category catalogue in code order", Tag: "catalogue",
			Query: []QueryParam{{"include_retired", "boolean", "also list retired categories"}},
			Resp:  CategoryList{}, Status: 200, Handle: a.listCategories},
		{Method: "GET", Path: "/categories/{id}", Summary: "One category", Tag: "catalogue", Resp: Category{}, Status: 200, Handle: a.getCategory},
		{Method: "POST", Path: "/categories", Summary: "Add a category (system administrator)", Tag: "catalogue",
			Body: CategoryRequest{}, Resp: Category{}, Status: 201, Handle: a.createCategory},
		{Method: "PUT", Path: "/categories/{id}", Summary: "Rename or re-sort a category", Tag: "catalogue",
			Body: CategoryRequest{}, Resp: Category{}, Status: 200, Handle: a.updateCategory},
		{Method: "GET", Path: "/routing-rules", Summary: "Jurisdiction routing rules, retired ones included (system administrator)", Tag: "catalogue",
			Resp: RoutingRuleList{}, Status: 200, Handle: a.routingRules},
		{Method: "POST", Path: "/routing-rules", Summary: "Add a routing rule (system administrator); audited", Tag: "catalogue",
			Body: RoutingRuleRequest{}, Resp: RoutingRule{}, Status: 201, Handle: a.createRoutingRule},
		{Method: "PUT", Path: "/routing-rules/{id}", Summary: "Change a routing rule in place: what it matches, its unit, priority and deadline policy (system administrator); audited with the rule before and after", Tag: "catalogue",
			Body: RoutingRuleRequest{}, Resp: RoutingRule{}, Status: 200, Handle: a.updateRoutingRule},
		{Method: "POST", Path: "/routing-rules/{id}/retire", Summary: "Retire a routing rule (system administrator); audited", Tag: "catalogue",
			Resp: RoutingRule{}, Status: 200, Handle: a.retireRoutingRule(true)},
		{Method: "POST", Path: "/routing-rules/{id}/restore", Summary: "Bring a retired routing rule back (system administrator); audited", Tag: "catalogue",
			Resp: RoutingRule{}, Status: 200, Handle: a.retireRoutingRule(false)},
		{Method: "PUT", Path: "/categories/{id}/escalation", Summary: "Set a category's rule of 提级管辖 (system administrator)", Tag: "catalogue",
			Body: EscalationRequest{}, Resp: Category{}, Status: 200, Handle: a.setEscalation},
		{Method: "POST", Path: "/categories/{id}/retire", Summary: "Retire a category and everything under it", Tag: "catalogue",
			Resp: Category{}, Status: 200, Handle: a.retireCategory(true)},
		{Method: "POST", Path: "/categories/{id}/restore", Summary: "Restore a retired category", Tag: "catalogue",
			Resp: Category{}, Status: 200, Handle: a.retireCategory(false)},
		{Method: "DELETE", Path: "/categories/{id}", Summary: "Delete a category no case uses (otherwise retire it)", Tag: "catalogue",
			Status: 204, Handle: a.deleteCategory},

		{Method: "GET", Path: "/audit", Summary: "The audit log, newest first (audit administrator; the read is itself audited)", Tag: "audit",
			Query: []QueryParam{{"actor_id", "integer", "user"}, {"object_type", "string", "case, report, unit, category, nature, user"},
				{"object_id", "string", "case number or id"}, {"action", "string", "e.g. case.dispatch"},
				{"from", "string", "on or after (YYYY-MM-DD or RFC 3339)"}, {"to", "string", "before (YYYY-MM-DD: that whole day)"},
				{"before", "integer", "records older than this id (paging)"}, {"limit", "integer", "1–500, default 100"}},
			Resp: AuditList{}, Status: 200, Handle: a.listAudit},
		{Method: "POST", Path: "/audit/verify", Summary: "Verify the audit log's hash chain (audit administrator; the check is itself audited)",
			Tag: "audit", Resp: AuditVerification{}, Status: 200, Handle: a.verifyAudit},
	}, slices.Concat(a.calendarRoutes(), a.petitionRoutes(), a.resetRoutes(), a.tokenRoutes())...)
}

func joinStates() string {
	var s []string
	for _, x := range casework.States {
		s = append(s, string(x.State))
	}
	return strings.Join(s, ", ")
}

// requestHash identifies a request body for idempotency.
func requestHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// pageParams documents ?cursor= and ?limit= of a case's reports or
// timeline.
func pageParams(what string, def int) []QueryParam {
	return []QueryParam{{"cursor", "string", "next_cursor of the page before; absent for the first page"},
		{"limit", "integer", fmt.Sprintf("%s a page: 1–200, default %d", what, def)}}
}
