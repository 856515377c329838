// Package casework is the closed loop: reports come in, become cases, and
// move through the lifecycle table (lifecycle.go) from intake to closure.
// Every change is one atomic write with its timeline entry and audit record,
// and every read and write is checked against the actor's unit scope.
package casework

import (
	"time"

	"pingan/internal/calendar"
	"pingan/internal/deadline"
	"pingan/internal/i18n"
	"pingan/internal/route"
	"pingan/internal/score"
)

// Priority of a case.
type Priority string

const (
	Normal    Priority = "normal"    // 一般
	Urgent    Priority = "urgent"    // 紧急
	Emergency Priority = "emergency" // 特急
)

// Priorities in display order.
var Priorities = []struct {
	Priority Priority
	Name     i18n.Message
}{
	{Normal, i18n.M("一般", "Normal")},
	{Urgent, i18n.M("紧急", "Urgent")},
	{Emergency, i18n.M("特急", "Emergency")},
}

// Channel is how a report reached pingan.
type Channel string

// Channels in display order. A machine's channel is the one a system
// reports by (Open311, a bulk import, an integration), not one a person at
// the intake desk takes a report from.
var Channels = []struct {
	Channel Channel
	Name    i18n.Message
	Machine bool
}{
	{"hotline", i18n.M("12345热线", "12345 hotline"), false},
	{"police_110", i18n.M("110接警", "110 police call"), false},
	{"web", i18n.M("网站留言", "Website"), false},
	{"app", i18n.M("移动应用", "Mobile app"), false},
	{"wechat", i18n.M("微信", "WeChat"), false},
	{"letter", i18n.M("来信", "Letter"), false},
	{"visit", i18n.M("来访", "Visit in person"), false},
	{"email", i18n.M("电子邮件", "Email"), false},
	{"grid", i18n.M("网格员上报", "Grid worker"), false},
	{"open311", i18n.M("Open311接口", "Open311"), true},
	{"import", i18n.M("批量导入", "Bulk import"), true},
	{"api", i18n.M("系统对接", "System integration"), true},
}

// Satisfaction recorded at callback.
var Satisfactions = []struct {
	Value string
	Name  i18n.Message
}{
	{"satisfied", i18n.M("满意", "Satisfied")},
	{"basically_satisfied", i18n.M("基本满意", "Basically satisfied")},
	{"unsatisfied", i18n.M("不满意", "Unsatisfied")},
	{Unreachable, i18n.M("未能联系", "Could not be reached")},
}

// Unreachable is the callback's result when the citizen could not be
// reached: then nobody said whether the problem was solved.
const Unreachable = "unreachable"

// LinkKinds are the ways two cases can be related.
var LinkKinds = []struct {
	Kind string
	Name i18n.Message
}{
	{"related", i18n.M("相关", "Related")},
	{"follow_up", i18n.M("后续", "Follow-up")},
}

// Point is a WGS-84 coordinate.
type Point struct {
	Lat, Lon float64
}

// Case is the matter: it owns one or more reports.
type Case struct {
	ID                 int64
	Number             string
	Title              string
	Nature             string
	CategoryID         int64
	Priority           Priority
	State              State
	ResumeState        State
	MergedInto         int64 // the case this one was merged into (state Merged)
	Channel            Channel
	IntakeUnitID       int64
	JurisdictionUnitID int64
	HandlingUnitID     int64
	HandlerID          int64
	DivisionCode       string
	Address            string
	Location           *Point
	ReceivedAt         time.Time
	SignDueAt          time.Time
	DueAt              time.Time
	SuspendedAt        time.Time
	RequestedDueAt     time.Time
	ExtensionCount     int
	ReportCount        int
	Satisfaction       string
	Resolved           *bool
	ClosedAt           time.Time
	UpdatedAt          time.Time
	Version            int

	// The clock (see Clock): when the case must be accepted (信访), when
	// its handling clock started, the running deadline and when it turns
	// yellow, and the policy that set them.
	AcceptDueAt  time.Time
	ClockStartAt time.Time
	DeadlineAt   time.Time
	WarnAt       time.Time
	PolicyID     int64
	// OverdueAt is when pingan recorded the running deadline passed (its
	// overdue timer fired, or an action or a rebuild found it passed);
	// zero while not recorded, and again once the deadline moves or
	// stops. A marked case counts in the backlog (score.TrackOverdue).
	OverdueAt time.Time

	// Where routing suggested the case go, and why (package route); Triage
	// when it waits for an operator to place or route it.
	RouteUnitID int64
	Route       route.Decision
	Triage      bool

	// Suggestion is the classifier's guess at the category and nature,
	// made at intake.
	Suggestion *Suggestion

	// FinalHolder is, for a merged case read by number, a case its merge
	// changed that is no longer open (finalHolder); zero otherwise.
	FinalHolder Holder
}

// Suggestion is a category (and nature) the classifier suggested.
type Suggestion struct {
	Label            string  `json:"label"`                 // a category path label, as deep as the model is sure: 城乡建设/城市建设和市政管理
	CategoryID       int64   `json:"category_id,omitempty"` // the deepest catalogue category the label names
	Confidence       float64 `json:"confidence"`
	Nature           string  `json:"nature,omitempty"` // a nature code, when the model has learnt natures
	NatureConfidence float64 `json:"nature_confidence,omitempty"`
	Model            string  `json:"model"` // the model's version
}

// RepeatCount is how many reports came after the first.
func (c Case) RepeatCount() int { return c.ReportCount - 1 }

// Status is the colour of the case's running clock at now: red when the
// running deadline has passed, yellow from the warning time, green before;
// none when no clock runs.
func (c Case) Status(now time.Time) deadline.Status {
	return deadline.StatusAt(c.WarnAt, c.DeadlineAt, now)
}

// Overdue reports whether the running deadline has passed at now.
func (c Case) Overdue(now time.Time) bool { return c.Status(now) == deadline.Red }

// DeadlineName names the deadline c's clock runs to (DeadlineAt): to accept
// it (立案期限), to sign for it (签收期限) or to handle it (办理期限).
func (c Case) DeadlineName() i18n.Message {
	if at, name := c.running(); !at.IsZero() && at.Equal(c.DeadlineAt) {
		return name
	}
	return msgDeadline
}

// running is the deadline c's state runs a clock to, and its name: the
// one choice of Clock and DeadlineName (deadlines may fall at one instant,
// accept and sign for within a working day each of one morning).
func (c Case) running() (time.Time, i18n.Message) {
	switch c.State {
	case Received:
		return c.AcceptDueAt, msgAcceptBy
	case Dispatched:
		if !c.SignDueAt.IsZero() && (c.DueAt.IsZero() || c.SignDueAt.Before(c.DueAt)) {
			return c.SignDueAt, msgSignBy
		}
		return c.DueAt, msgHandleBy
	case Registered, Handling:
		return c.DueAt, msgHandleBy
	}
	return time.Time{}, msgDeadline
}

var (
	msgAcceptBy = i18n.M("立案期限", "Register by")
	msgSignBy   = i18n.M("签收期限", "Sign for by")
	msgHandleBy = i18n.M("办理期限", "Due")
	msgDeadline = i18n.M("期限", "Deadline")
)

// acceptBy sets when a case waiting to be accepted (受理) must be accepted
// or rejected: its policy's time to accept, counted from its receipt. A
// case past that step, or under a policy without the limit, has none.
func acceptBy(c *Case, p deadline.Policy, cal *calendar.Calendar) {
	c.AcceptDueAt = time.Time{}
	if c.State == Received && !p.Accept.Zero() {
		c.AcceptDueAt = time.UnixMicro(p.Accept.After(cal, c.ReceivedAt).UnixMicro())
	}
}

// SetDeadlines moves the deadlines of c for action, done at t under policy
// p: the one statement of when each time limit starts, for the service and
// for the generator (package casegen). A dispatch or transfer gives the
// unit its time to sign for the case. The handling time starts at each
// dispatch (a return stops it), or, under a policy that counts it from
// acceptance (deadline.FromAcceptance: petitions), at registration or
// reopening, and runs on through dispatches, returns and transfers;
// accepted is when a case without that deadline (registered before its
// policy counted from acceptance) was accepted, zero if unknown (then t).
// due, when set, is the handling deadline a dispatcher names for a dispatch
// or transfer in place of the policy's. A transfer keeps the handling
// deadline; reopening clears every deadline before the clock starts again;
// resuming moves every deadline by the time it had left
// (deadline.Unit.Resumed). Whatever the action, the time to sign never
// ends after the handling deadline.
func SetDeadlines(c *Case, action Action, p deadline.Policy, cal *calendar.Calendar, t, accepted, due time.Time) {
	fromAcceptance := p.HandleFrom == deadline.FromAcceptance
	from := t // when a handling time not yet running starts
	if fromAcceptance && !accepted.IsZero() {
		from = accepted
	}
	handleFrom := func(start time.Time) {
		c.ClockStartAt, c.DueAt = start, p.Handle.After(cal, start)
	}
	switch action {
	case Register:
		if fromAcceptance {
			handleFrom(t)
		}
	case Reopen:
		c.SignDueAt, c.RequestedDueAt = time.Time{}, time.Time{}
		c.DueAt, c.ClockStartAt = time.Time{}, time.Time{}
		if fromAcceptance {
			handleFrom(t)
		}
	case Dispatch, Transfer:
		c.SignDueAt = p.Sign.After(cal, t)
		if c.DueAt.IsZero() || action == Dispatch && !fromAcceptance {
			handleFrom(from)
		}
		if !due.IsZero() {
			c.DueAt = due
		}
	case Return:
		c.SignDueAt = time.Time{}
		if !fromAcceptance {
			c.DueAt, c.ClockStartAt = time.Time{}, time.Time{}
		}
	case Reclassify:
		switch {
		case c.State == Received:
			acceptBy(c, p, cal)
		case c.State == Registered && !fromAcceptance:
			c.DueAt, c.ClockStartAt = time.Time{}, time.Time{}
		case c.State == Registered && c.DueAt.IsZero():
			handleFrom(from)
		}
	case Resume:
		// The clock stood still while suspended: each deadline keeps the
		// time it had left, in its limit's unit; the start moves on by the
		// time suspended, so that the time used before stays used.
		at := c.SuspendedAt
		c.SignDueAt = p.Sign.Unit.Resumed(cal, c.SignDueAt, at, t)
		c.DueAt = p.Handle.Unit.Resumed(cal, c.DueAt, at, t)
		c.RequestedDueAt = p.Handle.Unit.Resumed(cal, c.RequestedDueAt, at, t)
		c.AcceptDueAt = p.Accept.Unit.Resumed(cal, c.AcceptDueAt, at, t)
		if !c.ClockStartAt.IsZero() {
			c.ClockStartAt = c.ClockStartAt.Add(t.Sub(at))
		}
		c.ResumeState, c.SuspendedAt = "", time.Time{}
	}
	if !c.SignDueAt.IsZero() && !c.DueAt.IsZero() && c.DueAt.Before(c.SignDueAt) {
		c.SignDueAt = c.DueAt
	}
}

// Clock sets the case's running deadline and warning time from its state
// and its deadlines: a received case runs against its acceptance deadline
// (petitions), a registered one against handling it when its policy counts
// that from acceptance (petitions), a dispatched one against signing for it
// and handling it, one in hand against handling it; otherwise no clock runs
// (suspended, reported back, closed…). The warning comes after ratio of the
// clock's time.
// Everything that opens a case calls it, and everything that changes one
// calls reclock, so the colour means the same everywhere.
func Clock(c *Case, warnRatio float64) {
	c.DeadlineAt, _ = c.running()
	start := c.ClockStartAt
	if c.State == Received {
		start = c.ReceivedAt
	}
	c.WarnAt = deadline.WarnAt(start, c.DeadlineAt, warnRatio)
}

// reclock is Clock for a stored case that a change at now turned from
// prev into next, carrying its overdue mark across: the mark stays while
// the running deadline stands, goes when it moves or stops, and is set when
// the deadline the change leaves has already passed at now. Every change to
// a stored case's state or deadlines calls it, so no overdue case drops out
// of the backlog counters, nor stays in them once it is in time again.
func reclock(next *Case, prev Case, warnRatio float64, now time.Time) {
	Clock(next, warnRatio)
	if next.DeadlineAt.IsZero() || !next.DeadlineAt.Equal(prev.DeadlineAt) {
		next.OverdueAt = time.Time{}
	}
	if next.OverdueAt.IsZero() && deadline.Passed(next.DeadlineAt, now) {
		next.OverdueAt = now
	}
}

// overdue is what the backlog counters need of the case.
func (c Case) overdue() score.Overdue {
	return score.Overdue{Counted: c.ID != 0 && !c.OverdueAt.IsZero(), UnitID: c.HandlingUnitID, Division: c.DivisionCode,
		DeadlineAt: c.DeadlineAt}
}

// Report is one contact from one channel. Phone and ID number are held
// sealed; the view carries masked forms.
type Report struct {
	ID           int64
	CaseID       int64
	Channel      Channel
	SourceRef    string
	Title        string
	Body         string
	MediaURL     string // a link to media kept elsewhere, as the source gave it
	ReporterName string
	PhoneMasked  string
	IDMasked     string
	HasPhone     bool
	HasIDNumber  bool
	OccurredAt   time.Time
	ReceivedAt   time.Time
	Address      string
	Location     *Point
	DivisionCode string
	IntakeUnitID int64
	CreatedBy    int64
}

// Attachment is metadata of a photo or document.
type Attachment struct {
	ID          int64
	CaseID      int64
	ReportID    int64
	TimelineID  int64
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Stored      bool
	CreatedAt   time.Time
	CreatedBy   int64
}

// AttachmentInput describes an attachment given with a report or evidence.
type AttachmentInput struct {
	Name        string
	ContentType string
	Size        int64
	SHA256      string
}

// Entry is one step in a case's history.
type Entry struct {
	ID        int64
	CaseID    int64
	At        time.Time
	ActorID   int64
	ActorName string
	UnitID    int64
	UnitName  string
	Action    Action
	FromState State
	ToState   State
	Note      i18n.Message // what the actor wrote, or what pingan did (both languages)
	Changes   map[string][2]any
}

// Link relates two cases.
type Link struct {
	CaseID    int64
	Number    string
	Title     string
	State     State
	Kind      string
	CreatedAt time.Time
	CreatedBy int64
}
