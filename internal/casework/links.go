package casework

import (
	"context"
	"fmt"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// Timeline actions outside the table.
const (
	LinkCases   Action = "link"
	UnlinkCases Action = "unlink"
)

func init() {
	ActionNames[LinkCases] = i18n.M("关联案件", "Link case")
	ActionNames[UnlinkCases] = i18n.M("取消关联", "Unlink case")
}

var (
	msgLinkSelf   = i18n.M("不能关联案件自身", "a case cannot be linked to itself")
	msgLinkExists = i18n.M("两案已关联", "the cases are already linked")
	msgNoLink     = i18n.M("两案之间没有关联", "the cases are not linked")
	msgLinkKind   = i18n.M("关联类型无效：%s", "invalid link kind: %s")
	msgCannotLink = i18n.M("您的角色不能关联案件", "your role may not link cases")
)

// MayLink reports whether actor may link and unlink cases.
func MayLink(a access.Actor) bool {
	return a.System || a.HasAny(access.Intake, access.Dispatcher, access.Handler, access.Supervisor)
}

// Link relates two cases the actor can both see; both timelines record it.
func (s *Service) Link(ctx context.Context, actor access.Actor, number, other, kind string) error {
	if kind == "" {
		kind = "related"
	}
	valid := false
	for _, k := range LinkKinds {
		valid = valid || k.Kind == kind
	}
	if !valid {
		return fault.InvalidField("kind", msgLinkKind, kind)
	}
	return s.changeLink(ctx, actor, number, other, kind)
}

// Unlink removes the relation between two cases.
func (s *Service) Unlink(ctx context.Context, actor access.Actor, number, other string) error {
	return s.changeLink(ctx, actor, number, other, "")
}

// changeLink links (kind != "") or unlinks two cases.
func (s *Service) changeLink(ctx context.Context, actor access.Actor, number, other, kind string) error {
	if !MayLink(actor) {
		return fault.New(fault.Forbidden, "forbidden", msgCannotLink)
	}
	action := LinkCases
	if kind == "" {
		action = UnlinkCases
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		a, _, err := s.loadVisible(ctx, tx, actor, number)
		if err != nil {
			return err
		}
		b, _, err := s.loadVisible(ctx, tx, actor, other)
		if fault.KindOf(err) == fault.NotFound {
			return fault.InvalidField("case_number", msgNoCaseToAdd, other)
		}
		if err != nil {
			return err
		}
		if a.ID == b.ID {
			return fault.InvalidField("case_number", msgLinkSelf)
		}
		now := s.now()
		for _, p := range [][2]Case{{a, b}, {b, a}} {
			if kind != "" {
				_, err = tx.ExecContext(ctx, `INSERT INTO case_links (case_id, linked_case_id, kind, created_at, created_by)
					VALUES ($1, $2, $3, $4, $5)`, p[0].ID, p[1].ID, kind, now.UnixMicro(), db.NullID(actor.UserID))
				if db.IsUniqueViolation(err) {
					return fault.New(fault.Conflict, "already-linked", msgLinkExists)
				}
			} else {
				res, derr := tx.ExecContext(ctx, "DELETE FROM case_links WHERE case_id = $1 AND linked_case_id = $2", p[0].ID, p[1].ID)
				err = derr
				if err == nil {
					if n, _ := res.RowsAffected(); n == 0 {
						return fault.New(fault.Conflict, "not-linked", msgNoLink)
					}
				}
			}
			if err != nil {
				return fmt.Errorf("%s %s and %s: %w", action, number, other, err)
			}
			if _, err := appendEntry(ctx, tx, Entry{CaseID: p[0].ID, At: now, ActorID: actor.UserID, UnitID: actor.UnitID,
				Action: action, FromState: p[0].State, ToState: p[0].State, Note: i18n.Plain(p[1].Number)}); err != nil {
				return err
			}
		}
		return s.audit.Append(ctx, tx, entry(actor, "case."+string(action), "case", a.Number, audit.OK,
			map[string]any{"other": b.Number, "kind": kind}))
	})
	if err != nil && denied(err) {
		err = s.recordDenied(ctx, actor, "case."+string(action), "case", number, err)
	}
	return err
}

// Timeline actions of supervision (package supervision), outside the table.
const (
	Warn           Action = "warn"            // 临期提醒
	Supervise      Action = "supervise"       // 督办
	SuperviseReply Action = "supervise_reply" // 督办回复
	Escalate       Action = "escalate"        // 督办升级
)

func init() {
	ActionNames[Warn] = i18n.M("临期提醒", "Deadline warning")
	ActionNames[Supervise] = i18n.M("督办", "Supervision order")
	ActionNames[SuperviseReply] = i18n.M("督办回复", "Reply to supervision")
	ActionNames[Escalate] = i18n.M("督办升级", "Supervision escalated")
}

// Load reads a case by id inside q, without a scope check: for pingan's own
// work (timers), not for people.
func (s *Service) Load(ctx context.Context, q db.Querier, id int64) (Case, error) {
	c, err := caseByID(ctx, q, id)
	if db.IsNotFound(err) {
		return Case{}, fault.NotFoundf(i18n.M("案件", "case"), id)
	}
	return c, err
}

// Record appends a timeline entry that does not change the case's state
// (supervision, warnings) inside tx, with its note in both languages.
func (s *Service) Record(ctx context.Context, tx *db.Tx, actor access.Actor, c Case, action Action, note i18n.Message) error {
	unit := actor.UnitID
	_, err := appendEntry(ctx, tx, Entry{CaseID: c.ID, At: s.now(), ActorID: actor.UserID, UnitID: unit, Action: action,
		FromState: c.State, ToState: c.State, Note: note})
	return err
}

// Visible returns the case numbered number if actor may see it.
func (s *Service) Visible(ctx context.Context, q db.Querier, actor access.Actor, number string) (Case, error) {
	c, _, err := s.loadVisible(ctx, q, actor, number)
	return c, err
}
