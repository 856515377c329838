package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/importer"
	"pingan/internal/xlsx"
)

var ctx = context.Background()

const file = "\ufeff来源编号,标题,内容,电话,地址,时间,分类,无关列\n" +
	"WG-001,路灯不亮,莲前西路路灯不亮已一周,13806012345,思明区莲前西路,2026-11-20 08:30,C0101001,x\n" +
	"WG-002,,江头北路工地夜间施工噪音扰民,,湖里区江头北路,2026/11/21 22:10,,\n" +
	"WG-003,缺内容,,,思明区,,,\n" +
	",缺编号,有内容,,,,,\n" +
	"WG-005,电话错,内容,call-me,,,,\n" +
	"WG-006,时间错,内容,,,昨天,,\n" +
	"WG-007,分类错,内容,,,,C9999,\n" +
	"WG-001,重复编号,内容,,,,,\n" +
	",,,,,,,\n"

func count(t *testing.T, env *apptest.Env) int {
	t.Helper()
	n, err := env.App.Cases.Count(ctx, access.System("test"), casework.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func newImporter(env *apptest.Env) *importer.Importer {
	return &importer.Importer{Cases: env.App.Cases, Catalog: env.App.Catalog, DB: env.App.DB, Loc: env.App.Config.Location(),
		Lang: i18n.ZH, Source: "网格化系统"}
}

func TestImportModes(t *testing.T) {
	env := apptest.New(t)
	im := newImporter(env)
	rows, err := importer.Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	actor := env.Actor(t, "intake")

	res, err := im.Run(ctx, actor, rows, importer.DryRun)
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid != 2 || res.Invalid != 6 || count(t, env) != 0 || res.Stored {
		t.Fatalf("dry run: %+v, %d cases", res, count(t, env))
	}
	want := map[int]string{4: "内容：为必填项", 5: "来源编号：为必填项", 6: "电话：", 7: "时间：", 8: "分类：没有这个分类编码", 9: "第 2 行"}
	for _, r := range res.Rows {
		if frag, bad := want[r.Line]; bad {
			if r.Status != "invalid" || !strings.Contains(strings.Join(r.Problems, " "), frag) {
				t.Errorf("row %d: %s %v, want a problem about %s", r.Line, r.Status, r.Problems, frag)
			}
		} else if r.Status != "ok" {
			t.Errorf("row %d: %s %v", r.Line, r.Status, r.Problems)
		}
	}
	if len(res.Ignored) != 1 || res.Ignored[0] != "无关列" {
		t.Errorf("ignored columns: %v", res.Ignored)
	}

	// All or nothing: a bad row stops every row.
	res, err = im.Run(ctx, actor, rows, importer.AllOrNothing)
	if err != nil || res.Stored || count(t, env) != 0 {
		t.Fatalf("all-or-nothing with bad rows stored something: %+v %v", res, err)
	}
	// Valid rows: the two good ones.
	res, err = im.Run(ctx, actor, rows, importer.ValidRows)
	if err != nil || res.Imported != 2 || count(t, env) != 2 {
		t.Fatalf("valid rows: %+v %v, %d cases", res, err, count(t, env))
	}
	c, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), res.Rows[0].CaseNumber)
	if err != nil || c.Case.Channel != "import" || c.Reports[0].SourceRef != "网格化系统:WG-001" || c.Reports[0].PhoneMasked != "138****2345" {
		t.Fatalf("imported case: %+v %v", c.Case, err)
	}
	// The same file again adds nothing.
	res, err = im.Run(ctx, actor, rows, importer.ValidRows)
	if err != nil || res.Imported != 0 || res.Duplicates != 2 || count(t, env) != 2 {
		t.Fatalf("again: %+v %v, %d cases", res, err, count(t, env))
	}
	// Missing columns are named.
	if _, err := im.Run(ctx, actor, [][]string{{"标题", "地址"}, {"a", "b"}}, importer.DryRun); err == nil ||
		!strings.Contains(err.Error(), "source_id（来源编号）、body（内容）") {
		t.Fatalf("missing columns: %v", err)
	}
	// Only those who take reports in may import.
	if _, err := im.Run(ctx, env.Actor(t, "leader"), rows, importer.ValidRows); err == nil {
		t.Fatal("a leader imported")
	}
}

// An Excel file imports like a CSV one; all or nothing stores every row
// when all are good.
func TestImportXLSX(t *testing.T) {
	env := apptest.New(t)
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, "导入", []string{"source_id", "body", "address", "lat", "lon"}, [][]any{
		{"X-1", "集美大道噪音扰民", "集美区集美大道", 24.5764, 118.0977},
		{"X-2", "同安城区路面塌陷", "", 24.7290, 118.1520},
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := importer.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	res, err := newImporter(env).Run(ctx, env.Actor(t, "intake"), rows, importer.AllOrNothing)
	if err != nil || res.Imported != 2 || count(t, env) != 2 {
		t.Fatalf("xlsx: %+v %v", res, err)
	}
	c, _ := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), res.Rows[1].CaseNumber)
	if c.Case.DivisionCode != "350212" {
		t.Errorf("the point did not place the case in 同安区: %q", c.Case.DivisionCode)
	}
	if _, err := importer.Parse([]byte{0xff, 0xfe, 'a'}); err == nil {
		t.Error("a file in another encoding was read")
	}
}

// Source ids are unique only within their system: system B's "1" is not
// system A's "1"; importing B's file again adds nothing. The system is
// named for the whole file (--source, the page's field) or per row (a
// 来源系统 column); a file naming none is refused before any row is read.
func TestImportSourceScopesIDs(t *testing.T) {
	env := apptest.New(t)
	actor := env.Actor(t, "intake")
	a, b := newImporter(env), newImporter(env)
	a.Source, b.Source = "数字城管", "网格化系统"
	fileA, _ := importer.Parse([]byte("编号,内容,地址\n1,莲前西路路灯不亮,思明区莲前西路\n2,湖滨南路井盖缺失,思明区湖滨南路\n"))
	fileB, _ := importer.Parse([]byte("编号,内容,地址\n1,江头北路夜间施工噪音,湖里区江头北路\n"))
	if res, err := a.Run(ctx, actor, fileA, importer.AllOrNothing); err != nil || res.Imported != 2 {
		t.Fatalf("system A: %+v %v", res, err)
	}
	res, err := b.Run(ctx, actor, fileB, importer.DryRun)
	if err != nil || res.Valid != 1 || res.Duplicates != 0 {
		t.Fatalf("system B's 1 checked as a duplicate of system A's: %+v %v", res, err)
	}
	if res, err = b.Run(ctx, actor, fileB, importer.AllOrNothing); err != nil || res.Imported != 1 || count(t, env) != 3 {
		t.Fatalf("system B: %+v %v, %d cases", res, err, count(t, env))
	}
	c, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), res.Rows[0].CaseNumber)
	if err != nil || c.Reports[0].SourceRef != "网格化系统:1" || !strings.Contains(c.Case.Title, "江头北路") {
		t.Fatalf("system B's case: %+v %v", c.Reports, err)
	}
	for _, im := range []*importer.Importer{a, b} {
		res, err := im.Run(ctx, actor, map[*importer.Importer][][]string{a: fileA, b: fileB}[im], importer.ValidRows)
		if err != nil || res.Imported != 0 || res.Duplicates == 0 || count(t, env) != 3 {
			t.Fatalf("%s again: %+v %v, %d cases", im.Source, res, err, count(t, env))
		}
	}
	// Per row: a 来源系统 column; a row without one falls back on the file's.
	rows, _ := importer.Parse([]byte("来源系统,编号,内容\n数字城管,1,路灯不亮\n12345热线,1,路灯不亮\n,9,路灯不亮\n"))
	perRow := newImporter(env)
	perRow.Source = ""
	res, err = perRow.Run(ctx, actor, rows, importer.DryRun)
	if err != nil || res.Duplicates != 1 || res.Valid != 1 || res.Invalid != 1 ||
		!strings.Contains(strings.Join(res.Rows[2].Problems, ""), "来源系统：") {
		t.Fatalf("per-row systems: %+v %v", res, err)
	}
	// None named, or a name that cannot scope ids: refused.
	if _, err := perRow.Run(ctx, actor, fileB, importer.DryRun); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "name the source system") {
		t.Fatalf("no source system: %v", err)
	}
	perRow.Source = "a:b"
	if _, err := perRow.Run(ctx, actor, fileB, importer.DryRun); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("a source system with a colon: %v", err)
	}
}

// 高德 and 腾讯 exports give GCJ-02 coordinates: the file's datum (or a
// row's 坐标系) converts them, as the API's location.crs does. The point
// is near the 湖里/思明 edge at 东渡: 湖里 once converted, 思明 if read as
// WGS-84.
func TestImportGCJ02(t *testing.T) {
	env := apptest.New(t)
	actor := env.Actor(t, "intake")
	rows, _ := importer.Parse([]byte("编号,内容,纬度,经度,坐标系\n" +
		"G-1,路面塌陷,24.477337,118.074969,\n" +
		"G-2,路面塌陷,24.477337,118.074969,wgs84\n" +
		"G-3,路面塌陷,24.477337,118.074969,bd09\n"))
	im := newImporter(env)
	im.CRS = "gcj02"
	res, err := im.Run(ctx, actor, rows, importer.ValidRows)
	if err != nil || res.Imported != 2 || res.Invalid != 1 || !strings.Contains(strings.Join(res.Rows[2].Problems, ""), "坐标系：坐标系应为 wgs84 或 gcj02") {
		t.Fatalf("import: %+v %v", res, err)
	}
	for i, want := range []string{"350206", "350203"} {
		c, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), res.Rows[i].CaseNumber)
		if err != nil || c.Case.DivisionCode != want {
			t.Errorf("row %d: division %q, want %s (%v)", res.Rows[i].Line, c.Case.DivisionCode, want, err)
		}
		if i == 0 && (math.Abs(c.Case.Location.Lat-24.48) > 1e-5 || math.Abs(c.Case.Location.Lon-118.07) > 1e-5) {
			t.Errorf("the stored point is not the WGS-84 one: %+v", c.Case.Location)
		}
	}
	im.CRS = "bd09"
	if _, err := im.Run(ctx, actor, rows, importer.DryRun); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("an unknown datum for the file: %v", err)
	}
}

// An imported row's classification is the labels of the system it came
// from, not an operator's choice: it is no label for the classifier,
// whatever channel the row names.
func TestImportLeavesNoLabel(t *testing.T) {
	env := apptest.New(t)
	rows, err := importer.Parse([]byte("来源编号,内容,渠道,性质,分类\n" +
		"WG-101,莲前西路路灯不亮已一周,hotline,complaint,C0101001\n" +
		"WG-102,江头北路工地夜间施工噪音扰民,,report,\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := newImporter(env).Run(ctx, env.Actor(t, "intake"), rows, importer.AllOrNothing)
	if err != nil || res.Imported != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	var labels int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM classify_feedback").Scan(&labels); err != nil {
		t.Fatal(err)
	}
	if labels != 0 {
		t.Errorf("%d classifier labels from imported rows, want none", labels)
	}
}

// A file may name a channel, nature or priority by its code or by its
// name, in Chinese or English; a value that names none is refused.
func TestImportTakesNames(t *testing.T) {
	env := apptest.New(t)
	rows, err := importer.Parse([]byte("来源编号,内容,渠道,性质,紧急程度\n" +
		"WG-201,莲前西路路灯不亮已一周,12345热线,投诉,紧急\n" +
		"WG-202,江头北路工地夜间施工噪音扰民,WeChat,Complaint,emergency\n" +
		"WG-203,湖滨一里垃圾没人清运,热线电话,投诉,紧急\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := newImporter(env).Run(ctx, env.Actor(t, "intake"), rows, importer.ValidRows)
	if err != nil || res.Imported != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if p := res.Rows[2].Problems; len(p) != 1 || !strings.Contains(p[0], "热线电话") {
		t.Errorf("a channel no one has: %v", res.Rows[2].Problems)
	}
	for i, want := range []string{"hotline complaint urgent", "wechat complaint emergency"} {
		d, err := env.App.Cases.Get(ctx, env.Actor(t, "intake"), res.Rows[i].CaseNumber)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(d.Case.Channel, " ", d.Case.Nature, " ", d.Case.Priority); got != want {
			t.Errorf("row %d: %s, want %s", i+2, got, want)
		}
	}
}
