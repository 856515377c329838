package open311_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/db"
)

// The specification's examples (wiki.open311.org/GeoReport_v2 and its
// Service Discovery page), replayed in both formats with their own field
// names and values. The only setup: the examples' service code 001 is
// given to a real service (噪音, C0101001), as a city maps its codes.
// Where pingan answers differently from the example it is said below: the
// example's api_key "xyz" is no key here (403, the specification's own
// error example), and its phone 111111111 is not a phone number pingan can
// reach (400, naming the phone); the request is then posted without it.

// specPost is the specification's example POST body, verbatim.
const specPost = "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"

// specRequest is a request as the specification's GET examples write it.
type specRequest struct {
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       *string  `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible *string  `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     *string  `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         *string  `json:"address_id" xml:"address_id"`
	Zipcode           *string  `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat"`
	Long              *float64 `json:"long" xml:"long"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
	Token             string   `json:"token" xml:"token"`
}

type specRequests struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []specRequest `xml:"request"`
}

type specErrors struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []struct {
		Code        int    `json:"code" xml:"code"`
		Description string `json:"description" xml:"description"`
	} `xml:"error"`
}

// decode reads a document in its format; lists come back as a slice.
func decode(t *testing.T, format string, r resp, jsonOut, xmlOut any) {
	t.Helper()
	want := map[string]string{"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}[format]
	if r.ctype != want {
		t.Fatalf("content type %q, want %q", r.ctype, want)
	}
	var err error
	if format == "xml" {
		if !strings.HasPrefix(string(r.body), `<?xml version="1.0" encoding="UTF-8"?>`) {
			t.Fatalf("no XML declaration: %s", r.body)
		}
		err = xml.Unmarshal(r.body, xmlOut)
	} else {
		err = json.Unmarshal(r.body, jsonOut)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", format, err, r.body)
	}
}

func requestsOf(t *testing.T, format string, r resp) []specRequest {
	t.Helper()
	var list []specRequest
	var doc specRequests
	decode(t, format, r, &list, &doc)
	if format == "xml" {
		return doc.Requests
	}
	return list
}

func errorsOf(t *testing.T, format string, r resp) specErrors {
	t.Helper()
	var doc specErrors
	decode(t, format, r, &doc.Errors, &doc)
	return doc
}

func TestSpecificationExamples(t *testing.T) {
	for _, format := range []string{"xml", "json"} {
		t.Run(format, func(t *testing.T) { replaySpec(t, format) })
	}
}

func replaySpec(t *testing.T, format string) {
	env := apptest.New(t)
	ctx := context.Background()
	cat, cerr := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if cerr != nil {
		t.Fatal(cerr)
	}
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE categories SET code = '001' WHERE code = 'C0101001'")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	env.App.Directory.Flush()
	key := env.User(t, "intake").Token
	ext := "." + format

	// Service discovery: the example's fields.
	var disc struct {
		Changeset  string `json:"changeset" xml:"changeset"`
		Contact    string `json:"contact" xml:"contact"`
		KeyService string `json:"key_service" xml:"key_service"`
		Endpoints  []struct {
			Specification string   `json:"specification" xml:"specification"`
			URL           string   `json:"url" xml:"url"`
			Changeset     string   `json:"changeset" xml:"changeset"`
			Type          string   `json:"type" xml:"type"`
			Formats       []string `json:"formats" xml:"formats>format"`
		} `json:"endpoints" xml:"endpoints>endpoint"`
	}
	decode(t, format, get(t, env, "/open311/v2/discovery"+ext), &disc, &disc)
	if disc.Changeset == "" || disc.Contact == "" || disc.KeyService == "" || len(disc.Endpoints) != 1 ||
		disc.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" || disc.Endpoints[0].Type != "production" ||
		disc.Endpoints[0].Changeset == "" || !strings.HasSuffix(disc.Endpoints[0].URL, "/open311/v2") ||
		!slices.Contains(disc.Endpoints[0].Formats, "text/xml") || !slices.Contains(disc.Endpoints[0].Formats, "application/json") {
		t.Fatalf("discovery: %+v", disc)
	}

	// GET Service List: https://api.city.gov/dev/v2/services.xml?jurisdiction_id=city.gov
	type svc struct {
		ServiceCode string  `json:"service_code" xml:"service_code"`
		ServiceName string  `json:"service_name" xml:"service_name"`
		Description string  `json:"description" xml:"description"`
		Metadata    bool    `json:"metadata" xml:"metadata"`
		Type        string  `json:"type" xml:"type"`
		Keywords    *string `json:"keywords" xml:"keywords"`
		Group       string  `json:"group" xml:"group"`
	}
	var services []svc
	var servicesDoc struct {
		Services []svc `xml:"service"`
	}
	decode(t, format, get(t, env, "/open311/v2/services"+ext+"?jurisdiction_id=city.gov"), &services, &servicesDoc)
	if format == "xml" {
		services = servicesDoc.Services
	}
	i := slices.IndexFunc(services, func(s svc) bool { return s.ServiceCode == "001" })
	if i < 0 || services[i].ServiceName != cat.Name || !services[i].Metadata || services[i].Type != "realtime" ||
		services[i].Keywords == nil || services[i].Group == "" || !strings.HasSuffix(services[i].Description, " / "+cat.Name) {
		t.Fatalf("service 001: %+v", services[max(i, 0)])
	}

	// GET Service Definition: metadata is true, so the client asks for it.
	type val struct {
		Key  string `json:"key" xml:"key"`
		Name string `json:"name" xml:"name"`
	}
	type attr struct {
		Variable            bool    `json:"variable" xml:"variable"`
		Code                string  `json:"code" xml:"code"`
		Datatype            string  `json:"datatype" xml:"datatype"`
		Required            bool    `json:"required" xml:"required"`
		DatatypeDescription *string `json:"datatype_description" xml:"datatype_description"`
		Order               int     `json:"order" xml:"order"`
		Description         string  `json:"description" xml:"description"`
		Values              []val   `json:"values" xml:"values>value"`
	}
	var def struct {
		XMLName     xml.Name `json:"-" xml:"service_definition"`
		ServiceCode string   `json:"service_code" xml:"service_code"`
		Attributes  []attr   `json:"attributes" xml:"attributes>attribute"`
	}
	decode(t, format, get(t, env, "/open311/v2/services/001"+ext+"?jurisdiction_id=city.gov"), &def, &def)
	if def.ServiceCode != "001" || len(def.Attributes) != 1 {
		t.Fatalf("definition: %+v", def)
	}
	if a := def.Attributes[0]; !a.Variable || a.Code != "nature" || a.Datatype != "singlevaluelist" || a.Required || a.Order != 1 ||
		a.Description == "" || a.DatatypeDescription == nil || !slices.ContainsFunc(a.Values, func(v val) bool { return v.Key == "complaint" && strings.HasPrefix(v.Name, "投诉") }) {
		t.Fatalf("the nature attribute: %+v", a)
	}
	if r := get(t, env, "/open311/v2/services/033"+ext+"?jurisdiction_id=city.gov"); r.status != http.StatusNotFound || errorsOf(t, format, r).Errors[0].Code != 404 {
		t.Fatalf("the specification's sample code 033 is no service here: %d %s", r.status, r.body)
	}

	// POST Service Request, the example verbatim: its key is not one.
	form, err := url.ParseQuery(specPost)
	if err != nil {
		t.Fatal(err)
	}
	r := post(t, env, "/open311/v2/requests"+ext, form)
	if errs := errorsOf(t, format, r); r.status != http.StatusForbidden || len(errs.Errors) != 1 || errs.Errors[0].Code != 403 || errs.Errors[0].Description == "" {
		t.Fatalf("api_key xyz: %d %s", r.status, r.body)
	}
	form.Set("api_key", key)
	r = post(t, env, "/open311/v2/requests"+ext, form)
	if errs := errorsOf(t, format, r); r.status != http.StatusBadRequest || !strings.Contains(errs.Errors[0].Description, "phone is not a valid phone number") {
		t.Fatalf("phone 111111111: %d %s", r.status, r.body)
	}
	form.Del("phone")
	r = post(t, env, "/open311/v2/requests"+ext, form)
	type postedReq struct {
		ServiceRequestID string  `json:"service_request_id" xml:"service_request_id"`
		Token            string  `json:"token" xml:"token"`
		ServiceNotice    string  `json:"service_notice" xml:"service_notice"`
		AccountID        *string `json:"account_id" xml:"account_id"`
	}
	var posted []postedReq
	var postedDoc struct {
		XMLName  xml.Name    `xml:"service_requests"`
		Requests []postedReq `xml:"request"`
	}
	decode(t, format, r, &posted, &postedDoc)
	if format == "xml" {
		posted = postedDoc.Requests
	}
	if r.status != http.StatusOK || len(posted) != 1 || posted[0].ServiceRequestID == "" || posted[0].Token == "" ||
		posted[0].ServiceNotice == "" || posted[0].AccountID == nil || *posted[0].AccountID != "123456" {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	id, token := posted[0].ServiceRequestID, posted[0].Token
	// The same device posting it again is the same request, with the same token.
	if again := requestsOf(t, format, post(t, env, "/open311/v2/requests"+ext, form)); len(again) != 1 ||
		again[0].ServiceRequestID != id || again[0].Token != token {
		t.Fatalf("a repeated post: %+v", again)
	}

	// GET service_request_id from a token.
	got := requestsOf(t, format, get(t, env, "/open311/v2/tokens/"+token+ext+"?jurisdiction_id=city.gov"))
	if len(got) != 1 || got[0].ServiceRequestID != id || got[0].Token != token {
		t.Fatalf("token %s: %+v, want %s", token, got, id)
	}
	if r := get(t, env, "/open311/v2/tokens/12345"+ext+"?jurisdiction_id=city.gov"); r.status != http.StatusNotFound || errorsOf(t, format, r).Errors[0].Code != 404 {
		t.Fatalf("the example's token 12345 is not one here: %d %s", r.status, r.body)
	}

	// GET Service Requests with the example's URL: nothing was asked for in 2010.
	if list := requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open&jurisdiction_id=city.gov")); len(list) != 0 {
		t.Fatalf("requests of 2010: %+v", list)
	}
	now := env.Clock.Now().UTC()
	window := "start_date=" + now.Add(-time.Hour).Format(time.RFC3339) + "&end_date=" + now.Add(time.Hour).Format(time.RFC3339)
	check := func(what string, list []specRequest) {
		t.Helper()
		if len(list) != 1 {
			t.Fatalf("%s: %+v", what, list)
		}
		x := list[0]
		if x.ServiceRequestID != id || x.Status != "open" || x.StatusNotes == nil || x.ServiceName != cat.Name ||
			x.ServiceCode != "001" || x.Description != "A large sinkhole is destroying the street" ||
			x.AgencyResponsible == nil || x.ServiceNotice == nil || x.Address != "1234 5th street" ||
			x.AddressID == nil || x.Zipcode == nil || x.Lat == nil || *x.Lat != 37.76524078 || x.Long == nil || *x.Long != -122.4212043 ||
			x.MediaURL != "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg" {
			t.Fatalf("%s: %+v", what, x)
		}
		for _, ts := range []string{x.RequestedDatetime, x.UpdatedDatetime} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Fatalf("%s: a w3 datetime: %q", what, ts)
			}
		}
	}
	check("status=open", requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&status=open&jurisdiction_id=city.gov")))
	check("status=open,closed", requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&status=open,closed")))
	check("status=closed&status=open", requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&status=closed&status=open")))
	check("service_code=001,002", requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&service_code=001,C0101002")))
	check("service_request_id", requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?service_request_id="+id+",638344")))
	if list := requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&status=closed")); len(list) != 0 {
		t.Fatalf("status=closed lists an open request: %+v", list)
	}
	if r := get(t, env, "/open311/v2/requests"+ext+"?status=pending"); r.status != http.StatusBadRequest || errorsOf(t, format, r).Errors[0].Code != 400 {
		t.Fatalf("status=pending: %d %s", r.status, r.body)
	}
	// A second request, on another service, then rejected (closed): each
	// filter above must leave it out, and status=closed and the list of both
	// states find it.
	o := slices.IndexFunc(services, func(s svc) bool { return s.ServiceCode != "001" && s.ServiceCode != "C0101002" })
	form2 := url.Values{"api_key": {key}, "service_code": {services[o].ServiceCode}, "device_id": {"another-device"},
		"description": {"莲前西路路灯一周不亮"}, "address_string": {"思明区莲前西路"}}
	second := requestsOf(t, format, post(t, env, "/open311/v2/requests"+ext, form2))
	if len(second) != 1 || second[0].ServiceRequestID == "" || second[0].ServiceRequestID == id {
		t.Fatalf("a second request: %+v", second)
	}
	if _, err := env.App.Cases.Do(context.Background(), env.Actor(t, "dispatcher"), second[0].ServiceRequestID, casework.Reject,
		casework.ActionInput{Reason: "不属于本热线受理范围"}); err != nil {
		t.Fatal(err)
	}
	check("status=open beside a closed request", requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&status=open")))
	check("service_code=001,C0101002 beside another service's request", requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&service_code=001,C0101002")))
	if list := requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&status=closed")); len(list) != 1 || list[0].ServiceRequestID != second[0].ServiceRequestID {
		t.Fatalf("status=closed: %+v, want the rejected %s", list, second[0].ServiceRequestID)
	}
	if list := requestsOf(t, format, get(t, env, "/open311/v2/requests"+ext+"?"+window+"&status=open,closed")); len(list) != 2 {
		t.Fatalf("status=open,closed: %d requests, want both", len(list))
	}

	// GET Service Request.
	r = get(t, env, "/open311/v2/requests/"+id+ext+"?jurisdiction_id=city.gov")
	check("one", requestsOf(t, format, r))
	for _, private := range []string{"smit333", "john", "smith", "tt222111"} {
		if strings.Contains(string(r.body), private) {
			t.Errorf("the answer shows %q", private)
		}
	}
	if r := get(t, env, "/open311/v2/requests/638344"+ext); r.status != http.StatusNotFound {
		t.Fatalf("the example's request 638344 is not one here: %d", r.status)
	}
}
