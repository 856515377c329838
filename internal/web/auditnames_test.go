package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"pingan/internal/casework"
	"pingan/internal/catalog"
	"pingan/internal/i18n"
	"pingan/internal/score"
)

// Every action the audit page's filter offers has a name of its own in
// both languages, no two alike: a name given back as the filter resolves
// to its one code.
func TestAuditActionNames(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		seen := map[string]string{}
		for _, c := range auditActionCodes {
			name := auditActionName(c, lang)
			if name == c || strings.Contains(name, ".") {
				t.Errorf("%s has no %s name: %q", c, lang, name)
			}
			if other, ok := seen[name]; ok {
				t.Errorf("%s and %s are both named %q", other, c, name)
			}
			seen[name] = c
			if got := auditActionCode(name); got != c {
				t.Errorf("%q resolves to %q, not %s", name, got, c)
			}
		}
	}
	for in, want := range map[string]string{
		"case.dispatch": "case.dispatch", "案件 · 派遣": "case.dispatch", " login ": "login",
		"test.paged": "test.paged", "没有的操作": "", "DROP TABLE": "",
	} {
		if got := auditActionCode(in); got != want {
			t.Errorf("auditActionCode(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range auditObjectTypes {
		if auditObjectName(c, i18n.ZH) == c {
			t.Errorf("object type %s has no name", c)
		}
	}
}

// In English an action is named as done, the same way throughout: "Case ·
// dispatched", "User · created", "Signed in"; never as the button that
// does it ("Case · Dispatch").
func TestAuditActionNamesPast(t *testing.T) {
	for a := range casework.ActionNames {
		if _, ok := auditCasePast[a]; !ok {
			t.Errorf("case action %s has no English name in auditCasePast", a)
		}
	}
	irregular := []string{"set", "read", "reset", "sent", "taken", "undone", "swept", "rebuilt"}
	past := func(w string) bool { return strings.HasSuffix(w, "ed") || slices.Contains(irregular, w) }
	for _, c := range auditActionCodes {
		name := auditActionName(c, i18n.EN)
		words := name
		if _, rest, ok := strings.Cut(name, " · "); ok {
			words = rest
			if strings.IndexFunc(rest, unicode.IsUpper) == 0 {
				t.Errorf("%s reads %q: after the noun, a capital", c, name)
			}
		}
		if !slices.ContainsFunc(strings.FieldsFunc(strings.ToLower(words), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }), past) {
			t.Errorf("%s reads %q: not as done", c, name)
		}
	}
	for code, want := range map[string]string{
		"case.dispatch": "Case · dispatched", "case.sign": "Case · signed for", "case.warn": "Case · due-soon warning sent",
		"case.request_review": "Case · review requested", "user.create": "User · created", "login": "Signed in",
	} {
		if got := auditActionName(code, i18n.EN); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
}

// unstored is items without the values as stored, for comparing.
func unstored(items []detailItem) []detailItem {
	if items == nil {
		return nil
	}
	out := make([]detailItem, len(items))
	for i, it := range items {
		it.raw, it.Items = "", unstored(it.Items)
		out[i] = it
	}
	return out
}

// A detail reads member by member in the order stored, an object in it
// likewise; lists of plain values as lists, times as times.
func TestAuditDetail(t *testing.T) {
	got := auditDetail(`{"to_unit_id":12,"case":"XM-2026-000001","roles":["leader","handler"],"n":1.5,"automatic":true,` +
		`"before":{"name":"江头街道","parent_id":3,"escalation":null,"empty":{}},"pairs":[[1,2]],"none":null}`)
	want := []detailItem{{Key: "to_unit_id", Value: "12"}, {Key: "case", Value: "XM-2026-000001"},
		{Key: "roles", Value: "leader, handler", list: []string{"leader", "handler"}}, {Key: "n", Value: "1.5"},
		{Key: "automatic", Value: "true", isBool: true},
		{Key: "before", Items: []detailItem{{Key: "name", Value: "江头街道"}, {Key: "parent_id", Value: "3"},
			{Key: "escalation"}, {Key: "empty", Items: []detailItem{}}}},
		{Key: "pairs", Value: "[[1,2]]"}, {Key: "none"}}
	if !reflect.DeepEqual(unstored(got), want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	at := auditDetail(`{"deadline_at":1796054400000000,"n_at":3,"due_at":"2026-11-20T08:00:00Z","from":1796054400000000,"to":"handling"}`)
	if len(at) != 5 || !at[0].At.Equal(time.UnixMicro(1796054400000000)) || !at[1].At.IsZero() ||
		!at[2].At.Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)) || at[3].At.IsZero() || !at[4].At.IsZero() {
		t.Errorf("times: %+v", at)
	}
	if got := auditDetail(`{"after":["leader"],"before":[],"sessions_ended":1}`); len(got) != 3 || got[0].Key != "before" || got[1].Key != "after" {
		t.Errorf("a change reads before, then after: %+v", got)
	}
	// A change marks what it changed, on both sides.
	change := auditDetail(`{"after":{"name":"湖里","parent_id":3,"code":"X"},"before":{"name":"江头","parent_id":3},"id":7}`)
	changed := func(items []detailItem) (keys []string) {
		for _, it := range items {
			if it.Changed {
				keys = append(keys, it.Key)
			}
		}
		return keys
	}
	if len(change) != 3 || !slices.Equal(changed(change[0].Items), []string{"name"}) ||
		!slices.Equal(changed(change[1].Items), []string{"name", "code"}) || change[2].Changed {
		t.Errorf("changed members: before %v, after %v", changed(change[0].Items), changed(change[1].Items))
	}
	if got := auditDetail(`{}`); len(got) != 0 {
		t.Errorf("empty object: %v", got)
	}
	if got := auditDetail(`[1,2]`); len(got) != 1 || got[0].Value != `[1,2]` {
		t.Errorf("not an object: %v", got)
	}
}

// Every key a record's detail is written with has a name on the audit
// page. The keys are read from the source (detailKeys); the few the
// source does not spell out as a key are added: the JSON fields of a
// struct written as a value, and the scorecard's indicators, which score
// names itself.
func TestAuditDetailKeysNamed(t *testing.T) {
	keys := detailKeys(t, "..")
	for _, k := range notDetailKeys {
		if _, ok := keys[k]; !ok {
			t.Errorf("notDetailKeys holds %q, which no map has now", k)
		}
		delete(keys, k)
	}
	for _, k := range []string{"sessions_ended", "to_unit_id", "name_before", "before", "reason", "requested_by", "records"} {
		if _, ok := keys[k]; !ok {
			t.Fatalf("the source's detail keys leave out %q: the scan has gone blind (%d keys)", k, len(keys))
		}
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[catalog.Escalation]()) { // category.escalation's before and after
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		keys[name] = "catalog.Escalation." + f.Name
	}
	for k, where := range keys {
		if auditKeyName("", k, i18n.ZH) == "" {
			t.Errorf("detail key %q (%s) has no name in auditKeys; if its map is not an audit record's detail, add the key to notDetailKeys", k, where)
		}
	}
	for _, ind := range score.Indicators {
		if got := auditKeyName("score.weights", ind.Key, i18n.ZH); got != ind.Name.ZH+"权重" {
			t.Errorf("score.weights %s: %q", ind.Key, got)
		}
	}
	for action, names := range auditActionKeys {
		for k := range names {
			if _, ok := auditKeys[k]; !ok {
				t.Errorf("%s names %q, which has no name elsewhere", action, k)
			}
		}
	}
	for k, m := range auditKeys {
		if m.ZH == "" || m.EN == "" || m.ZH == k {
			t.Errorf("key %q: name %+v", k, m)
		}
	}
	if got := auditKeyName("audit.read", "from", i18n.ZH); got != "起始日期" {
		t.Errorf("audit.read's from: %q", got)
	}
}

// notDetailKeys are the keys of maps that the packages writing audit
// records build for something else.
var notDetailKeys = []string{
	"event", "occurred_at", "data", // a webhook delivery's body (notify)
	"previous_state", "handling_unit_id", "report_count", "reviews", // a webhook event's data (casework.afterChange)
	"candidates", "add", "score", "sep", "suggestions", "routing", // the intake form's JSON (pages_repeats.go)
}

// detailKeys reads the keys records' details are written with from the
// Go source under root: the string keys of map[string]any literals, and
// those set in such a map (setIn), in every package that writes audit
// records (builds an audit.Entry or calls RecordAudit). It maps each key
// to where it is first written.
func detailKeys(t *testing.T, root string) map[string]string {
	t.Helper()
	fset, pkgs := parseSources(t, root)
	keys := map[string]string{}
	add := keysInto(fset, keys)
	for _, dir := range slices.Sorted(maps.Keys(pkgs)) {
		files := pkgs[dir]
		writes := files[0].Name.Name == "audit"
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if s, ok := n.(*ast.SelectorExpr); ok {
					x, _ := s.X.(*ast.Ident)
					writes = writes || s.Sel.Name == "RecordAudit" || x != nil && x.Name == "audit" && s.Sel.Name == "Entry"
				}
				return !writes
			})
		}
		if !writes {
			continue
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if anyMap(n.Type) {
						for _, e := range n.Elts {
							add(e.(*ast.KeyValueExpr).Key)
						}
					}
				case *ast.FuncDecl:
					setIn(n, add)
				}
				return true
			})
		}
	}
	return keys
}

// parseSources parses the Go source under root, tests left out, by
// directory.
func parseSources(t *testing.T, root string) (*token.FileSet, map[string][]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs := map[string][]*ast.File{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fset, pkgs
}

// keysInto returns a function that records a string literal in keys, with
// where it is first written.
func keysInto(fset *token.FileSet, keys map[string]string) func(ast.Expr) {
	return func(lit ast.Expr) {
		if b, ok := lit.(*ast.BasicLit); ok && b.Kind == token.STRING {
			k, _ := strconv.Unquote(b.Value)
			if _, ok := keys[k]; !ok {
				keys[k] = fset.Position(b.Pos()).String()
			}
		}
	}
}

// setIn passes add the keys fn sets in its maps of map[string]any (d["k"]
// = v), and in an audit entry's (e.Detail["k"] = v). Its maps are known by
// name: declared of that type, or made from such a literal.
func setIn(fn *ast.FuncDecl, add func(ast.Expr)) {
	anyMaps := map[string]bool{}
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			for _, id := range n.Names {
				anyMaps[id.Name] = anyMaps[id.Name] || anyMap(n.Type)
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				anyMaps[id.Name] = anyMaps[id.Name] || anyMap(n.Type) || i < len(n.Values) && anyMapLit(n.Values[i])
			}
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && len(n.Lhs) == len(n.Rhs) && anyMapLit(n.Rhs[i]) {
					anyMaps[id.Name] = true
				}
			}
		}
		return true
	})
	ast.Inspect(fn, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok {
			for _, l := range a.Lhs {
				ix, ok := l.(*ast.IndexExpr)
				if !ok {
					continue
				}
				switch m := ix.X.(type) {
				case *ast.Ident:
					if anyMaps[m.Name] {
						add(ix.Index)
					}
				case *ast.SelectorExpr:
					if m.Sel.Name == "Detail" {
						add(ix.Index)
					}
				}
			}
		}
		return true
	})
}

// anyMap reports whether e is the type map[string]any.
func anyMap(e ast.Expr) bool {
	m, ok := e.(*ast.MapType)
	if !ok {
		return false
	}
	k, _ := m.Key.(*ast.Ident)
	v, _ := m.Value.(*ast.Ident)
	return k != nil && v != nil && k.Name == "string" && v.Name == "any"
}

// anyMapLit reports whether e is a map[string]any literal.
func anyMapLit(e ast.Expr) bool {
	c, ok := e.(*ast.CompositeLit)
	return ok && anyMap(c.Type)
}
