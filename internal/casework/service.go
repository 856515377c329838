package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/calendar"
	"pingan/internal/catalog"
	"pingan/internal/classify"
	"pingan/internal/dashboard"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/dedup"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/notify"
	"pingan/internal/org"
	"pingan/internal/route"
	"pingan/internal/score"
	"pingan/internal/search"
	"pingan/internal/secret"
	"pingan/internal/timer"
)

// Config tunes the service.
type Config struct {
	// NumberPrefix starts every case number: XM-2026-000123.
	NumberPrefix string
	// Location is the time zone of case-number years and of dates people
	// type; Asia/Shanghai by default.
	Location *time.Location
	// AutoMerge is the likeness (0–1) above which a new report that repeats
	// an open case at the same place is merged into it on its own; 0 never.
	AutoMerge float64
}

// Deps are what the casework service works with.
type Deps struct {
	DB       *db.DB
	Audit    *audit.Log
	Keys     *secret.Keyring
	Org      *org.Service
	Catalog  *catalog.Service
	Calendar *calendar.Service
	Policies *deadline.Service
	Timers   *timer.Service
	Notify   *notify.Service
	Score    *score.Service
	Volumes  *dashboard.Service
	// Route places and routes each new case (nil: never; cases wait at
	// their intake unit for an operator to dispatch them).
	Route *route.Service
	// Classifier suggests a category and a nature for every report taken
	// in, which the operator's choice confirms or corrects (nil: no
	// suggestions).
	Classifier *classify.Live
	// Repeats finds the open cases a report repeats, for merging near-exact
	// repeats on their own (nil: never).
	Repeats *dedup.Service
	Config  Config
	Now     func() time.Time
}

// Service runs the closed loop.
type Service struct {
	db       *db.DB
	audit    *audit.Log
	keys     *secret.Keyring
	org      *org.Service
	cat      *catalog.Service
	calendar *calendar.Service
	policies *deadline.Service
	timers   *timer.Service
	notify   *notify.Service
	score    *score.Service
	volumes  *dashboard.Service
	route    *route.Service
	classify *classify.Live
	repeats  *dedup.Service
	cfg      Config
	now      func() time.Time
	// families caches each nature's family (a nature keeps its family for
	// life), asked on every change of every case (petitions).
	families sync.Map
}

// Timer kinds the case clock sets; package supervision handles them.
const (
	TimerWarn    timer.Kind = "case.warn"    // the case turns yellow
	TimerOverdue timer.Kind = "case.overdue" // the case turns red
	TimerRepeat  timer.Kind = "case.repeat"  // reported again often enough to raise its jurisdiction (提级管辖)
)

// NewService returns the casework service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Config.NumberPrefix == "" {
		d.Config.NumberPrefix = "XM"
	}
	if d.Config.Location == nil {
		d.Config.Location = time.UTC
	}
	return &Service{db: d.DB, audit: d.Audit, keys: d.Keys, org: d.Org, cat: d.Catalog, calendar: d.Calendar,
		policies: d.Policies, timers: d.Timers, notify: d.Notify, score: d.Score, volumes: d.Volumes, route: d.Route, classify: d.Classifier, repeats: d.Repeats, cfg: d.Config, now: d.Now}
}

var (
	msgNoCaseWork   = i18n.M("当前账号不办理案件", "this account does not work on cases")
	msgNotAllowed   = i18n.M("案件当前状态为“%s”，不能执行“%s”", "the case is “%s”; “%s” is not possible now")
	msgNotYours     = i18n.M("您的角色或单位不能对此案件执行“%s”", "your role or unit may not do “%s” on this case")
	msgUnclassified = i18n.M("案件尚未确定性质和分类，请先修改分类", "the case has no nature and category yet: reclassify it first")
	msgGuard        = i18n.M("“%s”现在不可用：%s", "%s is not available now: %s")
	msgChanged      = i18n.M("案件已被他人修改，请刷新后重试", "the case was changed by someone else; reload and try again")
	msgUnknownAct   = i18n.M("未知操作：%s", "unknown action: %s")
	msgNoPending    = i18n.M("没有待审批的延期申请", "there is no pending extension request")
	msgHasPending   = i18n.M("已有延期申请待审批", "an extension request is already pending")
	msgVersion      = i18n.M("案件版本为 %d，不是 %d；请刷新后重试", "the case is at version %d, not %d; reload and try again")
)

// stateName returns a state's name in lang.
func stateName(s State) i18n.Message {
	for _, x := range States {
		if x.State == s {
			return x.Name
		}
	}
	return i18n.M(string(s), string(s))
}

// visible reports whether actor may see the case: the actor does case work,
// and one of the units involved in the case is in the actor's scope.
func (s *Service) visible(ctx context.Context, q db.Querier, actor access.Actor, c Case) (bool, error) {
	if actor.System {
		return true, nil
	}
	if !actor.CaseWorker() {
		return false, nil
	}
	if actor.Scope.All {
		return true, nil
	}
	units, err := involvedUnits(ctx, q, c.ID)
	if err != nil {
		return false, err
	}
	return actor.Scope.ContainsAny(units), nil
}

// permits reports whether transition t is open to actor on c, not counting
// its guard.
func permits(t Transition, actor access.Actor, c Case, visible bool) bool {
	if !actor.HasAny(t.Roles...) {
		return false
	}
	switch t.Who {
	case HandlingUnit:
		return c.HandlingUnitID != 0 && actor.UnitID == c.HandlingUnitID
	case OutsideHandlingUnit:
		return visible && actor.UnitID != c.HandlingUnitID
	default:
		return visible
	}
}

// guardHolds reports whether t's guard holds on c, and why not.
func guardHolds(t Transition, c Case) (bool, i18n.Message) {
	switch t.Guard {
	case NoPendingExtension:
		return c.RequestedDueAt.IsZero(), msgHasPending
	case PendingExtension:
		return !c.RequestedDueAt.IsZero(), msgNoPending
	case Classified:
		// An action that classifies is checked after its input (act).
		return t.Takes(FCategory) || (c.Nature != "" && c.CategoryID != 0), msgUnclassified
	case HolderOpen:
		h := c.FinalHolder
		return h.Number == "", msgHolderFinal.Fill(h.Number, stateName(h.State))
	}
	return true, i18n.Message{}
}

// Allowed returns the actions actor may take on c now, in table order.
func (s *Service) Allowed(actor access.Actor, c Case, visible bool) []Action {
	out := []Action{} // none is an empty list, in problems too
	for _, t := range Table {
		if !slices.Contains(t.From, c.State) || slices.Contains(out, t.Action) {
			continue
		}
		if ok, _ := guardHolds(t, c); ok && permits(t, actor, c, visible) {
			out = append(out, t.Action)
		}
	}
	return out
}

// loadVisible reads a case by number inside q and checks the actor may see
// it; anything else is "not found", so case numbers leak nothing.
func (s *Service) loadVisible(ctx context.Context, q db.Querier, actor access.Actor, number string) (Case, bool, error) {
	c, err := caseByNumber(ctx, q, number)
	if db.IsNotFound(err) {
		return Case{}, false, fault.NotFoundf(i18n.M("案件", "case"), number)
	}
	if err != nil {
		return Case{}, false, fmt.Errorf("get case %s: %w", number, err)
	}
	vis, err := s.visible(ctx, q, actor, c)
	if err != nil {
		return Case{}, false, err
	}
	// A member of the handling unit always sees the case it handles.
	if !vis && (c.HandlingUnitID == 0 || actor.UnitID != c.HandlingUnitID || !actor.CaseWorker()) {
		return Case{}, false, fault.NotFoundf(i18n.M("案件", "case"), number)
	}
	if c.State == Merged {
		if c.FinalHolder, err = finalHolder(ctx, q, c); err != nil {
			return Case{}, false, err
		}
	}
	return c, vis, nil
}

// recordDenied audits a refused write in its own transaction (the refused
// one was rolled back) and returns the refusal.
func (s *Service) recordDenied(ctx context.Context, actor access.Actor, action, objType, objID string, cause error) error {
	return s.audit.Refuse(ctx, s.db, entry(actor, action, objType, objID, audit.Denied, nil), cause)
}

// denied reports whether err is a refusal worth auditing.
func denied(err error) bool {
	switch fault.KindOf(err) {
	case fault.Forbidden, fault.Conflict, fault.NotFound:
		return true
	}
	return false
}

func entry(a access.Actor, action, objType, objID, outcome string, detail map[string]any) audit.Entry {
	return audit.Entry{ActorID: a.UserID, ActorName: a.Username, UnitID: a.UnitID, Action: action,
		ObjectType: objType, ObjectID: objID, Outcome: outcome, Detail: detail, RemoteAddr: a.RemoteAddr}
}

// checkClassification validates a nature, category and priority chosen for a
// case (zero values are not checked).
func (s *Service) checkClassification(ctx context.Context, q db.Querier, v *fault.Validation, nature string, categoryID int64, p Priority) {
	if nature != "" {
		n, err := s.cat.Nature(ctx, q, nature)
		switch {
		case err != nil:
			v.Add(string(FNature), fault.BadValue, nature)
		case !n.Active():
			v.Add(string(FNature), msgRetired)
		}
	}
	if categoryID != 0 {
		c, err := s.cat.Category(ctx, q, categoryID)
		switch {
		case err != nil:
			v.Add(string(FCategory), fault.BadValue, fmt.Sprint(categoryID))
		case !c.Active():
			v.Add(string(FCategory), msgRetired)
		}
	}
	if p != "" && !validPriority(p) {
		v.Add(string(FPriority), fault.BadValue, string(p))
	}
}

var msgRetired = i18n.M("已停用", "is retired")

func validPriority(p Priority) bool {
	for _, x := range Priorities {
		if x.Priority == p {
			return true
		}
	}
	return false
}

func validChannel(c Channel) bool {
	for _, x := range Channels {
		if x.Channel == c {
			return true
		}
	}
	return false
}

// policyFor resolves the deadline policy of a case as it is classified now.
func (s *Service) policyFor(ctx context.Context, q db.Querier, c Case) (deadline.Policy, error) {
	if id := c.Route.PolicyID; id != 0 {
		// The routing rule that placed the case names its deadlines.
		if p, err := s.policies.Get(ctx, q, id); err == nil && p.RetiredAt.IsZero() {
			return p, nil
		}
	}
	code := ""
	if c.CategoryID != 0 {
		cat, err := s.cat.Category(ctx, q, c.CategoryID)
		if err != nil {
			return deadline.Policy{}, err
		}
		code = cat.Code
	}
	return s.policies.Resolve(ctx, c.Nature, code, string(c.Priority))
}

// afterChange does what follows every change of a case inside its
// transaction: the dashboard's volumes follow its classification, the
// backlog counters its overdue mark, unit, district and deadline, the
// clock's timers follow its warning time and deadline, and the change is
// reported to webhooks.
func (s *Service) afterChange(ctx context.Context, tx *db.Tx, before, after Case, event string, data map[string]any) error {
	if err := s.volumes.Track(ctx, tx, before.volume(), after.volume()); err != nil {
		return err
	}
	if err := s.trackPetition(ctx, tx, before, after, event); err != nil {
		return err
	}
	if err := dedup.Track(ctx, tx, before.repeatDoc(), after.repeatDoc()); err != nil {
		return err
	}
	if err := s.score.TrackOverdue(ctx, tx, before.overdue(), after.overdue()); err != nil {
		return err
	}
	// Only a time that moved needs setting; a new case has no timers to
	// cancel.
	set := s.timers.Set
	if before.ID == 0 {
		set = s.timers.Add
	}
	if !before.WarnAt.Equal(after.WarnAt) {
		if err := set(ctx, tx, TimerWarn, after.ID, after.WarnAt); err != nil {
			return err
		}
	}
	if !before.DeadlineAt.Equal(after.DeadlineAt) {
		if err := set(ctx, tx, TimerOverdue, after.ID, deadline.OverdueFrom(after.DeadlineAt)); err != nil {
			return err
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	data["state"] = after.State
	if before.State != after.State && before.ID != 0 {
		data["previous_state"] = before.State
	}
	if after.HandlingUnitID != 0 {
		data["handling_unit_id"] = after.HandlingUnitID
	}
	if !after.DeadlineAt.IsZero() {
		data["deadline_at"] = after.DeadlineAt.In(s.cfg.Location).Format(time.RFC3339) // the city's offset, as the API's
	}
	return s.notify.Emit(ctx, tx, notify.Event{Type: event, CaseID: after.ID, CaseNumber: after.Number, Data: data})
}

// routeCase asks routing where the case goes, from what is known of it now,
// and keeps the answer on the case. A case placed by routing takes the
// area as its division.
func (s *Service) routeCase(ctx context.Context, q db.Querier, c *Case, text string) error {
	if s.route == nil {
		return nil // no routing: the case waits at its intake unit for an operator to dispatch it
	}
	in := route.Input{DivisionCode: c.DivisionCode, Text: text, Nature: c.Nature}
	if c.Location != nil {
		in.Lat, in.Lon = &c.Location.Lat, &c.Location.Lon
	}
	if c.Nature != "" {
		n, err := s.cat.Nature(ctx, q, c.Nature)
		if err != nil {
			return err
		}
		in.Family = string(n.Family)
	}
	if c.CategoryID != 0 {
		cat, err := s.cat.Category(ctx, q, c.CategoryID)
		if err != nil {
			return err
		}
		in.CategoryCode = cat.Code
	}
	d, err := s.route.Route(ctx, q, in)
	if err != nil {
		return err
	}
	if d.AreaBy == route.ByGiven && c.Route.AreaCode == d.AreaCode && c.Route.AreaBy != "" {
		// The area came from routing before: keep how it was found.
		d.AreaBy, d.Words = c.Route.AreaBy, c.Route.Words
	}
	if c.DivisionCode == "" && d.AreaCode != "" && !d.Ambiguous {
		c.DivisionCode = d.AreaCode
	}
	c.Route, c.RouteUnitID, c.Triage = d, d.UnitID, d.Triage
	return nil
}

// suggest asks the classifier for the case's category and nature, whatever
// the operator chose: the suggestion is what their choice confirms or
// corrects. A category label is mapped to the deepest catalogue category
// it names.
func (s *Service) suggest(ctx context.Context, c *Case, body string) error {
	model := s.classify.Get()
	if model == nil {
		return nil
	}
	sug := model.Suggest(c.Title, body)
	if len(sug.Category) == 0 {
		return nil
	}
	sg := &Suggestion{Label: sug.Category[0].Label, Confidence: sug.Category[0].Confidence, Model: model.Info.Version}
	if len(sug.Nature) > 0 {
		sg.Nature, sg.NatureConfidence = sug.Nature[0].Label, sug.Nature[0].Confidence
	}
	cat, found, err := s.cat.ByLabel(ctx, sg.Label)
	if err != nil {
		return err
	}
	if found {
		sg.CategoryID = cat.ID
	}
	c.Suggestion = sg
	return nil
}

// learn records how an operator classified a case — at intake, registering
// or reclassifying it — against the classifier's suggestion: confirmed or
// corrected, it is a label the next model trains on (Labels). c is the case
// as classified; the category is kept as its path label. It returns what
// the audit record says of it: suggested and chosen, for both heads.
func (s *Service) learn(ctx context.Context, tx *db.Tx, actor access.Actor, c Case, now time.Time) (map[string]any, error) {
	chosen := ""
	if c.CategoryID != 0 {
		path, err := s.cat.Path(ctx, tx, c.CategoryID)
		if err != nil {
			return nil, err
		}
		chosen = catalog.LabelOf(path)
	}
	var sg Suggestion
	if c.Suggestion != nil {
		sg = *c.Suggestion
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO classify_feedback (case_id, suggested, confidence, chosen, model_version, user_id, at,
		suggested_nature, chosen_nature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.ID, sg.Label, sg.Confidence,
		chosen, sg.Model, db.NullID(actor.UserID), now.UnixMicro(), db.NullText(sg.Nature), db.NullText(c.Nature)); err != nil {
		return nil, fmt.Errorf("case %s: classifier feedback: %w", c.Number, err)
	}
	detail := map[string]any{"chosen_category": chosen, "chosen_nature": c.Nature}
	if c.Suggestion != nil {
		detail["suggested_category"], detail["suggested_nature"], detail["model"] = sg.Label, sg.Nature, sg.Model
		if chosen != "" {
			detail["category_followed"] = classify.Agrees(chosen, sg.Label)
		}
		if c.Nature != "" && sg.Nature != "" {
			detail["nature_followed"] = c.Nature == sg.Nature
		}
	}
	return detail, nil
}

// Labels returns the operators' labels for the classifier to train on:
// for each case they classified, its title and the report it opened with
// (the text they classified, wherever a merge moved it since) with the
// category (a path label) and nature of their latest choice, in the order
// of those choices. Only the system (the command line) reads them.
func (s *Service) Labels(ctx context.Context, actor access.Actor) ([]classify.Example, error) {
	if !actor.System {
		return nil, fault.New(fault.Forbidden, "forbidden", msgNoCaseWork)
	}
	// The opening report is the case's own first one: held by the case, or
	// by the case it was merged into (merged_from); the first condition is
	// there for the indexes.
	rows, err := s.db.QueryContext(ctx, `SELECT c.title, COALESCE((SELECT r.body FROM reports r
		WHERE (r.merged_from = c.id OR r.case_id = c.id) AND COALESCE(r.merged_from, r.case_id) = c.id ORDER BY r.id LIMIT 1), ''),
		f.chosen, COALESCE(f.chosen_nature, '') FROM classify_feedback f JOIN cases c ON c.id = f.case_id
		WHERE f.id = (SELECT MAX(g.id) FROM classify_feedback g WHERE g.case_id = f.case_id) ORDER BY f.id`)
	if err != nil {
		return nil, fmt.Errorf("classifier labels: %w", err)
	}
	defer rows.Close()
	var out []classify.Example
	for rows.Next() {
		var e classify.Example
		if err := rows.Scan(&e.Subject, &e.Body, &e.Category, &e.Nature); err != nil {
			return nil, fmt.Errorf("classifier labels: %w", err)
		}
		if e.Category != "" || e.Nature != "" {
			out = append(out, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("classifier labels: %w", err)
	}
	return out, nil
}

// volume is what the dashboard counts of a case (nothing for no case yet).
func (c Case) volume() dashboard.Snapshot {
	if c.ID == 0 {
		return dashboard.Snapshot{}
	}
	return dashboard.Snapshot{ReceivedAt: c.ReceivedAt, Channel: string(c.Channel), Nature: c.Nature,
		CategoryID: c.CategoryID, Division: c.DivisionCode}
}

// repeatDoc is what the repeat index files of a case (nothing for no case
// yet): an open case is a candidate for the repeats of its matter.
func (c Case) repeatDoc() dedup.Doc {
	if c.ID == 0 {
		return dedup.Doc{}
	}
	d := dedup.Doc{CaseID: c.ID, Title: c.Title, Address: c.Address, DivisionCode: c.DivisionCode,
		ReceivedAt: c.ReceivedAt, Open: c.State.Open(), Number: c.Number, CategoryID: c.CategoryID}
	if c.Location != nil {
		d.Lat, d.Lon = &c.Location.Lat, &c.Location.Lon
	}
	return d
}

// Inbox messages of the lifecycle.
var (
	msgInboxAssigned = i18n.M("新派件：%s", "New case: %s")
	msgInboxReturned = i18n.M("案件被退回：%s", "Case returned: %s")
	msgInboxRework   = i18n.M("案件需重新办理：%s", "Case sent back for more work: %s")
	msgInboxExtReq   = i18n.M("延期申请待审批：%s", "Extension request to decide: %s")
	msgInboxExtYes   = i18n.M("延期申请已批准：%s", "Extension approved: %s")
	msgInboxExtNo    = i18n.M("延期申请未获批准：%s", "Extension denied: %s")
	msgInboxReport   = i18n.M("案件追加来件：%s", "Another report on case: %s")
)

// tell puts the change in the inbox of the unit that must act on it next.
func (s *Service) tell(ctx context.Context, tx *db.Tx, action Action, after Case, actor access.Actor, note i18n.Message) error {
	msg, ok, err := s.notice(ctx, tx, action, after, actor, note)
	if err != nil || !ok {
		return err
	}
	return s.notify.Notify(ctx, tx, msg)
}

// TellPending puts in the inboxes what the newest step of each open case
// that tells someone, taken from since until before until, asks of a unit,
// dated when the step was taken, as the step itself would have (tell). It
// is for cases a loader wrote directly, whose steps told no one: the demo's
// handlers find their new and returned cases, reworks and extension
// decisions waiting. It returns how many notices it sent.
func (s *Service) TellPending(ctx context.Context, since, until time.Time) (int, error) {
	type step struct {
		caseID, at, unitID, actorID int64
		action                      Action
		note, noteEN                string
	}
	var steps []step
	// The newest step of each case that tells someone: the case's units
	// are still what that step left them (a later one that moves the case
	// would tell too), so its notice goes where it went then.
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, t.at, COALESCE(t.unit_id, 0), COALESCE(t.actor_id, 0), t.action, t.note, t.note_en
		FROM cases c JOIN timeline t ON t.id = (SELECT MAX(x.id) FROM timeline x WHERE x.case_id = c.id AND x.action IN (`+sqlList(told)+`))
		WHERE c.updated_at >= $1 AND c.state IN (`+sqlList(openStates)+`) AND t.at >= $1 AND t.at < $2 ORDER BY t.at`,
		since.UnixMicro(), until.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("pending steps: %w", err)
	}
	for rows.Next() {
		var st step
		if err := rows.Scan(&st.caseID, &st.at, &st.unitID, &st.actorID, &st.action, &st.note, &st.noteEN); err != nil {
			rows.Close()
			return 0, fmt.Errorf("pending steps: %w", err)
		}
		steps = append(steps, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("pending steps: %w", err)
	}
	sent := 0
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		sent = 0
		for _, st := range steps {
			c, err := caseByID(ctx, tx, st.caseID)
			if err != nil {
				return err
			}
			msg, ok, err := s.notice(ctx, tx, st.action, c, access.Actor{UserID: st.actorID, UnitID: st.unitID}, i18n.Stored(st.note, st.noteEN))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			msg.At = time.UnixMicro(st.at)
			if err := s.notify.Notify(ctx, tx, msg); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

// told are the actions whose steps notice tells someone of (notices), but
// for those whose notices gather repeats as they come; in a fixed order.
var told = func() []Action {
	var out []Action
	for a, n := range notices {
		if !n.gather {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}()

// sqlList is a list of the values' SQL literals, for IN (…): constants of
// the code, never input.
func sqlList[T ~string](vs []T) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "'" + string(v) + "'"
	}
	return strings.Join(q, ", ")
}

// addressee is whom a step's notice goes to.
type addressee int

const (
	toHandler    addressee = iota // the unit handling the case
	toIntake                      // the unit that took it in
	toRequester                   // the handler who asked for the extension decided (in the handling unit)
	toSupervisor                  // the committee above the handling unit, if there is one
)

// notices are the inbox notices the lifecycle's steps send: the kind, the
// text and the addressee of each action's. A step tells no one in its own
// unit, but for rework and rehandling (ownToo), which a verifier or callback
// operator of the handling unit may order. AddReport's notices gather the
// repeats that come before anyone looks (notify.Message.Gather).
var notices = map[Action]struct {
	kind           string
	text           i18n.Message
	to             addressee
	ownToo, gather bool
}{
	Dispatch:         {kind: "case.assigned", text: msgInboxAssigned, to: toHandler},
	Transfer:         {kind: "case.assigned", text: msgInboxAssigned, to: toHandler},
	Return:           {kind: "case.returned", text: msgInboxReturned, to: toIntake},
	Rework:           {kind: "case.rework", text: msgInboxRework, to: toHandler, ownToo: true},
	Rehandle:         {kind: "case.rework", text: msgInboxRework, to: toHandler, ownToo: true},
	RequestExtension: {kind: "case.extension_request", text: msgInboxExtReq, to: toSupervisor},
	ApproveExtension: {kind: "case.extension", text: msgInboxExtYes, to: toRequester},
	DenyExtension:    {kind: "case.extension", text: msgInboxExtNo, to: toRequester},
	AddReport:        {kind: "case.report", text: msgInboxReport, to: toHandler, gather: true},
}

// notice is the inbox message a change sends (notices), and whether it
// sends one.
func (s *Service) notice(ctx context.Context, tx *db.Tx, action Action, after Case, actor access.Actor, note i18n.Message) (notify.Message, bool, error) {
	msg := notify.Message{CaseID: after.ID, Body: note}
	n, ok := notices[action]
	if !ok {
		return msg, false, nil
	}
	msg.Kind, msg.Gather = n.kind, n.gather
	switch n.to {
	case toHandler:
		msg.UnitID = after.HandlingUnitID
	case toIntake:
		msg.UnitID = after.IntakeUnitID
	case toRequester:
		msg.UnitID = after.HandlingUnitID
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(actor_id, 0) FROM timeline WHERE case_id = $1 AND action = $2
			ORDER BY id DESC LIMIT 1`, after.ID, RequestExtension).Scan(&msg.UserID)
		if err != nil && !db.IsNotFound(err) {
			return msg, false, fmt.Errorf("extension requester of %s: %w", after.Number, err)
		}
	case toSupervisor:
		sup, err := s.org.SupervisingUnit(ctx, tx, after.HandlingUnitID)
		if err != nil {
			if fault.KindOf(err) == fault.NotFound {
				return msg, false, nil
			}
			return msg, false, err
		}
		msg.UnitID = sup.ID
	}
	if msg.UnitID == 0 || msg.UnitID == actor.UnitID && !n.ownToo {
		return msg, false, nil // nobody else to tell
	}
	msg.Title = n.text.Fill(after.Number + " " + after.Title)
	return msg, true, nil
}

// reindex refreshes a case's searchable text: its title, address and every
// report.
func (s *Service) reindex(ctx context.Context, tx *db.Tx, c Case) error {
	// The reports oldest first, only as far as the index reads (a case
	// that took hundreds of repeats is not read whole for each one more).
	rows, err := tx.QueryContext(ctx, "SELECT title, address, body FROM reports WHERE case_id = $1 ORDER BY id", c.ID)
	if err != nil {
		return fmt.Errorf("reindex case %d: %w", c.ID, err)
	}
	parts := []string{c.Title, c.Address}
	size := utf8.RuneCountInString(c.Title) + utf8.RuneCountInString(c.Address)
	for size < search.MaxTextRunes && rows.Next() {
		var title, address, body string
		if err := rows.Scan(&title, &address, &body); err != nil {
			rows.Close()
			return fmt.Errorf("reindex case %d: %w", c.ID, err)
		}
		parts = append(parts, title, address, body)
		size += utf8.RuneCountInString(title) + utf8.RuneCountInString(address) + utf8.RuneCountInString(body) + 3
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reindex case %d: %w", c.ID, err)
	}
	return search.Index(ctx, tx, c.ID, search.Text(parts...))
}

// RecordExport audits an export of a list of cases.
func (s *Service) RecordExport(ctx context.Context, actor access.Actor, query string, rows int) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		return s.audit.Append(ctx, tx, entry(actor, "case.export", "case", "*", audit.OK,
			map[string]any{"query": query, "rows": rows}))
	})
}

// RecordAudit appends an audit record of an action taken elsewhere (pages
// that read or check things), in its own transaction.
func (s *Service) RecordAudit(ctx context.Context, actor access.Actor, action, objType, objID string, detail map[string]any) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		return s.audit.Append(ctx, tx, entry(actor, action, objType, objID, audit.OK, detail))
	})
}
