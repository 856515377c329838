package api

import (
	"net/http"
	"net/url"
	"pingan/internal/directory"
	"strconv"
	"time"

	"pingan/internal/calendar"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/notify"
	"pingan/internal/supervision"
)

// Deadlines, calendar, supervision, inbox and webhooks.

// CalendarYear is one year's holiday arrangement.
type CalendarYear struct {
	Year      int           `json:"year"`
	Source    string        `json:"source" enum:"embedded,import"`
	Papers    []string      `json:"papers"`
	Days      []CalendarDay `json:"days"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// CalendarDay is a listed day: a holiday, or a make-up working day.
type CalendarDay struct {
	Date string `json:"date"`
	Name string `json:"name"`
	Off  bool   `json:"off" doc:"true: a holiday; false: a make-up working day (调休上班)"`
}

// CalendarList lists the years pingan knows.
type CalendarList struct {
	Years []CalendarYear `json:"years"`
}

// WorkdayAnswer answers "n working days after date".
type WorkdayAnswer struct {
	From     string `json:"from"`
	N        int    `json:"n"`
	Date     string `json:"date" doc:"the n-th working day after from"`
	Deadline string `json:"deadline" doc:"\"within n working days\": the close of that day, RFC 3339"`
	Known    bool   `json:"arrangement_known" doc:"false when a year in between has no holiday notice loaded (only weekends are off then)"`
}

// PolicyView is a deadline policy.
type PolicyView struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	NameEN        string     `json:"name_en" doc:"the English name; empty: none (the Chinese is shown)"`
	Nature        *string    `json:"nature"`
	CategoryID    *int64     `json:"category_id"`
	Priority      *string    `json:"priority"`
	Accept        string     `json:"accept" doc:"time to accept or reject, e.g. 15d; empty: none"`
	Sign          string     `json:"sign" doc:"time to sign for after dispatch, e.g. 1wd"`
	Handle        string     `json:"handle" doc:"time to report back, counted from handle_from, e.g. 15wd"`
	HandleFrom    string     `json:"handle_from" enum:"dispatch,acceptance" doc:"when the handling time starts: at each dispatch, or at acceptance (registration; petitions)"`
	WarnRatio     float64    `json:"warn_ratio" doc:"share of the time after which the clock turns yellow"`
	MaxExtensions *int       `json:"max_extensions"`
	Extension     string     `json:"extension" doc:"longest single extension; empty: no cap"`
	Review        string     `json:"review" doc:"复查 time"`
	ReReview      string     `json:"rereview" doc:"复核 time"`
	Reply         string     `json:"reply" doc:"time to answer a supervision order"`
	RetiredAt     *time.Time `json:"retired_at"`
}

// PolicyList lists deadline policies.
type PolicyList struct {
	Policies []PolicyView `json:"policies"`
}

// PolicyRequest creates or changes a deadline policy. Limits: a number and
// a unit: h hours, wh working hours, wd working days, d days.
type PolicyRequest struct {
	Name          string  `json:"name"`
	NameEN        string  `json:"name_en,omitempty"`
	Nature        string  `json:"nature,omitempty"`
	CategoryID    int64   `json:"category_id,omitempty"`
	Priority      string  `json:"priority,omitempty"`
	Accept        string  `json:"accept,omitempty"`
	Sign          string  `json:"sign"`
	Handle        string  `json:"handle"`
	HandleFrom    string  `json:"handle_from,omitempty" enum:"dispatch,acceptance" doc:"default dispatch"`
	WarnRatio     float64 `json:"warn_ratio"`
	MaxExtensions *int    `json:"max_extensions,omitempty"`
	Extension     string  `json:"extension,omitempty"`
	Review        string  `json:"review,omitempty"`
	ReReview      string  `json:"rereview,omitempty"`
	Reply         string  `json:"reply"`
}

// OrderView is a supervision order.
type OrderView struct {
	Number     string     `json:"number"`
	Case       string     `json:"case"`
	Kind       string     `json:"kind" enum:"order,remind,interview,onsite,notice"`
	KindName   string     `json:"kind_name"`
	Automatic  bool       `json:"automatic"`
	Level      int        `json:"level" doc:"1, or higher after escalation to a superior unit"`
	FromUnit   *UnitRef   `json:"from_unit"`
	ToUnit     *UnitRef   `json:"to_unit"`
	IssuedAt   time.Time  `json:"issued_at"`
	Reason     string     `json:"reason" doc:"an automatic order's in the language the request asks for; a supervisor's own words as written"`
	ReplyDueAt *time.Time `json:"reply_due_at"`
	State      string     `json:"state" enum:"open,replied,breached,noted"`
	RepliedAt  *time.Time `json:"replied_at"`
	Reply      string     `json:"reply"`
}

// OrderList is a page of the supervision ledger.
type OrderList struct {
	Orders     []OrderView `json:"orders"`
	Total      int         `json:"total" doc:"orders matching the filter, on every page"`
	NextBefore int64       `json:"next_before,omitempty" doc:"pass as ?before= for older orders"`
}

// IssueRequest issues a supervision order on a case.
type IssueRequest struct {
	Kind       string     `json:"kind" doc:"order, remind, interview, onsite or notice"`
	Reason     string     `json:"reason"`
	ReplyDueAt *time.Time `json:"reply_due_at,omitempty" doc:"default: the case policy's reply time"`
}

// ReplyRequest answers a supervision order.
type ReplyRequest struct {
	Reply string `json:"reply"`
}

// InboxItem is a notification.
type InboxItem struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title" doc:"in the language the request asks for (Accept-Language)"`
	Body      string    `json:"body" doc:"in the language the request asks for; a note someone wrote, as written"`
	Case      string    `json:"case,omitempty"`
	ToUnit    bool      `json:"to_unit" doc:"sent to the whole unit rather than to the reader"`
	CreatedAt time.Time `json:"created_at" doc:"of the newest event it stands for"`
	Read      bool      `json:"read"`
	Times     int       `json:"times" doc:"events it stands for: repeat reports on a case are one message until someone reads it"`
	Settled   bool      `json:"settled" doc:"what it asked for was settled (an approval request decided); read for everyone, with the outcome after its body"`
}

// InboxPage is a page of the inbox.
type InboxPage struct {
	Items      []InboxItem `json:"items"`
	Unread     int         `json:"unread"`
	NextBefore int64       `json:"next_before,omitempty"`
}

// ReadRequest marks notifications read.
type ReadRequest struct {
	IDs []int64 `json:"ids,omitempty" doc:"empty: all"`
}

// ReadResult says how many were marked.
type ReadResult struct {
	Marked int `json:"marked"`
	Unread int `json:"unread"`
}

// WebhookView is a webhook.
type WebhookView struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	URL       string     `json:"url"`
	UnitID    *int64     `json:"unit_id"`
	Events    []string   `json:"events"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at"`
	Secret    string     `json:"secret,omitempty" doc:"shown once, when created: verify X-Pingan-Signature with it"`
}

// WebhookList lists webhooks.
type WebhookList struct {
	Webhooks []WebhookView `json:"webhooks"`
}

// WebhookRequest creates a webhook.
type WebhookRequest struct {
	Name   string   `json:"name"`
	URL    string   `json:"url"`
	UnitID int64    `json:"unit_id,omitempty" doc:"only cases involving this unit or one under it"`
	Events []string `json:"events" doc:"patterns: *, case.*, case.dispatch, supervision.*…"`
}

// DeliveryView is one event sent (or to send) to a webhook.
type DeliveryView struct {
	ID            int64      `json:"id"`
	Event         string     `json:"event"`
	Payload       string     `json:"payload"`
	CreatedAt     time.Time  `json:"created_at"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	FailedAt      *time.Time `json:"failed_at"`
	LastStatus    int        `json:"last_status"`
	LastError     string     `json:"last_error"`
}

// DeliveryList lists deliveries.
type DeliveryList struct {
	Deliveries []DeliveryView `json:"deliveries"`
}

// AttemptView is one try.
type AttemptView struct {
	At         time.Time `json:"at"`
	Status     int       `json:"status"`
	Error      string    `json:"error"`
	DurationMS float64   `json:"duration_ms"`
}

// AttemptList lists tries.
type AttemptList struct {
	Attempts []AttemptView `json:"attempts"`
}

func (a *API) calendarRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/calendar", Summary: "The holiday arrangements pingan knows, by year", Tag: "deadlines",
			Resp: CalendarList{}, Status: 200, Handle: a.listCalendar},
		{Method: "POST", Path: "/calendar", Summary: "Import a year's holiday arrangement (holiday-cn JSON: year, papers, days of name/date/isOffDay)",
			Tag: "deadlines", Body: calendar.Notice{}, Resp: CalendarYear{}, Status: 200, Handle: a.importCalendar},
		{Method: "GET", Path: "/calendar/workdays", Summary: "The date n working days after a date", Tag: "deadlines",
			Query: []QueryParam{{"from", "string", "YYYY-MM-DD"}, {"n", "integer", "working days, 0–1000"}}, Needs: []string{"from", "n"},
			Resp: WorkdayAnswer{}, Status: 200, Handle: a.workdays},
		{Method: "GET", Path: "/deadline-policies", Summary: "Deadline policies", Tag: "deadlines", Resp: PolicyList{}, Status: 200, Handle: a.listPolicies},
		{Method: "POST", Path: "/deadline-policies", Summary: "Add a deadline policy (system administrator)", Tag: "deadlines",
			Body: PolicyRequest{}, Resp: PolicyView{}, Status: 201, Handle: a.createPolicy},
		{Method: "PUT", Path: "/deadline-policies/{id}", Summary: "Change a deadline policy", Tag: "deadlines",
			Body: PolicyRequest{}, Resp: PolicyView{}, Status: 200, Handle: a.updatePolicy},
		{Method: "POST", Path: "/deadline-policies/{id}/retire", Summary: "Retire a deadline policy", Tag: "deadlines",
			Resp: PolicyView{}, Status: 200, Handle: a.retirePolicy(true)},
		{Method: "POST", Path: "/deadline-policies/{id}/restore", Summary: "Restore a deadline policy", Tag: "deadlines",
			Resp: PolicyView{}, Status: 200, Handle: a.retirePolicy(false)},

		{Method: "POST", Path: "/cases/{number}/supervision", Summary: "Issue a supervision order on a case (supervisor)", Tag: "supervision",
			Body: IssueRequest{}, Resp: OrderView{}, Status: 201, Handle: a.issueOrder},
		{Method: "GET", Path: "/supervision", Summary: "The supervision ledger (督办台账) of the units in scope, newest first", Tag: "supervision",
			Query: []QueryParam{{"unit_id", "integer", "orders to or from this unit"}, {"state", "string", "open, replied, breached, noted"},
				{"kind", "string", "remind (催办), interview (约谈), onsite (实地督办), notice (通报), order (督办单)"},
				{"automatic", "boolean", "true: only the orders pingan issued itself when a case was overdue"},
				{"case", "string", "case number"}, {"from", "string", "issued on or after (YYYY-MM-DD)"}, {"to", "string", "issued on or before (YYYY-MM-DD)"},
				{"before", "integer", "next_before of the previous page"}, {"limit", "integer", "1–200, default 50"}},
			Resp: OrderList{}, Status: 200, Handle: a.ledger},
		{Method: "GET", Path: "/supervision/{order}", Summary: "One supervision order", Tag: "supervision", Resp: OrderView{}, Status: 200, Handle: a.getOrder},
		{Method: "POST", Path: "/supervision/{order}/reply", Summary: "Answer a supervision order (the supervised unit)", Tag: "supervision",
			Body: ReplyRequest{}, Resp: OrderView{}, Status: 200, Handle: a.replyOrder},

		{Method: "GET", Path: "/inbox", Summary: "The caller's notifications, newest first, with the unread count", Tag: "inbox",
			Query: []QueryParam{{"unread", "boolean", "only unread"}, {"before", "integer", "next_before of the previous page"}, {"limit", "integer", "1–200"}},
			Resp:  InboxPage{}, Status: 200, Handle: a.inbox},
		{Method: "POST", Path: "/inbox/read", Summary: "Mark notifications read", Tag: "inbox", Body: ReadRequest{}, Resp: ReadResult{}, Status: 200, Handle: a.markRead},

		{Method: "GET", Path: "/webhooks", Summary: "Webhooks (system administrator)", Tag: "webhooks", Resp: WebhookList{}, Status: 200, Handle: a.listWebhooks},
		{Method: "POST", Path: "/webhooks", Summary: "Add a webhook; the answer shows its signing secret once", Tag: "webhooks",
			Body: WebhookRequest{}, Resp: WebhookView{}, Status: 201, Handle: a.createWebhook},
		{Method: "POST", Path: "/webhooks/{id}/retire", Summary: "Stop a webhook; the answer is the webhook as it is now", Tag: "webhooks",
			Resp: WebhookView{}, Status: 200, Handle: a.retireWebhook(true)},
		{Method: "POST", Path: "/webhooks/{id}/restore", Summary: "Start a stopped webhook again; the answer is the webhook as it is now", Tag: "webhooks",
			Resp: WebhookView{}, Status: 200, Handle: a.retireWebhook(false)},
		{Method: "GET", Path: "/webhooks/{id}/deliveries", Summary: "A webhook's delivery log, newest first", Tag: "webhooks",
			Query: []QueryParam{{"status", "string", "pending, delivered or failed"}, {"before", "integer", "deliveries older than this id"}, {"limit", "integer", "1–200"}},
			Resp:  DeliveryList{}, Status: 200, Handle: a.listDeliveries},
		{Method: "GET", Path: "/webhook-deliveries/{id}/attempts", Summary: "Every try at one delivery", Tag: "webhooks",
			Resp: AttemptList{}, Status: 200, Handle: a.listAttempts},
		{Method: "POST", Path: "/webhook-deliveries/{id}/replay", Summary: "Send a delivery again now", Tag: "webhooks", Status: 204, Handle: a.replay},
	}
}

func (a *API) listCalendar(w http.ResponseWriter, r *http.Request) error {
	ns, err := a.cal.Notices(r.Context())
	if err != nil {
		return err
	}
	out := CalendarList{Years: []CalendarYear{}}
	for _, n := range ns {
		out.Years = append(out.Years, yearView(n, a.loc))
	}
	return writeJSON(w, http.StatusOK, out)
}

func yearView(n calendar.StoredNotice, loc *time.Location) CalendarYear {
	y := CalendarYear{Year: n.Year, Source: n.Source, Papers: n.Papers, Days: []CalendarDay{}, UpdatedAt: n.UpdatedAt.In(loc)}
	if y.Papers == nil {
		y.Papers = []string{}
	}
	for _, d := range n.Days {
		y.Days = append(y.Days, CalendarDay{Date: d.Date, Name: d.Name, Off: d.Off})
	}
	return y
}

func (a *API) importCalendar(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	n, err := a.cal.Import(r.Context(), actorOf(r), body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, yearView(calendar.StoredNotice{Notice: n, Source: "import", UpdatedAt: a.now()}, a.loc))
}

var msgBadN = i18n.M("须为 0 到 1000 之间的整数", "must be a whole number from 0 to 1000")

func (a *API) workdays(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, err := time.ParseInLocation("2006-01-02", q.Get("from"), a.loc)
	if err != nil {
		return fault.New(fault.Invalid, "bad-query", msgBadQuery, "from", q.Get("from"))
	}
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n < 0 || n > 1000 {
		return fault.InvalidField("n", msgBadN)
	}
	cal, err := a.cal.Calendar(r.Context())
	if err != nil {
		return err
	}
	day := cal.WorkdayAfter(from, n)
	known := true
	for y := from.Year(); y <= day.Year(); y++ {
		known = known && cal.Known(y)
	}
	return writeJSON(w, http.StatusOK, WorkdayAnswer{From: from.Format("2006-01-02"), N: n, Date: day.Format("2006-01-02"),
		Deadline: cal.AddWorkdays(from, n).Format(time.RFC3339), Known: known})
}

func policyView(p deadline.Policy, loc *time.Location) PolicyView {
	return PolicyView{ID: p.ID, Name: p.Name, NameEN: p.NameEN, Nature: ptrStr(p.Nature), CategoryID: ptrID(p.CategoryID), Priority: ptrStr(p.Priority),
		Accept: p.Accept.String(), Sign: p.Sign.String(), Handle: p.Handle.String(), HandleFrom: string(p.HandleFrom), WarnRatio: p.WarnRatio,
		MaxExtensions: p.MaxExtensions, Extension: p.Extension.String(), Review: p.Review.String(),
		ReReview: p.ReReview.String(), Reply: p.Reply.String(), RetiredAt: ptrTime(p.RetiredAt, loc)}
}

func (a *API) listPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := a.pol.Policies(r.Context())
	if err != nil {
		return err
	}
	out := PolicyList{Policies: []PolicyView{}}
	for _, p := range ps {
		out.Policies = append(out.Policies, policyView(p, a.loc))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (req PolicyRequest) input() deadline.Input {
	return deadline.Input{Name: req.Name, NameEN: req.NameEN, Nature: req.Nature, CategoryID: req.CategoryID, Priority: req.Priority,
		Accept: req.Accept, Sign: req.Sign, Handle: req.Handle, HandleFrom: deadline.Start(req.HandleFrom), WarnRatio: req.WarnRatio,
		MaxExtensions: req.MaxExtensions, Extension: req.Extension, Review: req.Review, ReReview: req.ReReview, Reply: req.Reply}
}

func (a *API) createPolicy(w http.ResponseWriter, r *http.Request) error {
	var req PolicyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := a.pol.Create(r.Context(), actorOf(r), req.input())
	if err != nil {
		return err
	}
	a.dir.Flush()
	return writeJSON(w, http.StatusCreated, policyView(p, a.loc))
}

func (a *API) updatePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req PolicyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := a.pol.Update(r.Context(), actorOf(r), id, req.input())
	if err != nil {
		return err
	}
	a.dir.Flush()
	return writeJSON(w, http.StatusOK, policyView(p, a.loc))
}

func (a *API) retirePolicy(retired bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		p, err := a.pol.SetRetired(r.Context(), actorOf(r), id, retired)
		if err != nil {
			return err
		}
		a.dir.Flush()
		return writeJSON(w, http.StatusOK, policyView(p, a.loc))
	}
}

func (a *API) orderView(n *directory.Names, o supervision.Order, lang i18n.Lang) OrderView {
	v := OrderView{Number: o.Number, Case: o.CaseNumber, Kind: string(o.Kind), Automatic: o.Automatic, Level: o.Level,
		FromUnit: unitRef(n, o.FromUnitID), ToUnit: unitRef(n, o.ToUnitID), IssuedAt: o.IssuedAt.In(a.loc), Reason: o.Reason.Format(lang),
		ReplyDueAt: ptrTime(o.ReplyDueAt, a.loc), State: string(o.State), RepliedAt: ptrTime(o.RepliedAt, a.loc), Reply: o.Reply}
	for _, k := range supervision.Kinds {
		if k.Kind == o.Kind {
			v.KindName = k.Name.Format(lang)
		}
	}
	return v
}

func (a *API) writeOrder(w http.ResponseWriter, r *http.Request, o supervision.Order, status int) error {
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, status, a.orderView(n, o, langOf(r)))
}

func (a *API) issueOrder(w http.ResponseWriter, r *http.Request) error {
	var req IssueRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	in := supervision.IssueInput{Kind: supervision.Kind(req.Kind), Reason: req.Reason}
	if req.ReplyDueAt != nil {
		in.ReplyDueAt = *req.ReplyDueAt
	}
	o, err := a.sup.Issue(r.Context(), actorOf(r), r.PathValue("number"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/supervision/"+url.PathEscape(o.Number))
	return a.writeOrder(w, r, o, http.StatusCreated)
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := a.sup.Get(r.Context(), actorOf(r), r.PathValue("order"))
	if err != nil {
		return err
	}
	return a.writeOrder(w, r, o, http.StatusOK)
}

func (a *API) replyOrder(w http.ResponseWriter, r *http.Request) error {
	var req ReplyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := a.sup.Reply(r.Context(), actorOf(r), r.PathValue("order"), req.Reply)
	if err != nil {
		return err
	}
	return a.writeOrder(w, r, o, http.StatusOK)
}

func (a *API) ledger(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f supervision.Filter
	var err error
	if f.UnitID, err = queryInt(q.Get("unit_id"), "unit_id"); err != nil {
		return err
	}
	if f.Before, err = queryInt(q.Get("before"), "before"); err != nil {
		return err
	}
	limit, err := queryLimit(q, 200)
	if err != nil {
		return err
	}
	f.Limit, f.State, f.CaseNumber, f.Kind = int(limit), supervision.State(q.Get("state")), q.Get("case"), supervision.Kind(q.Get("kind"))
	if v := q.Get("automatic"); v != "" {
		if f.Automatic, err = strconv.ParseBool(v); err != nil {
			return fault.New(fault.Invalid, "bad-query", msgBadQuery, "automatic", v)
		}
	}
	if f.From, err = a.queryTime(q.Get("from"), "from", false); err != nil {
		return err
	}
	if f.To, err = a.queryTime(q.Get("to"), "to", true); err != nil {
		return err
	}
	os, err := a.sup.Ledger(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	total, err := a.sup.Count(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	out := OrderList{Orders: []OrderView{}, Total: total}
	for _, o := range os {
		out.Orders = append(out.Orders, a.orderView(n, o, langOf(r)))
	}
	want := f.Limit
	if want == 0 {
		want = 50
	}
	if len(os) == want {
		out.NextBefore = os[len(os)-1].ID
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) inbox(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	before, err := queryInt(q.Get("before"), "before")
	if err != nil {
		return err
	}
	limit, err := queryLimit(q, 200)
	if err != nil {
		return err
	}
	unread, _ := strconv.ParseBool(q.Get("unread"))
	p, err := a.ntf.Inbox(r.Context(), actorOf(r), unread, before, int(limit))
	if err != nil {
		return err
	}
	out := InboxPage{Items: []InboxItem{}, Unread: p.Unread, NextBefore: p.Next}
	lang := langOf(r)
	for _, it := range p.Items {
		out.Items = append(out.Items, InboxItem{ID: it.ID, Kind: it.Kind, Title: it.Title.Format(lang), Body: it.Body.Format(lang), Case: it.CaseNumber,
			ToUnit: it.UserID == 0, CreatedAt: it.CreatedAt.In(a.loc), Read: it.Read, Times: it.Times, Settled: it.Settled})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) markRead(w http.ResponseWriter, r *http.Request) error {
	var req ReadRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	actor := actorOf(r)
	n, err := a.ntf.MarkRead(r.Context(), actor, req.IDs)
	if err != nil {
		return err
	}
	unread, err := a.ntf.Unread(r.Context(), actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ReadResult{Marked: n, Unread: unread})
}

func webhookView(h notify.Webhook, loc *time.Location) WebhookView {
	return WebhookView{ID: h.ID, Name: h.Name, URL: h.URL, UnitID: ptrID(h.UnitID), Events: h.Events,
		CreatedAt: h.CreatedAt.In(loc), RetiredAt: ptrTime(h.RetiredAt, loc)}
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	hs, err := a.ntf.Webhooks(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	out := WebhookList{Webhooks: []WebhookView{}}
	for _, h := range hs {
		out.Webhooks = append(out.Webhooks, webhookView(h, a.loc))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var req WebhookRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	h, secret, err := a.ntf.CreateWebhook(r.Context(), actorOf(r), notify.WebhookInput{Name: req.Name, URL: req.URL,
		UnitID: req.UnitID, Events: req.Events})
	if err != nil {
		return err
	}
	v := webhookView(h, a.loc)
	v.Secret = secret
	return writeJSON(w, http.StatusCreated, v)
}

func (a *API) retireWebhook(retired bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := a.ntf.SetWebhookRetired(r.Context(), actorOf(r), id, retired); err != nil {
			return err
		}
		// As a unit's or a category's retire answers: the object as it is.
		hooks, err := a.ntf.Webhooks(r.Context(), actorOf(r))
		if err != nil {
			return err
		}
		for _, h := range hooks {
			if h.ID == id {
				return writeJSON(w, http.StatusOK, webhookView(h, a.loc))
			}
		}
		return fault.NotFoundf(i18n.M("Webhook", "webhook"), id)
	}
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	before, err := queryInt(r.URL.Query().Get("before"), "before")
	if err != nil {
		return err
	}
	limit, err := queryLimit(r.URL.Query(), 200)
	if err != nil {
		return err
	}
	ds, err := a.ntf.Deliveries(r.Context(), actorOf(r), notify.DeliveryFilter{WebhookID: id,
		Status: notify.DeliveryStatus(r.URL.Query().Get("status")), Before: before, Limit: int(limit)})
	if err != nil {
		return err
	}
	out := DeliveryList{Deliveries: []DeliveryView{}}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, DeliveryView{ID: d.ID, Event: d.Event, Payload: d.Payload,
			CreatedAt: d.CreatedAt.In(a.loc), Attempts: d.Attempts, NextAttemptAt: ptrTime(d.NextAttemptAt, a.loc),
			DeliveredAt: ptrTime(d.DeliveredAt, a.loc), FailedAt: ptrTime(d.FailedAt, a.loc), LastStatus: d.LastStatus,
			LastError: d.LastError})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) listAttempts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	as, err := a.ntf.Attempts(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	out := AttemptList{Attempts: []AttemptView{}}
	for _, at := range as {
		out.Attempts = append(out.Attempts, AttemptView{At: at.At.In(a.loc), Status: at.Status, Error: at.Error,
			DurationMS: float64(at.Duration.Microseconds()) / 1000})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) replay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.ntf.Replay(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
