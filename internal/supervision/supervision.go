// Package supervision presses the unit handling a case until it is done
// (督办): a reminder when a case turns yellow, an automatic supervision
// order (督办单) from the supervising committee when it turns red, orders
// supervisors issue by hand (催办, 约谈, 实地, 通报), replies, and escalation
// to the unit's superior when an order goes unanswered. Warnings, orders
// and escalations fire from durable timers, exactly once.
package supervision

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/calendar"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/notify"
	"pingan/internal/org"
	"pingan/internal/timer"
)

// Kind of a supervision order.
type Kind string

const (
	Formal    Kind = "order"     // 督办单: a formal order, automatic when a case is overdue
	Remind    Kind = "remind"    // 催办
	Interview Kind = "interview" // 约谈
	Onsite    Kind = "onsite"    // 实地督办
	Notice    Kind = "notice"    // 通报: made known; no reply is due
)

// Kinds in display order.
var Kinds = []struct {
	Kind Kind
	Name i18n.Message
}{
	{Formal, i18n.M("督办单", "Supervision order")},
	{Remind, i18n.M("催办", "Reminder")},
	{Interview, i18n.M("约谈", "Interview")},
	{Onsite, i18n.M("实地督办", "On-site supervision")},
	{Notice, i18n.M("通报", "Public notice")},
}

// State of an order.
type State string

const (
	Open     State = "open"     // 待回复
	Replied  State = "replied"  // 已回复
	Breached State = "breached" // 逾期未回复 (escalated when a superior exists)
	Noted    State = "noted"    // 通报: nothing to reply
)

// OrderDue fires when an order's reply is due.
const OrderDue timer.Kind = "order.due"

// Order is a supervision order.
type Order struct {
	ID         int64
	Number     string
	CaseID     int64
	CaseNumber string
	Kind       Kind
	Automatic  bool
	Level      int
	ParentID   int64
	FromUnitID int64
	ToUnitID   int64
	IssuedBy   int64
	IssuedAt   time.Time
	Reason     i18n.Message // in both languages: a supervisor's own words as written, an automatic order's in each
	ReplyDueAt time.Time
	State      State
	RepliedAt  time.Time
	RepliedBy  int64
	Reply      string
}

// Service issues and tracks orders.
type Service struct {
	db       *db.DB
	audit    *audit.Log
	org      *org.Service
	cases    *casework.Service
	notify   *notify.Service
	timers   *timer.Service
	calendar *calendar.Service
	policies *deadline.Service
	prefix   string
	loc      *time.Location
	now      func() time.Time
}

// Deps are what supervision works with.
type Deps struct {
	DB       *db.DB
	Audit    *audit.Log
	Org      *org.Service
	Cases    *casework.Service
	Notify   *notify.Service
	Timers   *timer.Service
	Calendar *calendar.Service
	Policies *deadline.Service
	Location *time.Location
	Now      func() time.Time
}

// NewService returns the service and registers its timer handlers.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	s := &Service{db: d.DB, audit: d.Audit, org: d.Org, cases: d.Cases, notify: d.Notify, timers: d.Timers,
		calendar: d.Calendar, policies: d.Policies, prefix: "DB", loc: d.Location, now: d.Now}
	d.Timers.Handle(casework.TimerWarn, s.onWarn)
	d.Timers.Handle(casework.TimerOverdue, s.onOverdue)
	d.Timers.Handle(OrderDue, s.onOrderDue)
	d.Timers.Handle(casework.TimerRepeat, s.onRepeat)
	return s
}

var (
	msgWarn           = i18n.M("临期提醒：%s 将于 %s 到期", "Due soon: %s is due %s")
	msgIssued         = i18n.M("%s：%s（回复期限 %s）", "%s: %s (reply by %s)") // the kind, the case
	msgOrderNote      = i18n.M("%s %s：%s", "%s %s: %s")                  // on the case's timeline: the kind, the order, its reason
	msgReplied        = i18n.M("督办已回复：%s", "Supervision answered: %s")
	msgEscalated      = i18n.M("督办升级：%s 的下级单位逾期未回复", "Escalated: a unit under you did not answer supervision of %s")
	msgAutoReason     = i18n.M("案件已超过%s（%s），自动督办", "Supervised automatically: the case is past its deadline (%s: %s)")
	msgEscReason      = i18n.M("督办单 %s 逾期未回复，提级督办", "supervision order %s was not answered in time: escalated")
	msgOverdueNoOrder = i18n.M("已逾期：%s（无上级政法委，未生成督办单）", "Overdue: %s (no supervising committee above: no order)")
)

func (s *Service) fmtTime(t time.Time) string { return t.In(s.loc).Format("2006-01-02 15:04") }

// system is the actor of what pingan does itself, acting for a unit.
func system(unitID int64) access.Actor {
	a := access.System("pingan")
	a.UnitID = unitID
	return a
}

// onWarn reminds the handling unit when a case turns yellow.
func (s *Service) onWarn(ctx context.Context, tx *db.Tx, t timer.Timer, now time.Time) error {
	c, err := s.cases.Load(ctx, tx, t.Subject)
	if err != nil {
		return err
	}
	// Stale (the clock moved) or already red: the overdue timer acts.
	if !c.WarnAt.Equal(t.DueAt) || c.Status(now) != deadline.Yellow {
		return nil
	}
	unit := responsible(c)
	sup, err := s.org.SupervisingUnit(ctx, tx, unit)
	from := int64(0)
	if err == nil {
		from = sup.ID
	} else if fault.KindOf(err) != fault.NotFound {
		return err
	}
	text := msgWarn.Fill(c.Number+" "+c.Title, deadline.Text(c.DeadlineAt, s.loc))
	actor := system(from)
	if err := s.cases.Record(ctx, tx, actor, c, casework.Warn, text); err != nil {
		return err
	}
	if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: unit, Kind: "case.warning", CaseID: c.ID, Title: text}); err != nil {
		return err
	}
	if err := s.notify.Emit(ctx, tx, notify.Event{Type: "case.warning", CaseID: c.ID, CaseNumber: c.Number,
		Data: map[string]any{"deadline_at": c.DeadlineAt.In(s.loc).Format(time.RFC3339), "unit_id": unit}}); err != nil {
		return err
	}
	return s.audit.Append(ctx, tx, audit.Entry{ActorName: "pingan", UnitID: from, Action: "case.warn", ObjectType: "case",
		ObjectID: c.Number, Detail: map[string]any{"unit_id": unit, "deadline_at": c.DeadlineAt.UnixMicro()}})
}

// responsible is the unit whose clock is running: the handling unit, or the
// intake unit before dispatch.
func responsible(c casework.Case) int64 {
	if c.HandlingUnitID != 0 && (c.State == casework.Dispatched || c.State == casework.Handling) {
		return c.HandlingUnitID
	}
	return c.IntakeUnitID
}

// onOverdue marks a case overdue when it turns red (it counts in the
// backlog) and issues an automatic supervision order.
func (s *Service) onOverdue(ctx context.Context, tx *db.Tx, t timer.Timer, now time.Time) error {
	c, err := s.cases.Load(ctx, tx, t.Subject)
	if err != nil {
		return err
	}
	if !deadline.OverdueFrom(c.DeadlineAt).Equal(t.DueAt) || c.Status(now) != deadline.Red {
		return nil // the clock moved or stopped since the timer was set
	}
	// From now the case counts in its unit's backlog (积案).
	if err := s.cases.MarkOverdue(ctx, tx, c, now); err != nil {
		return err
	}
	unit := responsible(c)
	reason := msgAutoReason.Fill(c.DeadlineName(), deadline.Text(c.DeadlineAt, s.loc))
	sup, err := s.org.SupervisingUnit(ctx, tx, unit)
	switch {
	case fault.KindOf(err) == fault.NotFound:
		// No committee above the unit (the city's own committee, or an
		// organisation without one): the unit is told, and nobody orders.
		if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: unit, Kind: "case.overdue", CaseID: c.ID,
			Title: msgOverdueNoOrder.Fill(c.Number + " " + c.Title), Body: reason}); err != nil {
			return err
		}
		if err := s.audit.Append(ctx, tx, audit.Entry{ActorName: "pingan", Action: "supervision.issue", ObjectType: "case",
			ObjectID: c.Number, Outcome: audit.Denied, Detail: map[string]any{"unit_id": unit, "reason": "no supervising committee"}}); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if _, err := s.issue(ctx, tx, system(sup.ID), c, Formal, true, 1, 0, sup.ID, unit, reason, time.Time{}, now); err != nil {
			return err
		}
	}
	return s.notify.Emit(ctx, tx, notify.Event{Type: "case.overdue", CaseID: c.ID, CaseNumber: c.Number,
		Data: map[string]any{"deadline_at": c.DeadlineAt.In(s.loc).Format(time.RFC3339), "unit_id": unit}})
}

// onRepeat raises the jurisdiction of a case reported again and again
// (提级管辖): it goes to the handling unit's superior, which receives a
// supervision order saying why, and the unit it leaves is told.
func (s *Service) onRepeat(ctx context.Context, tx *db.Tx, t timer.Timer, now time.Time) error {
	c, err := s.cases.Load(ctx, tx, t.Subject)
	if err != nil {
		return err
	}
	if c.State != casework.Dispatched && c.State != casework.Handling {
		// Not with a unit yet (or done): there is nothing to raise. The
		// dispatcher sees the repeat count on the case.
		return s.audit.Append(ctx, tx, audit.Entry{ActorName: "pingan", Action: "case.escalate_jurisdiction",
			ObjectType: "case", ObjectID: c.Number, Outcome: audit.Denied, Detail: map[string]any{"state": c.State}})
	}
	from, err := s.org.Unit(ctx, tx, c.HandlingUnitID)
	if err != nil {
		return err
	}
	if from.ParentID == 0 {
		return nil // already at the top
	}
	to, err := s.org.Unit(ctx, tx, from.ParentID)
	if err != nil {
		return err
	}
	// Without a committee above the higher unit, the case is still
	// raised; only the supervision order is missing.
	sup, err := s.org.SupervisingUnit(ctx, tx, to.ID)
	if err != nil && fault.KindOf(err) != fault.NotFound {
		return err
	}
	rule, recent, err := s.cases.Escalation(ctx, tx, c, now)
	if err != nil {
		return err
	}
	reason := msgRepeatReason.Fill(rule.Days, recent, from.Name, to.Name)
	actor := system(sup.ID)
	actor.Roles = []access.Role{access.Dispatcher} // the platform transfers it, as a dispatcher would
	moved, err := s.cases.DoIn(ctx, tx, actor, c.Number, casework.Transfer, casework.ActionInput{UnitID: to.ID, Why: reason})
	if err != nil {
		return err
	}
	if sup.ID != 0 {
		if _, err := s.issue(ctx, tx, system(sup.ID), moved, Formal, true, 1, 0, sup.ID, to.ID, reason, time.Time{}, now); err != nil {
			return err
		}
	} else if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: to.ID, Kind: "case.escalated", CaseID: c.ID,
		Title: msgRaised.Fill(c.Number, to.Name), Body: reason}); err != nil {
		return err // the order would have told the higher unit
	}
	if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: from.ID, Kind: "case.escalated", CaseID: c.ID,
		Title: msgRaised.Fill(c.Number, to.Name), Body: reason}); err != nil {
		return err
	}
	return s.audit.Append(ctx, tx, audit.Entry{ActorName: "pingan", UnitID: sup.ID, Action: "case.escalate_jurisdiction",
		ObjectType: "case", ObjectID: c.Number, Detail: map[string]any{"from_unit_id": from.ID, "to_unit_id": to.ID,
			"reports": c.ReportCount, "recent_reports": recent, "rule": fmt.Sprintf("%d reports in %d days", rule.Reports, rule.Days)}})
}

// onOrderDue marks an unanswered order breached and escalates it to the
// superior of the unit that did not answer.
func (s *Service) onOrderDue(ctx context.Context, tx *db.Tx, t timer.Timer, now time.Time) error {
	o, err := s.order(ctx, tx, "o.id = $1", t.Subject)
	if err != nil {
		return err
	}
	if o.State != Open {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE supervision_orders SET state = $1 WHERE id = $2", Breached, o.ID); err != nil {
		return fmt.Errorf("breach order %s: %w", o.Number, err)
	}
	to, err := s.org.Unit(ctx, tx, o.ToUnitID)
	if err != nil {
		return err
	}
	c, err := s.cases.Load(ctx, tx, o.CaseID)
	if err != nil {
		return err
	}
	detail := map[string]any{"order": o.Number, "level": o.Level}
	if to.ParentID == 0 && c.State.Open() {
		// Nobody above to press: the unit that issued the order (the
		// committee supervising at the top) is told it went unanswered,
		// for its people to take up.
		if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: o.FromUnitID, Kind: "supervision.breached", CaseID: c.ID,
			OrderID: o.ID, Title: msgBreachedAtTop.Fill(o.Number, to.Name, c.Number)}); err != nil {
			return err
		}
		detail["told_unit_id"] = o.FromUnitID
	}
	if to.ParentID == 0 || !c.State.Open() {
		return s.audit.Append(ctx, tx, audit.Entry{ActorName: "pingan", UnitID: o.FromUnitID, Action: "supervision.breach",
			ObjectType: "supervision_order", ObjectID: o.Number, Detail: detail})
	}
	from := o.FromUnitID
	if sup, err := s.org.SupervisingUnit(ctx, tx, to.ParentID); err == nil {
		from = sup.ID
	}
	reason := msgEscReason.Fill(o.Number)
	esc, err := s.issue(ctx, tx, system(from), c, Formal, true, o.Level+1, o.ID, from, to.ParentID, reason, time.Time{}, now)
	if err != nil {
		return err
	}
	if err := s.cases.Record(ctx, tx, system(from), c, casework.Escalate, i18n.Join(i18n.Plain(" → "), reason, i18n.Plain(esc.Number))); err != nil {
		return err
	}
	if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: to.ParentID, Kind: "supervision.escalated", CaseID: c.ID,
		OrderID: esc.ID, Title: msgEscalated.Fill(c.Number)}); err != nil {
		return err
	}
	detail["escalated_to"] = esc.Number
	if err := s.notify.Emit(ctx, tx, notify.Event{Type: "supervision.escalated", CaseID: c.ID, CaseNumber: c.Number,
		Data: map[string]any{"order": o.Number, "escalated_to": esc.Number, "unit_id": to.ParentID}}); err != nil {
		return err
	}
	return s.audit.Append(ctx, tx, audit.Entry{ActorName: "pingan", UnitID: from, Action: "supervision.escalate",
		ObjectType: "supervision_order", ObjectID: o.Number, Detail: detail})
}

// issue writes an order with its timeline entry, inbox message, webhook
// event, audit record and reply timer. A zero replyDue takes the policy's.
func (s *Service) issue(ctx context.Context, tx *db.Tx, actor access.Actor, c casework.Case, kind Kind, automatic bool,
	level int, parent, from, to int64, reason i18n.Message, replyDue, now time.Time) (Order, error) {
	year := now.In(s.loc).Year()
	n, err := tx.NextInSeries(ctx, "order:"+strconv.Itoa(year))
	if err != nil {
		return Order{}, err
	}
	o := Order{Number: fmt.Sprintf("%s-%d-%06d", s.prefix, year, n), CaseID: c.ID, CaseNumber: c.Number, Kind: kind,
		Automatic: automatic, Level: level, ParentID: parent, FromUnitID: from, ToUnitID: to, IssuedBy: actor.UserID,
		IssuedAt: now, Reason: reason, State: Open}
	if kind == Notice {
		o.State = Noted
	} else {
		if replyDue.IsZero() {
			p, err := s.policies.Resolve(ctx, c.Nature, "", string(c.Priority))
			if err != nil {
				return Order{}, err
			}
			if c.PolicyID != 0 {
				if pp, err := s.policies.Get(ctx, tx, c.PolicyID); err == nil {
					p = pp
				}
			}
			cal, err := s.calendar.Calendar(ctx)
			if err != nil {
				return Order{}, err
			}
			replyDue = p.Reply.After(cal, now)
		}
		o.ReplyDueAt = replyDue
	}
	reasonZH, reasonEN := o.Reason.Columns()
	err = tx.QueryRowContext(ctx, `INSERT INTO supervision_orders (number, case_id, kind, automatic, level, parent_id,
		from_unit_id, to_unit_id, issued_by, issued_at, reason, reason_en, reply_due_at, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		o.Number, o.CaseID, o.Kind, o.Automatic, o.Level, db.NullID(o.ParentID), o.FromUnitID, o.ToUnitID,
		db.NullID(o.IssuedBy), now.UnixMicro(), reasonZH, reasonEN, o.ReplyDueAt.UnixMicro(), o.State).Scan(&o.ID)
	if err != nil {
		return Order{}, fmt.Errorf("issue supervision order: %w", err)
	}
	if o.State == Open {
		if err := s.timers.Set(ctx, tx, OrderDue, o.ID, o.ReplyDueAt); err != nil {
			return Order{}, err
		}
	}
	if err := s.cases.Record(ctx, tx, actor, c, casework.Supervise, msgOrderNote.Fill(kindMessage(kind), o.Number, reason)); err != nil {
		return Order{}, err
	}
	due := "—"
	if !o.ReplyDueAt.IsZero() && o.State == Open {
		due = deadline.Text(o.ReplyDueAt, s.loc)
	}
	if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: to, Kind: "supervision.issued", CaseID: c.ID, OrderID: o.ID,
		Title: msgIssued.Fill(kindMessage(kind), c.Number+" "+c.Title, due), Body: reason}); err != nil {
		return Order{}, err
	}
	if err := s.notify.Emit(ctx, tx, notify.Event{Type: "supervision.issued", CaseID: c.ID, CaseNumber: c.Number,
		Data: map[string]any{"order": o.Number, "kind": kind, "automatic": automatic, "level": level, "from_unit_id": from,
			"to_unit_id": to}}); err != nil {
		return Order{}, err
	}
	return o, s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: from,
		Action: "supervision.issue", ObjectType: "supervision_order", ObjectID: o.Number, RemoteAddr: actor.RemoteAddr,
		Detail: map[string]any{"case": c.Number, "kind": kind, "automatic": automatic, "to_unit_id": to, "level": level}})
}

// known reports whether k is one of Kinds.
func (k Kind) known() bool {
	for _, x := range Kinds {
		if x.Kind == k {
			return true
		}
	}
	return false
}

// kindMessage names a kind of supervision.
func kindMessage(k Kind) i18n.Message {
	for _, x := range Kinds {
		if x.Kind == k {
			return x.Name
		}
	}
	return i18n.Plain(string(k))
}

var (
	msgRepeatReason  = i18n.M("提级管辖：同一事项%d天内已被反映%d次，由%s提级至%s办理", "escalated jurisdiction: the matter was reported %[2]d {time|times} within %[1]d {day|days}; raised from %[3]s to %[4]s")
	msgRaised        = i18n.M("案件 %s 已提级至%s办理", "case %s was raised to %s")
	msgNotSupervisor = i18n.M("只有督办员可以发出督办", "only supervisors issue supervision")
	msgBadKind       = i18n.M("督办方式无效：%s", "invalid supervision kind: %s")
	msgBadState      = i18n.M("督办单状态无效：%s", "invalid supervision order state: %s")
	msgNoTarget      = i18n.M("案件当前没有承办单位可督办", "the case has no unit to supervise")
	msgClosed        = i18n.M("案件已办结，无需督办", "the case is closed: nothing to supervise")
	msgBreachedAtTop = i18n.M("督办单 %s 逾期未回复（%s），已无上级可提级督办，请研究处理：%s", "%s went unanswered (%s) and there is no one above to escalate to: take it up — %s")
	msgNotYours      = i18n.M("只有被督办单位可以回复", "only the supervised unit may reply")
	msgNotOpen       = i18n.M("督办单 %s 当前为“%s”，不能回复", "order %s is %s: it takes no reply")
	msgDuePast       = i18n.M("须晚于当前时间", "must be in the future")
)

// IssueInput is a supervisor's order.
type IssueInput struct {
	Kind       Kind
	Reason     string
	ReplyDueAt time.Time // zero: the case policy's reply limit
}

// Issue sends an order about a case in the supervisor's scope to the unit
// handling it (or that took it in, before dispatch).
func (s *Service) Issue(ctx context.Context, actor access.Actor, caseNumber string, in IssueInput) (Order, error) {
	refuse := func(err error) (Order, error) {
		return Order{}, s.audit.Refuse(ctx, s.db, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username,
			UnitID: actor.UnitID, Action: "supervision.issue", ObjectType: "case", ObjectID: caseNumber,
			RemoteAddr: actor.RemoteAddr}, err)
	}
	// Scope first: outside it the case does not exist, whatever the input.
	if _, err := s.cases.Visible(ctx, s.db, actor, caseNumber); err != nil {
		return refuse(err)
	}
	if !actor.Has(access.Supervisor) && !actor.System {
		return refuse(fault.New(fault.Forbidden, "forbidden", msgNotSupervisor))
	}
	var v fault.Validation
	if !in.Kind.known() {
		v.Add("kind", msgBadKind, string(in.Kind))
	}
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.Reason == "":
		v.Add("reason", fault.Required)
	case utf8.RuneCountInString(in.Reason) > casework.MaxNote:
		v.Add("reason", fault.TooLong, casework.MaxNote)
	}
	now := s.now()
	if !in.ReplyDueAt.IsZero() && !in.ReplyDueAt.After(now) {
		v.Add("reply_due_at", msgDuePast)
	}
	if err := v.Err(); err != nil {
		return Order{}, err
	}
	var out Order
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := s.cases.Visible(ctx, tx, actor, caseNumber)
		if err != nil {
			return err
		}
		if !c.State.Open() {
			return fault.New(fault.Conflict, "case-closed", msgClosed)
		}
		to := responsible(c)
		if to == 0 {
			return fault.New(fault.Conflict, "no-target", msgNoTarget)
		}
		if err := s.checkAwaiting(ctx, tx, c, to, in.Kind); err != nil {
			return err
		}
		out, err = s.issue(ctx, tx, actor, c, in.Kind, false, 1, 0, actor.UnitID, to, i18n.Plain(in.Reason), in.ReplyDueAt, now)
		return err
	})
	if fault.KindOf(err) == fault.Conflict {
		return refuse(err)
	}
	return out, err
}

// checkAwaiting refuses a second order of a kind to a unit about a case
// while the first still awaits its reply (a supervisor pressing again sends
// another kind: 催办 after a 督办单, or 约谈). A 通报 awaits nothing.
func (s *Service) checkAwaiting(ctx context.Context, tx *db.Tx, c casework.Case, to int64, kind Kind) error {
	if kind == Notice {
		return nil
	}
	var number string
	var issued, due int64
	err := tx.QueryRowContext(ctx, `SELECT number, issued_at, reply_due_at FROM supervision_orders
		WHERE case_id = $1 AND to_unit_id = $2 AND kind = $3 AND state = $4 ORDER BY id DESC LIMIT 1`,
		c.ID, to, kind, Open).Scan(&number, &issued, &due)
	if db.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open orders of %s: %w", c.Number, err)
	}
	return fault.New(fault.Conflict, "order-awaiting-reply", msgAwaiting, kindMessage(kind), number,
		s.fmtTime(time.UnixMicro(issued)), deadline.Text(time.UnixMicro(due), s.loc)).With("order", number)
}

var msgAwaiting = i18n.M("已有同类督办（%s %s，%s 发出）在等待回复，回复期限 %s；请等待回复或改用其他督办方式",
	"%s %s (issued %s) already awaits its reply, due %s: wait for it or press in another way")

// Reply answers an open order, by a member of the unit it was sent to.
func (s *Service) Reply(ctx context.Context, actor access.Actor, number, reply string) (Order, error) {
	reply = strings.TrimSpace(reply)
	if reply == "" {
		return Order{}, fault.InvalidField("reply", fault.Required)
	}
	if utf8.RuneCountInString(reply) > casework.MaxNote {
		return Order{}, fault.InvalidField("reply", fault.TooLong, casework.MaxNote)
	}
	var out Order
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		o, err := s.order(ctx, tx, "o.number = $1", number)
		if err != nil {
			return err
		}
		if ok, err := s.sees(ctx, tx, actor, o); err != nil || !ok {
			return cmp.Or[error](err, fault.NotFoundf(i18n.M("督办单", "supervision order"), number))
		}
		if !o.sentTo(actor) {
			return fault.New(fault.Forbidden, "forbidden", msgNotYours)
		}
		if o.State != Open {
			return fault.New(fault.Conflict, "order-not-open", msgNotOpen, o.Number, stateLabel(o.State, i18n.ZH))
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE supervision_orders SET state = $1, replied_at = $2, replied_by = $3, reply = $4
			WHERE id = $5`, Replied, now.UnixMicro(), actor.UserID, reply, o.ID); err != nil {
			return fmt.Errorf("reply to %s: %w", number, err)
		}
		if err := s.timers.Set(ctx, tx, OrderDue, o.ID, time.Time{}); err != nil {
			return err
		}
		c, err := s.cases.Load(ctx, tx, o.CaseID)
		if err != nil {
			return err
		}
		if err := s.cases.Record(ctx, tx, actor, c, casework.SuperviseReply, i18n.Join(i18n.Colon, i18n.Plain(o.Number), i18n.Plain(reply))); err != nil {
			return err
		}
		// The answer goes to the supervisor who issued the order by hand;
		// an automatic order's answer, to the supervising unit.
		if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: o.FromUnitID, UserID: o.IssuedBy, Kind: "supervision.replied", CaseID: c.ID,
			OrderID: o.ID, Title: msgReplied.Fill(o.Number + " " + c.Number + " " + c.Title), Body: i18n.Plain(reply)}); err != nil {
			return err
		}
		if err := s.notify.Emit(ctx, tx, notify.Event{Type: "supervision.replied", CaseID: c.ID, CaseNumber: c.Number,
			Data: map[string]any{"order": o.Number}}); err != nil {
			return err
		}
		if err := s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "supervision.reply", ObjectType: "supervision_order", ObjectID: o.Number, RemoteAddr: actor.RemoteAddr}); err != nil {
			return err
		}
		out, err = s.order(ctx, tx, "o.id = $1", o.ID)
		return err
	})
	if err != nil && fault.KindOf(err) == fault.Forbidden {
		err = s.audit.Refuse(ctx, s.db, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "supervision.reply", ObjectType: "supervision_order", ObjectID: number, RemoteAddr: actor.RemoteAddr}, err)
	}
	return out, err
}

// States of orders in display order.
var States = []struct {
	State State
	Name  i18n.Message
}{
	{Open, i18n.M("待回复", "Awaiting reply")},
	{Replied, i18n.M("已回复", "Replied")},
	{Breached, i18n.M("逾期未回复", "Not answered in time")},
	{Noted, i18n.M("已通报", "Noted")},
}

// known reports whether st is one of States.
func (st State) known() bool {
	for _, x := range States {
		if x.State == st {
			return true
		}
	}
	return false
}

// sentTo reports whether actor answers for the unit o was sent to: a case
// worker of that unit.
func (o Order) sentTo(actor access.Actor) bool {
	return actor.UnitID == o.ToUnitID && actor.CaseWorker()
}

// MayReply reports whether actor may answer o now: it is open and sent to
// the actor's unit. Reply enforces it; pages ask it to offer the form.
func (o Order) MayReply(actor access.Actor) bool { return o.State == Open && o.sentTo(actor) }

func stateLabel(st State, lang i18n.Lang) string {
	for _, x := range States {
		if x.State == st {
			return x.Name.Format(lang)
		}
	}
	return string(st)
}

// sees reports whether actor may see an order: one of its units is in
// scope, or its case is visible to the actor (seesCase).
func (s *Service) sees(ctx context.Context, q db.Querier, actor access.Actor, o Order) (bool, error) {
	if actor.System || (actor.CaseWorker() && (actor.Scope.Contains(o.ToUnitID) || actor.Scope.Contains(o.FromUnitID))) {
		return true, nil
	}
	if !actor.CaseWorker() {
		return false, nil
	}
	return s.seesCase(ctx, q, actor, o.CaseNumber)
}

// seesCase reports whether actor may see the case numbered number: whoever
// may, sees every order on it, whichever units the order is between (the
// case's history records each, and its page lists them).
func (s *Service) seesCase(ctx context.Context, q db.Querier, actor access.Actor, number string) (bool, error) {
	_, err := s.cases.Visible(ctx, q, actor, number)
	if fault.KindOf(err) == fault.NotFound {
		return false, nil
	}
	return err == nil, err
}

const orderColumns = `o.id, o.number, o.case_id, c.number, o.kind, o.automatic, o.level, COALESCE(o.parent_id, 0),
	o.from_unit_id, o.to_unit_id, COALESCE(o.issued_by, 0), o.issued_at, o.reason, o.reason_en, o.reply_due_at, o.state,
	o.replied_at, COALESCE(o.replied_by, 0), o.reply`

func scanOrder(sc interface{ Scan(...any) error }) (Order, error) {
	var o Order
	var issued, due int64
	var replied sql.NullInt64
	var reason, reasonEN string
	if err := sc.Scan(&o.ID, &o.Number, &o.CaseID, &o.CaseNumber, &o.Kind, &o.Automatic, &o.Level, &o.ParentID,
		&o.FromUnitID, &o.ToUnitID, &o.IssuedBy, &issued, &reason, &reasonEN, &due, &o.State, &replied, &o.RepliedBy, &o.Reply); err != nil {
		return Order{}, err
	}
	o.Reason = i18n.Stored(reason, reasonEN)
	o.IssuedAt, o.RepliedAt = time.UnixMicro(issued), db.Time(replied)
	if due != 0 {
		o.ReplyDueAt = time.UnixMicro(due)
	}
	return o, nil
}

func (s *Service) order(ctx context.Context, q db.Querier, where string, arg any) (Order, error) {
	o, err := scanOrder(q.QueryRowContext(ctx, "SELECT "+orderColumns+
		" FROM supervision_orders o JOIN cases c ON c.id = o.case_id WHERE "+where, arg))
	if db.IsNotFound(err) {
		return Order{}, fault.NotFoundf(i18n.M("督办单", "supervision order"), arg)
	}
	return o, err
}

// Get returns an order the actor may see.
func (s *Service) Get(ctx context.Context, actor access.Actor, number string) (Order, error) {
	o, err := s.order(ctx, s.db, "o.number = $1", number)
	if err != nil {
		return Order{}, err
	}
	if ok, err := s.sees(ctx, s.db, actor, o); err != nil || !ok {
		return Order{}, cmp.Or[error](err, fault.NotFoundf(i18n.M("督办单", "supervision order"), number))
	}
	return o, nil
}

// Filter narrows the ledger.
type Filter struct {
	UnitID     int64 // orders to or from this unit
	Kind       Kind
	Automatic  bool // only orders pingan issued itself
	State      State
	CaseNumber string
	From, To   time.Time // issued in [From, To)
	Before     int64     // page: orders older than this id
	Limit      int
}

// where turns a filter, within the actor's scope, into SQL conditions and
// their arguments; ok is false when nothing can match (an empty scope).
func (f Filter) where(actor access.Actor) (cond string, args []any, ok bool) {
	var where []string
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !actor.Scope.All && !actor.System {
		ph := make([]string, len(actor.Scope.Units))
		for i, u := range actor.Scope.Units {
			ph[i] = arg(u)
		}
		if len(ph) == 0 {
			return "", nil, false
		}
		list := strings.Join(ph, ", ")
		where = append(where, "(o.to_unit_id IN ("+list+") OR o.from_unit_id IN ("+list+"))")
	}
	if f.UnitID != 0 {
		u := arg(f.UnitID)
		where = append(where, "(o.to_unit_id = "+u+" OR o.from_unit_id = "+u+")")
	}
	if f.Kind != "" {
		where = append(where, "o.kind = "+arg(f.Kind))
	}
	if f.Automatic {
		where = append(where, "o.automatic = "+arg(true))
	}
	if f.State != "" {
		where = append(where, "o.state = "+arg(f.State))
	}
	if f.CaseNumber != "" {
		where = append(where, "o.case_id = (SELECT id FROM cases WHERE number = "+arg(f.CaseNumber)+")")
	}
	if !f.From.IsZero() {
		where = append(where, "o.issued_at >= "+arg(f.From.UnixMicro()))
	}
	if !f.To.IsZero() {
		where = append(where, "o.issued_at < "+arg(f.To.UnixMicro()))
	}
	if f.Before > 0 {
		where = append(where, "o.id < "+arg(f.Before))
	}
	if len(where) == 0 {
		return "", nil, true
	}
	return " WHERE " + strings.Join(where, " AND "), args, true
}

// where is f.where for actor, except that the orders on one case (f names
// it) are everyone's who may see that case (seesCase). A case the actor
// may not see has none (ok false).
func (s *Service) where(ctx context.Context, actor access.Actor, f Filter) (string, []any, bool, error) {
	if f.CaseNumber != "" && !actor.Scope.All && !actor.System {
		if ok, err := s.seesCase(ctx, s.db, actor, f.CaseNumber); err != nil || !ok {
			return "", nil, false, err
		}
		actor.Scope = access.Scope{All: true}
	}
	cond, args, ok := f.where(actor)
	return cond, args, ok, nil
}

// check refuses the ledger to accounts that do no case work, and a filter
// naming a kind or state that does not exist.
func (f Filter) check(actor access.Actor) error {
	if !actor.System && !actor.CaseWorker() {
		return fault.New(fault.Forbidden, "forbidden", msgNotSupervisor)
	}
	var v fault.Validation
	if f.Kind != "" && !f.Kind.known() {
		v.Add("kind", msgBadKind, string(f.Kind))
	}
	if f.State != "" && !f.State.known() {
		v.Add("state", msgBadState, string(f.State))
	}
	return v.Err()
}

// Ledger lists the orders the actor may see, newest first: the ledger of a
// unit's supervision (督办台账).
func (s *Service) Ledger(ctx context.Context, actor access.Actor, f Filter) ([]Order, error) {
	if err := f.check(actor); err != nil {
		return nil, err
	}
	where, args, ok, err := s.where(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	if !ok {
		return []Order{}, nil
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := "SELECT " + orderColumns + " FROM supervision_orders o JOIN cases c ON c.id = o.case_id" + where
	rows, err := s.db.QueryContext(ctx, q+fmt.Sprintf(" ORDER BY o.id DESC LIMIT %d", limit), args...)
	if err != nil {
		return nil, fmt.Errorf("supervision ledger: %w", err)
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("supervision ledger: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Count is how many orders of the ledger match f (Before and Limit aside).
func (s *Service) Count(ctx context.Context, actor access.Actor, f Filter) (int, error) {
	if err := f.check(actor); err != nil {
		return 0, err
	}
	f.Before = 0
	where, args, ok, err := s.where(ctx, actor, f)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM supervision_orders o"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count supervision orders: %w", err)
	}
	return n, nil
}
