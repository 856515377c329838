package casework

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/search"
)

const reportColumns = `id, case_id, channel, COALESCE(source_ref, ''), title, body, media_url, reporter_name, phone_masked, id_masked,
	phone_sealed IS NOT NULL, id_sealed IS NOT NULL, occurred_at, received_at, address, lat, lon,
	COALESCE(division_code, ''), intake_unit_id, COALESCE(created_by, 0)`

func scanReport(s interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var occurred sql.NullInt64
	var received int64
	var lat, lon sql.NullFloat64
	err := s.Scan(&r.ID, &r.CaseID, &r.Channel, &r.SourceRef, &r.Title, &r.Body, &r.MediaURL, &r.ReporterName, &r.PhoneMasked,
		&r.IDMasked, &r.HasPhone, &r.HasIDNumber, &occurred, &received, &r.Address, &lat, &lon, &r.DivisionCode,
		&r.IntakeUnitID, &r.CreatedBy)
	if err != nil {
		return Report{}, err
	}
	r.OccurredAt, r.ReceivedAt = db.Time(occurred), time.UnixMicro(received)
	if lat.Valid && lon.Valid {
		r.Location = &Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	return r, nil
}

func reportByID(ctx context.Context, q db.Querier, id int64) (Report, error) {
	return scanReport(q.QueryRowContext(ctx, "SELECT "+reportColumns+" FROM reports WHERE id = $1", id))
}

// DetailReports bounds the reports a case's Detail lists: the first (the
// matter as it was first told) and the newest after it. A case that many
// people report — a burst water main, a wage dispute at one site — holds
// thousands; Reports pages through them all.
const DetailReports = 20

// reportsShown returns the reports a Detail lists, oldest first, and how
// many of the case's reports it leaves out.
func reportsShown(ctx context.Context, q db.Querier, caseID int64) ([]Report, int, error) {
	newest, err := reportRows(ctx, q, "SELECT "+reportColumns+" FROM reports WHERE case_id = $1 ORDER BY id DESC LIMIT $2", caseID, DetailReports)
	if err != nil {
		return nil, 0, err
	}
	shown, omitted, err := newestShown(ctx, q, newest, DetailReports, "SELECT COUNT(*) FROM reports WHERE case_id = $1", caseID)
	if err != nil || omitted == 0 {
		return shown, omitted, err
	}
	// The first report in place of the oldest of the newest.
	first, err := scanReport(q.QueryRowContext(ctx, "SELECT "+reportColumns+" FROM reports WHERE case_id = $1 ORDER BY id LIMIT 1", caseID))
	if err != nil {
		return nil, 0, fmt.Errorf("list reports: %w", err)
	}
	shown[0] = first
	return shown, omitted, nil
}

// newestShown turns newest — the newest rows of something, newest first, at
// most n — into the part a page shows, oldest first, and how many rows it
// leaves out, counted by the query count (with args) only when n were read.
func newestShown[T any](ctx context.Context, q db.Querier, newest []T, n int, count string, args ...any) ([]T, int, error) {
	slices.Reverse(newest)
	if len(newest) < n {
		return newest, 0, nil
	}
	var all int
	if err := q.QueryRowContext(ctx, count, args...).Scan(&all); err != nil {
		return nil, 0, fmt.Errorf("count: %w", err)
	}
	return newest, all - len(newest), nil
}

// reportRows runs a query of reportColumns.
func reportRows(ctx context.Context, q db.Querier, query string, args ...any) ([]Report, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("list reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReportPage is one page of a case's reports, oldest first.
type ReportPage struct {
	Case    Case
	Reports []Report
	// From names the case a report came from when that case was merged
	// into this one (report id → case number).
	From map[int64]string
	// Next is the id to pass as after for the next page; 0 on the last.
	Next int64
}

// Reports returns a case's reports received after the report with id
// after (0: from the first), oldest first, limit at most (1–200; 0 means
// 50), if actor may see the case.
func (s *Service) Reports(ctx context.Context, actor access.Actor, number string, after int64, limit int) (ReportPage, error) {
	c, limit, err := s.pageOf(ctx, actor, number, after, limit, 50)
	if err != nil {
		return ReportPage{}, err
	}
	rs, err := reportRows(ctx, s.db, "SELECT "+reportColumns+" FROM reports WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3", c.ID, after, limit+1)
	if err != nil {
		return ReportPage{}, err
	}
	p := ReportPage{Case: c, From: map[int64]string{}}
	p.Reports, p.Next = cut(rs, limit, func(r Report) int64 { return r.ID })
	if len(p.Reports) == 0 {
		return p, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, m.number FROM reports r JOIN cases m ON m.id = r.merged_from
		WHERE r.case_id = $1 AND r.id BETWEEN $2 AND $3`, c.ID, p.Reports[0].ID, p.Reports[len(p.Reports)-1].ID)
	if err != nil {
		return ReportPage{}, fmt.Errorf("reports' cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var number string
		if err := rows.Scan(&id, &number); err != nil {
			return ReportPage{}, fmt.Errorf("reports' cases: %w", err)
		}
		p.From[id] = number
	}
	return p, rows.Err()
}

// AttachmentPage is one page of a case's attachments, oldest first.
type AttachmentPage struct {
	Case        Case
	Attachments []Attachment
	Next        int64 // the id to pass as after for the next page; 0 on the last
}

// Attachments returns a case's attachments (of its reports and of its
// history) after the one with id after (0: from the first), oldest first,
// limit at most (1–200; 0 means 50).
func (s *Service) Attachments(ctx context.Context, actor access.Actor, number string, after int64, limit int) (AttachmentPage, error) {
	c, limit, err := s.pageOf(ctx, actor, number, after, limit, 50)
	if err != nil {
		return AttachmentPage{}, err
	}
	as, err := attachmentsOf(ctx, s.db, "case_id = $1 AND id > $2 ORDER BY id LIMIT $3", c.ID, after, limit+1)
	if err != nil {
		return AttachmentPage{}, err
	}
	p := AttachmentPage{Case: c}
	p.Attachments, p.Next = cut(as, limit, func(a Attachment) int64 { return a.ID })
	return p, nil
}

// cut trims rows, read with LIMIT limit+1, to a page of limit, and returns
// the id of its last row to read on after, 0 when there is no more.
func cut[T any](rows []T, limit int, id func(T) int64) ([]T, int64) {
	if len(rows) > limit {
		return rows[:limit], id(rows[limit-1])
	}
	return rows, 0
}

// pageOf checks the bounds of a page of a case's reports or history
// (limit 0 is def) and loads the case, if actor may see it.
func (s *Service) pageOf(ctx context.Context, actor access.Actor, number string, after int64, limit, def int) (Case, int, error) {
	if limit == 0 {
		limit = def
	}
	if limit < 1 || limit > 200 {
		return Case{}, 0, fault.InvalidField("limit", msgLimit, 200)
	}
	if after < 0 {
		return Case{}, 0, fault.InvalidField("after", msgBadAfter)
	}
	c, _, err := s.loadVisible(ctx, s.db, actor, number)
	return c, limit, err
}

var (
	msgLimit    = i18n.M("每页条数须在 1 到 %d 之间", "must be between 1 and %d")
	msgBadAfter = i18n.M("须为列表中的编号（正整数）", "must be an id from the list (a positive integer)")
)

// attachmentsOf reads the attachments where cond holds.
func attachmentsOf(ctx context.Context, q db.Querier, cond string, args ...any) ([]Attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, case_id, COALESCE(report_id, 0), COALESCE(timeline_id, 0), name,
		content_type, size, sha256, content_key IS NOT NULL, created_at, COALESCE(created_by, 0)
		FROM attachments WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		var created int64
		if err := rows.Scan(&a.ID, &a.CaseID, &a.ReportID, &a.TimelineID, &a.Name, &a.ContentType, &a.Size,
			&a.SHA256, &a.Stored, &created, &a.CreatedBy); err != nil {
			return nil, fmt.Errorf("list attachments: %w", err)
		}
		a.CreatedAt = time.UnixMicro(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

func linksOf(ctx context.Context, q db.Querier, caseID int64) ([]Link, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.number, c.title, c.state, l.kind, l.created_at, COALESCE(l.created_by, 0)
		FROM case_links l JOIN cases c ON c.id = l.linked_case_id WHERE l.case_id = $1 ORDER BY l.created_at`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		var created int64
		if err := rows.Scan(&l.CaseID, &l.Number, &l.Title, &l.State, &l.Kind, &created, &l.CreatedBy); err != nil {
			return nil, fmt.Errorf("list links: %w", err)
		}
		l.CreatedAt = time.UnixMicro(created)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Detail is everything about one case a reader in scope may see.
type Detail struct {
	Case Case
	// Reports are the first and the newest (DetailReports in all);
	// ReportsOmitted counts those between them, which Reports pages through.
	Reports        []Report
	ReportsOmitted int
	// Attachments are the newest DetailReports, oldest first;
	// AttachmentsOmitted counts the older ones, which Attachments pages
	// through.
	Attachments        []Attachment
	AttachmentsOmitted int
	Links              []Link
	Allowed            []Action
	CanAttach          bool // the actor may add files to the case now (attachable)
	CanLink            bool // the actor may link it to other cases (MayLink)
	// MergedInto is the number of the case this one was merged into;
	// Merged are the cases merged into this one, whose reports it holds.
	MergedInto string
	Merged     []MergedCase // the newest DetailReports
	// MergedOmitted counts the older merged cases Merged leaves out; the
	// Reports pages name each report's.
	MergedOmitted int
}

// MergedCase is a case merged into another (并案).
type MergedCase struct {
	Number  string
	Title   string
	Reports int // of its reports, those the case it was merged into holds
}

// detail is c's detail without its lists: what actor may do with it.
func (s *Service) detail(actor access.Actor, c Case, vis bool) *Detail {
	return &Detail{Case: c, Allowed: s.Allowed(actor, c, vis), CanAttach: attachable(actor, c) == nil, CanLink: MayLink(actor)}
}

// Get returns a case by number, if actor may see it.
func (s *Service) Get(ctx context.Context, actor access.Actor, number string) (Detail, error) {
	c, vis, err := s.loadVisible(ctx, s.db, actor, number)
	if err != nil {
		return Detail{}, err
	}
	d := *s.detail(actor, c, vis)
	if d.Reports, d.ReportsOmitted, err = reportsShown(ctx, s.db, c.ID); err != nil {
		return Detail{}, err
	}
	newest, err := attachmentsOf(ctx, s.db, "case_id = $1 ORDER BY id DESC LIMIT $2", c.ID, DetailReports)
	if err != nil {
		return Detail{}, err
	}
	if d.Attachments, d.AttachmentsOmitted, err = newestShown(ctx, s.db, newest, DetailReports,
		"SELECT COUNT(*) FROM attachments WHERE case_id = $1", c.ID); err != nil {
		return Detail{}, fmt.Errorf("attachments of %s: %w", c.Number, err)
	}
	if d.Links, err = linksOf(ctx, s.db, c.ID); err != nil {
		return Detail{}, err
	}
	if d.MergedInto, d.Merged, d.MergedOmitted, err = mergesOf(ctx, s.db, c); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// Timeline returns a case's history, oldest first.
func (s *Service) Timeline(ctx context.Context, actor access.Actor, number string) ([]Entry, error) {
	c, _, err := s.loadVisible(ctx, s.db, actor, number)
	if err != nil {
		return nil, err
	}
	return timelineRows(ctx, s.db, number, "t.case_id = $1 ORDER BY t.id", c.ID)
}

// TimelineShown is the part of a case's history its page shows: the
// newest n entries, oldest first, and how many older ones it leaves out. A
// case that many people report gathers an entry for every repeat.
func (s *Service) TimelineShown(ctx context.Context, actor access.Actor, number string, n int) ([]Entry, int, error) {
	c, _, err := s.loadVisible(ctx, s.db, actor, number)
	if err != nil {
		return nil, 0, err
	}
	es, err := timelineRows(ctx, s.db, number, "t.case_id = $1 ORDER BY t.id DESC LIMIT $2", c.ID, n)
	if err != nil {
		return nil, 0, err
	}
	es, omitted, err := newestShown(ctx, s.db, es, n, "SELECT COUNT(*) FROM timeline WHERE case_id = $1", c.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("timeline of %s: %w", number, err)
	}
	// Entries are appended as steps are taken, so in time order, but for
	// a history written afterwards (the demo's replayed clocks, dated when
	// they ran out, appended after the loader's later steps): by time.
	slices.SortStableFunc(es, func(a, b Entry) int { return a.At.Compare(b.At) })
	return es, omitted, nil
}

// EntryPage is one page of a case's history, oldest first.
type EntryPage struct {
	Case    Case
	Entries []Entry
	Next    int64 // the id to pass as after for the next page; 0 on the last
}

// TimelinePage returns a case's history after the entry with id after (0:
// from the start), oldest first, limit entries at most (1–200; 0 means
// 100).
func (s *Service) TimelinePage(ctx context.Context, actor access.Actor, number string, after int64, limit int) (EntryPage, error) {
	c, limit, err := s.pageOf(ctx, actor, number, after, limit, 100)
	if err != nil {
		return EntryPage{}, err
	}
	es, err := timelineRows(ctx, s.db, number, "t.case_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3", c.ID, after, limit+1)
	if err != nil {
		return EntryPage{}, err
	}
	p := EntryPage{Case: c}
	p.Entries, p.Next = cut(es, limit, func(e Entry) int64 { return e.ID })
	return p, nil
}

// timelineRows reads timeline entries (aliased t) where cond holds.
func timelineRows(ctx context.Context, q db.Querier, number, cond string, args ...any) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.case_id, t.at, COALESCE(t.actor_id, 0), COALESCE(u.name, ''),
		COALESCE(t.unit_id, 0), COALESCE(n.name, ''), t.action, t.from_state, t.to_state, t.note, t.note_en, t.changes
		FROM timeline t LEFT JOIN users u ON u.id = t.actor_id LEFT JOIN units n ON n.id = t.unit_id
		WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", number, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var changes, note, noteEN string
		if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.ActorID, &e.ActorName, &e.UnitID, &e.UnitName, &e.Action,
			&e.FromState, &e.ToState, &note, &noteEN, &changes); err != nil {
			return nil, fmt.Errorf("timeline of %s: %w", number, err)
		}
		e.Note = i18n.Stored(note, noteEN)
		e.At = time.UnixMicro(at)
		if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
			return nil, fmt.Errorf("timeline of %s: entry %d: %w", number, e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Filter selects cases for List. Zero values do not filter.
type Filter struct {
	States       []State
	UnitID       int64 // handling unit
	CategoryID   int64 // this category and everything under it
	Natures      []string
	Channel      Channel
	Priority     Priority
	DivisionCode string
	From, To     time.Time         // received in [From, To)
	Overdue      *bool             // the running deadline has passed (same as Statuses red)
	Statuses     []deadline.Status // colours of the running clock
	// PendingExtension: only cases with an extension request to decide.
	PendingExtension bool
	// IDs keeps only these cases (a drill-down from a scorecard).
	IDs []int64
	// Triage keeps only cases routing could not place or route, waiting
	// for an operator (分拣).
	Triage bool
	// Text is a full-text query over the cases' titles, reports and
	// addresses (package search): every word must occur.
	Text   string
	Sort   string // "-received" (default, newest first) or "due" (nearest running deadline first)
	Cursor string
	Limit  int
}

// Page is one page of a list.
type Page struct {
	Cases      []Case
	NextCursor string // empty on the last page
}

type cursor struct {
	K    int64  `json:"k"`
	ID   int64  `json:"id"`
	Sort string `json:"s,omitempty"` // the order it continues: "due", or "" for newest first
}

var msgBadCursor = i18n.M("分页游标无效或与排序不符，请从第一页重新开始", "invalid page cursor, or one of another sort; start again from the first page")

// Sorts lists the orders List supports.
var Sorts = []string{"-received", "due"}

// selection is a Filter in SQL, over cases aliased c: "SELECT … FROM cases c"
// + join + " WHERE " + conds ANDed, binding args.
type selection struct {
	join  string
	conds []string
	args  []any
	// id is the case id to order newest first and to bound pages by: c.id,
	// or the index's rowid when a text search reads the index in id order.
	id string
	// only is the text search when it is the selection's one condition (no
	// scope, no filter): then the index alone counts it.
	only *search.Query
}

// count returns the query counting the selection up to limit (0: all),
// and its arguments.
func (sel selection) count(d db.Dialect, limit int) (string, []any) {
	if sel.only != nil {
		q, arg := sel.only.Matches(d, limit)
		return q, []any{arg}
	}
	if limit > 0 {
		return fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1%s LIMIT %d) m", sel.from(), limit), sel.args
	}
	return "SELECT COUNT(*)" + sel.from(), sel.args
}

// from returns the FROM and WHERE clauses.
func (sel selection) from() string {
	q := " FROM cases c"
	if sel.join != "" {
		q += " " + sel.join
	}
	if len(sel.conds) > 0 {
		q += " WHERE " + strings.Join(sel.conds, " AND ")
	}
	return q
}

// where builds the selection of a filter in actor's scope; ok is false when
// the scope is empty (nothing to find). newest asks for the text search in
// the form that reads the index newest first and stops (search.Newest) —
// for a list newest first, or a count that stops early — rather than the
// condition that reads every match (for other orders and full counts).
func (s *Service) where(ctx context.Context, actor access.Actor, f Filter, now time.Time, newest bool) (selection, bool, error) {
	var conds []string
	var args []any
	join, id := "", "c.id"
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	// A text search takes the scope into the index's match when the scope
	// is whole subtrees (search.Query.Within); otherwise it is a condition
	// on case_units.
	// A case number (operators paste them) is looked up by number, not
	// searched for as words.
	var text *search.Query
	number := ""
	if strings.TrimSpace(f.Text) != "" {
		q, err := search.Parse(f.Text) // before any reading: bad text costs nothing
		if err != nil {
			return selection{}, false, err
		}
		if n, ok := q.CaseNumber(); ok {
			number = n
		} else {
			text = &q
		}
	}
	var within []int64
	scoped, synced := false, false
	if !actor.Scope.All && !actor.System {
		if len(actor.Scope.Units) == 0 {
			return selection{}, false, nil
		}
		if text != nil {
			// Only while the index's scope tokens are current (see
			// search.ScopeCurrent: a unit moved, the index behind). It
			// waits for the index as search.Sync does.
			current, err := search.ScopeCurrent(ctx, s.db)
			if err != nil {
				return selection{}, false, err
			}
			synced = true
			if current {
				roots, ok, err := search.ScopeRoots(ctx, s.db, s.db.Dialect(), actor.Scope.Units)
				if err != nil {
					return selection{}, false, err
				}
				within, scoped = roots, ok
			}
		}
	}
	if !actor.Scope.All && !actor.System && !scoped {
		ph := make([]string, len(actor.Scope.Units))
		for i, u := range actor.Scope.Units {
			ph[i] = arg(u)
		}
		conds = append(conds, "c.id IN (SELECT case_id FROM case_units WHERE unit_id IN ("+strings.Join(ph, ", ")+"))")
	}
	if number != "" {
		conds = append(conds, "c.number = "+arg(number))
	}
	if len(f.States) > 0 {
		ph := make([]string, len(f.States))
		for i, st := range f.States {
			ph[i] = arg(st)
		}
		conds = append(conds, "c.state IN ("+strings.Join(ph, ", ")+")")
	}
	if f.UnitID != 0 {
		conds = append(conds, "c.handling_unit_id = "+arg(f.UnitID))
	}
	if f.CategoryID != 0 {
		cat, err := s.cat.Category(ctx, s.db, f.CategoryID)
		if err != nil {
			return selection{}, false, fault.InvalidField("category_id", fault.BadValue, fmt.Sprint(f.CategoryID))
		}
		conds = append(conds, "c.category_id IN (SELECT id FROM categories WHERE code LIKE "+arg(cat.Code+"%")+")")
	}
	// A value there is not is a mistake to say, not a filter that finds
	// nothing.
	if len(f.Natures) > 0 {
		ph := make([]string, len(f.Natures))
		for i, n := range f.Natures {
			if _, err := s.cat.Nature(ctx, s.db, n); fault.KindOf(err) == fault.NotFound {
				return selection{}, false, fault.InvalidField("nature", fault.BadValue, n)
			} else if err != nil {
				return selection{}, false, err
			}
			ph[i] = arg(n)
		}
		conds = append(conds, "c.nature IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Channel != "" {
		if !validChannel(f.Channel) {
			return selection{}, false, fault.InvalidField("channel", fault.BadValue, string(f.Channel))
		}
		conds = append(conds, "c.channel = "+arg(f.Channel))
	}
	if f.Priority != "" {
		if !validPriority(f.Priority) {
			return selection{}, false, fault.InvalidField("priority", fault.BadValue, string(f.Priority))
		}
		conds = append(conds, "c.priority = "+arg(f.Priority))
	}
	if f.DivisionCode != "" {
		if _, ok := division.ByCode(f.DivisionCode); !ok {
			return selection{}, false, fault.InvalidField("division_code", fault.BadValue, f.DivisionCode)
		}
		conds = append(conds, "c.division_code LIKE "+arg(f.DivisionCode+"%"))
	}
	if !f.From.IsZero() {
		conds = append(conds, "c.received_at >= "+arg(f.From.UnixMicro()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "c.received_at < "+arg(f.To.UnixMicro()))
	}
	if f.PendingExtension {
		conds = append(conds, "c.requested_due_at IS NOT NULL")
	}
	if f.Triage {
		conds = append(conds, "c.triage")
	}
	if len(f.IDs) > 0 {
		ph := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			ph[i] = arg(id)
		}
		conds = append(conds, "c.id IN ("+strings.Join(ph, ", ")+")")
	}
	if text != nil {
		q := *text
		if scoped {
			q = q.Within(within)
			text = &q
		}
		if !synced {
			if err := search.Sync(ctx, s.db); err != nil {
				return selection{}, false, err
			}
		}
		if newest {
			nf := q.NewestFirst(s.db.Dialect(), len(args)+1)
			args = append(args, nf.Arg)
			conds = append(conds, nf.Where)
			join, id = nf.Join, nf.ID
		} else {
			cond, a := q.Condition(s.db.Dialect(), len(args)+1)
			args = append(args, a)
			conds = append(conds, cond)
		}
	}
	// The colours, as deadline.StatusAt defines them, over the stored
	// running deadline and warning time: passed (deadline.Passed) is a
	// deadline before now truncated to the second.
	if f.Overdue != nil || len(f.Statuses) > 0 {
		// Every colour compares the deadline with the second; now itself
		// is a parameter only once the SQL uses it (yellow, green):
		// PostgreSQL cannot type a parameter the statement never mentions.
		sec := arg(now.Truncate(time.Second).UnixMicro())
		var n string
		nowArg := func() string {
			if n == "" {
				n = arg(now.UnixMicro())
			}
			return n
		}
		red := "c.deadline_at < " + sec
		cond := map[deadline.Status]func() string{
			deadline.Red:    func() string { return red },
			deadline.Yellow: func() string { return fmt.Sprintf("(c.deadline_at >= %s AND c.warn_at <= %s)", sec, nowArg()) },
			deadline.Green: func() string {
				return fmt.Sprintf("(c.deadline_at >= %s AND (c.warn_at IS NULL OR c.warn_at > %s))", sec, nowArg())
			},
		}
		if f.Overdue != nil {
			if *f.Overdue {
				conds = append(conds, red)
			} else {
				conds = append(conds, "(c.deadline_at IS NULL OR c.deadline_at >= "+sec+")")
			}
		}
		if len(f.Statuses) > 0 {
			var any []string
			for _, st := range f.Statuses {
				c, ok := cond[st]
				if !ok {
					return selection{}, false, fault.InvalidField("status", fault.BadValue, string(st))
				}
				any = append(any, c())
			}
			conds = append(conds, "("+strings.Join(any, " OR ")+")")
		}
	}
	var only *search.Query // the text's condition (with its scope), when it is the only one
	if text != nil && len(conds) == 1 {
		only = text
	}
	return selection{join: join, conds: conds, args: args, id: id, only: only}, true, nil
}

// Count returns how many cases in actor's scope match f.
func (s *Service) Count(ctx context.Context, actor access.Actor, f Filter) (int, error) {
	if !actor.System && !actor.CaseWorker() {
		return 0, fault.New(fault.Forbidden, "forbidden", msgNoCaseWork)
	}
	sel, ok, err := s.where(ctx, actor, f, s.now(), false)
	if err != nil || !ok {
		return 0, err
	}
	var n int
	q, args := sel.count(s.db.Dialect(), 0)
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count cases: %w", err)
	}
	return n, nil
}

// CountUpTo counts the cases in actor's scope matching f, but stops at limit:
// n is at most limit, and more reports that there are further matches. A
// search page shows "10,000+" this way without reading the million index
// entries of a character every address contains, as Count would.
func (s *Service) CountUpTo(ctx context.Context, actor access.Actor, f Filter, limit int) (n int, more bool, err error) {
	if !actor.System && !actor.CaseWorker() {
		return 0, false, fault.New(fault.Forbidden, "forbidden", msgNoCaseWork)
	}
	if limit < 0 {
		return 0, false, fmt.Errorf("count up to %d: negative limit", limit)
	}
	// The newest-first form reads the index in order and so stops at the
	// limit; the IN condition would read every match first.
	sel, ok, err := s.where(ctx, actor, f, s.now(), true)
	if err != nil || !ok {
		return 0, false, err
	}
	q, args := sel.count(s.db.Dialect(), limit+1)
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count cases: %w", err)
	}
	if n > limit {
		return limit, true, nil
	}
	return n, false, nil
}

// List returns cases in actor's scope matching f, one page at a time
// (keyset pagination: stable under concurrent inserts, no OFFSET scans).
func (s *Service) List(ctx context.Context, actor access.Actor, f Filter) (Page, error) {
	if !actor.System && !actor.CaseWorker() {
		return Page{}, fault.New(fault.Forbidden, "forbidden", msgNoCaseWork)
	}
	// Keyset pagination: the sort key and the id.
	const noDue = math.MaxInt64
	var desc bool
	order := "due"
	switch f.Sort {
	case "", "-received":
		desc, order = true, ""
	case "due":
	default:
		return Page{}, fault.InvalidField("sort", fault.BadValue, f.Sort)
	}
	// Newest first, a text search reads the index in id order and stops at
	// the end of the page, if ORDER BY and the cursor both name sel.id.
	sel, ok, err := s.where(ctx, actor, f, s.now(), desc)
	if err != nil || !ok {
		return Page{}, err
	}
	arg := func(v any) string {
		sel.args = append(sel.args, v)
		return fmt.Sprintf("$%d", len(sel.args))
	}
	sortKey, orderBy := sel.id, sel.id+" DESC"
	if !desc {
		sortKey, orderBy = fmt.Sprintf("COALESCE(c.deadline_at, %d)", int64(noDue)), fmt.Sprintf("COALESCE(c.deadline_at, %d), c.id", int64(noDue))
	}
	if f.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		var cur cursor
		if err == nil {
			err = json.Unmarshal(raw, &cur)
		}
		if err != nil || cur.ID <= 0 || cur.Sort != order {
			// A cursor continues the order it was made in: another
			// sort's would skip or repeat cases.
			return Page{}, fault.InvalidField("cursor", msgBadCursor)
		}
		if desc {
			sel.conds = append(sel.conds, sel.id+" < "+arg(cur.ID))
		} else {
			k, id := arg(cur.K), arg(cur.ID)
			sel.conds = append(sel.conds, fmt.Sprintf("(%s > %s OR (%s = %s AND c.id > %s))", sortKey, k, sortKey, k, id))
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	q := "SELECT " + caseColumns + sel.from() + fmt.Sprintf(" ORDER BY %s LIMIT %d", orderBy, limit+1)
	rows, err := s.db.QueryContext(ctx, q, sel.args...)
	if err != nil {
		return Page{}, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return Page{}, fmt.Errorf("list cases: %w", err)
		}
		p.Cases = append(p.Cases, c)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("list cases: %w", err)
	}
	if len(p.Cases) > limit {
		p.Cases = p.Cases[:limit]
		last := p.Cases[limit-1]
		k := last.ID
		if !desc {
			k = noDue
			if !last.DeadlineAt.IsZero() {
				k = last.DeadlineAt.UnixMicro()
			}
		}
		b, _ := json.Marshal(cursor{K: k, ID: last.ID, Sort: order})
		p.NextCursor = base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// PersonalField names a sealed field of a report.
type PersonalField string

const (
	Phone    PersonalField = "phone"
	IDNumber PersonalField = "id_number"
)

var msgNoReveal = i18n.M("您的角色无权查看完整个人信息", "your role may not see full personal data")

// RevealPersonal returns a report's full phone number or ID number to an
// actor whose work needs it, and records that they looked.
func (s *Service) RevealPersonal(ctx context.Context, actor access.Actor, reportID int64, field PersonalField) (string, error) {
	col := map[PersonalField]string{Phone: "phone_sealed", IDNumber: "id_sealed"}[field]
	if col == "" {
		return "", fault.InvalidField("field", fault.BadValue, string(field))
	}
	var caseID int64
	var sealed sql.NullString
	err := s.db.QueryRowContext(ctx, "SELECT case_id, "+col+" FROM reports WHERE id = $1", reportID).Scan(&caseID, &sealed)
	notFound := fault.NotFoundf(i18n.M("来件", "report"), reportID)
	if db.IsNotFound(err) {
		return "", notFound
	}
	if err != nil {
		return "", fmt.Errorf("reveal: %w", err)
	}
	c, err := caseByID(ctx, s.db, caseID)
	if err != nil {
		return "", fmt.Errorf("reveal: %w", err)
	}
	if _, _, err := s.loadVisible(ctx, s.db, actor, c.Number); err != nil {
		return "", notFound
	}
	objID := fmt.Sprint(reportID)
	if !actor.System && !actor.MayRevealPersonal() {
		refusal := fault.New(fault.Forbidden, "forbidden", msgNoReveal)
		return "", s.recordDenied(ctx, actor, "personal.reveal", "report", objID, refusal)
	}
	if !sealed.Valid {
		return "", nil
	}
	plain, err := s.keys.Open(sealed.String, "report."+string(field))
	if err != nil {
		return "", err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		return s.audit.Append(ctx, tx, entry(actor, "personal.reveal", "report", objID, audit.OK,
			map[string]any{"field": field, "case": c.Number}))
	})
	if err != nil {
		return "", err
	}
	return plain, nil
}

// UnitCount is how many cases a unit holds.
type UnitCount struct {
	UnitID int64
	Count  int
}

// CountByUnit counts the cases in actor's scope matching f by handling unit,
// most first, at most limit units.
func (s *Service) CountByUnit(ctx context.Context, actor access.Actor, f Filter, limit int) ([]UnitCount, error) {
	if !actor.System && !actor.CaseWorker() {
		return nil, fault.New(fault.Forbidden, "forbidden", msgNoCaseWork)
	}
	sel, ok, err := s.where(ctx, actor, f, s.now(), false)
	if err != nil || !ok {
		return nil, err
	}
	sel.conds = append(sel.conds, "c.handling_unit_id IS NOT NULL")
	rows, err := s.db.QueryContext(ctx, "SELECT c.handling_unit_id, COUNT(*)"+sel.from()+
		fmt.Sprintf(" GROUP BY c.handling_unit_id ORDER BY COUNT(*) DESC, c.handling_unit_id LIMIT %d", limit), sel.args...)
	if err != nil {
		return nil, fmt.Errorf("count by unit: %w", err)
	}
	defer rows.Close()
	var out []UnitCount
	for rows.Next() {
		var u UnitCount
		if err := rows.Scan(&u.UnitID, &u.Count); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Digest is what hot-issue finding reads of a report.
type Digest struct {
	ReportID   int64
	CaseNumber string
	Title      string
	Body       string
	Address    string
	Division   string // the case's township or district code
	// Field is the top-level category of the case's category (城乡建设,
	// 民政, 求助警情…), 0 when it has none.
	Field int64
	// Reporter tells people apart without naming them: the keyed hash of
	// the ID number or phone, else the name, else the report itself.
	Reporter   string
	ReceivedAt time.Time
}

// MaxDigests bounds RecentReports.
const MaxDigests = 20000

// RecentReports returns the reports received since since about the cases
// in actor's scope that match f, newest first, at most limit (up to
// MaxDigests); more says there were further ones.
func (s *Service) RecentReports(ctx context.Context, actor access.Actor, f Filter, since time.Time, limit int) (out []Digest, more bool, err error) {
	if !actor.System && !actor.CaseWorker() {
		return nil, false, fault.New(fault.Forbidden, "forbidden", msgNoCaseWork)
	}
	if limit <= 0 || limit > MaxDigests {
		limit = MaxDigests
	}
	sel, ok, err := s.where(ctx, actor, f, s.now(), false)
	if err != nil || !ok {
		return nil, false, err
	}
	sel.args = append(sel.args, since.UnixMicro())
	conds := append(slices.Clone(sel.conds), fmt.Sprintf("r.received_at >= $%d", len(sel.args)))
	// The category's ancestors, as deep as the catalogue goes
	// (catalog.MaxDepth), for its top level.
	q := `SELECT r.id, c.number, r.title, r.body, r.address, COALESCE(c.division_code, ''), COALESCE(r.id_hash, r.phone_hash, ''), r.reporter_name, r.received_at,
		COALESCE(f4.id, f3.id, f2.id, f1.id, 0)
		FROM reports r JOIN cases c ON c.id = r.case_id
		LEFT JOIN categories f1 ON f1.id = c.category_id LEFT JOIN categories f2 ON f2.id = f1.parent_id
		LEFT JOIN categories f3 ON f3.id = f2.parent_id LEFT JOIN categories f4 ON f4.id = f3.parent_id ` + sel.join + ` WHERE ` + strings.Join(conds, " AND ") +
		fmt.Sprintf(" ORDER BY r.received_at DESC, r.id DESC LIMIT %d", limit+1)
	rows, err := s.db.QueryContext(ctx, q, sel.args...)
	if err != nil {
		return nil, false, fmt.Errorf("recent reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Digest
		var key, name string
		var at int64
		if err := rows.Scan(&d.ReportID, &d.CaseNumber, &d.Title, &d.Body, &d.Address, &d.Division, &key, &name, &at, &d.Field); err != nil {
			return nil, false, fmt.Errorf("recent reports: %w", err)
		}
		d.ReceivedAt = time.UnixMicro(at)
		switch {
		case key != "":
			d.Reporter = "k:" + key
		case strings.TrimSpace(name) != "":
			d.Reporter = "n:" + strings.TrimSpace(name)
		default:
			d.Reporter = fmt.Sprintf("r:%d", d.ReportID)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("recent reports: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
