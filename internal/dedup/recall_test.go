package dedup_test

import (
	"slices"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casegen"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/dedup"
	"pingan/internal/demo"
	"pingan/internal/i18n"
)

// Cases on one street about different matters: a repeat in other words
// finds its own case first; a new matter on the same street finds none of
// them, with or without a point.
func TestRewordingAndStreet(t *testing.T) {
	env := apptest.New(t)
	s := dedup.NewService(env.App.DB, env.App.Now)
	const addr = "湖里区江头北路"
	cases := map[string]string{
		"noise":   take(t, env, "江头北路某工地夜间施工噪音扰民，凌晨一点还在打桩", addr, 24.5120, 118.1460),
		"light":   take(t, env, "江头北路路灯不亮，晚上很黑，行人容易摔倒", addr, 24.5121, 118.1461),
		"parking": take(t, env, "江头北路人行道上长期停满私家车，行人只能走机动车道", addr, 24.5119, 118.1462),
		"dog":     take(t, env, "江头北路小区里有人遛狗不拴绳，大狗追着小孩跑", addr, 24.5122, 118.1459),
	}
	env.Clock.Advance(time.Hour)
	actor := env.Actor(t, "intake")
	for _, tc := range []struct {
		name, text string
		want       string // the case that must come first; "" for none of them
	}{
		{"noise reworded", "江头北路那个工地夜里施工打桩，噪声扰民，凌晨还不停 湖里区江头北路", "noise"},
		{"light reworded", "江头北路的路灯坏了好几天了，不亮，晚上走路很黑 湖里区江头北路", "light"},
		{"parking reworded", "江头北路人行道被私家车占满了，行人没法走 湖里区江头北路", "parking"},
		{"dog reworded", "小区里遛狗不牵绳，狗追小孩，很危险 湖里区江头北路", "dog"},
		{"garbage, same street", "江头北路垃圾桶满了没人清运，臭气熏天 湖里区江头北路", ""},
		{"water bill, same street", "江头北路自来水费突然翻倍，怀疑水表有问题 湖里区江头北路", ""},
		{"wage arrears, same street", "江头北路一家公司拖欠工人工资三个月 湖里区江头北路", ""},
	} {
		for _, where := range []string{"point", "street"} {
			t.Run(tc.name+" by "+where, func(t *testing.T) {
				q := dedup.Query{Text: tc.text}
				if where == "point" {
					q.Lat, q.Lon = pt(24.5130), pt(118.1462)
				} else {
					q.DivisionCode = "350206004"
				}
				got, err := s.Find(ctx, actor, q, i18n.ZH)
				if err != nil {
					t.Fatal(err)
				}
				scan, err := s.Scan(ctx, actor, q, i18n.ZH)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(numbers(got), numbers(scan)) {
					t.Errorf("Find %v, Scan %v", numbers(got), numbers(scan))
				}
				if tc.want == "" {
					if len(got) > 0 {
						t.Errorf("a different matter on the same street has candidates: %+v", got)
					}
					return
				}
				if len(got) == 0 || got[0].Number != cases[tc.want] {
					t.Fatalf("want %s (%s) first: %+v", tc.want, cases[tc.want], got)
				}
				for _, c := range got[1:] {
					if c.Score >= got[0].Score {
						t.Errorf("%s scores as high as %s: %+v", c.Number, tc.want, got)
					}
				}
			})
		}
	}
}

func numbers(cs []dedup.Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Number)
	}
	return out
}

// generated is an app with the demo's accounts and n generated cases of
// the last 45 days (seed seed), and a generator of more (seed more).
func generated(t *testing.T, n int, seed, more uint64) (*apptest.Env, *casegen.Generator) {
	t.Helper()
	env := apptest.New(t)
	if err := demo.EnsureAccounts(ctx, env.App); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadCases(ctx, env.App, n, 45, seed, nil); err != nil {
		t.Fatal(err)
	}
	w, err := demo.World(ctx, env.App)
	if err != nil {
		t.Fatal(err)
	}
	g, err := casegen.New(w, more)
	if err != nil {
		t.Fatal(err)
	}
	return env, g
}

// fresh are the lookups of n newly generated reports.
func fresh(env *apptest.Env, g *casegen.Generator, n int) []dedup.Query {
	qs := make([]dedup.Query, n)
	for i := range qs {
		c := g.Generate(env.App.Now(), env.App.Now())
		qs[i] = dedup.Query{Text: c.Case.Title + "\n" + c.Case.Address + "\n" + c.Report.Body, Address: c.Case.Address,
			DivisionCode: c.Case.DivisionCode}
	}
	return qs
}

// Find reads the repeat index, Scan every open case of the area: on
// generated cases, for reworded repeats of open cases and fresh reports,
// Find must return what Scan returns (recall ≥ 0.95; in practice all).
func TestFindRecallOnGeneratedCases(t *testing.T) {
	env, g := generated(t, 3000, 3, 99)
	s := env.App.Repeats
	actor := access.System("test")
	rows, err := env.App.DB.QueryContext(ctx, `SELECT id, title, address, division_code, category_id FROM cases
		WHERE state NOT IN ('closed', 'rejected', 'merged') AND category_id IS NOT NULL ORDER BY id DESC LIMIT 60`)
	if err != nil {
		t.Fatal(err)
	}
	var qs []dedup.Query
	var originals []int64
	for rows.Next() {
		var id, cat int64
		var title, address, div string
		if err := rows.Scan(&id, &title, &address, &div, &cat); err != nil {
			t.Fatal(err)
		}
		if nt, body, ok := g.Repeat(title, address, div, cat); ok {
			qs = append(qs, dedup.Query{Text: nt + "\n" + address + "\n" + body, Address: address, DivisionCode: div, CategoryID: cat})
			originals = append(originals, id)
		}
	}
	rows.Close()
	qs = append(qs, fresh(env, g, 40)...)
	var found, want, originalFound int
	for i, q := range qs {
		got, err := s.Find(ctx, actor, q, i18n.ZH)
		if err != nil {
			t.Fatal(err)
		}
		scan, err := s.Scan(ctx, actor, q, i18n.ZH)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range scan {
			want++
			if slices.ContainsFunc(got, func(f dedup.Candidate) bool { return f.CaseID == c.CaseID }) {
				found++
			}
		}
		if i < len(originals) && slices.ContainsFunc(got, func(f dedup.Candidate) bool { return f.CaseID == originals[i] }) {
			originalFound++
		}
	}
	if want == 0 {
		t.Fatal("the scan found no candidates at all")
	}
	if recall := float64(found) / float64(want); recall < 0.95 {
		t.Errorf("recall %.3f (%d of %d)", recall, found, want)
	}
	// Most reworded repeats find the case they reword (others of the
	// same matter in the same district may outrank it).
	if originalFound < len(originals)/3 {
		t.Errorf("the reworded case among the candidates for %d of %d repeats", originalFound, len(originals))
	}
}

// The index holds the open cases: a closed case leaves it, and Reindex
// rebuilds what intake and the lifecycle wrote.
func TestIndexFollowsCases(t *testing.T) {
	env := apptest.New(t)
	a := take(t, env, "江头北路某工地夜间施工噪音扰民，凌晨一点还在打桩", "湖里区江头北路", 24.5120, 118.1460)
	take(t, env, "江头北路路灯不亮，晚上很黑", "湖里区江头北路", 24.5121, 118.1461)
	rowsOf := func() map[[3]int64]bool {
		t.Helper()
		rows, err := env.App.DB.QueryContext(ctx, "SELECT gram, received_at, case_id FROM repeat_grams")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[[3]int64]bool{}
		for rows.Next() {
			var k [3]int64
			if err := rows.Scan(&k[0], &k[1], &k[2]); err != nil {
				t.Fatal(err)
			}
			out[k] = true
		}
		return out
	}
	before := rowsOf()
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), a, casework.Reject, casework.ActionInput{Reason: "重复"}); err != nil {
		t.Fatal(err)
	}
	after := rowsOf()
	if len(after) == 0 || len(after) >= len(before) {
		t.Fatalf("index rows: %d open, %d after one case closed", len(before), len(after))
	}
	if _, err := dedup.Reindex(ctx, env.App.DB); err != nil {
		t.Fatal(err)
	}
	if again := rowsOf(); len(again) != len(after) {
		t.Errorf("Reindex: %d rows, the lifecycle left %d", len(again), len(after))
	} else {
		for k := range after {
			if !again[k] {
				t.Errorf("Reindex lacks %v", k)
			}
		}
	}
}

// Migration 0034 asks for the repeat index to be made again (it no longer
// holds the words every report uses): the next start does it, once.
func TestRepeatIndexRebuiltAtStartWhenAsked(t *testing.T) {
	env := apptest.New(t)
	take(t, env, "江头北路某工地夜间施工噪音扰民，居民反映问题严重", "湖里区江头北路", 24.5120, 118.1460)
	count := func(d *db.DB) int {
		t.Helper()
		var n int
		if err := d.QueryRowContext(ctx, "SELECT COUNT(*) FROM repeat_grams").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := count(env.App.DB)
	// An index made before: a row for a common word, and the request.
	env.Exec(t, `INSERT INTO repeat_grams (gram, received_at, case_id, n, place)
			SELECT 42, received_at, case_id, n, place FROM repeat_grams LIMIT 1`,
		"INSERT INTO meta (key, value) VALUES ('rebuild:repeats', 'test')")
	if count(env.App.DB) != want+1 {
		t.Fatal("the stale row was not added")
	}
	node := env.Node(t)
	if got := count(node.DB); got != want {
		t.Errorf("%d index rows after the start, want %d", got, want)
	}
	if asked, err := node.DB.Requested(ctx, "rebuild:repeats"); err != nil || asked {
		t.Errorf("the request is still there after the rebuild (%v)", err)
	}
}

// An upgrade across both migrations that ask for the index to be made
// again (0034, 0040) asks once, and the start after it rebuilds the index
// without the places titles name.
func TestRepeatIndexUpgradeAsksOnce(t *testing.T) {
	env := apptest.New(t)
	take(t, env, "龙山社区金龙花园垃圾清运不及时，臭味很大", "湖里区江头街道吕岭路", 24.5120, 118.1460)
	env.Exec(t, "DELETE FROM schema_migrations WHERE version IN (34, 40)")
	if n, err := env.App.DB.Migrate(ctx); err != nil || n != 2 {
		t.Fatalf("migrate: %d applied (%v), want 2", n, err)
	}
	if asked, err := env.App.DB.Requested(ctx, "rebuild:repeats"); err != nil || !asked {
		t.Fatalf("no rebuild asked for (%v)", err)
	}
	node := env.Node(t)
	var places int
	if err := node.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM repeat_grams").Scan(&places); err != nil {
		t.Fatal(err)
	}
	if asked, err := node.DB.Requested(ctx, "rebuild:repeats"); err != nil || asked || places == 0 {
		t.Errorf("after the start: asked %v, %d index rows (%v)", asked, places, err)
	}
}
