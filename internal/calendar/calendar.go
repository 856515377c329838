// Package calendar knows which days are working days in China: weekends off,
// except the make-up working days (调休) of the State Council's annual
// holiday notice, and the statutory holidays off. The notices of 2020–2027
// travel with the binary (from NateScarlet/holiday-cn, MIT); administrators
// import a new year's notice when it is published. Deadlines counted in
// working days or working hours use it.
package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// Day is one listed day of a holiday notice.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD
	Name string `json:"name"`
	Off  bool   `json:"isOffDay"` // true: a holiday; false: a make-up working day
}

// Notice is one year's arrangement in holiday-cn's JSON format.
type Notice struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []Day    `json:"days"`
}

//go:embed holidays/*.json
var embedded embed.FS

// Embedded returns the notices shipped with pingan, by year.
func Embedded() ([]Notice, error) {
	entries, err := fs.ReadDir(embedded, "holidays")
	if err != nil {
		return nil, err
	}
	var out []Notice
	for _, e := range entries {
		b, err := embedded.ReadFile("holidays/" + e.Name())
		if err != nil {
			return nil, err
		}
		n, err := ParseNotice(b)
		if err != nil {
			return nil, fmt.Errorf("embedded %s: %w", e.Name(), err)
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseNotice reads and checks a notice in holiday-cn's format.
func ParseNotice(b []byte) (Notice, error) {
	var n Notice
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&n); err != nil {
		return n, fmt.Errorf("not a holiday notice in holiday-cn JSON format: %w", err)
	}
	if n.Year < 2000 || n.Year > 2200 {
		return n, fmt.Errorf("year %d is out of range", n.Year)
	}
	seen := map[string]bool{}
	for i, d := range n.Days {
		t, err := time.Parse("2006-01-02", d.Date)
		if err != nil {
			return n, fmt.Errorf("day %d: date %q is not YYYY-MM-DD", i+1, d.Date)
		}
		// A notice covers its year, and may reach into the days around it
		// (the New Year holiday, a December make-up day).
		if y := t.Year(); y < n.Year-1 || y > n.Year+1 {
			return n, fmt.Errorf("day %d: %s is not near %d", i+1, d.Date, n.Year)
		}
		if seen[d.Date] {
			return n, fmt.Errorf("day %d: %s is listed twice", i+1, d.Date)
		}
		seen[d.Date] = true
		if strings.TrimSpace(d.Name) == "" {
			return n, fmt.Errorf("day %d: %s has no name", i+1, d.Date)
		}
	}
	return n, nil
}

// Window is a span of office hours within a day, as offsets from midnight.
type Window struct {
	From, To time.Duration
}

// ParseOfficeHours reads "08:00-12:00,14:30-17:30".
func ParseOfficeHours(s string) ([]Window, error) {
	var out []Window
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(part, "-")
		from, err1 := clock(a)
		to, err2 := clock(b)
		if !ok || err1 != nil || err2 != nil || to <= from {
			return nil, fmt.Errorf("office hours %q: write spans as HH:MM-HH:MM, separated by commas", part)
		}
		if len(out) > 0 && from < out[len(out)-1].To {
			return nil, fmt.Errorf("office hours %q: spans must be in order and not overlap", part)
		}
		out = append(out, Window{from, to})
	}
	if len(out) == 0 {
		return nil, errors.New("no office hours given")
	}
	return out, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Calendar answers working-day questions in one time zone.
type Calendar struct {
	loc     *time.Location
	special map[string]bool // date → off
	names   map[string]string
	known   map[int]bool // years whose notice is loaded
	office  []Window
}

// New builds a calendar from notices; office may be nil (then a working day
// counts whole for working hours).
func New(loc *time.Location, notices []Notice, office []Window) *Calendar {
	c := &Calendar{loc: loc, special: map[string]bool{}, names: map[string]string{}, known: map[int]bool{}, office: office}
	for _, n := range notices {
		if len(n.Days) > 0 {
			c.known[n.Year] = true
		}
		for _, d := range n.Days {
			c.special[d.Date] = d.Off
			c.names[d.Date] = d.Name
		}
	}
	return c
}

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Known reports whether the holiday notice of year is loaded; without it,
// only weekends are off.
func (c *Calendar) Known(year int) bool { return c.known[year] }

// Lookahead is how far ahead deadlines reach that matter now: a petition's
// 60 days and their extensions. A year within it whose notice is missing
// makes deadlines count its holidays as working days.
const Lookahead = 90 * 24 * time.Hour

// Unknown lists the years from t's to Lookahead after it whose holiday
// notice is not loaded (a notice published without days counts as not
// loaded).
func (c *Calendar) Unknown(t time.Time) []int {
	var out []int
	for y := t.In(c.loc).Year(); y <= t.Add(Lookahead).In(c.loc).Year(); y++ {
		if !c.known[y] {
			out = append(out, y)
		}
	}
	return out
}

// midnight returns the start of t's day in the calendar's zone.
func (c *Calendar) midnight(t time.Time) time.Time {
	t = t.In(c.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc)
}

// IsWorkday reports whether the day containing t is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	t = t.In(c.loc)
	if off, listed := c.special[t.Format("2006-01-02")]; listed {
		return !off
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Describe names the kind of day t is: 工作日, 周末, 调休上班 or the holiday.
func (c *Calendar) Describe(t time.Time) string {
	d := t.In(c.loc).Format("2006-01-02")
	if off, ok := c.special[d]; ok {
		if off {
			return c.names[d]
		}
		return c.names[d] + "调休上班"
	}
	if c.IsWorkday(t) {
		return "工作日"
	}
	return "周末"
}

// WorkdayAfter returns the day that is n working days after the day of t
// (n ≥ 1): the next working day is 1. n = 0 returns t's day.
func (c *Calendar) WorkdayAfter(t time.Time, n int) time.Time {
	d := c.midnight(t)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// AddWorkdays returns the deadline "within n working days" of t: the end of
// the n-th working day after t's day (midnight at its close).
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	return c.WorkdayAfter(t, n).AddDate(0, 0, 1)
}

// windows are the spans of a working day that count as working time: the
// office hours, or the whole day when none are set.
func (c *Calendar) windows() []Window {
	if len(c.office) == 0 {
		return []Window{{0, 24 * time.Hour}}
	}
	return c.office
}

// AddWorkingHours returns when d of working time after t has passed,
// counting only office hours on working days (whole working days when no
// office hours are set).
func (c *Calendar) AddWorkingHours(t time.Time, d time.Duration) time.Time {
	t = t.In(c.loc)
	for day := c.midnight(t); ; day = day.AddDate(0, 0, 1) {
		if !c.IsWorkday(day) {
			continue
		}
		for _, w := range c.windows() {
			start, end := day.Add(w.From), day.Add(w.To)
			if !end.After(t) {
				continue
			}
			if start.Before(t) {
				start = t
			}
			if span := end.Sub(start); d <= span {
				return start.Add(d)
			} else {
				d -= span
			}
		}
	}
}

// WorkingTime returns the working time from from to to, as AddWorkingHours
// counts it: office hours on working days (whole working days when no
// office hours are set); zero when to is not after from.
func (c *Calendar) WorkingTime(from, to time.Time) time.Duration {
	var d time.Duration
	for day := c.midnight(from); day.Before(to); day = day.AddDate(0, 0, 1) {
		if !c.IsWorkday(day) {
			continue
		}
		for _, w := range c.windows() {
			start, end := day.Add(w.From), day.Add(w.To)
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if end.After(start) {
				d += end.Sub(start)
			}
		}
	}
	return d
}

// CloseOfDay returns the close of t's day (midnight at its end); t itself
// when it is a midnight, the close of the day before.
func (c *Calendar) CloseOfDay(t time.Time) time.Time {
	d := c.midnight(t)
	if d.Equal(t) {
		return d
	}
	return d.AddDate(0, 0, 1)
}

// Years lists the years whose notices are loaded.
func (c *Calendar) Years() []int {
	var ys []int
	for y := range c.known {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}
