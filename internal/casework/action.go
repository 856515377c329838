package casework

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/score"
)

// ActionInput carries what an action takes; which fields an action requires
// or accepts is in the lifecycle table.
type ActionInput struct {
	Note   string
	Reason string
	// Why is the reason when pingan gives it (an automatic merge, a
	// jurisdiction raised), in both languages; a person's is Reason.
	Why          i18n.Message
	UnitID       int64
	DueAt        time.Time
	Nature       string
	CategoryID   int64
	Priority     Priority
	Satisfaction string
	Resolved     *bool
	Evidence     []AttachmentInput
	Into         string // merge: the case number the repeat joins
	// ExpectedVersion, when set, refuses the action if the case changed
	// since the caller read it (HTTP If-Match).
	ExpectedVersion int
}

// present reports which fields the input carries.
func (in ActionInput) present() map[Field]bool {
	return map[Field]bool{
		FNote:         strings.TrimSpace(in.Note) != "",
		FReason:       strings.TrimSpace(in.Reason) != "" || in.Why.ZH != "",
		FUnit:         in.UnitID != 0,
		FDue:          !in.DueAt.IsZero(),
		FNature:       in.Nature != "",
		FCategory:     in.CategoryID != 0,
		FPriority:     in.Priority != "",
		FInto:         strings.TrimSpace(in.Into) != "",
		FSatisfaction: in.Satisfaction != "",
		FResolved:     in.Resolved != nil,
		FEvidence:     len(in.Evidence) > 0,
	}
}

var (
	msgNotTaken        = i18n.M("此操作不使用该字段", "is not used by this action")
	msgUnitInvalid     = i18n.M("单位不存在或已撤销", "the unit does not exist or is retired")
	msgSameUnit        = i18n.M("不能转办给当前承办单位", "cannot transfer to the unit already handling the case")
	msgDuePast         = i18n.M("须晚于当前时间", "must be in the future")
	msgDueNotLater     = i18n.M("须晚于当前办理期限 %s", "must be later than the current deadline %s")
	msgNothingChanged  = i18n.M("没有需要修改的分类", "nothing to change")
	msgNeedsClass      = i18n.M("立案前须确定性质和分类", "nature and category must be set to register a case")
	msgSatisfaction    = i18n.M("回访结果无效：%s", "invalid callback result: %s")
	msgResolvedUnknown = i18n.M("未能联系到群众时无从得知，请不要填写", "cannot be known when the citizen was not reached: leave it out")
	msgExtLimit        = i18n.M("已达延期次数上限（%d次，规则“%s”）", "no more extensions allowed (%d, policy %q)")
	msgExtTooLong      = i18n.M("单次延期不得超过%s，即不晚于 %s", "one extension may add at most %s: no later than %s")
)

// Do performs action on the case numbered number for actor, as the lifecycle
// table allows. The state change, its timeline entry and its audit record are
// one transaction. A refusal says why: 404 outside the actor's scope, 409
// when the state does not allow the action (naming the state and what is
// allowed), 403 when the state allows it but not for this actor.
func (s *Service) Do(ctx context.Context, actor access.Actor, number string, action Action, in ActionInput) (Case, error) {
	if !slices.Contains(TableActions(), action) {
		return Case{}, fault.New(fault.Invalid, "unknown-action", msgUnknownAct, string(action)).
			With("actions", TableActions())
	}
	var out Case
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.do(ctx, tx, actor, number, action, in)
		return err
	})
	if err != nil && denied(err) {
		err = s.recordDenied(ctx, actor, "case."+string(action), "case", number, err)
	}
	return out, err
}

// DoIn performs an action inside a transaction the caller holds: for the
// services that act on cases on their own (supervision's escalations).
func (s *Service) DoIn(ctx context.Context, tx *db.Tx, actor access.Actor, number string, action Action, in ActionInput) (Case, error) {
	return s.do(ctx, tx, actor, number, action, in)
}

func (s *Service) do(ctx context.Context, tx *db.Tx, actor access.Actor, number string, action Action, in ActionInput) (Case, error) {
	c, vis, err := s.loadVisible(ctx, tx, actor, number)
	if err != nil {
		return Case{}, err
	}
	if err := s.act(ctx, tx, actor, c, vis, action, in); err != nil {
		return Case{}, err
	}
	return caseByID(ctx, tx, c.ID)
}

// act performs an action on c as read in this transaction, which the
// actor sees (vis: within their scope, not only as its handler).
func (s *Service) act(ctx context.Context, tx *db.Tx, actor access.Actor, c Case, vis bool, action Action, in ActionInput) error {
	now := s.now()
	var err error
	allowed := s.Allowed(actor, c, vis)
	refuse := func(kind Kind, code string, msg i18n.Message, args ...any) error {
		return fault.New(kind, code, msg, args...).With("state", c.State).With("allowed_actions", allowed).
			With("version", c.Version)
	}
	actionName := ActionNames[action]
	rows := Rows(c.State, action)
	if len(rows) == 0 {
		return refuse(fault.Conflict, "transition-not-allowed", msgNotAllowed, stateName(c.State), actionName)
	}
	var row *Transition
	var guardMsg i18n.Message
	for i := range rows {
		if !permits(rows[i], actor, c, vis) {
			continue
		}
		if ok, why := guardHolds(rows[i], c); !ok {
			guardMsg = why
			continue
		}
		row = &rows[i]
		break
	}
	if row == nil {
		if guardMsg != (i18n.Message{}) {
			return refuse(fault.Conflict, "guard-failed", msgGuard, actionName, guardMsg)
		}
		return refuse(fault.Forbidden, "action-not-permitted", msgNotYours, actionName)
	}
	if in.ExpectedVersion != 0 && in.ExpectedVersion != c.Version {
		return refuse(fault.Conflict, "version-mismatch", msgVersion, c.Version, in.ExpectedVersion)
	}
	if err := s.validateInput(*row, in); err != nil {
		return err
	}

	before := c
	next := c
	next.State = row.Next(c.State, c.ResumeState)
	var newUnit int64
	var target Case // merge: the case the repeat joins
	switch action {
	case Register, Reclassify:
		var v fault.Validation
		s.checkClassification(ctx, tx, &v, in.Nature, in.CategoryID, in.Priority)
		if err := v.Err(); err != nil {
			return err
		}
		if in.Nature != "" {
			next.Nature = in.Nature
		}
		if in.CategoryID != 0 {
			next.CategoryID = in.CategoryID
		}
		if in.Priority != "" {
			next.Priority = in.Priority
		}
		if row.Guard == Classified && (next.Nature == "" || next.CategoryID == 0) {
			var v fault.Validation
			if next.Nature == "" {
				v.Add(string(FNature), msgNeedsClass)
			}
			if next.CategoryID == 0 {
				v.Add(string(FCategory), msgNeedsClass)
			}
			return v.Err()
		}
		if action == Register {
			// 不再受理: a concluded 复核 of the petitioner's matter bars it.
			if err := s.refuseBarred(ctx, tx, next); err != nil {
				return err
			}
		}
		if action == Reclassify && next.Nature == c.Nature && next.CategoryID == c.CategoryID && next.Priority == c.Priority {
			return fault.InvalidField(string(FNature), msgNothingChanged)
		}
	case Dispatch, Transfer:
		u, err := s.org.Unit(ctx, tx, in.UnitID)
		if err != nil || !u.Active() {
			return fault.InvalidField(string(FUnit), msgUnitInvalid)
		}
		if action == Transfer && u.ID == c.HandlingUnitID {
			return fault.InvalidField(string(FUnit), msgSameUnit)
		}
		if !in.DueAt.IsZero() && !in.DueAt.After(now) {
			return fault.InvalidField(string(FDue), msgDuePast)
		}
		next.HandlingUnitID, next.HandlerID, newUnit = u.ID, 0, u.ID
		if next.JurisdictionUnitID == 0 || action == Dispatch {
			next.JurisdictionUnitID = u.ID
		}
		// Deadlines are set below, once the policy is known.
	case Sign:
		next.HandlerID = actor.UserID
	case Return:
		next.HandlingUnitID, next.HandlerID = 0, 0 // the deadlines follow below
	case RequestExtension:
		floor := now
		if c.DueAt.After(floor) {
			floor = c.DueAt
		}
		if !in.DueAt.After(floor) {
			if c.DueAt.After(now) {
				return fault.InvalidField(string(FDue), msgDueNotLater, c.DueAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
			}
			return fault.InvalidField(string(FDue), msgDuePast)
		}
		next.RequestedDueAt = in.DueAt
	case ApproveExtension:
		next.DueAt, next.RequestedDueAt = c.RequestedDueAt, time.Time{}
		next.ExtensionCount++
	case DenyExtension:
		next.RequestedDueAt = time.Time{}
	case Suspend:
		next.ResumeState, next.SuspendedAt = c.State, now
	case CallBack:
		if !validSatisfaction(in.Satisfaction) {
			return fault.InvalidField(string(FSatisfaction), msgSatisfaction, in.Satisfaction)
		}
		// Whether the problem was solved is the citizen's answer: asked of
		// one reached, and not known of one who was not.
		switch {
		case in.Satisfaction == Unreachable && in.Resolved != nil:
			return fault.InvalidField(string(FResolved), msgResolvedUnknown)
		case in.Satisfaction != Unreachable && in.Resolved == nil:
			return fault.InvalidField(string(FResolved), fault.Required)
		}
		next.Satisfaction, next.Resolved = in.Satisfaction, in.Resolved
	case Rehandle:
		next.Satisfaction, next.Resolved = "unsatisfied", in.Resolved
	case CloseCase:
		next.ClosedAt = now
	case Merge:
		if target, err = s.mergeTarget(ctx, tx, actor, c, in.Into); err != nil {
			return err
		}
		next.ResumeState, next.MergedInto = c.State, target.ID
	case Unmerge:
		next.ResumeState, next.MergedInto = "", 0
		if next.ReportCount, err = reportsHeld(ctx, tx, c.ID); err != nil {
			return err
		}
	case Reopen:
		next.ClosedAt, next.HandlingUnitID, next.HandlerID = time.Time{}, 0, 0 // the deadlines follow below
		next.Satisfaction, next.Resolved = "", nil
	}

	// The clock: the policy for the case as now classified sets the
	// deadlines (SetDeadlines) and bounds extensions; Clock derives the
	// running deadline and the warning time from the state.
	if action == Register || action == Reclassify {
		// Classified now: routing can say more, and its rule may name the
		// deadline policy.
		if err := s.routeCase(ctx, tx, &next, next.Address+"\n"+next.Title); err != nil {
			return err
		}
	}
	policy, err := s.policyFor(ctx, tx, next)
	if err != nil {
		return err
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return err
	}
	var accepted time.Time // registering and reopening accept the case now
	if action != Register && action != Reopen {
		if accepted, err = acceptedAt(ctx, tx, next, policy); err != nil {
			return err
		}
	}
	var due time.Time // a dispatcher's own handling deadline
	if action == Dispatch || action == Transfer {
		due = in.DueAt
	}
	SetDeadlines(&next, action, policy, cal, now, accepted, due)
	switch action {
	case RequestExtension:
		if p := policy.MaxExtensions; p != nil && c.ExtensionCount >= *p {
			return fault.New(fault.Conflict, "extension-limit", msgExtLimit, *p, policy.Label())
		}
		if !policy.Extension.Zero() {
			if limit := policy.Extension.After(cal, c.DueAt); in.DueAt.After(limit) {
				return fault.InvalidField(string(FDue), msgExtTooLong, i18n.M(policy.Extension.Describe(i18n.ZH), policy.Extension.Describe(i18n.EN)),
					limit.In(s.cfg.Location).Format("2006-01-02 15:04"))
			}
		}
	}
	reclock(&next, c, policy.WarnRatio, now)
	next.PolicyID = policy.ID
	if action == Dispatch || action == Transfer {
		next.Triage = false // an operator decided
	}

	ok, err := updateCase(ctx, tx, next, now)
	if err != nil {
		return err
	}
	if !ok {
		return fault.New(fault.Conflict, "case-changed", msgChanged)
	}
	if err := involve(ctx, tx, c.ID, newUnit); err != nil {
		return err
	}
	said := i18n.Join(i18n.Line, in.Why, i18n.Plain(strings.TrimSpace(in.Reason)), i18n.Plain(strings.TrimSpace(in.Note)))
	note := said
	if action == Merge {
		note = i18n.Join(i18n.Line, msgMergedInto.Fill(target.Number), said)
	}
	changes := Diff(before, next, s.cfg.Location)
	entryID, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
		Action: action, FromState: c.State, ToState: next.State, Note: note, Changes: changes})
	if err != nil {
		return err
	}
	if _, err := insertAttachments(ctx, tx, c.ID, 0, entryID, actor.UserID, now, in.Evidence); err != nil {
		return err
	}
	scored := c.scoring()
	if action == Sign || action == Return {
		if scored.AssignedAt, err = assignedAt(ctx, tx, c.ID); err != nil {
			return err
		}
	}
	if err := s.score.Record(ctx, tx, score.Classify(string(action), c.ID, scored, next.scoring(), now)); err != nil {
		return err
	}
	detail := map[string]any{"from": c.State, "to": next.State, "timeline_id": entryID}
	if (action == Register || action == Reclassify) && (in.CategoryID != 0 || in.Nature != "") {
		learnt, err := s.learn(ctx, tx, actor, next, now)
		if err != nil {
			return err
		}
		maps.Copy(detail, learnt)
	}
	if newUnit != 0 {
		detail["unit_id"] = newUnit
		if c.RouteUnitID != 0 {
			// Whether the operator followed routing's suggestion: what
			// routing rules and the classifier learn from.
			detail["suggested_unit_id"], detail["followed_suggestion"] = c.RouteUnitID, newUnit == c.RouteUnitID
		}
	}
	switch action {
	case Merge:
		detail["into"] = target.Number
		if err := s.joinReports(ctx, tx, actor, c, target, said, now); err != nil {
			return err
		}
	case Unmerge:
		if err := s.returnReports(ctx, tx, actor, next, said, now); err != nil {
			return err
		}
	}
	if err := s.audit.Append(ctx, tx, entry(actor, "case."+string(action), "case", c.Number, audit.OK, detail)); err != nil {
		return err
	}
	if err := s.afterChange(ctx, tx, c, next, "case."+string(action), nil); err != nil {
		return err
	}
	return s.tell(ctx, tx, action, next, actor, note)
}

// Kind is fault.Kind, named here to keep refuse's signature short.
type Kind = fault.Kind

func (s *Service) validateInput(t Transition, in ActionInput) error {
	var v fault.Validation
	present := in.present()
	for _, f := range t.Required {
		if !present[f] {
			v.Add(string(f), fault.Required)
		}
	}
	for f, ok := range present {
		if ok && !t.Takes(f) {
			v.Add(string(f), msgNotTaken)
		}
	}
	if utf8.RuneCountInString(in.Note) > MaxNote {
		v.Add(string(FNote), fault.TooLong, MaxNote)
	}
	if utf8.RuneCountInString(in.Reason) > MaxNote {
		v.Add(string(FReason), fault.TooLong, MaxNote)
	}
	validateAttachments(&v, string(FEvidence), in.Evidence)
	return v.Err()
}

func validSatisfaction(s string) bool {
	for _, x := range Satisfactions {
		if x.Value == s {
			return true
		}
	}
	return false
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// assignedAt is when a case was last given to a unit (dispatched,
// transferred, or opened for a review); zero if never. A reviewed case's
// own record of a review request is never the latest: it is closed then,
// and a dispatch follows any reopening.
func assignedAt(ctx context.Context, q db.Querier, caseID int64) (time.Time, error) {
	return lastEntryAt(ctx, q, caseID, Dispatch, Transfer, RequestReview)
}

// acceptedAt is when c was accepted (registered, or reopened), for
// SetDeadlines: wanted only when c's policy counts the handling time from
// acceptance and c, past acceptance, has no handling deadline (it was
// accepted under another policy); zero otherwise.
func acceptedAt(ctx context.Context, q db.Querier, c Case, p deadline.Policy) (time.Time, error) {
	if p.HandleFrom != deadline.FromAcceptance || !c.DueAt.IsZero() ||
		c.State != Registered && c.State != Dispatched && c.State != Handling {
		return time.Time{}, nil
	}
	return lastEntryAt(ctx, q, c.ID, Register, Reopen)
}

// lastEntryAt is when one of actions last happened to the case; zero if
// never.
func lastEntryAt(ctx context.Context, q db.Querier, caseID int64, actions ...Action) (time.Time, error) {
	args := []any{caseID}
	ph := make([]string, len(actions))
	for i, a := range actions {
		args = append(args, a)
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	var at int64
	err := q.QueryRowContext(ctx, "SELECT at FROM timeline WHERE case_id = $1 AND action IN ("+strings.Join(ph, ", ")+
		") ORDER BY id DESC LIMIT 1", args...).Scan(&at)
	if db.IsNotFound(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("when case %d was last %v: %w", caseID, actions, err)
	}
	return time.UnixMicro(at), nil
}

// scoring is what the scorecards need of the case.
func (c Case) scoring() score.Snapshot {
	return score.Snapshot{HandlingUnitID: c.HandlingUnitID, SignDueAt: c.SignDueAt, DueAt: c.DueAt,
		Satisfaction: c.Satisfaction, Resolved: c.Resolved}
}

// Diff lists the fields an action changed, before and after, for the
// timeline. Times are written in zone loc.
func Diff(a, b Case, loc *time.Location) map[string][2]any {
	out := map[string][2]any{}
	add := func(name string, x, y any) {
		if x != y {
			out[name] = [2]any{x, y}
		}
	}
	tm := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.In(loc).Format(time.RFC3339)
	}
	add("nature", a.Nature, b.Nature)
	add("category_id", a.CategoryID, b.CategoryID)
	add("priority", string(a.Priority), string(b.Priority))
	add("jurisdiction_unit_id", a.JurisdictionUnitID, b.JurisdictionUnitID)
	add("handling_unit_id", a.HandlingUnitID, b.HandlingUnitID)
	add("handler_id", a.HandlerID, b.HandlerID)
	add("sign_due_at", tm(a.SignDueAt), tm(b.SignDueAt))
	add("due_at", tm(a.DueAt), tm(b.DueAt))
	add("requested_due_at", tm(a.RequestedDueAt), tm(b.RequestedDueAt))
	add("extension_count", a.ExtensionCount, b.ExtensionCount)
	add("satisfaction", a.Satisfaction, b.Satisfaction)
	var ra, rb any
	if a.Resolved != nil {
		ra = *a.Resolved
	}
	if b.Resolved != nil {
		rb = *b.Resolved
	}
	add("resolved", ra, rb)
	return out
}
