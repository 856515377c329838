package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// TestPetitionsOverHTTP walks the petition endpoints as a table of requests
// and the statuses and bodies they must answer.
func TestPetitionsOverHTTP(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	in := func(body string) casework.Case {
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "visit", Body: body,
			ReporterName: "陈某某", ReporterIDNumber: "35020319900101123X", Nature: "petition_claim"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case
	}
	first := in("反映某小区地下车库长期积水，物业公司不作为，要求解决。")
	env.Clock.Advance(24 * time.Hour)
	second := in("地下车库积水物业不作为，再次要求解决。")
	complaint := intake(t, env)
	tooLate := env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)

	for _, tc := range []struct {
		name, method, path, user string
		body                     any
		status                   int
		contains                 []string
	}{
		{"petitioner by ID", "POST", "/api/v1/repeats/petitioner", "intake",
			map[string]any{"id_number": "35020319900101123x", "text": "车库积水 物业不作为"}, 200,
			[]string{`"visits":3`, `"same_matter":3`, first.Number, second.Number, "第 3 次信访"}},
		{"petitioner by name alone", "POST", "/api/v1/repeats/petitioner", "intake", map[string]any{"name": "陈某某"}, 200,
			[]string{`"visits":1`, `"earlier":[]`}},
		{"petitioner, unknown field", "POST", "/api/v1/repeats/petitioner", "intake", map[string]any{"idno": "x"}, 400, nil},
		{"petition facts", "GET", "/api/v1/cases/" + second.Number + "/petition", "intake", nil, 200,
			[]string{`"stage":"petition"`, `"visits":2`, first.Number}},
		{"petition facts out of scope", "GET", "/api/v1/cases/" + second.Number + "/petition", "gulangyu", nil, 404,
			[]string{"application/problem+json"}},
		{"not a petition", "GET", "/api/v1/cases/" + complaint.Case.Number + "/petition", "intake", nil, 404, []string{"not-a-petition"}},
		{"review of an unanswered petition", "POST", "/api/v1/cases/" + first.Number + "/review", "intake",
			map[string]any{"reason": "不服"}, 409, []string{"not-answered", "尚未办结答复"}},
		{"review without a reason", "POST", "/api/v1/cases/" + first.Number + "/review", "intake",
			map[string]any{"requested_at": tooLate}, 422, []string{"reason"}},
		{"conclusion of a petition", "POST", "/api/v1/cases/" + first.Number + "/review/conclusion", "intake",
			map[string]any{"conclusion": "upheld", "opinion": "维持"}, 409, []string{"not-a-review"}},
		{"decline an unbarred petition", "POST", "/api/v1/cases/" + first.Number + "/no-longer-accepted", "intake", nil, 409,
			[]string{"not-barred"}},
		{"backlog", "GET", "/api/v1/petitions/backlog", "supervisor", nil, 200,
			[]string{`"period":"2026-11"`, `"stock":0`, `"trend":[`}},
		{"backlog of a quarter", "GET", "/api/v1/petitions/backlog?period=quarter&date=2026-10", "leader", nil, 200,
			[]string{`"period":"2026-Q4"`}},
		{"backlog, bad period", "GET", "/api/v1/petitions/backlog?period=week", "supervisor", nil, 422, []string{"period"}},
		{"backlog, handler", "GET", "/api/v1/petitions/backlog", "jiangtou", nil, 403, []string{"forbidden"}},
		{"backlog cases", "GET", "/api/v1/petitions/backlog/cases?figure=risk", "supervisor", nil, 200, []string{`"cases":[`}},
		{"backlog cases, bad figure", "GET", "/api/v1/petitions/backlog/cases?figure=all", "supervisor", nil, 422, []string{"figure"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Do(t, tc.method, tc.path, tc.user, tc.body)
			if r.Status != tc.status {
				t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, r.Status, r.Body, tc.status)
			}
			text := string(r.Body) + r.Header.Get("Content-Type")
			for _, want := range tc.contains {
				if !strings.Contains(text, want) {
					t.Errorf("%s %s: %s lacks %q", tc.method, tc.path, r.Body, want)
				}
			}
		})
	}

	// Fifteen days on, the unaccepted petitions are backlog, and the
	// drill-down lists both.
	env.Clock.Advance(16 * 24 * time.Hour)
	r := env.Do(t, "GET", "/api/v1/petitions/backlog/cases?figure=stock&date=2026-12", "supervisor", nil)
	var page struct {
		Cases []struct {
			Number  string     `json:"number"`
			LimitAt *time.Time `json:"limit_at"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(r.Body, &page); err != nil || r.Status != 200 || len(page.Cases) != 2 || page.Cases[0].LimitAt == nil {
		t.Fatalf("stock cases: %d %s", r.Status, r.Body)
	}
}
