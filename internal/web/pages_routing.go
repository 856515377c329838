package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"pingan/internal/access"
	"pingan/internal/casework"
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
	// Edit is the rule the form changes; nil when it adds one.
	Edit *routing.Rule
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
	// ?edit=ID opens the form on that rule; a refused change shows it again.
	editID, _ := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64)
	if r.PathValue("op") == "update" {
		editID, _ = strconv.ParseInt(r.PathValue("id"), 10, 64)
	}
	for i := range rules {
		if rules[i].ID == editID {
			d.Edit = &rules[i]
		}
	}
	if d.Edit != nil && v.Form == nil {
		v.Form = ruleForm(*d.Edit)
	}
	for _, f := range catalog.Families {
		d.Families = append(d.Families, option{Value: string(f.Family), Label: f.Name.Format(v.Lang)})
	}
	for _, c := range v.names().CatList {
		if c.Active() {
			d.Categories = append(d.Categories, option{Value: c.Code, Label: c.Label(v.Lang), Depth: c.Level - 1})
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
			d.Policies = append(d.Policies, option{Value: strconv.FormatInt(p.ID, 10), Label: p.Label().Format(v.Lang)})
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

// ruleForm is a rule as the form writes it.
func ruleForm(x routing.Rule) url.Values {
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	return url.Values{"name": {x.Name}, "name_en": {x.NameEN}, "family": {x.Family}, "nature": {x.Nature}, "category_code": {x.CategoryCode},
		"division_code": {x.DivisionCode}, "unit_id": {id(x.UnitID)}, "unit_kind": {string(x.UnitKind)},
		"unit_level": {string(x.UnitLevel)}, "priority": {strconv.Itoa(x.Priority)}, "policy_id": {id(x.PolicyID)}}
}

// ruleFromForm reads the rule form.
func ruleFromForm(r *http.Request) (routing.Rule, error) {
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	prio, err := strconv.Atoi(f("priority"))
	if f("priority") == "" {
		prio, err = 0, nil
	}
	if err != nil {
		return routing.Rule{}, fault.InvalidField("priority", fault.BadFormat, f("priority"))
	}
	return routing.Rule{Name: f("name"), NameEN: f("name_en"), Family: f("family"), Nature: f("nature"),
		CategoryCode: f("category_code"), DivisionCode: f("division_code"), UnitID: formInt(r, "unit_id"),
		UnitKind: org.Kind(f("unit_kind")), UnitLevel: org.Level(f("unit_level")), Priority: prio,
		PolicyID: formInt(r, "policy_id")}, nil
}

func (w *Web) adminCreateRule(rw http.ResponseWriter, r *http.Request, v *view) error {
	rule, err := ruleFromForm(r)
	if err == nil {
		_, err = w.app.Route.Create(r.Context(), v.Actor, rule)
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
	case "update":
		var rule routing.Rule
		if rule, err = ruleFromForm(r); err == nil {
			_, err = w.app.Route.Update(r.Context(), v.Actor, id, rule)
		}
	default:
		return errNoPage()
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminRouting)
	}
	return redirect(rw, r, "/admin/routing", "admin.saved")
}

// routePreview is where routing would send the report on the intake form
// and why, for the desk to show before saving.
type routePreview struct {
	Label       string `json:"label"`
	Unit        string `json:"unit,omitempty"`
	Triage      bool   `json:"triage"`
	TriageLabel string `json:"triage_label,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Explanation string `json:"explanation"`
}

// previewRoute reads the intake form's fields from the query (as the
// suggestion request sends them) and routes the report as intake would;
// nil when there is nothing to route yet or the form's classification is
// not valid (saving will say why). Any other failure is the request's.
func (w *Web) previewRoute(r *http.Request, v *view) (*routePreview, error) {
	q := r.URL.Query()
	in := casework.ReportInput{Channel: casework.Channel(q.Get("channel")), Title: q.Get("title"), Body: q.Get("body"),
		Address: q.Get("address"), DivisionCode: q.Get("division_code"), Nature: q.Get("nature")}
	in.CategoryID, _ = strconv.ParseInt(q.Get("category_id"), 10, 64)
	if lat, err := strconv.ParseFloat(q.Get("lat"), 64); err == nil {
		if lon, err := strconv.ParseFloat(q.Get("lon"), 64); err == nil {
			in.Location = &casework.Point{Lat: lat, Lon: lon}
		}
	}
	if strings.TrimSpace(in.Title+in.Body+in.Address+in.DivisionCode) == "" && in.Location == nil {
		return nil, nil
	}
	c, err := w.app.Cases.Preview(r.Context(), v.Actor, in)
	if k := fault.KindOf(err); k == fault.Invalid || k == fault.Forbidden {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("preview routing: %w", err)
	}
	p := &routePreview{Label: v.T("case.routing"), Triage: c.Triage, Reason: c.Route.Reason, Explanation: v.RouteText(c)}
	if c.RouteUnitID != 0 {
		p.Unit = v.UnitName(c.RouteUnitID)
	}
	if c.Triage {
		p.TriageLabel = v.T("case.triage")
	}
	return p, nil
}
