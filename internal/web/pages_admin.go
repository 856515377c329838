package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/calendar"
	"pingan/internal/catalog"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

var msgAdmins = i18n.M("管理页面供系统、安全和审计管理员使用", "administration is for the system, security and audit administrators")

func requireAny(v *view, roles ...access.Role) error {
	if v.Actor.HasAny(roles...) {
		return nil
	}
	return fault.New(fault.Forbidden, "forbidden", msgAdmins)
}

func (w *Web) adminHome(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireAny(v, access.SysAdmin, access.SecAdmin, access.AuditAdmin); err != nil {
		return err
	}
	// The security and system administrators see how many resets wait for
	// a second administrator.
	waiting := 0
	if v.Actor.HasAny(access.SysAdmin, access.SecAdmin) {
		rs, err := w.resetRows(r, v)
		if err != nil {
			return err
		}
		waiting = len(rs)
	}
	v.Title, v.Active, v.Data = v.T("admin.title"), "admin", waiting
	return w.render(rw, r, v, "admin", http.StatusOK)
}

type unitsData struct {
	Units   []org.Unit
	Filter  string     // name or code, as typed
	Unit    org.Unit   // the unit page's
	Path    []org.Unit // its ancestors, root first
	Kinds   []option
	Levels  []option
	Parents []option
}

// unitForms fills the choices the unit forms take. The parents a unit may
// move under are the active units outside its own subtree, and its parent
// as it is (retired or not).
func (w *Web) unitForms(v *view, d *unitsData) {
	for _, k := range org.Kinds {
		d.Kinds = append(d.Kinds, option{Value: string(k.Kind), Label: k.Name.Format(v.Lang)})
	}
	for _, l := range org.Levels {
		d.Levels = append(d.Levels, option{Value: string(l.Level), Label: l.Name.Format(v.Lang)})
	}
	for _, u := range v.names().UnitList {
		inside := d.Unit.ID != 0 && strings.HasPrefix(u.Path, d.Unit.Path)
		if (u.Active() || u.ID == d.Unit.ParentID) && !inside {
			d.Parents = append(d.Parents, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Depth: u.Depth()})
		}
	}
}

// adminUnits lists the units as a tree, each a link to its own page
// (found by name or code with ?q=), with the form to add one.
func (w *Web) adminUnits(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireAny(v, access.SysAdmin); err != nil {
		return err
	}
	units, err := w.app.Org.Units(r.Context())
	if err != nil {
		return err
	}
	d := unitsData{Filter: strings.TrimSpace(r.URL.Query().Get("q"))}
	for _, u := range units {
		if d.Filter == "" || strings.Contains(u.Name, d.Filter) || strings.Contains(strings.ToLower(u.Code), strings.ToLower(d.Filter)) {
			d.Units = append(d.Units, u)
		}
	}
	w.unitForms(v, &d)
	v.Title, v.Active, v.Data = v.T("admin.units"), "admin", d
	return w.render(rw, r, v, "admin_units", formStatus(v))
}

// adminUnit is one unit's page: what it is, where it sits, and the forms
// to change, move, retire or restore it.
func (w *Web) adminUnit(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := adminPathID(v, r, access.SysAdmin)
	if err != nil {
		return err
	}
	d := unitsData{}
	if d.Unit, err = w.app.Org.Unit(r.Context(), w.app.DB, id); err != nil {
		return err
	}
	for _, a := range d.Unit.Ancestors() {
		u, err := w.app.Org.Unit(r.Context(), w.app.DB, a)
		if err != nil {
			return err
		}
		d.Path = append(d.Path, u)
	}
	w.unitForms(v, &d)
	v.Title, v.Active, v.Data = d.Unit.Name, "admin", d
	return w.render(rw, r, v, "admin_unit", formStatus(v))
}

// adminPathID is the {id} of an administration page's path, for a reader
// in one of roles; a path whose id is not a number is no page.
func adminPathID(v *view, r *http.Request, roles ...access.Role) (int64, error) {
	if err := requireAny(v, roles...); err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, errNoPage()
	}
	return id, nil
}

// formStatus is a form page's status: 422 when it shows errors.
func formStatus(v *view) int {
	if len(v.Errors) > 0 {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func unitInput(r *http.Request) org.UnitInput {
	return org.UnitInput{ParentID: formInt(r, "parent_id"), Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		Kind: org.Kind(r.PostFormValue("kind")), Level: org.Level(r.PostFormValue("level")), DivisionCode: r.PostFormValue("division_code")}
}

// formFailed shows a validation error on the page that was submitted.
func (w *Web) formFailed(rw http.ResponseWriter, r *http.Request, v *view, err error, page handler) error {
	errs, ferr := formErrors(v, err)
	if ferr != nil {
		return ferr
	}
	v.Errors, v.Form = errs, r.PostForm
	return page(rw, r, v)
}

func (w *Web) adminCreateUnit(rw http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := w.app.Org.CreateUnit(r.Context(), v.Actor, unitInput(r)); err != nil {
		return w.formFailed(rw, r, v, err, w.adminUnits)
	}
	w.app.Directory.Flush()
	return redirect(rw, r, "/admin/units", "admin.saved")
}

func (w *Web) adminUpdateUnit(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var err error
	switch r.PostFormValue("op") {
	case "retire":
		_, err = w.app.Org.SetUnitRetired(r.Context(), v.Actor, id, true)
	case "restore":
		_, err = w.app.Org.SetUnitRetired(r.Context(), v.Actor, id, false)
	default:
		_, err = w.app.Org.UpdateUnit(r.Context(), v.Actor, id, unitInput(r))
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminUnit)
	}
	w.app.Directory.Flush()
	return redirect(rw, r, "/admin/units/"+strconv.FormatInt(id, 10), "admin.saved")
}

// userRow is an account on the users page. HeldAdmin (auth.AccountState):
// a reset is a request, and the lockout is lifted only on the server.
type userRow struct {
	org.User
	auth.AccountState
}

// HasRole reports whether the user holds a role, to tick its box.
func (u userRow) HasRole(role string) bool { return slices.Contains(u.Roles, access.Role(role)) }

type usersData struct {
	Users  []userRow
	User   userRow      // the user page's
	Tokens []org.Token  // the user page's account's API tokens, newest first (security administrator)
	Next   string       // after= for the next page; "" on the last
	Query  template.URL // the filters, for the next page's link
	Units  []option
	Roles  []option
	Token  string
	Resets []resetRow // waiting for a second administrator
	// What the user page's reader may change of the account's name and unit (org.AccountEdits).
	Rename, Move bool
}

// resetRow is a change to an administrator waiting for approval (a reset
// of their credentials or a grant of an administrator role) as the page
// shows it, with what this administrator may do about it.
type resetRow struct {
	auth.Reset
	What        string // what the request asks for: 重置密码, 授予角色：审计管理员…
	MayDecide   bool
	MayWithdraw bool
}

// resetRows lists the changes waiting for approval.
func (w *Web) resetRows(r *http.Request, v *view) ([]resetRow, error) {
	rs, err := w.app.Auth.PendingResets(r.Context(), v.Actor)
	if err != nil {
		return nil, err
	}
	out := make([]resetRow, 0, len(rs))
	for _, x := range rs {
		out = append(out, resetRow{Reset: x, What: x.What(v.Lang), MayDecide: x.MayDecide(v.Actor), MayWithdraw: x.MayWithdraw(v.Actor)})
	}
	return out, nil
}

// usersPage is how many accounts the users page lists at a time.
const usersPage = 100

func (w *Web) adminUsers(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireAny(v, access.SysAdmin, access.SecAdmin); err != nil {
		return err
	}
	q := r.URL.Query()
	unit, _ := strconv.ParseInt(q.Get("unit"), 10, 64)
	page, err := w.app.Org.UserPage(r.Context(), org.UserFilter{UnitID: unit, Query: q.Get("q"), After: q.Get("after"), Limit: usersPage})
	if err != nil {
		return err
	}
	states, err := w.app.Auth.AccountStates(r.Context(), page.Users)
	if err != nil {
		return err
	}
	d := usersData{Units: unitOptions(v.names()), Next: page.Next, Query: pageQuery(q, "after")}
	for _, u := range page.Users {
		d.Users = append(d.Users, userRow{User: u, AccountState: states[u.ID]})
	}
	if v.Form == nil {
		v.Form = q // the filters, as the form shows them
	}
	if d.Resets, err = w.resetRows(r, v); err != nil {
		return err
	}
	v.Title, v.Active, v.Data = v.T("admin.users"), "admin", d
	v.Labels = map[string]string{"name": v.T("field.person_name")}
	return w.render(rw, r, v, "admin_users", formStatus(v))
}

// onceCookie carries a token just issued to the account's page that shows
// it, sealed to the session and the account.
const onceCookie = "pa_once"

func onceAAD(session string, userID int64) string {
	return "token.once:" + session + ":" + strconv.FormatInt(userID, 10)
}

// adminUser is one account's page: who it is, and the forms the reader's
// role offers (roles, resets, tokens and unlocking for the security
// administrator; disabling for the system administrator). A token just
// issued is shown here, once.
func (w *Web) adminUser(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := adminPathID(v, r, access.SysAdmin, access.SecAdmin)
	if err != nil {
		return err
	}
	u, err := w.app.Org.User(r.Context(), w.app.DB, id)
	if err != nil {
		return err
	}
	states, err := w.app.Auth.AccountStates(r.Context(), []org.User{u})
	if err != nil {
		return err
	}
	d := usersData{User: userRow{User: u, AccountState: states[u.ID]}}
	if d.Rename, d.Move = org.AccountEdits(v.Actor, u); d.Move {
		d.Units = unitOptions(v.names())
	}
	if v.Form == nil {
		v.Form = url.Values{"name": {u.Name}, "unit_id": {strconv.FormatInt(u.UnitID, 10)}}
	}
	if v.Actor.Has(access.SecAdmin) {
		if d.Tokens, err = w.app.Org.Tokens(r.Context(), v.Actor, u.ID); err != nil {
			return err
		}
	}
	for _, ri := range access.Roles {
		d.Roles = append(d.Roles, option{Value: string(ri.Role), Label: ri.Name.Format(v.Lang)})
	}
	if c, err := r.Cookie(onceCookie); err == nil && c.Value != "" {
		// A token just issued to this account, in this session: shown
		// now and never again.
		if tok, err := w.app.Keys.Open(c.Value, onceAAD(v.session.Token, id)); err == nil {
			d.Token = tok
			rw.Header().Set("Cache-Control", "no-store")
		}
		setCookie(rw, r, onceCookie, "", -1)
	}
	v.Title, v.Active, v.Data = u.Username, "admin", d
	v.Labels = map[string]string{"name": v.T("field.person_name")}
	return w.render(rw, r, v, "admin_user", formStatus(v))
}

func (w *Web) adminCreateUser(rw http.ResponseWriter, r *http.Request, v *view) error {
	u, err := w.app.Org.CreateUser(r.Context(), v.Actor, org.UserInput{Username: r.PostFormValue("username"),
		Name: r.PostFormValue("name"), UnitID: formInt(r, "unit_id"), Password: r.PostFormValue("password")})
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminUsers)
	}
	w.app.Directory.Flush()
	// To the new account's page, where its roles are given next (the
	// list's first page need not show it).
	return redirect(rw, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), "admin.user_created")
}

// adminUserOp changes an account: the person's name and unit
// (org.RenameUser, org.MoveUser), roles (security administrator), disabling (system
// administrator), unlocking, password and second-factor resets, tokens
// (security administrator).
func (w *Web) adminUserOp(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ctx := r.Context()
	var err error
	switch r.PathValue("op") {
	case "rename":
		_, err = w.app.Org.RenameUser(ctx, v.Actor, id, r.PostFormValue("name"))
	case "move":
		_, err = w.app.Org.MoveUser(ctx, v.Actor, id, formInt(r, "unit_id"))
	case "roles":
		var roles []access.Role
		roles, err = access.ParseRoles(strings.Join(r.PostForm["role"], ","))
		if err == nil {
			// Adding an administrator role is a request for a second
			// administrator (auth.SetRoles); anything else is at once.
			var res auth.Reset
			if res, err = w.app.Auth.SetRoles(ctx, v.Actor, id, roles); err == nil && res.State == auth.ResetPending {
				return toResets(rw, r, "admin.grant_requested")
			}
		} else {
			err = fault.InvalidField("roles", fault.BadValue, err.Error())
		}
	case "disable":
		_, err = w.app.Org.SetUserDisabled(ctx, v.Actor, id, true)
	case "enable":
		_, err = w.app.Org.SetUserDisabled(ctx, v.Actor, id, false)
	case "unlock":
		err = w.app.Auth.Unlock(ctx, v.Actor, id)
	case "password", "totp":
		kind := auth.PasswordReset
		if r.PathValue("op") == "totp" {
			kind = auth.TOTPReset
		}
		var res auth.Reset
		if res, err = w.app.Auth.RequestReset(ctx, v.Actor, id, kind, r.PostFormValue("password")); err == nil && res.State == auth.ResetPending {
			return toResets(rw, r, "admin.reset_requested")
		}
	case "revoke":
		// One of this account's tokens (another account's id in the form
		// is no token of this page).
		_, err = w.app.Org.RevokeToken(ctx, v.Actor, id, formInt(r, "token_id"))
	case "token":
		var tok string
		tok, _, err = w.app.Org.IssueToken(ctx, v.Actor, id, r.PostFormValue("name"), 0)
		if err == nil {
			// Shown once, on the account's page the browser is sent on
			// to (a reload there issues nothing): it travels sealed to
			// this session in a cookie the page reads and clears.
			sealed, err := w.app.Keys.Seal(tok, onceAAD(v.session.Token, id))
			if err != nil {
				return err
			}
			setCookie(rw, r, onceCookie, sealed, 60)
			return redirect(rw, r, "/admin/users/"+strconv.FormatInt(id, 10), "")
		}
	default:
		return errNoPage()
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminUser)
	}
	w.app.Directory.Flush()
	return redirect(rw, r, "/admin/users/"+strconv.FormatInt(id, 10), "admin.saved")
}

// adminResetOp approves or denies (or, for its requester, withdraws) a
// pending reset of an administrator's credentials.
func (w *Web) adminResetOp(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNoPage()
	}
	flash := ""
	switch r.PathValue("op") {
	case "approve":
		_, err = w.app.Auth.ApproveReset(r.Context(), v.Actor, id)
		flash = "admin.reset_approved"
	case "deny":
		var res auth.Reset
		res, err = w.app.Auth.DenyReset(r.Context(), v.Actor, id)
		flash = "admin.reset_denied"
		if res.State == auth.ResetWithdrawn {
			flash = "admin.reset_withdrawn"
		}
	default:
		return errNoPage()
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminUsers)
	}
	return toResets(rw, r, flash)
}

// toResets sends the browser to the pending resets on the users page, with
// a message.
func toResets(rw http.ResponseWriter, r *http.Request, flash string) error {
	http.Redirect(rw, r, "/admin/users?flash="+url.QueryEscape(flash)+"#resets", http.StatusSeeOther)
	return nil
}

type categoriesData struct {
	Categories []catalog.Category
	Domains    []option
	Filter     string
}

func (w *Web) adminCategories(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireAny(v, access.SysAdmin); err != nil {
		return err
	}
	all, err := w.app.Catalog.Categories(r.Context(), true)
	if err != nil {
		return err
	}
	d := categoriesData{Filter: strings.TrimSpace(r.URL.Query().Get("q"))}
	for _, c := range all {
		if d.Filter == "" || strings.Contains(c.Name, d.Filter) || strings.HasPrefix(c.Code, d.Filter) {
			d.Categories = append(d.Categories, c)
		}
	}
	for _, dm := range []catalog.Domain{catalog.Civic, catalog.PoliceDomain, catalog.DisputeDomain} {
		d.Domains = append(d.Domains, option{Value: string(dm), Label: v.T("domain." + string(dm))})
	}
	v.Title, v.Active, v.Data = v.T("admin.categories"), "admin", d
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "admin_categories", status)
}

type categoryData struct {
	Category catalog.Category
	Path     string // from the top, in the reader's language
	Filter   string // the list's, to go back to
}

// adminCategory is one category's page: what it is, and its forms (the
// list stays light at the catalogue's 700 categories).
func (w *Web) adminCategory(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := adminPathID(v, r, access.SysAdmin)
	if err != nil {
		return err
	}
	c, err := w.app.Catalog.Category(r.Context(), w.app.DB, id)
	if err != nil {
		return err
	}
	filter := strings.TrimSpace(r.URL.Query().Get("q"))
	if filter == "" {
		filter = strings.TrimSpace(r.PostFormValue("q"))
	}
	v.Title, v.Active = c.Name, "admin"
	v.Data = categoryData{Category: c, Path: v.CategoryPath(c.ID), Filter: filter}
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "admin_category", status)
}

func (w *Web) adminCreateCategory(rw http.ResponseWriter, r *http.Request, v *view) error {
	_, err := w.app.Catalog.CreateCategory(r.Context(), v.Actor, catalog.CategoryInput{ParentID: formInt(r, "parent_id"),
		Domain: catalog.Domain(r.PostFormValue("domain")), Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en")})
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminCategories)
	}
	w.app.Directory.Flush()
	return redirect(rw, r, "/admin/categories?q="+url.QueryEscape(r.PostFormValue("q")), "admin.saved")
}

func (w *Web) adminCategoryOp(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ctx := r.Context()
	var err error
	switch r.PathValue("op") {
	case "rename":
		_, err = w.app.Catalog.UpdateCategory(ctx, v.Actor, id, catalog.CategoryInput{Name: r.PostFormValue("name"),
			NameEN: r.PostFormValue("name_en"), Sort: int(formInt(r, "sort"))})
	case "escalation":
		// Both blank: inherit the parent's rule.
		var rule *catalog.Escalation
		reports, days := strings.TrimSpace(r.PostFormValue("escalate_reports")), strings.TrimSpace(r.PostFormValue("escalate_days"))
		if reports != "" || days != "" {
			rule = &catalog.Escalation{Reports: int(formInt(r, "escalate_reports")), Days: int(formInt(r, "escalate_days"))}
		}
		_, err = w.app.Catalog.SetEscalation(ctx, v.Actor, id, rule)
	case "retire":
		_, err = w.app.Catalog.SetCategoryRetired(ctx, v.Actor, id, true)
	case "restore":
		_, err = w.app.Catalog.SetCategoryRetired(ctx, v.Actor, id, false)
	case "delete":
		err = w.app.Catalog.DeleteCategory(ctx, v.Actor, id)
	default:
		return errNoPage()
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminCategory)
	}
	w.app.Directory.Flush()
	return redirect(rw, r, "/admin/categories?q="+url.QueryEscape(r.PostFormValue("q")), "admin.saved")
}

type deadlinesData struct {
	Policies []deadline.Policy
	Policy   deadline.Policy // the policy page's
	Years    []calendar.StoredNotice
	Unknown  []int // years deadlines reach whose notice is missing
	Choices  choices
}

func (w *Web) adminDeadlines(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := requireAny(v, access.SysAdmin); err != nil {
		return err
	}
	ps, err := w.app.Policies.Policies(r.Context())
	if err != nil {
		return err
	}
	ys, err := w.app.Calendar.Notices(r.Context())
	if err != nil {
		return err
	}
	cal, err := w.app.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	v.Title, v.Active, v.Data = v.T("admin.deadlines"), "admin", deadlinesData{Policies: ps, Years: ys, Unknown: cal.Unknown(v.Now),
		Choices: w.choices(v)}
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "admin_deadlines", status)
}

// policyInput reads a deadline policy form.
func policyInput(r *http.Request) (deadline.Input, error) {
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	in := deadline.Input{Name: f("name"), NameEN: f("name_en"), Nature: f("nature"), CategoryID: formInt(r, "category_id"), Priority: f("priority"),
		Accept: f("accept"), Sign: f("sign"), Handle: f("handle"), HandleFrom: deadline.Start(f("handle_from")), Extension: f("extension"),
		Review: f("review"), ReReview: f("rereview"), Reply: f("reply")}
	if s := f("warn_ratio"); s != "" {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return in, fault.InvalidField("warn_ratio", fault.BadFormat, s)
		}
		in.WarnRatio = x
	}
	if s := f("max_extensions"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return in, fault.InvalidField("max_extensions", fault.BadFormat, s)
		}
		in.MaxExtensions = &n
	}
	return in, nil
}

func (w *Web) adminCreatePolicy(rw http.ResponseWriter, r *http.Request, v *view) error {
	in, err := policyInput(r)
	if err == nil {
		_, err = w.app.Policies.Create(r.Context(), v.Actor, in)
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminDeadlines)
	}
	w.app.Directory.Flush()
	return redirect(rw, r, "/admin/deadlines", "admin.saved")
}

// adminPolicy is one deadline policy's page: its limits and the form to
// change, retire or restore it.
func (w *Web) adminPolicy(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := adminPathID(v, r, access.SysAdmin)
	if err != nil {
		return err
	}
	p, err := w.app.Policies.Get(r.Context(), w.app.DB, id)
	if err != nil {
		return err
	}
	v.Title, v.Active, v.Data = p.Name, "admin", deadlinesData{Policy: p, Choices: w.choices(v)}
	return w.render(rw, r, v, "admin_policy", formStatus(v))
}

// PolicyForm fills the policy page's form: as submitted after an error,
// else as stored.
func (v *view) PolicyForm(p deadline.Policy) url.Values {
	if len(v.Errors) > 0 && v.Form != nil {
		return v.Form
	}
	return v.PolicyValues(p)
}

func (w *Web) adminPolicyOp(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var err error
	switch r.PathValue("op") {
	case "edit":
		var in deadline.Input
		if in, err = policyInput(r); err == nil {
			_, err = w.app.Policies.Update(r.Context(), v.Actor, id, in)
		}
	case "retire":
		_, err = w.app.Policies.SetRetired(r.Context(), v.Actor, id, true)
	case "restore":
		_, err = w.app.Policies.SetRetired(r.Context(), v.Actor, id, false)
	default:
		return errNoPage()
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminPolicy)
	}
	w.app.Directory.Flush()
	return redirect(rw, r, "/admin/policies/"+strconv.FormatInt(id, 10), "admin.saved")
}

func (w *Web) adminImportCalendar(rw http.ResponseWriter, r *http.Request, v *view) error {
	raw, err := formFile(r, "notice", 1<<20) // a notice is a page of text
	if err == nil {
		_, err = w.app.Calendar.Import(r.Context(), v.Actor, raw)
	}
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminDeadlines)
	}
	return redirect(rw, r, "/admin/deadlines", "admin.imported")
}

type auditData struct {
	Records []audit.Record
	Next    int64
	Verify  *audit.Result
	Query   template.URL // the filters, for paging
}

func (w *Web) adminAudit(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.app.Audit.CheckReader(r.Context(), w.app.DB, v.Actor, "audit.read"); err != nil {
		return err
	}
	q := r.URL.Query()
	f := audit.Filter{ObjectType: q.Get("object_type"), ObjectID: strings.TrimSpace(q.Get("object_id")), Limit: 100}
	f.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	d := auditData{}
	err := w.auditFilter(r, q, &f)
	if err == nil {
		// A bad date is said on the page; nothing is read, nor recorded as read.
		d.Records, err = w.app.Audit.ReadAs(r.Context(), w.app.DB, v.Actor, f)
	}
	if err != nil {
		if v.Errors, err = formErrors(v, err); err != nil {
			return err
		}
	}
	if res, ok := v.Data.(*audit.Result); ok {
		d.Verify = res
	}
	if len(d.Records) == f.Limit {
		d.Next = d.Records[len(d.Records)-1].ID
	}
	d.Query = pageQuery(q, "before")
	v.Form, v.Title, v.Active, v.Data = q, v.T("admin.audit"), "admin", d
	return w.render(rw, r, v, "admin_audit", http.StatusOK)
}

var (
	msgAuditNoAction = i18n.M("没有这项操作：%s", "no such action: %s")
	msgAuditNoActor  = i18n.M("没有这个用户：%s", "no such user: %s")
	msgAuditSameName = i18n.M("不止一个用户叫%s，请填用户名", "more than one user is called %s: give the user name")
)

// auditFilter reads the filter's action (a code or its name) and actor (a
// user name, or a user id as older links give it) into f.
func (w *Web) auditFilter(r *http.Request, q url.Values, f *audit.Filter) error {
	var v fault.Validation
	if a := strings.TrimSpace(q.Get("action")); a != "" {
		if f.Action = auditActionCode(a); f.Action == "" {
			v.Add("action", msgAuditNoAction, a)
		} else {
			q.Set("action", f.Action) // the list shows it chosen
		}
	}
	// actor is a user name (a staff number is one too); actor_id, as
	// older links give it, an id.
	if id := strings.TrimSpace(q.Get("actor_id")); id != "" && q.Get("actor") == "" {
		if f.ActorID, _ = strconv.ParseInt(id, 10, 64); f.ActorID <= 0 {
			v.Add("actor", msgAuditNoActor, id)
		}
	}
	if actor := strings.TrimSpace(q.Get("actor")); actor != "" {
		id, err := w.userNamed(r, actor)
		switch {
		case err != nil:
			return err
		case id == 0:
			v.Add("actor", msgAuditNoActor, actor)
		case id < 0:
			v.Add("actor", msgAuditSameName, actor)
		default:
			f.ActorID = id
		}
	}
	// The dates' errors with the others, all said at once.
	var err error
	if f.From, f.To, err = w.dayRange(q); err != nil {
		fe, ok := fault.As(err)
		if !ok || fe.Kind != fault.Invalid {
			return err
		}
		for _, x := range fe.Fields {
			v.Add(x.Field, x.Msg, x.Args...)
		}
	}
	return v.Err()
}

// userNamed is the id of the account whose user name, or else whose
// person's name, is s: 0 when none is, -1 when several people have that
// name.
func (w *Web) userNamed(r *http.Request, s string) (int64, error) {
	u, err := w.app.Org.UserByName(r.Context(), w.app.DB, s)
	if err == nil || fault.KindOf(err) != fault.NotFound {
		return u.ID, err
	}
	page, err := w.app.Org.UserPage(r.Context(), org.UserFilter{Query: s, Limit: 100})
	if err != nil {
		return 0, err
	}
	var id int64
	for _, u := range page.Users {
		if u.Name == s {
			if id != 0 {
				return -1, nil
			}
			id = u.ID
		}
	}
	return id, nil
}

// adminVerifyAudit checks the hash chains; the check is audited.
func (w *Web) adminVerifyAudit(rw http.ResponseWriter, r *http.Request, v *view) error {
	res, err := w.app.Audit.VerifyAs(r.Context(), w.app.DB, v.Actor)
	if err != nil {
		return err
	}
	v.Data = &res
	return w.adminAudit(rw, r, v)
}
