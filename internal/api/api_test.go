package api_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"pingan/internal/api"
	"pingan/internal/apptest"
	"pingan/internal/casework"
)

type caseDetail struct {
	Number         string   `json:"number"`
	State          string   `json:"state"`
	Version        int      `json:"version"`
	AllowedActions []string `json:"allowed_actions"`
	HandlingUnit   *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"handling_unit"`
	Reports []struct {
		ID       int64 `json:"id"`
		Reporter struct {
			Phone    string `json:"phone"`
			IDNumber string `json:"id_number"`
		} `json:"reporter"`
	} `json:"reports"`
}

type intakeResp struct {
	Report struct {
		ID int64 `json:"id"`
	} `json:"report"`
	Case caseDetail `json:"case"`
}

type problem struct {
	Type           string   `json:"type"`
	Title          string   `json:"title"`
	Status         int      `json:"status"`
	Detail         string   `json:"detail"`
	Code           string   `json:"code"`
	State          string   `json:"state"`
	AllowedActions []string `json:"allowed_actions"`
	Errors         []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

var report = map[string]any{
	"channel": "hotline", "body": "湖里区江头北路某工地夜间施工噪音扰民，凌晨一点还在打桩。",
	"reporter": map[string]any{"name": "林先生", "phone": "13806012345", "id_number": "35020319900101123X"},
	"address":  "江头北路", "location": map[string]any{"lat": 24.50, "lon": 118.14}, "nature": "complaint",
}

func intake(t *testing.T, env *apptest.Env) intakeResp {
	t.Helper()
	r := env.Do(t, "POST", "/api/v1/reports", "intake", report)
	if r.Status != http.StatusCreated {
		t.Fatalf("intake: %d %s", r.Status, r.Body)
	}
	var out intakeResp
	r.JSON(t, &out)
	return out
}

// dispatchedCase takes in the standard report, registers it and
// dispatches it to 江头街道, and returns its case number.
func dispatchedCase(t *testing.T, env *apptest.Env) string {
	t.Helper()
	n := intake(t, env).Case.Number
	act(t, env, "intake", n, "register", map[string]any{"category_id": categoryID(t, env, "C0101001")})
	act(t, env, "dispatcher", n, "dispatch", map[string]any{"unit_id": env.Unit(t, "350206004")})
	return n
}

func act(t *testing.T, env *apptest.Env, user, number, action string, body map[string]any) caseDetail {
	t.Helper()
	r := env.Do(t, "POST", "/api/v1/cases/"+number+"/actions/"+action, user, body)
	if r.Status != http.StatusOK {
		t.Fatalf("%s by %s: %d %s", action, user, r.Status, r.Body)
	}
	var c caseDetail
	r.JSON(t, &c)
	return c
}

// The whole loop over HTTP, each step by the role the table names.
func TestClosedLoopOverHTTP(t *testing.T) {
	env := apptest.New(t)
	in := intake(t, env)
	n := in.Case.Number
	if in.Case.State != "received" || in.Case.Reports[0].Reporter.Phone != "138****2345" ||
		in.Case.Reports[0].Reporter.IDNumber != "350203********123X" {
		t.Fatalf("intake response: %+v", in.Case)
	}
	cat := categoryID(t, env, "C0101001")
	act(t, env, "intake", n, "register", map[string]any{"category_id": cat})
	c := act(t, env, "dispatcher", n, "dispatch", map[string]any{"unit_id": env.Unit(t, "350206004"), "note": "请江头街道处理"})
	if c.State != "dispatched" || c.HandlingUnit == nil || c.HandlingUnit.Name != "江头街道" {
		t.Fatalf("dispatched: %+v", c)
	}
	act(t, env, "jiangtou", n, "sign", nil)
	act(t, env, "jiangtou", n, "report", map[string]any{"note": "已责令工地停止夜间施工",
		"evidence": []map[string]any{{"name": "现场照片.jpg", "content_type": "image/jpeg", "size": 204800}}})
	act(t, env, "verifier", n, "verify", map[string]any{"note": "现场核实已停工"})
	act(t, env, "callback", n, "callback", map[string]any{"satisfaction": "satisfied", "resolved": true})
	c = act(t, env, "dispatcher", n, "close", nil)
	if c.State != "closed" {
		t.Fatalf("closed: %+v", c)
	}
	r := env.Do(t, "GET", "/api/v1/cases/"+n+"/timeline", "supervisor", nil)
	var page struct {
		Entries []struct {
			Action  string `json:"action"`
			ToState string `json:"to_state"`
			Actor   struct {
				Name string `json:"name"`
			} `json:"actor"`
		} `json:"entries"`
		NextCursor string `json:"next_cursor"`
	}
	r.JSON(t, &page)
	tl := page.Entries
	var got []string
	for _, e := range tl {
		got = append(got, e.Action+">"+e.ToState)
	}
	want := "receive>received register>registered dispatch>dispatched sign>handling report>reported verify>verified callback>pending_close close>closed"
	if strings.Join(got, " ") != want {
		t.Errorf("timeline\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if tl[3].Actor.Name != "王磊" {
		t.Errorf("sign-for actor %q", tl[3].Actor.Name)
	}
}

func categoryID(t *testing.T, env *apptest.Env, code string) int64 {
	t.Helper()
	var list struct {
		Categories []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"categories"`
	}
	env.Do(t, "GET", "/api/v1/categories", "intake", nil).JSON(t, &list)
	for _, c := range list.Categories {
		if c.Code == code {
			return c.ID
		}
	}
	t.Fatalf("no category %s", code)
	return 0
}

func TestRefusedTransitionIsProblemJSON(t *testing.T) {
	env := apptest.New(t)
	n := intake(t, env).Case.Number
	r := env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/close", "dispatcher", nil)
	if r.Status != http.StatusConflict || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("close a received case: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var p problem
	r.JSON(t, &p)
	if p.Code != "transition-not-allowed" || p.State != "received" || p.Status != 409 || p.Type == "" || p.Title == "" {
		t.Errorf("problem %+v", p)
	}
	if strings.Join(p.AllowedActions, ",") != "register,reject,merge,reclassify" {
		t.Errorf("allowed actions %v", p.AllowedActions)
	}
	if !strings.Contains(p.Detail, "待立案") {
		t.Errorf("detail %q should name the state in Chinese", p.Detail)
	}
	// English on request.
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/close", "dispatcher", nil, "Accept-Language", "en-US,en;q=0.9")
	r.JSON(t, &p)
	if p.Title != "Conflict" || !strings.Contains(p.Detail, "Received") || !strings.Contains(p.Detail, "Close") ||
		strings.ContainsFunc(p.Detail, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("English title %q, detail %q: want the state and action named in English", p.Title, p.Detail)
	}
	// Wrong role: 403, same shape.
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/register", "leader", nil)
	r.JSON(t, &p)
	if r.Status != http.StatusForbidden || p.Code != "action-not-permitted" || p.State != "received" {
		t.Errorf("leader registers: %d %+v", r.Status, p)
	}
	// Unknown action.
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/teleport", "dispatcher", nil)
	if r.Status != http.StatusBadRequest {
		t.Errorf("unknown action: %d %s", r.Status, r.Body)
	}
	// Missing required field.
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/reject", "dispatcher", map[string]any{})
	r.JSON(t, &p)
	if r.Status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "reason" {
		t.Errorf("reject without reason: %d %s", r.Status, r.Body)
	}
	// Stale version.
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/reclassify", "dispatcher", map[string]any{"priority": "urgent"}, "If-Match", `"7"`)
	r.JSON(t, &p)
	if r.Status != http.StatusPreconditionFailed || p.Code != "version-mismatch" {
		t.Errorf("stale If-Match: %d %s", r.Status, r.Body)
	}
	// The same in the body: a conflict.
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/reclassify", "dispatcher", map[string]any{"priority": "urgent", "version": 7})
	r.JSON(t, &p)
	if r.Status != http.StatusConflict || p.Code != "version-mismatch" {
		t.Errorf("stale version: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/actions/reclassify", "dispatcher", map[string]any{"priority": "urgent"}, "If-Match", "garbage")
	r.JSON(t, &p)
	if r.Status != http.StatusBadRequest || p.Code != "bad-header" || !strings.Contains(p.Detail, "请求头 If-Match") {
		t.Errorf("malformed If-Match: %d %s", r.Status, r.Body)
	}
}

func TestBadRequestsAreProblems(t *testing.T) {
	env := apptest.New(t)
	cases := []struct {
		name, method, path, user string
		body                     any
		status                   int
		code                     string
	}{
		{"no token", "GET", "/api/v1/cases", "", nil, 401, "unauthorized"},
		{"malformed JSON", "POST", "/api/v1/reports", "intake", []byte(`{"channel":`), 400, "bad-json"},
		{"unknown field", "POST", "/api/v1/reports", "intake", []byte(`{"channel":"hotline","body":"x","colour":"red"}`), 400, "bad-json"},
		{"wrong type", "POST", "/api/v1/reports", "intake", []byte(`{"channel":"hotline","body":42}`), 400, "bad-json"},
		{"trailing data", "POST", "/api/v1/reports", "intake", []byte(`{"channel":"hotline","body":"x"} {}`), 400, "bad-json"},
		{"too large", "POST", "/api/v1/reports", "intake", []byte(`{"channel":"hotline","body":"` + strings.Repeat("x", 1<<20) + `"}`), 413, "body-too-large"},
		{"invalid", "POST", "/api/v1/reports", "intake", map[string]any{"channel": "hotline"}, 422, "invalid-input"},
		{"no such case", "GET", "/api/v1/cases/XM-2026-999999", "intake", nil, 404, "not-found"},
		{"no such route", "GET", "/api/v1/nothing", "intake", nil, 404, "no-such-route"},
		{"no such method", "DELETE", "/api/v1/cases", "intake", nil, 405, "method-not-allowed"},
		{"an id that cannot be one", "GET", "/api/v1/units/abc", "intake", nil, 404, "no-such-route"},
		{"bad filter", "GET", "/api/v1/cases?state=lost", "intake", nil, 400, "bad-query"},
		{"bad limit", "GET", "/api/v1/cases?limit=1000", "intake", nil, 400, "bad-query"},
		{"no limit", "GET", "/api/v1/cases?limit=0", "intake", nil, 400, "bad-query"},
		{"no such nature", "GET", "/api/v1/cases?nature=bogus", "intake", nil, 422, "invalid-input"},
		{"no such channel", "GET", "/api/v1/cases?channel=bogus", "intake", nil, 422, "invalid-input"},
		{"no such priority", "GET", "/api/v1/cases?priority=high", "intake", nil, 422, "invalid-input"},
		{"no such division", "GET", "/api/v1/cases?division_code=abc", "intake", nil, 422, "invalid-input"},
		{"bad date", "GET", "/api/v1/cases?received_from=yesterday", "intake", nil, 400, "bad-query"},
		{"admin reads audit only if audit admin", "GET", "/api/v1/audit", "sysadmin", nil, 403, "forbidden"},
		{"handler edits units", "POST", "/api/v1/units", "jiangtou", map[string]any{"parent_id": 1, "code": "X", "name": "X", "kind": "government", "level": "community"}, 403, "forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Do(t, tc.method, tc.path, tc.user, tc.body)
			var p problem
			r.JSON(t, &p)
			if r.Status != tc.status || p.Code != tc.code || p.Status != tc.status {
				t.Errorf("%d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
	// What is wrong with a body is said in the reader's words, with the
	// field it is in — not in Go's (api.ReportRequest, int64, 2006-01-02…).
	for _, tc := range []struct {
		body, field, detail string
	}{
		{`{"channel":"hotline","body":42}`, "body", "body：须为字符串"},
		{`{"channel":"hotline","body":"x","category_id":"12"}`, "category_id", "category_id：须为整数"},
		{`[]`, "", "请求体须为 JSON 对象"},
		{`{"channel":"hotline","body":"x","colour":"red"}`, "colour", "colour：未知字段"},
		{`{"channel":"hotline","body":"x","occurred_at":"yesterday"}`, "", "RFC 3339"},
		{`{"channel":"hotline",}`, "", "语法错误"},
		// Names exactly as the schema spells them: Go's decoder would take
		// "Body" for body, and location's "LAT" for lat.
		{`{"channel":"hotline","Body":"x"}`, "Body", "Body：未知字段（应为 body）"},
		{`{"channel":"hotline","body":"x","location":{"LAT":24.5,"lon":118.1}}`, "location.LAT", "location.LAT：未知字段（应为 location.lat）"},
	} {
		r := env.Do(t, "POST", "/api/v1/reports", "intake", []byte(tc.body))
		var p problem
		r.JSON(t, &p)
		if r.Status != 400 || p.Code != "bad-json" || !strings.Contains(p.Detail, tc.detail) ||
			strings.ContainsAny(p.Detail, "\\") || strings.Contains(p.Detail, "api.") || strings.Contains(p.Detail, "int64") {
			t.Errorf("%s: %d %s, want a detail with %q", tc.body, r.Status, r.Body, tc.detail)
		}
		if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
			t.Errorf("%s: errors %+v, want %s", tc.body, p.Errors, tc.field)
		}
	}
	// A path's methods are named when another is used.
	if r := env.Do(t, "DELETE", "/api/v1/cases/XM-2026-000001", "intake", nil, "Accept-Language", "en"); r.Status != 405 ||
		r.Header.Get("Allow") != "GET" || !strings.Contains(string(r.Body), `"title":"Method not allowed"`) {
		t.Errorf("DELETE a case: %d, Allow %q: %s", r.Status, r.Header.Get("Allow"), r.Body)
	}
	// The scheme of a token in any case.
	if r := env.Do(t, "GET", "/api/v1/cases", "", nil, "Authorization", "bearer "+env.User(t, "intake").Token); r.Status != 200 {
		t.Errorf("a lower-case bearer scheme: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "GET", "/api/v1/cases", "", nil, "Authorization", "Basic "+env.User(t, "intake").Token); r.Status != 401 {
		t.Errorf("a token as Basic: %d %s", r.Status, r.Body)
	}
	// JSON in UTF-8 is JSON whatever the case of its media type; another
	// type or charset is 415.
	for ct, status := range map[string]int{"Application/JSON": 201, "application/json; charset=UTF-8": 201,
		"application/merge-patch+json": 201, "text/plain": 415, "application/json; charset=gbk": 415} {
		r := env.Do(t, "POST", "/api/v1/reports", "intake", report, "Content-Type", ct)
		if r.Status != status {
			t.Errorf("Content-Type %s: %d %s, want %d", ct, r.Status, r.Body, status)
		}
	}
}

// 50 concurrent retries with one idempotency key create exactly one case.
func TestIdempotencyKeyUnderConcurrency(t *testing.T) {
	env := apptest.New(t)
	var wg sync.WaitGroup
	numbers := make([]string, 50)
	statuses := make([]int, 50)
	for i := range 50 {
		wg.Go(func() {
			r := env.Do(t, "POST", "/api/v1/reports", "intake", report, "Idempotency-Key", "retry-7f3a")
			statuses[i] = r.Status
			var out intakeResp
			if json.Unmarshal(r.Body, &out) == nil {
				numbers[i] = out.Case.Number
			}
		})
	}
	wg.Wait()
	for i := range 50 {
		if statuses[i] != http.StatusCreated || numbers[i] != numbers[0] || numbers[0] == "" {
			t.Fatalf("request %d: %d %q (first %q)", i, statuses[i], numbers[i], numbers[0])
		}
	}
	var cases, reports int
	if err := env.App.DB.QueryRowContext(t.Context(), "SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM reports)").Scan(&cases, &reports); err != nil {
		t.Fatal(err)
	}
	if cases != 1 || reports != 1 {
		t.Errorf("%d cases and %d reports from one key", cases, reports)
	}
	// The same request written another way (key order, spacing, escapes)
	// is the same request.
	raw, err := json.Marshal(report)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("{\n")
	for i, k := range slices.Backward(slices.Sorted(maps.Keys(fields))) {
		v, _ := json.Marshal(fields[k])
		if s, ok := fields[k].(string); ok {
			v = []byte(strconv.QuoteToASCII(s)) // \uXXXX escapes for the Chinese
		}
		fmt.Fprintf(&b, "  %q : %s", k, v)
		if i > 0 {
			b.WriteString(",\n")
		}
	}
	b.WriteString("\n}")
	r := env.Do(t, "POST", "/api/v1/reports", "intake", []byte(b.String()), "Idempotency-Key", "retry-7f3a")
	var again intakeResp
	if r.JSON(t, &again); r.Status != http.StatusCreated || again.Case.Number != numbers[0] {
		t.Errorf("the same request rewritten (%s): %d %s", b.String(), r.Status, r.Body)
	}
	// The same key with a different body is refused.
	other := map[string]any{"channel": "web", "body": "另一件事"}
	r = env.Do(t, "POST", "/api/v1/reports", "intake", other, "Idempotency-Key", "retry-7f3a")
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "idempotency-key-reused") {
		t.Errorf("reused key: %d %s", r.Status, r.Body)
	}
	// Keys are per user: another user's identical key is independent.
	r = env.Do(t, "POST", "/api/v1/reports", "dispatcher", report, "Idempotency-Key", "retry-7f3a")
	var out intakeResp
	r.JSON(t, &out)
	if r.Status != 201 || out.Case.Number == numbers[0] || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("another user's key: %d %s", r.Status, out.Case.Number)
	}
}

// Every endpoint that names a case (or one of its reports) refuses a user
// outside the case's unit scope with 404 — reading or writing — so case
// numbers leak nothing. The routes come from the API's own table, so a new
// route is covered the day it is added.
func TestEveryCaseEndpointRefusesOutOfScope(t *testing.T) {
	env := apptest.New(t)
	in := intake(t, env)
	n := in.Case.Number
	other := intake(t, env).Case.Number
	act(t, env, "intake", n, "register", map[string]any{"category_id": categoryID(t, env, "C0101001")})
	act(t, env, "dispatcher", n, "dispatch", map[string]any{"unit_id": env.Unit(t, "350206004")})
	a := api.New(api.Deps{})
	covered := 0
	for _, rt := range a.Routes() {
		if !strings.Contains(rt.Path, "{number}") && !strings.HasPrefix(rt.Path, "/reports/{") {
			continue
		}
		covered++
		path := strings.NewReplacer("{number}", n, "{action}", "sign", "{other}", other,
			"{id}", fmt.Sprint(in.Report.ID)).Replace(rt.Path)
		var body any
		var headers []string
		switch {
		case rt.Files != "":
			var ct string
			body, ct = multipartFiles(t, rt.Files, [2]string{"a.txt", "x"})
			headers = []string{"Content-Type", ct}
		case strings.HasSuffix(rt.Path, "/reveal"):
			body = map[string]any{"field": "phone"}
		case strings.HasSuffix(rt.Path, "/links"):
			body = map[string]any{"case": other}
		case rt.Body != nil:
			body = map[string]any{}
		}
		for _, outsider := range []string{"gulangyu", "jiangtou.police"} {
			r := env.Do(t, rt.Method, "/api/v1"+path, outsider, body, headers...)
			var p problem
			r.JSON(t, &p)
			if r.Status != http.StatusNotFound || p.Code != "not-found" {
				t.Errorf("%s %s as %s: %d %s, want 404", rt.Method, path, outsider, r.Status, r.Body)
			}
			if strings.Contains(string(r.Body), "江头") || strings.Contains(string(r.Body), "噪音") {
				t.Errorf("%s %s as %s leaks case content: %s", rt.Method, path, outsider, r.Body)
			}
		}
	}
	if covered < 6 {
		t.Errorf("only %d case routes found", covered)
	}
	// The case is unchanged by all those attempts.
	var c caseDetail
	env.Do(t, "GET", "/api/v1/cases/"+n, "dispatcher", nil).JSON(t, &c)
	if c.State != "dispatched" {
		t.Errorf("state after refused attempts: %s", c.State)
	}
}

// Every route the server answers is in the OpenAPI document with its
// method, and every documented path is served.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	env := apptest.New(t)
	r := env.Do(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.Status != 200 {
		t.Fatalf("openapi.json: %d", r.Status)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	r.JSON(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	routes := api.New(api.Deps{}).Routes()
	documented := 0
	for _, rt := range routes {
		op, ok := doc.Paths["/api/v1"+rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is missing from openapi.json", rt.Method, rt.Path)
			continue
		}
		documented++
		// A parameter the route needs is documented as required, and a
		// request without it is refused.
		for _, name := range rt.Needs {
			if !slices.ContainsFunc(rt.Query, func(q api.QueryParam) bool { return q.Name == name }) {
				t.Errorf("%s %s needs %s, which it does not document", rt.Method, rt.Path, name)
			}
		}
		if len(rt.Needs) > 0 && rt.Method == "GET" && !strings.Contains(rt.Path, "{") {
			if r := env.Do(t, "GET", "/api/v1"+rt.Path, "leader", nil); r.Status != 400 && r.Status != 422 {
				t.Errorf("%s without %v: %d", rt.Path, rt.Needs, r.Status)
			}
		}
		if op["summary"] == "" || op["responses"] == nil {
			t.Errorf("%s %s: no summary or responses", rt.Method, rt.Path)
		}
		// Every success status the route answers is documented (a reset
		// of an administrator answers 202, pending approval).
		responses, _ := op["responses"].(map[string]any)
		for _, st := range append([]int{rt.Status}, rt.Also...) {
			if _, ok := responses[strconv.Itoa(st)]; !ok {
				t.Errorf("%s %s: status %d is not documented", rt.Method, rt.Path, st)
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			// A documented operation must be routed: the server answers it
			// with something other than "no such route" or 405.
			concrete := regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(path, "1")
			resp := env.Do(t, strings.ToUpper(method), concrete, "leader", nil)
			if resp.Status == http.StatusMethodNotAllowed || strings.Contains(string(resp.Body), "no-such-route") {
				t.Errorf("documented %s %s is not served: %d", method, path, resp.Status)
			}
		}
	}
	// Every $ref resolves.
	for _, ref := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(r.Body), -1) {
		if _, ok := doc.Components.Schemas[ref[1]]; !ok {
			t.Errorf("unresolved $ref %s", ref[1])
		}
	}
	if documented != len(routes) {
		t.Errorf("%d of %d routes documented", documented, len(routes))
	}
	// Enumerations come from the domain: a timeline's actions are every
	// named action, not only the table's; a transition's fields every
	// field of the table.
	enum := func(schema, prop string) []string {
		var out []string
		s, _ := doc.Components.Schemas[schema].(map[string]any)
		p, _ := s["properties"].(map[string]any)
		v, _ := p[prop].(map[string]any)
		if items, ok := v["items"].(map[string]any); ok {
			v = items
		}
		e, _ := v["enum"].([]any)
		for _, x := range e {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	actions := enum("TimelineEntry", "action")
	for a := range casework.ActionNames {
		if !slices.Contains(actions, string(a)) {
			t.Errorf("timeline action %q is not in the enum %v", a, actions)
		}
	}
	required, optional := enum("TransitionView", "required"), enum("TransitionView", "optional")
	for _, row := range casework.Table {
		for _, f := range slices.Concat(row.Required, row.Optional) {
			if !slices.Contains(required, string(f)) || !slices.Contains(optional, string(f)) {
				t.Errorf("%s's field %q is not in the enums %v, %v", row.Action, f, required, optional)
			}
		}
	}
	if got := enum("Problem", "allowed_actions"); !slices.Contains(got, "dispatch") {
		t.Errorf("a problem's allowed_actions: %v", got)
	}
	if states := enum("CaseDetail", "state"); !slices.Contains(states, "pending_close") {
		t.Errorf("case states: %v", states)
	}
}

func TestListAndFiltersOverHTTP(t *testing.T) {
	env := apptest.New(t)
	for range 3 {
		intake(t, env)
	}
	var list struct {
		Cases      []caseDetail `json:"cases"`
		NextCursor string       `json:"next_cursor"`
	}
	env.Do(t, "GET", "/api/v1/cases?limit=2", "dispatcher", nil).JSON(t, &list)
	if len(list.Cases) != 2 || list.NextCursor == "" {
		t.Fatalf("page 1: %+v", list)
	}
	cursor := list.NextCursor
	list.NextCursor = ""
	env.Do(t, "GET", "/api/v1/cases?limit=2&cursor="+cursor, "dispatcher", nil).JSON(t, &list)
	if len(list.Cases) != 1 || list.NextCursor != "" {
		t.Fatalf("page 2: %+v", list)
	}
	env.Do(t, "GET", "/api/v1/cases?state=received,registered&channel=hotline&received_from=2026-11-26&received_to=2026-11-26&overdue=false&sort=due", "dispatcher", nil).JSON(t, &list)
	if len(list.Cases) != 3 {
		t.Errorf("filtered: %d", len(list.Cases))
	}
	env.Do(t, "GET", "/api/v1/cases?received_to=2026-11-25", "dispatcher", nil).JSON(t, &list)
	if len(list.Cases) != 0 {
		t.Errorf("before today: %d", len(list.Cases))
	}
	// Full-text search, right after the intake that stored the words.
	other := maps.Clone(report)
	other["body"], other["keep_separate"] = "金山小区路灯不亮已经一周，晚上出行很不安全。", true
	if r := env.Do(t, "POST", "/api/v1/reports", "intake", other); r.Status != http.StatusCreated {
		t.Fatalf("intake: %d %s", r.Status, r.Body)
	}
	for q, want := range map[string]int{"噪音": 3, "路灯": 1, "路灯 噪音": 0, "打桩": 3, "不安全": 1, "": 4} {
		list.Cases = nil
		env.Do(t, "GET", "/api/v1/cases?q="+url.QueryEscape(q), "dispatcher", nil).JSON(t, &list)
		if len(list.Cases) != want {
			t.Errorf("q=%q: %d cases, want %d", q, len(list.Cases), want)
		}
	}
	if r := env.Do(t, "GET", "/api/v1/cases?q="+url.QueryEscape(strings.Repeat("噪音", 60)), "dispatcher", nil); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.Body), `"q"`) {
		t.Errorf("a query too long: %d %s", r.Status, r.Body)
	}
}

func TestRevealOverHTTP(t *testing.T) {
	env := apptest.New(t)
	in := intake(t, env)
	r := env.Do(t, "POST", fmt.Sprintf("/api/v1/reports/%d/reveal", in.Report.ID), "intake", map[string]any{"field": "phone"})
	if r.Status != 200 || !strings.Contains(string(r.Body), "13806012345") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d %s", r.Status, r.Body)
	}
	var audit struct {
		Records []struct {
			Action    string `json:"action"`
			ActorName string `json:"actor_name"`
		} `json:"records"`
	}
	env.Do(t, "GET", "/api/v1/audit?action=personal.reveal", "auditadmin", nil).JSON(t, &audit)
	if len(audit.Records) != 1 || audit.Records[0].ActorName != "intake" {
		t.Errorf("audit of reveal: %+v", audit)
	}
	// Reading the audit log is itself recorded.
	env.Do(t, "GET", "/api/v1/audit?action=audit.read", "auditadmin", nil).JSON(t, &audit)
	if len(audit.Records) != 1 || audit.Records[0].ActorName != "auditadmin" {
		t.Errorf("audit of reading the audit log: %+v", audit)
	}
	var v struct {
		Intact  bool  `json:"intact"`
		Records int64 `json:"records"`
	}
	env.Do(t, "POST", "/api/v1/audit/verify", "auditadmin", nil).JSON(t, &v)
	if !v.Intact || v.Records < 3 {
		t.Errorf("verify: %+v", v)
	}
}

func TestCatalogueAdministration(t *testing.T) {
	env := apptest.New(t)
	var cat struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
		Path string `json:"path"`
	}
	r := env.Do(t, "POST", "/api/v1/categories", "sysadmin", map[string]any{"parent_id": categoryID(t, env, "C0101"), "name": "共享单车乱停放"})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &cat)
	if !strings.HasPrefix(cat.Code, "C0101") || !strings.HasSuffix(cat.Path, "/ 共享单车乱停放") {
		t.Errorf("new category %+v", cat)
	}
	// Used by a case: delete refused, retire allowed.
	in := intake(t, env)
	act(t, env, "intake", in.Case.Number, "register", map[string]any{"category_id": cat.ID})
	r = env.Do(t, "DELETE", fmt.Sprintf("/api/v1/categories/%d", cat.ID), "sysadmin", nil)
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "category-in-use") {
		t.Errorf("delete in use: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", fmt.Sprintf("/api/v1/categories/%d/retire", cat.ID), "sysadmin", nil); r.Status != 200 {
		t.Errorf("retire: %d %s", r.Status, r.Body)
	}
	// A retired category cannot be chosen for a new case.
	r = env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "web", "body": "x", "category_id": cat.ID})
	if r.Status != 422 {
		t.Errorf("retired category at intake: %d %s", r.Status, r.Body)
	}
	// An unused category can be deleted.
	r = env.Do(t, "POST", "/api/v1/categories", "sysadmin", map[string]any{"domain": "dispute", "name": "测试类"})
	r.JSON(t, &cat)
	if r := env.Do(t, "DELETE", fmt.Sprintf("/api/v1/categories/%d", cat.ID), "sysadmin", nil); r.Status != 204 {
		t.Errorf("delete unused: %d %s", r.Status, r.Body)
	}
	var audit struct {
		Records []struct {
			Action string `json:"action"`
		} `json:"records"`
	}
	env.Do(t, "GET", "/api/v1/audit?object_type=category", "auditadmin", nil).JSON(t, &audit)
	var actions []string
	for _, rec := range audit.Records {
		actions = append(actions, rec.Action)
	}
	if strings.Join(actions, ",") != "category.delete,category.create,category.retire,category.create,catalog.seed" {
		t.Errorf("catalogue audit trail: %v", actions)
	}
}

// Whatever a POST creates that can be read by itself, its 201 names in
// Location, and a GET of it answers.
func TestCreatedNamesItsLocation(t *testing.T) {
	env := apptest.New(t)
	n := dispatchedCase(t, env)
	files, ct := multipartFiles(t, "files", [2]string{"记录.txt", "现场记录"})
	for _, tc := range []struct {
		name, user, path string
		body             any
		headers          []string
		want             *regexp.Regexp
		reader           string
	}{
		{"report", "intake", "/api/v1/reports", map[string]any{"channel": "hotline", "body": "江头北路路灯不亮"}, nil,
			regexp.MustCompile(`^/api/v1/cases/XM-\d{4}-\d{6}$`), "intake"},
		{"unit", "sysadmin", "/api/v1/units", map[string]any{"parent_id": env.Unit(t, "350206004"), "code": "TEST-LOC-1",
			"name": "测试社区", "kind": "government", "level": "community"}, nil, regexp.MustCompile(`^/api/v1/units/\d+$`), "sysadmin"},
		{"category", "sysadmin", "/api/v1/categories", map[string]any{"parent_id": categoryID(t, env, "C0101"), "name": "共享单车乱停放"}, nil,
			regexp.MustCompile(`^/api/v1/categories/\d+$`), "sysadmin"},
		{"order", "huli", "/api/v1/cases/" + n + "/supervision", map[string]any{"kind": "remind", "reason": "请加快办理"}, nil,
			regexp.MustCompile(`^/api/v1/supervision/DB-\d{4}-\d{6}$`), "jiangtou"},
		{"attachments", "jiangtou", "/api/v1/cases/" + n + "/attachments", files, []string{"Content-Type", ct},
			regexp.MustCompile(`^/api/v1/cases/` + n + `/attachments$`), "jiangtou"},
	} {
		r := env.Do(t, "POST", tc.path, tc.user, tc.body, tc.headers...)
		loc := r.Header.Get("Location")
		if r.Status != http.StatusCreated || !tc.want.MatchString(loc) {
			t.Errorf("%s: %d, Location %q: %s", tc.name, r.Status, loc, r.Body)
			continue
		}
		if got := env.Do(t, "GET", loc, tc.reader, nil); got.Status != 200 {
			t.Errorf("%s: GET %s: %d %s", tc.name, loc, got.Status, got.Body)
		}
	}
}
