package hot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/casegen"
	"pingan/internal/demo"
	"pingan/internal/division"
	"pingan/internal/hot"
	"pingan/internal/placename"
)

// mislabelled says how an issue's place misstates where its reports are,
// "" when it does not. A place ending in 等 says the reports name several:
// it must be one the most of them name. Any other place must be in every
// report that names a place of its own (in its title, text or address),
// and in one at least. Either is a place the generator wrote (not 时候公司,
// from 走的时候公司说…).
func mislabelled(is hot.CityIssue) string {
	label := is.Place
	if label == "" {
		return ""
	}
	core, several := strings.CutSuffix(label, "等")
	if i := strings.Index(label, "等"); i > 0 && strings.HasSuffix(label, "个区") {
		core, several = label[:i], true // 思明区等2个区
	}
	named := map[string]int{}
	in := 0
	for _, m := range is.Messages {
		text := m.Subject + "\n" + m.Body
		has := strings.Contains(text, core) || m.Street == core
		if has {
			in++
		}
		seen := map[string]bool{}
		var own []string
		for _, w := range placename.Names(text) {
			if len([]rune(w)) >= 3 && !seen[w] {
				seen[w] = true
				named[w]++
				own = append(own, w)
			}
		}
		if !several && !has && len(own) > 0 {
			return fmt.Sprintf("%q names %v, not %s", m.Subject, own, label)
		}
	}
	if in == 0 {
		return "no report names it"
	}
	if !written(core) {
		return "no place the cases were written about"
	}
	if several {
		for w, n := range named {
			if n > in && !strings.Contains(w, core) {
				return fmt.Sprintf("%s is named by %d reports, %s by %d", w, n, core, in)
			}
		}
	}
	return ""
}

// written reports whether the generator (casegen) writes name as a place:
// an estate, landmark, community or road of its vocabulary (or part of
// one, as Names cuts 厦门市第五医院 at its 市, or one and what a text puts
// after it: 莲花五村中心广场), one of its companies and what its texts put
// after one, or a division (City's area).
func written(name string) bool {
	for _, m := range []map[string][]string{casegen.Estates, casegen.Landmarks, casegen.Streets, casegen.Roads} {
		for _, ws := range m {
			if slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(w, name) || strings.HasPrefix(name, w) }) {
				return true // 第五医院 of 厦门市第五医院, 莲花五村中心广场
			}
		}
	}
	for _, c := range casegen.Companies {
		if strings.HasPrefix(name, c) {
			return true
		}
	}
	return slices.ContainsFunc(division.All(), func(d division.Division) bool { return d.Name == name })
}

// Every hot issue of a realistic load of cases (the demo's generator) is
// labelled with the place its cases share, or with the one most of them
// name and 等 when they name several — never with the place of one case
// among others (龙山社区's cases labelled 内厝社区).
func TestCityPlacesAreTheCasesPlaces(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	if err := demo.LoadCases(ctx, env.App, 2000, 90, 7, nil); err != nil {
		t.Fatal(err)
	}
	sup := env.Actor(t, "supervisor")
	issues, wrong := 0, 0
	for _, days := range hot.Windows {
		res, err := hot.City(ctx, env.App.Cases, sup, hot.CityQuery{Days: days, Top: 100}, env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range res.Issues {
			issues++
			if why := mislabelled(is); why != "" {
				wrong++
				t.Errorf("%d days, #%d %q labelled %q: %s", days, is.Rank, is.Description, is.Place, why)
			}
		}
	}
	t.Logf("%d of %d labels wrong", wrong, issues)
	if issues < 100 {
		t.Errorf("%d issues over the three windows: too few to judge the labels", issues)
	}
}
