package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/route"
)

// The system administrator edits a rule in place on /admin/routing: the
// form opens on the rule, a refused change shows it again with the reason
// and changes nothing, a good one is saved and audited with the rule
// before and after; retire and restore work from the same table.
func TestRoutingRuleEditOnPage(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin")
	sys := signedInAdmin(t, env, "sysadmin")
	rules, err := env.App.Route.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var police route.Rule
	for _, r := range rules {
		if r.Family == "police" {
			police = r
		}
	}
	id := fmt.Sprint(police.ID)
	p := sys.get("/admin/routing?edit=" + id)
	mustContain(t, p, "修改规则“"+police.Name+"”", `action="/admin/routing/`+id+`/update"`, `value="`+police.Name+`"`, `<option value="police" selected`)
	form := url.Values{"name": {police.Name}, "family": {"police"}, "unit_kind": {"police"}, "unit_level": {"street"}, "priority": {"3"}}
	bad := url.Values{"name": {police.Name}, "family": {"police"}, "unit_kind": {"police"}, "priority": {"3"}}
	if p = sys.post("/admin/routing/"+id+"/update", bad); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule with a kind and no level: %d", p.Status)
	}
	mustContain(t, p, "须指定派往的单位", `action="/admin/routing/`+id+`/update"`)
	if r, _ := env.App.Route.Rule(ctx, police.ID); r.Priority != police.Priority || r.UnitLevel != police.UnitLevel {
		t.Fatalf("a refused edit changed the rule: %+v", r)
	}
	if p = sys.post("/admin/routing/"+id+"/update", url.Values{"name": {police.Name}, "priority": {"high"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a priority that is not a number: %d", p.Status)
	}
	if p = sys.post("/admin/routing/"+id+"/update", form); p.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", p.Status, excerpt(p.Body))
	}
	if r, _ := env.App.Route.Rule(ctx, police.ID); r.Priority != 3 || r.UnitKind != "police" || r.UnitLevel != "street" {
		t.Fatalf("the edit was not stored: %+v", r)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "routing_rule", ObjectID: id, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, r := range recs {
		audited = audited || r.Action == "routing_rule.update" && strings.Contains(r.Detail, `"before":{`) &&
			strings.Contains(r.Detail, fmt.Sprintf(`"priority":%d`, police.Priority)) && strings.Contains(r.Detail, `"priority":3`)
	}
	if !audited {
		t.Fatal("the edit is not audited with before and after")
	}

	// Retire and restore.
	sys.get("/admin/routing")
	if p = sys.post("/admin/routing/"+id+"/retire", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("retire: %d", p.Status)
	}
	if r, _ := env.App.Route.Rule(ctx, police.ID); r.Active() {
		t.Fatal("not retired")
	}
	mustContain(t, sys.get("/admin/routing"), `action="/admin/routing/`+id+`/restore"`)
	if p = sys.post("/admin/routing/"+id+"/restore", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("restore: %d", p.Status)
	}
	if r, _ := env.App.Route.Rule(ctx, police.ID); !r.Active() {
		t.Fatal("not restored")
	}
	if auditCount(t, env, "routing_rule.retire", audit.OK) != 1 || auditCount(t, env, "routing_rule.restore", audit.OK) != 1 {
		t.Fatal("retire and restore are not audited")
	}
	if p = sys.post("/admin/routing/999999/update", form); p.Status != http.StatusNotFound {
		t.Fatalf("editing no rule: %d", p.Status)
	}
}

// The intake desk shows where routing would send a report while the
// operator types (the suggestion request), and after saving where it was
// sent and why — or that it waits in triage, and why.
func TestIntakeShowsRouting(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := signedIn(t, env, "intake")

	var sug struct {
		Routing *struct {
			Unit        string `json:"unit"`
			Triage      bool   `json:"triage"`
			Reason      string `json:"reason"`
			Explanation string `json:"explanation"`
		} `json:"routing"`
	}
	ask := func(q url.Values) {
		t.Helper()
		sug.Routing = nil
		p := b.get("/intake/suggest?" + q.Encode())
		if err := json.Unmarshal([]byte(p.Body), &sug); err != nil || p.Status != http.StatusOK {
			t.Fatalf("suggest %v: %d %v %s", q, p.Status, err, p.Body)
		}
	}
	ask(url.Values{"title": {"有人打架"}, "body": {"江头北路有人打架"}, "address": {"湖里区江头北路"}, "nature": {"police_public_order"}})
	if r := sug.Routing; r == nil || r.Unit != "江头派出所" || r.Triage || !strings.Contains(r.Explanation, "警情 → 属地派出所") {
		t.Fatalf("the routing suggestion: %+v", r)
	}
	// A point decides before the words.
	ask(url.Values{"body": {"路灯不亮"}, "lat": {"24.4792"}, "lon": {"118.0894"}})
	if r := sug.Routing; r == nil || r.Triage || !strings.Contains(r.Explanation, "坐标位于思明区") {
		t.Fatalf("by point: %+v", r)
	}
	ask(url.Values{"body": {"小区门口垃圾没人清理"}})
	if r := sug.Routing; r == nil || !r.Triage || r.Reason != route.NoArea || !strings.Contains(r.Explanation, "无法确定属地") {
		t.Fatalf("unplaced: %+v", r)
	}
	ask(url.Values{})
	if sug.Routing != nil {
		t.Fatalf("routing with nothing to route: %+v", sug.Routing)
	}
	// A classification that is not valid yet is for saving to refuse.
	ask(url.Values{"body": {"江头北路有人打架"}, "nature": {"gossip"}})
	if sug.Routing != nil {
		t.Fatalf("routing with a nature that is none: %+v", sug.Routing)
	}

	// After saving.
	b.get("/intake")
	p := b.post("/intake", url.Values{"form_id": {"r-1"}, "channel": {"hotline"}, "body": {"莲前西路路灯不亮已一周"}, "address": {"思明区莲前西路"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("intake: %d\n%s", p.Status, excerpt(p.Body))
	}
	p = b.get(p.Location)
	flash := html.UnescapeString(p.Body)
	for _, want := range []string{"已受理为", "派遣建议：", "适用规则“接诉即办 → 属地街镇”", "建议派往莲前街道"} {
		if !strings.Contains(flash, want) {
			t.Errorf("the saved flash lacks %q", want)
		}
	}
	p = b.post("/intake", url.Values{"form_id": {"r-2"}, "channel": {"hotline"}, "body": {"小区门口垃圾没人清理"}})
	p = b.get(p.Location)
	flash = html.UnescapeString(p.Body)
	for _, want := range []string{"已受理为", "派遣建议：", "待分拣", "无法确定属地，转人工分拣"} {
		if !strings.Contains(flash, want) {
			t.Errorf("the triage flash lacks %q", want)
		}
	}

	// A point clicked on the map, no township chosen: saved, the case is
	// placed as the suggestion placed it — the point's district made a
	// township by the address — and not as if the operator had chosen the
	// district.
	heshan := url.Values{"body": {"禾山路一家KTV每天深夜音响声太大"}, "address": {"湖里区禾山路"}, "lat": {"24.5056"}, "lon": {"118.1553"}}
	ask(heshan)
	if r := sug.Routing; r == nil || !strings.Contains(r.Explanation, "建议派往禾山街道") {
		t.Fatalf("the suggestion for a point: %+v", r)
	}
	heshan.Set("form_id", "r-3")
	heshan.Set("channel", "hotline")
	p = b.post("/intake", heshan)
	p = b.get(p.Location)
	flash = html.UnescapeString(p.Body)
	if !strings.Contains(flash, "建议派往禾山街道") || strings.Contains(flash, "受理员指定") {
		t.Errorf("the saved point's routing: %s", excerpt(flash))
	}
	var division string
	if err := env.App.DB.QueryRowContext(t.Context(), "SELECT division_code FROM cases ORDER BY id DESC LIMIT 1").Scan(&division); err != nil || division != "350206003" {
		t.Errorf("the case's division: %q (%v), want 禾山街道 350206003", division, err)
	}
}
