package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/notify"
	"pingan/internal/supervision"
)

type superviseData struct {
	Red, Yellow int
	RedCases    []casework.Case
	YellowCases []casework.Case
	ByUnit      []casework.UnitCount
	MoreUnits   bool // ByUnit is the first byUnitShown of more
	AllUnits    bool // ?units=all: every unit is listed
	Orders      []supervision.Order
	OpenOrders  int
	Extensions  int
}

// superviseShown is how many overdue cases, and how many near their
// deadline, the supervision view lists; byUnitShown how many units with
// such cases, most first, until the reader asks for all (allUnits of them).
const (
	superviseShown = 20
	byUnitShown    = 15
	allUnits       = 5000
)

var msgNoSupervise = i18n.M("督办视图供督办员、领导和派遣员使用", "the supervision view is for supervisors, leaders and dispatchers")

// supervise is the supervisor's view: overdue and at-risk cases across the
// units in scope, where they pile up, and the supervision orders.
func (w *Web) supervise(rw http.ResponseWriter, r *http.Request, v *view) error {
	a := v.Actor
	if !a.HasAny(access.Supervisor, access.Leader, access.Dispatcher) {
		return fault.New(fault.Forbidden, "forbidden", msgNoSupervise)
	}
	ctx := r.Context()
	// The most pressing of each (the search lists all of them).
	red := casework.Filter{Statuses: []deadline.Status{deadline.Red}, Sort: "due", Limit: superviseShown}
	yellow := casework.Filter{Statuses: []deadline.Status{deadline.Yellow}, Sort: "due", Limit: superviseShown}
	var d superviseData
	var err error
	if d.Red, err = w.app.Cases.Count(ctx, a, red); err != nil {
		return err
	}
	if d.Yellow, err = w.app.Cases.Count(ctx, a, yellow); err != nil {
		return err
	}
	p, err := w.app.Cases.List(ctx, a, red)
	if err != nil {
		return err
	}
	d.RedCases = p.Cases
	if p, err = w.app.Cases.List(ctx, a, yellow); err != nil {
		return err
	}
	d.YellowCases = p.Cases
	shown := byUnitShown
	if d.AllUnits = r.URL.Query().Get("units") == "all"; d.AllUnits {
		shown = allUnits
	}
	if d.ByUnit, err = w.app.Cases.CountByUnit(ctx, a, casework.Filter{Statuses: []deadline.Status{deadline.Red, deadline.Yellow}}, shown+1); err != nil {
		return err
	}
	if d.MoreUnits = len(d.ByUnit) > shown; d.MoreUnits {
		d.ByUnit = d.ByUnit[:shown]
	}
	if d.Orders, err = w.app.Supervision.Ledger(ctx, a, supervision.Filter{Limit: 15}); err != nil {
		return err
	}
	if d.OpenOrders, err = w.app.Supervision.Count(ctx, a, supervision.Filter{State: supervision.Open}); err != nil {
		return err
	}
	if a.Has(access.Supervisor) {
		if d.Extensions, err = w.app.Cases.Count(ctx, a, casework.Filter{States: []casework.State{casework.Handling}, PendingExtension: true}); err != nil {
			return err
		}
	}
	v.Title, v.Active, v.Data = v.T("supervise.title"), "supervise", d
	return w.render(rw, r, v, "supervise", http.StatusOK)
}

type inboxData struct {
	Page   notify.Page
	Unread bool
}

func (w *Web) inbox(rw http.ResponseWriter, r *http.Request, v *view) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	unread := r.URL.Query().Get("unread") == "1"
	p, err := w.app.Notify.Inbox(r.Context(), v.Actor, unread, before, 50)
	if err != nil {
		return err
	}
	v.Title, v.Active, v.Data = v.T("inbox.title"), "inbox", inboxData{Page: p, Unread: unread}
	return w.render(rw, r, v, "inbox", http.StatusOK)
}

func (w *Web) markRead(rw http.ResponseWriter, r *http.Request, v *view) error {
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 && r.PostFormValue("all") == "" {
		return redirect(rw, r, "/inbox", "")
	}
	if _, err := w.app.Notify.MarkRead(r.Context(), v.Actor, ids); err != nil {
		return err
	}
	if to := r.PostFormValue("to"); to != "" {
		return redirect(rw, r, safeNext(to), "")
	}
	return redirect(rw, r, "/inbox", "inbox.marked")
}

// ledgerPage is how many orders one page of the ledger shows.
const ledgerPage = 50

// autoKind is the ledger's kind filter for the orders pingan issued itself.
const autoKind = "auto"

type ledgerData struct {
	Orders []supervision.Order
	Total  int
	Next   int64        // before= for the next page; 0 on the last
	Query  template.URL // the filters, for paging
	Units  []option
	Kinds  []option
	States []option
}

// ledger is the supervision ledger (督办台账): the orders to and from the
// units in the actor's scope, filtered and counted, with a reply form on
// each open order addressed to the actor's unit.
func (w *Web) ledger(rw http.ResponseWriter, r *http.Request, v *view) error {
	if !v.Actor.CaseWorker() {
		return fault.New(fault.Forbidden, "forbidden", msgNoCases)
	}
	q := r.URL.Query()
	d := ledgerData{}
	for _, u := range unitOptions(v.names()) {
		if id, _ := strconv.ParseInt(u.Value, 10, 64); v.Actor.Scope.Contains(id) {
			d.Units = append(d.Units, u)
		}
	}
	d.Kinds = append(v.OrderKinds(), option{Value: autoKind, Label: v.T("ledger.automatic")})
	for _, st := range supervision.States {
		d.States = append(d.States, option{Value: string(st.State), Label: st.Name.Format(v.Lang)})
	}
	f := supervision.Filter{State: supervision.State(q.Get("state")), Limit: ledgerPage + 1}
	if k := q.Get("kind"); k == autoKind {
		f.Automatic = true
	} else {
		f.Kind = supervision.Kind(k)
	}
	var err error
	var bad fault.Validation
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"unit_id", &f.UnitID}, {"before", &f.Before}} {
		if s := q.Get(p.name); s != "" {
			if *p.dst, err = strconv.ParseInt(s, 10, 64); err != nil {
				bad.Add(p.name, fault.BadFormat, s)
			}
		}
	}
	err = bad.Err()
	if err == nil {
		f.From, f.To, err = w.dayRange(q)
	}
	if err == nil {
		d.Orders, err = w.app.Supervision.Ledger(r.Context(), v.Actor, f)
	}
	if err == nil {
		d.Total, err = w.app.Supervision.Count(r.Context(), v.Actor, f)
	}
	if err != nil {
		if v.Errors, err = formErrors(v, err); err != nil {
			return err
		}
	}
	if len(d.Orders) > ledgerPage {
		d.Orders = d.Orders[:ledgerPage]
		d.Next = d.Orders[ledgerPage-1].ID
	}
	d.Query = pageQuery(q, "before")
	v.Form, v.Title, v.Active, v.Data = r.URL.Query(), v.T("ledger.title"), "ledger", d
	return w.render(rw, r, v, "ledger", http.StatusOK)
}

// OrderKinds are the kinds of supervision order, for a select.
func (v *view) OrderKinds() []option {
	var out []option
	for _, k := range supervision.Kinds {
		out = append(out, option{Value: string(k.Kind), Label: k.Name.Format(v.Lang)})
	}
	return out
}

// MayReply reports whether the actor may answer an order, by the service's
// rule (supervision.Order.MayReply): the page shows the form only then.
func (v *view) MayReply(o supervision.Order) bool { return o.MayReply(v.Actor) }

// DeliveryStatusName names a webhook delivery's status.
func (v *view) DeliveryStatusName(s notify.DeliveryStatus) string {
	for _, x := range notify.DeliveryStatuses {
		if x.Status == s {
			return x.Name.Format(v.Lang)
		}
	}
	return string(s)
}

type webhooksData struct {
	Webhooks []notify.Webhook
	Units    []option
	Unit     string // the unit filter: "", "0" (integrations: every case) or a unit id
	Secret   string // the new webhook's signing secret, on the response that created it
	Created  int64
}

// adminWebhooks lists the outbound webhooks with the form to add one. Only
// the system administrator manages webhooks (the notify service's rule, as
// in the API).
func (w *Web) adminWebhooks(rw http.ResponseWriter, r *http.Request, v *view) error {
	hooks, err := w.app.Notify.Webhooks(r.Context(), v.Actor)
	if err != nil {
		return err
	}
	d := webhooksData{Units: unitOptions(v.names()), Unit: r.URL.Query().Get("unit")}
	for _, h := range hooks {
		if d.Unit == "" || d.Unit == strconv.FormatInt(h.UnitID, 10) {
			d.Webhooks = append(d.Webhooks, h)
		}
	}
	if c, ok := v.Data.(webhooksData); ok {
		d.Secret, d.Created = c.Secret, c.Created
	}
	v.Title, v.Active, v.Data = v.T("webhooks.title"), "admin", d
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "admin_webhooks", status)
}

// webhookEvents splits the events field: patterns separated by commas,
// spaces or lines.
func webhookEvents(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || unicode.IsSpace(r) })
}

func (w *Web) adminCreateWebhook(rw http.ResponseWriter, r *http.Request, v *view) error {
	h, secret, err := w.app.Notify.CreateWebhook(r.Context(), v.Actor, notify.WebhookInput{Name: r.PostFormValue("name"),
		URL: r.PostFormValue("url"), UnitID: formInt(r, "unit_id"), Events: webhookEvents(r.PostFormValue("events"))})
	if err != nil {
		return w.formFailed(rw, r, v, err, w.adminWebhooks)
	}
	// The secret is shown once, on this response; it is stored sealed.
	v.Data, v.Flash = webhooksData{Secret: secret, Created: h.ID}, v.T("webhooks.created")
	rw.Header().Set("Cache-Control", "no-store")
	return w.adminWebhooks(rw, r, v)
}

func (w *Web) adminWebhookOp(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNoPage()
	}
	switch r.PathValue("op") {
	case "retire":
		err = w.app.Notify.SetWebhookRetired(r.Context(), v.Actor, id, true)
	case "restore":
		err = w.app.Notify.SetWebhookRetired(r.Context(), v.Actor, id, false)
	default:
		return errNoPage()
	}
	if err != nil {
		return err
	}
	return redirect(rw, r, "/admin/webhooks", "admin.saved")
}

type deliveriesData struct {
	Deliveries []notify.Delivery
	Names      map[int64]string // webhook names
	Webhooks   []option
	Statuses   []option
	Next       int64
	Query      template.URL // the filters, for paging
}

// deliveryPage is how many deliveries one page of the log shows.
const deliveryPage = 50

// adminDeliveries is the delivery log of every webhook, or of one, by
// status, newest first.
func (w *Web) adminDeliveries(rw http.ResponseWriter, r *http.Request, v *view) error {
	hooks, err := w.app.Notify.Webhooks(r.Context(), v.Actor)
	if err != nil {
		return err
	}
	d := deliveriesData{Names: map[int64]string{}}
	for _, h := range hooks {
		d.Names[h.ID] = h.Name
		d.Webhooks = append(d.Webhooks, option{Value: strconv.FormatInt(h.ID, 10), Label: h.Name})
	}
	for _, x := range notify.DeliveryStatuses {
		d.Statuses = append(d.Statuses, option{Value: string(x.Status), Label: x.Name.Format(v.Lang)})
	}
	q := r.URL.Query()
	f := notify.DeliveryFilter{Status: notify.DeliveryStatus(q.Get("status")), Limit: deliveryPage + 1}
	var bad fault.Validation
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"webhook", &f.WebhookID}, {"before", &f.Before}} {
		if s := q.Get(p.name); s != "" {
			if *p.dst, err = strconv.ParseInt(s, 10, 64); err != nil {
				bad.Add(p.name, fault.BadFormat, s)
			}
		}
	}
	err = bad.Err()
	if err == nil {
		d.Deliveries, err = w.app.Notify.Deliveries(r.Context(), v.Actor, f)
	}
	if err != nil {
		if v.Errors, err = formErrors(v, err); err != nil {
			return err
		}
	}
	if len(d.Deliveries) > deliveryPage {
		d.Deliveries = d.Deliveries[:deliveryPage]
		d.Next = d.Deliveries[deliveryPage-1].ID
	}
	d.Query = pageQuery(q, "before")
	v.Form, v.Title, v.Active, v.Data = r.URL.Query(), v.T("webhooks.deliveries"), "admin", d
	return w.render(rw, r, v, "admin_deliveries", http.StatusOK)
}

type deliveryData struct {
	Delivery notify.Delivery
	Webhook  notify.Webhook
	Attempts []notify.Attempt
}

// adminDelivery shows one delivery: its payload, every attempt and the
// next retry, with the replay button.
func (w *Web) adminDelivery(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNoPage()
	}
	var d deliveryData
	if d.Delivery, err = w.app.Notify.Delivery(r.Context(), v.Actor, id); err != nil {
		return err
	}
	if d.Attempts, err = w.app.Notify.Attempts(r.Context(), v.Actor, id); err != nil {
		return err
	}
	hooks, err := w.app.Notify.Webhooks(r.Context(), v.Actor)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if h.ID == d.Delivery.WebhookID {
			d.Webhook = h
		}
	}
	v.Title, v.Active, v.Data = v.T("webhooks.delivery", id), "admin", d
	return w.render(rw, r, v, "admin_delivery", http.StatusOK)
}

// adminReplay sends a delivery again now (audited by the service).
func (w *Web) adminReplay(rw http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNoPage()
	}
	if err := w.app.Notify.Replay(r.Context(), v.Actor, id); err != nil {
		return err
	}
	return redirect(rw, r, "/admin/webhooks/deliveries/"+strconv.FormatInt(id, 10), "webhooks.replayed")
}
