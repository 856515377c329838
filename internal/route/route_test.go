package route_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
	"pingan/internal/route"
)

var ctx = context.Background()

func unit(t *testing.T, env *apptest.Env, id int64) org.Unit {
	t.Helper()
	u, err := env.App.Org.Unit(ctx, env.App.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// at places an input at a WGS-84 point.
func at(in route.Input, lat, lon float64) route.Input {
	in.Lat, in.Lon = &lat, &lon
	return in
}

func TestRouteByPointAndText(t *testing.T) {
	env := apptest.New(t)
	r := env.App.Route
	for _, tc := range []struct {
		name     string
		in       route.Input
		unit     string // the suggested unit's name, "" for triage
		reason   string
		area     string
		fallback bool
	}{
		{"police by address → the township's 派出所",
			route.Input{Text: "湖里区江头北路有人打架", Family: "police", Nature: "police_public_order"}, "江头派出所", "", "350206004", false},
		{"police by point only → the district's 分局",
			at(route.Input{Family: "police"}, 24.5120, 118.1460), "厦门市公安局湖里分局", "", "350206", true},
		{"point gives the district, text the township in it",
			at(route.Input{Text: "江头北路", Family: "hotline"}, 24.5120, 118.1460), "江头街道", "", "350206004", false},
		{"a dispute → the township's mediation committee",
			route.Input{Text: "灌口镇邻里漏水纠纷", Family: "dispute"}, "灌口镇人民调解委员会", "", "350211102", false},
		{"a petition → the district's 信访局",
			route.Input{Text: "思明区莲前街道拆迁补偿", Family: "petition"}, "思明区信访局", "", "350203010", false},
		{"civic, unclassified → the township",
			route.Input{Text: "莲前西路路灯不亮"}, "莲前街道", "", "350203010", false},
		{"on the sea, no words → triage",
			at(route.Input{}, 24.40, 118.30), "", route.NoArea, "", false},
		{"同安湾, inside 湖里's and 翔安's bounding boxes but in no district → triage",
			at(route.Input{}, 24.55, 118.17), "", route.NoArea, "", false},
		{"西海域, inside 思明's and 海沧's bounding boxes but in no district → triage",
			at(route.Input{Family: "police"}, 24.46, 118.055), "", route.NoArea, "", false},
		{"outside Xiamen → triage",
			at(route.Input{Text: "天安门"}, 39.90, 116.40), "", route.NoArea, "", false},
		{"places that disagree → triage",
			route.Input{Text: "思明区江头北路"}, "", route.Ambiguous, "350206004", false},
	} {
		d, err := r.Route(ctx, env.App.DB, tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := ""
		if d.UnitID != 0 {
			got = unit(t, env, d.UnitID).Name
		}
		if got != tc.unit || d.Reason != tc.reason || d.AreaCode != tc.area || d.Fallback != tc.fallback || d.Triage != (tc.unit == "") {
			t.Errorf("%s: unit %q reason %q area %q fallback %v triage %v", tc.name, got, d.Reason, d.AreaCode, d.Fallback, d.Triage)
		}
		if text := route.Explain(d, i18n.ZH, func(id int64) string { return unit(t, env, id).Name }); text == "" {
			t.Errorf("%s: no explanation", tc.name)
		}
	}
}

// A specific rule beats a general one; retiring it brings the general back;
// only the system administrator edits rules, and the edits are checked.
func TestRules(t *testing.T) {
	env := apptest.New(t)
	r := env.App.Route
	noise, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101")
	if err != nil {
		t.Fatal(err)
	}
	hb, err := env.App.Org.UnitByCode(ctx, env.App.DB, "DEPT-HB-350200")
	if err != nil {
		t.Fatal(err)
	}
	in := route.Input{Text: "江头北路工地噪音", Family: "hotline", Nature: "complaint", CategoryCode: "C0101001"}
	d, _ := r.Route(ctx, env.App.DB, in)
	if unit(t, env, d.UnitID).Name != "江头街道" {
		t.Fatalf("default: %+v", d)
	}
	sys := env.Actor(t, "sysadmin")
	if _, err := r.Create(ctx, env.Actor(t, "dispatcher"), route.Rule{Name: "x", UnitID: hb.ID}); fault.KindOf(err) != fault.Forbidden {
		t.Fatalf("a dispatcher made a rule: %v", err)
	}
	for _, bad := range []route.Rule{
		{Name: "", UnitID: hb.ID},
		{Name: "two targets", UnitID: hb.ID, UnitKind: org.Police, UnitLevel: org.Street},
		{Name: "no target"},
		{Name: "kind without level", UnitKind: org.Police},
		{Name: "unknown area", DivisionCode: "999999", UnitID: hb.ID},
		{Name: "unknown category", CategoryCode: "C9999", UnitID: hb.ID},
		{Name: "unknown nature", Nature: "gossip", UnitID: hb.ID},
	} {
		if _, err := r.Create(ctx, sys, bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	rule, err := r.Create(ctx, sys, route.Rule{Name: "噪音 → 市生态环境局", CategoryCode: noise.Code, UnitID: hb.ID})
	if err != nil {
		t.Fatal(err)
	}
	d, _ = r.Route(ctx, env.App.DB, in)
	if d.UnitID != hb.ID || d.RuleID != rule.ID {
		t.Fatalf("the category rule did not win: %+v", d)
	}
	if err := r.SetRetired(ctx, sys, rule.ID, true); err != nil {
		t.Fatal(err)
	}
	d, _ = r.Route(ctx, env.App.DB, in)
	if unit(t, env, d.UnitID).Name != "江头街道" {
		t.Fatalf("after retiring: %+v", d)
	}
	// A rule may name the deadline policy of the cases it routes.
	policies, err := env.App.Policies.Policies(ctx)
	if err != nil || len(policies) < 2 {
		t.Fatal(err)
	}
	pol := policies[len(policies)-1]
	if _, err := r.Create(ctx, sys, route.Rule{Name: "灌口 → 专项期限", DivisionCode: "350211102", UnitKind: org.Government,
		UnitLevel: org.Street, PolicyID: pol.ID}); err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "灌口镇集美大道路灯不亮"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Case.PolicyID != pol.ID || res.Case.Route.PolicyID != pol.ID {
		t.Fatalf("the rule's policy %d is not the case's (%d)", pol.ID, res.Case.PolicyID)
	}
	if _, err := r.Create(ctx, sys, route.Rule{Name: "bad policy", UnitID: hb.ID, PolicyID: 999999}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("an unknown policy: %v", err)
	}
	if err := r.SetRetired(ctx, sys, 999999, true); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("retiring a rule that does not exist: %v", err)
	}
}

// Intake routes every report; a case routing cannot place waits in triage
// until an operator dispatches it; the dispatch records whether the
// suggestion was followed.
func TestIntakeRoutes(t *testing.T) {
	env := apptest.New(t)
	intake := env.Actor(t, "intake")
	res, err := env.App.Cases.Intake(ctx, intake, casework.ReportInput{Channel: "police_110", Body: "江头北路有人打架",
		Address: "湖里区江头北路", Nature: "police_public_order"})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Case
	if c.Triage || unit(t, env, c.RouteUnitID).Name != "江头派出所" || c.DivisionCode != "350206004" {
		t.Fatalf("routed: triage %v unit %d division %q %+v", c.Triage, c.RouteUnitID, c.DivisionCode, c.Route)
	}
	lost, err := env.App.Cases.Intake(ctx, intake, casework.ReportInput{Channel: "hotline", Body: "小区门口垃圾没人清理"})
	if err != nil {
		t.Fatal(err)
	}
	if !lost.Case.Triage || lost.Case.Route.Reason != route.NoArea {
		t.Fatalf("unplaced: %+v", lost.Case.Route)
	}
	page, err := env.App.Cases.List(ctx, access.System("test"), casework.Filter{Triage: true})
	if err != nil || len(page.Cases) != 1 || page.Cases[0].Number != lost.Case.Number {
		t.Fatalf("triage queue: %v %v", page.Cases, err)
	}
	cat, _ := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	disp := env.Actor(t, "dispatcher")
	if _, err := env.App.Cases.Do(ctx, disp, lost.Case.Number, casework.Register, casework.ActionInput{Nature: "complaint", CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, disp, lost.Case.Number, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}); err != nil {
		t.Fatal(err)
	}
	page, _ = env.App.Cases.List(ctx, access.System("test"), casework.Filter{Triage: true})
	if len(page.Cases) != 0 {
		t.Fatalf("still in triage after dispatch: %v", page.Cases)
	}
	// Dispatching the routed case elsewhere is recorded as not following.
	if _, err := env.App.Cases.Do(ctx, intake, c.Number, casework.Register, casework.ActionInput{CategoryID: cat.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, disp, c.Number, casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}); err != nil {
		t.Fatal(err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "case", ObjectID: c.Number, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if r.Action == "case.dispatch" && strings.Contains(r.Detail, `"followed_suggestion":false`) {
			found = true
		}
	}
	if !found {
		t.Fatal("the dispatch does not record that the suggestion was not followed")
	}
}

// Of two rules equally specific the higher priority wins, and editing a
// rule in place (its priority, unit, policy, conditions) changes the
// decision at once; the edit is audited with the rule before and after.
// Without any rule a report waits in triage (no-rule); a rule naming a
// kind of unit the area lacks sends it there too (no-unit).
func TestRulePriorityEditAndTriage(t *testing.T) {
	env := apptest.New(t)
	r := env.App.Route
	sys := env.Actor(t, "sysadmin")
	hb, err := env.App.Org.UnitByCode(ctx, env.App.DB, "DEPT-HB-350200")
	if err != nil {
		t.Fatal(err)
	}
	cg, err := env.App.Org.UnitByCode(ctx, env.App.DB, "DEPT-CG-350206")
	if err != nil {
		t.Fatal(err)
	}
	in := route.Input{Text: "江头北路工地噪音", Family: "hotline", Nature: "complaint", CategoryCode: "C0101001"}
	low, err := r.Create(ctx, sys, route.Rule{Name: "噪音 → 环保", CategoryCode: "C0101", UnitID: hb.ID, Priority: 1})
	if err != nil {
		t.Fatal(err)
	}
	high, err := r.Create(ctx, sys, route.Rule{Name: "噪音 → 城管", CategoryCode: "C0101", UnitID: cg.ID, Priority: 5})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := r.Route(ctx, env.App.DB, in); d.RuleID != high.ID || d.UnitID != cg.ID {
		t.Fatalf("priority 5 did not beat priority 1 among equals: %+v", d)
	}
	edit := low
	edit.Priority, edit.Name = 9, "噪音 → 环保（优先）"
	got, err := r.Update(ctx, sys, low.ID, edit)
	if err != nil || got.Priority != 9 || got.Name != "噪音 → 环保（优先）" || got.UnitID != hb.ID {
		t.Fatalf("update: %+v %v", got, err)
	}
	if d, _ := r.Route(ctx, env.App.DB, in); d.RuleID != low.ID || d.UnitID != hb.ID {
		t.Fatalf("after raising its priority the rule does not win: %+v", d)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "routing_rule", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, rec := range recs {
		if rec.Action == "routing_rule.update" && rec.ObjectID == strconv.FormatInt(low.ID, 10) &&
			strings.Contains(rec.Detail, `"before":{`) && strings.Contains(rec.Detail, `"priority":1`) && strings.Contains(rec.Detail, `"priority":9`) {
			audited = true
		}
	}
	if !audited {
		t.Error("the edit is not audited with the rule before and after")
	}
	// Only the system administrator edits; a bad edit names its field; an
	// edit of no rule is not found; a refused edit changes nothing.
	if _, err := r.Update(ctx, env.Actor(t, "dispatcher"), low.ID, edit); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("a dispatcher edited a rule: %v", err)
	}
	bad := edit
	bad.UnitKind, bad.UnitLevel = org.Police, org.Street
	if _, err := r.Update(ctx, sys, low.ID, bad); fault.KindOf(err) != fault.Invalid {
		t.Errorf("an edit naming two targets: %v", err)
	}
	if _, err := r.Update(ctx, sys, 999999, edit); fault.KindOf(err) != fault.NotFound {
		t.Errorf("an edit of no rule: %v", err)
	}
	if now, _ := r.Rule(ctx, low.ID); now.Priority != 9 || now.UnitKind != "" {
		t.Errorf("a refused edit changed the rule: %+v", now)
	}

	// no-unit: 江头 has no township-level 12345 centre.
	if _, err := r.Create(ctx, sys, route.Rule{Name: "江头 → 街镇热线", DivisionCode: "350206004", Family: "hotline",
		UnitKind: org.Hotline, UnitLevel: org.Street}); err != nil {
		t.Fatal(err)
	}
	lamp := route.Input{Text: "江头北路路灯不亮", Family: "hotline"}
	if d, _ := r.Route(ctx, env.App.DB, lamp); !d.Triage || d.Reason != route.NoUnit || d.AreaCode != "350206004" {
		t.Fatalf("a rule whose kind of unit the area lacks: %+v", d)
	}
	// no-rule: every rule retired.
	rules, err := r.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range rules {
		if err := r.SetRetired(ctx, sys, x.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := r.Route(ctx, env.App.DB, lamp)
	if !d.Triage || d.Reason != route.NoRule || d.AreaCode != "350206004" {
		t.Fatalf("with no rule in force: %+v", d)
	}
	if text := route.Explain(d, i18n.ZH, func(int64) string { return "" }); !strings.Contains(text, "没有适用的派遣规则") {
		t.Errorf("the no-rule explanation: %q", text)
	}
}

// A rule's name reads in the reader's language where the rule has an
// English one; a decision stored before rules had English reads in Chinese.
func TestRuleNamesInEnglish(t *testing.T) {
	env := apptest.New(t)
	d, err := env.App.Route.Route(ctx, env.App.DB, route.Input{Family: "police", Text: "湖里区江头北路有人打架"})
	if err != nil {
		t.Fatal(err)
	}
	name := func(int64) string { return "X" }
	if d.RuleName != "警情 → 属地派出所" || d.RuleNameEN != "Police incidents → the area's police station" {
		t.Fatalf("rule %q / %q", d.RuleName, d.RuleNameEN)
	}
	if en := route.Explain(d, i18n.EN, name); !strings.Contains(en, "Police incidents → the area's police station") || strings.Contains(en, "警情") {
		t.Errorf("in English: %s", en)
	}
	if zh := route.Explain(d, i18n.ZH, name); !strings.Contains(zh, "警情 → 属地派出所") {
		t.Errorf("in Chinese: %s", zh)
	}
	d.RuleNameEN = ""
	if en := route.Explain(d, i18n.EN, name); !strings.Contains(en, "警情 → 属地派出所") {
		t.Errorf("an older decision in English: %s", en)
	}
	// An administrator names a rule in both languages, and too long a name
	// is refused.
	admin := env.Actor(t, "sysadmin")
	r, err := env.App.Route.Create(ctx, admin, route.Rule{Name: "交通 → 交警", NameEN: "Traffic → traffic police",
		Family: "police", Nature: "police_traffic", UnitKind: org.Police, UnitLevel: org.Street})
	if err != nil || r.NameEN != "Traffic → traffic police" {
		t.Fatalf("create: %+v %v", r, err)
	}
	if _, err := env.App.Route.Update(ctx, admin, r.ID, route.Rule{Name: r.Name, NameEN: strings.Repeat("x", 101),
		Family: "police", UnitKind: org.Police, UnitLevel: org.Street}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("a 101-character English name: %v", err)
	}
}
