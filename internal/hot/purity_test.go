package hot_test

import (
	"context"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/demo"
	"pingan/internal/hot"
)

// On the demo's generated cases — reports of many matters in every
// community — a hot issue is about one matter: most of its cases are of
// one category. The place people write from is where a matter is, not
// what it is: reports from one community about water pressure, a family
// quarrel and a land boundary are not one issue.
func TestCityIssuesAreAboutOneMatter(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	if err := demo.LoadCases(ctx, env.App, 2000, 30, 7, nil); err != nil {
		t.Fatal(err)
	}
	res, err := hot.City(ctx, env.App.Cases, access.System("t"), hot.CityQuery{Days: 30, Top: 20}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Issues) < 10 {
		t.Fatalf("%d issues", len(res.Issues))
	}
	var cases, majority int
	for _, is := range res.Issues {
		count := map[int64]int{}
		best := 0
		for _, n := range is.Cases {
			d, err := env.App.Cases.Get(ctx, access.System("t"), n)
			if err != nil {
				t.Fatal(err)
			}
			count[d.Case.CategoryID]++
			best = max(best, count[d.Case.CategoryID])
		}
		cases += len(is.Cases)
		majority += best
		if 3*best < 2*len(is.Cases) {
			t.Errorf("#%d %s (%s): %d of its %d cases in one category", is.Rank, is.Description, is.Place, best, len(is.Cases))
		}
	}
	if share := float64(majority) / float64(cases); share < 0.9 {
		t.Errorf("%.0f%% of the top issues' cases are of their issue's main category, want at least 90%%", 100*share)
	}
}
