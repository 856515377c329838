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
		Hours: i18n.M("%d小时", "%d hours"), WorkingHours: i18n.M("%d个工作小时", "%d working hours"),
		WorkingDays: i18n.M("%d个工作日", "%d working days"), CalendarDays: i18n.M("%d天", "%d days"),
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

// StatusAt is the colour of a clock with the given warning and deadline
// instants at now; a zero deadline means no clock runs.
func StatusAt(warn, due, now time.Time) Status {
	switch {
	case due.IsZero():
		return None
	case !now.Before(due):
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
