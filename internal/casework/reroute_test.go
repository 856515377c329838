package casework_test

import (
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/org"
	"pingan/internal/route"
)

// Cases written without routing (a bulk load) are routed as intake would
// have routed them: the suggested unit, the area and why, audited; cases
// past registration and cases routed already are left alone, and routing
// again finds nothing to do.
func TestRouteWaitingRoutesWhatRoutingNeverSaw(t *testing.T) {
	env := apptest.New(t)
	intake := env.Actor(t, "intake")
	take := func(body, address string) casework.Case {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, intake, casework.ReportInput{Channel: "hotline", Body: body, Address: address})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case
	}
	waiting := take("江头北路128号工地夜间施工噪音扰民，凌晨还在打桩", "湖里区江头北路128号")
	routed := take("莲前西路某小区楼下烧烤店油烟扰民", "思明区莲前西路")
	registered := take("江头北路路灯不亮", "湖里区江头北路")
	reg, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), registered.Number, casework.Register,
		casework.ActionInput{Nature: "complaint", CategoryID: civicCategory(t, env)})
	if err != nil {
		t.Fatal(err)
	}
	dispatched := take("江头北路井盖缺失", "湖里区江头北路")
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), dispatched.Number, casework.Register,
		casework.ActionInput{Nature: "complaint", CategoryID: civicCategory(t, env)}); err != nil {
		t.Fatal(err)
	}
	dis, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), dispatched.Number, casework.Dispatch,
		casework.ActionInput{UnitID: env.Unit(t, "350206004")})
	if err != nil {
		t.Fatal(err)
	}
	// A rule made after the cases came in names the deadline policy of
	// the cases it routes.
	policies, err := env.App.Policies.Policies(ctx)
	if err != nil || len(policies) < 2 {
		t.Fatal(err)
	}
	pol := policies[len(policies)-1]
	if pol.ID == waiting.PolicyID {
		pol = policies[len(policies)-2]
	}
	if _, err := env.App.Route.Create(ctx, access.System("test"), route.Rule{Name: "江头 → 专项期限", DivisionCode: "350206004",
		UnitKind: org.Government, UnitLevel: org.Street, PolicyID: pol.ID}); err != nil {
		t.Fatal(err)
	}
	want := waiting.RouteUnitID
	if want == 0 {
		t.Fatalf("intake did not route %s: %+v", waiting.Number, waiting.Route)
	}
	// As the generator writes cases: no routing on the first, and the
	// second registered before anyone routed it.
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE cases SET route_unit_id = NULL, route_note = NULL WHERE id IN ($1, $2, $3)",
			waiting.ID, reg.ID, dis.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	n, err := env.App.Cases.RouteWaiting(ctx, sys)
	if err != nil || n != 2 {
		t.Fatalf("routed %d cases (%v), want 2 (the received and the registered)", n, err)
	}
	got, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), waiting.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Case.RouteUnitID != want || got.Case.Route.RuleID == 0 || got.Case.Route.AreaCode != waiting.DivisionCode {
		t.Errorf("routed to unit %d (want %d), by %+v", got.Case.RouteUnitID, want, got.Case.Route)
	}
	if got.Case.PolicyID != pol.ID {
		t.Errorf("deadline policy %d, want %d (the rule's)", got.Case.PolicyID, pol.ID)
	}
	if got.Case.Version != waiting.Version+1 {
		t.Errorf("version %d, want %d", got.Case.Version, waiting.Version+1)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "case", ObjectID: waiting.Number})
	if err != nil || len(recs) != 2 || recs[0].Action != "case.route" {
		t.Fatalf("audit of %s: %+v (%v)", waiting.Number, recs, err)
	}
	before, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), routed.Number)
	if err != nil || before.Case.Version != routed.Version {
		t.Errorf("a case routed at intake was changed: version %d → %d (%v)", routed.Version, before.Case.Version, err)
	}
	if after, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), reg.Number); err != nil || after.Case.RouteUnitID == 0 ||
		after.Case.PolicyID != pol.ID {
		t.Errorf("the registered case: unit %d, policy %d, want routed under policy %d (%v)", after.Case.RouteUnitID,
			after.Case.PolicyID, pol.ID, err)
	}
	if after, err := env.App.Cases.Get(ctx, env.Actor(t, "dispatcher"), dis.Number); err != nil || after.Case.Version != dis.Version ||
		after.Case.RouteUnitID != 0 {
		t.Errorf("a dispatched case was routed: version %d → %d, unit %d (%v)", dis.Version, after.Case.Version, after.Case.RouteUnitID, err)
	}
	if n, err := env.App.Cases.RouteWaiting(ctx, sys); err != nil || n != 0 {
		t.Errorf("routing again routed %d (%v), want 0", n, err)
	}
}
