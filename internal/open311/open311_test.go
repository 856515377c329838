package open311_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/casework"
)

type resp struct {
	status int
	ctype  string
	body   []byte
}

func get(t *testing.T, env *apptest.Env, path string) resp {
	t.Helper()
	res, err := http.Get(env.Server.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header.Get("Content-Type"), b}
}

func post(t *testing.T, env *apptest.Env, path string, form url.Values) resp {
	t.Helper()
	res, err := http.PostForm(env.Server.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header.Get("Content-Type"), b}
}

// A post may give the nature (the attribute every service defines) and a
// media_url, which the request keeps as given; a nature not in the
// definition or a link that is not http(s) is refused with an Open311
// error; a place outside the city waits in triage for an operator.
func TestPostNatureAndMedia(t *testing.T) {
	env := apptest.New(t)
	key := env.User(t, "intake").Token
	form := url.Values{"api_key": {key}, "service_code": {"C0101001"}, "lat": {"37.76524078"}, "long": {"-122.4212043"},
		"first_name": {"john"}, "last_name": {"smith"}, "description": {"A large sinkhole is destroying the street"},
		"attribute[nature]": {"gossip"}, "media_url": {"https://example.org/sinkhole.jpg"}}
	r := post(t, env, "/open311/v2/requests.xml", form)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "attribute[nature] gossip") {
		t.Fatalf("an unknown nature: %d %s", r.status, r.body)
	}
	form.Set("attribute[nature]", "complaint")
	form.Set("media_url", "javascript:alert(1)")
	if r = post(t, env, "/open311/v2/requests.json", form); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "media_url must be an http or https link") {
		t.Fatalf("a media_url that is no web link: %d %s", r.status, r.body)
	}
	form.Set("media_url", "https://example.org/sinkhole.jpg")
	r = post(t, env, "/open311/v2/requests.json", form)
	var posted []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(r.body, &posted); err != nil || r.status != http.StatusOK || len(posted) != 1 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	c, err := env.App.Cases.Get(context.Background(), env.Actor(t, "dispatcher"), posted[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Case.Channel != "open311" || !c.Case.Triage || c.Case.Nature != "complaint" || c.Reports[0].ReporterName != "john smith" ||
		c.Reports[0].MediaURL != "https://example.org/sinkhole.jpg" || c.Reports[0].Body != "A large sinkhole is destroying the street" {
		t.Errorf("case: channel %s triage %v nature %q report %+v", c.Case.Channel, c.Case.Triage, c.Case.Nature, c.Reports[0])
	}
	// The service code and nature are the citizen's, not an operator's
	// choice: no label for the classifier.
	var labels int
	if err := env.App.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM classify_feedback").Scan(&labels); err != nil {
		t.Fatal(err)
	}
	if labels != 0 {
		t.Errorf("%d classifier labels from an Open311 post, want none", labels)
	}
}

func TestServicesAndDiscovery(t *testing.T) {
	env := apptest.New(t)
	r := get(t, env, "/open311/v2/discovery.json")
	var disc struct {
		Endpoints []struct {
			Specification string   `json:"specification"`
			URL           string   `json:"url"`
			Formats       []string `json:"formats"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(r.body, &disc); err != nil || len(disc.Endpoints) != 1 ||
		disc.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" || !strings.HasSuffix(disc.Endpoints[0].URL, "/open311/v2") {
		t.Fatalf("discovery: %v %s", err, r.body)
	}
	r = get(t, env, "/open311/v2/services.json")
	var services []struct {
		Code     string `json:"service_code"`
		Name     string `json:"service_name"`
		Metadata bool   `json:"metadata"`
		Type     string `json:"type"`
		Group    string `json:"group"`
	}
	if err := json.Unmarshal(r.body, &services); err != nil || len(services) < 100 {
		t.Fatalf("services: %v, %d", err, len(services))
	}
	found := false
	for _, s := range services {
		if s.Type != "realtime" || s.Group == "" || s.Name == "" || !s.Metadata {
			t.Fatalf("service %+v", s)
		}
		found = found || s.Code == "C0101001"
	}
	if !found {
		t.Fatal("噪音 (C0101001) is not a service")
	}
	r = get(t, env, "/open311/v2/services.xml")
	var sx struct {
		Services []struct {
			Code string `xml:"service_code"`
		} `xml:"service"`
	}
	if err := xml.Unmarshal(r.body, &sx); err != nil || len(sx.Services) != len(services) {
		t.Fatalf("services.xml: %v %d", err, len(sx.Services))
	}
	// Every service asks for the request's nature (optional), from the
	// civic natures in force.
	if r = get(t, env, "/open311/v2/services/C0101001.json"); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), `"code":"nature","datatype":"singlevaluelist","required":false`) ||
		!strings.Contains(string(r.body), `{"key":"complaint","name":"投诉 Complaint"}`) || strings.Contains(string(r.body), "police_") {
		t.Fatalf("definition: %d %s", r.status, r.body)
	}
	r = get(t, env, "/open311/v2/services/nope.json")
	var errs []struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(r.body, &errs); err != nil || r.status != 404 || len(errs) != 1 || errs[0].Code != 404 {
		t.Fatalf("unknown service: %d %s", r.status, r.body)
	}
}

// Posting in JSON, reading back one and by query; what may not be read
// stays out; bad posts get Open311 errors.
func TestRequestsRoundTrip(t *testing.T) {
	env := apptest.New(t)
	key := env.User(t, "intake").Token
	r := post(t, env, "/open311/v2/requests.json", url.Values{"api_key": {key}, "service_code": {"C0101001"},
		"lat": {"24.5120"}, "long": {"118.1460"}, "description": {"江头北路工地夜间施工噪音扰民"}, "phone": {"13806012345"}})
	var posted []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(r.body, &posted); err != nil || r.status != 200 || len(posted) != 1 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	id := posted[0].ID
	r = get(t, env, "/open311/v2/requests/"+id+".json")
	var one []struct {
		ID          string   `json:"service_request_id"`
		Status      string   `json:"status"`
		ServiceCode string   `json:"service_code"`
		Description string   `json:"description"`
		Lat         *float64 `json:"lat"`
		Long        *float64 `json:"long"`
		Requested   string   `json:"requested_datetime"`
	}
	if err := json.Unmarshal(r.body, &one); err != nil || len(one) != 1 || one[0].Status != "open" || one[0].ServiceCode != "C0101001" ||
		one[0].Lat == nil || *one[0].Lat != 24.512 {
		t.Fatalf("one: %v %s", err, r.body)
	}
	if strings.Contains(string(r.body), "13806012345") {
		t.Fatal("the reporter's phone is in the answer")
	}
	if one[0].Description != "江头北路工地夜间施工噪音扰民" {
		t.Errorf("the description posted reads %q", one[0].Description)
	}
	// A case from another channel is not an Open311 request.
	other, err := env.App.Cases.Intake(context.Background(), env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "小区噪音", Address: "湖里区江头北路"})
	if err != nil {
		t.Fatal(err)
	}
	if r = get(t, env, "/open311/v2/requests/"+other.Case.Number+".json"); r.status != 404 {
		t.Fatalf("a hotline case through Open311: %d", r.status)
	}
	// By query, in XML, as the specification's example asks.
	q := url.Values{"start_date": {env.Clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)},
		"end_date": {env.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, "status": {"open"}}
	r = get(t, env, "/open311/v2/requests.xml?"+q.Encode())
	var list struct {
		Requests []struct {
			ID     string `xml:"service_request_id"`
			Status string `xml:"status"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal(r.body, &list); err != nil || len(list.Requests) != 1 || list.Requests[0].ID != id {
		t.Fatalf("query: %v %s", err, r.body)
	}
	q.Set("status", "closed")
	if r = get(t, env, "/open311/v2/requests.xml?"+q.Encode()); strings.Contains(string(r.body), id) {
		t.Fatal("an open request listed as closed")
	}
	if r = get(t, env, "/open311/v2/requests.json?service_request_id="+id+","+other.Case.Number); !strings.Contains(string(r.body), id) ||
		strings.Contains(string(r.body), other.Case.Number) {
		t.Fatalf("by ids: %s", r.body)
	}

	for _, bad := range []struct {
		form   url.Values
		status int
	}{
		{url.Values{"service_code": {"C0101001"}, "lat": {"24.5"}, "long": {"118.1"}}, 403},
		{url.Values{"api_key": {"pa_not_a_key"}, "service_code": {"C0101001"}, "lat": {"24.5"}, "long": {"118.1"}}, 403},
		{url.Values{"api_key": {key}, "lat": {"24.5"}, "long": {"118.1"}}, 400},
		{url.Values{"api_key": {key}, "service_code": {"C0101001"}}, 400},
		{url.Values{"api_key": {key}, "service_code": {"C0101001"}, "lat": {"north"}, "long": {"118.1"}}, 400},
		{url.Values{"api_key": {key}, "service_code": {"P01"}, "lat": {"24.5"}, "long": {"118.1"}}, 400},
		{url.Values{"api_key": {key}, "service_code": {"C01"}, "lat": {"24.5"}, "long": {"118.1"}}, 400}, // a group of services
	} {
		r := post(t, env, "/open311/v2/requests.json", bad.form)
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if json.Unmarshal(r.body, &errs); r.status != bad.status || len(errs) != 1 || errs[0].Description == "" {
			t.Errorf("%v: %d %s", bad.form, r.status, r.body)
		}
	}
	// One posted without a description reads without one, not with the
	// service's name intake took for its text.
	r = post(t, env, "/open311/v2/requests.json", url.Values{"api_key": {key}, "service_code": {"C0101001"},
		"lat": {"24.5121"}, "long": {"118.1461"}})
	if err := json.Unmarshal(r.body, &posted); err != nil || r.status != 200 || len(posted) != 1 {
		t.Fatalf("post without a description: %d %s", r.status, r.body)
	}
	r = get(t, env, "/open311/v2/requests/"+posted[0].ID+".json")
	if err := json.Unmarshal(r.body, &one); err != nil || len(one) != 1 || one[0].Description != "" || one[0].ServiceCode != "C0101001" {
		t.Errorf("a request posted without a description: %v %s", err, r.body)
	}
}

// A device's repeated post answers with its own request even when intake
// merged it at once into another citizen's (a near-exact repeat): the
// same id and token as the first answer, not the request it joined.
func TestRepeatAfterAutoMerge(t *testing.T) {
	env := apptest.New(t, apptest.AutoMerge(0.9))
	key := env.User(t, "intake").Token
	form := func(dev string) url.Values {
		return url.Values{"api_key": {key}, "service_code": {"C0101001"}, "lat": {"24.4792"}, "long": {"118.0894"},
			"address_string": {"思明区莲前西路100号"}, "device_id": {dev}, "description": {"莲前西路100号工地夜间施工噪音扰民已经一周了"}}
	}
	type posted []struct {
		ID    string `json:"service_request_id"`
		Token string `json:"token"`
	}
	var answers [3]posted
	for i, dev := range []string{"d1", "d2", "d2"} {
		r := post(t, env, "/open311/v2/requests.json", form(dev))
		if err := json.Unmarshal(r.body, &answers[i]); err != nil || r.status != http.StatusOK || len(answers[i]) != 1 {
			t.Fatalf("post %d by %s: %d %s", i+1, dev, r.status, r.body)
		}
	}
	a, b, again := answers[0][0], answers[1][0], answers[2][0]
	c, err := env.App.Cases.Get(context.Background(), env.Actor(t, "dispatcher"), b.ID)
	if err != nil || c.Case.MergedInto == 0 {
		t.Fatalf("the second device's request was not merged on its own: %+v %v", c.Case, err)
	}
	if again.ID != b.ID || again.Token != b.Token || again.ID == a.ID {
		t.Errorf("repeated post answered %+v, first answer %+v (the request it joined %+v)", again, b, a)
	}
	var tok []struct {
		ID string `json:"service_request_id"`
	}
	if r := get(t, env, "/open311/v2/tokens/"+b.Token+".json"); json.Unmarshal(r.body, &tok) != nil || len(tok) != 1 || tok[0].ID != b.ID {
		t.Errorf("token %s: %d %s, want %s", b.Token, r.status, r.body, b.ID)
	}
}
