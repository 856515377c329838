package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"pingan/internal/apptest"
)

func TestRepeatsOverHTTP(t *testing.T) {
	env := apptest.New(t)
	in := intake(t, env)
	r := env.Do(t, "POST", "/api/v1/repeats", "intake", map[string]any{"text": "投诉江头北路工地凌晨打桩噪声扰民",
		"location": map[string]any{"lat": 24.5001, "lon": 118.1401}})
	if r.Status != http.StatusOK {
		t.Fatalf("repeats: %d %s", r.Status, r.Body)
	}
	var out struct {
		Candidates []struct {
			Number   string   `json:"number"`
			Score    float64  `json:"score"`
			Reasons  []string `json:"reasons"`
			Received string   `json:"received_at"`
		} `json:"candidates"`
	}
	r.JSON(t, &out)
	if len(out.Candidates) == 0 || out.Candidates[0].Number != in.Case.Number || len(out.Candidates[0].Reasons) == 0 {
		t.Fatalf("candidates: %+v", out)
	}
	// Times as everywhere in the API: the city's offset, as the case has it.
	var c struct {
		Received string `json:"received_at"`
	}
	env.Do(t, "GET", "/api/v1/cases/"+in.Case.Number, "intake", nil).JSON(t, &c)
	if got := out.Candidates[0].Received; got != c.Received || !strings.HasSuffix(got, "+08:00") {
		t.Errorf("candidate received_at %q, the case's %q", got, c.Received)
	}
	if r := env.Do(t, "POST", "/api/v1/repeats", "intake", map[string]any{"text": ""}); r.Status == http.StatusOK {
		t.Fatal("an empty text was accepted")
	}
	if r := env.Do(t, "POST", "/api/v1/repeats", "sysadmin", map[string]any{"text": "x"}); r.Status != http.StatusForbidden {
		t.Fatalf("an administrator: %d", r.Status)
	}
}

// A report for an open case comes back as a merge that the API can undo;
// a user outside both cases' units sees neither.
func TestMergeOverHTTP(t *testing.T) {
	env := apptest.New(t)
	a := intake(t, env)
	body := map[string]any{"channel": "web", "body": "同一工地今晚又在施工", "case_number": a.Case.Number}
	r := env.Do(t, "POST", "/api/v1/reports", "intake", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("report for a case: %d %s", r.Status, r.Body)
	}
	var out struct {
		Case struct {
			Number      string `json:"number"`
			RepeatCount int    `json:"repeat_count"`
			Merged      []struct {
				Number string `json:"number"`
			} `json:"merged"`
		} `json:"case"`
		MergedFrom *string `json:"merged_from"`
		AutoMerged bool    `json:"auto_merged"`
	}
	r.JSON(t, &out)
	if out.Case.Number != a.Case.Number || out.Case.RepeatCount != 1 || out.MergedFrom == nil || out.AutoMerged ||
		len(out.Case.Merged) != 1 || out.Case.Merged[0].Number != *out.MergedFrom {
		t.Fatalf("merged report: %s", r.Body)
	}
	from := *out.MergedFrom
	if r := env.Do(t, "POST", "/api/v1/cases/"+from+"/actions/unmerge", "gulangyu", map[string]any{"reason": "x"}); r.Status != http.StatusNotFound {
		t.Fatalf("unmerge by a unit outside the case: %d", r.Status)
	}
	if r := env.Do(t, "POST", "/api/v1/cases/"+from+"/actions/unmerge", "intake", map[string]any{}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unmerge without a reason: %d %s", r.Status, r.Body)
	}
	c := act(t, env, "intake", from, "unmerge", map[string]any{"reason": "不是同一工地"})
	if c.State != "received" || len(c.Reports) != 1 {
		t.Fatalf("after unmerge: %+v", c)
	}
	m := act(t, env, "dispatcher", from, "merge", map[string]any{"into": a.Case.Number})
	if m.State != "merged" {
		t.Fatalf("merge through the API: %+v", m)
	}
	if r := env.Do(t, "POST", "/api/v1/cases/"+a.Case.Number+"/actions/merge", "dispatcher", map[string]any{"into": from}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("merging a case into the one merged into it: %d %s", r.Status, r.Body)
	}
	// Once the case it joined is no longer open, its record is final: the
	// merge stays, refused as the lifecycle refuses, naming that state.
	act(t, env, "intake", a.Case.Number, "reject", map[string]any{"reason": "不属于受理范围"})
	var got caseDetail
	env.Do(t, "GET", "/api/v1/cases/"+from, "intake", nil).JSON(t, &got)
	if slices.Contains(got.AllowedActions, "unmerge") {
		t.Errorf("unmerge offered once the case it joined was rejected: %v", got.AllowedActions)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		r := env.Do(t, "POST", "/api/v1/cases/"+from+"/actions/unmerge", "intake", map[string]any{"reason": "不是同一工地"}, "Accept-Language", lang)
		var p problem
		r.JSON(t, &p)
		state := map[string]string{"zh-CN": "“不予受理”", "en": "“Rejected”"}[lang]
		if r.Status != http.StatusConflict || p.Code != "guard-failed" || p.State != "merged" || !strings.Contains(p.Detail, a.Case.Number) ||
			!strings.Contains(p.Detail, state) || slices.Contains(p.AllowedActions, "unmerge") {
			t.Errorf("unmerge from a rejected case (%s): %d %s", lang, r.Status, r.Body)
		}
	}
}

func TestEscalationRuleOverHTTP(t *testing.T) {
	env := apptest.New(t)
	path := "/api/v1/categories/1/escalation"
	if r := env.Do(t, "PUT", path, "dispatcher", map[string]any{"reports": 2, "days": 7}); r.Status != http.StatusForbidden {
		t.Fatalf("a dispatcher set a rule: %d", r.Status)
	}
	if r := env.Do(t, "PUT", path, "sysadmin", map[string]any{"reports": 2, "days": 0}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule of 0 days: %d %s", r.Status, r.Body)
	}
	r := env.Do(t, "PUT", path, "sysadmin", map[string]any{"reports": 2, "days": 7})
	var c struct {
		Escalation *struct{ Reports, Days int } `json:"escalation"`
	}
	r.JSON(t, &c)
	if r.Status != http.StatusOK || c.Escalation == nil || c.Escalation.Reports != 2 || c.Escalation.Days != 7 {
		t.Fatalf("set rule: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "PUT", path, "sysadmin", map[string]any{"inherit": true})
	c.Escalation = nil
	r.JSON(t, &c)
	if r.Status != http.StatusOK || c.Escalation != nil {
		t.Fatalf("inherit: %d %s", r.Status, r.Body)
	}
}

func TestHotIssuesOverHTTP(t *testing.T) {
	env := apptest.New(t)
	for i := range 3 {
		body := map[string]any{"channel": "hotline", "title": "丽发新城工地夜间施工噪音扰民", "body": "丽发新城旁工地每晚施工，噪音很大。",
			"division_code": "350206004", "reporter": map[string]any{"name": "居民", "phone": "1380600400" + string(rune('0'+i))}}
		if r := env.Do(t, "POST", "/api/v1/reports", "intake", body); r.Status != http.StatusCreated {
			t.Fatalf("intake: %d %s", r.Status, r.Body)
		}
	}
	r := env.Do(t, "GET", "/api/v1/hot?days=30", "supervisor", nil)
	var out struct {
		Reports int `json:"reports"`
		Issues  []struct {
			Rank    int      `json:"rank"`
			Heat    float64  `json:"heat"`
			Reports int      `json:"reports"`
			People  int      `json:"people"`
			Cases   []string `json:"cases"`
		} `json:"issues"`
	}
	r.JSON(t, &out)
	if r.Status != http.StatusOK || out.Reports != 3 || len(out.Issues) != 1 || out.Issues[0].People != 3 || len(out.Issues[0].Cases) != 3 ||
		out.Issues[0].Heat != 10*3+2*3 {
		t.Fatalf("hot issues: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "GET", "/api/v1/hot?days=5", "supervisor", nil); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a 5-day window: %d", r.Status)
	}
	if r := env.Do(t, "GET", "/api/v1/hot", "jiangtou", nil); r.Status != http.StatusForbidden {
		t.Fatalf("a handler: %d", r.Status)
	}
}

// A case's own repeats: the earlier case of the same matter for someone who
// may merge it, nothing for someone who only reads.
func TestCaseRepeatsOverHTTP(t *testing.T) {
	env := apptest.New(t)
	first, second := intake(t, env), intake(t, env)
	list := func(user string) []string {
		t.Helper()
		r := env.Do(t, "GET", "/api/v1/cases/"+second.Case.Number+"/repeats", user, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("repeats of a case as %s: %d %s", user, r.Status, r.Body)
		}
		var out struct {
			Candidates []struct {
				Number string `json:"number"`
			} `json:"candidates"`
		}
		r.JSON(t, &out)
		var ns []string
		for _, c := range out.Candidates {
			ns = append(ns, c.Number)
		}
		return ns
	}
	if got := list("intake"); len(got) != 1 || got[0] != first.Case.Number {
		t.Errorf("repeats for the operator: %v, want [%s]", got, first.Case.Number)
	}
	if got := list("leader"); len(got) != 0 {
		t.Errorf("repeats for a leader, who may not merge: %v", got)
	}
}
