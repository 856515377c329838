package casework

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/score"
	"pingan/internal/search"
)

// ReviewRequestDays is how long after the answer a petitioner may ask for
// 复查, and after the 复查's answer for 复核 (信访工作条例: 30 days). The
// window runs to the end of the 30th day after the day of the answer.
const ReviewRequestDays = 30

// Conclusions of a 复查 or 复核.
var Conclusions = []struct {
	Value string
	Name  i18n.Message
}{
	{"upheld", i18n.M("维持原处理意见", "Upheld")},
	{"revised", i18n.M("撤销或变更原处理意见", "Revised")},
}

// ReviewInput is a petitioner's request for 复查 or 复核 of an answer.
type ReviewInput struct {
	RequestedAt time.Time // when the petitioner asked; zero for now
	Channel     Channel   // how the request came in; visit by default
	Reason      string    // the petitioner's request and reasons
}

// ConclusionInput is the answer of a 复查 or 复核.
type ConclusionInput struct {
	Conclusion string // upheld | revised
	Opinion    string // the written opinion
}

var (
	msgReviewRole      = i18n.M("您的角色不能登记复查、复核申请", "your role may not record review requests")
	msgNotPetition     = i18n.M("案件 %s 不是信访事项", "case %s is not a petition")
	msgNotAnswered     = i18n.M("信访事项 %s 尚未办结答复（当前“%s”），不能申请%s", "petition %s has not been answered (it is “%s”): a %s cannot be requested yet")
	msgFinal           = i18n.M("%s 是复核，复核意见为最终意见；同一事实和理由不再受理", "%s is a re-review, whose opinion is final: the same facts and reasons are not accepted again")
	msgAlreadyReviewed = i18n.M("%s 已申请%s：%s", "%s already has a %s: %s")
	msgWindowClosed    = i18n.M("已超过申请期限：%s须自答复之日（%s）起 %d 日内提出，即不晚于 %s；申请日为 %s", "too late: a %[1]s must be requested within %[3]d days of the answer of %[2]s, by %[4]s; it was requested on %[5]s")
	msgBeforeAnswer    = i18n.M("不能早于答复时间 %s", "cannot be before the answer of %s")
	msgNoSuperior      = i18n.M("作出答复的单位“%s”没有上一级单位，%s须向本平台以外的机关提出", "the unit that answered, %s, has no superior here: the %s goes to an authority outside pingan")
	msgNoReviewLimit   = i18n.M("期限规则“%s”没有%s时限", "deadline policy %q has no %s limit")
	msgNotReview       = i18n.M("案件 %s 不是复查或复核", "case %s is not a review")
	msgConcludeState   = i18n.M("案件当前为“%s”，须签收后才能作出%s意见", "the case is “%s”: sign for it before concluding the %s")
	msgConcludeRole    = i18n.M("只有承办单位或督办员可以作出%s意见", "only the handling unit or a supervisor may conclude the %s")
	msgConclusion      = i18n.M("复查/复核结论无效：%s", "invalid conclusion: %s")
	msgNotBarred       = i18n.M("案件 %s 没有已办结的同一事项复核，不能以“不再受理”办结", "case %s has no concluded re-review of the same matter: it cannot be closed as not accepted again")
	msgBarredReason    = i18n.M("不再受理：同一信访人就同一事项的复核 %s 已于 %s 办结，依《信访工作条例》同一事实和理由不再受理。", "not accepted again: the re-review %s of this petitioner's matter was concluded on %s (信访工作条例).")
)

func mayRequestReview(a access.Actor) bool {
	return a.System || a.HasAny(access.Intake, access.Dispatcher, access.Supervisor)
}

// nextStage is the review a case's answer is open to.
func nextStage(s Stage) (Stage, bool) {
	switch s {
	case StagePetition:
		return StageReview, true
	case StageReview:
		return StageReReview, true
	}
	return "", false
}

// ReviewWindowEnd is when the window to ask for review of an answer given at
// answered closes: the end of the 30th day after the day of the answer, in
// loc.
func ReviewWindowEnd(answered time.Time, loc *time.Location) time.Time {
	y, m, d := answered.In(loc).Date()
	return time.Date(y, m, d+ReviewRequestDays+1, 0, 0, 0, 0, loc)
}

// stageOf returns a case's petition stage (petition when it has no row yet).
func stageOf(ctx context.Context, q db.Querier, caseID int64) (Petition, error) {
	p, err := petitionOf(ctx, q, caseID)
	if db.IsNotFound(err) {
		return Petition{CaseID: caseID, Stage: StagePetition}, nil
	}
	return p, err
}

// RequestReview records a petitioner's request for 复查 of an answered
// petition, or 复核 of an answered 复查: a new case, dispatched to the
// superior of the unit that answered, due the policy's review limit after
// the request, linked to the case it reviews. Requests after the 30-day
// window, of unanswered cases, of a 复核, or a second one are refused with
// the reason. Both timelines and the audit log record it, in one
// transaction.
func (s *Service) RequestReview(ctx context.Context, actor access.Actor, number string, in ReviewInput) (Case, error) {
	// Outside the actor's scope the case does not exist, whatever else is
	// wrong with the request.
	if _, _, err := s.loadVisible(ctx, s.db, actor, number); err != nil {
		return Case{}, s.recordDenied(ctx, actor, "petition.request_review", "case", number, err)
	}
	if !mayRequestReview(actor) {
		err := fault.New(fault.Forbidden, "forbidden", msgReviewRole)
		return Case{}, s.recordDenied(ctx, actor, "petition.request_review", "case", number, err)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var v fault.Validation
	if in.Reason == "" {
		v.Add("reason", fault.Required)
	} else if utf8.RuneCountInString(in.Reason) > MaxNote {
		v.Add("reason", fault.TooLong, MaxNote)
	}
	if in.Channel == "" {
		in.Channel = "visit"
	}
	if !validChannel(in.Channel) {
		v.Add("channel", fault.BadValue, string(in.Channel))
	}
	now := s.now()
	if in.RequestedAt.IsZero() {
		in.RequestedAt = now
	}
	if in.RequestedAt.After(now.Add(5 * time.Minute)) {
		v.Add("requested_at", msgFuture)
	}
	if err := v.Err(); err != nil {
		return Case{}, err
	}
	var out Case
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.requestReview(ctx, tx, actor, number, in, now)
		return err
	})
	if err != nil && denied(err) {
		err = s.recordDenied(ctx, actor, "petition.request_review", "case", number, err)
	}
	return out, err
}

func (s *Service) requestReview(ctx context.Context, tx *db.Tx, actor access.Actor, number string, in ReviewInput, now time.Time) (Case, error) {
	prior, _, err := s.loadVisible(ctx, tx, actor, number)
	if err != nil {
		return Case{}, err
	}
	if is, err := s.isPetition(ctx, tx, prior.Nature); err != nil {
		return Case{}, err
	} else if !is {
		return Case{}, fault.New(fault.Conflict, "not-a-petition", msgNotPetition, prior.Number)
	}
	pp, err := stageOf(ctx, tx, prior.ID)
	if err != nil {
		return Case{}, err
	}
	stage, ok := nextStage(pp.Stage)
	if !ok {
		return Case{}, fault.New(fault.Conflict, "review-final", msgFinal, prior.Number)
	}
	stageMsg := StageNames[stage]
	stageName := stageMsg.Format(i18n.ZH) // for the stored title and notes
	if prior.State != Closed {
		return Case{}, fault.New(fault.Conflict, "not-answered", msgNotAnswered, prior.Number,
			stateName(prior.State), i18n.Lower(stageMsg)).With("state", prior.State)
	}
	var existing string
	err = tx.QueryRowContext(ctx, `SELECT c.number FROM petitions p JOIN cases c ON c.id = p.case_id
		WHERE p.prior_case_id = $1 AND p.stage = $2`, prior.ID, stage).Scan(&existing)
	if err == nil {
		return Case{}, fault.New(fault.Conflict, "review-exists", msgAlreadyReviewed, prior.Number, i18n.Lower(stageMsg), existing).
			With("review_case", existing)
	}
	if !db.IsNotFound(err) {
		return Case{}, fmt.Errorf("find review of %s: %w", prior.Number, err)
	}
	day := func(t time.Time) string { return t.In(s.cfg.Location).Format("2006-01-02") }
	if in.RequestedAt.Before(prior.ClosedAt) {
		return Case{}, fault.InvalidField("requested_at", msgBeforeAnswer, prior.ClosedAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
	}
	if end := ReviewWindowEnd(prior.ClosedAt, s.cfg.Location); !in.RequestedAt.Before(end) {
		return Case{}, fault.InvalidField("requested_at", msgWindowClosed, i18n.Lower(stageMsg), day(prior.ClosedAt), ReviewRequestDays,
			day(end.Add(-time.Second)), day(in.RequestedAt))
	}
	// The next level up from the unit that answered.
	answered := prior.HandlingUnitID
	if answered == 0 {
		answered = prior.JurisdictionUnitID
	}
	if answered == 0 {
		answered = prior.IntakeUnitID
	}
	from, err := s.org.Unit(ctx, tx, answered)
	if err != nil {
		return Case{}, err
	}
	if from.ParentID == 0 {
		return Case{}, fault.New(fault.Conflict, "no-superior", msgNoSuperior, from.Name, i18n.Lower(stageMsg))
	}
	to, err := s.org.Unit(ctx, tx, from.ParentID)
	if err != nil {
		return Case{}, err
	}
	policy, err := s.policyFor(ctx, tx, prior)
	if err != nil {
		return Case{}, err
	}
	limit := policy.Review
	if stage == StageReReview {
		limit = policy.ReReview
	}
	if limit.Zero() {
		return Case{}, fault.New(fault.Conflict, "no-review-limit", msgNoReviewLimit, policy.Label(), i18n.Lower(stageMsg))
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return Case{}, err
	}
	year := now.In(s.cfg.Location).Year()
	num, err := nextNumber(ctx, tx, s.cfg.NumberPrefix, year)
	if err != nil {
		return Case{}, err
	}
	at := time.UnixMicro(now.UnixMicro())
	title := []rune(stageName + "：" + strings.TrimPrefix(strings.TrimPrefix(prior.Title, "复查："), "复核："))
	if len(title) > MaxTitle {
		title = title[:MaxTitle]
	}
	c := Case{Number: num, Title: string(title), Nature: prior.Nature, CategoryID: prior.CategoryID, Priority: prior.Priority,
		State: Dispatched, Channel: in.Channel, IntakeUnitID: actor.UnitID, JurisdictionUnitID: to.ID, HandlingUnitID: to.ID,
		DivisionCode: prior.DivisionCode, Address: prior.Address, Location: prior.Location, ReceivedAt: at, ReportCount: 1,
		UpdatedAt: at, Version: 1, ClockStartAt: time.UnixMicro(in.RequestedAt.UnixMicro()), PolicyID: policy.ID,
		DueAt: time.UnixMicro(limit.After(cal, in.RequestedAt).UnixMicro())}
	if c.IntakeUnitID == 0 {
		c.IntakeUnitID = to.ID
	}
	// Given to the superior as a transfer is: its time to sign runs from
	// now, the review's handling time (from the request) stands.
	SetDeadlines(&c, Transfer, policy, cal, at, time.Time{}, time.Time{})
	Clock(&c, policy.WarnRatio)
	lat, lon := nullPoint(c.Location)
	err = tx.QueryRowContext(ctx, `INSERT INTO cases (number, title, nature, category_id, priority, state, channel,
		intake_unit_id, jurisdiction_unit_id, handling_unit_id, division_code, address, lat, lon, received_at, report_count,
		updated_at, version, sign_due_at, due_at, clock_start_at, deadline_at, warn_at, policy_id, triage)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $15, 1, $16, $17, $18, $19, $20, $21, $22)
		RETURNING id`,
		c.Number, c.Title, db.NullText(c.Nature), db.NullID(c.CategoryID), c.Priority, c.State, c.Channel,
		c.IntakeUnitID, c.JurisdictionUnitID, c.HandlingUnitID, db.NullText(c.DivisionCode), c.Address, lat, lon,
		now.UnixMicro(), db.Micros(c.SignDueAt), db.Micros(c.DueAt), db.Micros(c.ClockStartAt), db.Micros(c.DeadlineAt),
		db.Micros(c.WarnAt), c.PolicyID, false).Scan(&c.ID)
	if err != nil {
		return Case{}, fmt.Errorf("open %s case: %w", stage, err)
	}
	// The units of the reviewed case keep sight of the review; the
	// superior handles it.
	units, err := involvedUnits(ctx, tx, prior.ID)
	if err != nil {
		return Case{}, err
	}
	for _, u := range append(units, c.IntakeUnitID, to.ID) {
		if err := involve(ctx, tx, c.ID, u); err != nil {
			return Case{}, err
		}
	}
	// The request is the petitioner's: the report carries the reviewed
	// case's petitioner (sealed fields are bound to their column, not to
	// a row, so they are copied as they are).
	var p sealedPersonal
	var name string
	var phoneSealed, phoneHash, idSealed, idHash *string
	err = tx.QueryRowContext(ctx, `SELECT reporter_name, phone_masked, phone_sealed, phone_hash, id_masked, id_sealed, id_hash
		FROM reports WHERE case_id = $1 ORDER BY id LIMIT 1`, prior.ID).Scan(&name, &p.phoneMasked, &phoneSealed, &phoneHash,
		&p.idMasked, &idSealed, &idHash)
	if err != nil && !db.IsNotFound(err) {
		return Case{}, fmt.Errorf("petitioner of %s: %w", prior.Number, err)
	}
	for _, f := range []struct {
		src *string
		dst *string
	}{{phoneSealed, &p.phoneSealed}, {phoneHash, &p.phoneHash}, {idSealed, &p.idSealed}, {idHash, &p.idHash}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	rin := ReportInput{Channel: in.Channel, Title: c.Title, Body: in.Reason, ReporterName: name, Address: c.Address,
		Location: c.Location, DivisionCode: c.DivisionCode, OccurredAt: in.RequestedAt}
	rep, err := s.insertReport(ctx, tx, actor, c.ID, rin, p, now)
	if err != nil {
		return Case{}, err
	}
	if err := search.Index(ctx, tx, c.ID, search.Text(c.Title, c.Address, in.Reason)); err != nil {
		return Case{}, err
	}
	origin := pp.OriginCaseID
	if origin == 0 {
		origin = prior.ID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO petitions (case_id, stage, origin_case_id, prior_case_id, requested_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, stage, origin, prior.ID, in.RequestedAt.UnixMicro(), now.UnixMicro()); err != nil {
		if db.IsUniqueViolation(err) {
			return Case{}, fault.New(fault.Conflict, "review-exists", msgAlreadyReviewed, prior.Number, i18n.Lower(stageMsg), "")
		}
		return Case{}, fmt.Errorf("record %s: %w", stage, err)
	}
	for _, pair := range [][2]int64{{prior.ID, c.ID}, {c.ID, prior.ID}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_links (case_id, linked_case_id, kind, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5)`, pair[0], pair[1], LinkKindReview, now.UnixMicro(), db.NullID(actor.UserID)); err != nil {
			return Case{}, fmt.Errorf("link %s to %s: %w", c.Number, prior.Number, err)
		}
	}
	due := c.DueAt.In(s.cfg.Location).Format("2006-01-02 15:04")
	// The review case opens in the hands of the reviewing unit: an
	// assignment, as a dispatch is (the scorecards count it, and the
	// timeline carries what the replay of the scores needs).
	if _, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
		Action: RequestReview, ToState: Dispatched, Changes: Diff(Case{}, c, s.cfg.Location),
		Note: i18n.Join(i18n.Line, msgReviewOpened.Fill(stageMsg, prior.Number, day(in.RequestedAt), to.Name, due), i18n.Plain(in.Reason))}); err != nil {
		return Case{}, err
	}
	if err := s.score.Record(ctx, tx, score.Classify(string(RequestReview), c.ID, score.Snapshot{}, c.scoring(), now)); err != nil {
		return Case{}, err
	}
	if _, err := appendEntry(ctx, tx, Entry{CaseID: prior.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
		Action: RequestReview, FromState: prior.State, ToState: prior.State,
		Note: msgReviewRequested.Fill(stageMsg, c.Number, to.Name, due)}); err != nil {
		return Case{}, err
	}
	if err := s.audit.Append(ctx, tx, entry(actor, "petition.request_review", "case", prior.Number, audit.OK, map[string]any{
		"stage": stage, "review_case": c.Number, "report_id": rep.ID, "unit_id": to.ID,
		"requested_at": in.RequestedAt.UTC().Format(time.RFC3339), "due_at": c.DueAt.UTC().Format(time.RFC3339)})); err != nil {
		return Case{}, err
	}
	if err := s.afterChange(ctx, tx, Case{}, c, "case.review_requested", map[string]any{"stage": stage, "reviews": prior.Number}); err != nil {
		return Case{}, err
	}
	if err := s.tell(ctx, tx, Dispatch, c, actor, i18n.Plain(c.Title)); err != nil {
		return Case{}, err
	}
	return caseByID(ctx, tx, c.ID)
}

var (
	msgReviewOpened    = i18n.M("%s申请：原案 %s，申请日 %s，由%s办理，期限 %s", "%s requested of %s on %s; handled by %s, due %s")
	msgReviewRequested = i18n.M("申请%s：%s，由%s办理，期限 %s", "%s requested: %s, handled by %s, due %s")
	msgConcludedOf     = i18n.M("%s %s：%s", "%s of %s: %s") // on the case reviewed
)

// ConcludeReview records the opinion of a 复查 or 复核 and closes its case:
// the answer the next request's 30 days run from. A concluded 复核 is
// final.
func (s *Service) ConcludeReview(ctx context.Context, actor access.Actor, number string, in ConclusionInput) (Case, error) {
	if _, _, err := s.loadVisible(ctx, s.db, actor, number); err != nil {
		return Case{}, s.recordDenied(ctx, actor, "petition.conclude_review", "case", number, err)
	}
	in.Opinion = strings.TrimSpace(in.Opinion)
	var v fault.Validation
	valid := false
	for _, c := range Conclusions {
		valid = valid || c.Value == in.Conclusion
	}
	if !valid {
		v.Add("conclusion", msgConclusion, in.Conclusion)
	}
	if in.Opinion == "" {
		v.Add("opinion", fault.Required)
	} else if utf8.RuneCountInString(in.Opinion) > MaxNote {
		v.Add("opinion", fault.TooLong, MaxNote)
	}
	if err := v.Err(); err != nil {
		return Case{}, err
	}
	var out Case
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		c, vis, err := s.loadVisible(ctx, tx, actor, number)
		if err != nil {
			return err
		}
		p, err := stageOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if p.Stage != StageReview && p.Stage != StageReReview {
			return fault.New(fault.Conflict, "not-a-review", msgNotReview, c.Number)
		}
		stageMsg := StageNames[p.Stage]
		switch c.State {
		case Handling, Reported, Verified, PendingClose:
		default:
			return fault.New(fault.Conflict, "transition-not-allowed", msgConcludeState, stateName(c.State), i18n.Lower(stageMsg)).
				With("state", c.State)
		}
		member := c.HandlingUnitID != 0 && actor.UnitID == c.HandlingUnitID && actor.HasAny(access.Handler, access.Dispatcher, access.Supervisor)
		if !member && !(vis && actor.Has(access.Supervisor)) && !actor.System {
			return fault.New(fault.Forbidden, "action-not-permitted", msgConcludeRole, i18n.Lower(stageMsg))
		}
		next := c
		next.State, next.ClosedAt, next.RequestedDueAt = Closed, now, time.Time{}
		reclock(&next, c, 0, now) // closed: out of the backlog
		ok, err := updateCase(ctx, tx, next, now)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.Conflict, "case-changed", msgChanged)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE petitions SET conclusion = $1, opinion = $2, concluded_at = $3 WHERE case_id = $4`,
			in.Conclusion, in.Opinion, now.UnixMicro(), c.ID); err != nil {
			return fmt.Errorf("conclude %s: %w", c.Number, err)
		}
		name := i18n.Plain(in.Conclusion)
		for _, x := range Conclusions {
			if x.Value == in.Conclusion {
				name = x.Name
			}
		}
		if _, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
			Action: ConcludeReview, FromState: c.State, ToState: Closed, Note: i18n.Join(i18n.Line, i18n.Join(i18n.Colon, stageMsg, name), i18n.Plain(in.Opinion)),
			Changes: Diff(c, next, s.cfg.Location)}); err != nil {
			return err
		}
		if p.PriorCaseID != 0 {
			prior, err := caseByID(ctx, tx, p.PriorCaseID)
			if err != nil {
				return err
			}
			if _, err := appendEntry(ctx, tx, Entry{CaseID: prior.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
				Action: ConcludeReview, FromState: prior.State, ToState: prior.State,
				Note: msgConcludedOf.Fill(stageMsg, c.Number, name)}); err != nil {
				return err
			}
		}
		if err := s.audit.Append(ctx, tx, entry(actor, "petition.conclude_review", "case", c.Number, audit.OK, map[string]any{
			"stage": p.Stage, "conclusion": in.Conclusion, "from": c.State, "to": Closed})); err != nil {
			return err
		}
		if err := s.afterChange(ctx, tx, c, next, "case.review_concluded", map[string]any{"stage": p.Stage, "conclusion": in.Conclusion}); err != nil {
			return err
		}
		out, err = caseByID(ctx, tx, c.ID)
		return err
	})
	if err != nil && denied(err) {
		err = s.recordDenied(ctx, actor, "petition.conclude_review", "case", number, err)
	}
	return out, err
}

// DeclineBarred closes a received petition as 不再受理 (not accepted
// again) because a 复核 of the same petitioner's matter was concluded: it
// is rejected with the reason, linked to the 复核, and the timelines and
// the audit log say so, in one transaction.
func (s *Service) DeclineBarred(ctx context.Context, actor access.Actor, number string) (Case, error) {
	var out Case
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, _, err := s.loadVisible(ctx, tx, actor, number)
		if err != nil {
			return err
		}
		h, err := s.barredHistory(ctx, tx, c)
		if err != nil {
			return err
		}
		if h.Barred == nil {
			return fault.New(fault.Conflict, "not-barred", msgNotBarred, c.Number)
		}
		b := h.Barred
		reason := msgBarredReason.Fill(b.Number, b.ClosedAt.In(s.cfg.Location).Format("2006-01-02"))
		if out, err = s.do(ctx, tx, actor, number, Reject, ActionInput{Why: reason}); err != nil {
			return err
		}
		now := s.now()
		for _, pair := range [][2]int64{{c.ID, b.CaseID}, {b.CaseID, c.ID}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_links (case_id, linked_case_id, kind, created_at, created_by)
				VALUES ($1, $2, 'related', $3, $4) ON CONFLICT DO NOTHING`, pair[0], pair[1], now.UnixMicro(), db.NullID(actor.UserID)); err != nil {
				return fmt.Errorf("link %s to %s: %w", c.Number, b.Number, err)
			}
		}
		if _, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
			Action: NoLongerAccept, FromState: out.State, ToState: out.State, Note: i18n.Plain(b.Number)}); err != nil {
			return err
		}
		if _, err := appendEntry(ctx, tx, Entry{CaseID: b.CaseID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
			Action: NoLongerAccept, FromState: b.State, ToState: b.State, Note: i18n.Plain(c.Number)}); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "petition.no_longer_accept", "case", c.Number, audit.OK,
			map[string]any{"rereview_case": b.Number}))
	})
	if err != nil && denied(err) {
		err = s.recordDenied(ctx, actor, "petition.no_longer_accept", "case", number, err)
	}
	return out, err
}
