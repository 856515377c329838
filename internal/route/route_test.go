package route_test

import (
	"context"
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
