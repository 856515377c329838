package hot

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"pingan/internal/dedup"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"pingan/internal/access"
	"pingan/internal/casework"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// The city's hot issues: the reports of a recent window, grouped and
// ranked as Find does, with recency counting (a report weighs half as much
// for every quarter of the window it is old), each issue leading to its
// cases.

// Windows are the periods the city's hot issues are found over, in days.
var Windows = []int{7, 30, 90}

// CityQuery asks for the hot issues of a window, optionally of one area.
type CityQuery struct {
	Days         int    // one of Windows; 0 means 30
	DivisionCode string // a district or street code prefix; empty: all in scope
	Top          int    // how many issues; 0 means 20
}

var msgBadWindow = i18n.M("时间范围须为 7、30 或 90 天", "the window must be 7, 30 or 90 days")

// Validate checks the query: a known window and area.
func (q CityQuery) Validate() error {
	var v fault.Validation
	if q.Days != 0 && !slices.Contains(Windows, q.Days) {
		v.Add("days", msgBadWindow)
	}
	if q.DivisionCode != "" {
		if _, ok := division.ByCode(q.DivisionCode); !ok {
			v.Add("division_code", fault.BadValue, q.DivisionCode)
		}
	}
	if q.Top < 0 || q.Top > 100 {
		v.Add("top", fault.BadValue, strconv.Itoa(q.Top))
	}
	return v.Err()
}

// CityIssue is a hot issue and the cases its reports belong to.
type CityIssue struct {
	Issue
	Cases []string // case numbers, newest report first, distinct
}

// CityResult is a window's hot issues.
type CityResult struct {
	From, To  time.Time
	Reports   int  // reports read
	Truncated bool // the window held more than casework.MaxDigests reports; the newest were read
	Issues    []CityIssue
}

// MinReports is how many reports a group needs to be an issue.
const MinReports = 2

// City finds the hot issues among the recent reports actor may see.
func City(ctx context.Context, cases *casework.Service, actor access.Actor, q CityQuery, now time.Time) (CityResult, error) {
	if err := q.Validate(); err != nil {
		return CityResult{}, err
	}
	if q.Days <= 0 {
		q.Days = 30
	}
	if q.Top <= 0 {
		q.Top = 20
	}
	window := time.Duration(q.Days) * 24 * time.Hour
	res := CityResult{From: now.Add(-window), To: now}
	digests, more, err := cases.RecentReports(ctx, actor, casework.Filter{DivisionCode: q.DivisionCode}, res.From, 0)
	if err != nil {
		return res, err
	}
	res.Reports, res.Truncated = len(digests), more
	caseOf := make(map[string]string, len(digests))
	divOf := make(map[string]string, len(digests))
	// Each district's reports are grouped apart: a matter raised in two
	// districts (the same complaint about two streets' construction sites)
	// is two issues, each for its district to handle, not one spread over
	// the city. So are the reports of each field of the catalogue (its top
	// level): an old person living alone asking for home care (民政) and
	// one not answering the door (求助警情) share their words about the
	// person, not the matter. Unclassified reports are a part of their own.
	type part struct {
		district string
		field    int64
	}
	parts := map[part][]Message{}
	for _, d := range digests {
		id := strconv.FormatInt(d.ReportID, 10)
		m := Message{ID: id, User: d.Reporter, Subject: d.Title, Body: d.Address + "\n" + d.Body, Time: d.ReceivedAt,
			Street: dedup.Street(d.Address, d.Division)}
		caseOf[id], divOf[id] = d.CaseNumber, d.Division
		k := part{d.Division[:min(len(d.Division), 6)], d.Field}
		parts[k] = append(parts[k], m)
	}
	keys := slices.SortedFunc(maps.Keys(parts), func(a, b part) int {
		return cmp.Or(strings.Compare(a.district, b.district), cmp.Compare(a.field, b.field))
	})
	var found []Issue
	for _, k := range keys {
		found = append(found, Find(parts[k], Options{HalfLife: window / 4, Now: now})...)
	}
	rank(found)
	for _, is := range found {
		if len(is.Messages) < MinReports {
			continue
		}
		ci := CityIssue{Issue: is}
		if ci.Place == "" {
			ci.Place = area(is.Messages, divOf)
		}
		newest := slices.Clone(is.Messages)
		slices.SortStableFunc(newest, func(a, b Message) int { return b.Time.Compare(a.Time) })
		seen := map[string]bool{}
		for _, m := range newest {
			if n := caseOf[m.ID]; !seen[n] {
				seen[n] = true
				ci.Cases = append(ci.Cases, n)
			}
		}
		ci.Rank = len(res.Issues) + 1
		res.Issues = append(res.Issues, ci)
		if len(res.Issues) == q.Top {
			break
		}
	}
	return res, nil
}

// area names where an issue's reports are when no named place stands for
// them: the township all are in, else the district, else the district
// most are in and how many districts there are.
func area(msgs []Message, divOf map[string]string) string {
	for _, n := range []int{9, 6} {
		code := ""
		for i, m := range msgs {
			d := divOf[m.ID]
			if len(d) < n {
				code = ""
				break
			}
			if i == 0 {
				code = d[:n]
			} else if d[:n] != code {
				code = ""
				break
			}
		}
		if code != "" {
			if d, ok := division.ByCode(code); ok {
				return d.Name
			}
		}
	}
	count := map[string]int{}
	for _, m := range msgs {
		if d := divOf[m.ID]; len(d) >= 6 {
			count[d[:6]]++
		}
	}
	if len(count) == 0 {
		return ""
	}
	top := heaviest(count, 1)[0]
	if d, ok := division.ByCode(top); ok {
		return msgSpread.Format(i18n.ZH, d.Name, len(count))
	}
	return ""
}

var msgSpread = i18n.M("%s等%d个区", "%s and others: %d districts")

// Service answers the city's hot issues and keeps each answer for a while:
// grouping a month of reports takes seconds, and hot issues change over
// hours, not seconds. Answers are kept per scope and query; a request
// waiting for an answer being computed shares it, and a request finding an
// answer older than Refresh gets it at once while a fresh one is computed
// behind it (nobody waits seconds for a page once an answer exists).
type Service struct {
	cases *casework.Service
	now   func() time.Time

	mu   sync.Mutex
	memo map[string]*answer
}

type answer struct {
	done       chan struct{}
	res        CityResult
	err        error
	refreshing bool // a newer answer is being computed (under Service.mu)
}

// Refresh is how long an answer is fresh; Keep is how long an unasked
// answer is kept at all.
const (
	Refresh = 5 * time.Minute
	Keep    = time.Hour
)

// NewService returns the hot-issue service.
func NewService(cases *casework.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{cases: cases, now: now, memo: map[string]*answer{}}
}

// normal is q with its defaults filled in, so that equal queries share an
// answer.
func (q CityQuery) normal() CityQuery {
	if q.Days <= 0 {
		q.Days = 30
	}
	if q.Top <= 0 {
		q.Top = 20
	}
	return q
}

// City returns the hot issues among the recent reports actor may see, as
// computed at most Refresh ago, or (while a newer answer is computed) at
// most Keep ago; CityResult.To says when.
func (s *Service) City(ctx context.Context, actor access.Actor, q CityQuery) (CityResult, error) {
	if err := q.Validate(); err != nil {
		return CityResult{}, err
	}
	if !actor.System && !actor.CaseWorker() {
		return City(ctx, s.cases, actor, q, s.now()) // refused there
	}
	q = q.normal()
	scope := "all" // the whole city: the same answer for every one who sees it
	if !actor.System && !actor.Scope.All {
		scope = fmt.Sprint(actor.Scope.Units)
	}
	key := fmt.Sprint(scope, q.Days, q.DivisionCode, q.Top)
	now := s.now()
	compute := func(a *answer) {
		// Apart from the request that asked, so that a request going
		// away does not fail the others waiting.
		a.res, a.err = City(context.WithoutCancel(ctx), s.cases, actor, q, now)
		close(a.done)
	}
	s.mu.Lock()
	a, ok := s.memo[key]
	if ok {
		select {
		case <-a.done:
			age := now.Sub(a.res.To)
			switch {
			case a.err != nil || age >= Keep || now.Before(a.res.To):
				ok = false
			case age >= Refresh && !a.refreshing:
				// Stale: answer with it, and compute the next one.
				a.refreshing = true
				next := &answer{done: make(chan struct{})}
				go func() {
					compute(next)
					s.mu.Lock()
					if next.err == nil {
						s.memo[key] = next
					} else {
						a.refreshing = false
					}
					s.mu.Unlock()
				}()
			}
		default: // being computed: wait for it
		}
	}
	if !ok {
		for k, old := range s.memo {
			select {
			case <-old.done:
				if now.Sub(old.res.To) >= Keep || old.err != nil {
					delete(s.memo, k)
				}
			default:
			}
		}
		a = &answer{done: make(chan struct{})}
		s.memo[key] = a
		s.mu.Unlock()
		compute(a)
	} else {
		s.mu.Unlock()
	}
	select {
	case <-a.done:
		return a.res, a.err
	case <-ctx.Done():
		return CityResult{}, ctx.Err()
	}
}

// Warm computes the city's hot issues of the last 30 days, the page's
// first view, so that the first person to open it does not wait.
func (s *Service) Warm(ctx context.Context) error {
	_, err := s.City(ctx, access.System("hot"), CityQuery{})
	return err
}
