package audit

import (
	"context"
	"fmt"

	"pingan/internal/access"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

var msgReader = i18n.M("只有审计管理员可以查看和校验审计日志", "only an audit administrator may read or verify the audit log")

// MayRead reports whether actor may read and verify the audit log: an audit
// administrator (三员分立: the system and security administrators, whose
// work the log records, do not), or the system itself. This is the one rule;
// the pages and the API ask it through CheckReader.
func MayRead(actor access.Actor) bool { return actor.System || actor.Has(access.AuditAdmin) }

// CheckReader decides whether actor may do action ("audit.read",
// "audit.verify") on the audit log. A refusal is itself recorded — who
// tried, what, from where; nothing of the log — and returned as Forbidden.
func (l *Log) CheckReader(ctx context.Context, d *db.DB, actor access.Actor, action string) error {
	if MayRead(actor) {
		return nil
	}
	return l.Refuse(ctx, d, actorEntry(actor, action), fault.New(fault.Forbidden, "forbidden", msgReader))
}

// VerifyAs verifies the chains for actor (CheckReader first) and records
// the check with its outcome, in the log it checked.
func (l *Log) VerifyAs(ctx context.Context, d *db.DB, actor access.Actor) (Result, error) {
	if err := l.CheckReader(ctx, d, actor, "audit.verify"); err != nil {
		return Result{}, err
	}
	res, err := l.Verify(ctx, d)
	if err != nil {
		return res, err
	}
	e := actorEntry(actor, "audit.verify")
	e.Detail = map[string]any{"intact": res.Problem == nil, "records": res.Records}
	if p := res.Problem; p != nil {
		e.Detail["broken_at"], e.Detail["kind"] = p.ID, p.Kind
	}
	if err := d.Write(ctx, func(tx *db.Tx) error { return l.Append(ctx, tx, e) }); err != nil {
		return res, fmt.Errorf("record a verification of the audit log: %w", err)
	}
	return res, nil
}

// ReadAs is Read for actor, after CheckReader.
func (l *Log) ReadAs(ctx context.Context, d *db.DB, actor access.Actor, f Filter) ([]Record, error) {
	if err := l.CheckReader(ctx, d, actor, "audit.read"); err != nil {
		return nil, err
	}
	return l.Read(ctx, d, actorEntry(actor, "audit.read"), f)
}

// actorEntry is an entry by actor about the whole log.
func actorEntry(actor access.Actor, action string) Entry {
	return Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID, Action: action,
		ObjectType: "audit_log", ObjectID: "*", RemoteAddr: actor.RemoteAddr}
}
