// Package catalog holds what a matter can be: its nature (性质: consultation,
// complaint, petition, criminal incident, dispute by resolution channel…) and
// its category in a hierarchical catalogue (the civic three-level taxonomy,
// police incident types, dispute types). Administrators edit both; a
// category that cases use is retired, never deleted; every change is audited.
package catalog

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/classify"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Family groups natures by the line of work they come from.
type Family string

const (
	Hotline  Family = "hotline"  // 12345 / 接诉即办
	Petition Family = "petition" // 信访
	Police   Family = "police"   // 警情
	Dispute  Family = "dispute"  // 矛盾纠纷, by resolution channel
)

// Families in display order.
var Families = []struct {
	Family Family
	Name   i18n.Message
}{
	{Hotline, i18n.M("接诉即办", "Hotline requests")},
	{Petition, i18n.M("信访", "Petitions")},
	{Police, i18n.M("警情", "Police incidents")},
	{Dispute, i18n.M("矛盾纠纷", "Disputes")},
}

// Nature is what kind of matter a case is.
type Nature struct {
	Code      string
	Family    Family
	Name      string
	NameEN    string
	Sort      int
	RetiredAt time.Time
}

// Active reports whether new cases may take this nature.
func (n Nature) Active() bool { return n.RetiredAt.IsZero() }

// Label returns the name in lang.
func (n Nature) Label(lang i18n.Lang) string { return i18n.Stored(n.Name, n.NameEN).Format(lang) }

// defaultNatures are those of DOMAIN.md: 12345, 信访工作条例 (2022), police
// incident classes, and dispute resolution channels.
var defaultNatures = []Nature{
	{Code: "consult", Family: Hotline, Name: "咨询", NameEN: "Consultation"},
	{Code: "help", Family: Hotline, Name: "求助", NameEN: "Request for help"},
	{Code: "complaint", Family: Hotline, Name: "投诉", NameEN: "Complaint"},
	{Code: "report", Family: Hotline, Name: "举报", NameEN: "Report of wrongdoing"},
	{Code: "suggestion", Family: Hotline, Name: "建议", NameEN: "Suggestion"},
	{Code: "petition_suggestion", Family: Petition, Name: "建议意见", NameEN: "Petition: suggestion"},
	{Code: "petition_accusation", Family: Petition, Name: "检举控告", NameEN: "Petition: accusation"},
	{Code: "petition_claim", Family: Petition, Name: "申诉求决", NameEN: "Petition: appeal or claim"},
	{Code: "police_criminal", Family: Police, Name: "刑事警情", NameEN: "Criminal incident"},
	{Code: "police_public_order", Family: Police, Name: "治安警情", NameEN: "Public-order incident"},
	{Code: "police_traffic", Family: Police, Name: "交通警情", NameEN: "Traffic incident"},
	{Code: "police_dispute", Family: Police, Name: "纠纷警情", NameEN: "Dispute incident"},
	{Code: "police_help", Family: Police, Name: "求助警情", NameEN: "Call for help"},
	{Code: "police_other", Family: Police, Name: "其他警情", NameEN: "Other incident"},
	{Code: "dispute_mediation", Family: Dispute, Name: "人民调解", NameEN: "Dispute: mediation"},
	{Code: "dispute_petition", Family: Dispute, Name: "信访化解", NameEN: "Dispute: petition"},
	{Code: "dispute_arbitration", Family: Dispute, Name: "仲裁", NameEN: "Dispute: arbitration"},
	{Code: "dispute_admin_ruling", Family: Dispute, Name: "行政裁决", NameEN: "Dispute: administrative ruling"},
	{Code: "dispute_reconsideration", Family: Dispute, Name: "行政复议", NameEN: "Dispute: administrative reconsideration"},
	{Code: "dispute_litigation", Family: Dispute, Name: "诉讼", NameEN: "Dispute: litigation"},
}

// Domain says which catalogue a category belongs to.
type Domain string

const (
	Civic         Domain = "civic"   // the three-level civic taxonomy
	PoliceDomain  Domain = "police"  // police incident types
	DisputeDomain Domain = "dispute" // dispute types
)

var domainPrefix = map[Domain]string{Civic: "C", PoliceDomain: "P", DisputeDomain: "D"}

// Category is one node of the catalogue. Codes are hierarchical: a child's
// code starts with its parent's.
type Category struct {
	ID        int64
	ParentID  int64
	Code      string
	Domain    Domain
	Level     int
	Name      string
	NameEN    string
	Sort      int
	CreatedAt time.Time
	UpdatedAt time.Time
	RetiredAt time.Time
	// Escalation is the category's own rule of 提级管辖; nil inherits.
	Escalation *Escalation
}

// Active reports whether new cases may take this category.
func (c Category) Active() bool { return c.RetiredAt.IsZero() }

// Label returns the name in lang: the English name when the reader reads
// English and the category has one, else the Chinese.
func (c Category) Label(lang i18n.Lang) string { return i18n.Stored(c.Name, c.NameEN).Format(lang) }

// Service manages the catalogue.
type Service struct {
	db    *db.DB
	audit *audit.Log
	now   func() time.Time
	// labels is the catalogue as ByLabel reads it, for every intake's
	// suggestion: flushed by this node's changes of categories as they
	// commit; another node's show within labelsTTL.
	labels db.Cache[labelIndex]
}

// labelsTTL bounds how long another node's change of the catalogue takes
// to reach this node's mapping of classifier labels (ByLabel).
const labelsTTL = 30 * time.Second

// NewService returns a catalogue service.
func NewService(d *db.DB, a *audit.Log, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, audit: a, now: now, labels: db.Cache[labelIndex]{TTL: labelsTTL}}
}

// writeCategories runs a change of the categories and drops the cached
// catalogue once it has committed (or failed: a load then reads the
// catalogue as it is).
func (s *Service) writeCategories(ctx context.Context, fn func(tx *db.Tx) error) error {
	defer s.labels.Flush()
	return s.db.Write(ctx, fn)
}

var (
	msgAdminOnly     = i18n.M("只有系统管理员可以维护分类目录", "only a system administrator may change the catalogue")
	msgInUse         = i18n.M("分类“%s”已有案件使用或含下级分类，不能删除，只能停用", "category %q is used by cases or has children: retire it instead of deleting it")
	msgParentRetired = i18n.M("上级分类已停用", "the parent category is retired")
	msgNameTaken     = i18n.M("同级已有名为“%s”的分类", "a sibling named %q already exists")
	msgTooDeep       = i18n.M("分类最多 %d 级", "categories go at most %d levels deep")
	msgRestoreParent = i18n.M("请先恢复上级分类", "restore the parent category first")
	msgUnknownFamily = i18n.M("未知的性质类别：%s", "unknown nature family: %s")
	msgNatureExists  = i18n.M("性质编码 %s 已存在", "nature code %s already exists")
	msgNatureCode    = i18n.M("须为小写字母、数字和下划线，2–40 位", "must be 2–40 lower-case letters, digits or underscores")
)

// MaxDepth is the deepest a category may be.
const MaxDepth = 4

// requireAdmin refuses (and audits the refusal) unless actor administers
// the system.
func (s *Service) requireAdmin(ctx context.Context, a access.Actor, action, objType, objID string) error {
	if a.System || a.Has(access.SysAdmin) {
		return nil
	}
	return s.audit.Refuse(ctx, s.db, entry(a, action, objType, objID, nil), fault.New(fault.Forbidden, "forbidden", msgAdminOnly))
}

func entry(a access.Actor, action, objType, objID string, detail map[string]any) audit.Entry {
	return audit.Entry{ActorID: a.UserID, ActorName: a.Username, UnitID: a.UnitID, Action: action,
		ObjectType: objType, ObjectID: objID, Detail: detail, RemoteAddr: a.RemoteAddr}
}

// ---- natures ----

// Natures returns every nature in display order.
func (s *Service) Natures(ctx context.Context) ([]Nature, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT code, family, name, name_en, sort, retired_at FROM natures ORDER BY sort, code")
	if err != nil {
		return nil, fmt.Errorf("list natures: %w", err)
	}
	defer rows.Close()
	var out []Nature
	for rows.Next() {
		var n Nature
		var retired sql.NullInt64
		if err := rows.Scan(&n.Code, &n.Family, &n.Name, &n.NameEN, &n.Sort, &retired); err != nil {
			return nil, fmt.Errorf("list natures: %w", err)
		}
		n.RetiredAt = db.Time(retired)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Nature returns one nature.
func (s *Service) Nature(ctx context.Context, q db.Querier, code string) (Nature, error) {
	var n Nature
	var retired sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT code, family, name, name_en, sort, retired_at FROM natures WHERE code = $1", code).
		Scan(&n.Code, &n.Family, &n.Name, &n.NameEN, &n.Sort, &retired)
	if db.IsNotFound(err) {
		return Nature{}, fault.NotFoundf(i18n.M("性质", "nature"), code)
	}
	if err != nil {
		return Nature{}, fmt.Errorf("get nature %s: %w", code, err)
	}
	n.RetiredAt = db.Time(retired)
	return n, nil
}

// NatureInput adds or changes a nature.
type NatureInput struct {
	Code   string
	Family Family
	Name   string
	NameEN string
	Sort   int
}

func validCode(code string) bool {
	if len(code) < 2 || len(code) > 40 {
		return false
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func (in NatureInput) validate(v *fault.Validation, creating bool) {
	if creating && !validCode(in.Code) {
		v.Add("code", msgNatureCode)
	}
	if creating && !slices.ContainsFunc(Families, func(f struct {
		Family Family
		Name   i18n.Message
	}) bool {
		return f.Family == in.Family
	}) {
		v.Add("family", msgUnknownFamily, string(in.Family))
	}
	validateNames(v, in.Name, in.NameEN)
}

func validateNames(v *fault.Validation, name, nameEN string) {
	switch {
	case strings.TrimSpace(name) == "":
		v.Add("name", fault.Required)
	case utf8.RuneCountInString(name) > 50:
		v.Add("name", fault.TooLong, 50)
	}
	if utf8.RuneCountInString(nameEN) > 100 {
		v.Add("name_en", fault.TooLong, 100)
	}
}

// CreateNature adds a nature.
func (s *Service) CreateNature(ctx context.Context, actor access.Actor, in NatureInput) (Nature, error) {
	if err := s.requireAdmin(ctx, actor, "nature.create", "nature", in.Code); err != nil {
		return Nature{}, err
	}
	var v fault.Validation
	in.validate(&v, true)
	if err := v.Err(); err != nil {
		return Nature{}, err
	}
	var out Nature
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO natures (code, family, name, name_en, sort, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, in.Code, in.Family, strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEN),
			in.Sort, s.now().UnixMicro())
		if db.IsUniqueViolation(err) {
			return fault.InvalidField("code", msgNatureExists, in.Code)
		}
		if err != nil {
			return fmt.Errorf("create nature: %w", err)
		}
		if out, err = s.Nature(ctx, tx, in.Code); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "nature.create", "nature", in.Code,
			map[string]any{"family": in.Family, "name": in.Name}))
	})
	return out, err
}

// UpdateNature renames or re-sorts a nature; its code and family stay.
func (s *Service) UpdateNature(ctx context.Context, actor access.Actor, code string, in NatureInput) (Nature, error) {
	if err := s.requireAdmin(ctx, actor, "nature.update", "nature", code); err != nil {
		return Nature{}, err
	}
	var v fault.Validation
	in.validate(&v, false)
	if err := v.Err(); err != nil {
		return Nature{}, err
	}
	var out Nature
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := s.Nature(ctx, tx, code)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE natures SET name = $1, name_en = $2, sort = $3, updated_at = $4 WHERE code = $5",
			strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEN), in.Sort, s.now().UnixMicro(), code); err != nil {
			return fmt.Errorf("update nature %s: %w", code, err)
		}
		if out, err = s.Nature(ctx, tx, code); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "nature.update", "nature", code, map[string]any{
			"before": map[string]any{"name": before.Name, "name_en": before.NameEN, "sort": before.Sort},
			"after":  map[string]any{"name": out.Name, "name_en": out.NameEN, "sort": out.Sort}}))
	})
	return out, err
}

// SetNatureRetired retires a nature (cases keep it; new cases cannot take
// it) or restores it.
func (s *Service) SetNatureRetired(ctx context.Context, actor access.Actor, code string, retired bool) (Nature, error) {
	if err := s.requireAdmin(ctx, actor, "nature.retire", "nature", code); err != nil {
		return Nature{}, err
	}
	var out Nature
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := s.Nature(ctx, tx, code); err != nil {
			return err
		}
		action := "nature.restore"
		if retired {
			action = "nature.retire"
		}
		if err := tx.SetRetired(ctx, "natures", "code", code, retired, s.now()); err != nil {
			return err
		}
		var err error
		if out, err = s.Nature(ctx, tx, code); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, action, "nature", code, nil))
	})
	return out, err
}

// ---- categories ----

const categoryColumns = `id, COALESCE(parent_id, 0), code, domain, level, name, name_en, sort, created_at, updated_at, retired_at,
	escalate_reports, escalate_days`

func scanCategory(s interface{ Scan(...any) error }) (Category, error) {
	var c Category
	var created, updated int64
	var retired, reports, days sql.NullInt64
	err := s.Scan(&c.ID, &c.ParentID, &c.Code, &c.Domain, &c.Level, &c.Name, &c.NameEN, &c.Sort, &created, &updated, &retired,
		&reports, &days)
	c.CreatedAt, c.UpdatedAt, c.RetiredAt = time.UnixMicro(created), time.UnixMicro(updated), db.Time(retired)
	if reports.Valid {
		c.Escalation = &Escalation{Reports: int(reports.Int64), Days: int(days.Int64)}
	}
	return c, err
}

// Categories returns the catalogue in tree order (by code); retired ones
// only when asked.
func (s *Service) Categories(ctx context.Context, includeRetired bool) ([]Category, error) {
	q := "SELECT " + categoryColumns + " FROM categories"
	if !includeRetired {
		q += " WHERE retired_at IS NULL"
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("list categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Category returns one category by id.
func (s *Service) Category(ctx context.Context, q db.Querier, id int64) (Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, "SELECT "+categoryColumns+" FROM categories WHERE id = $1", id))
	if db.IsNotFound(err) {
		return Category{}, fault.NotFoundf(i18n.M("类别", "category"), id)
	}
	if err != nil {
		return Category{}, fmt.Errorf("get category %d: %w", id, err)
	}
	return c, nil
}

// CategoryByCode returns one category by code.
func (s *Service) CategoryByCode(ctx context.Context, q db.Querier, code string) (Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, "SELECT "+categoryColumns+" FROM categories WHERE code = $1", code))
	if db.IsNotFound(err) {
		return Category{}, fault.NotFoundf(i18n.M("类别", "category"), code)
	}
	if err != nil {
		return Category{}, fmt.Errorf("get category %s: %w", code, err)
	}
	return c, nil
}

// Path returns the category and its ancestors, root first.
func (s *Service) Path(ctx context.Context, q db.Querier, id int64) ([]Category, error) {
	var out []Category
	for id != 0 && len(out) <= MaxDepth {
		c, err := s.Category(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		id = c.ParentID
	}
	slices.Reverse(out)
	return out, nil
}

// LabelOf is the classifier's label of the category whose path (root
// first) is given: the names joined by "/", as 城乡建设/城市建设和市政管理/燃气供应.
func LabelOf(path []Category) string {
	names := make([]string, len(path))
	for i, c := range path {
		names[i] = c.Name
	}
	return strings.Join(names, classify.PathSep)
}

// labelIndex finds a category by its parent and name: the catalogue as a
// classifier label is read, one name after another from a root.
type labelIndex map[labelKey]Category

type labelKey struct {
	parent int64
	name   string
}

func indexLabels(cats []Category) labelIndex {
	ix := make(labelIndex, len(cats))
	for _, c := range cats {
		ix[labelKey{c.ParentID, c.Name}] = c
	}
	return ix
}

// match returns the deepest active category whose path follows the
// label's names from a root.
func (ix labelIndex) match(label string) (Category, bool) {
	var best Category
	found := false
	for _, name := range strings.Split(classify.CleanLabel(label), classify.PathSep) {
		c, ok := ix[labelKey{best.ID, name}]
		if !ok || !c.Active() {
			break
		}
		best, found = c, true
	}
	return best, found
}

// MatchLabel returns the category a classifier label names, else its
// deepest ancestor in the catalogue: the deepest active category whose path
// follows the label's names from a root. cats must hold the categories
// on that path (the whole catalogue will do).
func MatchLabel(cats []Category, label string) (Category, bool) {
	return indexLabels(cats).match(label)
}

// ByLabel is MatchLabel over the whole catalogue; found is false when not
// even the label's first level is an active category. Intake asks it for
// every report's suggestion, so it reads the catalogue from a cache (see
// Service.labels): only this package changes categories, each in a write
// of its own that drops the cache as it commits.
func (s *Service) ByLabel(ctx context.Context, label string) (c Category, found bool, err error) {
	ix, err := s.labels.Get(s.now(), func() (labelIndex, error) {
		cats, err := s.Categories(ctx, true)
		return indexLabels(cats), err
	})
	if err != nil {
		return Category{}, false, fmt.Errorf("category by label %q: %w", label, err)
	}
	c, found = ix.match(label)
	return c, found, nil
}

// CategoryInput adds or changes a category.
type CategoryInput struct {
	ParentID int64  // 0 for a new top-level category
	Domain   Domain // for a top-level category; children inherit their parent's
	Name     string
	NameEN   string
	Sort     int
}

// CreateCategory adds a category; its code is the parent's plus the next
// free number.
func (s *Service) CreateCategory(ctx context.Context, actor access.Actor, in CategoryInput) (Category, error) {
	if err := s.requireAdmin(ctx, actor, "category.create", "category", ""); err != nil {
		return Category{}, err
	}
	var v fault.Validation
	validateNames(&v, in.Name, in.NameEN)
	if in.ParentID == 0 && domainPrefix[in.Domain] == "" {
		v.Add("domain", fault.BadValue, string(in.Domain))
	}
	if err := v.Err(); err != nil {
		return Category{}, err
	}
	var out Category
	err := s.writeCategories(ctx, func(tx *db.Tx) error {
		c, err := s.insertCategory(ctx, tx, in)
		if err != nil {
			return err
		}
		out = c
		return s.audit.Append(ctx, tx, entry(actor, "category.create", "category", c.Code,
			map[string]any{"name": c.Name, "parent_id": c.ParentID}))
	})
	return out, err
}

func (s *Service) insertCategory(ctx context.Context, tx *db.Tx, in CategoryInput) (Category, error) {
	name := strings.TrimSpace(in.Name)
	prefix, level, domain := domainPrefix[in.Domain], 1, in.Domain
	digits := 2
	if in.ParentID != 0 {
		p, err := s.Category(ctx, tx, in.ParentID)
		if err != nil {
			return Category{}, fault.InvalidField("parent_id", fault.BadValue, strconv.FormatInt(in.ParentID, 10))
		}
		if !p.Active() {
			return Category{}, fault.InvalidField("parent_id", msgParentRetired)
		}
		if p.Level >= MaxDepth {
			return Category{}, fault.InvalidField("parent_id", msgTooDeep, MaxDepth)
		}
		prefix, level, domain = p.Code, p.Level+1, p.Domain
		if level >= 3 {
			digits = 3
		}
	}
	// Siblings: same parent. Names are unique among them; the code is the
	// next number after the highest sibling code.
	q := "SELECT code, name FROM categories WHERE parent_id = $1"
	args := []any{in.ParentID}
	if in.ParentID == 0 {
		q = "SELECT code, name FROM categories WHERE parent_id IS NULL AND domain = $1"
		args = []any{domain}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return Category{}, fmt.Errorf("create category: %w", err)
	}
	maxN := 0
	for rows.Next() {
		var code, sib string
		if err := rows.Scan(&code, &sib); err != nil {
			rows.Close()
			return Category{}, fmt.Errorf("create category: %w", err)
		}
		if sib == name {
			rows.Close()
			return Category{}, fault.InvalidField("name", msgNameTaken, name)
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(code, prefix)); err == nil && n > maxN {
			maxN = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Category{}, fmt.Errorf("create category: %w", err)
	}
	code := fmt.Sprintf("%s%0*d", prefix, digits, maxN+1)
	now := s.now().UnixMicro()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO categories (parent_id, code, domain, level, name, name_en, sort, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		db.NullID(in.ParentID), code, domain, level, name, strings.TrimSpace(in.NameEN), in.Sort, now).Scan(&id)
	if err != nil {
		return Category{}, fmt.Errorf("create category %s: %w", code, err)
	}
	return s.Category(ctx, tx, id)
}

// UpdateCategory renames or re-sorts a category. Its place in the tree and
// its code do not change: cases and statistics refer to them.
func (s *Service) UpdateCategory(ctx context.Context, actor access.Actor, id int64, in CategoryInput) (Category, error) {
	if err := s.requireAdmin(ctx, actor, "category.update", "category", strconv.FormatInt(id, 10)); err != nil {
		return Category{}, err
	}
	var v fault.Validation
	validateNames(&v, in.Name, in.NameEN)
	if err := v.Err(); err != nil {
		return Category{}, err
	}
	var out Category
	err := s.writeCategories(ctx, func(tx *db.Tx) error {
		before, err := s.Category(ctx, tx, id)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(in.Name)
		var clash int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM categories
			WHERE COALESCE(parent_id, 0) = $1 AND domain = $2 AND name = $3 AND id <> $4`,
			before.ParentID, before.Domain, name, id).Scan(&clash); err != nil {
			return fmt.Errorf("update category: %w", err)
		}
		if clash > 0 {
			return fault.InvalidField("name", msgNameTaken, name)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE categories SET name = $1, name_en = $2, sort = $3, updated_at = $4 WHERE id = $5",
			name, strings.TrimSpace(in.NameEN), in.Sort, s.now().UnixMicro(), id); err != nil {
			return fmt.Errorf("update category %d: %w", id, err)
		}
		if out, err = s.Category(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "category.update", "category", out.Code, map[string]any{
			"before": map[string]any{"name": before.Name, "name_en": before.NameEN, "sort": before.Sort},
			"after":  map[string]any{"name": out.Name, "name_en": out.NameEN, "sort": out.Sort}}))
	})
	return out, err
}

// SetCategoryRetired retires a category and everything under it, or
// restores one category (whose parent must be active).
func (s *Service) SetCategoryRetired(ctx context.Context, actor access.Actor, id int64, retired bool) (Category, error) {
	if err := s.requireAdmin(ctx, actor, "category.retire", "category", strconv.FormatInt(id, 10)); err != nil {
		return Category{}, err
	}
	var out Category
	err := s.writeCategories(ctx, func(tx *db.Tx) error {
		c, err := s.Category(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now().UnixMicro()
		var n int64
		if retired {
			res, err := tx.ExecContext(ctx, `UPDATE categories SET retired_at = $1, updated_at = $1
				WHERE code LIKE $2 AND retired_at IS NULL`, now, c.Code+"%")
			if err != nil {
				return fmt.Errorf("retire category %s: %w", c.Code, err)
			}
			n, _ = res.RowsAffected()
		} else {
			if c.ParentID != 0 {
				p, err := s.Category(ctx, tx, c.ParentID)
				if err != nil {
					return err
				}
				if !p.Active() {
					return fault.New(fault.Conflict, "parent-retired", msgRestoreParent)
				}
			}
			if _, err := tx.ExecContext(ctx, "UPDATE categories SET retired_at = NULL, updated_at = $1 WHERE id = $2", now, id); err != nil {
				return fmt.Errorf("restore category %s: %w", c.Code, err)
			}
			n = 1
		}
		if out, err = s.Category(ctx, tx, id); err != nil {
			return err
		}
		action := "category.restore"
		if retired {
			action = "category.retire"
		}
		return s.audit.Append(ctx, tx, entry(actor, action, "category", c.Code, map[string]any{"affected": n}))
	})
	return out, err
}

// DeleteCategory removes a category that no case uses and that has no
// children; anything else must be retired instead.
func (s *Service) DeleteCategory(ctx context.Context, actor access.Actor, id int64) error {
	if err := s.requireAdmin(ctx, actor, "category.delete", "category", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return s.writeCategories(ctx, func(tx *db.Tx) error {
		c, err := s.Category(ctx, tx, id)
		if err != nil {
			return err
		}
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE category_id = $1 LIMIT 1) a) +
			(SELECT COUNT(*) FROM (SELECT 1 FROM categories WHERE parent_id = $1 LIMIT 1) b)`, id).Scan(&used); err != nil {
			return fmt.Errorf("delete category: %w", err)
		}
		if used > 0 {
			return fault.New(fault.Conflict, "category-in-use", msgInUse, c.Name)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM categories WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete category %s: %w", c.Code, err)
		}
		return s.audit.Append(ctx, tx, entry(actor, "category.delete", "category", c.Code, map[string]any{"name": c.Name}))
	})
}

//go:embed civic_taxonomy.csv
var civicTaxonomy []byte

// bilingual is a name of the built-in catalogue in both languages.
type bilingual struct{ zh, en string }

// policeTypes and disputeTypes are pingan's own catalogues of police
// incident types (警情类别) and dispute types (矛盾纠纷类型).
var policeTypes = []struct {
	name     bilingual
	children []bilingual
}{
	{bilingual{"刑事案件", "Criminal cases"}, []bilingual{{"盗窃", "Theft"}, {"电信网络诈骗", "Telecom and online fraud"},
		{"其他诈骗", "Other fraud"}, {"抢劫抢夺", "Robbery and snatching"}, {"故意伤害", "Assault causing injury"},
		{"涉毒", "Drug offences"}, {"其他刑事案件", "Other criminal cases"}}},
	{bilingual{"治安案件", "Public-order cases"}, []bilingual{{"打架斗殴", "Fighting"}, {"噪声扰民", "Noise nuisance"},
		{"寻衅滋事", "Provoking trouble"}, {"赌博", "Gambling"}, {"侵犯隐私", "Invasion of privacy"},
		{"其他治安案件", "Other public-order cases"}}},
	{bilingual{"交通警情", "Traffic incidents"}, []bilingual{{"交通事故", "Traffic accident"}, {"交通拥堵", "Traffic congestion"},
		{"违法停车", "Illegal parking"}, {"酒驾醉驾", "Drink-driving"}, {"其他交通警情", "Other traffic incidents"}}},
	{bilingual{"纠纷警情", "Dispute incidents"}, []bilingual{{"家庭纠纷", "Family dispute"}, {"邻里纠纷", "Neighbour dispute"},
		{"经济纠纷", "Money dispute"}, {"劳资纠纷", "Wage dispute"}, {"其他纠纷", "Other disputes"}}},
	{bilingual{"求助警情", "Calls for help"}, []bilingual{{"走失寻人", "Missing person"}, {"急病救助", "Medical emergency"},
		{"开锁求助", "Locked out"}, {"其他求助", "Other calls for help"}}},
	{bilingual{"灾害事故", "Disasters and accidents"}, []bilingual{{"火灾", "Fire"}, {"溺水", "Drowning"},
		{"其他灾害事故", "Other disasters and accidents"}}},
}

var (
	disputeRoot  = bilingual{"矛盾纠纷", "Disputes"}
	disputeTypes = []bilingual{
		{"婚姻家庭纠纷", "Marriage and family"}, {"邻里纠纷", "Neighbours"}, {"房屋宅基地纠纷", "Housing and homestead land"},
		{"合同纠纷", "Contracts"}, {"劳动争议", "Labour"}, {"物业纠纷", "Property management"}, {"医疗纠纷", "Medical care"},
		{"道路交通事故纠纷", "Road traffic accidents"}, {"征地拆迁纠纷", "Land acquisition and demolition"},
		{"山林土地纠纷", "Forest and farmland"}, {"损害赔偿纠纷", "Compensation for damage"}, {"消费纠纷", "Consumer"},
		{"其他纠纷", "Other disputes"},
	}
)

// builtIn is one category of the built-in catalogue, with the code Seed
// gives it in an empty catalogue: codes never change, so that is how a
// catalogue made by an earlier version is matched to it.
type builtIn struct {
	code, parent string // parent's code, "" at the top
	domain       Domain
	name         bilingual
}

// builtInCategories lists the built-in catalogue, parents before children:
// the civic taxonomy (附件1, with pingan's English), police incident types
// and dispute types.
func builtInCategories() ([]builtIn, error) {
	recs, err := csv.NewReader(bytes.NewReader(civicTaxonomy)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("embedded taxonomy: %w", err)
	}
	if len(recs) < 2 || len(recs[0]) != 6 {
		return nil, fmt.Errorf("embedded taxonomy: want a header and rows of three names and their English")
	}
	var out []builtIn
	codes := map[string]string{} // parent's code and name → code
	levels := map[string]int{}   // code → level
	children := map[string]int{} // parent's code (the domain's letter at the top) → children so far
	add := func(domain Domain, parent string, name bilingual) string {
		key := parent + "\x00" + string(domain) + "\x00" + name.zh
		if code, ok := codes[key]; ok {
			return code
		}
		// As insertCategory numbers a category in an empty catalogue: the
		// parent's code (the domain's letter at the top) and the next
		// number, of two digits at the first two levels and three below.
		prefix, level, digits := domainPrefix[domain], 1, 2
		if parent != "" {
			prefix, level = parent, levels[parent]+1
		}
		if level >= 3 {
			digits = 3
		}
		children[prefix]++
		code := fmt.Sprintf("%s%0*d", prefix, digits, children[prefix])
		codes[key], levels[code] = code, level
		out = append(out, builtIn{code: code, parent: parent, domain: domain, name: name})
		return code
	}
	for _, r := range recs[1:] {
		l1 := add(Civic, "", bilingual{r[0], r[3]})
		l2 := add(Civic, l1, bilingual{r[1], r[4]})
		add(Civic, l2, bilingual{r[2], r[5]})
	}
	for _, p := range policeTypes {
		top := add(PoliceDomain, "", p.name)
		for _, c := range p.children {
			add(PoliceDomain, top, c)
		}
	}
	top := add(DisputeDomain, "", disputeRoot)
	for _, d := range disputeTypes {
		add(DisputeDomain, top, d)
	}
	return out, nil
}

// Seed fills an empty catalogue: the default natures and the built-in
// categories (builtInCategories). It returns how many categories it created
// (0 when the catalogue existed). In a catalogue that exists, a built-in
// category still named as it was made and without an English name gets the
// built-in English one (catalogues made before the catalogue had English);
// that change is audited as catalog.translate.
func (s *Service) Seed(ctx context.Context) (int, error) {
	cats, err := builtInCategories()
	if err != nil {
		return 0, err
	}
	created := 0
	err = s.writeCategories(ctx, func(tx *db.Tx) error {
		created = 0
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM natures) + (SELECT COUNT(*) FROM categories)").Scan(&n); err != nil {
			return fmt.Errorf("seed catalogue: %w", err)
		}
		if n > 0 {
			return s.translateBuiltIn(ctx, tx, cats)
		}
		now := s.now().UnixMicro()
		for i, nat := range defaultNatures {
			if _, err := tx.ExecContext(ctx, `INSERT INTO natures (code, family, name, name_en, sort, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, nat.Code, nat.Family, nat.Name, nat.NameEN, (i+1)*10, now); err != nil {
				return fmt.Errorf("seed nature %s: %w", nat.Code, err)
			}
		}
		ids := map[string]int64{}
		for _, b := range cats {
			c, err := s.insertCategory(ctx, tx, CategoryInput{ParentID: ids[b.parent], Domain: b.domain, Name: b.name.zh, NameEN: b.name.en})
			if err != nil {
				return fmt.Errorf("seed category %s: %w", b.code, err)
			}
			if c.Code != b.code {
				return fmt.Errorf("seed category %s: made as %s: builtInCategories numbers categories otherwise than insertCategory", b.code, c.Code)
			}
			ids[b.code] = c.ID
			created++
		}
		return s.audit.Append(ctx, tx, entry(access.System("seed"), "catalog.seed", "category", "*",
			map[string]any{"natures": len(defaultNatures), "categories": created}))
	})
	return created, err
}

// translateBuiltIn gives the built-in categories of an existing catalogue
// the English names they lack: each found by its code, if it still has the
// Chinese name it was made with (one an administrator renamed is theirs).
// An English name emptied on purpose is filled again.
func (s *Service) translateBuiltIn(ctx context.Context, tx *db.Tx, cats []builtIn) error {
	byCode := make(map[string]builtIn, len(cats))
	for _, b := range cats {
		byCode[b.code] = b
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, code, name FROM categories WHERE name_en = ''")
	if err != nil {
		return fmt.Errorf("translate catalogue: %w", err)
	}
	type untranslated struct {
		id int64
		en string
	}
	var todo []untranslated
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			rows.Close()
			return fmt.Errorf("translate catalogue: %w", err)
		}
		if b, ok := byCode[code]; ok && b.name.zh == name && b.name.en != "" {
			todo = append(todo, untranslated{id, b.name.en})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("translate catalogue: %w", err)
	}
	// Nodes seed one at a time (App.seed runs under db.Serialised): what
	// was read above is what is updated.
	now := s.now().UnixMicro()
	for _, t := range todo {
		if _, err := tx.ExecContext(ctx, "UPDATE categories SET name_en = $1, updated_at = $2 WHERE id = $3",
			t.en, now, t.id); err != nil {
			return fmt.Errorf("translate category %d: %w", t.id, err)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return s.audit.Append(ctx, tx, entry(access.System("seed"), "catalog.translate", "category", "*",
		map[string]any{"categories": len(todo)}))
}

// ---- 提级管辖 rules ----

// Escalation is a category's rule of escalated jurisdiction (提级管辖): a
// matter reported Reports times within Days goes one level up. Reports 0
// means never.
type Escalation struct {
	Reports int `json:"reports"`
	Days    int `json:"days"`
}

// DefaultEscalation applies where no category on the path sets a rule.
var DefaultEscalation = Escalation{Reports: 3, Days: 30}

// Window is the rule's time window.
func (e Escalation) Window() time.Duration { return time.Duration(e.Days) * 24 * time.Hour }

// Due reports whether a matter reported n times within the window is due
// to be raised now: at the threshold, and at each multiple of it (once a
// level per round of repeats).
func (e Escalation) Due(n int) bool { return e.Reports > 0 && n >= e.Reports && n%e.Reports == 0 }

var (
	msgEscReports = i18n.M("须为 0（不提级）或 2–100 次", "must be 0 (never) or 2–100 reports")
	msgEscDays    = i18n.M("须为 1–365 天", "must be 1–365 days")
)

// EscalationFor returns the rule that applies to a case of category id:
// the category's own, else its nearest ancestor's, else the default; with
// the category that set it (0 for the default).
func (s *Service) EscalationFor(ctx context.Context, q db.Querier, id int64) (Escalation, int64, error) {
	for depth := 0; id != 0 && depth <= MaxDepth; depth++ {
		var parent int64
		var reports, days sql.NullInt64
		err := q.QueryRowContext(ctx, "SELECT COALESCE(parent_id, 0), escalate_reports, escalate_days FROM categories WHERE id = $1", id).
			Scan(&parent, &reports, &days)
		if db.IsNotFound(err) {
			break
		}
		if err != nil {
			return Escalation{}, 0, fmt.Errorf("escalation rule of category %d: %w", id, err)
		}
		if reports.Valid {
			return Escalation{Reports: int(reports.Int64), Days: int(days.Int64)}, id, nil
		}
		id = parent
	}
	return DefaultEscalation, 0, nil
}

// SetEscalation sets a category's rule of 提级管辖, or (rule nil) lets it
// inherit its parent's again. The rule covers everything under the
// category that does not set its own.
func (s *Service) SetEscalation(ctx context.Context, actor access.Actor, id int64, rule *Escalation) (Category, error) {
	if err := s.requireAdmin(ctx, actor, "category.escalation", "category", strconv.FormatInt(id, 10)); err != nil {
		return Category{}, err
	}
	var reports, days any
	if rule != nil {
		var v fault.Validation
		if rule.Reports != 0 && (rule.Reports < 2 || rule.Reports > 100) {
			v.Add("escalate_reports", msgEscReports)
		}
		if rule.Days < 1 || rule.Days > 365 {
			v.Add("escalate_days", msgEscDays)
		}
		if err := v.Err(); err != nil {
			return Category{}, err
		}
		reports, days = rule.Reports, rule.Days
	}
	var out Category
	err := s.writeCategories(ctx, func(tx *db.Tx) error {
		before, err := s.Category(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE categories SET escalate_reports = $1, escalate_days = $2, updated_at = $3 WHERE id = $4",
			reports, days, s.now().UnixMicro(), id); err != nil {
			return fmt.Errorf("set escalation rule of category %d: %w", id, err)
		}
		if out, err = s.Category(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, entry(actor, "category.escalation", "category", out.Code, map[string]any{
			"before": before.Escalation, "after": out.Escalation}))
	})
	return out, err
}
