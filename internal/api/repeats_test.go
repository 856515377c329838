package api_test

import (
	"net/http"
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
			Number  string   `json:"number"`
			Score   float64  `json:"score"`
			Reasons []string `json:"reasons"`
		} `json:"candidates"`
	}
	r.JSON(t, &out)
	if len(out.Candidates) == 0 || out.Candidates[0].Number != in.Case.Number || len(out.Candidates[0].Reasons) == 0 {
		t.Fatalf("candidates: %+v", out)
	}
	if r := env.Do(t, "POST", "/api/v1/repeats", "intake", map[string]any{"text": ""}); r.Status == http.StatusOK {
		t.Fatal("an empty text was accepted")
	}
	if r := env.Do(t, "POST", "/api/v1/repeats", "sysadmin", map[string]any{"text": "x"}); r.Status != http.StatusForbidden {
		t.Fatalf("an administrator: %d", r.Status)
	}
}
