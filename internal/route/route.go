// Package route decides jurisdiction: from a report's point or address, the
// area it is in; from the area, its nature and its category, the unit that
// should handle it, by routing rules that administrators keep as data.
// Every decision carries its explanation — the words or the point that
// placed it, the rule that chose the unit — and a report that cannot be
// placed or routed with confidence goes to the triage queue (分拣) for an
// operator rather than to a guess.
package route

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// Rule sends matching reports to a unit: a fixed one (UnitID), or the unit
// of a kind at a level that serves the report's area (UnitKind, UnitLevel:
// "the area's 派出所"). Empty conditions match anything; the most specific
// matching rule wins, then the higher Priority.
type Rule struct {
	ID           int64
	Name         string
	NameEN       string // "" when it has none: the Chinese is shown
	Family       string // nature family: hotline, petition, police, dispute
	Nature       string
	CategoryCode string // this category and those under it
	DivisionCode string // this area and those in it
	UnitID       int64
	UnitKind     org.Kind
	UnitLevel    org.Level
	Priority     int
	PolicyID     int64 // the deadline policy of the cases it routes; 0 for the usual choice by nature and category
	UpdatedAt    time.Time
	RetiredAt    time.Time
}

// Active reports whether the rule applies.
func (r Rule) Active() bool { return r.RetiredAt.IsZero() }

// Label is the rule's name in both languages.
func (r Rule) Label() i18n.Message { return i18n.Stored(r.Name, r.NameEN) }

// specificity orders rules: each condition a rule sets makes it more
// specific; a longer category or area code, more still.
func (r Rule) specificity() int {
	n := 0
	if r.Family != "" {
		n += 10
	}
	if r.Nature != "" {
		n += 20
	}
	if r.CategoryCode != "" {
		n += 10 + len(r.CategoryCode)
	}
	if r.DivisionCode != "" {
		n += 10 + len(r.DivisionCode)
	}
	return n
}

func (r Rule) matches(in Input, area division.Division) bool {
	return (r.Family == "" || r.Family == in.Family) &&
		(r.Nature == "" || r.Nature == in.Nature) &&
		(r.CategoryCode == "" || strings.HasPrefix(in.CategoryCode, r.CategoryCode)) &&
		(r.DivisionCode == "" || strings.HasPrefix(area.Code, r.DivisionCode))
}

// Input is what routing knows of a report.
type Input struct {
	Lat, Lon     *float64 // WGS-84 (convert GCJ-02 with division.FromGCJ02 first)
	DivisionCode string   // given by the operator: settles the area
	Text         string   // address, title and text: where place names are looked for
	Family       string   // the nature's family
	Nature       string
	CategoryCode string
}

// Decision is where a report goes and why.
type Decision struct {
	AreaCode   string   `json:"area,omitempty"` // the division it is in
	AreaBy     string   `json:"area_by,omitempty"`
	Words      []string `json:"words,omitempty"` // place names that placed it
	RuleID     int64    `json:"rule,omitempty"`
	RuleName   string   `json:"rule_name,omitempty"`
	RuleNameEN string   `json:"rule_name_en,omitempty"` // decisions made before rules had English have none
	PolicyID   int64    `json:"policy,omitempty"`       // the rule's deadline policy
	UnitID     int64    `json:"unit,omitempty"`
	Fallback   bool     `json:"fallback,omitempty"` // the area is known only to the district: its district-level unit
	Triage     bool     `json:"triage,omitempty"`
	Reason     string   `json:"reason,omitempty"` // why it went to triage: no-area, ambiguous, no-rule, no-unit
	Ambiguous  bool     `json:"ambiguous,omitempty"`
}

// How an area was settled.
const (
	ByGiven   = "given"   // the operator chose it
	ByPoint   = "point"   // the coordinates fall in it
	ByAddress = "address" // the text names it
)

// Why a report went to triage.
const (
	NoArea    = "no-area"
	Ambiguous = "ambiguous"
	NoRule    = "no-rule"
	NoUnit    = "no-unit"
)

// Service keeps the rules and routes reports.
type Service struct {
	db    *db.DB
	audit *audit.Log
	now   func() time.Time

	active db.Cache[[]Rule] // the rules in force
}

// cacheTTL bounds how long another node's change of the rules takes to
// apply here (this node's own changes apply at once).
const cacheTTL = 30 * time.Second

// inForce returns the rules in force, from the cache when it is fresh.
func (s *Service) inForce(ctx context.Context) ([]Rule, error) {
	return s.active.Get(s.now(), func() ([]Rule, error) { return s.rules(ctx, s.db, "retired_at IS NULL") })
}

// NewService returns the routing service.
func NewService(d *db.DB, a *audit.Log, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, audit: a, now: now, active: db.Cache[[]Rule]{TTL: cacheTTL}}
}

// Locate settles the area of a report: the operator's choice, else the
// point, else the place names in its text (which must agree).
func Locate(in Input) (area division.Division, by string, words []string, ambiguous, ok bool) {
	if in.DivisionCode != "" {
		if d, ok := division.ByCode(in.DivisionCode); ok {
			return d, ByGiven, nil, false, true
		}
	}
	if in.Lat != nil && in.Lon != nil {
		if d, ok := division.Locate(*in.Lat, *in.Lon); ok {
			// The point gives the district; a township named in the text
			// and lying in it makes the area more precise.
			if p, ok := division.FromText(in.Text); ok && !p.Ambiguous && p.Division.Level == division.Street &&
				p.Division.ParentCode == d.Code {
				return p.Division, ByPoint, p.Words, false, true
			}
			return d, ByPoint, nil, false, true
		}
	}
	if p, ok := division.FromText(in.Text); ok {
		return p.Division, ByAddress, p.Words, p.Ambiguous, true
	}
	return division.Division{}, "", nil, false, false
}

// Route decides where a report goes, inside the transaction that records it.
func (s *Service) Route(ctx context.Context, q db.Querier, in Input) (Decision, error) {
	var d Decision
	area, by, words, ambiguous, ok := Locate(in)
	if !ok {
		d.Triage, d.Reason = true, NoArea
		return d, nil
	}
	d.AreaCode, d.AreaBy, d.Words = area.Code, by, words
	if ambiguous {
		d.Triage, d.Reason, d.Ambiguous = true, Ambiguous, true
		return d, nil
	}
	rules, err := s.inForce(ctx)
	if err != nil {
		return d, err
	}
	var best *Rule
	for i := range rules {
		r := &rules[i]
		if !r.matches(in, area) {
			continue
		}
		if best == nil || r.specificity() > best.specificity() ||
			r.specificity() == best.specificity() && r.Priority > best.Priority {
			best = r
		}
	}
	if best == nil {
		d.Triage, d.Reason = true, NoRule
		return d, nil
	}
	d.RuleID, d.RuleName, d.RuleNameEN, d.PolicyID = best.ID, best.Name, best.NameEN, best.PolicyID
	unit, fallback, err := s.unitFor(ctx, q, *best, area)
	if err != nil {
		return d, err
	}
	d.Fallback = fallback
	if unit == 0 {
		d.Triage, d.Reason = true, NoUnit
		return d, nil
	}
	d.UnitID = unit
	return d, nil
}

// unitFor is the rule's unit for an area: its fixed unit, or the active
// unit of its kind and level serving the area (the area's township for a
// township-level unit, its district for a district-level one). When the
// area is known only to the district and the rule wants a township's unit,
// the district's unit of the same kind takes it (分局 for 派出所), if there
// is one: fallback reports that.
func (s *Service) unitFor(ctx context.Context, q db.Querier, r Rule, area division.Division) (int64, bool, error) {
	if r.UnitID != 0 {
		return r.UnitID, false, nil
	}
	code, level, fallback := area.Code, r.UnitLevel, false
	switch {
	case r.UnitLevel == org.District && area.Level == division.Street:
		code = area.ParentCode
	case r.UnitLevel == org.Street && area.Level != division.Street:
		level, fallback = org.District, true
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM units WHERE kind = $1 AND level = $2 AND division_code = $3
		AND retired_at IS NULL ORDER BY id LIMIT 1`, string(r.UnitKind), string(level), code).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return id, fallback, err
}

// Explain renders a decision for people.
func Explain(d Decision, lang i18n.Lang, unitName func(int64) string) string {
	var parts []string
	if d.AreaCode != "" {
		name := d.AreaCode
		if dv, ok := division.ByCode(d.AreaCode); ok {
			name = dv.Name
		}
		switch d.AreaBy {
		case ByGiven:
			parts = append(parts, msgByGiven.Format(lang, name))
		case ByPoint:
			parts = append(parts, msgByPoint.Format(lang, name))
		case ByAddress:
			parts = append(parts, msgByAddress.Format(lang, name, strings.Join(d.Words, i18n.Series.Format(lang))))
		}
		if d.AreaBy == ByPoint && len(d.Words) > 0 {
			parts = append(parts, msgAndWords.Format(lang, strings.Join(d.Words, i18n.Series.Format(lang))))
		}
	}
	if d.RuleName != "" {
		parts = append(parts, msgByRule.Format(lang, i18n.Stored(d.RuleName, d.RuleNameEN)))
	}
	if d.PolicyID != 0 {
		parts = append(parts, msgPolicy.Format(lang))
	}
	if d.Fallback {
		parts = append(parts, msgFallback.Format(lang))
	}
	if d.UnitID != 0 {
		parts = append(parts, msgToUnit.Format(lang, unitName(d.UnitID)))
	}
	if d.Triage {
		parts = append(parts, triageReasons[d.Reason].Format(lang))
	}
	sep := "；"
	if lang == i18n.EN {
		sep = "; "
	}
	return strings.Join(parts, sep)
}

var (
	msgByGiven   = i18n.M("受理员指定属地为%s", "the operator placed it in %s")
	msgByPoint   = i18n.M("坐标位于%s", "its point lies in %s")
	msgByAddress = i18n.M("地址文字“%[2]s”指向%[1]s", "the words %[2]s place it in %[1]s")
	msgAndWords  = i18n.M("地址文字“%s”细化到街镇", "the words %s narrow it to the township")
	msgByRule    = i18n.M("适用规则“%s”", "rule %q applies")
	msgToUnit    = i18n.M("建议派往%s", "suggested unit: %s")
	msgPolicy    = i18n.M("期限按规则指定的期限规则", "deadlines from the rule's policy")
	msgFallback  = i18n.M("属地只能确定到区，由区级单位分派", "the area is known only to the district: its district-level unit assigns it")

	triageReasons = map[string]i18n.Message{
		NoArea:    i18n.M("无法确定属地，转人工分拣", "sent to triage: no area could be found"),
		Ambiguous: i18n.M("地址指向多个地方，转人工分拣", "sent to triage: the address names places that disagree"),
		NoRule:    i18n.M("没有适用的派遣规则，转人工分拣", "sent to triage: no routing rule applies"),
		NoUnit:    i18n.M("该地没有规则要求的单位，转人工分拣", "sent to triage: the area has no unit of the kind the rule names"),
	}
)

const ruleColumns = `id, name, name_en, COALESCE(family, ''), COALESCE(nature, ''), COALESCE(category_code, ''), COALESCE(division_code, ''),
	COALESCE(unit_id, 0), COALESCE(unit_kind, ''), COALESCE(unit_level, ''), priority, COALESCE(policy_id, 0), updated_at, retired_at`

// rules reads the rules that meet where (all of them when it is empty).
func (s *Service) rules(ctx context.Context, q db.Querier, where string, args ...any) ([]Rule, error) {
	query := "SELECT " + ruleColumns + " FROM routing_rules"
	if where != "" {
		query += " WHERE " + where
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("read routing rules: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		var updated int64
		var retiredAt sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Name, &r.NameEN, &r.Family, &r.Nature, &r.CategoryCode, &r.DivisionCode, &r.UnitID,
			&r.UnitKind, &r.UnitLevel, &r.Priority, &r.PolicyID, &updated, &retiredAt); err != nil {
			return nil, err
		}
		r.UpdatedAt = time.UnixMicro(updated)
		if retiredAt.Valid {
			r.RetiredAt = time.UnixMicro(retiredAt.Int64)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Rules lists every rule, retired ones included.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) { return s.rules(ctx, s.db, "") }

// Rule reads one rule, retired or not.
func (s *Service) Rule(ctx context.Context, id int64) (Rule, error) {
	rs, err := s.rules(ctx, s.db, "id = $1", id)
	if err != nil {
		return Rule{}, err
	}
	if len(rs) == 0 {
		return Rule{}, fault.NotFoundf(i18n.M("分拨规则", "routing rule"), id)
	}
	return rs[0], nil
}

var (
	msgAdminOnly = i18n.M("只有系统管理员可以修改派遣规则", "only a system administrator may change routing rules")
	msgTarget    = i18n.M("须指定派往的单位，或单位类型和层级（二选一）", "name a unit, or a kind and level of unit (one of the two)")
	msgUnknown   = i18n.M("不存在：%s", "does not exist: %s")
)

// validate checks a rule's fields against the catalogue, the divisions and
// the organisation.
func (s *Service) validate(ctx context.Context, q db.Querier, r Rule) error {
	var v fault.Validation
	if strings.TrimSpace(r.Name) == "" {
		v.Add("name", fault.Required)
	} else if utf8.RuneCountInString(r.Name) > 100 {
		v.Add("name", fault.TooLong, 100)
	}
	if utf8.RuneCountInString(r.NameEN) > 100 {
		v.Add("name_en", fault.TooLong, 100)
	}
	if r.DivisionCode != "" {
		if _, ok := division.ByCode(r.DivisionCode); !ok {
			v.Add("division_code", msgUnknown, r.DivisionCode)
		}
	}
	if r.Family != "" && !slices.Contains([]string{"hotline", "petition", "police", "dispute"}, r.Family) {
		v.Add("family", msgUnknown, r.Family)
	}
	if r.Nature != "" {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM natures WHERE code = $1", r.Nature).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v.Add("nature", msgUnknown, r.Nature)
		}
	}
	if r.CategoryCode != "" {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM categories WHERE code = $1", r.CategoryCode).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v.Add("category_code", msgUnknown, r.CategoryCode)
		}
	}
	if r.PolicyID != 0 {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM deadline_policies WHERE id = $1 AND retired_at IS NULL", r.PolicyID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v.Add("policy_id", msgUnknown, fmt.Sprint(r.PolicyID))
		}
	}
	fixed, byKind := r.UnitID != 0, r.UnitKind != "" || r.UnitLevel != ""
	switch {
	case fixed == byKind, byKind && (r.UnitKind == "" || r.UnitLevel == ""):
		v.Add("unit_id", msgTarget)
	case fixed:
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM units WHERE id = $1 AND retired_at IS NULL", r.UnitID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			v.Add("unit_id", msgUnknown, fmt.Sprint(r.UnitID))
		}
	}
	return v.Err()
}

func (s *Service) requireAdmin(ctx context.Context, actor access.Actor, action, id string) error {
	if actor.System || actor.Has(access.SysAdmin) {
		return nil
	}
	refusal := fault.New(fault.Forbidden, "forbidden", msgAdminOnly)
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: action, ObjectType: "routing_rule", ObjectID: id, Outcome: audit.Denied, RemoteAddr: actor.RemoteAddr})
	})
	if err != nil {
		return err
	}
	return refusal
}

func ruleDetail(r Rule) map[string]any {
	return map[string]any{"name": r.Name, "name_en": r.NameEN, "family": r.Family, "nature": r.Nature, "category_code": r.CategoryCode,
		"division_code": r.DivisionCode, "unit_id": r.UnitID, "unit_kind": r.UnitKind, "unit_level": r.UnitLevel, "priority": r.Priority, "policy_id": r.PolicyID}
}

// Create adds a rule (system administrator); audited.
func (s *Service) Create(ctx context.Context, actor access.Actor, r Rule) (Rule, error) {
	if err := s.requireAdmin(ctx, actor, "routing_rule.create", "new"); err != nil {
		return Rule{}, err
	}
	if err := s.validate(ctx, s.db, r); err != nil {
		return Rule{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		tx.AfterCommit(s.active.Flush) // the rules in force change
		var err error
		if r, err = s.insert(ctx, tx, r); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "routing_rule.create", ObjectType: "routing_rule", ObjectID: fmt.Sprint(r.ID), Detail: ruleDetail(r),
			RemoteAddr: actor.RemoteAddr})
	})
	return r, err
}

func (s *Service) insert(ctx context.Context, tx *db.Tx, r Rule) (Rule, error) {
	now := s.now()
	err := tx.QueryRowContext(ctx, `INSERT INTO routing_rules (name, family, nature, category_code, division_code, unit_id,
		unit_kind, unit_level, priority, policy_id, created_at, updated_at, name_en)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id`,
		strings.TrimSpace(r.Name), db.NullText(r.Family), db.NullText(r.Nature), db.NullText(r.CategoryCode),
		db.NullText(r.DivisionCode), db.NullID(r.UnitID), db.NullText(string(r.UnitKind)), db.NullText(string(r.UnitLevel)),
		r.Priority, db.NullID(r.PolicyID), now.UnixMicro(), strings.TrimSpace(r.NameEN)).Scan(&r.ID)
	r.UpdatedAt = now
	return r, err
}

// Update changes a rule in place — what it matches, its unit, priority and
// deadline policy — (system administrator); audited with the rule before
// and after. A retired rule stays retired.
func (s *Service) Update(ctx context.Context, actor access.Actor, id int64, r Rule) (Rule, error) {
	if err := s.requireAdmin(ctx, actor, "routing_rule.update", fmt.Sprint(id)); err != nil {
		return Rule{}, err
	}
	if err := s.validate(ctx, s.db, r); err != nil {
		return Rule{}, err
	}
	var out Rule
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		tx.AfterCommit(s.active.Flush) // the rules in force change
		before, err := s.rules(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if len(before) == 0 {
			return fault.NotFoundf(i18n.M("分拨规则", "routing rule"), id)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE routing_rules SET name = $1, family = $2, nature = $3, category_code = $4,
			division_code = $5, unit_id = $6, unit_kind = $7, unit_level = $8, priority = $9, policy_id = $10, updated_at = $11,
			name_en = $13 WHERE id = $12`,
			strings.TrimSpace(r.Name), db.NullText(r.Family), db.NullText(r.Nature), db.NullText(r.CategoryCode),
			db.NullText(r.DivisionCode), db.NullID(r.UnitID), db.NullText(string(r.UnitKind)), db.NullText(string(r.UnitLevel)),
			r.Priority, db.NullID(r.PolicyID), now.UnixMicro(), id, strings.TrimSpace(r.NameEN)); err != nil {
			return fmt.Errorf("update routing rule %d: %w", id, err)
		}
		after, err := s.rules(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		out = after[0]
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "routing_rule.update", ObjectType: "routing_rule", ObjectID: fmt.Sprint(id),
			Detail: map[string]any{"before": ruleDetail(before[0]), "after": ruleDetail(out)}, RemoteAddr: actor.RemoteAddr})
	})
	return out, err
}

// SetRetired retires a rule or brings it back (system administrator);
// audited.
func (s *Service) SetRetired(ctx context.Context, actor access.Actor, id int64, retired bool) error {
	action := "routing_rule.retire"
	if !retired {
		action = "routing_rule.restore"
	}
	if err := s.requireAdmin(ctx, actor, action, fmt.Sprint(id)); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		tx.AfterCommit(s.active.Flush) // the rules in force change
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM routing_rules WHERE id = $1", id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fault.NotFoundf(i18n.M("分拨规则", "routing rule"), id)
		}
		if err := tx.SetRetired(ctx, "routing_rules", "id", id, retired, s.now()); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: action, ObjectType: "routing_rule", ObjectID: fmt.Sprint(id), RemoteAddr: actor.RemoteAddr})
	})
}

// DefaultRules are seeded when there are none: police incidents to the
// area's 派出所, disputes to its mediation committee, petitions to the
// district's 信访局, everything else to the township's government (街道
// or 镇), which hands it to a line department if need be.
var DefaultRules = []Rule{
	{Name: "警情 → 属地派出所", NameEN: "Police incidents → the area's police station", Family: "police", UnitKind: org.Police, UnitLevel: org.Street},
	{Name: "矛盾纠纷 → 属地人民调解委员会", NameEN: "Disputes → the area's people's mediation committee", Family: "dispute", UnitKind: org.Mediation, UnitLevel: org.Street},
	{Name: "信访 → 区信访局", NameEN: "Petitions → the district's petition bureau", Family: "petition", UnitKind: org.Petition, UnitLevel: org.District},
	{Name: "接诉即办 → 属地街镇", NameEN: "Hotline requests → the area's street or town", UnitKind: org.Government, UnitLevel: org.Street},
}

// Seed stores the default rules when there are none and returns how many
// it stored.
func (s *Service) Seed(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		tx.AfterCommit(s.active.Flush) // the rules in force change
		n = 0
		var have int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM routing_rules").Scan(&have); err != nil {
			return err
		}
		if have > 0 {
			return nil
		}
		for _, r := range DefaultRules {
			if _, err := s.insert(ctx, tx, r); err != nil {
				return err
			}
			n++
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorName: "seed", Action: "routing_rule.seed", ObjectType: "routing_rule",
			ObjectID: "*", Detail: map[string]any{"rules": n}})
	})
	return n, err
}
