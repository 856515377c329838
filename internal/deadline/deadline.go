// Package deadline computes when a dispatched case must be signed for and
// handled. These defaults follow DOMAIN.md's typical 12345 and 信访 limits in
// calendar time; working-day calendars and per-category policies are the
// deadline issue's work and replace Defaults behind the same interface.
package deadline

import "time"

// Limits are the two clocks of a dispatched case.
type Limits struct {
	Sign   time.Duration // to sign for it after dispatch
	Handle time.Duration // to report back after dispatch
}

const day = 24 * time.Hour

// Defaults returns the limits for a case of the given nature, nature family
// and priority.
func Defaults(nature, family, priority string) Limits {
	switch priority {
	case "emergency":
		return Limits{Sign: time.Hour, Handle: 2 * time.Hour} // 紧急: same day, within 2 hours
	case "urgent":
		return Limits{Sign: 2 * time.Hour, Handle: day}
	}
	l := Limits{Sign: day}
	switch family {
	case "petition":
		l.Handle = 60 * day // 信访工作条例: handled within 60 days
	case "dispute":
		l.Handle = 30 * day
	case "police":
		l.Handle = 3 * day // follow-up of a non-emergency incident
	default:
		switch nature {
		case "consult":
			l.Handle = 3 * day
		case "help":
			l.Handle = 5 * day
		default:
			l.Handle = 15 * day // 投诉, 举报, 建议
		}
	}
	return l
}

// Due returns the sign-for and handling deadlines for a case dispatched at t.
func Due(nature, family, priority string, t time.Time) (sign, handle time.Time) {
	l := Defaults(nature, family, priority)
	return t.Add(l.Sign), t.Add(l.Handle)
}
