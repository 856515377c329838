package dedup_test

import (
	"fmt"
	"reflect"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casegen"
	"pingan/internal/casework"
	"pingan/internal/dbtest"
	"pingan/internal/dedup"
	"pingan/internal/i18n"
)

// residentEnv is an app with generated cases whose resident index is
// loaded; the test is skipped on PostgreSQL, which keeps none.
func residentEnv(t *testing.T, cases int) (*apptest.Env, *casegen.Generator) {
	t.Helper()
	if dbtest.PostgresURL() != "" {
		t.Skip("the resident repeat index is SQLite's; PostgreSQL reads the database")
	}
	env, g := generated(t, cases, 5, 17)
	if !env.App.Repeats.Preload() {
		t.Fatal("the resident index did not load")
	}
	return env, g
}

// lookups are queries as intake and the candidates panel make them: for
// repeats of open cases (with and without the title as a probe) and for
// fresh generated reports.
func lookups(t *testing.T, env *apptest.Env, g *casegen.Generator) []dedup.Query {
	t.Helper()
	rows, err := env.App.DB.QueryContext(ctx, `SELECT title, address, COALESCE(division_code, ''), COALESCE(category_id, 0), lat, lon
		FROM cases WHERE state NOT IN ('closed', 'rejected', 'merged') ORDER BY id DESC LIMIT 80`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var qs []dedup.Query
	for i := 0; rows.Next(); i++ {
		var title, address, div string
		var cat int64
		var lat, lon *float64
		if err := rows.Scan(&title, &address, &div, &cat, &lat, &lon); err != nil {
			t.Fatal(err)
		}
		nt, body, ok := g.Repeat(title, address, div, cat)
		if !ok {
			continue
		}
		q := dedup.Query{Text: nt + "\n" + address + "\n" + body, Address: address, DivisionCode: div, CategoryID: cat}
		if i%2 == 0 {
			q.Lat, q.Lon = lat, lon
		}
		qs = append(qs, q)
		q.Probe, q.ProbePlace = title, address // a near-exact repeat, as auto-merge looks it up
		qs = append(qs, q)
	}
	return append(qs, fresh(env, g, 40)...)
}

// same checks that the resident index answers every lookup, and answers
// as the database does, for the system and for a user whose scope is a
// district's.
func same(t *testing.T, env *apptest.Env, qs []dedup.Query) (candidates int) {
	t.Helper()
	s := env.App.Repeats
	database := dedup.FromDatabase(s)
	answered, declined := dedup.ResidentAnswered(s)
	for _, actor := range []access.Actor{access.System("test"), env.Actor(t, "huli")} {
		for _, q := range qs {
			got, err := s.Find(ctx, actor, q, i18n.ZH)
			if err != nil {
				t.Fatal(err)
			}
			want, err := database.Find(ctx, actor, q, i18n.ZH)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) > 0 || len(want) > 0) && !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %.40q (probe %q): from memory\n%s\nfrom the database\n%s", actor.Username, q.Text, q.Probe, show(got), show(want))
			}
			candidates += len(want)
		}
	}
	t.Logf("%d lookups, %d candidates", 2*len(qs), candidates)
	a, d := dedup.ResidentAnswered(s)
	if a-answered != int64(2*len(qs)) || d != declined {
		t.Errorf("memory answered %d lookups and left %d to the database, want %d and none", a-answered, d-declined, 2*len(qs))
	}
	return candidates
}

func show(cs []dedup.Candidate) string {
	out := ""
	for _, c := range cs {
		out += fmt.Sprintf("  %s %.3f %.3f %v %s\n", c.Number, c.Score, c.Text, c.Reasons, c.Title)
	}
	return out
}

// The resident index answers as the database's does, and stays in step
// with the cases as intake and the lifecycle change them: new cases, near
// repeats merged, cases closed.
func TestResidentIndexAnswersAsTheDatabase(t *testing.T) {
	env, g := residentEnv(t, 1500)
	qs := lookups(t, env, g)
	if n := same(t, env, qs); n < len(qs)/4 {
		t.Fatalf("only %d candidates for %d lookups: the comparison says little", n, len(qs))
	}
	// Changes: generated reports taken in (some merge on their own),
	// repeats of open cases, and open cases closed.
	intake := env.Actor(t, "intake")
	for i, q := range qs[:60] {
		in := casework.ReportInput{Channel: "hotline", Body: q.Text, Address: q.Address, DivisionCode: q.DivisionCode}
		if i%3 == 0 {
			c := g.Generate(env.App.Now(), env.App.Now())
			in = casework.ReportInput{Channel: "hotline", Title: c.Case.Title, Body: c.Report.Body, Address: c.Case.Address,
				DivisionCode: c.Case.DivisionCode}
		}
		if _, err := env.App.Cases.Intake(ctx, intake, in); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := env.App.DB.QueryContext(ctx, "SELECT number FROM cases WHERE state = 'received' ORDER BY id DESC LIMIT 30")
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		open = append(open, n)
	}
	rows.Close()
	// Half closed, the other half reclassified (the category counts in the
	// score: the memory must hold the new one).
	var other int64
	if err := env.App.DB.QueryRowContext(ctx, "SELECT MAX(category_id) FROM cases").Scan(&other); err != nil {
		t.Fatal(err)
	}
	for i, n := range open {
		in, action := casework.ActionInput{Reason: "重复"}, casework.Reject
		if i%2 == 1 {
			in, action = casework.ActionInput{CategoryID: other, Note: "分类有误"}, casework.Reclassify
		}
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), n, action, in); err != nil {
			t.Fatal(err)
		}
	}
	same(t, env, lookups(t, env, g))
}

// Another process writing the index (a second node on the same file, as
// `pingan import` beside the server would): the lookups read the database
// until the memory has been loaded again, and then answer from memory with
// the other process's cases.
func TestResidentIndexSeesAnotherProcess(t *testing.T) {
	env, _ := residentEnv(t, 300)
	s := env.App.Repeats
	other := env.Node(t)
	res, err := other.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Title: "湖滨南路口红绿灯坏了", Body: "湖滨南路与湖滨东路路口的红绿灯坏了一整天，车辆乱行", Address: "思明区湖滨南路",
		DivisionCode: "350203"})
	if err != nil {
		t.Fatal(err)
	}
	q := dedup.Query{Text: "湖滨南路路口红绿灯坏了，车辆乱行\n思明区湖滨南路", Address: "思明区湖滨南路", DivisionCode: "350203"}
	found := func() bool {
		t.Helper()
		got, err := s.Find(ctx, access.System("test"), q, i18n.ZH)
		if err != nil {
			t.Fatal(err)
		}
		return len(got) > 0 && got[0].Number == res.Case.Number
	}
	answered, declined := dedup.ResidentAnswered(s)
	if !found() {
		t.Fatal("the other process's case is not found")
	}
	if a, d := dedup.ResidentAnswered(s); a != answered || d != declined+1 {
		t.Fatalf("memory behind the database answered (%d answered, %d declined)", a-answered, d-declined)
	}
	// This process's next write finds the generation it was not told of:
	// the memory is dropped, and loaded again.
	if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "莲前西路垃圾桶满了没人清运", Address: "思明区莲前西路", DivisionCode: "350203"}); err != nil {
		t.Fatal(err)
	}
	if !s.Preload() {
		t.Fatal("not loaded again")
	}
	answered, _ = dedup.ResidentAnswered(s)
	if !found() {
		t.Fatal("the other process's case is not found from memory")
	}
	if a, _ := dedup.ResidentAnswered(s); a != answered+1 {
		t.Error("the memory loaded again did not answer")
	}
}
