package api_test

import (
	"net/http"
	"strings"
	"testing"

	"pingan/internal/apptest"
)

// The 110 feed: each line on its own, bad lines named with their number,
// the same incident twice is one report, and it is routed to the 派出所.
func TestIncidentFeed(t *testing.T) {
	env := apptest.New(t)
	feed := strings.Join([]string{
		`{"incident_no":"110-20261126-0001","reported_at":"2026-11-26T08:40:00+08:00","nature":"police_public_order","summary":"江头北路有人打架","description":"两名男子在江头北路便利店门口斗殴","address":"湖里区江头北路","caller":{"name":"王先生","phone":"13906001234"}}`,
		``,
		`{"incident_no":"110-20261126-0002","description":"莲前西路一辆电动车被盗","nature":"police_criminal","location":{"lat":24.4792,"lon":118.0894}}`,
		`{"incident_no":"","description":"no number"}`,
		`{"incident_no":"110-20261126-0004","description":"x","nature":"complaint"}`,
		`not json`,
		`{"incident_no":"110-20261126-0001","description":"the first again"}`,
	}, "\n")
	r := env.Do(t, "POST", "/api/v1/incidents", "intake", []byte(feed), "Content-Type", "application/x-ndjson")
	if r.Status != http.StatusOK {
		t.Fatalf("feed: %d %s", r.Status, r.Body)
	}
	var res struct {
		Accepted, Replayed, Failed int
		Lines                      []struct {
			Line       int    `json:"line"`
			IncidentNo string `json:"incident_no"`
			CaseNumber string `json:"case_number"`
			Replayed   bool   `json:"replayed"`
			Error      string `json:"error"`
		}
	}
	r.JSON(t, &res)
	if res.Accepted != 2 || res.Replayed != 1 || res.Failed != 3 || len(res.Lines) != 6 {
		t.Fatalf("result: %+v", res)
	}
	byLine := map[int]int{}
	for i, l := range res.Lines {
		byLine[l.Line] = i
	}
	for _, bad := range []int{4, 5, 6} {
		if l := res.Lines[byLine[bad]]; l.Error == "" || l.CaseNumber != "" {
			t.Errorf("line %d: %+v", bad, l)
		}
	}
	first, again := res.Lines[byLine[1]], res.Lines[byLine[7]]
	if !again.Replayed || again.CaseNumber != first.CaseNumber {
		t.Errorf("the repeated incident: %+v, first %+v", again, first)
	}
	var c struct {
		Channel string `json:"channel"`
		Routing struct {
			Unit struct {
				Name string `json:"name"`
			} `json:"unit"`
		} `json:"routing"`
		Reports []struct {
			Reporter struct {
				Phone string `json:"phone"`
			} `json:"reporter"`
		} `json:"reports"`
	}
	env.Do(t, "GET", "/api/v1/cases/"+first.CaseNumber, "dispatcher", nil).JSON(t, &c)
	if c.Channel != "police_110" || c.Routing.Unit.Name != "江头派出所" || len(c.Reports) != 1 || c.Reports[0].Reporter.Phone != "139****1234" {
		t.Errorf("case: %+v", c)
	}
	// The natures the callers gave are labels for the classifier; the
	// default of an incident without one (其他警情) is nobody's choice.
	r = env.Do(t, "POST", "/api/v1/incidents", "intake", []byte(`{"incident_no":"110-20261126-0009","description":"湖里区江头北路有人求助"}`),
		"Content-Type", "application/x-ndjson")
	var unlabelled struct {
		Lines []struct {
			CaseNumber string `json:"case_number"`
		}
	}
	r.JSON(t, &unlabelled)
	var labels, defaulted int
	if err := env.App.DB.QueryRowContext(t.Context(), `SELECT (SELECT COUNT(*) FROM classify_feedback),
		(SELECT COUNT(*) FROM classify_feedback f JOIN cases c ON c.id = f.case_id WHERE c.number = $1)`, unlabelled.Lines[0].CaseNumber).
		Scan(&labels, &defaulted); err != nil {
		t.Fatal(err)
	}
	if labels != 2 || defaulted != 0 {
		t.Errorf("%d classifier labels from the feed (want the 2 natures given), %d from the defaulted incident", labels, defaulted)
	}
	var nature string
	if err := env.App.DB.QueryRowContext(t.Context(), "SELECT nature FROM cases WHERE number = $1", unlabelled.Lines[0].CaseNumber).
		Scan(&nature); err != nil || nature != "police_other" {
		t.Errorf("the incident without a nature: %q %v, want police_other", nature, err)
	}
	if r := env.Do(t, "POST", "/api/v1/incidents", "intake", []byte("\n\n"), "Content-Type", "application/x-ndjson"); r.Status != 400 {
		t.Errorf("empty feed: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", "/api/v1/incidents", "leader", []byte(`{"incident_no":"x","description":"y"}`)); r.Status != 403 {
		t.Errorf("a leader feeding incidents: %d %s", r.Status, r.Body)
	}
}
