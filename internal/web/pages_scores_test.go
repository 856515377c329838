package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
	"pingan/internal/demo"
	"pingan/internal/org"
	"pingan/internal/score"
)

// The board shows one peer group at a time: tabs name every group with its
// ranked units, the selected group ranks its units in the table and folds
// the units with too few cases into a <details>; "all" shows every group,
// an unknown group falls back to the default, and the links keep the
// period. The export still sends every group.
func TestScorecardGroups(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "leader")
	l := signedIn(t, env, "leader")
	// Before any case, the board keeps its message and has no tabs.
	for _, path := range []string{"/scores", "/scores?group=all", "/scores?group=police-street"} {
		empty := l.get(path)
		mustContain(t, empty, "本期没有可考评的办理记录")
		mustNotContain(t, empty, `<nav class="tabs"`, `<section class="card`, `name="group"`)
	}
	if err := demo.LoadCases(context.Background(), env.App, 300, 20, 11, nil); err != nil {
		t.Fatal(err)
	}
	// The board the leader sees, straight from the score service.
	const query = "period=month&date=2026-11-20" // not today: the links must carry it
	p, err := score.ParsePeriod("month", "2026-11-20", time.UTC, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	units, err := env.App.Org.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	scope := env.Actor(t, "leader").Scope
	board, err := env.App.Score.Board(context.Background(), p, units, func(u org.Unit) bool { return scope.Contains(u.ID) })
	if err != nil {
		t.Fatal(err)
	}
	key := func(g score.Group) string { return string(g.Kind) + "-" + string(g.Level) }
	split := func(g score.Group) (ranked, unranked []score.Row) {
		for _, r := range g.Rows {
			if r.Ranked {
				ranked = append(ranked, r)
			} else {
				unranked = append(unranked, r)
			}
		}
		return ranked, unranked
	}
	// def is the default group (the one with the most ranked units, the
	// first of them); mixed, another group with ranked and unranked units;
	// bare, a group none of whose units is ranked.
	def, mixed, bare := -1, -1, -1
	for i, g := range board.Groups {
		if ranked, _ := split(g); len(ranked) > 0 && (def < 0 || len(ranked) > countRanked(board.Groups[def])) {
			def = i
		}
	}
	for i, g := range board.Groups {
		ranked, unranked := split(g)
		switch {
		case i == def:
		case len(ranked) > 0 && len(unranked) > 0 && mixed < 0:
			mixed = i
		case len(ranked) == 0 && bare < 0:
			bare = i
		}
	}
	// The groups come in the organisation's order: by kind, then from the
	// city down.
	for i := 1; i < len(board.Groups); i++ {
		a, b := board.Groups[i-1], board.Groups[i]
		if ka, kb := org.KindIndex(a.Kind), org.KindIndex(b.Kind); ka > kb || ka == kb && org.LevelIndex(a.Level) >= org.LevelIndex(b.Level) {
			t.Fatalf("group %s comes before %s", key(a), key(b))
		}
	}
	if def < 0 || mixed < 0 || bare < 0 || len(board.Groups) < 3 {
		t.Fatalf("the demo board lacks the groups this test needs: default %d, mixed %d, bare %d of %d", def, mixed, bare, len(board.Groups))
	}

	sections := regexp.MustCompile(`<section class="card`)
	current := regexp.MustCompile(`<a href="/scores\?[^"]*group=([a-z-]+)"[^>]*aria-current="page"`)
	unitLink := func(r score.Row) string {
		return fmt.Sprintf(`href="/scores/%d?date=2026-11-20&amp;period=month"`, r.Unit.ID)
	}
	// shows checks the page shows exactly the groups want, the selected
	// tab being tab, each group's ranked units before its <details> and the
	// others inside it.
	shows := func(t *testing.T, path, tab string, want ...score.Group) {
		t.Helper()
		pg := l.get(path)
		if pg.Status != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, pg.Status, excerpt(pg.Body))
		}
		if n := len(sections.FindAllString(pg.Body, -1)); n != len(want) {
			t.Fatalf("%s shows %d groups, want %d", path, n, len(want))
		}
		if m := current.FindStringSubmatch(pg.Body); m == nil || m[1] != tab {
			t.Fatalf("%s: the selected tab is %v, want %s", path, m, tab)
		}
		// Every tab: each group with ranked units (and the one asked for),
		// then "all"; each keeps the period and date. A group with none
		// ranked has no tab: its units are under "all".
		for _, g := range board.Groups {
			ranked, _ := split(g)
			link := fmt.Sprintf(`<a href="/scores?date=2026-11-20&amp;period=month&amp;group=%s" title="参加排名 %d 个，共 %d 个单位"`, key(g), len(ranked), len(g.Rows))
			if len(ranked) > 0 || key(g) == tab {
				mustContain(t, pg, link)
			} else {
				mustNotContain(t, pg, link)
			}
		}
		mustContain(t, pg, `<a href="/scores?date=2026-11-20&amp;period=month&amp;group=all"`, `<nav class="tabs"`,
			fmt.Sprintf(`<input type="hidden" name="group" value="%s">`, tab))
		body := pg.Body
		for _, g := range want {
			start := strings.Index(body, fmt.Sprintf("<h2>%s · %s <", kindName(g.Kind), levelName(g.Level)))
			if start < 0 {
				t.Fatalf("%s lacks the group %s", path, key(g))
			}
			body = body[start:]
			end := strings.Index(body[1:], "</section>")
			sec := body[:end+1]
			ranked, unranked := split(g)
			fold := strings.Index(sec, "<details")
			if len(unranked) == 0 {
				fold = len(sec)
			} else if fold < 0 {
				t.Fatalf("%s: group %s does not fold its %d unranked units", path, key(g), len(unranked))
			}
			for _, r := range ranked {
				if i := strings.Index(sec, unitLink(r)); i < 0 || i > fold {
					t.Fatalf("%s: ranked %s is not in the table of %s", path, r.Unit.Name, key(g))
				}
			}
			for _, r := range unranked {
				if i := strings.Index(sec, unitLink(r)); i < fold {
					t.Fatalf("%s: unranked %s is not folded in %s", path, r.Unit.Name, key(g))
				}
			}
			// The summary counts the folded units; it is open when nothing
			// else is shown.
			summary := fmt.Sprintf("<summary>另有 %d 个单位本期派件不足 %d 件，不参加排名</summary>", len(unranked), score.MinAssigned)
			if len(ranked) == 0 {
				summary = fmt.Sprintf("<summary>%d 个单位本期派件均不足 %d 件，均不参加排名</summary>", len(unranked), score.MinAssigned)
				if !strings.Contains(sec, `<details class="unranked" open>`) {
					t.Fatalf("%s: group %s, with no unit ranked, is folded away", path, key(g))
				}
			}
			if len(unranked) > 0 && !strings.Contains(sec, summary) {
				t.Fatalf("%s: group %s lacks %q:\n%.1500s", path, key(g), summary, sec)
			}
			body = body[end:]
		}
		// No unit of a group not shown.
		for _, g := range board.Groups {
			if !containsGroup(want, g) {
				for _, r := range g.Rows {
					mustNotContain(t, pg, unitLink(r))
				}
			}
		}
	}

	for _, tc := range []struct {
		name, query, tab string
		want             []score.Group
	}{
		{"default", "", key(board.Groups[def]), board.Groups[def : def+1]},
		{"a group", "&group=" + key(board.Groups[mixed]), key(board.Groups[mixed]), board.Groups[mixed : mixed+1]},
		{"none ranked", "&group=" + key(board.Groups[bare]), key(board.Groups[bare]), board.Groups[bare : bare+1]},
		{"all", "&group=all", "all", board.Groups},
		{"unknown", "&group=bogus-nothing", key(board.Groups[def]), board.Groups[def : def+1]},
	} {
		t.Run(tc.name, func(t *testing.T) { shows(t, "/scores?"+query+tc.query, tc.tab, tc.want...) })
	}

	// A unit's scorecard, its cases behind a figure and the monthly report
	// keep the period and date in their links too (they were escaped into
	// "?period%3dmonth%26date…" and lost).
	t.Run("unit pages keep the period", func(t *testing.T) {
		u := board.Groups[def].Rows[0].Unit
		card := l.get(fmt.Sprintf("/scores/%d?%s", u.ID, query))
		mustContain(t, card, `<a href="/scores?date=2026-11-20&amp;period=month">`,
			fmt.Sprintf(`<a href="/scores/%d/cases?metric=assigned&date=2026-11-20&amp;period=month">`, u.ID))
		cases := l.get(fmt.Sprintf("/scores/%d/cases?metric=assigned&%s", u.ID, query))
		mustContain(t, cases, fmt.Sprintf(`href="/scores/%d/cases.csv?date=2026-11-20&amp;metric=assigned&amp;period=month"`, u.ID))
		report := l.get("/scores/report?date=2026-11-20")
		mustContain(t, report, `<a href="/scores?date=2026-11-20&amp;period=month">`)
		for _, pg := range []page{card, cases, report} {
			mustNotContain(t, pg, "%3d", "%26")
		}
	})

	// The export, whatever the tab, has every group's units.
	csv := l.get("/scores.csv?" + query + "&group=" + key(board.Groups[mixed]))
	for _, g := range board.Groups {
		if !strings.Contains(csv.Body, g.Rows[0].Unit.Name) {
			t.Fatalf("the export lacks %s of %s", g.Rows[0].Unit.Name, key(g))
		}
	}
}

func countRanked(g score.Group) int {
	n := 0
	for _, r := range g.Rows {
		if r.Ranked {
			n++
		}
	}
	return n
}

func kindName(k org.Kind) string {
	for _, x := range org.Kinds {
		if x.Kind == k {
			return x.Name.ZH
		}
	}
	return string(k)
}

func levelName(l org.Level) string {
	for _, x := range org.Levels {
		if x.Level == l {
			return x.Name.ZH
		}
	}
	return string(l)
}

func containsGroup(gs []score.Group, g score.Group) bool {
	for _, x := range gs {
		if x.Kind == g.Kind && x.Level == g.Level {
			return true
		}
	}
	return false
}
