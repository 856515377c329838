package web

import (
	"net/http"
	"strconv"
	"strings"

	"pingan/internal/access"
	"pingan/internal/catalog"
	"pingan/internal/fault"
	"pingan/internal/org"
	routing "pingan/internal/route"
)

type routingData struct {
	Rules      []routing.Rule
	Choices    choices
	Families   []option
	Categories []option // by code: a rule covers a category and those under it
	Kinds      []option
	Levels     []option
	Policies   []option
}

// FamilyName names a nature family.
func (v *view) FamilyName(f string) string {
	for _, x := range catalog.Families {
		if string(x.Family) == f {
			return x.Name.Format(v.Lang)
		}
	}
	return f
}

func (w *Web) adminRouting(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireAny(v, access.SysAdmin); err != nil {
		return err
	}
	rules, err := w.app.Route.Rules(r.Context())
	if err != nil {
		return err
	}
	d := routingData{Rules: rules, Choices: w.choices(v)}
	for _, f := range catalog.Families {
		d.Families = append(d.Families, option{Value: string(f.Family), Label: f.Name.Format(v.Lang)})
	}
	for _, c := range v.names().CatList {
		if c.Active() {
			d.Categories = append(d.Categories, option{Value: c.Code, Label: c.Name, Depth: c.Level - 1})
		}
	}
	for _, k := range org.Kinds {
		d.Kinds = append(d.Kinds, option{Value: string(k.Kind), Label: k.Name.Format(v.Lang)})
	}
	ps, err := w.app.Policies.Policies(r.Context())
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.RetiredAt.IsZero() {
			d.Policies = append(d.Policies, option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
		}
	}
	for _, l := range org.Levels {
		d.Levels = append(d.Levels, option{Value: string(l.Level), Label: l.Name.Format(v.Lang)})
	}
	v.Title, v.Active, v.Data = v.T("admin.routing"), "admin", d
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "admin_routing", status)
}

func (w *Web) adminCreateRule(rw http.ResponseWriter, r *http.Request, v *view) error {
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	prio, err := strconv.Atoi(f("priority"))
	if f("priority") == "" {
		prio, err = 0, nil
	}
	if err == nil {
		_, err = w.app.Route.Create(r.Context(), v.Actor, routing.Rule{Name: f("name"), Family: f("family"), Nature: f("nature"),
			CategoryCode: f("category_code"), DivisionCode: f("division_code"), UnitID: formInt(r, "unit_id"),
			UnitKind: org.Kind(f("unit_kind")), UnitLevel: org.Level(f("unit_level")), Priority: prio,
			PolicyID: formInt(r, "policy_id")})
	} else {
		err = fault.InvalidField("priority", fault.BadFormat, f("priority"))
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminRouting)
	}
	return redirect(rw, r, "/admin/routing", "admin.saved")
}

func (w *Web) adminRuleOp(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var err error
	switch r.PathValue("op") {
	case "retire":
		err = w.app.Route.SetRetired(r.Context(), v.Actor, id, true)
	case "restore":
		err = w.app.Route.SetRetired(r.Context(), v.Actor, id, false)
	default:
		return fault.NotFoundf(r.PathValue("op"))
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminRouting)
	}
	return redirect(rw, r, "/admin/routing", "admin.saved")
}
