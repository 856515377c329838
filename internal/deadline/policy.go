package deadline

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Policy is the time limits for the cases it applies to.
type Policy struct {
	ID           int64
	Name         string
	NameEN       string // "" when it has none: the Chinese is shown
	Nature       string // "" for any
	CategoryID   int64  // 0 for any; otherwise this category and those under it
	CategoryCode string
	Priority     string // "" for any
	Accept       Limit  // to accept or reject (信访: 15 days); zero for none
	Sign         Limit  // to sign for after dispatch
	Handle       Limit  // to report back, counted from HandleFrom
	HandleFrom   Start  // when the handling time starts
	WarnRatio    float64
	// MaxExtensions caps approved extensions; nil for no cap.
	MaxExtensions *int
	Extension     Limit // longest single extension; zero for no cap
	Review        Limit // 复查 (petitions)
	ReReview      Limit // 复核 (petitions)
	Reply         Limit // to answer a supervision order
	UpdatedAt     time.Time
	RetiredAt     time.Time
}

// Label is the policy's name in both languages.
func (p Policy) Label() i18n.Message { return i18n.Stored(p.Name, p.NameEN) }

// Start is the step from which a policy counts the handling time.
type Start string

const (
	// FromDispatch: each dispatch starts it (12345 work orders: the unit's
	// time runs from 派单); a return to the dispatcher stops it.
	FromDispatch Start = "dispatch"
	// FromAcceptance: acceptance — registration (立案/受理), or a reopening —
	// starts it, and dispatches, returns and transfers carry it (信访工作条例:
	// handled "within 60 days of acceptance").
	FromAcceptance Start = "acceptance"
)

// Catchall reports whether the policy names nothing: it applies to every case.
func (p Policy) Catchall() bool { return p.Nature == "" && p.CategoryID == 0 && p.Priority == "" }

// named counts how many of nature, category and priority p names.
func (p Policy) named() int {
	n := 0
	for _, b := range []bool{p.Nature != "", p.CategoryID != 0, p.Priority != ""} {
		if b {
			n++
		}
	}
	return n
}

// Applies reports whether p governs a case of this nature, category code
// and priority.
func (p Policy) Applies(nature, categoryCode, priority string) bool {
	return p.RetiredAt.IsZero() &&
		(p.Nature == "" || p.Nature == nature) &&
		(p.Priority == "" || p.Priority == priority) &&
		(p.CategoryID == 0 || (categoryCode != "" && strings.HasPrefix(categoryCode, p.CategoryCode)))
}

// moreSpecific orders candidates: more named fields first; on a tie,
// priority, then nature, then the deeper category.
func moreSpecific(a, b Policy) int {
	if d := b.named() - a.named(); d != 0 {
		return d
	}
	bool2int := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	if d := bool2int(b.Priority != "") - bool2int(a.Priority != ""); d != 0 {
		return d
	}
	if d := bool2int(b.Nature != "") - bool2int(a.Nature != ""); d != 0 {
		return d
	}
	if d := len(b.CategoryCode) - len(a.CategoryCode); d != 0 {
		return d
	}
	return int(a.ID - b.ID)
}

// Service keeps the policies.
type Service struct {
	db    *db.DB
	audit *audit.Log
	now   func() time.Time

	cache db.Cache[[]Policy]
}

// NewService returns the policy service.
func NewService(d *db.DB, a *audit.Log, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, audit: a, now: now, cache: db.Cache[[]Policy]{TTL: cacheTTL}}
}

// cacheTTL bounds how long another node's policy change takes to apply here.
const cacheTTL = 30 * time.Second

const policyColumns = `p.id, p.name, p.name_en, COALESCE(p.nature, ''), COALESCE(p.category_id, 0), COALESCE(c.code, ''),
	COALESCE(p.priority, ''), p.accept_limit, p.sign_limit, p.handle_limit, p.handle_from, p.warn_ratio, p.max_extensions,
	p.extension_limit, p.review_limit, p.rereview_limit, p.reply_limit, p.updated_at, p.retired_at`

func scanPolicy(s interface{ Scan(...any) error }) (Policy, error) {
	var p Policy
	var accept, sign, handle, ext, review, rereview, reply string
	var maxExt, retired sql.NullInt64
	var updated int64
	if err := s.Scan(&p.ID, &p.Name, &p.NameEN, &p.Nature, &p.CategoryID, &p.CategoryCode, &p.Priority, &accept, &sign, &handle,
		&p.HandleFrom, &p.WarnRatio, &maxExt, &ext, &review, &rereview, &reply, &updated, &retired); err != nil {
		return Policy{}, err
	}
	for _, f := range []struct {
		s string
		l *Limit
	}{{accept, &p.Accept}, {sign, &p.Sign}, {handle, &p.Handle}, {ext, &p.Extension}, {review, &p.Review},
		{rereview, &p.ReReview}, {reply, &p.Reply}} {
		l, err := ParseLimit(f.s)
		if err != nil {
			return Policy{}, fmt.Errorf("policy %d: %w", p.ID, err)
		}
		*f.l = l
	}
	if maxExt.Valid {
		v := int(maxExt.Int64)
		p.MaxExtensions = &v
	}
	p.UpdatedAt, p.RetiredAt = time.UnixMicro(updated), db.Time(retired)
	return p, nil
}

func (s *Service) load(ctx context.Context, q db.Querier) ([]Policy, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+policyColumns+` FROM deadline_policies p
		LEFT JOIN categories c ON c.id = p.category_id ORDER BY p.id`)
	if err != nil {
		return nil, fmt.Errorf("read deadline policies: %w", err)
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("read deadline policies: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Policies returns every policy (retired ones included) by id.
func (s *Service) Policies(ctx context.Context) ([]Policy, error) {
	return s.cache.Get(s.now(), func() ([]Policy, error) { return s.load(ctx, s.db) })
}

var msgNoPolicy = i18n.M("没有适用的期限规则：请保留一条不限性质、分类和紧急程度的默认规则", "no deadline policy applies: keep a default policy that names no nature, category or priority")

// Resolve returns the policy for a case.
func (s *Service) Resolve(ctx context.Context, nature, categoryCode, priority string) (Policy, error) {
	// From the cache: policies change in writes of their own, which
	// flush it when they commit (another node's change applies within
	// cacheTTL).
	ps, err := s.Policies(ctx)
	if err != nil {
		return Policy{}, err
	}
	p, ok := Choose(ps, nature, categoryCode, priority)
	if !ok {
		return Policy{}, fault.New(fault.Conflict, "no-deadline-policy", msgNoPolicy)
	}
	return p, nil
}

// Choose picks the policy for a case from ps: among those that apply, the
// one naming most of nature, category and priority; on a tie priority counts
// first, then nature, then the deeper category.
func Choose(ps []Policy, nature, categoryCode, priority string) (Policy, bool) {
	var best *Policy
	for i := range ps {
		if ps[i].Applies(nature, categoryCode, priority) && (best == nil || moreSpecific(ps[i], *best) < 0) {
			best = &ps[i]
		}
	}
	if best == nil {
		return Policy{}, false
	}
	return *best, true
}

// Input creates or changes a policy; limits are written "3wd", "2h"….
type Input struct {
	Name          string
	NameEN        string
	Nature        string
	CategoryID    int64
	Priority      string
	Accept        string
	Sign          string
	Handle        string
	HandleFrom    Start // "" is FromDispatch
	WarnRatio     float64
	MaxExtensions *int
	Extension     string
	Review        string
	ReReview      string
	Reply         string
}

var (
	msgAdminOnly  = i18n.M("只有系统管理员可以修改期限规则", "only a system administrator may change deadline policies")
	msgRatio      = i18n.M("须在 0 与 1 之间（如 0.67 表示用去三分之二时限时变黄）", "must be between 0 and 1 (0.67: yellow when two thirds of the time is used)")
	msgLimit      = i18n.M("时限格式：数字加单位 h（小时）、wh（工作小时）、wd（工作日）、d（天），如 3wd", "write a number and a unit: h (hours), wh (working hours), wd (working days), d (days), e.g. 3wd")
	msgDuplicate  = i18n.M("已有规则“%s”适用于同样的性质、分类和紧急程度", "policy %q already applies to the same nature, category and priority")
	msgLastCatch  = i18n.M("默认规则不能停用：每个案件都需要一条适用的规则", "the default policy cannot be retired: every case needs a policy")
	msgBadRef     = i18n.M("不存在：%s", "does not exist: %s")
	msgNegative   = i18n.M("不能为负数", "cannot be negative")
	msgPriorities = []string{"normal", "urgent", "emergency"}
)

func (s *Service) validate(ctx context.Context, q db.Querier, in Input) (Policy, error) {
	var v fault.Validation
	p := Policy{Name: strings.TrimSpace(in.Name), NameEN: strings.TrimSpace(in.NameEN), Nature: in.Nature, CategoryID: in.CategoryID, Priority: in.Priority,
		HandleFrom: in.HandleFrom, WarnRatio: in.WarnRatio, MaxExtensions: in.MaxExtensions}
	if p.HandleFrom == "" {
		p.HandleFrom = FromDispatch
	}
	if p.HandleFrom != FromDispatch && p.HandleFrom != FromAcceptance {
		v.Add("handle_from", fault.BadValue, string(p.HandleFrom))
	}
	switch {
	case p.Name == "":
		v.Add("name", fault.Required)
	case utf8.RuneCountInString(p.Name) > 60:
		v.Add("name", fault.TooLong, 60)
	}
	if utf8.RuneCountInString(p.NameEN) > 60 {
		v.Add("name_en", fault.TooLong, 60)
	}
	for _, f := range []struct {
		field, s string
		l        *Limit
		required bool
	}{{"accept", in.Accept, &p.Accept, false}, {"sign", in.Sign, &p.Sign, true}, {"handle", in.Handle, &p.Handle, true},
		{"extension", in.Extension, &p.Extension, false}, {"review", in.Review, &p.Review, false},
		{"rereview", in.ReReview, &p.ReReview, false}, {"reply", in.Reply, &p.Reply, true}} {
		l, err := ParseLimit(f.s)
		switch {
		case err != nil:
			v.Add(f.field, msgLimit)
		case f.required && l.Zero():
			v.Add(f.field, fault.Required)
		}
		*f.l = l
	}
	if p.WarnRatio <= 0 || p.WarnRatio >= 1 {
		v.Add("warn_ratio", msgRatio)
	}
	if p.MaxExtensions != nil && *p.MaxExtensions < 0 {
		v.Add("max_extensions", msgNegative)
	}
	if p.Priority != "" && !slices.Contains(msgPriorities, p.Priority) {
		v.Add("priority", fault.BadValue, p.Priority)
	}
	if p.Nature != "" {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM natures WHERE code = $1", p.Nature).Scan(&n); err != nil {
			return Policy{}, err
		}
		if n == 0 {
			v.Add("nature", msgBadRef, p.Nature)
		}
	}
	if p.CategoryID != 0 {
		err := q.QueryRowContext(ctx, "SELECT code FROM categories WHERE id = $1", p.CategoryID).Scan(&p.CategoryCode)
		if db.IsNotFound(err) {
			v.Add("category_id", msgBadRef, strconv.FormatInt(p.CategoryID, 10))
		} else if err != nil {
			return Policy{}, err
		}
	}
	return p, v.Err()
}

func (s *Service) requireAdmin(ctx context.Context, a access.Actor, action string, id int64) error {
	if a.System || a.Has(access.SysAdmin) {
		return nil
	}
	return s.audit.Refuse(ctx, s.db, entry(a, action, id, nil), fault.New(fault.Forbidden, "forbidden", msgAdminOnly))
}

func entry(a access.Actor, action string, id int64, detail map[string]any) audit.Entry {
	return audit.Entry{ActorID: a.UserID, ActorName: a.Username, UnitID: a.UnitID, Action: action,
		ObjectType: "deadline_policy", ObjectID: strconv.FormatInt(id, 10), Detail: detail, RemoteAddr: a.RemoteAddr}
}

func fields(p Policy) map[string]any {
	m := map[string]any{"name": p.Name, "name_en": p.NameEN, "nature": p.Nature, "category_id": p.CategoryID, "priority": p.Priority,
		"accept": p.Accept.String(), "sign": p.Sign.String(), "handle": p.Handle.String(), "handle_from": p.HandleFrom,
		"warn_ratio": p.WarnRatio, "extension": p.Extension.String(), "review": p.Review.String(), "rereview": p.ReReview.String(), "reply": p.Reply.String()}
	if p.MaxExtensions != nil {
		m["max_extensions"] = *p.MaxExtensions
	}
	return m
}

// checkUnique refuses a second active policy for the same selector.
func (s *Service) checkUnique(ctx context.Context, tx *db.Tx, p Policy) error {
	ps, err := s.load(ctx, tx)
	if err != nil {
		return err
	}
	for _, o := range ps {
		if o.ID != p.ID && o.RetiredAt.IsZero() && o.Nature == p.Nature && o.CategoryID == p.CategoryID && o.Priority == p.Priority {
			return fault.New(fault.Conflict, "duplicate-policy", msgDuplicate, o.Name)
		}
	}
	return nil
}

func (s *Service) write(ctx context.Context, tx *db.Tx, id int64, p Policy) (int64, error) {
	var maxExt any
	if p.MaxExtensions != nil {
		maxExt = *p.MaxExtensions
	}
	now := s.now().UnixMicro()
	args := []any{p.Name, db.NullText(p.Nature), db.NullID(p.CategoryID), db.NullText(p.Priority), p.Accept.String(),
		p.Sign.String(), p.Handle.String(), p.WarnRatio, maxExt, p.Extension.String(), p.Review.String(),
		p.ReReview.String(), p.Reply.String(), now, string(p.HandleFrom), p.NameEN}
	if id == 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO deadline_policies (name, nature, category_id, priority, accept_limit,
			sign_limit, handle_limit, warn_ratio, max_extensions, extension_limit, review_limit, rereview_limit, reply_limit,
			created_at, updated_at, handle_from, name_en) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16) RETURNING id`,
			args...).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("create deadline policy: %w", err)
		}
		return id, nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE deadline_policies SET name = $1, nature = $2, category_id = $3, priority = $4,
		accept_limit = $5, sign_limit = $6, handle_limit = $7, warn_ratio = $8, max_extensions = $9, extension_limit = $10,
		review_limit = $11, rereview_limit = $12, reply_limit = $13, updated_at = $14, handle_from = $15, name_en = $16 WHERE id = $17`, append(args, id)...)
	if err != nil {
		return 0, fmt.Errorf("update deadline policy %d: %w", id, err)
	}
	return id, nil
}

// Get returns one policy.
func (s *Service) Get(ctx context.Context, q db.Querier, id int64) (Policy, error) {
	p, err := scanPolicy(q.QueryRowContext(ctx, "SELECT "+policyColumns+` FROM deadline_policies p
		LEFT JOIN categories c ON c.id = p.category_id WHERE p.id = $1`, id))
	if db.IsNotFound(err) {
		return Policy{}, fault.NotFoundf(i18n.M("期限规则", "deadline policy"), id)
	}
	return p, err
}

// Create adds a policy.
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (Policy, error) {
	if err := s.requireAdmin(ctx, actor, "deadline_policy.create", 0); err != nil {
		return Policy{}, err
	}
	var out Policy
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		p, err := s.validate(ctx, tx, in)
		if err != nil {
			return err
		}
		if err := s.checkUnique(ctx, tx, p); err != nil {
			return err
		}
		id, err := s.write(ctx, tx, 0, p)
		if err != nil {
			return err
		}
		if out, err = s.Get(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "deadline_policy.create", id, fields(out)))
	})
	s.cache.Flush()
	return out, err
}

// Update changes a policy; cases already dispatched keep their deadlines.
func (s *Service) Update(ctx context.Context, actor access.Actor, id int64, in Input) (Policy, error) {
	if err := s.requireAdmin(ctx, actor, "deadline_policy.update", id); err != nil {
		return Policy{}, err
	}
	var out Policy
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := s.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		p, err := s.validate(ctx, tx, in)
		if err != nil {
			return err
		}
		p.ID = id
		if before.Catchall() && !p.Catchall() {
			return fault.New(fault.Conflict, "last-default-policy", msgLastCatch)
		}
		if err := s.checkUnique(ctx, tx, p); err != nil {
			return err
		}
		if _, err := s.write(ctx, tx, id, p); err != nil {
			return err
		}
		if out, err = s.Get(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "deadline_policy.update", id,
			map[string]any{"before": fields(before), "after": fields(out)}))
	})
	s.cache.Flush()
	return out, err
}

// SetRetired retires or restores a policy; the default cannot be retired.
func (s *Service) SetRetired(ctx context.Context, actor access.Actor, id int64, retired bool) (Policy, error) {
	action := "deadline_policy.restore"
	if retired {
		action = "deadline_policy.retire"
	}
	if err := s.requireAdmin(ctx, actor, action, id); err != nil {
		return Policy{}, err
	}
	var out Policy
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		p, err := s.Get(ctx, tx, id)
		if err != nil {
			return err
		}
		if retired && p.Catchall() {
			return fault.New(fault.Conflict, "last-default-policy", msgLastCatch)
		}
		if !retired {
			if err := s.checkUnique(ctx, tx, p); err != nil {
				return err
			}
		}
		if err := tx.SetRetired(ctx, "deadline_policies", "id", id, retired, s.now()); err != nil {
			return err
		}
		if out, err = s.Get(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, action, id, nil))
	})
	s.cache.Flush()
	return out, err
}

func ptr(n int) *int { return &n }

// defaults follow DOMAIN.md: 12345 work orders (sign for in 1 working day;
// 咨询 3, 求助 5, 投诉/举报/建议 15 working days, counted from dispatch;
// emergencies within 2 hours; registered or rejected — and so dispatched —
// within 24 hours, 2 for urgent matters, 1 for emergencies, as Beijing's
// standard has it), 信访工作条例 (accept in 15 days, handle in 60
// counted from acceptance, one extension of at most 30,
// 复查 and 复核 30 each), disputes (人民调解法: 30 days). Police incidents
// are registered within the hour: a 110 incident waits for no one.
var defaults = []Input{
	{Name: "默认", NameEN: "Default", Accept: "1wd", Sign: "1wd", Handle: "15wd", Reply: "2wd", WarnRatio: 0.67},
	{Name: "特急", NameEN: "Emergency", Priority: "emergency", Accept: "1h", Sign: "1h", Handle: "2h", Reply: "4h", WarnRatio: 0.5},
	{Name: "紧急", NameEN: "Urgent", Priority: "urgent", Accept: "2h", Sign: "2h", Handle: "1wd", Reply: "1wd", WarnRatio: 0.67},
	{Name: "咨询", NameEN: "Consultation", Nature: "consult", Accept: "1wd", Sign: "1wd", Handle: "3wd", Reply: "1wd", WarnRatio: 0.67},
	{Name: "求助", NameEN: "Request for help", Nature: "help", Accept: "1wd", Sign: "1wd", Handle: "5wd", Reply: "2wd", WarnRatio: 0.67},
	{Name: "信访·建议意见", NameEN: "Petition: suggestion", Nature: "petition_suggestion", Accept: "15d", Sign: "1wd", Handle: "60d", HandleFrom: FromAcceptance, MaxExtensions: ptr(1), Extension: "30d", Review: "30d", ReReview: "30d", Reply: "5wd", WarnRatio: 0.75},
	{Name: "信访·检举控告", NameEN: "Petition: accusation", Nature: "petition_accusation", Accept: "15d", Sign: "1wd", Handle: "60d", HandleFrom: FromAcceptance, MaxExtensions: ptr(1), Extension: "30d", Review: "30d", ReReview: "30d", Reply: "5wd", WarnRatio: 0.75},
	{Name: "信访·申诉求决", NameEN: "Petition: appeal or claim", Nature: "petition_claim", Accept: "15d", Sign: "1wd", Handle: "60d", HandleFrom: FromAcceptance, MaxExtensions: ptr(1), Extension: "30d", Review: "30d", ReReview: "30d", Reply: "5wd", WarnRatio: 0.75},
	{Name: "刑事警情", NameEN: "Criminal incident", Nature: "police_criminal", Accept: "1h", Sign: "2h", Handle: "30d", Reply: "2wd", WarnRatio: 0.75},
	{Name: "治安警情", NameEN: "Public-order incident", Nature: "police_public_order", Accept: "1h", Sign: "2h", Handle: "3wd", Reply: "1wd", WarnRatio: 0.67},
	{Name: "交通警情", NameEN: "Traffic incident", Nature: "police_traffic", Accept: "1h", Sign: "2h", Handle: "3wd", Reply: "1wd", WarnRatio: 0.67},
	{Name: "纠纷警情", NameEN: "Dispute incident", Nature: "police_dispute", Accept: "1h", Sign: "2h", Handle: "5wd", Reply: "1wd", WarnRatio: 0.67},
	{Name: "求助警情", NameEN: "Call for help", Nature: "police_help", Accept: "1h", Sign: "1h", Handle: "1wd", Reply: "1wd", WarnRatio: 0.67},
	{Name: "人民调解", NameEN: "People's mediation", Nature: "dispute_mediation", Accept: "1wd", Sign: "1wd", Handle: "30d", Reply: "3wd", WarnRatio: 0.75},
}

// Seed creates the default policies when there are none.
func (s *Service) Seed(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM deadline_policies").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		for _, in := range defaults {
			p, err := s.validate(ctx, tx, in)
			if err != nil {
				return fmt.Errorf("default policy %s: %w", in.Name, err)
			}
			if _, err := s.write(ctx, tx, 0, p); err != nil {
				return err
			}
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorName: "seed", Action: "deadline_policy.seed",
			ObjectType: "deadline_policy", ObjectID: "*", Detail: map[string]any{"policies": len(defaults)}})
	})
	s.cache.Flush()
	return len(defaults), err
}
