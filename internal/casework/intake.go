package casework

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/catalog"
	"pingan/internal/db"
	"pingan/internal/dedup"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/search"
)

// ReportInput is one contact to take in.
type ReportInput struct {
	Channel          Channel
	SourceRef        string // the report's id in the system it came from, if any
	Title            string // derived from Body when empty
	Body             string
	MediaURL         string // a link (http or https) to media kept elsewhere
	ReporterName     string
	ReporterPhone    string
	ReporterIDNumber string
	OccurredAt       time.Time
	Address          string
	Location         *Point
	DivisionCode     string
	Attachments      []AttachmentInput

	// The classification, all optional at intake: the operator's, or the
	// one another system forwards with the report (see operatorChose).
	Nature     string
	CategoryID int64
	Priority   Priority

	// CaseNumber adds the report to that open case: it opens a case that
	// is merged into that one at once.
	CaseNumber string
	// KeepSeparate: the operator saw the repeat candidates and keeps the
	// report apart, so it is not merged on its own.
	KeepSeparate bool

	// IdempotencyKey makes a retried request return the first result; the
	// RequestHash tells a retry from a different request reusing the key.
	IdempotencyKey string
	RequestHash    string
}

// IntakeResult is what intake produced.
type IntakeResult struct {
	Report   Report
	Case     Case
	Replayed bool // an earlier request with the same key or source id made it
	// MergedFrom is the number of the case the report opened when it was
	// merged at once into Case (the operator chose the case, or AutoMerged:
	// a near-exact repeat); undoing that merge makes it a case of its own.
	MergedFrom string
	AutoMerged bool
	// Fresh is the whole new case as Get would return it, when intake opened
	// one (nil otherwise: read it with Get).
	Fresh *Detail
}

// Limits of free-text fields.
const (
	MaxTitle       = 200
	MaxBody        = 20000
	MaxName        = 50
	MaxAddress     = 300
	MaxNote        = 5000
	MaxAttachments = 20
	MaxAttachment  = 20 << 20
)

var (
	msgCannotIntake  = i18n.M("您的角色不能受理来件", "your role may not take in reports")
	msgFuture        = i18n.M("不能晚于当前时间", "cannot be in the future")
	msgLatLon        = i18n.M("坐标无效：纬度 -90..90，经度 -180..180", "invalid coordinates: latitude -90..90, longitude -180..180")
	msgUnknownDiv    = i18n.M("未知的行政区划代码：%s", "unknown division code: %s")
	msgKeyReused     = i18n.M("该幂等键已用于另一个不同的请求", "this idempotency key was already used for a different request")
	msgCaseClosed    = i18n.M("案件 %s 状态为“%s”，不能追加来件；请重新打开或新建案件", "case %s is “%s”; reopen it or open a new case")
	msgNoCaseToAdd   = i18n.M("没有编号为 %s 的案件，或不在您的查看范围内", "no case %s, or none you may see")
	msgSourceRefSeen = i18n.M("来源编号 %s 的来件已经受理，所在案件不在您的查看范围内", "a report with source id %s was already received, in a case outside your view")
	msgSHA256        = i18n.M("须为64位十六进制 SHA-256 摘要", "must be a 64-hex-digit SHA-256 digest")
	msgTooMany       = i18n.M("最多 %d 个", "at most %d")
	msgTooLarge      = i18n.M("文件过大（上限 %d MB）", "file too large (limit %d MB)")
	msgSourceRefLong = i18n.M("不能超过 100 个字符", "must be at most 100 characters")
	msgKeyLong       = i18n.M("幂等键不能超过 200 个字符", "the idempotency key must be at most 200 characters")
	msgMediaURL      = i18n.M("须为不超过 2000 个字符的 http 或 https 链接", "must be an http or https link of at most 2000 characters")
)

// mayIntake reports whether actor may take in reports.
func mayIntake(a access.Actor) bool {
	return a.System || a.HasAny(access.Intake, access.Dispatcher, access.Handler)
}

// normalize cleans and validates a report; it returns the phone digits and
// ID number in canonical form.
func (s *Service) normalize(in *ReportInput, v *fault.Validation, now time.Time) (phone, idno string) {
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	in.ReporterName, in.Address = strings.TrimSpace(in.ReporterName), strings.TrimSpace(in.Address)
	in.SourceRef, in.CaseNumber = strings.TrimSpace(in.SourceRef), strings.TrimSpace(in.CaseNumber)
	if !validChannel(in.Channel) {
		if in.Channel == "" {
			v.Add("channel", fault.Required)
		} else {
			v.Add("channel", fault.BadValue, string(in.Channel))
		}
	}
	if in.Body == "" {
		v.Add("body", fault.Required)
	} else if utf8.RuneCountInString(in.Body) > MaxBody {
		v.Add("body", fault.TooLong, MaxBody)
	}
	if in.Title == "" && in.Body != "" {
		in.Title = deriveTitle(in.Body)
	}
	if utf8.RuneCountInString(in.Title) > MaxTitle {
		v.Add("title", fault.TooLong, MaxTitle)
	}
	if utf8.RuneCountInString(in.ReporterName) > MaxName {
		v.Add("reporter.name", fault.TooLong, MaxName)
	}
	if strings.TrimSpace(in.ReporterPhone) != "" {
		var ok bool
		if phone, ok = NormalizePhone(strings.TrimSpace(in.ReporterPhone)); !ok {
			v.Add("reporter.phone", msgPhone)
		}
	}
	if strings.TrimSpace(in.ReporterIDNumber) != "" {
		var ok bool
		if idno, ok = NormalizeIDNumber(in.ReporterIDNumber); !ok {
			v.Add("reporter.id_number", msgIDNumber)
		}
	}
	if !in.OccurredAt.IsZero() && in.OccurredAt.After(now.Add(5*time.Minute)) {
		v.Add("occurred_at", msgFuture)
	}
	if utf8.RuneCountInString(in.Address) > MaxAddress {
		v.Add("address", fault.TooLong, MaxAddress)
	}
	if p := in.Location; p != nil {
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
			v.Add("location", msgLatLon)
		}
	}
	if in.DivisionCode != "" {
		if _, ok := division.ByCode(in.DivisionCode); !ok {
			v.Add("division_code", msgUnknownDiv, in.DivisionCode)
		}
	}
	if len(in.SourceRef) > 100 {
		v.Add("source_ref", msgSourceRefLong)
	}
	if in.MediaURL = strings.TrimSpace(in.MediaURL); in.MediaURL != "" {
		if u, err := url.Parse(in.MediaURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(in.MediaURL) > 2000 {
			v.Add("media_url", msgMediaURL)
		}
	}
	if len(in.IdempotencyKey) > 200 {
		v.Add("idempotency_key", msgKeyLong)
	}
	validateAttachments(v, "attachments", in.Attachments)
	return phone, idno
}

func validateAttachments(v *fault.Validation, field string, as []AttachmentInput) {
	if len(as) > MaxAttachments {
		v.Add(field, msgTooMany, MaxAttachments)
		return
	}
	for i, a := range as {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch name := strings.TrimSpace(a.Name); {
		case name == "":
			v.Add(f+".name", fault.Required)
		case utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "/\\\x00"):
			v.Add(f+".name", fault.BadValue, name)
		}
		if a.ContentType == "" || len(a.ContentType) > 100 || !strings.Contains(a.ContentType, "/") {
			v.Add(f+".content_type", fault.BadValue, a.ContentType)
		}
		if a.Size < 0 {
			v.Add(f+".size", fault.BadValue, fmt.Sprint(a.Size))
		} else if a.Size > MaxAttachment {
			v.Add(f+".size", msgTooLarge, MaxAttachment>>20)
		}
		if a.SHA256 != "" {
			if b, err := hex.DecodeString(a.SHA256); err != nil || len(b) != 32 {
				v.Add(f+".sha256", msgSHA256)
			}
		}
	}
}

// deriveTitle takes the first line of body, cut to 30 characters.
func deriveTitle(body string) string {
	line, _, _ := strings.Cut(body, "\n")
	r := []rune(strings.TrimSpace(line))
	if len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return string(r)
}

// Intake takes in one report: it opens a case in state received (or adds
// the report to an open case), with its timeline entry and audit record, in
// one transaction. With an idempotency key, a repeated request returns the
// first result and creates nothing.
func (s *Service) Intake(ctx context.Context, actor access.Actor, in ReportInput) (IntakeResult, error) {
	rs, err := s.IntakeBatch(ctx, actor, []ReportInput{in})
	if err != nil {
		if denied(err) && in.CaseNumber != "" {
			err = s.recordDenied(ctx, actor, "report.create", "case", in.CaseNumber, err)
		}
		return IntakeResult{}, err
	}
	return rs[0], nil
}

// prepared is a report checked and ready to store.
type prepared struct {
	in     ReportInput
	sealed sealedPersonal
	// merge is the open case the report repeats nearly word for word,
	// to merge it into on its own (see autoMerge); reason says why.
	merge  string
	reason i18n.Message
	// draft is the case the report opens, as far as it is known before
	// the write (see draft); tokens its text for the search index.
	draft  Case
	tokens search.Tokenized
	// chosen: the report's classification is an operator's choice, a
	// label for the classifier (see operatorChose).
	chosen bool
}

// prepare cleans and checks a report and seals its personal data.
func (s *Service) prepare(ctx context.Context, in ReportInput, now time.Time) (prepared, error) {
	var v fault.Validation
	phone, idno := s.normalize(&in, &v, now)
	if v.Err() != nil {
		// Everything wrong at once: the classification too, which the
		// write checks again in its transaction.
		s.checkClassification(ctx, s.db, &v, in.Nature, in.CategoryID, in.Priority)
		return prepared{}, v.Err()
	}
	chosen := operatorChose(in)
	if in.Channel == police110 && in.SourceRef != "" && in.Nature == "" {
		// An incident the 110 system forwards without a nature.
		in.Nature = policeOther
	}
	sealed, err := s.sealPersonal(phone, idno)
	return prepared{in: in, sealed: sealed, chosen: chosen}, err
}

// The 110 channel, and the nature of an incident its system forwards
// without one (其他警情): the channel's default, nobody's choice.
const (
	police110   Channel = "police_110"
	policeOther         = "police_other"
)

// operatorChose reports whether the classification a report comes with is
// an operator's choice: confirmed or corrected against the suggestion, a
// label the classifier learns from (learn). Channels where a machine
// forwards someone else's classification carry none: an Open311 post (the
// citizen's service code and nature), an imported row (the labels of the
// system it came from), any report with its id in another system (a source
// id; that system's labels). The 110 channel is the exception: an
// incident's nature is the one the 110 call-taker chose as they took the
// call, however the incident reached us; one without a nature took the
// channel's default (see prepare).
func operatorChose(in ReportInput) bool {
	if in.CategoryID == 0 && in.Nature == "" {
		return false
	}
	switch in.Channel {
	case police110:
		return true
	case "open311", "import":
		return false
	}
	return in.SourceRef == ""
}

// IntakeBatch takes in reports in one transaction: every one of them, or
// none when one is refused (an all-or-nothing import). The results are in
// the order of the reports; a report seen before (by idempotency key or
// source id) returns its first result.
func (s *Service) IntakeBatch(ctx context.Context, actor access.Actor, ins []ReportInput) ([]IntakeResult, error) {
	if !mayIntake(actor) {
		return nil, fault.New(fault.Forbidden, "forbidden", msgCannotIntake)
	}
	now := s.now()
	ps := make([]prepared, len(ins))
	for i, in := range ins {
		var err error
		if ps[i], err = s.prepare(ctx, in, now); err != nil {
			return nil, err
		}
		// Looked for before the write, on the read pool: the lookup and
		// the classifier take time the writer should not wait for.
		if ps[i].merge, ps[i].reason, err = s.autoMerge(ctx, actor, ps[i].in, now); err != nil {
			return nil, err
		}
		if ps[i].draft, err = s.draft(ctx, actor, ps[i].in, now); err != nil {
			return nil, err
		}
		ps[i].tokens = search.Tokenize(search.Text(ps[i].draft.Title, ps[i].draft.Address, ps[i].in.Body))
	}
	var out []IntakeResult
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		out = make([]IntakeResult, len(ps))
		for i, p := range ps {
			var err error
			if out[i], err = s.intake(ctx, tx, actor, p, now); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (s *Service) intake(ctx context.Context, tx *db.Tx, actor access.Actor, p prepared, now time.Time) (IntakeResult, error) {
	in := p.in
	var cv fault.Validation
	s.checkClassification(ctx, tx, &cv, in.Nature, in.CategoryID, in.Priority)
	if err := cv.Err(); err != nil {
		return IntakeResult{}, err
	}
	if in.IdempotencyKey != "" {
		prev, claimed, err := s.claimKey(ctx, tx, actor.UserID, in.IdempotencyKey, in.RequestHash, now)
		if err != nil || !claimed {
			return prev, err
		}
	}
	if in.SourceRef != "" {
		prev, found, err := s.bySourceRef(ctx, tx, actor, in.Channel, in.SourceRef)
		if err != nil {
			return IntakeResult{}, err
		}
		if found {
			return prev, s.finishKey(ctx, tx, actor.UserID, in.IdempotencyKey, prev)
		}
	}
	var res IntakeResult
	var err error
	if in.CaseNumber != "" {
		res, err = s.addReport(ctx, tx, actor, p, now)
	} else if res, err = s.openCase(ctx, tx, actor, p, now); err == nil && p.merge != "" {
		merged, merr := s.mergeNew(ctx, tx, actor, res, p.merge, p.reason)
		switch {
		case merr == nil:
			res = merged
		case fault.KindOf(merr) == fault.Internal:
			err = merr
		}
		// Otherwise the case it repeats took a change meanwhile that
		// refuses the merge (closed, merged itself): the report stays a
		// case of its own. The refusal came before any write.
	}
	if err != nil {
		return IntakeResult{}, err
	}
	return res, s.finishKey(ctx, tx, actor.UserID, in.IdempotencyKey, res)
}

// CheckReport checks a report as intake would, without storing anything:
// a dry run. It returns the number of the case a report with the same
// source id already went to, if any.
func (s *Service) CheckReport(ctx context.Context, actor access.Actor, in ReportInput) (string, error) {
	if !mayIntake(actor) {
		return "", fault.New(fault.Forbidden, "forbidden", msgCannotIntake)
	}
	p, err := s.prepare(ctx, in, s.now())
	if err != nil {
		return "", err
	}
	var cv fault.Validation
	s.checkClassification(ctx, s.db, &cv, p.in.Nature, p.in.CategoryID, p.in.Priority)
	if err := cv.Err(); err != nil {
		return "", err
	}
	if p.in.SourceRef != "" {
		prev, found, err := s.bySourceRef(ctx, s.db, actor, p.in.Channel, p.in.SourceRef)
		if err != nil || found {
			return prev.Case.Number, err
		}
	}
	return "", nil
}

type sealedPersonal struct {
	phoneMasked, phoneSealed, phoneHash string
	idMasked, idSealed, idHash          string
}

func (s *Service) sealPersonal(phone, idno string) (sealedPersonal, error) {
	var p sealedPersonal
	var err error
	if phone != "" {
		p.phoneMasked, p.phoneHash = MaskPhone(phone), s.keys.LookupHash("phone", phone)
		if p.phoneSealed, err = s.keys.Seal(phone, "report.phone"); err != nil {
			return p, fmt.Errorf("seal phone: %w", err)
		}
	}
	if idno != "" {
		p.idMasked, p.idHash = MaskIDNumber(idno), s.keys.LookupHash("id_number", idno)
		if p.idSealed, err = s.keys.Seal(idno, "report.id_number"); err != nil {
			return p, fmt.Errorf("seal ID number: %w", err)
		}
	}
	return p, nil
}

// keyResult is what an idempotency record points at.
type keyResult struct {
	ReportID int64 `json:"report_id"`
	CaseID   int64 `json:"case_id"`
}

// claimKey takes an idempotency key for this request. If the key was used
// before, it returns the earlier result (claimed false). Concurrent requests
// with one key serialise on the key's primary key: PostgreSQL makes the second
// insert wait for the first transaction and then skip.
func (s *Service) claimKey(ctx context.Context, tx *db.Tx, userID int64, key, hash string, now time.Time) (IntakeResult, bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, response, created_at)
		VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING`, userID, key, hash, now.UnixMicro())
	if err != nil {
		return IntakeResult{}, false, fmt.Errorf("idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return IntakeResult{}, true, nil
	}
	var prevHash, body string
	if err := tx.QueryRowContext(ctx, "SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
		userID, key).Scan(&prevHash, &body); err != nil {
		return IntakeResult{}, false, fmt.Errorf("idempotency key: %w", err)
	}
	if prevHash != hash {
		return IntakeResult{}, false, fault.New(fault.Invalid, "idempotency-key-reused", msgKeyReused)
	}
	var kr keyResult
	if err := json.Unmarshal([]byte(body), &kr); err != nil {
		return IntakeResult{}, false, fmt.Errorf("idempotency key %q: stored result: %w", key, err)
	}
	r, err := s.loadResult(ctx, tx, kr)
	return r, false, err
}

func (s *Service) finishKey(ctx context.Context, tx *db.Tx, userID int64, key string, r IntakeResult) error {
	if key == "" {
		return nil
	}
	b, err := json.Marshal(keyResult{ReportID: r.Report.ID, CaseID: r.Case.ID})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE idempotency_keys SET status = 201, response = $1 WHERE user_id = $2 AND key = $3",
		string(b), userID, key); err != nil {
		return fmt.Errorf("idempotency key: %w", err)
	}
	return nil
}

// loadResult rebuilds the result of an earlier intake: its report, the
// case it went to and, when that is not the case the report opened (merged
// at once into the case it repeats), the number of that one — a repeated
// Open311 post answers with its own request, not the one it joined.
func (s *Service) loadResult(ctx context.Context, q db.Querier, kr keyResult) (IntakeResult, error) {
	rep, err := reportByID(ctx, q, kr.ReportID)
	if err != nil {
		return IntakeResult{}, fmt.Errorf("replay: report %d: %w", kr.ReportID, err)
	}
	c, err := caseByID(ctx, q, kr.CaseID)
	if err != nil {
		return IntakeResult{}, fmt.Errorf("replay: case %d: %w", kr.CaseID, err)
	}
	res := IntakeResult{Report: rep, Case: c, Replayed: true}
	var opened int64
	var number string
	err = q.QueryRowContext(ctx, "SELECT c.id, c.number FROM reports r JOIN cases c ON c.id = r.merged_from WHERE r.id = $1",
		kr.ReportID).Scan(&opened, &number)
	switch {
	case db.IsNotFound(err): // never merged, or un-merged since
	case err != nil:
		return IntakeResult{}, fmt.Errorf("replay: report %d: the case it opened: %w", kr.ReportID, err)
	case opened != c.ID:
		res.MergedFrom = number
	}
	return res, nil
}

// bySourceRef returns what the report the channel already received under
// ref became, for a replay. Someone who may not see that case learns only
// that the report was received (a conflict), not which case holds it: a
// source id must not be a way to find out case numbers.
func (s *Service) bySourceRef(ctx context.Context, q db.Querier, actor access.Actor, ch Channel, ref string) (IntakeResult, bool, error) {
	var kr keyResult
	err := q.QueryRowContext(ctx, "SELECT id, case_id FROM reports WHERE channel = $1 AND source_ref = $2", ch, ref).
		Scan(&kr.ReportID, &kr.CaseID)
	if db.IsNotFound(err) {
		return IntakeResult{}, false, nil
	}
	if err != nil {
		return IntakeResult{}, false, fmt.Errorf("find report by source id: %w", err)
	}
	r, err := s.loadResult(ctx, q, kr)
	if err != nil {
		return IntakeResult{}, false, err
	}
	if ok, err := s.visible(ctx, q, actor, r.Case); err != nil {
		return IntakeResult{}, false, err
	} else if !ok {
		return IntakeResult{}, false, fault.New(fault.Conflict, "source-ref-received", msgSourceRefSeen, ref)
	}
	return r, true, nil
}

// draft is the case a report would open, with what routing and the
// classifier say of it: pure work on data the write does not change, done
// before the write so that the writer does not wait for it.
func (s *Service) draft(ctx context.Context, actor access.Actor, in ReportInput, now time.Time) (Case, error) {
	c, err := s.routed(ctx, actor, in, now)
	if err != nil {
		return Case{}, err
	}
	if err := s.suggest(ctx, &c, in.Body); err != nil {
		return Case{}, err
	}
	return c, nil
}

// Preview is where routing would send the case a report would open, and
// why, without storing anything: what the intake desk shows while the
// operator types. The report is cleaned as intake cleans it and routed as
// intake routes it, so the preview and the saved case agree; the form is
// checked when it is saved, so a field not valid yet does not stop it
// (a classification that is not valid does: routing depends on it).
func (s *Service) Preview(ctx context.Context, actor access.Actor, in ReportInput) (Case, error) {
	if !mayIntake(actor) {
		return Case{}, fault.New(fault.Forbidden, "forbidden", msgCannotIntake)
	}
	now := s.now()
	var unchecked fault.Validation
	s.normalize(&in, &unchecked, now)
	return s.routed(ctx, actor, in, now)
}

// routed is the case a report would open, placed and routed (draft without
// the classifier's suggestion).
func (s *Service) routed(ctx context.Context, actor access.Actor, in ReportInput, now time.Time) (Case, error) {
	if actor.UnitID == 0 {
		return Case{}, fmt.Errorf("intake by %s: the actor has no unit", actor.Username)
	}
	// Checked here for routing's sake, and again in the write (where a
	// category retired meanwhile is refused).
	var cv fault.Validation
	s.checkClassification(ctx, s.db, &cv, in.Nature, in.CategoryID, in.Priority)
	if err := cv.Err(); err != nil {
		return Case{}, err
	}
	prio := in.Priority
	if prio == "" {
		prio = Normal
	}
	at := time.UnixMicro(now.UnixMicro())
	c := Case{Title: in.Title, Nature: in.Nature, CategoryID: in.CategoryID, Priority: prio,
		State: Received, Channel: in.Channel, IntakeUnitID: actor.UnitID, DivisionCode: in.DivisionCode,
		Address: in.Address, Location: in.Location, ReceivedAt: at, ReportCount: 1, UpdatedAt: at, Version: 1}
	if err := s.routeCase(ctx, s.db, &c, in.Address+"\n"+in.Title+"\n"+in.Body); err != nil {
		return Case{}, err
	}
	return c, nil
}

// openCase opens the case p drafted, with its report.
func (s *Service) openCase(ctx context.Context, tx *db.Tx, actor access.Actor, p prepared, now time.Time) (IntakeResult, error) {
	in, c := p.in, p.draft
	number, err := nextNumber(ctx, tx, s.cfg.NumberPrefix, now.In(s.cfg.Location).Year())
	if err != nil {
		return IntakeResult{}, err
	}
	c.Number = number
	// A petition must be accepted or rejected within its policy's limit.
	policy, err := s.policyFor(ctx, tx, c)
	if err != nil {
		return IntakeResult{}, err
	}
	if !policy.Accept.Zero() {
		cal, err := s.calendar.Calendar(ctx)
		if err != nil {
			return IntakeResult{}, err
		}
		acceptBy(&c, policy, cal)
	}
	Clock(&c, policy.WarnRatio)
	c.PolicyID = policy.ID
	lat, lon := nullPoint(c.Location)
	err = tx.QueryRowContext(ctx, `INSERT INTO cases (number, title, nature, category_id, priority, state, channel,
		intake_unit_id, division_code, address, lat, lon, received_at, report_count, updated_at, version,
		accept_due_at, deadline_at, warn_at, policy_id, route_unit_id, route_note, triage, suggestion)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $13, 1, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
		c.Number, c.Title, db.NullText(c.Nature), db.NullID(c.CategoryID), c.Priority, c.State, c.Channel,
		c.IntakeUnitID, db.NullText(c.DivisionCode), c.Address, lat, lon, now.UnixMicro(),
		db.Micros(c.AcceptDueAt), db.Micros(c.DeadlineAt), db.Micros(c.WarnAt), c.PolicyID,
		db.NullID(c.RouteUnitID), routeNote(c.Route), c.Triage, suggestionJSON(c.Suggestion)).Scan(&c.ID)
	if err != nil {
		return IntakeResult{}, fmt.Errorf("open case: %w", err)
	}
	if err := involve(ctx, tx, c.ID, c.IntakeUnitID); err != nil {
		return IntakeResult{}, err
	}
	rep, err := s.insertReport(ctx, tx, actor, c.ID, in, p.sealed, now)
	if err != nil {
		return IntakeResult{}, err
	}
	atts, err := insertAttachments(ctx, tx, c.ID, rep.ID, 0, actor.UserID, now, in.Attachments)
	if err != nil {
		return IntakeResult{}, err
	}
	if err := search.IndexTokenized(ctx, tx, c.ID, p.tokens); err != nil {
		return IntakeResult{}, err
	}
	if _, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
		Action: Receive, ToState: Received, Note: i18n.Plain(in.Title)}); err != nil {
		return IntakeResult{}, err
	}
	detail := map[string]any{"report_id": rep.ID, "channel": in.Channel}
	if p.chosen {
		// The operator classified the report at intake.
		learnt, err := s.learn(ctx, tx, actor, c, now)
		if err != nil {
			return IntakeResult{}, err
		}
		maps.Copy(detail, learnt)
	}
	if err := s.audit.Append(ctx, tx, entry(actor, "case.receive", "case", c.Number, audit.OK, detail)); err != nil {
		return IntakeResult{}, err
	}
	err = s.afterChange(ctx, tx, Case{}, c, "case.receive", map[string]any{"channel": in.Channel})
	// The actor took it in, so sees it: everything about the new case is at
	// hand without reading it back.
	fresh := s.detail(actor, c, true)
	fresh.Reports, fresh.Attachments = []Report{rep}, atts
	return IntakeResult{Report: rep, Case: c, Fresh: fresh}, err
}

// addReport takes in a report about an open case: a case of its own,
// merged at once into that case (reversibly, see Merge).
func (s *Service) addReport(ctx context.Context, tx *db.Tx, actor access.Actor, p prepared, now time.Time) (IntakeResult, error) {
	t, _, err := s.loadVisible(ctx, tx, actor, p.in.CaseNumber)
	if fault.KindOf(err) == fault.NotFound {
		// A number mistyped on the form: said on its field, the report kept.
		return IntakeResult{}, fault.InvalidField("case_number", msgNoCaseToAdd, p.in.CaseNumber)
	}
	if err != nil {
		return IntakeResult{}, err
	}
	if !t.State.Open() {
		return IntakeResult{}, fault.New(fault.Conflict, "case-not-open", msgCaseClosed, t.Number, stateName(t.State)).
			With("state", t.State)
	}
	p.in.CaseNumber = ""
	res, err := s.openCase(ctx, tx, actor, p, now)
	if err != nil {
		return IntakeResult{}, err
	}
	return s.mergeNew(ctx, tx, actor, res, t.Number, i18n.Message{})
}

// mergeNew merges a case intake just opened into the case it repeats.
func (s *Service) mergeNew(ctx context.Context, tx *db.Tx, actor access.Actor, res IntakeResult, into string, reason i18n.Message) (IntakeResult, error) {
	// The case as opened, which its taker sees: not read back.
	if err := s.act(ctx, tx, actor, res.Case, true, Merge, ActionInput{Into: into, Why: reason}); err != nil {
		return IntakeResult{}, err
	}
	t, err := caseByNumber(ctx, tx, into)
	if err != nil {
		return IntakeResult{}, fmt.Errorf("merge into %s: %w", into, err)
	}
	res.Report.CaseID = t.ID
	return IntakeResult{Report: res.Report, Case: t, MergedFrom: res.Case.Number, AutoMerged: reason.ZH != ""}, nil
}

// autoMerge returns the open case a new report repeats nearly word for
// word at the same place, for intake to merge it into on its own, when the
// service is configured to (Config.AutoMerge): the candidate's score and
// the two titles' likeness both reach the threshold. Empty when there is
// none.
func (s *Service) autoMerge(ctx context.Context, actor access.Actor, in ReportInput, now time.Time) (into string, reason i18n.Message, err error) {
	if s.cfg.AutoMerge <= 0 || s.repeats == nil || in.KeepSeparate || in.CaseNumber != "" {
		return "", reason, nil
	}
	// Near-exact: titles at least AutoMerge alike share nearly all their
	// bigrams, so the title's alone are looked up.
	q := repeatQuery(in.Title, in.Address, in.Body, in.DivisionCode, in.CategoryID, in.Location, now)
	q.Probe, q.ProbePlace = in.Title, in.Address
	cands, err := s.repeats.Find(ctx, actor, q, i18n.ZH)
	if err != nil {
		return "", reason, err
	}
	for _, c := range cands {
		if c.Score < s.cfg.AutoMerge {
			continue
		}
		like := dedup.Dice(in.Title, c.Title)
		if like < s.cfg.AutoMerge || dedup.NumbersDiffer(in.Title, c.Title) {
			continue // not near-exact, or another building, sum or day: for a person to judge
		}
		return c.Number, msgAutoMerged.Fill(int(math.Round(100*like)), i18n.Join(i18n.Comma, c.Why...)), nil
	}
	return "", reason, nil
}

var msgAutoMerged = i18n.M("自动并案：标题相似度 %d%%（%s）", "merged automatically: titles %d%% alike (%s)")

// checkRepeat raises the case's jurisdiction (提级管辖) when it has been
// reported as often as its category's rule says within the rule's window:
// at the threshold and at each multiple of it, once a level per round.
func (s *Service) checkRepeat(ctx context.Context, tx *db.Tx, c Case, now time.Time) error {
	rule, recent, err := s.Escalation(ctx, tx, c, now)
	if err != nil {
		return err
	}
	if !rule.Due(recent) {
		return nil
	}
	return s.timers.Set(ctx, tx, TimerRepeat, c.ID, now)
}

// Escalation returns the 提级管辖 rule that applies to the case and how
// many of its reports came in within the rule's window before now.
func (s *Service) Escalation(ctx context.Context, q db.Querier, c Case, now time.Time) (catalog.Escalation, int, error) {
	rule, _, err := s.cat.EscalationFor(ctx, q, c.CategoryID)
	if err != nil || rule.Reports == 0 {
		return rule, 0, err
	}
	var recent int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports WHERE case_id = $1 AND received_at >= $2",
		c.ID, now.Add(-rule.Window()).UnixMicro()).Scan(&recent); err != nil {
		return rule, 0, fmt.Errorf("count repeats: %w", err)
	}
	return rule, recent, nil
}

func (s *Service) insertReport(ctx context.Context, tx *db.Tx, actor access.Actor, caseID int64, in ReportInput, p sealedPersonal, now time.Time) (Report, error) {
	lat, lon := nullPoint(in.Location)
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO reports (case_id, channel, source_ref, title, body, reporter_name,
		phone_masked, phone_sealed, phone_hash, id_masked, id_sealed, id_hash, occurred_at, received_at, address,
		lat, lon, division_code, intake_unit_id, created_by, media_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
		caseID, in.Channel, db.NullText(in.SourceRef), in.Title, in.Body, in.ReporterName,
		p.phoneMasked, db.NullText(p.phoneSealed), db.NullText(p.phoneHash), p.idMasked, db.NullText(p.idSealed), db.NullText(p.idHash),
		db.Micros(in.OccurredAt), now.UnixMicro(), in.Address, lat, lon, db.NullText(in.DivisionCode), actor.UnitID,
		db.NullID(actor.UserID), in.MediaURL).Scan(&id)
	if err != nil {
		return Report{}, fmt.Errorf("insert report: %w", err)
	}
	return Report{ID: id, CaseID: caseID, Channel: in.Channel, SourceRef: in.SourceRef, Title: in.Title, Body: in.Body, MediaURL: in.MediaURL,
		ReporterName: in.ReporterName, PhoneMasked: p.phoneMasked, IDMasked: p.idMasked, HasPhone: p.phoneSealed != "",
		HasIDNumber: p.idSealed != "", OccurredAt: db.Time(nullMicros(in.OccurredAt)), ReceivedAt: time.UnixMicro(now.UnixMicro()),
		Address: in.Address, Location: in.Location, DivisionCode: in.DivisionCode, IntakeUnitID: actor.UnitID,
		CreatedBy: actor.UserID}, nil
}

func nullMicros(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: !t.IsZero()}
}
