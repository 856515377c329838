// Package org holds the organisation: the tree of units (government levels,
// the political-legal departments and line departments), the users who work
// in them, their roles and API tokens. It also answers the question every
// other service asks: which units' cases may this actor see?
package org

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/division"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/search"
)

// Kind is what sort of body a unit is.
type Kind string

const (
	Government    Kind = "government"    // 人民政府, 街道办事处, 乡镇, 社区居委会
	Committee     Kind = "committee"     // 政法委
	Hotline       Kind = "hotline"       // 12345 centre
	Petition      Kind = "petition"      // 信访局
	Police        Kind = "police"        // 公安局, 分局, 派出所
	Procuratorate Kind = "procuratorate" // 检察院
	Court         Kind = "court"         // 法院, 人民法庭
	Justice       Kind = "justice"       // 司法局, 司法所
	Mediation     Kind = "mediation"     // 人民调解委员会
	Department    Kind = "department"    // line departments: 城管, 市场监管, 住建…
)

// Kinds lists every kind with its names.
var Kinds = []struct {
	Kind Kind
	Name i18n.Message
}{
	{Government, i18n.M("党政机关", "Government")},
	{Committee, i18n.M("政法委", "Political-legal committee")},
	{Hotline, i18n.M("12345热线", "12345 hotline centre")},
	{Petition, i18n.M("信访部门", "Petition bureau")},
	{Police, i18n.M("公安", "Police")},
	{Procuratorate, i18n.M("检察院", "Procuratorate")},
	{Court, i18n.M("法院", "Court")},
	{Justice, i18n.M("司法行政", "Justice bureau")},
	{Mediation, i18n.M("人民调解", "People's mediation")},
	{Department, i18n.M("职能部门", "Line department")},
}

// Level is the administrative level a unit sits at.
type Level string

const (
	City      Level = "city"
	District  Level = "district"
	Street    Level = "street"
	Community Level = "community"
)

// Levels in order from the top.
var Levels = []struct {
	Level Level
	Name  i18n.Message
}{
	{City, i18n.M("市级", "City")},
	{District, i18n.M("区级", "District")},
	{Street, i18n.M("街道/镇级", "Street / town")},
	{Community, i18n.M("社区/村级", "Community / village")},
}

// KindIndex is k's place in Kinds, the order lists of units follow; -1
// for no kind of Kinds.
func KindIndex(k Kind) int {
	for i, x := range Kinds {
		if x.Kind == k {
			return i
		}
	}
	return -1
}

// LevelIndex is l's place in Levels, from the city down; -1 for no level
// of Levels.
func LevelIndex(l Level) int {
	for i, x := range Levels {
		if x.Level == l {
			return i
		}
	}
	return -1
}

// Unit is one body in the organisation tree.
type Unit struct {
	ID           int64
	ParentID     int64 // 0 for the root
	Path         string
	Code         string
	Name         string
	Kind         Kind
	Level        Level
	DivisionCode string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	RetiredAt    time.Time
}

// Active reports whether the unit may receive cases.
func (u Unit) Active() bool { return u.RetiredAt.IsZero() }

// Depth is the number of ancestors.
func (u Unit) Depth() int { return strings.Count(u.Path, "/") - 2 }

// Ancestors returns the ids of the unit's ancestors, root first.
func (u Unit) Ancestors() []int64 {
	var out []int64
	for _, p := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		id, _ := strconv.ParseInt(p, 10, 64)
		if id != 0 && id != u.ID {
			out = append(out, id)
		}
	}
	return out
}

// Service manages the organisation.
type Service struct {
	db     *db.DB
	audit  *audit.Log
	now    func() time.Time
	tokens *tokenCache

	recording sync.Map // token id → true while its use is being recorded
}

// NewService returns an organisation service.
func NewService(d *db.DB, a *audit.Log, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, audit: a, now: now, tokens: newTokenCache()}
}

const unitColumns = `id, COALESCE(parent_id, 0), path, code, name, kind, level, COALESCE(division_code, ''),
	created_at, updated_at, retired_at`

func scanUnit(s interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var created, updated int64
	var retired sql.NullInt64
	err := s.Scan(&u.ID, &u.ParentID, &u.Path, &u.Code, &u.Name, &u.Kind, &u.Level, &u.DivisionCode,
		&created, &updated, &retired)
	u.CreatedAt, u.UpdatedAt, u.RetiredAt = time.UnixMicro(created), time.UnixMicro(updated), db.Time(retired)
	return u, err
}

// Unit returns one unit by id.
func (s *Service) Unit(ctx context.Context, q db.Querier, id int64) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, "SELECT "+unitColumns+" FROM units WHERE id = $1", id))
	if db.IsNotFound(err) {
		return Unit{}, fault.NotFoundf(i18n.M("单位", "unit"), id)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("get unit %d: %w", id, err)
	}
	return u, nil
}

// UnitByCode returns one unit by its code.
func (s *Service) UnitByCode(ctx context.Context, q db.Querier, code string) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, "SELECT "+unitColumns+" FROM units WHERE code = $1", code))
	if db.IsNotFound(err) {
		return Unit{}, fault.NotFoundf(i18n.M("单位", "unit"), code)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("get unit %s: %w", code, err)
	}
	return u, nil
}

// Units returns every unit, in tree order (parents before children, siblings
// by code). The organisation is small: thousands of units at most.
func (s *Service) Units(ctx context.Context) ([]Unit, error) {
	return s.queryUnits(ctx, s.db, "SELECT "+unitColumns+" FROM units")
}

// Subtree returns the unit with id and all its descendants.
func (s *Service) Subtree(ctx context.Context, q db.Querier, id int64) ([]Unit, error) {
	u, err := s.Unit(ctx, q, id)
	if err != nil {
		return nil, err
	}
	return s.queryUnits(ctx, q, "SELECT "+unitColumns+" FROM units WHERE path LIKE $1", u.Path+"%")
}

func (s *Service) queryUnits(ctx context.Context, q db.Querier, query string, args ...any) ([]Unit, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("list units: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	SortTree(out)
	return out, nil
}

// SortTree orders units so that each parent precedes its children and
// siblings are ordered by code.
func SortTree(us []Unit) {
	key := func(u Unit) []string {
		// Path of ids → path of codes, so siblings sort by code.
		return strings.Split(strings.Trim(u.Path, "/"), "/")
	}
	byID := make(map[string]string, len(us))
	for _, u := range us {
		byID[strconv.FormatInt(u.ID, 10)] = u.Code
	}
	slices.SortFunc(us, func(a, b Unit) int {
		ka, kb := key(a), key(b)
		for i := 0; i < len(ka) && i < len(kb); i++ {
			if ka[i] != kb[i] {
				return strings.Compare(byID[ka[i]], byID[kb[i]])
			}
		}
		return len(ka) - len(kb)
	})
}

// UnitInput creates or changes a unit.
type UnitInput struct {
	ParentID     int64
	Code         string
	Name         string
	Kind         Kind
	Level        Level
	DivisionCode string
}

var (
	msgUnitCodeTaken    = i18n.M("单位编码 %s 已被使用", "unit code %s is already in use")
	msgParentRetired    = i18n.M("上级单位已撤销", "the parent unit is retired")
	msgLevelAboveParent = i18n.M("不能高于上级单位的层级", "cannot be above the parent unit's level")
	msgCycle            = i18n.M("不能把单位移到它自己的下级", "a unit cannot move under itself")
	msgAdminOnly        = i18n.M("只有系统管理员可以维护单位", "only a system administrator may change units")
	msgRootExists       = i18n.M("已有根单位；新单位必须指定上级", "a root unit exists; a new unit needs a parent")
	msgNoDivision       = i18n.M("没有这个行政区划代码：%s", "no such division code: %s")
	msgNoSupervisor     = i18n.M("单位 %d 没有上级督办单位", "unit %d has no supervising committee")
)

func (in UnitInput) validate(v *fault.Validation) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	switch {
	case in.Code == "":
		v.Add("code", fault.Required)
	case utf8.RuneCountInString(in.Code) > 40:
		v.Add("code", fault.TooLong, 40)
	}
	switch {
	case in.Name == "":
		v.Add("name", fault.Required)
	case utf8.RuneCountInString(in.Name) > 100:
		v.Add("name", fault.TooLong, 100)
	}
	if KindIndex(in.Kind) < 0 {
		v.Add("kind", fault.BadValue, string(in.Kind))
	}
	if LevelIndex(in.Level) < 0 {
		v.Add("level", fault.BadValue, string(in.Level))
	}
	if d := strings.TrimSpace(in.DivisionCode); d != "" {
		if _, ok := division.ByCode(d); !ok {
			v.Add("division_code", msgNoDivision, d)
		}
	}
}

// CreateUnit adds a unit under in.ParentID (0 only for the very first, root
// unit).
func (s *Service) CreateUnit(ctx context.Context, actor access.Actor, in UnitInput) (Unit, error) {
	if err := s.requireSysAdmin(ctx, actor, "unit.create", 0); err != nil {
		return Unit{}, err
	}
	var v fault.Validation
	in.validate(&v)
	if err := v.Err(); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		u, err := s.insertUnit(ctx, tx, in)
		if err != nil {
			return err
		}
		out = u
		return s.audit.Append(ctx, tx, auditEntry(actor, "unit.create", "unit", u.ID, map[string]any{
			"code": u.Code, "name": u.Name, "kind": u.Kind, "level": u.Level, "parent_id": u.ParentID}))
	})
	return out, err
}

// insertUnit adds a unit inside tx; callers have validated in and checked
// the actor.
func (s *Service) insertUnit(ctx context.Context, tx *db.Tx, in UnitInput) (Unit, error) {
	now := s.now()
	parentPath := "/"
	if in.ParentID != 0 {
		p, err := s.Unit(ctx, tx, in.ParentID)
		if err != nil {
			return Unit{}, fault.InvalidField("parent_id", fault.BadValue, strconv.FormatInt(in.ParentID, 10))
		}
		if !p.Active() {
			return Unit{}, fault.InvalidField("parent_id", msgParentRetired)
		}
		if LevelIndex(in.Level) < LevelIndex(p.Level) {
			return Unit{}, fault.InvalidField("level", msgLevelAboveParent)
		}
		parentPath = p.Path
	} else {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM units WHERE parent_id IS NULL").Scan(&n); err != nil {
			return Unit{}, fmt.Errorf("create unit: %w", err)
		}
		if n > 0 {
			return Unit{}, fault.InvalidField("parent_id", msgRootExists)
		}
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO units (parent_id, path, code, name, kind, level, division_code, created_at, updated_at)
		VALUES ($1, '', $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		db.NullID(in.ParentID), strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), in.Kind, in.Level,
		db.NullText(in.DivisionCode), now.UnixMicro()).Scan(&id)
	if db.IsUniqueViolation(err) {
		return Unit{}, fault.InvalidField("code", msgUnitCodeTaken, in.Code)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("create unit: %w", err)
	}
	path := parentPath + strconv.FormatInt(id, 10) + "/"
	if _, err := tx.ExecContext(ctx, "UPDATE units SET path = $1 WHERE id = $2", path, id); err != nil {
		return Unit{}, fmt.Errorf("create unit: %w", err)
	}
	return s.Unit(ctx, tx, id)
}

// UpdateUnit renames, re-codes, re-levels or moves a unit. Moving rewrites
// the paths of its whole subtree in the same transaction.
func (s *Service) UpdateUnit(ctx context.Context, actor access.Actor, id int64, in UnitInput) (Unit, error) {
	if err := s.requireSysAdmin(ctx, actor, "unit.update", id); err != nil {
		return Unit{}, err
	}
	var v fault.Validation
	in.validate(&v)
	if err := v.Err(); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		old, err := s.Unit(ctx, tx, id)
		if err != nil {
			return err
		}
		newPath := old.Path
		if in.ParentID != old.ParentID {
			if in.ParentID == 0 {
				return fault.InvalidField("parent_id", msgRootExists)
			}
			p, err := s.Unit(ctx, tx, in.ParentID)
			if err != nil {
				return fault.InvalidField("parent_id", fault.BadValue, strconv.FormatInt(in.ParentID, 10))
			}
			if strings.HasPrefix(p.Path, old.Path) {
				return fault.InvalidField("parent_id", msgCycle)
			}
			if !p.Active() {
				return fault.InvalidField("parent_id", msgParentRetired)
			}
			newPath = p.Path + strconv.FormatInt(id, 10) + "/"
		}
		if in.ParentID != 0 {
			p, err := s.Unit(ctx, tx, in.ParentID)
			if err != nil {
				return err
			}
			if LevelIndex(in.Level) < LevelIndex(p.Level) {
				return fault.InvalidField("level", msgLevelAboveParent)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE units SET parent_id = $1, code = $2, name = $3, kind = $4, level = $5,
			division_code = $6, updated_at = $7 WHERE id = $8`,
			db.NullID(in.ParentID), strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), in.Kind, in.Level,
			db.NullText(in.DivisionCode), s.now().UnixMicro(), id)
		if db.IsUniqueViolation(err) {
			return fault.InvalidField("code", msgUnitCodeTaken, in.Code)
		}
		if err != nil {
			return fmt.Errorf("update unit %d: %w", id, err)
		}
		if newPath != old.Path {
			// Every descendant's path starts with the old path; swap the prefix.
			if _, err := tx.ExecContext(ctx, `UPDATE units SET path = $1 || SUBSTR(path, $2) WHERE path LIKE $3`,
				newPath, len(old.Path)+1, old.Path+"%"); err != nil {
				return fmt.Errorf("move unit %d: %w", id, err)
			}
			// The cases of the subtree are indexed under their units'
			// ancestors: again, with the move.
			if err := search.UnitMoved(ctx, tx, newPath); err != nil {
				return fmt.Errorf("move unit %d: %w", id, err)
			}
		}
		if out, err = s.Unit(ctx, tx, id); err != nil {
			return err
		}
		tx.AfterCommit(s.tokens.flush) // scopes may have changed
		return s.audit.Append(ctx, tx, auditEntry(actor, "unit.update", "unit", id, map[string]any{
			"before": unitFields(old), "after": unitFields(out)}))
	})
	return out, err
}

// SetUnitRetired retires a unit (it keeps its history but receives no new
// cases) or brings it back.
func (s *Service) SetUnitRetired(ctx context.Context, actor access.Actor, id int64, retired bool) (Unit, error) {
	if err := s.requireSysAdmin(ctx, actor, "unit.retire", id); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := s.Unit(ctx, tx, id); err != nil {
			return err
		}
		action := "unit.restore"
		if retired {
			action = "unit.retire"
		}
		if err := tx.SetRetired(ctx, "units", "id", id, retired, s.now()); err != nil {
			return err
		}
		var err error
		if out, err = s.Unit(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, auditEntry(actor, action, "unit", id, nil))
	})
	return out, err
}

func unitFields(u Unit) map[string]any {
	return map[string]any{"parent_id": u.ParentID, "code": u.Code, "name": u.Name, "kind": u.Kind,
		"level": u.Level, "division_code": u.DivisionCode}
}

// refuse audits a refused change and returns the refusal.
func (s *Service) refuse(ctx context.Context, a access.Actor, action, objType string, objID int64, msg i18n.Message) error {
	return s.audit.Refuse(ctx, s.db, auditEntry(a, action, objType, objID, nil), fault.New(fault.Forbidden, "forbidden", msg))
}

// requireSysAdmin refuses (and audits the refusal) unless actor is the
// system itself (command line, seeding) or a system administrator.
func (s *Service) requireSysAdmin(ctx context.Context, a access.Actor, action string, unitID int64) error {
	if a.System || a.Has(access.SysAdmin) {
		return nil
	}
	return s.refuse(ctx, a, action, "unit", unitID, msgAdminOnly)
}

func auditEntry(a access.Actor, action, objType string, objID int64, detail map[string]any) audit.Entry {
	return audit.Entry{ActorID: a.UserID, ActorName: a.Username, UnitID: a.UnitID, Action: action,
		ObjectType: objType, ObjectID: strconv.FormatInt(objID, 10), Detail: detail, RemoteAddr: a.RemoteAddr}
}

// SupervisingUnit returns the political-legal committee (政法委) that
// supervises unit: the committee of the nearest level above it — a street
// office's is its district's committee, a police station's the city's.
func (s *Service) SupervisingUnit(ctx context.Context, q db.Querier, unitID int64) (Unit, error) {
	u, err := s.Unit(ctx, q, unitID)
	if err != nil {
		return Unit{}, err
	}
	ancestors := u.Ancestors()
	for i := len(ancestors) - 1; i >= 0; i-- {
		c, err := scanUnit(q.QueryRowContext(ctx, "SELECT "+unitColumns+
			" FROM units WHERE parent_id = $1 AND kind = $2 AND retired_at IS NULL ORDER BY id LIMIT 1", ancestors[i], Committee))
		if err == nil && c.ID != unitID {
			return c, nil
		}
		if err != nil && !db.IsNotFound(err) {
			return Unit{}, fmt.Errorf("supervising unit of %d: %w", unitID, err)
		}
	}
	return Unit{}, fault.New(fault.NotFound, "no-supervising-unit", msgNoSupervisor, unitID)
}
