package casework

import (
	"context"
	"fmt"
	"slices"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/catalog"
	"pingan/internal/db"
	"pingan/internal/deadline"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
	"pingan/internal/secret"
)

// Config tunes the service.
type Config struct {
	// NumberPrefix starts every case number: XM-2026-000123.
	NumberPrefix string
	// Location is the time zone of case-number years and of dates people
	// type; Asia/Shanghai by default.
	Location *time.Location
}

// Service runs the closed loop.
type Service struct {
	db    *db.DB
	audit *audit.Log
	keys  *secret.Keyring
	org   *org.Service
	cat   *catalog.Service
	cfg   Config
	now   func() time.Time
	// due computes the deadlines of a dispatched case.
	due func(nature, family, priority string, t time.Time) (sign, handle time.Time)
}

// NewService returns the casework service.
func NewService(d *db.DB, a *audit.Log, keys *secret.Keyring, o *org.Service, c *catalog.Service, cfg Config, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if cfg.NumberPrefix == "" {
		cfg.NumberPrefix = "XM"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Service{db: d, audit: a, keys: keys, org: o, cat: c, cfg: cfg, now: now, due: deadline.Due}
}

var (
	msgNoCaseWork = i18n.M("当前账号不办理案件", "this account does not work on cases")
	msgNotAllowed = i18n.M("案件当前状态为“%s”，不能执行“%s”", "the case is %s; %s is not possible now")
	msgNotYours   = i18n.M("您的角色或单位不能对此案件执行“%s”", "your role or unit may not %s this case")
	msgGuard      = i18n.M("“%s”现在不可用：%s", "%s is not available now: %s")
	msgChanged    = i18n.M("案件已被他人修改，请刷新后重试", "the case was changed by someone else; reload and try again")
	msgUnknownAct = i18n.M("未知操作：%s", "unknown action: %s")
	msgNoPending  = i18n.M("没有待审批的延期申请", "there is no pending extension request")
	msgHasPending = i18n.M("已有延期申请待审批", "an extension request is already pending")
	msgVersion    = i18n.M("案件版本为 %d，不是 %d；请刷新后重试", "the case is at version %d, not %d; reload and try again")
)

// stateName returns a state's name in lang.
func stateName(s State, lang i18n.Lang) string {
	for _, x := range States {
		if x.State == s {
			return x.Name.Format(lang)
		}
	}
	return string(s)
}

// visible reports whether actor may see the case: the actor does case work,
// and one of the units involved in the case is in the actor's scope.
func (s *Service) visible(ctx context.Context, q db.Querier, actor access.Actor, c Case) (bool, error) {
	if actor.System {
		return true, nil
	}
	if !actor.CaseWorker() {
		return false, nil
	}
	if actor.Scope.All {
		return true, nil
	}
	units, err := involvedUnits(ctx, q, c.ID)
	if err != nil {
		return false, err
	}
	return actor.Scope.ContainsAny(units), nil
}

// permits reports whether transition t is open to actor on c, not counting
// its guard.
func permits(t Transition, actor access.Actor, c Case, visible bool) bool {
	if !actor.HasAny(t.Roles...) {
		return false
	}
	switch t.Who {
	case HandlingUnit:
		return c.HandlingUnitID != 0 && actor.UnitID == c.HandlingUnitID
	case OutsideHandlingUnit:
		return visible && actor.UnitID != c.HandlingUnitID
	default:
		return visible
	}
}

// guardHolds reports whether t's guard holds on c, and why not.
func guardHolds(t Transition, c Case) (bool, i18n.Message) {
	switch t.Guard {
	case NoPendingExtension:
		return c.RequestedDueAt.IsZero(), msgHasPending
	case PendingExtension:
		return !c.RequestedDueAt.IsZero(), msgNoPending
	}
	return true, i18n.Message{}
}

// Allowed returns the actions actor may take on c now, in table order.
func (s *Service) Allowed(actor access.Actor, c Case, visible bool) []Action {
	var out []Action
	for _, t := range Table {
		if !slices.Contains(t.From, c.State) || slices.Contains(out, t.Action) {
			continue
		}
		if ok, _ := guardHolds(t, c); ok && permits(t, actor, c, visible) {
			out = append(out, t.Action)
		}
	}
	return out
}

// loadVisible reads a case by number inside q and checks the actor may see
// it; anything else is "not found", so case numbers leak nothing.
func (s *Service) loadVisible(ctx context.Context, q db.Querier, actor access.Actor, number string) (Case, bool, error) {
	c, err := caseByNumber(ctx, q, number)
	if db.IsNotFound(err) {
		return Case{}, false, fault.NotFoundf("case " + number)
	}
	if err != nil {
		return Case{}, false, fmt.Errorf("get case %s: %w", number, err)
	}
	vis, err := s.visible(ctx, q, actor, c)
	if err != nil {
		return Case{}, false, err
	}
	// A member of the handling unit always sees the case it handles.
	if !vis && (c.HandlingUnitID == 0 || actor.UnitID != c.HandlingUnitID || !actor.CaseWorker()) {
		return Case{}, false, fault.NotFoundf("case " + number)
	}
	return c, vis, nil
}

// recordDenied audits a refused write in its own transaction (the refused
// one was rolled back) and returns the refusal.
func (s *Service) recordDenied(ctx context.Context, actor access.Actor, action, objType, objID string, cause error) error {
	return s.audit.Refuse(ctx, s.db, entry(actor, action, objType, objID, audit.Denied, nil), cause)
}

// denied reports whether err is a refusal worth auditing.
func denied(err error) bool {
	switch fault.KindOf(err) {
	case fault.Forbidden, fault.Conflict, fault.NotFound:
		return true
	}
	return false
}

func entry(a access.Actor, action, objType, objID, outcome string, detail map[string]any) audit.Entry {
	return audit.Entry{ActorID: a.UserID, ActorName: a.Username, UnitID: a.UnitID, Action: action,
		ObjectType: objType, ObjectID: objID, Outcome: outcome, Detail: detail, RemoteAddr: a.RemoteAddr}
}

// checkClassification validates a nature, category and priority chosen for a
// case (zero values are not checked).
func (s *Service) checkClassification(ctx context.Context, q db.Querier, v *fault.Validation, nature string, categoryID int64, p Priority) {
	if nature != "" {
		n, err := s.cat.Nature(ctx, q, nature)
		switch {
		case err != nil:
			v.Add(string(FNature), fault.BadValue, nature)
		case !n.Active():
			v.Add(string(FNature), msgRetired)
		}
	}
	if categoryID != 0 {
		c, err := s.cat.Category(ctx, q, categoryID)
		switch {
		case err != nil:
			v.Add(string(FCategory), fault.BadValue, fmt.Sprint(categoryID))
		case !c.Active():
			v.Add(string(FCategory), msgRetired)
		}
	}
	if p != "" && !validPriority(p) {
		v.Add(string(FPriority), fault.BadValue, string(p))
	}
}

var msgRetired = i18n.M("已停用", "is retired")

func validPriority(p Priority) bool {
	for _, x := range Priorities {
		if x.Priority == p {
			return true
		}
	}
	return false
}

func validChannel(c Channel) bool {
	for _, x := range Channels {
		if x.Channel == c {
			return true
		}
	}
	return false
}
