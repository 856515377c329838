package casegen_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casegen"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/demo"
	"pingan/internal/division"
	"pingan/internal/org"
)

// Generated histories obey the lifecycle table, every state occurs, and the
// loaded cases work with the real service afterwards.
func TestGeneratedCasesFollowTheTable(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	a := env.App
	if err := demo.LoadCases(ctx, a, 2000, 90, 42, nil); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	states := map[casework.State]int{}
	cursor := ""
	checked := 0
	for {
		page, err := a.Cases.List(ctx, sys, casework.Filter{Limit: 200, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Cases {
			states[c.State]++
			if checked%7 != 0 { // every seventh case's history in full
				checked++
				continue
			}
			checked++
			tl, err := a.Cases.Timeline(ctx, sys, c.Number)
			if err != nil {
				t.Fatal(err)
			}
			if tl[0].Action != casework.Receive || tl[len(tl)-1].ToState != c.State {
				t.Fatalf("%s: history %v…%v ends in %s, case is %s", c.Number, tl[0].Action, tl[len(tl)-1].Action, tl[len(tl)-1].ToState, c.State)
			}
			for i, e := range tl[1:] {
				if e.FromState == e.ToState && !slices.Contains(casework.TableActions(), e.Action) {
					continue // a note outside the table (another case merged in)
				}
				rows := casework.Rows(e.FromState, e.Action)
				if len(rows) == 0 || rows[0].Next(e.FromState, tl[i].FromState) != e.ToState && e.Action != casework.Resume {
					t.Fatalf("%s: step %d %s from %s to %s is not in the table", c.Number, i+1, e.Action, e.FromState, e.ToState)
				}
				if e.FromState != tl[i].ToState {
					t.Fatalf("%s: step %d starts in %s but the previous ended in %s", c.Number, i+1, e.FromState, tl[i].ToState)
				}
				if e.At.Before(tl[i].At) || e.At.After(a.Now()) {
					t.Fatalf("%s: step %d at %v is out of order", c.Number, i+1, e.At)
				}
			}
			if c.HandlingUnitID != 0 {
				if _, err := a.Cases.Get(ctx, access.Actor{UserID: 1, UnitID: c.HandlingUnitID, Roles: []access.Role{access.Handler}}, c.Number); err != nil {
					t.Fatalf("%s: its handling unit cannot see it: %v", c.Number, err)
				}
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	for _, s := range casework.States {
		if states[s.State] == 0 {
			t.Errorf("no generated case is %s (%v)", s.State, states)
		}
	}
	if states[casework.Closed] < 800 {
		t.Errorf("only %d of 2000 cases closed over 90 days", states[casework.Closed])
	}
	// Numbers are gapless and in time order.
	var first, last string
	var n int
	if err := a.DB.QueryRowContext(ctx, "SELECT MIN(number), MAX(number), COUNT(DISTINCT number) FROM cases").Scan(&first, &last, &n); err != nil {
		t.Fatal(err)
	}
	if n != 2000 {
		t.Errorf("%d distinct numbers", n)
	}
	res, err := a.Audit.Verify(ctx, a.DB)
	if err != nil || res.Problem != nil {
		t.Errorf("audit after bulk load: %+v %v", res.Problem, err)
	}
	// A generated case continues through the real service.
	page, err := a.Cases.List(ctx, sys, casework.Filter{States: []casework.State{casework.Reported}, Limit: 1})
	if err != nil || len(page.Cases) == 0 {
		t.Fatalf("no reported case: %v", err)
	}
	if _, err := a.Cases.Do(ctx, env.Actor(t, "verifier"), page.Cases[0].Number, casework.Verify, casework.ActionInput{Note: "现场核实"}); err != nil {
		t.Errorf("verify a generated case: %v", err)
	}
	// A second load continues the numbering and the ids.
	if err := demo.LoadCases(ctx, a, 10, 1, 43, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "web", Body: "生成后新来件"}); err != nil {
		t.Errorf("intake after a bulk load: %v", err)
	}
}

// A generated case speaks of one road: a title that names a road of its
// township names the road of its address.
func TestGeneratedCaseNamesItsOwnRoad(t *testing.T) {
	env := apptest.New(t)
	g := generator(t, env, 7)
	now := env.Clock.Now()
	named := 0
	for range 2000 {
		c := g.Generate(now, now).Case
		d := c.DivisionCode
		inName := func(road string) bool { // in a landmark or estate the title names (中山路步行街)
			for _, x := range append(slices.Clone(casegen.Words("landmark", d)), casegen.Words("estate", d)...) {
				if strings.Contains(x, road) && strings.Contains(c.Title, x) {
					return true
				}
			}
			return false
		}
		for _, road := range casegen.Roads[d] {
			if strings.Contains(c.Title, road) && !inName(road) {
				named++
				if !strings.Contains(c.Address, road) {
					t.Fatalf("%q at %q: the title names another road than the address", c.Title, c.Address)
				}
			}
		}
	}
	if named < 100 {
		t.Fatalf("only %d of 2000 titles name a road", named)
	}
}

// Every generated case is where it says: its address is on a road (or, in
// a town whose roads the vocabulary does not list, at a place) of its own
// township, its texts name no place of another township, and nothing on a
// car-free island (鼓浪屿) needs a car: no traffic accident goes to
// 鼓浪屿派出所.
func TestGeneratedCasesAreInTheirTownship(t *testing.T) {
	env := apptest.New(t)
	g := generator(t, env, 11)
	w, err := demo.World(context.Background(), env.App)
	if err != nil {
		t.Fatal(err)
	}
	categoryOf := map[int64]string{}
	for path, id := range w.Categories {
		categoryOf[id] = path
	}
	// Each place word of the vocabulary, with the townships listing it.
	listed := map[string][]string{}
	for _, m := range []map[string][]string{casegen.Roads, casegen.Estates, casegen.Landmarks, casegen.Streets} {
		for code, ws := range m {
			for _, x := range ws {
				listed[x] = append(listed[x], code)
			}
		}
	}
	traffic := regexp.MustCompile(`交通警情|道路交通事故纠纷|交通安全管理|公共汽车`)
	now := env.Clock.Now()
	onIsland := 0
	const n = 20000
	for range n {
		c := g.Generate(now, now)
		code := c.Case.DivisionCode
		township, ok := division.ByCode(code)
		district, _ := division.ByCode(township.ParentCode)
		if !ok || township.Level != division.Street || township.Statistical() {
			t.Fatalf("%q: division %s is not a township", c.Case.Title, code)
		}
		rest, ok := strings.CutPrefix(c.Case.Address, district.Name+township.Name)
		road := strings.TrimRight(strings.TrimSuffix(rest, "号"), "0123456789")
		if !ok || !slices.Contains(casegen.Words("road", code), road) {
			t.Fatalf("%q in %s: %q is not a road of %s (%v)", c.Case.Title, code, c.Case.Address, township.Name, casegen.Words("road", code))
		}
		text := c.Case.Title + " " + c.Report.Body
		own := slices.Concat(casegen.Words("road", code), casegen.Words("estate", code), casegen.Words("landmark", code), casegen.Words("street", code))
		for x, codes := range listed {
			if !strings.Contains(text, x) || slices.Contains(codes, code) {
				continue
			}
			if slices.ContainsFunc(own, func(o string) bool {
				return strings.Contains(text, o) && (strings.Contains(o, x) || strings.Contains(x, o))
			}) {
				continue // part of one of its own (厦门大学 of 厦门大学翔安校区), or one and what precedes it (留下山头社区)
			}
			t.Fatalf("%q (%s): names %s, a place of %v, not of %s", c.Case.Title, c.Report.Body, x, codes, township.Name)
		}
		if casegen.CarFree[code] {
			onIsland++
			if path := categoryOf[c.Case.CategoryID]; traffic.MatchString(path) {
				t.Fatalf("%q: a %s matter on a car-free island", c.Case.Title, path)
			}
			if strings.Contains(strings.ReplaceAll(text, "车间", ""), "车") || strings.Contains(text, "公交") {
				t.Fatalf("%q (%s): vehicles on a car-free island", c.Case.Title, c.Report.Body)
			}
		}
	}
	if onIsland < n/100 {
		t.Errorf("only %d of %d cases on 鼓浪屿", onIsland, n)
	}
}

// A report set in a village — villagers, homesteads, farmland, hills,
// ancestral houses — is generated only in a township with villages (the
// towns, and the outer districts' 街道 that list some), never in the old
// town's 中华街道 or on 鼓浪屿, and names one of its villages; one that has
// the town government act (镇里, 镇政府) only in a town. Every such report
// of the catalogue is still generated somewhere.
func TestRuralReportsAreInVillages(t *testing.T) {
	env := apptest.New(t)
	g := generator(t, env, 17)
	rural := regexp.MustCompile(`村|宅基地|耕地|耕种|山林|山地|林地|农田|鱼塘|承包地|土地承包|田埂|果树|大棚|青苗|祖厝|祖屋|失地农民|集体土地`)
	type report struct{ topic, i int }
	drawn := map[report]int{}
	titles := map[report]*regexp.Regexp{}
	for ti, tp := range casegen.Topics {
		for i := range tp.Titles {
			if title, body := tp.Report(i); rural.MatchString(title + body) {
				if !tp.NeedsVillage(i) {
					t.Errorf("%v: %q is not set in a village: %q", tp.Category, title, body)
				}
				drawn[report{ti, i}] = 0
				titles[report{ti, i}] = pattern(title)
			}
		}
	}
	if len(drawn) < 15 {
		t.Fatalf("only %d reports set in a village", len(drawn))
	}
	now := env.Clock.Now()
	const n = 20000
	inVillages := 0
	for range n {
		c := g.Generate(now, now)
		code := c.Case.DivisionCode
		township, _ := division.ByCode(code)
		villages := casegen.Villages(code)
		text := c.Case.Title + " " + c.Report.Body
		if strings.Contains(text, "镇里") || strings.Contains(text, "镇政府") {
			if !strings.HasSuffix(township.Name, "镇") {
				t.Fatalf("%q (%s): the town government acts in %s", c.Case.Title, c.Report.Body, township.Name)
			}
		}
		// A place's own name (瑞景新村, 青礁村) says nothing of its setting.
		bare := text
		for _, key := range []string{"estate", "street", "landmark", "road"} {
			for _, w := range casegen.Words(key, code) {
				bare = strings.ReplaceAll(bare, w, "")
			}
		}
		if !rural.MatchString(bare) {
			continue
		}
		if len(villages) == 0 {
			t.Fatalf("%q (%s): set in a village, in %s, which has none", c.Case.Title, c.Report.Body, township.Name)
		}
		inVillages++
		for r, title := range titles {
			if !title.MatchString(c.Case.Title) {
				continue
			}
			drawn[r]++
			tmpl, body := casegen.Topics[r.topic].Report(r.i)
			names := func(v string) bool { return strings.Contains(text, v) }
			if strings.Contains(tmpl+body, "{street}") && !slices.ContainsFunc(villages, names) {
				t.Fatalf("%q (%s): names none of %s's villages %v", c.Case.Title, c.Report.Body, township.Name, villages)
			}
		}
	}
	for r, k := range drawn {
		if k == 0 {
			title, _ := casegen.Topics[r.topic].Report(r.i)
			t.Errorf("%v: %q is never generated in %d cases", casegen.Topics[r.topic].Category, title, n)
		}
	}
	t.Logf("%d of %d cases set in a village; %v", inVillages, n, drawn)
}

// generator is a generator over the demo's world in env, drawing from seed.
func generator(t testing.TB, env *apptest.Env, seed uint64) *casegen.Generator {
	t.Helper()
	w, err := demo.World(context.Background(), env.App)
	if err != nil {
		t.Fatal(err)
	}
	g, err := casegen.New(w, seed)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var placeholder = regexp.MustCompile(`\\\{[a-z]+\\\}`)

// pattern matches what a template may be filled in as.
func pattern(template string) *regexp.Regexp {
	return regexp.MustCompile("^" + placeholder.ReplaceAllString(regexp.QuoteMeta(template), ".+?") + "$")
}

// A generated report's title heads its own body: the topics' titles and
// bodies go in pairs (a lost child is not titled as an old man lost).
func TestGeneratedTitleHeadsItsBody(t *testing.T) {
	env := apptest.New(t)
	g := generator(t, env, 11)
	type pair struct{ title, body *regexp.Regexp }
	var pairs []pair
	for _, tp := range casegen.Topics {
		if len(tp.Titles) != len(tp.Bodies) {
			t.Errorf("%v: %d titles for %d bodies", tp.Category, len(tp.Titles), len(tp.Bodies))
		}
		for i := range tp.Titles {
			title, body := tp.Report(i)
			pairs = append(pairs, pair{pattern(title), pattern(body)})
		}
	}
	now := env.Clock.Now()
	for range 500 {
		r := g.Generate(now, now).Report
		headed, titled := false, false
		for _, p := range pairs {
			if p.title.MatchString(r.Title) {
				titled = true
				headed = headed || p.body.MatchString(r.Body)
			}
		}
		if !titled {
			t.Fatalf("%q matches no title template", r.Title)
		}
		if !headed {
			t.Fatalf("%q heads a body not its own: %q", r.Title, r.Body)
		}
	}
	// A repeat tells the case's own report again: the same title and body
	// templates, refilled.
	for range 200 {
		c := g.Generate(now, now)
		title, body, ok := g.Repeat(c.Case.Title, c.Case.Address, c.Case.DivisionCode, c.Case.CategoryID)
		if !ok {
			t.Fatalf("no repeat of %q", c.Case.Title)
		}
		same := false
		for _, p := range pairs {
			same = same || p.title.MatchString(c.Case.Title) && p.body.MatchString(c.Report.Body) &&
				p.title.MatchString(title) && p.body.MatchString(body)
		}
		if !same {
			t.Fatalf("%q (%q) repeated as another matter: %q (%q)", c.Case.Title, c.Report.Body, title, body)
		}
	}
}

// The demo draws a quarter of its cases in its handlers' townships, and
// routes the ones waiting for registration: the jiangtou handler finds
// cases in their queue, the dispatcher sees routing's suggestion.
func TestDemoLoadGivesTheDemoHandlersWork(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	if err := demo.LoadDemo(ctx, env.App, 1200, 30, 5); err != nil {
		t.Fatal(err)
	}
	var focus, routed, waiting int
	if err := env.App.DB.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM cases WHERE division_code IN ('350206004', '350203012')),
		(SELECT COUNT(*) FROM cases WHERE state = 'received' AND route_note IS NOT NULL),
		(SELECT COUNT(*) FROM cases WHERE state = 'received')`).Scan(&focus, &routed, &waiting); err != nil {
		t.Fatal(err)
	}
	// Uniformly, two townships of 38 would hold 1 case in 19.
	if focus < 1200/6 {
		t.Errorf("%d of 1200 cases in the demo handlers' two townships, want a quarter", focus)
	}
	if waiting == 0 || routed != waiting {
		t.Errorf("%d of %d waiting cases routed", routed, waiting)
	}
	// Their queues (to sign for, in hand): each has some, together a few.
	work := 0
	for _, u := range []string{"jiangtou", "jiangtou.police", "gulangyu"} {
		page, err := env.App.Cases.List(ctx, env.Actor(t, u), casework.Filter{
			States: []casework.State{casework.Dispatched, casework.Handling}, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Cases) == 0 {
			t.Errorf("%s has no case to sign for or handle", u)
		}
		work += len(page.Cases)
	}
	if work < 5 {
		t.Errorf("the demo's handlers have %d cases to sign for or handle between them, want at least 5", work)
	}
	// Their inboxes announce cases of their own, as the steps the loader
	// wrote would have (the last week's), and the warnings and supervision
	// orders of the history replayed, dated when they were sent, newest
	// first.
	told, now := 0, env.App.Now()
	for _, u := range []string{"jiangtou", "jiangtou.police", "gulangyu"} {
		actor := env.Actor(t, u)
		page, err := env.App.Notify.Inbox(ctx, actor, true, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		for i, it := range page.Items {
			if i > 0 && it.CreatedAt.After(page.Items[i-1].CreatedAt) {
				t.Errorf("%s: the inbox lists %q (%v) below an older notice", u, it.Title, it.CreatedAt)
			}
			if !strings.HasPrefix(it.Kind, "case.") && !strings.HasPrefix(it.Kind, "supervision.") ||
				it.CreatedAt.Before(now.AddDate(0, 0, -30)) || it.CreatedAt.After(now) {
				t.Errorf("%s: notice %q of kind %s dated %v", u, it.Title, it.Kind, it.CreatedAt)
			}
			if _, err := env.App.Cases.Get(ctx, actor, it.CaseNumber); err != nil {
				t.Errorf("%s: notice about %s, a case they cannot open: %v", u, it.CaseNumber, err)
			}
		}
		told += len(page.Items)
	}
	if told < 3 {
		t.Errorf("the demo's handlers have %d notices between them, want at least 3", told)
	}
}

// The demo's history runs its clocks as pingan would have: each automatic
// supervision order is issued when its case went overdue, most are
// answered within their reply window by the unit they were sent to, the
// rest run out and are escalated — and nothing is dated after now.
func TestDemoReplaysItsTimers(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	if err := demo.LoadDemo(ctx, env.App, 1200, 30, 5); err != nil {
		t.Fatal(err)
	}
	now := env.App.Now()
	if got := env.App.Now(); !got.Equal(apptest.Start) {
		t.Fatalf("the clock reads %v after the load, want %v: the replay did not let it go", got, apptest.Start)
	}
	rows, err := env.App.DB.QueryContext(ctx, `SELECT c.number, o.number, o.level, o.state, o.issued_at, o.reply_due_at, COALESCE(o.replied_at, 0),
		o.to_unit_id, COALESCE(u.unit_id, 0), c.deadline_at
		FROM supervision_orders o JOIN cases c ON c.id = o.case_id LEFT JOIN users u ON u.id = o.replied_by ORDER BY o.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	levels, states, onTime := map[int]int{}, map[string]int{}, 0
	var supervised []string
	days := map[string]bool{}
	for rows.Next() {
		var caseNumber, number, state string
		var level int
		var issued, due, replied, to, replier, dl int64
		if err := rows.Scan(&caseNumber, &number, &level, &state, &issued, &due, &replied, &to, &replier, &dl); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(supervised, caseNumber) {
			supervised = append(supervised, caseNumber)
		}
		levels[level]++
		states[state]++
		at := time.UnixMicro(issued)
		days[at.Format("2006-01-02")] = true
		if at.After(now) || time.UnixMicro(replied).After(now) {
			t.Errorf("%s issued %v, answered %v: after now (%v)", number, at, time.UnixMicro(replied), now)
		}
		if level == 1 {
			if at.Before(time.UnixMicro(dl)) {
				t.Errorf("%s issued %v, before its case's deadline %v", number, at, time.UnixMicro(dl))
			}
			if at.Equal(deadline.OverdueFrom(time.UnixMicro(dl))) {
				onTime++
			}
		}
		if state == "replied" && (replied <= issued || replied > due || replier != to) {
			t.Errorf("%s answered at %v by a user of unit %d; issued %v, due %v, sent to %d", number,
				time.UnixMicro(replied), replier, at, time.UnixMicro(due), to)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("orders by level %v, by state %v, on %d days; %d of the first level issued as their case went overdue", levels, states, len(days), onTime)
	// A case's page shows its history by time, the replayed steps among
	// the loader's.
	for _, number := range supervised {
		es, _, err := env.App.Cases.TimelineShown(ctx, env.Actor(t, "supervisor"), number, 100)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(es); i++ {
			if es[i].At.Before(es[i-1].At) {
				t.Errorf("%s shows %s at %v after %s at %v", number, es[i].Action, es[i].At, es[i-1].Action, es[i-1].At)
			}
		}
	}
	total := states["open"] + states["replied"] + states["breached"]
	if levels[1] < 5 || len(days) < 5 {
		t.Fatalf("%d first-level orders on %d days: the replay did not run", levels[1], len(days))
	}
	if onTime < levels[1]*9/10 {
		t.Errorf("%d of %d first-level orders issued the moment their case went overdue", onTime, levels[1])
	}
	if states["replied"] < total/2 || states["breached"] == 0 || levels[2] == 0 || levels[2] >= levels[1] {
		t.Errorf("orders by state %v and level %v: want most answered, some run out and escalated", states, levels)
	}
}

// A handler writes what its kind of unit does: a police station's officers
// go to the scene, a mediation committee mediates, a street office has
// things put right.
func TestHandlersWriteTheirOwnNotes(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	g := generator(t, env, 17)
	now := env.Clock.Now()
	units := map[int64]org.Unit{}
	checked := map[org.Kind]int{}
	for range 1500 {
		c := g.Generate(now.AddDate(0, 0, -40), now)
		for _, e := range c.Timeline {
			if e.Action != casework.Sign && e.Action != casework.Handle && e.Action != casework.ReportBack {
				continue
			}
			u, ok := units[e.UnitID]
			if !ok {
				var err error
				if u, err = env.App.Org.Unit(ctx, env.App.DB, e.UnitID); err != nil {
					t.Fatal(err)
				}
				units[e.UnitID] = u
			}
			sign, handle, report := casegen.NotesOf(string(u.Kind))
			want := map[casework.Action][]string{casework.Sign: sign, casework.Handle: handle, casework.ReportBack: report}[e.Action]
			if !slices.Contains(want, e.Note.ZH) {
				t.Fatalf("%s of %s (%s) wrote %q on %q", e.Action, u.Name, u.Kind, e.Note.ZH, c.Case.Title)
			}
			checked[u.Kind]++
		}
	}
	for _, k := range []org.Kind{org.Police, org.Mediation, org.Government, org.Department} {
		if checked[k] == 0 {
			t.Errorf("no note by a unit of kind %s among %v", k, checked)
		}
	}
}

// A title states the facts of its own report: a number it gives of
// something (an amount in 元, a 号楼, months, days) is the number the
// body gives of the same, where the body gives one.
func TestGeneratedTitleAgreesWithItsBody(t *testing.T) {
	env := apptest.New(t)
	g := generator(t, env, 5)
	now := env.Clock.Now()
	fact := regexp.MustCompile(`(\d+)(元|号楼|个月|天|次|年|月)`)
	for range 3000 {
		r := g.Generate(now, now).Report
		for _, m := range fact.FindAllStringSubmatch(r.Title, -1) {
			var said []string
			for _, b := range fact.FindAllStringSubmatch(r.Body, -1) {
				if b[2] == m[2] {
					said = append(said, b[1])
				}
			}
			if len(said) > 0 && !slices.Contains(said, m[1]) {
				t.Fatalf("%q says %s, its report %v: %q", r.Title, m[0], said, r.Body)
			}
		}
	}
}
