package org

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
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

// User is an account. Every user belongs to one unit.
type User struct {
	ID          int64
	Username    string
	Name        string
	UnitID      int64
	Roles       []access.Role
	HasPassword bool
	CreatedAt   time.Time
	DisabledAt  time.Time
}

// Admin reports whether the account holds an administrator role (and so
// signs in with a second factor and has no one else issue it a token).
func (u User) Admin() bool {
	for _, r := range u.Roles {
		if ri, _ := access.Info(r); ri.Admin {
			return true
		}
	}
	return false
}

// UserInput creates an account.
type UserInput struct {
	Username string
	Name     string
	UnitID   int64
	Roles    []access.Role
	Password string // optional: an account without one signs in only by API token
}

var (
	usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

	msgUsername      = i18n.M("须为 2–40 位小写字母、数字、点、下划线或连字符", "must be 2–40 lower-case letters, digits, dots, underscores or hyphens")
	msgUsernameTaken = i18n.M("用户名 %s 已存在", "user name %s is taken")
	msgUnitRetired   = i18n.M("单位已撤销", "the unit is retired")
	msgAccountsAdmin = i18n.M("只有系统管理员可以创建或停用账号", "only a system administrator may create or disable accounts")
	msgRolesAdmin    = i18n.M("只有安全管理员可以分配角色", "only a security administrator may assign roles")
	msgEditAdmin     = i18n.M("只有系统管理员或安全管理员可以修改账号", "only a system or security administrator may change an account")
	msgRenameAdmin   = i18n.M("只有系统管理员可以修改姓名", "only a system administrator may change a name")
	msgMoveAdmin     = i18n.M("该账号持有角色，调整其单位会改变它能办理的案件：须由安全管理员操作", "the account holds roles, and its unit decides which cases they reach: a security administrator moves it")
	msgOwnUnit       = i18n.M("不能调整自己账号的单位，请由另一名管理员操作", "you may not move your own account: another administrator must")
	msgOwnRoles      = i18n.M("不能修改自己的角色，请由另一名安全管理员操作", "you may not change your own roles: another security administrator must")
	msgGrantApproval = i18n.M("授予管理员角色须提出申请，经另一名管理员批准后生效", "granting an administrator role is a request that takes effect once a second administrator approves it")
	msgLastAdmin     = i18n.M("至少保留一名启用的%s", "at least one enabled %s must remain")
)

// CreateUser adds an account. A system administrator creates accounts; only
// the system itself (the command line) may give roles at the same time —
// otherwise a security administrator grants them (三员分立).
func (s *Service) CreateUser(ctx context.Context, actor access.Actor, in UserInput) (User, error) {
	if !actor.System && !actor.Has(access.SysAdmin) {
		return User{}, s.refuse(ctx, actor, "user.create", "user", 0, msgAccountsAdmin)
	}
	if len(in.Roles) > 0 && !actor.System {
		return User{}, s.refuse(ctx, actor, "user.create", "user", 0, msgRolesAdmin)
	}
	in.Username, in.Name = strings.TrimSpace(in.Username), strings.TrimSpace(in.Name)
	var v fault.Validation
	if !usernameRE.MatchString(in.Username) {
		v.Add("username", msgUsername)
	}
	checkName(&v, in.Name)
	if msg, args, ok := access.CheckSeparation(in.Roles); !ok {
		v.Add("roles", msg, args...)
	}
	if in.Password != "" {
		if msg, args, ok := CheckPassword(in.Password, in.Username); !ok {
			v.Add("password", msg, args...)
		}
	}
	if in.UnitID == 0 {
		v.Add("unit_id", fault.Required)
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	var hash any
	if in.Password != "" {
		h, err := HashPassword(in.Password)
		if err != nil {
			return User{}, fmt.Errorf("hash password: %w", err)
		}
		hash = h
	}
	var out User
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		u, err := s.insertUser(ctx, tx, in, hash)
		if err != nil {
			return err
		}
		out = u
		// Whoever chose the first password knows it (see auth.SetRoles).
		if hash != nil && !actor.System {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET credentials_set_by = $1 WHERE id = $2", actor.UserID, u.ID); err != nil {
				return fmt.Errorf("create user %s: %w", u.Username, err)
			}
		}
		return s.audit.Append(ctx, tx, auditEntry(actor, "user.create", "user", u.ID, map[string]any{
			"username": u.Username, "unit_id": u.UnitID, "roles": u.Roles}))
	})
	return out, err
}

func (s *Service) insertUser(ctx context.Context, tx *db.Tx, in UserInput, hash any) (User, error) {
	if err := s.checkUnit(ctx, tx, in.UnitID); err != nil {
		return User{}, err
	}
	now := s.now().UnixMicro()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO users (username, name, unit_id, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, in.Username, in.Name, in.UnitID, hash, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return User{}, fault.InvalidField("username", msgUsernameTaken, in.Username)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user %s: %w", in.Username, err)
	}
	for _, r := range in.Roles {
		if _, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)", id, r); err != nil {
			return User{}, fmt.Errorf("create user %s: role %s: %w", in.Username, r, err)
		}
	}
	return s.User(ctx, tx, id)
}

// checkName adds to v what is wrong with a person's name.
func checkName(v *fault.Validation, name string) {
	switch {
	case name == "":
		v.Add("name", fault.Required)
	case utf8.RuneCountInString(name) > 50:
		v.Add("name", fault.TooLong, 50)
	}
}

// checkUnit refuses a unit an account cannot belong to: one that does not
// exist, or is retired.
func (s *Service) checkUnit(ctx context.Context, q db.Querier, id int64) error {
	unit, err := s.Unit(ctx, q, id)
	if err != nil {
		return fault.InvalidField("unit_id", fault.BadValue, strconv.FormatInt(id, 10))
	}
	if !unit.Active() {
		return fault.InvalidField("unit_id", msgUnitRetired)
	}
	return nil
}

// AccountEdits reports what actor may change of account u: the person's
// name (RenameUser), and the unit it is in (MoveUser).
func AccountEdits(actor access.Actor, u User) (rename, move bool) {
	_, rename = accountRefusal(actor, u, true, false)
	_, move = accountRefusal(actor, u, false, true)
	return rename, move
}

// accountRefusal says why actor may not rename or move u, if they may not.
// Renaming is the system administrator's, who keeps the accounts. A unit
// decides which cases the account's roles reach, so moving an account that
// holds roles is the security administrator's, who grants them; one
// without roles reaches nothing, and the system administrator moves it as
// they placed it. Nobody moves their own account.
func accountRefusal(actor access.Actor, u User, rename, move bool) (i18n.Message, bool) {
	switch {
	case actor.System:
	case !actor.Has(access.SysAdmin) && !actor.Has(access.SecAdmin):
		return msgEditAdmin, false
	case rename && !actor.Has(access.SysAdmin):
		return msgRenameAdmin, false
	case move && actor.UserID == u.ID:
		return msgOwnUnit, false
	case move && len(u.Roles) > 0 && !actor.Has(access.SecAdmin):
		return msgMoveAdmin, false
	}
	return i18n.Message{}, true
}

// RenameUser changes the name of the person account userID belongs to.
func (s *Service) RenameUser(ctx context.Context, actor access.Actor, userID int64, name string) (User, error) {
	name = strings.TrimSpace(name)
	var v fault.Validation
	checkName(&v, name)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	return s.changeAccount(ctx, actor, userID, func(u *User) { u.Name = name })
}

// MoveUser moves account userID to another unit. A move ends the account's
// sessions (its next request signs in afresh, in the new unit) and takes
// effect at once for its API tokens.
func (s *Service) MoveUser(ctx context.Context, actor access.Actor, userID, unitID int64) (User, error) {
	if unitID == 0 {
		return User{}, fault.InvalidField("unit_id", fault.Required)
	}
	return s.changeAccount(ctx, actor, userID, func(u *User) { u.UnitID = unitID })
}

// changeAccount applies change to the account's name and unit, as
// accountRefusal allows; only a change is written and audited.
func (s *Service) changeAccount(ctx context.Context, actor access.Actor, userID int64, change func(*User)) (User, error) {
	const action = "user.update"
	if msg, ok := accountRefusal(actor, User{}, false, false); !ok { // not an administrator of accounts at all
		return User{}, s.refuse(ctx, actor, action, "user", userID, msg)
	}
	var out User
	err := s.audit.Write(ctx, s.db, func(tx *db.Tx) error {
		before, err := s.lockedUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		after := before
		change(&after)
		out = before
		renamed, moved := after.Name != before.Name, after.UnitID != before.UnitID
		if !renamed && !moved {
			return nil
		}
		detail := map[string]any{}
		if renamed {
			detail["name_before"], detail["name"] = before.Name, after.Name
		}
		if moved {
			detail["from_unit_id"], detail["to_unit_id"] = before.UnitID, after.UnitID
		}
		if msg, ok := accountRefusal(actor, before, renamed, moved); !ok {
			return audit.Refused(auditEntry(actor, action, "user", userID, detail), fault.New(fault.Forbidden, "forbidden", msg))
		}
		if moved {
			if err := s.checkUnit(ctx, tx, after.UnitID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET name = $1, unit_id = $2, updated_at = $3 WHERE id = $4",
			after.Name, after.UnitID, s.now().UnixMicro(), userID); err != nil {
			return fmt.Errorf("update user %d: %w", userID, err)
		}
		if moved {
			ended, err := s.EndSessions(ctx, tx, userID, "")
			if err != nil {
				return err
			}
			detail["sessions_ended"] = ended
		}
		if out, err = s.User(ctx, tx, userID); err != nil {
			return err
		}
		tx.AfterCommit(s.tokens.flush)
		return s.audit.Append(ctx, tx, auditEntry(actor, action, "user", userID, detail))
	})
	return out, err
}

// MayChangeRoles refuses, audited as user.roles, whoever may not change
// userID's roles: anyone but a security administrator (or the system), and
// anyone changing their own. A grant of an administrator role asks it too
// before it becomes a request (auth.SetRoles).
func (s *Service) MayChangeRoles(ctx context.Context, actor access.Actor, userID int64) error {
	switch {
	case actor.System:
		return nil
	case !actor.Has(access.SecAdmin):
		return s.refuse(ctx, actor, "user.roles", "user", userID, msgRolesAdmin)
	case actor.UserID == userID:
		return s.refuse(ctx, actor, "user.roles", "user", userID, msgOwnRoles)
	}
	return nil
}

// CheckRoles refuses a role set that breaks 三员分立 (access.CheckSeparation)
// as invalid input to the field roles, the reason being the problem's
// detail too: SetRoles and a grant's request (auth.SetRoles) say alike what
// is wrong.
func CheckRoles(roles []access.Role) error {
	msg, args, ok := access.CheckSeparation(roles)
	if ok {
		return nil
	}
	return &fault.Error{Kind: fault.Invalid, Code: "invalid-input", Msg: msg, Args: args,
		Fields: []fault.FieldError{{Field: "roles", Msg: msg, Args: args}}}
}

// SetRoles replaces a user's roles (security administrator, or the system).
// Nobody changes their own roles: a security administrator who could would
// hold whatever role they liked, and 三员分立 would be a formality. A change
// ends the user's sessions, so that nothing signed in under the old roles
// (in particular without the second factor an administrator role demands)
// goes on under the new ones.
//
// Only the system grants an administrator role here: for anyone else a
// grant is a request that a second administrator approves (auth.SetRoles),
// and SetRoles refuses it (approval-required). Removing roles, and any
// change among the case-work roles, stays immediate.
func (s *Service) SetRoles(ctx context.Context, actor access.Actor, userID int64, roles []access.Role) (User, error) {
	if err := s.MayChangeRoles(ctx, actor, userID); err != nil {
		return User{}, err
	}
	if err := CheckRoles(roles); err != nil {
		return User{}, err
	}
	var out User
	refused := auditEntry(actor, "user.roles", "user", userID, map[string]any{"after": roles})
	err := s.audit.Write(ctx, s.db, func(tx *db.Tx) error {
		before, err := s.lockedUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !actor.System && GrantsAdmin(before.Roles, roles) {
			return audit.Refused(refused, fault.New(fault.Forbidden, "approval-required", msgGrantApproval))
		}
		if !actor.System {
			if err := s.KeepsAdmins(ctx, tx, before, roles); err != nil {
				if IsLastAdmin(err) {
					return audit.Refused(refused, err)
				}
				return err
			}
		}
		var ch RoleChange
		if out, ch, err = s.ReplaceRoles(ctx, tx, userID, roles); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, auditEntry(actor, "user.roles", "user", userID, ch.Detail()))
	})
	return out, err
}

// IsLastAdmin reports whether err is KeepsAdmins' refusal.
func IsLastAdmin(err error) bool {
	fe, ok := fault.As(err)
	return ok && fe.Code == "last-admin"
}

// KeepsAdmins checks, in tx, that giving u the roles after (nil: disabling
// u) leaves every kind of administrator u holds now with another enabled
// holder: stripping the only audit administrator would leave nobody to read
// the log, the only security administrator nobody to approve a request.
// The caller holds the lock on u's row (LockUser); the other holders' rows
// are locked here too, so two administrators removing each other's role at
// once on PostgreSQL do not both pass (one waits; a deadlock's loser runs
// again and is refused).
// A refusal is fault Conflict "last-admin".
func (s *Service) KeepsAdmins(ctx context.Context, tx *db.Tx, u User, after []access.Role) error {
	if !u.DisabledAt.IsZero() {
		return nil // a disabled account counts for nobody already
	}
	for _, r := range u.Roles {
		ri, _ := access.Info(r)
		if !ri.Admin || slices.Contains(after, r) {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = updated_at
			WHERE id <> $1 AND disabled_at IS NULL AND id IN (SELECT user_id FROM user_roles WHERE role = $2)`, u.ID, r)
		if err != nil {
			return fmt.Errorf("holders of %s: %w", r, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fault.New(fault.Conflict, "last-admin", msgLastAdmin, ri.Name)
		}
	}
	return nil
}

// LockUser locks userID's row in tx until it ends; fault NotFound if there
// is no such user. It is the first statement of every transaction that
// changes a user's roles, credentials, disabled state or API tokens, so
// such changes to one user happen one after another: on PostgreSQL (READ
// COMMITTED, several write lanes) a second one waits here for the first to
// commit, and its later statements then see what the first did — a grant
// revokes every token issued before it, an approval sees a password the
// holder changed, two role replacements do not merge. (On SQLite writes
// are serial anyway.) The self-assignment changes nothing.
func LockUser(ctx context.Context, tx *db.Tx, userID int64) error {
	res, err := tx.ExecContext(ctx, "UPDATE users SET updated_at = updated_at WHERE id = $1", userID)
	if err != nil {
		return fmt.Errorf("lock user %d: %w", userID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fault.NotFoundf(i18n.M("用户", "user"), userID)
	}
	return nil
}

// lockedUser locks the user's row (LockUser) and reads the user as the
// lock holds it.
func (s *Service) lockedUser(ctx context.Context, tx *db.Tx, userID int64) (User, error) {
	if err := LockUser(ctx, tx, userID); err != nil {
		return User{}, err
	}
	return s.User(ctx, tx, userID)
}

// GrantsAdmin reports whether changing roles from before to after adds an
// administrator role: the change that takes a second administrator.
func GrantsAdmin(before, after []access.Role) bool {
	for _, r := range after {
		if ri, _ := access.Info(r); ri.Admin && !slices.Contains(before, r) {
			return true
		}
	}
	return false
}

// LosesAdmin reports whether changing roles from before to after removes
// an administrator role.
func LosesAdmin(before, after []access.Role) bool {
	return GrantsAdmin(after, before)
}

// RoleChange is what ReplaceRoles did, for the audit record.
type RoleChange struct {
	Before, After []access.Role
	SessionsEnded int64
	TokensRevoked int64
}

// Detail is the change as audit detail.
func (c RoleChange) Detail() map[string]any {
	return map[string]any{"before": c.Before, "after": c.After, "sessions_ended": c.SessionsEnded,
		"tokens_revoked": c.TokensRevoked}
}

// ReplaceRoles sets a user's roles in tx; the caller has checked who may
// and locked the user's row (LockUser) first thing in tx.
// A change ends the user's sessions. A grant of an administrator role also
// revokes every API token the account holds: an administrator's token is
// issued by the administrator, so a token someone else issued to the
// account while it was an ordinary one must not become an administrator's.
func (s *Service) ReplaceRoles(ctx context.Context, tx *db.Tx, userID int64, roles []access.Role) (User, RoleChange, error) {
	before, err := s.lockedUser(ctx, tx, userID) // held already: a no-op, for a caller that forgot
	if err != nil {
		return User{}, RoleChange{}, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM user_roles WHERE user_id = $1", userID); err != nil {
		return User{}, RoleChange{}, fmt.Errorf("set roles: %w", err)
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)", userID, r); err != nil {
			return User{}, RoleChange{}, fmt.Errorf("set roles: %w", err)
		}
	}
	out, err := s.User(ctx, tx, userID)
	if err != nil {
		return User{}, RoleChange{}, err
	}
	ch := RoleChange{Before: before.Roles, After: out.Roles}
	if LosesAdmin(before.Roles, out.Roles) {
		// For a while a reset of its credentials still takes a second
		// administrator (auth.AdminGrace).
		if _, err := tx.ExecContext(ctx, "UPDATE users SET admin_until = $1 WHERE id = $2", s.now().UnixMicro(), userID); err != nil {
			return User{}, RoleChange{}, fmt.Errorf("record removed administrator role of user %d: %w", userID, err)
		}
	}
	if !slices.Equal(before.Roles, out.Roles) {
		if ch.SessionsEnded, err = s.EndSessions(ctx, tx, userID, ""); err != nil {
			return User{}, RoleChange{}, err
		}
	}
	if GrantsAdmin(before.Roles, out.Roles) {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
			s.now().UnixMicro(), userID)
		if err != nil {
			return User{}, RoleChange{}, fmt.Errorf("revoke tokens of user %d: %w", userID, err)
		}
		if ch.TokensRevoked, err = res.RowsAffected(); err != nil {
			return User{}, RoleChange{}, err
		}
	}
	tx.AfterCommit(s.tokens.flush)
	return out, ch, nil
}

// SetUserDisabled disables an account (its tokens and sessions stop working
// at once) or enables it again. Either way the account's sessions end: one
// opened before it was disabled does not come back with it.
func (s *Service) SetUserDisabled(ctx context.Context, actor access.Actor, userID int64, disabled bool) (User, error) {
	if !actor.System && !actor.Has(access.SysAdmin) {
		return User{}, s.refuse(ctx, actor, "user.disable", "user", userID, msgAccountsAdmin)
	}
	var out User
	err := s.audit.Write(ctx, s.db, func(tx *db.Tx) error {
		var at any
		action := "user.enable"
		if disabled {
			at, action = s.now().UnixMicro(), "user.disable"
		}
		if err := LockUser(ctx, tx, userID); err != nil {
			return err
		}
		if disabled && !actor.System {
			// Not the last enabled holder of an administrator role.
			before, err := s.User(ctx, tx, userID)
			if err != nil {
				return err
			}
			if err := s.KeepsAdmins(ctx, tx, before, nil); err != nil {
				if IsLastAdmin(err) {
					return audit.Refused(auditEntry(actor, "user.disable", "user", userID, nil), err)
				}
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "UPDATE users SET disabled_at = $1, updated_at = $2 WHERE id = $3",
			at, s.now().UnixMicro(), userID)
		if err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf(i18n.M("用户", "user"), userID)
		}
		if out, err = s.User(ctx, tx, userID); err != nil {
			return err
		}
		ended, err := s.EndSessions(ctx, tx, userID, "")
		if err != nil {
			return err
		}
		tx.AfterCommit(s.tokens.flush)
		return s.audit.Append(ctx, tx, auditEntry(actor, action, "user", userID, map[string]any{"sessions_ended": ended}))
	})
	return out, err
}

// EndSessions ends, in tx, the open sessions of a user but the one whose id
// hashes to keepHash ("" for none), and returns how many it ended. Whatever
// changes what a user may do or how they prove who they are — roles, the
// account's state, the password, the second factor — calls it in the same
// transaction, so no session outlives the terms it was opened under.
func (s *Service) EndSessions(ctx context.Context, tx *db.Tx, userID int64, keepHash string) (int64, error) {
	now := s.now().UnixMicro()
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1
		WHERE user_id = $2 AND ended_at IS NULL AND expires_at > $1 AND id_hash <> $3`, now, userID, keepHash)
	if err != nil {
		return 0, fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return res.RowsAffected()
}

const userColumns = "id, username, name, unit_id, password_hash IS NOT NULL, created_at, disabled_at"

func (s *Service) scanUser(ctx context.Context, q db.Querier, row *sql.Row) (User, error) {
	var u User
	var created int64
	var disabled sql.NullInt64
	if err := row.Scan(&u.ID, &u.Username, &u.Name, &u.UnitID, &u.HasPassword, &created, &disabled); err != nil {
		return User{}, err
	}
	u.CreatedAt, u.DisabledAt = time.UnixMicro(created), db.Time(disabled)
	var err error
	u.Roles, err = s.roles(ctx, q, u.ID)
	return u, err
}

func (s *Service) roles(ctx context.Context, q db.Querier, userID int64) ([]access.Role, error) {
	rows, err := q.QueryContext(ctx, "SELECT role FROM user_roles WHERE user_id = $1", userID)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	var out []access.Role
	for rows.Next() {
		var r access.Role
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("read roles: %w", err)
		}
		out = append(out, r)
	}
	// Keep the documented order of roles, not the database's.
	slices.SortFunc(out, func(a, b access.Role) int { return roleRank(a) - roleRank(b) })
	return out, rows.Err()
}

func roleRank(r access.Role) int {
	return slices.IndexFunc(access.Roles, func(ri access.RoleInfo) bool { return ri.Role == r })
}

// User returns an account by id.
func (s *Service) User(ctx context.Context, q db.Querier, id int64) (User, error) {
	u, err := s.scanUser(ctx, q, q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id))
	if db.IsNotFound(err) {
		return User{}, fault.NotFoundf(i18n.M("用户", "user"), id)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// UserByName returns an account by user name.
func (s *Service) UserByName(ctx context.Context, q db.Querier, username string) (User, error) {
	u, err := s.scanUser(ctx, q, q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE username = $1", username))
	if db.IsNotFound(err) {
		return User{}, fault.NotFoundf(i18n.M("用户", "user"), username)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %s: %w", username, err)
	}
	return u, nil
}

// Actor builds the acting identity of user id: roles, unit and scope.
func (s *Service) Actor(ctx context.Context, id int64) (access.Actor, error) {
	u, err := s.User(ctx, s.db, id)
	if err != nil {
		return access.Actor{}, err
	}
	return s.actorOf(ctx, u)
}

func (s *Service) actorOf(ctx context.Context, u User) (access.Actor, error) {
	unit, err := s.Unit(ctx, s.db, u.UnitID)
	if err != nil {
		return access.Actor{}, err
	}
	scope, err := s.ScopeOf(ctx, unit)
	if err != nil {
		return access.Actor{}, err
	}
	return access.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, UnitID: unit.ID, UnitName: unit.Name,
		Roles: u.Roles, Scope: scope}, nil
}

// ScopeOf returns the units whose cases members of unit see: the unit and its
// descendants. A political-legal committee (政法委) coordinates the whole
// level it belongs to, so its scope is its parent's subtree; at the root that
// is everything.
func (s *Service) ScopeOf(ctx context.Context, unit Unit) (access.Scope, error) {
	root := unit
	if unit.Kind == Committee && unit.ParentID != 0 {
		p, err := s.Unit(ctx, s.db, unit.ParentID)
		if err != nil {
			return access.Scope{}, err
		}
		root = p
	}
	if root.ParentID == 0 {
		return access.Scope{All: true}, nil
	}
	units, err := s.Subtree(ctx, s.db, root.ID)
	if err != nil {
		return access.Scope{}, err
	}
	ids := make([]int64, len(units))
	for i, u := range units {
		ids[i] = u.ID
	}
	slices.Sort(ids)
	return access.Scope{Units: ids}, nil
}

// Users lists accounts, optionally of one unit, by user name.
func (s *Service) Users(ctx context.Context, unitID int64) ([]User, error) {
	p, err := s.UserPage(ctx, UserFilter{UnitID: unitID})
	return p.Users, err
}

// UserFilter selects accounts for UserPage.
type UserFilter struct {
	UnitID int64
	// Query finds accounts whose user name or name contains it.
	Query string
	// After is the user name the previous page ended with.
	After string
	// Limit is the page's size; 0 lists every account.
	Limit int
	// Roles keeps the accounts holding any of them; Enabled the accounts
	// not disabled.
	Roles   []access.Role
	Enabled bool
}

// likeEscaper makes a text match itself in a LIKE pattern with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// UserPage is a page of accounts, by user name.
type UserPage struct {
	Users []User
	Next  string // pass as After for the next page; "" on the last
}

// UserPage lists the accounts f selects, by user name, with their roles.
func (s *Service) UserPage(ctx context.Context, f UserFilter) (UserPage, error) {
	return s.UsersWith(ctx, s.db, f)
}

// UsersWith is UserPage read with q (a write's transaction).
func (s *Service) UsersWith(ctx context.Context, q db.Querier, f UserFilter) (UserPage, error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.UnitID != 0 {
		add("unit_id = $%d", f.UnitID)
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(text)) + "%"
		add(`(LOWER(username) LIKE $%[1]d ESCAPE '\' OR LOWER(name) LIKE $%[1]d ESCAPE '\')`, like)
	}
	if f.After != "" {
		add("username > $%d", f.After)
	}
	if f.Enabled {
		conds = append(conds, "disabled_at IS NULL")
	}
	if len(f.Roles) > 0 {
		in := make([]string, len(f.Roles))
		for i, r := range f.Roles {
			args = append(args, r)
			in[i] = fmt.Sprintf("$%d", len(args))
		}
		conds = append(conds, "id IN (SELECT user_id FROM user_roles WHERE role IN ("+strings.Join(in, ", ")+"))")
	}
	query := "SELECT " + userColumns + " FROM users"
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " ORDER BY username"
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit+1)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return UserPage{}, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	index := map[int64]int{}
	for rows.Next() {
		var u User
		var created int64
		var disabled sql.NullInt64
		if err := rows.Scan(&u.ID, &u.Username, &u.Name, &u.UnitID, &u.HasPassword, &created, &disabled); err != nil {
			return UserPage{}, fmt.Errorf("list users: %w", err)
		}
		u.CreatedAt, u.DisabledAt = time.UnixMicro(created), db.Time(disabled)
		index[u.ID] = len(out)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return UserPage{}, fmt.Errorf("list users: %w", err)
	}
	var p UserPage
	if f.Limit > 0 && len(out) > f.Limit {
		delete(index, out[f.Limit].ID)
		out = out[:f.Limit]
		p.Next = out[f.Limit-1].Username
	}
	p.Users = out
	if len(out) == 0 {
		return p, nil
	}
	// The roles of the accounts listed: of every account when all are.
	roleQuery, roleArgs := "SELECT user_id, role FROM user_roles", []any(nil)
	switch {
	case f.Limit > 0:
		roleQuery += " WHERE user_id IN (" + db.Placeholders(1, len(out)) + ")"
		for _, u := range out {
			roleArgs = append(roleArgs, u.ID)
		}
	case len(conds) > 0:
		roleQuery += " WHERE user_id IN (SELECT id FROM users WHERE " + strings.Join(conds, " AND ") + ")"
		roleArgs = args
	}
	roleRows, err := q.QueryContext(ctx, roleQuery, roleArgs...)
	if err != nil {
		return UserPage{}, fmt.Errorf("list users: roles: %w", err)
	}
	defer roleRows.Close()
	for roleRows.Next() {
		var id int64
		var r access.Role
		if err := roleRows.Scan(&id, &r); err != nil {
			return UserPage{}, fmt.Errorf("list users: roles: %w", err)
		}
		if i, ok := index[id]; ok {
			out[i].Roles = append(out[i].Roles, r)
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Roles, func(a, b access.Role) int { return roleRank(a) - roleRank(b) })
	}
	return p, roleRows.Err()
}
