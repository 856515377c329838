package api_test

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"pingan/internal/apptest"
)

// The system administrator lists, adds, retires and restores routing rules
// over the API; others may not; a bad rule is refused with the field named.
func TestRoutingRulesOverHTTP(t *testing.T) {
	env := apptest.New(t)
	var list struct {
		Rules []struct {
			ID        int64   `json:"id"`
			Name      string  `json:"name"`
			RetiredAt *string `json:"retired_at"`
		} `json:"rules"`
	}
	r := env.Do(t, "GET", "/api/v1/routing-rules", "sysadmin", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &list)
	if rules := list.Rules; len(rules) < 4 {
		t.Fatalf("the default rules: %s", r.Body)
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
	// Edited in place: the whole rule in the body.
	rule["priority"], rule["name"] = 7, "思明区噪音 → 思明区城管"
	if r := env.Do(t, "PUT", path, "dispatcher", rule); r.Status != http.StatusForbidden {
		t.Errorf("a dispatcher edited a rule: %d", r.Status)
	}
	r = env.Do(t, "PUT", path, "sysadmin", rule)
	var edited struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		Priority int    `json:"priority"`
		UnitKind string `json:"unit_kind"`
	}
	if r.JSON(t, &edited); r.Status != http.StatusOK || edited.ID != made.ID || edited.Priority != 7 ||
		edited.Name != "思明区噪音 → 思明区城管" || edited.UnitKind != "department" {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "PUT", path, "sysadmin", map[string]any{"name": "x", "unit_kind": "police"}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.Body), "unit_id") {
		t.Errorf("an edit without a whole target: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "PUT", "/api/v1/routing-rules/999999", "sysadmin", rule); r.Status != http.StatusNotFound {
		t.Errorf("editing no rule: %d %s", r.Status, r.Body)
	}
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

// A 高德 (GCJ-02) point near the 湖里/思明 edge at 东渡: converted, it lies
// in 湖里区; read as WGS-84 (without "crs") it would be in 思明区, and an
// unknown datum is refused.
func TestGCJ02PointIsRoutedAfterConversion(t *testing.T) {
	env := apptest.New(t)
	for _, tc := range []struct {
		crs  string
		want string
	}{{"gcj02", "350206"}, {"", "350203"}} {
		loc := map[string]any{"lat": 24.477337, "lon": 118.074969}
		if tc.crs != "" {
			loc["crs"] = tc.crs
		}
		r := env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "hotline", "body": "路面塌陷，需要处理", "location": loc})
		if r.Status != http.StatusCreated {
			t.Fatalf("crs %q: %d %s", tc.crs, r.Status, r.Body)
		}
		var out struct {
			Case struct {
				Location struct {
					Lat float64 `json:"lat"`
					Lon float64 `json:"lon"`
				} `json:"location"`
				Routing struct {
					Area string `json:"area"`
				} `json:"routing"`
			} `json:"case"`
		}
		r.JSON(t, &out)
		if out.Case.Routing.Area != tc.want {
			t.Errorf("crs %q: area %q, want %s (%s)", tc.crs, out.Case.Routing.Area, tc.want, r.Body)
		}
		if tc.crs == "gcj02" && (math.Abs(out.Case.Location.Lat-24.48) > 1e-5 || math.Abs(out.Case.Location.Lon-118.07) > 1e-5) {
			t.Errorf("the stored point is not the WGS-84 one: %+v", out.Case.Location)
		}
	}
	r := env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "hotline", "body": "路面塌陷",
		"location": map[string]any{"lat": 24.48, "lon": 118.07, "crs": "bd09"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "location.crs") {
		t.Errorf("an unknown datum: %d %s", r.Status, r.Body)
	}
}
