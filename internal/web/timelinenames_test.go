package web

import (
	"go/ast"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"pingan/internal/casework"
)

// Every key a timeline entry's changes are written with has a name on the
// case's pages, in both languages. The keys are read from the source
// (changeKeys), and from what casework.Diff gives for a case with every
// field set, in case Diff comes to build its keys some other way.
func TestTimelineChangeKeysNamed(t *testing.T) {
	keys := changeKeys(t, "..")
	for _, k := range []string{"handling_unit_id", "category_id", "due_at", "resolved", "report_count"} {
		if _, ok := keys[k]; !ok {
			t.Fatalf("the source's timeline change keys leave out %q: the scan has gone blind (%v)", k, slices.Sorted(maps.Keys(keys)))
		}
	}
	for k := range casework.Diff(casework.Case{}, everyField(t), time.UTC) {
		if _, ok := keys[k]; !ok {
			keys[k] = "casework.Diff"
		}
	}
	named := map[string]bool{}
	for _, k := range timelineKeys {
		if named[k.Key] {
			t.Errorf("timelineKeys names %q twice", k.Key)
		}
		named[k.Key] = true
		if k.Name.ZH == "" || k.Name.EN == "" || k.Name.ZH == k.Key || k.Name.EN == k.Key {
			t.Errorf("key %q: name %+v", k.Key, k.Name)
		}
	}
	for k, where := range keys {
		if !named[k] {
			t.Errorf("timeline change key %q (%s) has no name in timelineKeys", k, where)
		}
	}
}

// changeKeys reads the keys timeline changes are written with from the Go
// source under root: the string keys of map[string][2]any literals and of
// assignments into such maps or an entry's Changes, and, in a function
// that returns such a map (casework.Diff), the string first argument of
// each call (its add("due_at", …)). It maps each key to where it is first
// written.
func changeKeys(t *testing.T, root string) map[string]string {
	t.Helper()
	fset, pkgs := parseSources(t, root)
	keys := map[string]string{}
	add := keysInto(fset, keys)
	for _, files := range pkgs {
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if pairMap(n.Type) {
						for _, e := range n.Elts {
							add(e.(*ast.KeyValueExpr).Key)
						}
					}
				case *ast.AssignStmt:
					for _, l := range n.Lhs {
						if ix, ok := l.(*ast.IndexExpr); ok {
							if s, ok := ix.X.(*ast.SelectorExpr); ok && s.Sel.Name == "Changes" {
								add(ix.Index)
							}
						}
					}
				case *ast.FuncDecl:
					if n.Type.Results == nil || !slices.ContainsFunc(n.Type.Results.List, func(r *ast.Field) bool { return pairMap(r.Type) }) {
						return true
					}
					ast.Inspect(n.Body, func(n ast.Node) bool {
						switch n := n.(type) {
						case *ast.CallExpr:
							if len(n.Args) > 0 {
								add(n.Args[0])
							}
						case *ast.IndexExpr:
							add(n.Index)
						}
						return true
					})
				}
				return true
			})
		}
	}
	return keys
}

// pairMap reports whether e is the type map[string][2]any.
func pairMap(e ast.Expr) bool {
	m, ok := e.(*ast.MapType)
	if !ok {
		return false
	}
	k, _ := m.Key.(*ast.Ident)
	a, _ := m.Value.(*ast.ArrayType)
	if k == nil || k.Name != "string" || a == nil || a.Len == nil {
		return false
	}
	n, _ := a.Len.(*ast.BasicLit)
	v, _ := a.Elt.(*ast.Ident)
	return n != nil && n.Value == "2" && v != nil && v.Name == "any"
}

// everyField is a case with each plain field (text, number, flag, time,
// a flag's pointer) set to something other than its zero value.
func everyField(t *testing.T) casework.Case {
	t.Helper()
	var c casework.Case
	v := reflect.ValueOf(&c).Elem()
	yes := true
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanSet() {
			continue
		}
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2026, 12, 12, 0, 0, 0, 0, time.UTC)))
		case f.Type() == reflect.TypeFor[*bool]():
			f.Set(reflect.ValueOf(&yes))
		case f.Kind() == reflect.String:
			f.SetString("x")
		case f.CanInt():
			f.SetInt(1)
		case f.CanFloat():
			f.SetFloat(1)
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		}
	}
	return c
}
