// Package access defines who may do what: roles, the acting user (Actor) and
// the set of units whose cases an actor sees (Scope). Services check an Actor
// on every read and write; transport only establishes who the actor is.
package access

import (
	"pingan/internal/fault"
	"slices"
	"strings"

	"pingan/internal/i18n"
)

// Role is a job a user does. Roles are few and fixed; what each may do is
// written next to the thing it guards (the lifecycle table names the roles
// for each transition).
type Role string

const (
	Intake     Role = "intake"     // 受理员: takes reports, registers or rejects them
	Dispatcher Role = "dispatcher" // 派遣员: registers, dispatches, transfers, closes
	Handler    Role = "handler"    // 承办人: signs for, handles and reports back
	Verifier   Role = "verifier"   // 核查员: verifies a unit's report-back
	Callback   Role = "callback"   // 回访员: calls the citizen back
	Supervisor Role = "supervisor" // 督办员: extensions, suspensions, reopening, supervision
	Leader     Role = "leader"     // 领导: reads everything in scope, changes nothing

	SysAdmin   Role = "sysadmin"   // 系统管理员: units, catalogue, accounts
	SecAdmin   Role = "secadmin"   // 安全管理员: roles, tokens, security settings
	AuditAdmin Role = "auditadmin" // 审计管理员: reads and verifies the audit log
)

// RoleInfo describes a role for people.
type RoleInfo struct {
	Role  Role
	Name  i18n.Message
	Admin bool
}

// Roles lists every role in display order.
var Roles = []RoleInfo{
	{Intake, i18n.M("受理员", "Intake operator"), false},
	{Dispatcher, i18n.M("派遣员", "Dispatcher"), false},
	{Handler, i18n.M("承办人", "Handler"), false},
	{Verifier, i18n.M("核查员", "Verifier"), false},
	{Callback, i18n.M("回访员", "Callback operator"), false},
	{Supervisor, i18n.M("督办员", "Supervisor"), false},
	{Leader, i18n.M("领导", "Leader"), false},
	{SysAdmin, i18n.M("系统管理员", "System administrator"), true},
	{SecAdmin, i18n.M("安全管理员", "Security administrator"), true},
	{AuditAdmin, i18n.M("审计管理员", "Audit administrator"), true},
}

// Info returns the description of r, and whether r is a known role.
func Info(r Role) (RoleInfo, bool) {
	for _, ri := range Roles {
		if ri.Role == r {
			return ri, true
		}
	}
	return RoleInfo{}, false
}

// ParseRoles parses a comma- or space-separated role list.
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		r := Role(strings.TrimSpace(f))
		if _, ok := Info(r); !ok {
			return nil, fault.InvalidField("roles", msgUnknownRole, f)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

var (
	msgUnknownRole = i18n.M("未知角色：%s", "unknown role: %s")
	msgAdminsApart = i18n.M("角色组合不允许：%s须由不同账号担任（三员分立）",
		"role combination not allowed: %s are held by separate accounts (separation of duties)")
	msgAdminAlone = i18n.M("角色组合不允许：%s不能兼任业务角色（%s）",
		"role combination not allowed: the %s holds no case-work role (%s)")
)

// CheckSeparation enforces 三员分立: the system, security and audit
// administrator roles are held by separate accounts, and an administrator
// account does no case work. When roles break the rule it returns why, for
// people (as org.CheckPassword does), and ok false.
func CheckSeparation(roles []Role) (msg i18n.Message, args []any, ok bool) {
	var admin, business []Role
	for _, r := range roles {
		if ri, _ := Info(r); ri.Admin {
			admin = append(admin, r)
		} else {
			business = append(business, r)
		}
	}
	if len(admin) > 1 {
		return msgAdminsApart, []any{RoleNames(admin)}, false
	}
	if len(admin) == 1 && len(business) > 0 {
		return msgAdminAlone, []any{RoleNames(admin), RoleNames(business)}, false
	}
	return i18n.Message{}, nil, true
}

// RoleNames is a role set for people (安全管理员、派遣员 / Security
// administrator, Dispatcher).
func RoleNames(rs []Role) i18n.Message {
	var zh, en []string
	for _, r := range rs {
		ri, _ := Info(r)
		zh, en = append(zh, ri.Name.ZH), append(en, ri.Name.EN)
	}
	return i18n.M(strings.Join(zh, "、"), strings.Join(en, ", "))
}

// Actor is the authenticated user behind a request.
type Actor struct {
	UserID   int64
	Username string
	Name     string
	UnitID   int64
	UnitName string
	Roles    []Role
	Scope    Scope
	// RemoteAddr is recorded in the audit log.
	RemoteAddr string
	// System marks pingan itself or an operator at the command line (who
	// already holds the database): not a user, not limited by roles.
	System bool
}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// HasAny reports whether the actor holds any of rs.
func (a Actor) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// CaseWorker reports whether the actor does any case work (and so may read
// cases in scope at all). Administrators do not.
func (a Actor) CaseWorker() bool {
	for _, r := range a.Roles {
		if ri, _ := Info(r); !ri.Admin {
			return true
		}
	}
	return false
}

// MayRevealPersonal reports whether the actor's work needs the unmasked phone
// number or ID number of a reporter: those who contact citizens.
func (a Actor) MayRevealPersonal() bool {
	return a.HasAny(Intake, Handler, Callback, Supervisor)
}

// Scope is the set of units whose cases an actor sees: a unit and its
// descendants, or everything.
type Scope struct {
	All   bool
	Units []int64 // sorted
}

// Contains reports whether unit is in scope.
func (s Scope) Contains(unit int64) bool {
	if s.All {
		return true
	}
	_, ok := slices.BinarySearch(s.Units, unit)
	return ok
}

// ContainsAny reports whether any of units is in scope.
func (s Scope) ContainsAny(units []int64) bool {
	for _, u := range units {
		if s.Contains(u) {
			return true
		}
	}
	return false
}

// System is the actor for work pingan does itself or that an operator runs
// from the command line; it is recorded as such in the audit log.
func System(name string) Actor {
	if name == "" {
		name = "system"
	}
	return Actor{Username: name, Name: name, Scope: Scope{All: true}, System: true}
}
