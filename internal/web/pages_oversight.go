package web

import (
	"net/http"
	"strconv"

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
	Orders      []supervision.Order
	OpenOrders  int
	Extensions  int
}

var msgNoSupervise = i18n.M("督办视图供督办员、领导和派遣员使用", "the supervision view is for supervisors, leaders and dispatchers")

// supervise is the supervisor's view: overdue and at-risk cases across the
// units in scope, where they pile up, and the supervision orders.
func (w *Web) supervise(rw http.ResponseWriter, r *http.Request, v *view) error {
	a := v.Actor
	if !a.HasAny(access.Supervisor, access.Leader, access.Dispatcher) {
		return fault.New(fault.Forbidden, "forbidden", msgNoSupervise)
	}
	ctx := r.Context()
	red := casework.Filter{Statuses: []deadline.Status{deadline.Red}, Sort: "due", Limit: 50}
	yellow := casework.Filter{Statuses: []deadline.Status{deadline.Yellow}, Sort: "due", Limit: 50}
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
	if d.ByUnit, err = w.app.Cases.CountByUnit(ctx, a, casework.Filter{Statuses: []deadline.Status{deadline.Red, deadline.Yellow}}, 15); err != nil {
		return err
	}
	if d.Orders, err = w.app.Supervision.Ledger(ctx, a, supervision.Filter{Limit: 30}); err != nil {
		return err
	}
	open, err := w.app.Supervision.Ledger(ctx, a, supervision.Filter{State: supervision.Open, Limit: 200})
	if err != nil {
		return err
	}
	d.OpenOrders = len(open)
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
