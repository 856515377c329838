// Package deadline computes when a case must be accepted, signed for and
// handled, from policies that administrators edit as data, in working days,
// working hours, hours or calendar days on the official calendar; and says
// one thing about every running clock: green, yellow or red.
package deadline

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"pingan/internal/calendar"
	"pingan/internal/i18n"
)

// Unit of a limit.
type Unit string

const (
	Hours        Unit = "h"  // elapsed hours
	WorkingHours Unit = "wh" // office hours on working days
	WorkingDays  Unit = "wd" // to the close of the n-th working day
	CalendarDays Unit = "d"  // n × 24 hours
)

// Limit is a time limit such as "3wd".
type Limit struct {
	Amount int
	Unit   Unit
}

// Zero reports whether the limit is unset.
func (l Limit) Zero() bool { return l.Amount == 0 }

func (l Limit) String() string {
	if l.Zero() {
		return ""
	}
	return strconv.Itoa(l.Amount) + string(l.Unit)
}

// Describe renders the limit for people.
func (l Limit) Describe(lang i18n.Lang) string {
	if l.Zero() {
		return ""
	}
	names := map[Unit]i18n.Message{
		Hours: i18n.M("%d小时", "%d {hour|hours}"), WorkingHours: i18n.M("%d个工作小时", "%d working {hour|hours}"),
		WorkingDays: i18n.M("%d个工作日", "%d working {day|days}"), CalendarDays: i18n.M("%d天", "%d {day|days}"),
	}
	return names[l.Unit].Format(lang, l.Amount)
}

// ParseLimit reads "2h", "4wh", "3wd", "60d"; "" is no limit.
func ParseLimit(s string) (Limit, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Limit{}, nil
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	u := Unit(s[i:])
	if err != nil || n <= 0 || n > 10000 || (u != Hours && u != WorkingHours && u != WorkingDays && u != CalendarDays) {
		return Limit{}, fmt.Errorf("%q: write a positive number and a unit: h (hours), wh (working hours), wd (working days), d (days)", s)
	}
	return Limit{Amount: n, Unit: u}, nil
}

// After returns when the limit, started at t, runs out.
func (l Limit) After(cal *calendar.Calendar, t time.Time) time.Time {
	switch l.Unit {
	case Hours:
		return t.Add(time.Duration(l.Amount) * time.Hour)
	case WorkingHours:
		return cal.AddWorkingHours(t, time.Duration(l.Amount)*time.Hour)
	case WorkingDays:
		return cal.AddWorkdays(t, l.Amount)
	case CalendarDays:
		return t.Add(time.Duration(l.Amount) * 24 * time.Hour)
	}
	return time.Time{}
}

// Resumed returns where deadline due of a clock suspended at suspended
// falls when the clock resumes at resumed, with u the unit of its limit:
// it keeps the time it had left at the suspension, counted in u's terms —
// working time on the calendar for working hours and working days (a
// working-day deadline that fell at the close of a day then falls at the
// close of the working day in which that time runs out; one at another
// time, named by a dispatcher or an approved extension, keeps its exact
// time left), elapsed time for hours and calendar days. A deadline already
// passed at the suspension stays passed by as long.
func (u Unit) Resumed(cal *calendar.Calendar, due, suspended, resumed time.Time) time.Time {
	switch {
	case due.IsZero():
		return due
	case !due.After(suspended):
		return due.Add(resumed.Sub(suspended))
	}
	switch u {
	case WorkingHours:
		return cal.AddWorkingHours(resumed, cal.WorkingTime(suspended, due))
	case WorkingDays:
		end := cal.AddWorkingHours(resumed, cal.WorkingTime(suspended, due))
		if due.Equal(cal.CloseOfDay(due)) {
			end = cal.CloseOfDay(end)
		}
		return end
	}
	return resumed.Add(due.Sub(suspended))
}

// Status is a clock's colour, the same everywhere: queues, lists, the API
// and scorecards.
type Status string

const (
	None   Status = ""       // no clock runs
	Green  Status = "green"  // in time
	Yellow Status = "yellow" // the warning share of the time is used up
	Red    Status = "red"    // overdue
)

// Statuses names the colours.
var Statuses = []struct {
	Status Status
	Name   i18n.Message
}{
	{Green, i18n.M("正常", "On time")},
	{Yellow, i18n.M("临期", "Due soon")},
	{Red, i18n.M("超期", "Overdue")},
}

// Passed reports whether deadline due has passed at t: the one boundary
// of red, of the overdue timer and of "on time" in the scorecards. A
// deadline is "by" that time, so at it the case is still in time. Instants
// count to the second, the precision the timeline keeps (a scorecard
// rebuilt from history must agree with the one kept live): the deadline
// has passed from the first whole second after it (OverdueFrom). A zero
// deadline never passes.
func Passed(due, t time.Time) bool {
	return !due.IsZero() && t.Truncate(time.Second).After(due)
}

// OverdueFrom is the first instant at which due has passed (Passed): when
// a case's overdue timer is due, and what a stored query compares with
// (due < the current time truncated to the second).
func OverdueFrom(due time.Time) time.Time {
	if due.IsZero() {
		return due
	}
	return due.Truncate(time.Second).Add(time.Second)
}

// StatusAt is the colour of a clock with the given warning and deadline
// instants at now; a zero deadline means no clock runs. It is red once the
// deadline has passed (Passed), yellow from the warning instant on.
func StatusAt(warn, due, now time.Time) Status {
	switch {
	case due.IsZero():
		return None
	case Passed(due, now):
		return Red
	case !warn.IsZero() && !now.Before(warn):
		return Yellow
	}
	return Green
}

// WarnAt is when a clock started at start and running out at due turns
// yellow: after ratio of its time.
func WarnAt(start, due time.Time, ratio float64) time.Time {
	if due.IsZero() || start.IsZero() || !due.After(start) || ratio <= 0 || ratio >= 1 {
		return time.Time{}
	}
	return start.Add(time.Duration(float64(due.Sub(start)) * ratio))
}

// Text writes a deadline in loc: one at midnight is the end of the day
// before ("2026-12-18 24:00"), as people read 截至 a day; "00:00" of the
// next would read as its start. The zero time is "—".
func Text(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.AddDate(0, 0, -1).Format("2006-01-02") + " 24:00"
	}
	return t.Format("2006-01-02 15:04")
}
