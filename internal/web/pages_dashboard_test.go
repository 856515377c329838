package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/db"
	"pingan/internal/demo"
)

// dashFigures is what the dashboard's script reads of its figures: each
// with the link that opens its cases.
type dashFigures struct {
	Total       int64  `json:"total"`
	Overdue     int64  `json:"overdue"`
	TotalLink   string `json:"total_link"`
	OverdueLink string `json:"overdue_link"`
	Districts   []struct {
		Name         string `json:"name"`
		Cases        int64  `json:"cases"`
		Lawsuits     int64  `json:"lawsuits"`
		Overdue      int64  `json:"overdue"`
		CasesLink    string `json:"cases_link"`
		LawsuitsLink string `json:"lawsuits_link"`
		OverdueLink  string `json:"overdue_link"`
	} `json:"districts"`
}

type dashPoint struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
	Link  string `json:"link"`
}

// dashFiguresOf reads the figures a dashboard page carries for its script,
// and the points of the charts named.
func dashFiguresOf(t *testing.T, p page, f *dashFigures, charts map[string]*[]dashPoint) {
	t.Helper()
	m := dashData.FindStringSubmatch(p.Body)
	if p.Status != 200 || m == nil {
		t.Fatalf("dashboard: %d\n%s", p.Status, excerpt(p.Body))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(m[1]), &raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(m[1]), f); err != nil {
		t.Fatal(err)
	}
	for name, points := range charts {
		if err := json.Unmarshal(raw[name], points); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

var (
	dashData   = regexp.MustCompile(`(?s)<script type="application/json" id="dash-data">(.*?)</script>`)
	dashAnchor = regexp.MustCompile(`<a [^>]*href="([^"]*)"[^>]*>(?:<strong[^>]*>)?([^<]*)<`)
	searchN    = regexp.MustCompile(`<p class="summary">共 (\d+) 件`)
)

// Every figure on the dashboard that links somewhere opens the search of
// exactly the cases it counts: following the link, the search's total is
// the figure — for the month under way, a month over, a week and a year.
// Figures no search can express link to nothing: cases with no nature or
// category, and a category's own cases where others are classified under
// it (its search would find those too).
func TestDashboardLinks(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "leader")
	if err := demo.LoadCases(context.Background(), env.App, 800, 30, 21, nil); err != nil {
		t.Fatal(err)
	}
	l := signedIn(t, env, "leader")
	// Most of the month's most reported category classified one level up,
	// where the search by that category would find the rest too: its
	// figure links to nothing.
	ctx := context.Background()
	var before dashFigures
	var hot []dashPoint
	dashFiguresOf(t, l.get("/dashboard"), &before, map[string]*[]dashPoint{"hot": &hot})
	top, err := url.Parse(hot[0].Link)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := strconv.ParseInt(top.Query().Get("category_id"), 10, 64)
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, env.App.Config.Location()).UnixMicro()
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET category_id = (SELECT parent_id FROM categories WHERE id = $1)
			WHERE category_id = $1 AND id <> (SELECT MAX(id) FROM cases WHERE category_id = $1 AND received_at >= $2)`, leaf, month)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Dashboard.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	counted := map[string]int{} // each search's total, once
	total := func(link string) int {
		t.Helper()
		if n, ok := counted[link]; ok {
			return n
		}
		if !strings.HasPrefix(link, "/search?") {
			t.Fatalf("a figure links to %q, not to the search", link)
		}
		p := l.get(link)
		m := searchN.FindStringSubmatch(p.Body)
		if p.Status != 200 || m == nil {
			t.Fatalf("%s: %d, no total\n%s", link, p.Status, excerpt(p.Body))
		}
		n, _ := strconv.Atoi(m[1])
		counted[link] = n
		return n
	}
	for _, path := range []string{"/dashboard", "/dashboard?period=month&date=2026-10-15", "/dashboard?period=week", "/dashboard?period=year"} {
		p := l.get(path)
		var f dashFigures
		charts := map[string]*[]dashPoint{}
		for _, c := range []string{"days", "channels", "natures", "categories", "hot"} {
			charts[c] = new([]dashPoint)
		}
		dashFiguresOf(t, p, &f, charts)
		if f.Total == 0 || f.Overdue == 0 {
			t.Fatalf("%s: %d cases, %d overdue: nothing to follow", path, f.Total, f.Overdue)
		}
		// want is every linked figure by its link.
		want := map[string]int64{f.TotalLink: f.Total, f.OverdueLink: f.Overdue}
		figure := func(what, link string, n int64) {
			t.Helper()
			if link == "" {
				return
			}
			if w, ok := want[link]; ok && w != n {
				t.Errorf("%s: %s links to %s, as a figure of %d does", path, what, link, w)
			}
			want[link] = n
		}
		for chart, points := range charts {
			linked := 0
			for _, pt := range *points {
				figure(chart+" "+pt.Name, pt.Link, pt.Value)
				if pt.Link != "" {
					linked++
				}
			}
			// All but the unclassified are searchable, and but the
			// category classified above its cases in the month.
			unlinked := len(*points) - linked
			if len(*points) == 0 || unlinked > 1 || chart == "hot" && path == "/dashboard" && unlinked != 1 {
				t.Errorf("%s: %d of %d %s link to their cases", path, linked, len(*points), chart)
			}
		}
		if len(f.Districts) != 6 {
			t.Fatalf("%s: %d districts", path, len(f.Districts))
		}
		for _, d := range f.Districts {
			if d.CasesLink == "" || d.LawsuitsLink == "" || d.OverdueLink == "" {
				t.Errorf("%s: %s's figures link to nothing: %+v", path, d.Name, d)
			}
			figure(d.Name+" cases", d.CasesLink, d.Cases)
			figure(d.Name+" lawsuits", d.LawsuitsLink, d.Lawsuits)
			figure(d.Name+" overdue", d.OverdueLink, d.Overdue)
		}
		// The page's own links (the totals, the districts' table) are
		// among them, each beside its figure.
		for _, a := range dashAnchor.FindAllStringSubmatch(p.Body[strings.Index(p.Body, `id="dash"`):], -1) {
			link, text := html.UnescapeString(a[1]), strings.TrimSpace(a[2])
			w, ok := want[link]
			if !ok {
				t.Errorf("%s: the page links %q to %s, no figure's search", path, text, link)
				continue
			}
			if n, err := strconv.ParseInt(text, 10, 64); err == nil && n != w {
				t.Errorf("%s: the page shows %d linking to %s, the search of %d", path, n, link, w)
			}
		}
		for link, n := range want {
			if got := total(link); int64(got) != n {
				t.Errorf("%s: a figure of %d opens %s, which finds %d", path, n, link, got)
			}
		}
	}
}
