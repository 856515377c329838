package web

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"pingan/internal/casework"
	"pingan/internal/i18n"
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
	irregular := []string{"set", "read", "reset", "sent", "taken", "undone", "swept"}
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

func TestAuditDetail(t *testing.T) {
	got := auditDetail(`{"to_unit_id":12,"case":"XM-2026-000001","roles":["leader","handler"],"n":1.5}`)
	want := []detailItem{{Key: "to_unit_id", Value: "12", UnitID: 12}, {Key: "case", Value: "XM-2026-000001"},
		{Key: "roles", Value: `["leader","handler"]`}, {Key: "n", Value: "1.5"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("member %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	at := auditDetail(`{"deadline_at":1796054400000000,"n_at":3}`)
	if len(at) != 2 || !at[0].At.Equal(time.UnixMicro(1796054400000000)) || !at[1].At.IsZero() {
		t.Errorf("times: %+v", at)
	}
	if got := auditDetail(`{}`); len(got) != 0 {
		t.Errorf("empty object: %v", got)
	}
	if got := auditDetail(`[1,2]`); len(got) != 1 || got[0].Value != `[1,2]` {
		t.Errorf("not an object: %v", got)
	}
}
