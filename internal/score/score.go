// Package score keeps the 考评 scorecards: per unit and day, how many cases
// it was given, signed for on time, returned, reported back on time, had
// sent back at verification, and what citizens said at callback. Each
// scoring event is recorded in the transaction of the case change that
// caused it, once as a row (for the drill-down to the cases behind a
// number) and once as an increment of a daily counter (so a month of every
// unit reads in milliseconds at millions of cases). Rebuild recomputes both
// from the timeline; a test checks they agree.
package score

import (
	"time"

	"pingan/internal/deadline"
	"pingan/internal/i18n"
)

// Metric is one count kept per unit and day.
type Metric string

const (
	Assigned         Metric = "assigned"          // a case dispatched or transferred to the unit
	Signed           Metric = "signed"            // the unit signed for a case
	SignedOnTime     Metric = "signed_on_time"    // … by its sign-for deadline
	Returned         Metric = "returned"          // the unit returned a case (not its business)
	RespondedOnTime  Metric = "responded_on_time" // signed for or returned by the sign-for deadline
	Reported         Metric = "reported"          // the unit reported a case back as handled
	ReportedOnTime   Metric = "reported_on_time"  // … by the handling deadline
	ReportedLate     Metric = "reported_late"     // … after it: an overdue case cleared (积案 消化)
	Verified         Metric = "verified"          // a report-back passed verification
	Reworked         Metric = "reworked"          // a report-back was sent back for more work
	Callbacks        Metric = "callbacks"         // the citizen was called back about the unit's case
	Reached          Metric = "reached"           // … and could be reached
	Satisfied        Metric = "satisfied"         // … and was satisfied or basically satisfied
	ResolvedAnswered Metric = "resolved_answered" // … and said whether the problem was resolved
	Resolved         Metric = "resolved"          // … and said it was
	Rehandled        Metric = "rehandled"         // the callback sent the case back to the unit
)

// Metrics lists every metric, in a stable order.
var Metrics = []Metric{Assigned, Signed, SignedOnTime, Returned, RespondedOnTime, Reported, ReportedOnTime,
	ReportedLate, Verified, Reworked, Callbacks, Reached, Satisfied, ResolvedAnswered, Resolved, Rehandled}

// Snapshot is what scoring needs to know of a case before or after a change.
type Snapshot struct {
	HandlingUnitID int64
	// AssignedAt is when the handling unit was given the case (its last
	// dispatch or transfer). Set before a sign-for or return: the response
	// to an assignment counts on the day of the assignment, so that the
	// response rate of a period is the share of that period's assignments
	// responded to in time (a case dispatched on 30 September and signed
	// for on 1 October counts in September, where it was assigned).
	AssignedAt   time.Time
	SignDueAt    time.Time
	DueAt        time.Time
	Satisfaction string
	Resolved     *bool
}

// Event is one scoring event.
type Event struct {
	UnitID int64
	CaseID int64
	Metric Metric
	At     time.Time
}

// onTime reports whether at is by due: the deadline has not passed, as
// deadline.Passed defines it for the case's colour (no deadline: on time).
func onTime(at, due time.Time) bool { return !deadline.Passed(due, at) }

// Classify returns the scoring events of one lifecycle action on a case:
// the one definition both the live recording and Rebuild use. The unit
// scored is the one that handled the case when the action happened (the
// unit given the case, for a dispatch or transfer).
func Classify(action string, caseID int64, before, after Snapshot, at time.Time) []Event {
	var out []Event
	addAt := func(when time.Time, unit int64, ms ...Metric) {
		if unit == 0 {
			return
		}
		for _, m := range ms {
			out = append(out, Event{UnitID: unit, CaseID: caseID, Metric: m, At: when})
		}
	}
	add := func(unit int64, ms ...Metric) { addAt(at, unit, ms...) }
	// The metrics whose rate is of the assignments (response, return)
	// count on the day of the assignment.
	assigned := before.AssignedAt
	if assigned.IsZero() || assigned.After(at) {
		assigned = at
	}
	unit := before.HandlingUnitID
	if assigns(action, before, after) {
		add(after.HandlingUnitID, Assigned)
	}
	switch action {
	case "sign":
		add(unit, Signed)
		if onTime(at, before.SignDueAt) {
			add(unit, SignedOnTime)
			addAt(assigned, unit, RespondedOnTime)
		}
	case "return":
		addAt(assigned, unit, Returned)
		if onTime(at, before.SignDueAt) {
			addAt(assigned, unit, RespondedOnTime)
		}
	case "report":
		add(unit, Reported)
		if onTime(at, before.DueAt) {
			add(unit, ReportedOnTime)
		} else {
			add(unit, ReportedLate)
		}
	case "verify":
		add(unit, Verified)
	case "rework":
		add(unit, Reworked)
	case "rehandle":
		// The citizen was reached and was not satisfied: the case goes back.
		add(unit, Callbacks, Reached, Rehandled)
	case "callback":
		add(unit, Callbacks)
		if after.Satisfaction == "" || after.Satisfaction == "unreachable" {
			break // nobody answered: nothing to count but the call
		}
		add(unit, Reached)
		if after.Satisfaction == "satisfied" || after.Satisfaction == "basically_satisfied" {
			add(unit, Satisfied)
		}
		if after.Resolved != nil {
			add(unit, ResolvedAnswered)
			if *after.Resolved {
				add(unit, Resolved)
			}
		}
	}
	return out
}

// assigns reports whether an action gave the case to a unit: a dispatch,
// a transfer, or the request for a petition's review (复查/复核), whose
// case opens in the hands of the reviewing unit (the reviewed case's own
// record of the request changes no unit).
func assigns(action string, before, after Snapshot) bool {
	switch action {
	case "dispatch", "transfer":
		return true
	case "request_review":
		return after.HandlingUnitID != 0 && after.HandlingUnitID != before.HandlingUnitID
	}
	return false
}

// Indicator is a rate on a scorecard: the share of Den that is Num.
type Indicator struct {
	Key    string
	Name   i18n.Message
	Num    Metric
	Den    []Metric // summed
	Lower  bool     // lower is better (returns, rework)
	Weight float64  // default weight in the composite score
}

// Indicators are the rates of DOMAIN.md's evaluation, in display order.
// The default composite is Beijing's 三率: 响应 30, 解决 35, 满意 35.
var Indicators = []Indicator{
	{"response", i18n.M("响应率", "Response rate"), RespondedOnTime, []Metric{Assigned}, false, 30},
	{"sign_on_time", i18n.M("及时签收率", "Signed on time"), SignedOnTime, []Metric{Signed}, false, 0},
	{"close_on_time", i18n.M("按期办结率", "Handled on time"), ReportedOnTime, []Metric{Reported}, false, 0},
	{"resolution", i18n.M("解决率", "Resolution rate"), Resolved, []Metric{ResolvedAnswered}, false, 35},
	{"satisfaction", i18n.M("满意率", "Satisfaction rate"), Satisfied, []Metric{Reached}, false, 35},
	{"return", i18n.M("回退率", "Return rate"), Returned, []Metric{Assigned}, true, 0},
	{"rehandle", i18n.M("重办率", "Re-handling rate"), Rehandled, []Metric{Callbacks}, true, 0},
	{"rework", i18n.M("返工率", "Rework rate"), Reworked, []Metric{Verified, Reworked}, true, 0},
}

// IndicatorByKey finds an indicator.
func IndicatorByKey(key string) (Indicator, bool) {
	for _, ind := range Indicators {
		if ind.Key == key {
			return ind, true
		}
	}
	return Indicator{}, false
}

// Counts are one unit's metrics over a period.
type Counts map[Metric]int64

// N is one count, by the metric's name (for templates).
func (c Counts) N(metric string) int64 { return c[Metric(metric)] }

// Rate is an indicator's value for one unit: Num of Den, and the share
// (valid only when Den > 0).
type Rate struct {
	Num, Den int64
}

// Valid reports whether there was anything to measure.
func (r Rate) Valid() bool { return r.Den > 0 }

// Value is the share, 0..1.
func (r Rate) Value() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// Rate computes an indicator from counts.
func (c Counts) Rate(ind Indicator) Rate {
	r := Rate{Num: c[ind.Num]}
	for _, m := range ind.Den {
		r.Den += c[m]
	}
	return r
}

// Composite is the weighted score, 0..100, over the indicators that have
// something to measure; a lower-is-better rate counts as its complement.
// ok is false when no weighted indicator has data.
func (c Counts) Composite(weights map[string]float64) (score float64, ok bool) {
	var sum, wsum float64
	for _, ind := range Indicators {
		w := weights[ind.Key]
		r := c.Rate(ind)
		if w <= 0 || !r.Valid() {
			continue
		}
		v := r.Value()
		if ind.Lower {
			v = 1 - v
		}
		sum += w * v
		wsum += w
	}
	if wsum == 0 {
		return 0, false
	}
	return 100 * sum / wsum, true
}

// DefaultWeights are the composite's weights before an administrator
// changes them.
func DefaultWeights() map[string]float64 {
	out := map[string]float64{}
	for _, ind := range Indicators {
		out[ind.Key] = ind.Weight
	}
	return out
}
