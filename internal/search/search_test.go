package search_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"pingan/internal/db"
	"pingan/internal/dbtest"
	"pingan/internal/fault"
	"pingan/internal/search"
	"pingan/internal/sharedtest"
)

func TestTokens(t *testing.T) {
	for _, tc := range []struct{ text, uni, bi string }{
		{"", "", ""},
		{"噪", "噪", ""},
		{"噪音扰民", "噪 音 扰 民", "噪音 音扰 扰民"},
		// Runs are kept apart in the bigrams, so phrases cannot span them.
		{"停车场，场地", "停 车 场 地", "停车 车场 x 场地"},
		{"楼上楼下", "楼 上 下", "楼上 上楼 楼下"},
		// A one-character run has no bigram and needs no break.
		{"A市、停车场", "a 市 停 车 场", "停车 车场"},
		{"XM-2026-000123 号 WiFi", "xm 2026 000123 号 wifi", ""},
		// Full-width letters and digits, as input methods type them.
		{"３号楼ＡＢＣ", "3 号 楼 abc", "号楼"},
		{"Café CAFÉ café", "café", ""},
		// Kangxi radicals and CJK punctuation are Han but not letters.
		{"⼈「人」〇", "人 〇", ""},
		{"カタカナ 한국어", "カ タ ナ 한 국 어", "カタ タカ カナ x 한국 국어"},
	} {
		uni, bi := search.Tokens(tc.text)
		if uni != tc.uni || bi != tc.bi {
			t.Errorf("Tokens(%q) = %q, %q; want %q, %q", tc.text, uni, bi, tc.uni, tc.bi)
		}
	}
}

func TestTokensLimit(t *testing.T) {
	text := strings.Repeat("甲", search.MaxTextRunes) + "乙丙"
	uni, bi := search.Tokens(text)
	if strings.Contains(uni, "乙") || strings.Contains(bi, "乙") {
		t.Errorf("text beyond %d characters was indexed", search.MaxTextRunes)
	}
	if uni, _ := search.Tokens(strings.Repeat("a", 100)); uni != strings.Repeat("a", 64) {
		t.Errorf("a word of 100 letters is indexed as %d, want 64", len(uni))
	}
}

func TestParseRejects(t *testing.T) {
	for _, q := range []string{"", "   　", `"*:&|!()-^`, "，。！", strings.Repeat("噪", search.MaxQueryRunes+1)} {
		_, err := search.Parse(q)
		if fault.KindOf(err) != fault.Invalid {
			t.Errorf("Parse(%q) = %v, want an invalid-input error", q, err)
		}
		if e, ok := fault.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "q" {
			t.Errorf("Parse(%q): error %v does not name the field q", q, err)
		}
	}
}

func TestCaseNumber(t *testing.T) {
	for q, want := range map[string]string{
		"XM-2026-000123":   "XM-2026-000123",
		" xm-2026-000123 ": "XM-2026-000123",
		"XM-2026":          "",
		"XM 2026 000123":   "",
		"噪音-2026-1":        "",
		"XM-2026-000123 噪": "",
	} {
		p, err := search.Parse(q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", q, err)
		}
		got, ok := p.CaseNumber()
		if got != want || ok != (want != "") {
			t.Errorf("CaseNumber(%q) = %q, %v; want %q", q, got, ok, want)
		}
	}
}

// env is a migrated database with a unit to hang cases on.
type env struct {
	t    *testing.T
	d    *db.DB
	unit int64
	next int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, d: dbtest.Open(t)}
	if _, err := search.Prepare(context.Background(), e.d); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMicro()
	err := e.d.Write(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRowContext(context.Background(), `INSERT INTO units (path, code, name, kind, level, created_at, updated_at)
			VALUES ('/', 'T-1', '测试单位', 'government', 'city', $1, $1) RETURNING id`, now).Scan(&e.unit)
	})
	if err != nil {
		t.Fatalf("insert unit: %v", err)
	}
	return e
}

// addCases inserts a case for each text, indexes it (with BulkIndex when
// bulk, else one Index call each) and returns the ids.
func (e *env) addCases(bulk bool, texts ...string) []int64 {
	e.t.Helper()
	ctx := context.Background()
	ids := make([]int64, len(texts))
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		now := time.Now().UnixMicro()
		var docs []search.Doc
		for i, text := range texts {
			e.next++
			ids[i] = e.next
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, number, title, priority, state, channel, intake_unit_id,
				received_at, updated_at) VALUES ($1, $2, $3, 'normal', 'received', 'hotline', $4, $5, $5)`,
				e.next, fmt.Sprintf("T-2026-%06d", e.next), "案件", e.unit, now); err != nil {
				return err
			}
			if bulk {
				docs = append(docs, search.Doc{CaseID: e.next, Text: text})
			} else if err := search.Index(ctx, tx, e.next, text); err != nil {
				return err
			}
		}
		return search.IndexAll(ctx, tx, docs)
	})
	if err != nil {
		e.t.Fatalf("add cases: %v", err)
	}
	return ids
}

// find returns the ids of the cases matching q, ascending, the way the
// case list would ask: the condition ANDed into a query on cases c. It
// checks that listing them newest first, page by page, finds the same.
func (e *env) find(q string) ([]int64, error) {
	p, err := search.Parse(q)
	if err != nil {
		return nil, err
	}
	// Everything written before, however long the side writer takes
	// (search.Sync stops waiting after SyncBound; under -race on a busy
	// machine, indexing hundreds of long messages can take longer).
	if err := e.d.SyncAside(context.Background()); err != nil {
		return nil, err
	}
	cond, arg := p.Condition(e.d.Dialect(), 2)
	ids, err := e.ids("SELECT c.id FROM cases c WHERE c.intake_unit_id = $1 AND "+cond+" ORDER BY c.id", e.unit, arg)
	if err != nil {
		return nil, err
	}
	nf := p.NewestFirst(e.d.Dialect(), 2)
	size := max(2, len(ids)/5)
	var paged []int64
	cursor := int64(math.MaxInt64)
	for {
		page, err := e.ids(fmt.Sprintf("SELECT c.id FROM cases c %s WHERE c.intake_unit_id = $1 AND %s AND %s < $3 ORDER BY %s DESC LIMIT %d",
			nf.Join, nf.Where, nf.ID, nf.ID, size), e.unit, nf.Arg, cursor)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		cursor = page[len(page)-1]
	}
	slices.Reverse(paged)
	if !slices.Equal(paged, ids) {
		return nil, fmt.Errorf("newest first, %q finds %v; the condition finds %v", q, paged, ids)
	}
	return ids, nil
}

func (e *env) ids(query string, args ...any) ([]int64, error) {
	rows, err := e.d.QueryContext(context.Background(), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (e *env) mustFind(q string) []int64 {
	e.t.Helper()
	ids, err := e.find(q)
	if err != nil {
		e.t.Fatalf("search %q: %v", q, err)
	}
	return ids
}

var corpus = []string{
	1: "江头北路工地凌晨还在打桩，噪音扰民",
	2: "小区地下停车场收费不合理，物业乱收费",
	3: "停车难，车场门口占道",                          // 停车 and 车场, never 停车场
	4: "楼上漏水，物业不管",                           // 漏水
	5: "Fix the WiFi at 3号楼, router ABC-123", // ASCII words
	6: "噪声",                                  // 噪 without 音
	7: "停车场，场地被占用",                           // 停车场 and 场地, never 停车场地
	8: "拖欠工资三个月，公司不给结算",
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	e.addCases(false, corpus[1:]...)
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"噪", []int64{1, 6}},
		{"噪音", []int64{1}},
		{"音噪", nil},
		{"停车", []int64{2, 3, 7}},
		{"停车场", []int64{2, 7}}, // a substring: not 3, where 停车 and 车场 are apart
		{"地下停车场", []int64{2}},
		{"停车场地", nil}, // 停车场，场地 does not contain it
		{"物业", []int64{2, 4}},
		{"物业 漏水", []int64{4}}, // terms are ANDed
		{"物业　收费", []int64{2}}, // ideographic space separates too
		{"漏水 噪音", nil},
		{"wifi", []int64{5}},
		{"WIFI", []int64{5}},
		{"ｗｉｆｉ", []int64{5}},
		{"router abc", []int64{5}},
		{"3号楼", []int64{5}},
		{"123", []int64{5}},
		{"12", nil}, // words match whole
		{"工资", []int64{8}},
		{"拖欠工资", []int64{8}},
		{"江头北路工地凌晨还在打桩，噪音扰民", []int64{1}},
	} {
		if got := e.mustFind(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// TestSearchInjection feeds the query languages' operators: each must be
// taken as text (or ignored), never error, never widen the match beyond
// what the words alone find.
func TestSearchInjection(t *testing.T) {
	e := newEnv(t)
	e.addCases(true, corpus[1:]...)
	e.addCases(true, `or near and not`, `a"b c*d e:f`)
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{`噪音"`, []int64{1}},
		{`"噪音" OR "物业"`, nil}, // or is a word no text in corpus[1:] has…
		{`噪音 OR`, nil},
		{`or`, []int64{9}}, // …but case 9 has
		{`OR 物业`, nil},
		{`物业*`, []int64{2, 4}},
		{`停*`, []int64{2, 3, 7}},
		{`NEAR(噪音 物业)`, nil},
		{`NEAR(停车 物业)`, nil},
		{`bi:噪音`, nil},
		{`uni : 噪`, nil},
		{`{uni bi}: 噪`, nil},
		{`物业 & 漏水`, []int64{4}},
		{`物业 | 噪音`, nil},
		{`!物业`, []int64{2, 4}},
		{`物业 !漏水`, []int64{4}},
		{`'物业' <-> '漏水'`, []int64{4}},
		{`物业:*`, []int64{2, 4}},
		{`^物业`, []int64{2, 4}},
		{`-物业`, []int64{2, 4}},
		{`(物业`, []int64{2, 4}},
		{`物业\`, []int64{2, 4}},
		{`a"b`, []int64{10}},
		{`c*d`, []int64{10}},
		{`e:f`, []int64{10}},
		{`*`, nil},
		{`'`, nil},
	} {
		got, err := e.find(tc.q)
		if fault.KindOf(err) == fault.Invalid {
			if tc.want != nil {
				t.Errorf("search %q: %v, want %v", tc.q, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("search %q: %v", tc.q, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestReindexReplaces(t *testing.T) {
	e := newEnv(t)
	ids := e.addCases(false, "楼上漏水", "楼下噪音")
	ctx := context.Background()
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		if err := search.Index(ctx, tx, ids[0], "停车位被占"); err != nil {
			return err
		}
		// A case twice in one bulk: the last text wins.
		return search.IndexAll(ctx, tx, []search.Doc{{CaseID: ids[1], Text: "物业费"}, {CaseID: ids[1], Text: "物业不作为"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]int64{
		"漏水": nil, "楼": nil, "停车位": {ids[0]}, "噪音": nil, "物业费": nil, "物业": {ids[1]}, "不作为": {ids[1]},
	} {
		if got := e.mustFind(q); !slices.Equal(got, want) {
			t.Errorf("after re-indexing, search %q = %v, want %v", q, got, want)
		}
	}
}

// TestBulkIndexLarge crosses the statement size, so both the prepared
// full statements and the remainder run.
func TestBulkIndexLarge(t *testing.T) {
	e := newEnv(t)
	texts := make([]string, 450)
	var want []int64
	for i := range texts {
		texts[i] = fmt.Sprintf("第%d号投诉：道路破损", i)
		if i%7 == 0 {
			texts[i] += "，井盖缺失"
			want = append(want, int64(i+1))
		}
	}
	e.addCases(true, texts...)
	if got := e.mustFind("井盖缺失"); !slices.Equal(got, want) {
		t.Errorf("found %d cases, want %d", len(got), len(want))
	}
	if got := e.mustFind("道路"); len(got) != len(texts) {
		t.Errorf("found %d cases, want %d", len(got), len(texts))
	}
	if got := e.mustFind("第449号"); !slices.Equal(got, []int64{450}) {
		t.Errorf("search 第449号 = %v", got)
	}
}

// TestStoredTokens checks that the database's own tokenizer keeps each
// token the application wrote intact, and keeps the phrase positions.
func TestStoredTokens(t *testing.T) {
	e := newEnv(t)
	text := "停车场，场地 WiFi 楼上楼下　〇号"
	id := e.addCases(false, text)[0]
	ctx := context.Background()
	uni, bi := search.Tokens(text)
	if e.d.Dialect() == db.Postgres {
		var tsv string
		if err := e.d.QueryRowContext(ctx, "SELECT tsv::text FROM case_search WHERE case_id = $1", id).Scan(&tsv); err != nil {
			t.Fatal(err)
		}
		// Bigrams keep their positions with a gap where the run break was;
		// unigrams and words have none.
		want := "'〇' 'wifi' '上' '下' '停' '停车':1 '地' '场' '场地':4 '楼' '楼上':6 '楼下':8 '车' '车场':2 '上楼':7 '号' '〇号':10"
		if !sameFields(tsv, want) {
			t.Errorf("stored vector %s, want %s", tsv, want)
		}
		return
	}
	// fts5vocab lists what FTS5 stored, term by term with its position, in
	// the side file.
	if err := search.Sync(ctx, e.d); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	err := e.d.Side().Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "CREATE VIRTUAL TABLE temp.case_fts_terms USING fts5vocab(main, case_fts, instance)"); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT term, col, offset FROM temp.case_fts_terms WHERE doc = $1 ORDER BY col DESC, offset", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var term, col string
			var off int
			if err := rows.Scan(&term, &col, &off); err != nil {
				return err
			}
			if len(got[col]) != off {
				t.Errorf("%s token %q at position %d, want %d", col, term, off, len(got[col]))
			}
			got[col] = append(got[col], term)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(got["uni"], " "); s != uni {
		t.Errorf("stored unigrams %q, want %q", s, uni)
	}
	if s := strings.Join(got["bi"], " "); s != bi {
		t.Errorf("stored bigrams %q, want %q", s, bi)
	}
}

func sameFields(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	slices.Sort(fa)
	slices.Sort(fb)
	return slices.Equal(fa, fb)
}

// TestRealComplaints indexes real citizen messages and checks, for words of
// one, two and more characters, that search finds exactly the messages
// containing them.
func TestRealComplaints(t *testing.T) {
	f, err := os.Open(sharedtest.Path(t, "teddy_messages_train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m struct{ Subject, Body string }
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, search.Text(m.Subject, m.Body))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(texts) < 300 {
		t.Fatalf("only %d messages", len(texts))
	}
	e := newEnv(t)
	ids := e.addCases(true, texts...)
	for _, w := range []string{"噪", "楼", "噪音", "物业", "小区", "学校", "工资", "停车", "社保", "拆迁", "业主", "不合理", "小区业主", "公积金"} {
		var want []int64
		for i, text := range texts {
			if strings.Contains(text, w) {
				want = append(want, ids[i])
			}
		}
		got := e.mustFind(w)
		if !slices.Equal(got, want) {
			t.Errorf("search %q found %d messages, %d contain it", w, len(got), len(want))
		}
		if len(want) == 0 {
			t.Errorf("no message contains %q: choose another word", w)
		}
	}
}

// TestReindex indexes cases written without the index, from their rows.
func TestReindex(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 4100 // more than one batch
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		now := time.Now().UnixMicro()
		for id := int64(1); id <= n; id++ {
			title, body := "道路破损", fmt.Sprintf("第%d号", id)
			if id%1000 == 0 {
				title, body = "工地夜间施工", "噪音扰民，睡不着"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, number, title, priority, state, channel, intake_unit_id,
				address, received_at, updated_at) VALUES ($1, $2, $3, 'normal', 'received', 'hotline', $4, '湖里区江头街道', $5, $5)`,
				id, fmt.Sprintf("T-2026-%06d", id), title, e.unit, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO reports (case_id, channel, title, body, received_at, intake_unit_id)
				VALUES ($1, 'hotline', $2, $3, $4, $5)`, id, title, body, now, e.unit); err != nil {
				return err
			}
		}
		// A second report on the last case.
		_, err := tx.ExecContext(ctx, `INSERT INTO reports (case_id, channel, title, body, received_at, intake_unit_id)
			VALUES ($1, 'hotline', '补充', '物业不作为', $2, $3)`, n, now, e.unit)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.next = n
	if got := e.mustFind("噪音"); got != nil {
		t.Fatalf("found %v before reindexing", got)
	}
	var calls int
	indexed, err := search.Reindex(ctx, e.d, func(int) { calls++ })
	if err != nil || indexed != n || calls != 3 {
		t.Fatalf("Reindex = %d, %v after %d progress calls; want %d in 3", indexed, err, calls, n)
	}
	for q, want := range map[string][]int64{
		"噪音扰民":   {1000, 2000, 3000, 4000}, // report body
		"夜间施工":   {1000, 2000, 3000, 4000}, // title
		"第4099号": {4099},
		"物业":     {n}, // the second report
	} {
		if got := e.mustFind(q); !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
	if got := e.mustFind("江头街道 道路"); len(got) != n-4 {
		t.Errorf("search by address found %d cases, want %d", len(got), n-4)
	}
}

// On SQLite the index is written after the commit, by the side file's
// writer. A crash between the two loses the indexing, not the cases: at
// the next start Prepare indexes the cases changed after the side file's
// mark (they all have timeline entries after it), and every case when the
// side file is new.
func TestPrepareCatchesUp(t *testing.T) {
	e := newEnv(t)
	if e.d.Side() == nil {
		t.Skip("PostgreSQL indexes in the write's own transaction")
	}
	ctx := context.Background()
	indexed := e.addCases(false, "楼上漏水", "楼下噪音")
	if err := search.Sync(ctx, e.d); err != nil {
		t.Fatal(err)
	}
	// Cases committed whose indexing was lost, and a change of an indexed
	// case's text (a report merged in) likewise.
	now := time.Now().UnixMicro()
	lost := []int64{101, 102}
	err := e.d.Write(ctx, func(tx *db.Tx) error {
		for i, id := range lost {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, number, title, priority, state, channel, intake_unit_id,
				received_at, updated_at) VALUES ($1, $2, $3, 'normal', 'received', 'hotline', $4, $5, $5)`,
				id, fmt.Sprintf("T-2026-%06d", id), []string{"井盖缺失", "路灯不亮"}[i], e.unit, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reports (case_id, channel, title, body, received_at, intake_unit_id)
			VALUES ($1, 'hotline', '又来电', '物业不作为', $2, $3)`, indexed[0], now, e.unit); err != nil {
			return err
		}
		for _, id := range []int64{lost[0], lost[1], indexed[0]} {
			if _, err := tx.ExecContext(ctx, "INSERT INTO timeline (case_id, at, action, to_state) VALUES ($1, $2, 'receive', 'received')", id, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.mustFind("井盖"); got != nil {
		t.Fatalf("found %v before catching up", got)
	}
	n, err := search.Prepare(ctx, e.d)
	if err != nil || n != 3 {
		t.Fatalf("Prepare indexed %d cases (%v), want the 3 changed after the mark", n, err)
	}
	for q, want := range map[string][]int64{"井盖": {101}, "路灯": {102}, "物业": {indexed[0]}, "噪音": {indexed[1]}} {
		if got := e.mustFind(q); !slices.Equal(got, want) {
			t.Errorf("after catching up, search %q = %v, want %v", q, got, want)
		}
	}
	if n, err := search.Prepare(ctx, e.d); err != nil || n != 0 {
		t.Fatalf("a second start indexed %d cases (%v), want none", n, err)
	}
	// A new side file (deleted, or from before the index moved there):
	// every case.
	if err := e.d.Side().Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "DROP TABLE case_fts; DROP TABLE search_mark")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := search.Prepare(ctx, e.d); err != nil || n != 4 {
		t.Fatalf("Prepare on a new side file indexed %d cases (%v), want all 4", n, err)
	}
	// (addCases put its texts in the index alone: what the cases hold is
	// their title and reports.)
	for q, want := range map[string][]int64{"井盖": {101}, "物业": {indexed[0]}, "案件": indexed, "楼": nil} {
		if got := e.mustFind(q); !slices.Equal(got, want) {
			t.Errorf("after indexing anew, search %q = %v, want %v", q, got, want)
		}
	}
}

// Texts indexed for cases that were then not stored (a bulk load that
// failed or crashed after the side file indexed them) are dropped at the
// next start, so that the cases later given those ids do not match them.
func TestPrepareDropsEntriesAboveTheNewestCase(t *testing.T) {
	e := newEnv(t)
	side := e.d.Side()
	if side == nil {
		t.Skip("PostgreSQL indexes in the cases' own transactions")
	}
	ctx := context.Background()
	id := e.addCase("楼下噪音", e.unit)
	if err := search.Sync(ctx, e.d); err != nil {
		t.Fatal(err)
	}
	ghost := search.Doc{CaseID: id + 1, Text: "井盖缺失"}.WithScope([]int64{e.unit})
	if err := side.Write(ctx, func(tx *db.Tx) error { return search.BulkIndex(ctx, tx, []search.Doc{ghost}) }); err != nil {
		t.Fatal(err)
	}
	above := func() int {
		t.Helper()
		var n int
		if err := side.QueryRowContext(ctx, "SELECT COUNT(*) FROM case_fts WHERE rowid > $1", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := above(); n != 1 {
		t.Fatalf("%d entries above the newest case before the start, want the one indexed", n)
	}
	if _, err := search.Prepare(ctx, e.d); err != nil {
		t.Fatal(err)
	}
	if n := above(); n != 0 {
		t.Errorf("%d entries of cases never stored are left after a start", n)
	}
	if got := e.mustFind("噪音"); !slices.Equal(got, []int64{id}) {
		t.Errorf("after a start, the stored case's entry = %v, want [%d]", got, id)
	}
}
