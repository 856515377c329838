package casework

import (
	"slices"

	"pingan/internal/access"
	"pingan/internal/i18n"
)

// State is where a case stands in the closed loop.
type State string

const (
	Received     State = "received"      // 待立案: taken in, not yet registered
	Rejected     State = "rejected"      // 不予受理: refused with a written reason
	Registered   State = "registered"    // 待派遣: registered, waiting to be dispatched
	Dispatched   State = "dispatched"    // 待签收: sent to a unit, waiting for it to sign for
	Handling     State = "handling"      // 办理中: signed for, being handled
	Reported     State = "reported"      // 待核查: the unit reported back, waiting for verification
	Verified     State = "verified"      // 待回访: verified, waiting for the citizen's callback
	PendingClose State = "pending_close" // 待结案: callback done, waiting to be closed
	Closed       State = "closed"        // 已办结
	Suspended    State = "suspended"     // 已挂起: the clock is stopped
	Merged       State = "merged"        // 已并案: a repeat of another case, which now holds its reports
)

// States lists every state in loop order with its names.
var States = []struct {
	State State
	Name  i18n.Message
}{
	{Received, i18n.M("待立案", "Received")},
	{Registered, i18n.M("待派遣", "Registered")},
	{Dispatched, i18n.M("待签收", "Dispatched")},
	{Handling, i18n.M("办理中", "Handling")},
	{Reported, i18n.M("待核查", "Reported back")},
	{Verified, i18n.M("待回访", "Verified")},
	{PendingClose, i18n.M("待结案", "Awaiting closure")},
	{Closed, i18n.M("已办结", "Closed")},
	{Rejected, i18n.M("不予受理", "Rejected")},
	{Suspended, i18n.M("已挂起", "Suspended")},
	{Merged, i18n.M("已并案", "Merged")},
}

// Open reports whether a case in state s is still being worked on.
func (s State) Open() bool { return s != Closed && s != Rejected && s != Merged }

// Action is something a user does to a case.
type Action string

const (
	Receive          Action = "receive"           // 受理 (creating the case; not in the table)
	Register         Action = "register"          // 立案
	Reject           Action = "reject"            // 不予受理
	Dispatch         Action = "dispatch"          // 派遣
	Sign             Action = "sign"              // 签收
	Return           Action = "return"            // 退回
	Handle           Action = "handle"            // 办理 (a progress record)
	ReportBack       Action = "report"            // 反馈
	Verify           Action = "verify"            // 核查通过
	Rework           Action = "rework"            // 返工
	CallBack         Action = "callback"          // 回访
	Rehandle         Action = "rehandle"          // 重办 (callback unsatisfied)
	CloseCase        Action = "close"             // 结案
	Transfer         Action = "transfer"          // 转办
	RequestExtension Action = "request_extension" // 申请延期
	ApproveExtension Action = "approve_extension" // 批准延期
	DenyExtension    Action = "deny_extension"    // 驳回延期
	Suspend          Action = "suspend"           // 挂起
	Resume           Action = "resume"            // 恢复
	Reopen           Action = "reopen"            // 重新打开
	Reclassify       Action = "reclassify"        // 修改分类
	AddReport        Action = "add_report"        // 追加来件 (a repeat report joins the case; before merges existed)
	Merge            Action = "merge"             // 并案: a repeat joins another case with its reports
	Unmerge          Action = "unmerge"           // 取消并案: the reports come back, the case resumes
)

// ActionNames names every action, including those outside the table.
var ActionNames = map[Action]i18n.Message{
	Receive:          i18n.M("受理", "Receive"),
	Register:         i18n.M("立案", "Register"),
	Reject:           i18n.M("不予受理", "Reject"),
	Dispatch:         i18n.M("派遣", "Dispatch"),
	Sign:             i18n.M("签收", "Sign for"),
	Return:           i18n.M("退回", "Return"),
	Handle:           i18n.M("办理记录", "Record progress"),
	ReportBack:       i18n.M("办结反馈", "Report back"),
	Verify:           i18n.M("核查通过", "Verify"),
	Rework:           i18n.M("返工", "Send back for rework"),
	CallBack:         i18n.M("回访", "Record callback"),
	Rehandle:         i18n.M("重办", "Re-handle"),
	CloseCase:        i18n.M("结案", "Close"),
	Transfer:         i18n.M("转办", "Transfer"),
	RequestExtension: i18n.M("申请延期", "Request extension"),
	ApproveExtension: i18n.M("批准延期", "Approve extension"),
	DenyExtension:    i18n.M("驳回延期", "Deny extension"),
	Suspend:          i18n.M("挂起", "Suspend"),
	Resume:           i18n.M("恢复办理", "Resume"),
	Reopen:           i18n.M("重新打开", "Reopen"),
	Reclassify:       i18n.M("修改分类", "Reclassify"),
	AddReport:        i18n.M("追加来件", "Add report"),
	Merge:            i18n.M("并案", "Merge into another case"),
	Unmerge:          i18n.M("取消并案", "Undo merge"),
}

// Who says which unit relation an actor needs, on top of a role.
type Who int

const (
	// InScope: the case is in the actor's scope (the actor's unit, or a unit
	// above it, has been involved in it).
	InScope Who = iota + 1
	// HandlingUnit: the actor belongs to the unit currently handling the case.
	HandlingUnit
	// OutsideHandlingUnit: in scope, and not a member of the handling unit —
	// verification is done by someone other than the handler (监管分离).
	OutsideHandlingUnit
)

// Field is an input an action takes.
type Field string

const (
	FNote         Field = "note"         // free text for the timeline
	FReason       Field = "reason"       // why (reject, return, rework, transfer…)
	FUnit         Field = "unit_id"      // target unit (dispatch, transfer)
	FDue          Field = "due_at"       // deadline (dispatch: optional override; extension: requested)
	FNature       Field = "nature"       // classification
	FCategory     Field = "category_id"  // classification
	FPriority     Field = "priority"     // classification
	FSatisfaction Field = "satisfaction" // callback result
	FResolved     Field = "resolved"     // callback: was the problem solved
	FEvidence     Field = "evidence"     // attachments reported with a report-back
	FInto         Field = "into"         // merge: the number of the case the repeat joins
)

// Guard is a condition on the case beyond its state.
type Guard int

const (
	NoGuard Guard = iota
	// NoPendingExtension: no extension request is waiting for a decision.
	NoPendingExtension
	// PendingExtension: an extension request is waiting for a decision.
	PendingExtension
	// Classified: nature and category are set — after applying the input,
	// when the action takes them (register); before, when it does not
	// (dispatch: a case reopened from rejection was never classified).
	Classified
	// HolderOpen: the cases a merge changed (the case a merged case
	// joined, and those holding its reports) are open. A closed case's
	// record is final: undoing the merge would take reports out of it and
	// write on its timeline.
	HolderOpen
)

// GuardName is a guard as the API names it.
type GuardName string

// Guards names the guards, by their value.
var Guards = []GuardName{NoGuard: "", NoPendingExtension: "no_pending_extension", PendingExtension: "pending_extension",
	Classified: "classified", HolderOpen: "holder_open"}

// Name is the guard's name in the API; "" for none.
func (g Guard) Name() GuardName { return Guards[g] }

// Transition is one row of the lifecycle table: in any of From, an actor
// with one of Roles (and the Who relation to the case) may do Action, which
// moves the case To (Stay keeps the state; Previous returns to the state
// before suspension or merge).
type Transition struct {
	Action   Action
	From     []State
	To       State
	Roles    []access.Role
	Who      Who
	Guard    Guard
	Required []Field
	Optional []Field
}

// Special targets.
const (
	Stay     State = "" // the state does not change
	Previous State = "<previous>"
)

var openStates = []State{Received, Registered, Dispatched, Handling, Reported, Verified, PendingClose, Suspended}

// Table is the lifecycle: the one definition of what can happen to a case,
// from which the API, the pages and the tests all read.
var Table = []Transition{
	{Action: Register, From: []State{Received}, To: Registered, Roles: roles(access.Intake, access.Dispatcher), Who: InScope,
		Guard: Classified, Optional: []Field{FNature, FCategory, FPriority, FNote}},
	{Action: Reject, From: []State{Received}, To: Rejected, Roles: roles(access.Intake, access.Dispatcher), Who: InScope,
		Required: []Field{FReason}},
	{Action: Dispatch, From: []State{Registered}, To: Dispatched, Roles: roles(access.Dispatcher), Who: InScope,
		Guard: Classified, Required: []Field{FUnit}, Optional: []Field{FDue, FNote}},
	{Action: Sign, From: []State{Dispatched}, To: Handling, Roles: roles(access.Handler), Who: HandlingUnit,
		Optional: []Field{FNote}},
	{Action: Return, From: []State{Dispatched}, To: Registered, Roles: roles(access.Handler), Who: HandlingUnit,
		Required: []Field{FReason}},
	{Action: Handle, From: []State{Handling}, To: Stay, Roles: roles(access.Handler), Who: HandlingUnit,
		Required: []Field{FNote}, Optional: []Field{FEvidence}},
	{Action: ReportBack, From: []State{Handling}, To: Reported, Roles: roles(access.Handler), Who: HandlingUnit,
		Required: []Field{FNote}, Optional: []Field{FEvidence}},
	{Action: Verify, From: []State{Reported}, To: Verified, Roles: roles(access.Verifier), Who: OutsideHandlingUnit,
		Optional: []Field{FNote}},
	{Action: Rework, From: []State{Reported}, To: Handling, Roles: roles(access.Verifier), Who: OutsideHandlingUnit,
		Required: []Field{FReason}},
	{Action: CallBack, From: []State{Verified}, To: PendingClose, Roles: roles(access.Callback), Who: InScope,
		Required: []Field{FSatisfaction}, Optional: []Field{FResolved, FNote}}, // resolved: unless unreachable (Apply)
	{Action: Rehandle, From: []State{Verified}, To: Handling, Roles: roles(access.Callback), Who: InScope,
		Required: []Field{FReason}, Optional: []Field{FResolved}},
	{Action: CloseCase, From: []State{PendingClose}, To: Closed, Roles: roles(access.Dispatcher, access.Supervisor), Who: InScope,
		Optional: []Field{FNote}},
	{Action: Transfer, From: []State{Dispatched, Handling}, To: Dispatched, Roles: roles(access.Handler), Who: HandlingUnit,
		Required: []Field{FUnit, FReason}},
	{Action: Transfer, From: []State{Dispatched, Handling}, To: Dispatched, Roles: roles(access.Dispatcher), Who: InScope,
		Required: []Field{FUnit, FReason}, Optional: []Field{FDue}},
	{Action: RequestExtension, From: []State{Handling}, To: Stay, Roles: roles(access.Handler), Who: HandlingUnit,
		Guard: NoPendingExtension, Required: []Field{FDue, FReason}},
	{Action: ApproveExtension, From: []State{Handling}, To: Stay, Roles: roles(access.Supervisor), Who: InScope,
		Guard: PendingExtension, Optional: []Field{FNote}},
	{Action: DenyExtension, From: []State{Handling}, To: Stay, Roles: roles(access.Supervisor), Who: InScope,
		Guard: PendingExtension, Required: []Field{FReason}},
	{Action: Suspend, From: []State{Dispatched, Handling}, To: Suspended, Roles: roles(access.Supervisor), Who: InScope,
		Required: []Field{FReason}},
	{Action: Resume, From: []State{Suspended}, To: Previous, Roles: roles(access.Supervisor), Who: InScope,
		Optional: []Field{FNote}},
	{Action: Reopen, From: []State{Closed, Rejected}, To: Registered, Roles: roles(access.Supervisor), Who: InScope,
		Required: []Field{FReason}},
	// 并案: a repeat found before a unit started on it joins the case it
	// repeats; undone, it returns to where it was, while the case it
	// joined is open.
	{Action: Merge, From: []State{Received, Registered, Dispatched}, To: Merged,
		Roles: roles(access.Intake, access.Dispatcher, access.Supervisor), Who: InScope,
		Required: []Field{FInto}, Optional: []Field{FReason}},
	{Action: Unmerge, From: []State{Merged}, To: Previous, Roles: roles(access.Intake, access.Dispatcher, access.Supervisor),
		Who: InScope, Guard: HolderOpen, Required: []Field{FReason}},
	{Action: Reclassify, From: openStates, To: Stay, Roles: roles(access.Intake, access.Dispatcher, access.Supervisor), Who: InScope,
		Optional: []Field{FNature, FCategory, FPriority, FNote}},
}

func roles(rs ...access.Role) []access.Role { return rs }

// TableActions lists the distinct actions of the table, in table order.
func TableActions() []Action {
	var out []Action
	for _, t := range Table {
		if !slices.Contains(out, t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}

// Next returns the state a transition leads to from cur, given the state a
// suspended case resumes into.
func (t Transition) Next(cur, resume State) State {
	switch t.To {
	case Stay:
		return cur
	case Previous:
		return resume
	}
	return t.To
}

// Takes reports whether the transition accepts field f. Every action takes
// a note.
func (t Transition) Takes(f Field) bool {
	return f == FNote || slices.Contains(t.Required, f) || slices.Contains(t.Optional, f)
}

// Rows returns the table rows for action that apply in state s.
func Rows(s State, a Action) []Transition {
	var out []Transition
	for _, t := range Table {
		if t.Action == a && slices.Contains(t.From, s) {
			out = append(out, t)
		}
	}
	return out
}

// ActionsIn returns the actions the table allows in state s for anyone.
func ActionsIn(s State) []Action {
	var out []Action
	for _, t := range Table {
		if slices.Contains(t.From, s) && !slices.Contains(out, t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}
