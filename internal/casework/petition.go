package casework

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/catalog"
	"pingan/internal/db"
	"pingan/internal/dedup"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Stage is where a petition stands in the chain of 信访工作条例: the
// petition itself, its 复查 (review by the next level up) and its 复核
// (re-review, one level further), each a case of its own.
type Stage string

const (
	StagePetition Stage = "petition"
	StageReview   Stage = "review"   // 复查
	StageReReview Stage = "rereview" // 复核
)

// StageNames names the stages.
var StageNames = map[Stage]i18n.Message{
	StagePetition: i18n.M("信访事项", "Petition"),
	StageReview:   i18n.M("复查", "Review"),
	StageReReview: i18n.M("复核", "Re-review"),
}

// SameMatterLikeness is how alike (dedup.Likeness) two petitions' words
// must be for them to be about the same matter, when they are not linked.
const SameMatterLikeness = 0.5

// Petition is what pingan keeps of a petition case, beside the case.
type Petition struct {
	CaseID       int64
	Stage        Stage
	OriginCaseID int64 // reviews: the first petition of the chain
	PriorCaseID  int64 // reviews: the case whose answer is reviewed
	VisitNo      int   // the petitioner's Nth petition
	SameMatterNo int   // the Nth about this matter
	Petitioners  int   // distinct petitioners among the reports
	BarredBy     int64 // a concluded 复核 of the same matter (不再受理)
	LimitAt      time.Time
	WarnAt       time.Time
	ResolvedAt   time.Time
	RequestedAt  time.Time
	Conclusion   string
	Opinion      string
	ConcludedAt  time.Time
}

// petitioner is who petitioned, as keyed hashes and a name: the same ID
// number, or the same name and phone, is the same person; a name alone is
// not.
type petitioner struct {
	idHash, phoneHash, name string
}

func (p petitioner) known() bool { return p.idHash != "" || p.phoneHash != "" && p.name != "" }

// PriorPetition is an earlier petition of the same petitioner.
type PriorPetition struct {
	CaseID     int64
	Number     string
	Title      string
	State      State
	Stage      Stage
	ReceivedAt time.Time
	ClosedAt   time.Time
	SameMatter bool
	origin     int64
	text       string
}

// PetitionHistory is what is known of a petitioner before this petition.
type PetitionHistory struct {
	// Earlier petitions the reader may see, oldest first.
	Earlier []PriorPetition
	// Hidden counts earlier petitions outside the reader's scope: counted,
	// not shown.
	Hidden int
	// Visits is this petition's place among the petitioner's petitions
	// (第 N 次信访); SameMatter among those about the same matter.
	Visits, SameMatter int
	// Barred is a concluded 复核 of the same matter: the petition is not
	// accepted again (不再受理). Its number is shown even outside the
	// reader's scope, as the reason must be given.
	Barred *PriorPetition
}

// isPetition reports whether nature belongs to the petition family.
func (s *Service) isPetition(ctx context.Context, q db.Querier, nature string) (bool, error) {
	if nature == "" {
		return false, nil
	}
	if f, ok := s.families.Load(nature); ok {
		return f.(catalog.Family) == catalog.Petition, nil
	}
	n, err := s.cat.Nature(ctx, q, nature)
	if err != nil {
		return false, fmt.Errorf("nature %s: %w", nature, err)
	}
	s.families.Store(nature, n.Family)
	return n.Family == catalog.Petition, nil
}

// petitionersOf returns the distinct petitioners among a case's reports.
func petitionersOf(ctx context.Context, q db.Querier, caseID int64) ([]petitioner, error) {
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(id_hash, ''), COALESCE(phone_hash, ''), reporter_name
		FROM reports WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("petitioners of case %d: %w", caseID, err)
	}
	defer rows.Close()
	var out []petitioner
	for rows.Next() {
		var p petitioner
		if err := rows.Scan(&p.idHash, &p.phoneHash, &p.name); err != nil {
			return nil, err
		}
		if !p.known() {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || samePerson(o, p)
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out, rows.Err()
}

func samePerson(a, b petitioner) bool {
	return a.idHash != "" && a.idHash == b.idHash ||
		a.phoneHash != "" && a.name != "" && a.phoneHash == b.phoneHash && a.name == b.name
}

// caseText is what a petition is about, for likeness: its title and its
// first report.
func caseText(ctx context.Context, q db.Querier, c Case) (string, error) {
	body, err := firstBody(ctx, q, c)
	return c.Title + "\n" + body, err
}

// firstBody is the text of the case's first report ("" for none).
func firstBody(ctx context.Context, q db.Querier, c Case) (string, error) {
	var body string
	err := q.QueryRowContext(ctx, "SELECT body FROM reports WHERE case_id = $1 ORDER BY id LIMIT 1", c.ID).Scan(&body)
	if err != nil && !db.IsNotFound(err) {
		return "", fmt.Errorf("case %s: first report: %w", c.Number, err)
	}
	return body, nil
}

// history finds the petitions of the same petitioners received before
// `before` (at the same instant: with a smaller id than self, if any), and which
// are about the same matter as text or linked to self.
func (s *Service) history(ctx context.Context, q db.Querier, self int64, before time.Time, who []petitioner, text string) (PetitionHistory, error) {
	h := PetitionHistory{Visits: 1, SameMatter: 1}
	who, err := sameSelves(ctx, q, who)
	if err != nil {
		return h, err
	}
	conds, args := identityConds(who)
	if len(conds) == 0 {
		return h, nil
	}
	args = append(args, self, before.UnixMicro())
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.number, c.title, c.state, c.received_at, c.closed_at,
		COALESCE(p.stage, 'petition'), COALESCE(p.origin_case_id, 0),
		COALESCE((SELECT r1.body FROM reports r1 WHERE r1.case_id = c.id ORDER BY r1.id LIMIT 1), '')
		FROM cases c JOIN natures n ON n.code = c.nature AND n.family = 'petition'
		LEFT JOIN petitions p ON p.case_id = c.id
		WHERE c.id IN (SELECT r.case_id FROM reports r WHERE `+strings.Join(conds, " OR ")+`)
		AND c.id <> $`+fmt.Sprint(len(args)-1)+` AND (c.received_at < $`+fmt.Sprint(len(args))+`
			OR c.received_at = $`+fmt.Sprint(len(args))+` AND ($`+fmt.Sprint(len(args)-1)+` = 0 OR c.id < $`+fmt.Sprint(len(args)-1)+`))
		ORDER BY c.received_at, c.id`, args...)
	if err != nil {
		return h, fmt.Errorf("earlier petitions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e PriorPetition
		var received int64
		var closed sql.NullInt64
		var body string
		if err := rows.Scan(&e.CaseID, &e.Number, &e.Title, &e.State, &received, &closed, &e.Stage, &e.origin, &body); err != nil {
			return h, fmt.Errorf("earlier petitions: %w", err)
		}
		e.ReceivedAt, e.ClosedAt, e.text = time.UnixMicro(received), db.Time(closed), e.Title+"\n"+body
		h.Earlier = append(h.Earlier, e)
	}
	if err := rows.Err(); err != nil {
		return h, err
	}
	linked := map[int64]bool{}
	if self != 0 {
		ls, err := linksOf(ctx, q, self)
		if err != nil {
			return h, err
		}
		for _, l := range ls {
			linked[l.CaseID] = true
		}
	}
	same := map[int64]bool{}
	for _, e := range h.Earlier {
		if linked[e.CaseID] || dedup.Likeness(text, e.text) >= SameMatterLikeness {
			same[e.CaseID] = true
		}
	}
	// A chain is one matter: a review is about its petition, and so on.
	for _, e := range h.Earlier {
		if e.origin != 0 && (same[e.origin] || same[e.CaseID]) {
			same[e.origin], same[e.CaseID] = true, true
		}
	}
	for _, e := range h.Earlier {
		if e.origin != 0 && same[e.origin] {
			same[e.CaseID] = true
		}
	}
	for i := range h.Earlier {
		e := &h.Earlier[i]
		e.SameMatter = same[e.CaseID]
		h.Visits++
		if e.SameMatter {
			h.SameMatter++
			if e.Stage == StageReReview && e.State == Closed {
				b := *e
				h.Barred = &b
			}
		}
	}
	return h, nil
}

// identityConds matches the reports of any of who.
func identityConds(who []petitioner) ([]string, []any) {
	var conds []string
	var args []any
	for _, p := range who {
		if p.idHash != "" {
			args = append(args, p.idHash)
			conds = append(conds, fmt.Sprintf("r.id_hash = $%d", len(args)))
		}
		if p.phoneHash != "" && p.name != "" {
			args = append(args, p.phoneHash, p.name)
			conds = append(conds, fmt.Sprintf("(r.phone_hash = $%d AND r.reporter_name = $%d)", len(args)-1, len(args)))
		}
	}
	return conds, args
}

// sameSelves widens who with what the same people gave on other reports:
// the ID number on a report that matched by name and phone, and the other
// way round. A few rounds reach everyone a chain of reports joins.
func sameSelves(ctx context.Context, q db.Querier, who []petitioner) ([]petitioner, error) {
	for range 3 {
		conds, args := identityConds(who)
		if len(conds) == 0 {
			return who, nil
		}
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT COALESCE(r.id_hash, ''), COALESCE(r.phone_hash, ''), r.reporter_name
			FROM reports r WHERE `+strings.Join(conds, " OR "), args...)
		if err != nil {
			return nil, fmt.Errorf("petitioner's reports: %w", err)
		}
		grown := false
		for rows.Next() {
			var p petitioner
			if err := rows.Scan(&p.idHash, &p.phoneHash, &p.name); err != nil {
				rows.Close()
				return nil, err
			}
			// Only what the matched report itself adds: its ID number, or
			// its name and phone.
			if p.idHash != "" && !slices.ContainsFunc(who, func(o petitioner) bool { return o.idHash == p.idHash }) {
				who, grown = append(who, petitioner{idHash: p.idHash}), true
			}
			if p.phoneHash != "" && p.name != "" && !slices.ContainsFunc(who, func(o petitioner) bool {
				return o.phoneHash == p.phoneHash && o.name == p.name
			}) {
				who, grown = append(who, petitioner{phoneHash: p.phoneHash, name: p.name}), true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if !grown {
			break
		}
	}
	return who, nil
}

// filterVisible keeps the earlier petitions actor may see and counts the
// others.
func (s *Service) filterVisible(ctx context.Context, q db.Querier, actor access.Actor, h *PetitionHistory) error {
	var keep []PriorPetition
	for _, e := range h.Earlier {
		ok, err := s.visible(ctx, q, actor, Case{ID: e.CaseID})
		if err != nil {
			return err
		}
		if ok {
			keep = append(keep, e)
		} else {
			h.Hidden++
		}
	}
	h.Earlier = keep
	return nil
}

// PetitionerQuery is who is petitioning at the intake desk, and about what.
type PetitionerQuery struct {
	Name     string
	Phone    string
	IDNumber string
	Text     string
}

// PetitionerHistory answers the intake desk while the operator types: the
// earlier petitions of this petitioner (by ID number, or by name and
// phone — never by name alone), which are about the same matter, and
// whether a concluded 复核 bars it (不再受理). Numbers that do not parse
// yet match nothing.
func (s *Service) PetitionerHistory(ctx context.Context, actor access.Actor, in PetitionerQuery) (PetitionHistory, error) {
	if !mayIntake(actor) {
		return PetitionHistory{}, fault.New(fault.Forbidden, "forbidden", msgCannotIntake)
	}
	var p petitioner
	p.name = strings.TrimSpace(in.Name)
	if d, ok := NormalizePhone(strings.TrimSpace(in.Phone)); ok {
		p.phoneHash = s.keys.LookupHash("phone", d)
	}
	if id, ok := NormalizeIDNumber(in.IDNumber); ok {
		p.idHash = s.keys.LookupHash("id_number", id)
	}
	if !p.known() {
		return PetitionHistory{Visits: 1, SameMatter: 1}, nil
	}
	h, err := s.history(ctx, s.db, 0, s.now(), []petitioner{p}, in.Text)
	if err != nil {
		return h, err
	}
	return h, s.filterVisible(ctx, s.db, actor, &h)
}

// petitionOf reads a case's petition row.
func petitionOf(ctx context.Context, q db.Querier, caseID int64) (Petition, error) {
	var p Petition
	var origin, prior, barred, limit, warn, resolved, requested, concluded sql.NullInt64
	var conclusion, opinion sql.NullString
	err := q.QueryRowContext(ctx, `SELECT case_id, stage, origin_case_id, prior_case_id, visit_no, same_matter_no, petitioners,
		barred_by, limit_at, warn_at, resolved_at, requested_at, conclusion, opinion, concluded_at
		FROM petitions WHERE case_id = $1`, caseID).Scan(&p.CaseID, &p.Stage, &origin, &prior, &p.VisitNo, &p.SameMatterNo,
		&p.Petitioners, &barred, &limit, &warn, &resolved, &requested, &conclusion, &opinion, &concluded)
	if err != nil {
		return Petition{}, err
	}
	p.OriginCaseID, p.PriorCaseID, p.BarredBy = origin.Int64, prior.Int64, barred.Int64
	p.LimitAt, p.WarnAt, p.ResolvedAt = db.Time(limit), db.Time(warn), db.Time(resolved)
	p.RequestedAt, p.ConcludedAt = db.Time(requested), db.Time(concluded)
	p.Conclusion, p.Opinion = conclusion.String, opinion.String
	return p, nil
}

// statutoryLimit is the limit a petition runs against now: its handling
// deadline once accepted (registered; extensions included), its acceptance
// deadline before.
func statutoryLimit(c Case) time.Time {
	if !c.DueAt.IsZero() {
		return c.DueAt
	}
	return c.AcceptDueAt
}

// trackPetition keeps a petition's row in step with its case, inside the
// transaction of every change (afterChange): its statutory limit, warning
// time and resolution for the 积案 registry, and — when the case becomes a
// petition or another report joins it — the petitioner's counts and
// whether a concluded 复核 bars it. A case reclassified away keeps its
// row; the registry reads only cases of the petition family.
func (s *Service) trackPetition(ctx context.Context, tx *db.Tx, before, after Case, event string) error {
	is, err := s.isPetition(ctx, tx, after.Nature)
	if err != nil || !is {
		return err
	}
	now := s.now()
	var resolved any
	switch after.State {
	case Closed:
		resolved = after.ClosedAt.UnixMicro()
	case Rejected:
		resolved = now.UnixMicro()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO petitions (case_id, limit_at, warn_at, resolved_at, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO UPDATE SET limit_at = excluded.limit_at,
		warn_at = excluded.warn_at, resolved_at = excluded.resolved_at, updated_at = excluded.updated_at`,
		after.ID, db.Micros(statutoryLimit(after)), db.Micros(after.WarnAt), resolved, now.UnixMicro())
	if err != nil {
		return fmt.Errorf("track petition %s: %w", after.Number, err)
	}
	was := false
	if before.ID != 0 {
		if was, err = s.isPetition(ctx, tx, before.Nature); err != nil {
			return err
		}
	}
	switch {
	case !was:
	case event == "case.add_report", event == "case.reports_changed", event == "case.merge", event == "case.unmerge":
		// Its reports, and so its petitioners, changed.
	default:
		return nil
	}
	who, err := petitionersOf(ctx, tx, after.ID)
	if err != nil {
		return err
	}
	text, err := caseText(ctx, tx, after)
	if err != nil {
		return err
	}
	h, err := s.history(ctx, tx, after.ID, after.ReceivedAt, who, text)
	if err != nil {
		return err
	}
	var barred any
	if h.Barred != nil {
		barred = h.Barred.CaseID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE petitions SET visit_no = $1, same_matter_no = $2, petitioners = $3, barred_by = $4
		WHERE case_id = $5`, h.Visits, h.SameMatter, max(1, len(who)), barred, after.ID); err != nil {
		return fmt.Errorf("track petition %s: %w", after.Number, err)
	}
	if h.Visits == 1 || was {
		return nil
	}
	// A repeat petition says so on its timeline.
	note := msgRepeatPetition.Fill(h.Visits, h.SameMatter)
	if h.Barred != nil {
		note = i18n.Join(i18n.Line, note, msgBarredNote.Fill(h.Barred.Number, h.Barred.ClosedAt.In(s.cfg.Location).Format("2006-01-02")))
	}
	_, err = appendEntry(ctx, tx, Entry{CaseID: after.ID, At: now, Action: RepeatPetition, FromState: after.State,
		ToState: after.State, Note: note})
	return err
}

// Timeline actions of petitions, outside the table.
const (
	RepeatPetition Action = "repeat_petition"  // 重复信访 (recognised by pingan)
	RequestReview  Action = "request_review"   // 申请复查/复核
	ConcludeReview Action = "conclude_review"  // 复查/复核意见
	NoLongerAccept Action = "no_longer_accept" // 不再受理
	LinkKindReview        = "review"           // the link between a petition and its 复查/复核
)

func init() {
	ActionNames[RepeatPetition] = i18n.M("重复信访", "Repeat petition")
	ActionNames[RequestReview] = i18n.M("申请复查/复核", "Review requested")
	ActionNames[ConcludeReview] = i18n.M("复查/复核意见", "Review concluded")
	ActionNames[NoLongerAccept] = i18n.M("不再受理", "Not accepted again")
}

var (
	msgRepeatPetition = i18n.M("该信访人第 %d 次信访，同一事项第 %d 次", "the petitioner's petition no. %d, no. %d about this matter")
	msgBarredNote     = i18n.M("同一事项的复核 %s 已于 %s 办结，依《信访工作条例》不再受理", "the re-review %s of this matter was concluded on %s: not accepted again (Regulations on Letters and Visits)")
	msgBarred         = i18n.M("不再受理：同一信访人就同一事项的复核 %s 已于 %s 办结，不能立案；请以“不再受理”办结", "not accepted again: the re-review %s of this petitioner's matter was concluded on %s; close it as not accepted instead of registering")
)

// refuseBarred refuses to register a petition a concluded 复核 bars.
func (s *Service) refuseBarred(ctx context.Context, q db.Querier, c Case) error {
	h, err := s.barredHistory(ctx, q, c)
	if err != nil || h.Barred == nil {
		return err
	}
	return fault.New(fault.Conflict, "no-longer-accepted", msgBarred, h.Barred.Number,
		h.Barred.ClosedAt.In(s.cfg.Location).Format("2006-01-02")).With("rereview_case", h.Barred.Number)
}

// barredHistory computes a stored petition's history afresh.
func (s *Service) barredHistory(ctx context.Context, q db.Querier, c Case) (PetitionHistory, error) {
	is, err := s.isPetition(ctx, q, c.Nature)
	if err != nil || !is {
		return PetitionHistory{Visits: 1, SameMatter: 1}, err
	}
	who, err := petitionersOf(ctx, q, c.ID)
	if err != nil {
		return PetitionHistory{}, err
	}
	text, err := caseText(ctx, q, c)
	if err != nil {
		return PetitionHistory{}, err
	}
	return s.history(ctx, q, c.ID, c.ReceivedAt, who, text)
}

// ChainStage is one case of a petition's 复查/复核 chain.
type ChainStage struct {
	Stage       Stage
	CaseID      int64
	Number      string
	Title       string
	State       State
	UnitID      int64 // the unit handling (or that handled) it
	RequestedAt time.Time
	DueAt       time.Time
	ClosedAt    time.Time
	Conclusion  string
	Opinion     string
	Visible     bool
}

// PetitionView is what the case page shows of a petition.
type PetitionView struct {
	Petition Petition
	History  PetitionHistory
	// Chain is the petition and its 复查 and 复核, in order.
	Chain []ChainStage
	// Next is the review this case's answer is open to ("" when none);
	// WindowEnd when the window to ask for it closes (zero before the
	// answer).
	Next       Stage
	WindowEnd  time.Time
	WindowOpen bool
	// What the reader may do now.
	CanRequest  bool
	CanConclude bool
	CanDecline  bool
}

// PetitionOf returns what the case page shows of a petition, or nil when
// the case is not one. Earlier petitions outside the reader's scope are
// counted, not shown.
func (s *Service) PetitionOf(ctx context.Context, actor access.Actor, number string) (*PetitionView, error) {
	c, vis, err := s.loadVisible(ctx, s.db, actor, number)
	if err != nil {
		return nil, err
	}
	if is, err := s.isPetition(ctx, s.db, c.Nature); err != nil || !is {
		return nil, err
	}
	p, err := stageOf(ctx, s.db, c.ID)
	if err != nil {
		return nil, err
	}
	v := &PetitionView{Petition: p}
	if v.History, err = s.barredHistory(ctx, s.db, c); err != nil {
		return nil, err
	}
	if err := s.filterVisible(ctx, s.db, actor, &v.History); err != nil {
		return nil, err
	}
	origin := p.OriginCaseID
	if origin == 0 {
		origin = c.ID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.number, c.title, c.state, COALESCE(c.handling_unit_id, 0), c.due_at, c.closed_at,
		COALESCE(p.stage, 'petition'), p.requested_at, COALESCE(p.conclusion, ''), COALESCE(p.opinion, '')
		FROM cases c LEFT JOIN petitions p ON p.case_id = c.id
		WHERE c.id = $1 OR p.origin_case_id = $1 ORDER BY c.id`, origin)
	if err != nil {
		return nil, fmt.Errorf("petition chain of %s: %w", number, err)
	}
	for rows.Next() {
		var st ChainStage
		var due, closed, requested sql.NullInt64
		if err := rows.Scan(&st.CaseID, &st.Number, &st.Title, &st.State, &st.UnitID, &due, &closed, &st.Stage, &requested,
			&st.Conclusion, &st.Opinion); err != nil {
			rows.Close()
			return nil, fmt.Errorf("petition chain of %s: %w", number, err)
		}
		st.DueAt, st.ClosedAt, st.RequestedAt = db.Time(due), db.Time(closed), db.Time(requested)
		v.Chain = append(v.Chain, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range v.Chain {
		if v.Chain[i].Visible, err = s.visible(ctx, s.db, actor, Case{ID: v.Chain[i].CaseID}); err != nil {
			return nil, err
		}
		v.Chain[i].Visible = v.Chain[i].Visible || v.Chain[i].CaseID == c.ID
	}
	if next, ok := nextStage(p.Stage); ok {
		v.Next = next
		var taken int
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM petitions WHERE prior_case_id = $1 AND stage = $2",
			c.ID, next).Scan(&taken); err != nil {
			return nil, err
		}
		if taken > 0 {
			v.Next = ""
		} else if c.State == Closed {
			v.WindowEnd = ReviewWindowEnd(c.ClosedAt, s.cfg.Location)
			v.WindowOpen = s.now().Before(v.WindowEnd)
			// Also after the window: a letter that came in time may be
			// recorded late, with the day it was received.
			v.CanRequest = mayRequestReview(actor)
		}
	}
	if p.Stage != StagePetition {
		switch c.State {
		case Handling, Reported, Verified, PendingClose:
			member := actor.UnitID == c.HandlingUnitID && actor.HasAny(access.Handler, access.Dispatcher, access.Supervisor)
			v.CanConclude = member || vis && actor.Has(access.Supervisor)
		}
	}
	v.CanDecline = v.History.Barred != nil && c.State == Received && actor.HasAny(access.Intake, access.Dispatcher)
	return v, nil
}

// RebuildPetitions recomputes the petition rows from the cases and their
// timelines, for bulk loads that write cases directly (the demo and
// pingan gen): limits, warning times and resolutions in one statement, then
// the repeat counts of the petitions with several reports or whose
// petitioner (by ID number or phone) appears on more than one. It writes
// no history. It
// returns how many petitions it read.
func (s *Service) RebuildPetitions(ctx context.Context) (int, error) {
	now := s.now()
	var n int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		// (WHERE 1 = 1 keeps SQLite from reading ON CONFLICT as the join's.)
		res, err := tx.ExecContext(ctx, `INSERT INTO petitions (case_id, limit_at, warn_at, resolved_at, updated_at)
			SELECT c.id, COALESCE(c.due_at, c.accept_due_at), c.warn_at,
				CASE WHEN c.state = 'closed' THEN c.closed_at
				WHEN c.state = 'rejected' THEN (SELECT MAX(t.at) FROM timeline t WHERE t.case_id = c.id AND t.to_state = 'rejected') END,
				$1
			FROM cases c JOIN natures n ON n.code = c.nature AND n.family = 'petition' WHERE 1 = 1
			ON CONFLICT (case_id) DO UPDATE SET limit_at = excluded.limit_at, warn_at = excluded.warn_at,
				resolved_at = excluded.resolved_at, updated_at = excluded.updated_at`, now.UnixMicro())
		if err != nil {
			return fmt.Errorf("rebuild petitions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	ids, err := db.IDs(ctx, s.db, `SELECT DISTINCT r.case_id FROM reports r
		JOIN cases c ON c.id = r.case_id JOIN natures n ON n.code = c.nature AND n.family = 'petition'
		WHERE c.report_count > 1 OR r.id_hash IN (SELECT r2.id_hash FROM reports r2 JOIN cases c2 ON c2.id = r2.case_id
			JOIN natures n2 ON n2.code = c2.nature AND n2.family = 'petition'
			WHERE r2.id_hash IS NOT NULL GROUP BY r2.id_hash HAVING COUNT(DISTINCT r2.case_id) > 1)
		OR r.phone_hash IN (SELECT r3.phone_hash FROM reports r3 JOIN cases c3 ON c3.id = r3.case_id
			JOIN natures n3 ON n3.code = c3.nature AND n3.family = 'petition'
			WHERE r3.phone_hash IS NOT NULL GROUP BY r3.phone_hash HAVING COUNT(DISTINCT r3.case_id) > 1)
		ORDER BY r.case_id`)
	if err != nil {
		return 0, fmt.Errorf("rebuild petitions: repeats: %w", err)
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 200)]
		ids = ids[len(batch):]
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			for _, id := range batch {
				c, err := caseByID(ctx, tx, id)
				if err != nil {
					return err
				}
				who, err := petitionersOf(ctx, tx, id)
				if err != nil {
					return err
				}
				h, err := s.barredHistory(ctx, tx, c)
				if err != nil {
					return err
				}
				var barred any
				if h.Barred != nil {
					barred = h.Barred.CaseID
				}
				if _, err := tx.ExecContext(ctx, `UPDATE petitions SET visit_no = $1, same_matter_no = $2, petitioners = $3,
					barred_by = $4 WHERE case_id = $5`, h.Visits, h.SameMatter, max(1, len(who)), barred, id); err != nil {
					return fmt.Errorf("rebuild petition %s: %w", c.Number, err)
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return int(n), nil
}
