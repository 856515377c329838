// Package open311 serves the Open311 GeoReport v2 API
// (http://wiki.open311.org/GeoReport_v2) under /open311/v2: discovery, the
// service list and definitions (pingan's civic categories, each asking for
// the request's nature), posting service requests with an API key, reading
// them back one by one, by query or by the token a post returned, in JSON
// and XML. Other cities' apps and FixMyStreet-style front ends speak
// it. A request becomes a report on the Open311 channel and follows the
// same intake, routing and lifecycle as any other; reading requests back
// shows only those that came in through Open311, and nothing of the people
// who sent them.
package open311

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/db"
	"pingan/internal/directory"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// Prefix is where the API is served.
const Prefix = "/open311/v2"

// Deps are what the API needs.
type Deps struct {
	DB        *db.DB
	Cases     *casework.Service
	Catalog   *catalog.Service
	Org       *org.Service
	Directory *directory.Directory
	Log       *slog.Logger
	Location  *time.Location
	Now       func() time.Time
}

// API is the Open311 endpoint.
type API struct{ d Deps }

// New returns the Open311 API.
func New(d Deps) *API {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &API{d: d}
}

// Handler serves every Open311 route.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	// Documents are named with their format: requests.json, services.xml.
	byName := func(handlers map[string]func(http.ResponseWriter, *http.Request, string) (any, error)) http.HandlerFunc {
		return a.wrap(func(w http.ResponseWriter, r *http.Request, format string) (any, error) {
			name, _, _ := strings.Cut(r.PathValue("file"), ".")
			if h, ok := handlers[name]; ok {
				return h(w, r, format)
			}
			return nil, &apiError{http.StatusNotFound, "no such resource"}
		})
	}
	mux.HandleFunc("GET "+Prefix+"/{file}", byName(map[string]func(http.ResponseWriter, *http.Request, string) (any, error){
		"discovery": a.discovery, "services": a.services, "requests": a.query}))
	mux.HandleFunc("POST "+Prefix+"/{file}", byName(map[string]func(http.ResponseWriter, *http.Request, string) (any, error){
		"requests": a.post}))
	mux.HandleFunc("GET "+Prefix+"/services/{code}", a.wrap(a.definition))
	mux.HandleFunc("GET "+Prefix+"/requests/{id}", a.wrap(a.one))
	mux.HandleFunc("GET "+Prefix+"/tokens/{token}", a.wrap(a.token))
	mux.HandleFunc(Prefix+"/", a.wrap(func(http.ResponseWriter, *http.Request, string) (any, error) {
		return nil, &apiError{http.StatusNotFound, "no such resource"}
	}))
	return mux
}

// apiError is an Open311 error: an HTTP status and a description.
type apiError struct {
	Status      int
	Description string
}

func (e *apiError) Error() string { return e.Description }

type errorDoc struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type errorsDoc struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []errorDoc `xml:"error"`
}

// wrap decodes the format (json or xml, from the path's extension) and
// writes the handler's value or error in it.
func (a *API) wrap(h func(http.ResponseWriter, *http.Request, string) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		format := "json"
		for _, p := range []string{r.PathValue("file"), r.PathValue("code"), r.PathValue("id"), r.PathValue("token")} {
			if strings.HasSuffix(p, ".xml") {
				format = "xml"
			}
		}
		v, err := h(w, r, format)
		if err != nil {
			status, desc := a.errorOf(err)
			doc := []errorDoc{{Code: status, Description: desc}}
			a.write(w, format, status, doc, errorsDoc{Errors: doc})
			return
		}
		a.write(w, format, http.StatusOK, v, v)
	}
}

// errorOf maps an error to an HTTP status and a description (in Chinese
// and English: Open311 has no language negotiation).
func (a *API) errorOf(err error) (int, string) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status, ae.Description
	}
	if fe, ok := fault.As(err); ok {
		status := map[fault.Kind]int{fault.Invalid: 400, fault.NotFound: 404, fault.Forbidden: 403,
			fault.Unauthorized: 403, fault.Conflict: 400}[fe.Kind]
		if status != 0 {
			desc := fe.Msg.Format(i18n.EN, fe.Args...)
			for _, f := range fe.Fields {
				desc += "; " + strings.TrimPrefix(f.Field, "reporter.") + " " + f.Msg.Format(i18n.EN, f.Args...)
			}
			return status, desc
		}
	}
	a.d.Log.Error("open311", "err", err)
	return http.StatusInternalServerError, "internal error"
}

func (a *API) write(w http.ResponseWriter, format string, status int, jsonValue, xmlValue any) {
	if format == "xml" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		_ = enc.Encode(xmlValue)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(jsonValue)
}

// actor reads the api_key: a pingan API token of an account that may take
// reports in.
func (a *API) actor(ctx context.Context, key string) (access.Actor, error) {
	if key == "" {
		return access.Actor{}, &apiError{http.StatusForbidden, "api_key is required"}
	}
	actor, err := a.d.Org.Authenticate(ctx, key)
	if err != nil {
		return access.Actor{}, &apiError{http.StatusForbidden, "api_key is not valid"}
	}
	return actor, nil
}

// --- discovery -------------------------------------------------------------

type endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type discoveryDoc struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// changeset is when this API last changed.
const changeset = "2026-11-27T00:00:00Z"

func (a *API) discovery(w http.ResponseWriter, r *http.Request, _ string) (any, error) {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return discoveryDoc{Changeset: changeset, Contact: "厦门市12345政务服务便民热线中心",
		KeyService: "API keys are pingan API tokens, issued by the security administrator (管理 → 用户与权限)",
		Endpoints: []endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2", URL: scheme + "://" + r.Host + Prefix,
			Changeset: changeset, Type: "production", Formats: []string{"application/json", "text/xml"}}}}, nil
}

// --- services ----------------------------------------------------------------

type service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type servicesDoc struct {
	XMLName  xml.Name  `xml:"services"`
	Services []service `xml:"service"`
}

// service is the category of a service code: one of serviceList's, not a
// group of them or a retired one.
func (a *API) service(ctx context.Context, code string) (catalog.Category, error) {
	list, err := a.serviceList(ctx)
	if err != nil {
		return catalog.Category{}, err
	}
	if !slices.ContainsFunc(list, func(s service) bool { return s.ServiceCode == code }) {
		return catalog.Category{}, &apiError{http.StatusBadRequest, "service_code " + code + " is not a service (GET services.json lists them)"}
	}
	return a.d.Catalog.CategoryByCode(ctx, a.d.DB, code)
}

// serviceList is every active civic category that has no children: what a
// citizen reports.
func (a *API) serviceList(ctx context.Context) ([]service, error) {
	n, err := a.d.Directory.Get(ctx)
	if err != nil {
		return nil, err
	}
	parent := map[int64]bool{}
	for _, c := range n.CatList {
		if c.ParentID != 0 && c.Active() {
			parent[c.ParentID] = true
		}
	}
	var out []service
	for _, c := range n.CatList {
		if !c.Active() || c.Domain != catalog.Civic || parent[c.ID] {
			continue
		}
		group := c
		for group.ParentID != 0 {
			p, ok := n.Cats[group.ParentID]
			if !ok {
				break
			}
			group = p
		}
		// Every service asks for one attribute, the nature (see definition).
		out = append(out, service{ServiceCode: c.Code, ServiceName: c.Name, Description: n.CategoryPath(c.ID, i18n.ZH),
			Metadata: true, Type: "realtime", Group: group.Name})
	}
	return out, nil
}

func (a *API) services(w http.ResponseWriter, r *http.Request, format string) (any, error) {
	list, err := a.serviceList(r.Context())
	if err != nil {
		return nil, err
	}
	if format == "xml" {
		return servicesDoc{Services: list}, nil
	}
	return list, nil
}

type definitionDoc struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []attribute `json:"attributes" xml:"attributes>attribute"`
}

type attribute struct {
	Variable            bool    `json:"variable" xml:"variable"`
	Code                string  `json:"code" xml:"code"`
	Datatype            string  `json:"datatype" xml:"datatype"`
	Required            bool    `json:"required" xml:"required"`
	DatatypeDescription string  `json:"datatype_description" xml:"datatype_description"`
	Order               int     `json:"order" xml:"order"`
	Description         string  `json:"description" xml:"description"`
	Values              []value `json:"values" xml:"values>value"`
}

type value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// natureAttribute is the attribute every service asks for: the nature of
// the request (投诉, 求助…), as the intake desk asks. It is optional: the
// classifier suggests one when it is left out.
const natureAttribute = "nature"

// attributes are a service's attributes: the nature, among the civic
// (接诉即办) natures in force.
func (a *API) attributes(ctx context.Context) ([]attribute, error) {
	n, err := a.d.Directory.Get(ctx)
	if err != nil {
		return nil, err
	}
	nature := attribute{Variable: true, Code: natureAttribute, Datatype: "singlevaluelist", Order: 1,
		Description: "诉求性质 What kind of request is it?", Values: []value{}}
	for _, x := range n.NatList {
		if x.Active() && x.Family == catalog.Hotline {
			nature.Values = append(nature.Values, value{Key: x.Code, Name: x.Name + " " + x.Label(i18n.EN)})
		}
	}
	return []attribute{nature}, nil
}

func (a *API) definition(w http.ResponseWriter, r *http.Request, _ string) (any, error) {
	code := strings.TrimSuffix(strings.TrimSuffix(r.PathValue("code"), ".json"), ".xml")
	list, err := a.serviceList(r.Context())
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		if s.ServiceCode == code {
			attrs, err := a.attributes(r.Context())
			if err != nil {
				return nil, err
			}
			return definitionDoc{ServiceCode: code, Attributes: attrs}, nil
		}
	}
	return nil, &apiError{http.StatusNotFound, "no service " + code}
}

// --- requests ----------------------------------------------------------------

type postResult struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token" xml:"token"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"account_id"`
}

// notice tells the citizen what happens next.
const notice = "已受理，将按属地和职责派往承办单位办理，可凭编号查询进度。Received: it goes to the unit with jurisdiction; follow it by its id."

func (a *API) post(w http.ResponseWriter, r *http.Request, format string) (any, error) {
	if err := r.ParseForm(); err != nil {
		return nil, &apiError{http.StatusBadRequest, "the form could not be read"}
	}
	f := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	actor, err := a.actor(r.Context(), f("api_key"))
	if err != nil {
		return nil, err
	}
	code := f("service_code")
	if code == "" {
		return nil, &apiError{http.StatusBadRequest, "service_code is required"}
	}
	cat, err := a.service(r.Context(), code)
	if err != nil {
		return nil, err
	}
	// The token a post returns is the report's source id on the Open311
	// channel: stored with the report, in its transaction.
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	in := casework.ReportInput{Channel: "open311", SourceRef: token, CategoryID: cat.ID, Body: f("description"),
		MediaURL: f("media_url"), Address: f("address_string")}
	if nature := f("attribute[" + natureAttribute + "]"); nature != "" {
		attrs, err := a.attributes(r.Context())
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(attrs[0].Values, func(v value) bool { return v.Key == nature }) {
			return nil, &apiError{http.StatusBadRequest, "attribute[nature] " + nature + " is not one of the service definition's values"}
		}
		in.Nature = nature
	}
	if in.Address == "" {
		in.Address = f("address_id")
	}
	if lat, long := f("lat"), f("long"); lat != "" || long != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(long, 64)
		if err1 != nil || err2 != nil {
			return nil, &apiError{http.StatusBadRequest, "lat and long must be decimal degrees (WGS-84)"}
		}
		in.Location = &casework.Point{Lat: la, Lon: lo}
	}
	if in.Location == nil && in.Address == "" {
		return nil, &apiError{http.StatusBadRequest, "a location is required: lat and long, address_string or address_id"}
	}
	if in.Body == "" {
		// description is optional; intake needs a text: the service's
		// name, marked as having no description (the staff read it so,
		// and a request's view gives the description as posted: none).
		in.Title, in.Body = cat.Name, cat.Name+noDescription
	}
	in.ReporterName = personName(f("first_name"), f("last_name"))
	in.ReporterPhone = f("phone")
	// A device's repeated post of the same request is one report.
	if dev := f("device_id"); dev != "" {
		in.IdempotencyKey = "open311:" + dev + ":" + strconv.Itoa(len(in.Body)) + ":" + in.Body[:min(len(in.Body), 64)]
		in.RequestHash = r.PostForm.Encode()
	}
	res, err := a.d.Cases.Intake(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	var account *string
	if id := f("account_id"); id != "" {
		account = &id
	}
	// The request is the case the report opened, even when intake merged
	// it at once into the case it repeats. The token comes back as well
	// (the specification returns either; clients that poll tokens can).
	id := res.Case.Number
	if res.MergedFrom != "" {
		id = res.MergedFrom
	}
	out := []postResult{{ServiceRequestID: id, Token: res.Report.SourceRef, ServiceNotice: notice, AccountID: account}}
	return requests(format, out), nil
}

// personName writes a name the way its language does: 张 + 敏 → 张敏,
// john + smith → john smith.
func personName(first, last string) string {
	for _, r := range first + last {
		if r > unicode.MaxLatin1 {
			return last + first
		}
	}
	return strings.TrimSpace(first + " " + last)
}

type request struct {
	XMLName           xml.Name   `json:"-" xml:"request"`
	ServiceRequestID  string     `json:"service_request_id" xml:"service_request_id"`
	Status            string     `json:"status" xml:"status"`
	StatusNotes       string     `json:"status_notes" xml:"status_notes"`
	ServiceName       string     `json:"service_name" xml:"service_name"`
	ServiceCode       string     `json:"service_code" xml:"service_code"`
	Description       string     `json:"description" xml:"description"`
	AgencyResponsible string     `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string     `json:"service_notice" xml:"service_notice"`
	RequestedDatetime time.Time  `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   time.Time  `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  *time.Time `json:"expected_datetime" xml:"expected_datetime,omitempty"`
	Address           string     `json:"address" xml:"address"`
	AddressID         string     `json:"address_id" xml:"address_id"`
	Zipcode           string     `json:"zipcode" xml:"zipcode"`
	Lat               *float64   `json:"lat" xml:"lat,omitempty"`
	Long              *float64   `json:"long" xml:"long,omitempty"`
	MediaURL          string     `json:"media_url" xml:"media_url"`
}

// requestsDoc wraps a list of requests (as posted, as read, or a token's)
// in XML's service_requests element.
type requestsDoc[T any] struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []T      `xml:"request"`
}

// requests is a list of requests as the format answers it: the bare list in
// JSON, wrapped in service_requests in XML.
func requests[T any](format string, list []T) any {
	if format == "xml" {
		return requestsDoc[T]{Requests: list}
	}
	return list
}

// noDescription ends the text of a request posted without a description.
const noDescription = "（未填写描述）"

// reader reads cases for Open311: every case may be read, but the queries
// below only ever return those that came in through Open311.
var reader = access.System("open311")

// view is a case as an Open311 request; opening is the report it was
// opened with (the request as posted: its description and media_url).
func (a *API) view(ctx context.Context, c casework.Case, opening casework.Report) (request, error) {
	n, err := a.d.Directory.Get(ctx)
	if err != nil {
		return request{}, err
	}
	loc := a.d.Location
	description := opening.Body
	if strings.HasSuffix(description, noDescription) {
		description = "" // posted without one (see post)
	}
	v := request{ServiceRequestID: c.Number, Status: "open", Description: description, MediaURL: opening.MediaURL,
		ServiceNotice: notice, RequestedDatetime: c.ReceivedAt.In(loc), UpdatedDatetime: c.UpdatedAt.In(loc), Address: c.Address}
	if !c.State.Open() {
		v.Status = "closed"
	}
	switch c.State {
	case casework.Rejected:
		v.StatusNotes = "不予受理 rejected"
	case casework.Closed:
		v.StatusNotes = "已办结 closed"
	case casework.Merged:
		v.StatusNotes = "已并案 merged: handled with another request of the same matter"
	case casework.Received, casework.Registered:
		v.StatusNotes = "已受理 received"
	default:
		v.StatusNotes = "办理中 in progress"
	}
	if cat, ok := n.Cats[c.CategoryID]; ok {
		v.ServiceCode, v.ServiceName = cat.Code, cat.Name

	}
	if c.HandlingUnitID != 0 {
		v.AgencyResponsible = n.UnitName(c.HandlingUnitID)
	}
	if !c.DueAt.IsZero() {
		t := c.DueAt.In(loc)
		v.ExpectedDatetime = &t
	}
	if c.Location != nil {
		v.Lat, v.Long = &c.Location.Lat, &c.Location.Lon
	}
	return v, nil
}

// maxRequests bounds one query, as the specification suggests.
const maxRequests = 1000

// list splits a comma-delimited argument, which may also be given more
// than once (status=open,closed or status=open&status=closed).
func list(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for x := range strings.SplitSeq(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

func (a *API) query(w http.ResponseWriter, r *http.Request, format string) (any, error) {
	q := r.URL.Query()
	var cases []casework.Case
	if ids := list(q, "service_request_id"); len(ids) > 0 {
		for _, id := range ids {
			c, err := a.open311Case(r.Context(), id)
			if err != nil {
				continue // an id that is not an Open311 request is left out
			}
			cases = append(cases, c)
		}
	} else {
		f := casework.Filter{Channel: "open311", Limit: 200}
		now := a.d.Now()
		f.From, f.To = now.AddDate(0, 0, -90), now.Add(time.Second)
		for k, dst := range map[string]*time.Time{"start_date": &f.From, "end_date": &f.To} {
			if s := q.Get(k); s != "" {
				t, err := time.Parse(time.RFC3339, s)
				if err != nil {
					return nil, &apiError{http.StatusBadRequest, k + " must be a w3c datetime (RFC 3339)"}
				}
				*dst = t
			}
		}
		services := map[int64]bool{}
		for _, code := range list(q, "service_code") {
			cat, err := a.service(r.Context(), code)
			if err != nil {
				return nil, err
			}
			services[cat.ID] = true
		}
		if len(services) == 1 {
			for id := range services {
				f.CategoryID = id
			}
		}
		statuses := map[bool]bool{} // open → wanted
		for _, s := range list(q, "status") {
			if s != "open" && s != "closed" {
				return nil, &apiError{http.StatusBadRequest, "status must be open or closed (or both, comma delimited): " + s}
			}
			statuses[s == "open"] = true
		}
		for len(cases) < maxRequests {
			page, err := a.d.Cases.List(r.Context(), reader, f)
			if err != nil {
				return nil, err
			}
			for _, c := range page.Cases {
				if len(statuses) > 0 && !statuses[c.State.Open()] || len(services) > 1 && !services[c.CategoryID] {
					continue
				}
				cases = append(cases, c)
			}
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
		cases = cases[:min(len(cases), maxRequests)]
	}
	out, err := a.views(r.Context(), cases)
	if err != nil {
		return nil, err
	}
	return requests(format, out), nil
}

// open311Case finds a case by its number if it came in through Open311.
func (a *API) open311Case(ctx context.Context, number string) (casework.Case, error) {
	d, err := a.d.Cases.Get(ctx, reader, number)
	if err != nil || d.Case.Channel != "open311" {
		return casework.Case{}, &apiError{http.StatusNotFound, "no service request " + number}
	}
	return d.Case, nil
}

// views are cases as Open311 requests, each with the report it was
// opened with.
func (a *API) views(ctx context.Context, cases []casework.Case) ([]request, error) {
	ids := make([]int64, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	opening, err := a.d.Cases.OpeningReports(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]request, 0, len(cases))
	for _, c := range cases {
		v, err := a.view(ctx, c, opening[c.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (a *API) one(w http.ResponseWriter, r *http.Request, format string) (any, error) {
	id := strings.TrimSuffix(strings.TrimSuffix(r.PathValue("id"), ".json"), ".xml")
	c, err := a.open311Case(r.Context(), id)
	if err != nil {
		return nil, err
	}
	out, err := a.views(r.Context(), []casework.Case{c})
	if err != nil {
		return nil, err
	}
	return requests(format, out), nil
}

type tokenResult struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token" xml:"token"`
}

// newToken is a request's token: random, so that it says nothing and
// cannot be guessed.
func newToken() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("open311 token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// token resolves the token a post returned to the request's id.
func (a *API) token(w http.ResponseWriter, r *http.Request, format string) (any, error) {
	token := strings.TrimSuffix(strings.TrimSuffix(r.PathValue("token"), ".json"), ".xml")
	_, number, err := a.d.Cases.ReportBySource(r.Context(), "open311", token)
	if fault.KindOf(err) == fault.NotFound {
		return nil, &apiError{http.StatusNotFound, "no token " + token}
	}
	if err != nil {
		return nil, err
	}
	out := []tokenResult{{ServiceRequestID: number, Token: token}}
	return requests(format, out), nil
}
