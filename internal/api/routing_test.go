package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"pingan/internal/apptest"
)

// The system administrator lists, adds, retires and restores routing rules
// over the API; others may not; a bad rule is refused with the field named.
func TestRoutingRulesOverHTTP(t *testing.T) {
	env := apptest.New(t)
	var rules []struct {
		ID        int64   `json:"id"`
		Name      string  `json:"name"`
		RetiredAt *string `json:"retired_at"`
	}
	r := env.Do(t, "GET", "/api/v1/routing-rules", "sysadmin", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &rules)
	if len(rules) < 4 {
		t.Fatalf("the default rules: %+v", rules)
	}
	if r := env.Do(t, "GET", "/api/v1/routing-rules", "dispatcher", nil); r.Status != http.StatusForbidden {
		t.Errorf("a dispatcher listed the rules: %d", r.Status)
	}
	rule := map[string]any{"name": "思明区噪音 → 思明区生态环境局", "category_code": "C01", "division_code": "350203",
		"unit_kind": "department", "unit_level": "district", "priority": 5}
	if r := env.Do(t, "POST", "/api/v1/routing-rules", "dispatcher", rule); r.Status != http.StatusForbidden {
		t.Errorf("a dispatcher added a rule: %d", r.Status)
	}
	if r := env.Do(t, "POST", "/api/v1/routing-rules", "sysadmin", map[string]any{"name": "x", "division_code": "999999"}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a rule for no area: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "POST", "/api/v1/routing-rules", "sysadmin", rule)
	if r.Status != http.StatusCreated {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	var made struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	r.JSON(t, &made)
	path := "/api/v1/routing-rules/" + strconv.FormatInt(made.ID, 10)
	var retired struct {
		RetiredAt *string `json:"retired_at"`
	}
	r = env.Do(t, "POST", path+"/retire", "sysadmin", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("retire: %d %s", r.Status, r.Body)
	}
	if r.JSON(t, &retired); retired.RetiredAt == nil {
		t.Error("a retired rule without retired_at")
	}
	r = env.Do(t, "POST", path+"/restore", "sysadmin", nil)
	retired.RetiredAt = nil
	if r.JSON(t, &retired); r.Status != http.StatusOK || retired.RetiredAt != nil {
		t.Errorf("restore: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", "/api/v1/routing-rules/999999/retire", "sysadmin", nil); r.Status != http.StatusNotFound {
		t.Errorf("retiring no rule: %d", r.Status)
	}
}
