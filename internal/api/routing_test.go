package api_test

import (
	"math"
	"net/http"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/division"
)

// A report placed by a map service's GCJ-02 point is stored in WGS-84 and
// routed: the case says where it should go and why.
func TestIntakeRoutingOverHTTP(t *testing.T) {
	env := apptest.New(t)
	lat, lon := 24.5120, 118.1460 // 湖里区, WGS-84
	gLat, gLon := division.ToGCJ02(lat, lon)
	r := env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{
		"channel": "police_110", "body": "江头北路有人打架", "nature": "police_public_order",
		"location": map[string]any{"lat": gLat, "lon": gLon, "crs": "gcj02"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("intake: %d %s", r.Status, r.Body)
	}
	var out struct {
		Case struct {
			DivisionCode string `json:"division_code"`
			Location     struct {
				Lat float64 `json:"lat"`
				Lon float64 `json:"lon"`
			} `json:"location"`
			Routing struct {
				Unit struct {
					Name string `json:"name"`
				} `json:"unit"`
				Triage      bool   `json:"triage"`
				Explanation string `json:"explanation"`
			} `json:"routing"`
		} `json:"case"`
	}
	r.JSON(t, &out)
	c := out.Case
	if math.Abs(c.Location.Lat-lat) > 1e-6 || math.Abs(c.Location.Lon-lon) > 1e-6 {
		t.Errorf("stored %v,%v, want the WGS-84 point %v,%v", c.Location.Lat, c.Location.Lon, lat, lon)
	}
	if c.DivisionCode != "350206004" || c.Routing.Unit.Name != "江头派出所" || c.Routing.Triage || c.Routing.Explanation == "" {
		t.Errorf("routing: %+v division %s", c.Routing, c.DivisionCode)
	}
	r = env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "hotline", "body": "x",
		"location": map[string]any{"lat": 24.5, "lon": 118.1, "crs": "bd09"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown datum: %d %s", r.Status, r.Body)
	}
}
