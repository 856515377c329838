package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/db"
	"pingan/internal/dedup"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/search"
)

// 并案 (merging): a repeat of an open case joins it. The repeat keeps its
// number, its timeline and its state before the merge; its reports move to
// the case it repeats, each remembering where it came from (merged_from),
// so that Unmerge can give them back. Every report taken in through intake
// for an existing case — chosen by the operator, or a near-exact repeat
// merged on its own — is a case merged at once, so one mechanism serves
// them all and every merge can be undone.

// Timeline actions of the case a merge joins, outside the table: its
// state does not change.
const (
	MergedIn  Action = "merged_in"  // 并入来件: a repeat was merged into this case
	MergedOut Action = "merged_out" // 撤回来件: that merge was undone and its reports left
)

func init() {
	ActionNames[MergedIn] = i18n.M("并入重复来件", "Repeat merged in")
	ActionNames[MergedOut] = i18n.M("撤回并入来件", "Merged repeat taken out")
}

var (
	msgMergeSelf    = i18n.M("不能并入案件自身", "a case cannot be merged into itself")
	msgMergeTarget  = i18n.M("案件 %s 状态为“%s”，不能并入", "case %s is “%s” and cannot take a merge")
	msgMergeLoop    = i18n.M("案件 %s 已并入本案，不能反向并案", "case %s was merged into this one; it cannot be merged back")
	msgMergedInto   = i18n.M("并入 %s", "merged into %s")
	msgMergedHere   = i18n.M("%s 并入本案", "%s merged into this case")
	msgUnmergedFrom = i18n.M("%s 取消并案，其来件移回原案", "%s un-merged: its reports went back")
	msgNoSuchCase   = i18n.M("案件 %s 不存在或无权查看", "case %s does not exist or is not visible to you")
	msgHolderFinal  = i18n.M("本案并入的案件 %s 状态为“%s”，其记录不再更改", "case %s, which this case was merged into, is “%s”: its record is final")
)

// Holder names a case a merge changed: the one a merged case joined, or
// one now holding its reports (the case it joined was merged on in turn).
type Holder struct {
	Number string
	State  State
}

// finalHolder returns the first case, by id, that undoing c's merge would
// change and that is no longer open (closed, rejected, merged on); zero when
// all are open. In a write the cases are locked, so none closes before the
// merge is undone.
func finalHolder(ctx context.Context, q db.Querier, c Case) (Holder, error) {
	rows, err := q.QueryContext(ctx, `SELECT number, state FROM cases
		WHERE id = $1 OR id IN (SELECT case_id FROM reports WHERE merged_from = $2) ORDER BY id`+forUpdate(q), c.MergedInto, c.ID)
	if err != nil {
		return Holder{}, fmt.Errorf("case %s: the cases holding its reports: %w", c.Number, err)
	}
	defer rows.Close()
	for rows.Next() {
		var h Holder
		if err := rows.Scan(&h.Number, &h.State); err != nil {
			return Holder{}, fmt.Errorf("case %s: the cases holding its reports: %w", c.Number, err)
		}
		if !h.State.Open() {
			return h, nil
		}
	}
	if err := rows.Err(); err != nil {
		return Holder{}, fmt.Errorf("case %s: the cases holding its reports: %w", c.Number, err)
	}
	return Holder{}, nil
}

// mergeTarget returns the open case number that c may be merged into, as
// actor sees it.
func (s *Service) mergeTarget(ctx context.Context, tx *db.Tx, actor access.Actor, c Case, number string) (Case, error) {
	number = strings.TrimSpace(number)
	if number == c.Number {
		return Case{}, fault.InvalidField(string(FInto), msgMergeSelf)
	}
	t, _, err := s.loadVisible(ctx, tx, actor, number)
	if fault.KindOf(err) == fault.NotFound {
		return Case{}, fault.InvalidField(string(FInto), msgNoSuchCase, number)
	}
	if err != nil {
		return Case{}, err
	}
	if !t.State.Open() {
		return Case{}, fault.InvalidField(string(FInto), msgMergeTarget, t.Number, stateName(t.State))
	}
	if t.MergedInto == c.ID {
		return Case{}, fault.InvalidField(string(FInto), msgMergeLoop, t.Number)
	}
	return t, nil
}

// reportsHeld counts the reports a merged case would take back: those that
// came from it, wherever they are now.
func reportsHeld(ctx context.Context, q db.Querier, id int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports WHERE merged_from = $1 OR case_id = $1", id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count reports of case %d: %w", id, err)
	}
	return n, nil
}

// joinReports moves the merged case's reports (and their attachments) to
// target, which records the merge on its timeline and may now be reported
// often enough to raise its jurisdiction.
func (s *Service) joinReports(ctx context.Context, tx *db.Tx, actor access.Actor, from Case, target Case, note i18n.Message, now time.Time) error {
	res, err := tx.ExecContext(ctx, "UPDATE reports SET merged_from = COALESCE(merged_from, $1), case_id = $2 WHERE case_id = $1",
		from.ID, target.ID)
	var moved int64
	if err == nil {
		moved, err = res.RowsAffected()
	}
	if err != nil {
		return fmt.Errorf("merge reports: %w", err)
	}
	// Every report went, and the attachments of reports with them (those
	// of timeline entries stay where they were recorded).
	if _, err := tx.ExecContext(ctx, "UPDATE attachments SET case_id = $1 WHERE case_id = $2 AND report_id IS NOT NULL",
		target.ID, from.ID); err != nil {
		return fmt.Errorf("merge attachments: %w", err)
	}
	// The words went with the reports: the repeat is found by its own
	// title and address, what reindex gives a case without reports (known
	// here without reading them).
	if err := search.Index(ctx, tx, from.ID, search.Text(from.Title, from.Address)); err != nil {
		return err
	}
	for _, u := range slices.Compact([]int64{from.IntakeUnitID, actor.UnitID}) {
		if err := involve(ctx, tx, target.ID, u); err != nil {
			return err
		}
	}
	text := i18n.Join(i18n.Line, msgMergedHere.Fill(from.Number), note)
	after, err := s.recount(ctx, tx, actor, target, int(moved), MergedIn, text, now)
	if err != nil {
		return err
	}
	if err := s.tell(ctx, tx, AddReport, after, actor, i18n.Plain(from.Title)); err != nil {
		return err
	}
	return s.checkRepeat(ctx, tx, after, now)
}

// returnReports gives a case being un-merged its reports back from the
// cases that hold them.
func (s *Service) returnReports(ctx context.Context, tx *db.Tx, actor access.Actor, c Case, note i18n.Message, now time.Time) error {
	rows, err := tx.QueryContext(ctx, "SELECT case_id, COUNT(*) FROM reports WHERE merged_from = $1 GROUP BY case_id", c.ID)
	if err != nil {
		return fmt.Errorf("unmerge: %w", err)
	}
	holders := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return fmt.Errorf("unmerge: %w", err)
		}
		holders[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("unmerge: %w", err)
	}
	ids, err := reportIDs(ctx, tx, "merged_from = $1", c.ID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE reports SET case_id = $1, merged_from = NULL WHERE merged_from = $1", c.ID); err != nil {
		return fmt.Errorf("unmerge reports: %w", err)
	}
	text := i18n.Join(i18n.Line, msgUnmergedFrom.Fill(c.Number), note)
	for id, n := range holders {
		if id == c.ID {
			continue
		}
		if err := moveAttachments(ctx, tx, id, c.ID, ids); err != nil {
			return err
		}
		holder, err := caseByID(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("unmerge: case %d: %w", id, err)
		}
		if _, err := s.recount(ctx, tx, actor, holder, -n, MergedOut, text, now); err != nil {
			return err
		}
	}
	return s.reindex(ctx, tx, c)
}

// recount changes a case's report count by delta after reports moved in
// or out, re-indexes its text, and records why on its timeline.
func (s *Service) recount(ctx context.Context, tx *db.Tx, actor access.Actor, c Case, delta int, action Action, note i18n.Message, now time.Time) (Case, error) {
	next := c
	next.ReportCount += delta
	ok, err := updateCase(ctx, tx, next, now)
	if err != nil {
		return Case{}, err
	}
	if !ok {
		return Case{}, fault.New(fault.Conflict, "case-changed", msgChanged)
	}
	if err := s.reindex(ctx, tx, next); err != nil {
		return Case{}, err
	}
	if _, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
		Action: action, FromState: c.State, ToState: c.State, Note: note,
		Changes: map[string][2]any{"report_count": {c.ReportCount, next.ReportCount}}}); err != nil {
		return Case{}, err
	}
	if err := s.afterChange(ctx, tx, c, next, "case.reports_changed", map[string]any{"report_count": next.ReportCount}); err != nil {
		return Case{}, err
	}
	return caseByID(ctx, tx, c.ID)
}

func reportIDs(ctx context.Context, q db.Querier, where string, id int64) ([]int64, error) {
	ids, err := db.IDs(ctx, q, "SELECT id FROM reports WHERE "+where, id)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return ids, nil
}

// moveAttachments moves the attachments of the given reports from one
// case to another (attachments of timeline entries stay where they were
// recorded).
func moveAttachments(ctx context.Context, tx *db.Tx, from, to int64, reports []int64) error {
	for _, id := range reports {
		if _, err := tx.ExecContext(ctx, "UPDATE attachments SET case_id = $1 WHERE case_id = $2 AND report_id = $3", to, from, id); err != nil {
			return fmt.Errorf("move attachments: %w", err)
		}
	}
	return nil
}

// mergesOf returns the number of the case c was merged into, and the cases
// merged into c.
func mergesOf(ctx context.Context, q db.Querier, c Case) (string, []MergedCase, int, error) {
	var into string
	if c.MergedInto != 0 {
		if err := q.QueryRowContext(ctx, "SELECT number FROM cases WHERE id = $1", c.MergedInto).Scan(&into); err != nil {
			return "", nil, 0, fmt.Errorf("case %s: merged into: %w", c.Number, err)
		}
	}
	// The newest DetailReports: a case intake merges every repeat into
	// holds as many merged cases as reports; Reports names each report's.
	rows, err := q.QueryContext(ctx, `SELECT m.number, m.title, (SELECT COUNT(*) FROM reports r WHERE r.merged_from = m.id AND r.case_id = $1)
		FROM cases m WHERE m.merged_into = $1 ORDER BY m.id DESC LIMIT $2`, c.ID, DetailReports)
	if err != nil {
		return "", nil, 0, fmt.Errorf("case %s: merged cases: %w", c.Number, err)
	}
	defer rows.Close()
	var out []MergedCase
	for rows.Next() {
		var m MergedCase
		if err := rows.Scan(&m.Number, &m.Title, &m.Reports); err != nil {
			return "", nil, 0, fmt.Errorf("case %s: merged cases: %w", c.Number, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return "", nil, 0, err
	}
	out, omitted, err := newestShown(ctx, q, out, DetailReports, "SELECT COUNT(*) FROM cases WHERE merged_into = $1", c.ID)
	if err != nil {
		return "", nil, 0, fmt.Errorf("case %s: merged cases: %w", c.Number, err)
	}
	return into, out, omitted, nil
}

// RepeatsOf returns the open cases d (a case the actor has read) may repeat,
// best first, for the people who may merge it: found as intake finds them,
// from its first report, at its place, in the window before it came in.
// Nil when the actor may not merge it now.
func (s *Service) RepeatsOf(ctx context.Context, actor access.Actor, d Detail, lang i18n.Lang) ([]dedup.Candidate, error) {
	if s.repeats == nil || !slices.Contains(d.Allowed, Merge) || len(d.Reports) == 0 {
		return nil, nil
	}
	r, c := d.Reports[0], d.Case
	q := repeatQuery(r.Title, c.Address, r.Body, c.DivisionCode, c.CategoryID, c.Location, c.ReceivedAt)
	cands, err := s.repeats.Find(ctx, actor, q, lang)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(cands, func(x dedup.Candidate) bool { return x.CaseID == c.ID }), nil
}

// repeatQuery is the repeat lookup of a report: its words, at its place,
// in the window before at.
func repeatQuery(title, address, body, division string, category int64, point *Point, at time.Time) dedup.Query {
	q := dedup.Query{Text: title + "\n" + address + "\n" + body, Address: address, DivisionCode: division, CategoryID: category, At: at}
	if point != nil {
		q.Lat, q.Lon = &point.Lat, &point.Lon
	}
	return q
}
