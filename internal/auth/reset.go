package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/notify"
	"pingan/internal/org"
)

// Resetting another person's credentials (三员分立, four eyes).
//
// A security administrator resets a user's password, or removes their second
// factor, at once. For an administrator's account that would let one person
// take over another administrator — reset the audit administrator's password
// and second factor, sign in as them and read or "verify" the log — so a
// reset of an administrator's credentials is only a request: it takes effect
// when a second administrator (a security or system administrator who is
// neither the requester nor the target) approves it within ResetTTL, and is
// refused if the target's account changed meanwhile. Requests, approvals,
// denials, withdrawals and every refusal are audited. The command line
// (pingan user reset-password / reset-totp) acts as the system, with the
// machine's trust, and resets at once: it recovers an installation whose
// administrators are locked out.
//
// Granting an administrator role is the other change to administrators
// that takes a second administrator, and goes through the same requests
// (kind RoleGrant, see SetRoles): otherwise one security administrator
// could make an account they control — one they issued a token to, or
// whose password they reset — an audit administrator.

// ResetKind is what a credential reset changes.
type ResetKind string

const (
	PasswordReset ResetKind = "password" // a new password, chosen by the requester
	TOTPReset     ResetKind = "totp"     // the second factor removed: enrolled again at the next sign-in
	RoleGrant     ResetKind = "roles"    // roles that add an administrator role (Reset.Roles)
)

// ResetState is where a reset request stands.
type ResetState string

const (
	ResetPending   ResetState = "pending"   // waiting for a second administrator
	ResetApplied   ResetState = "applied"   // in force (at once, or approved)
	ResetDenied    ResetState = "denied"    // refused by a second administrator
	ResetWithdrawn ResetState = "withdrawn" // taken back by the requester
	ResetExpired   ResetState = "expired"   // not approved within ResetTTL
	ResetStale     ResetState = "stale"     // the target or the requester changed meanwhile
)

// ResetTTL is how long a request waits for approval: long enough for a
// second administrator on another shift, short enough that nobody approves
// a request whose reason they can no longer check.
const ResetTTL = 24 * time.Hour

// GrantHold is how long after an administrator reset an account's password
// or second factor nobody may ask for an administrator role for it: whoever
// reset it could sign in as the account until its holder noticed.
const GrantHold = 7 * 24 * time.Hour

// AdminGrace is how long after an account lost its last administrator
// role (users.admin_until) a reset of its credentials is still an
// administrator's, a request a second administrator approves: otherwise
// one security administrator could remove another's role and at once
// reset their password and second factor.
const AdminGrace = 7 * 24 * time.Hour

// HeldAdmin reports whether u counts as an administrator for resets and
// unlocks: holding an administrator role, or having lost one less than
// AdminGrace ago (for the pages, to offer what the service will accept).
// For the latter, until is when the account stops counting as one (zero
// for a holder of an administrator role, and for anyone else).
func (s *Service) HeldAdmin(ctx context.Context, u org.User) (held bool, until time.Time, err error) {
	return s.heldAdmin(ctx, s.db, u)
}

// heldAdmin is HeldAdmin read with q (a write's transaction).
func (s *Service) heldAdmin(ctx context.Context, q db.Querier, u org.User) (bool, time.Time, error) {
	if u.Admin() {
		return true, time.Time{}, nil
	}
	var lost sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT admin_until FROM users WHERE id = $1", u.ID).Scan(&lost); err != nil {
		return false, time.Time{}, fmt.Errorf("administrator role of user %d: %w", u.ID, err)
	}
	held, until := s.adminStanding(u, lost, s.now())
	return held, until, nil
}

// adminStanding is heldAdmin's answer for u, whose administrator role
// ended at lost (users.admin_until; NULL if it did not), at now.
func (s *Service) adminStanding(u org.User, lost sql.NullInt64, now time.Time) (bool, time.Time) {
	if u.Admin() {
		return true, time.Time{}
	}
	if until := db.Time(lost).Add(AdminGrace); lost.Valid && now.Before(until) {
		return true, until
	}
	return false, time.Time{}
}

// AccountState is what the users page shows of an account beside its
// roles: its lockout, second factor and administrator standing.
type AccountState struct {
	Locked time.Time // locked until then; zero when not locked
	TOTP   bool      // two-step verification is on
	// HeldAdmin: the account counts as an administrator for resets and
	// unlocks (HeldAdmin); FormerAdminUntil: because it lost its
	// administrator role less than AdminGrace ago, until then.
	HeldAdmin        bool
	FormerAdminUntil time.Time
}

// AccountStates returns the AccountState of each of users, by id, in one
// read of them.
func (s *Service) AccountStates(ctx context.Context, users []org.User) (map[int64]AccountState, error) {
	out := make(map[int64]AccountState, len(users))
	now := s.now()
	for chunk := range slices.Chunk(users, 500) {
		args := make([]any, len(chunk))
		byID := make(map[int64]org.User, len(chunk))
		for i, u := range chunk {
			args[i], byID[u.ID] = u.ID, u
		}
		rows, err := s.db.QueryContext(ctx, `SELECT id, locked_until, totp_enabled_at IS NOT NULL, admin_until FROM users
			WHERE id IN (`+db.Placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("account states: %w", err)
		}
		for rows.Next() {
			var id int64
			var locked, lost sql.NullInt64
			var st AccountState
			if err := rows.Scan(&id, &locked, &st.TOTP, &lost); err != nil {
				rows.Close()
				return nil, fmt.Errorf("account states: %w", err)
			}
			if until := db.Time(locked); locked.Valid && now.Before(until) {
				st.Locked = until
			}
			st.HeldAdmin, st.FormerAdminUntil = s.adminStanding(byID[id], lost, now)
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("account states: %w", err)
		}
	}
	return out, nil
}

// Reset is a reset of a user's credentials: applied at once (ID 0) or a
// request waiting for, or decided by, a second administrator.
type Reset struct {
	ID            int64
	Kind          ResetKind
	UserID        int64         // the target
	Roles         []access.Role // RoleGrant: the roles asked for (all of them, not only the new)
	Username      string
	Name          string
	RequestedBy   int64
	RequesterName string
	RequestedAt   time.Time
	ExpiresAt     time.Time
	State         ResetState
	DecidedBy     int64
	DeciderName   string
	DecidedAt     time.Time
	// CredentialsSetBy is who last set the target's credentials for its
	// holder (0: the holder, or the system): RoleGrant's approver may not.
	CredentialsSetBy int64
}

// Action is the audit action of the reset itself ("password.reset",
// "totp.disable"); requests and decisions add ".request", ".approve",
// ".deny".
func (k ResetKind) Action() string {
	switch k {
	case TOTPReset:
		return "totp.disable"
	case RoleGrant:
		return "user.roles"
	}
	return "password.reset"
}

var resetKindNames = map[ResetKind]i18n.Message{
	PasswordReset: i18n.M("密码", "password"),
	TOTPReset:     i18n.M("两步验证", "two-step verification"),
	RoleGrant:     i18n.M("管理员角色", "administrator role"),
}

// Name is the kind for people.
func (k ResetKind) Name() i18n.Message { return resetKindNames[k] }

var resetWhat = map[ResetKind]i18n.Message{
	PasswordReset: i18n.M("重置密码", "Password reset"),
	TOTPReset:     i18n.M("重置两步验证", "Second-factor reset"),
	RoleGrant:     i18n.M("授予角色：%s", "Granting the role %s"),
}

// What is what r asks for, for people in lang: 重置密码, 重置两步验证,
// 授予角色：审计管理员.
func (r Reset) What(lang i18n.Lang) string {
	if r.Kind == RoleGrant {
		return resetWhat[r.Kind].Format(lang, access.RoleNames(r.Roles))
	}
	return resetWhat[r.Kind].Format(lang)
}

var (
	msgNeedsApproval    = i18n.M("重置管理员的凭据须提出申请，经另一名管理员批准后生效", "resetting an administrator's credentials is a request that takes effect once a second administrator approves it")
	msgOwnCredentials   = i18n.M("不能重置自己的密码或两步验证", "you may not reset your own password or two-step verification")
	msgTOTPOff          = i18n.M("该用户未启用两步验证", "the user has not set up two-step verification")
	msgResetPending     = i18n.M("该账号已有一项待批准的%s重置申请", "a %s reset of this account is already waiting for approval")
	msgResetList        = i18n.M("只有安全管理员或系统管理员可以查看和批准重置申请", "only a security or system administrator may see and approve reset requests")
	msgResetTarget      = i18n.M("不能批准或驳回关于自己账号的申请", "you may not decide a request about your own account")
	msgResetFourEyes    = i18n.M("申请人不能批准自己的申请，须由另一名管理员批准", "you made this request: another administrator must approve it")
	msgResetDecided     = i18n.M("该申请已处理", "the request has already been decided")
	msgResetExpired     = i18n.M("该申请已过期（%d 小时内未获批准），请重新申请", "the request has expired (not approved within %d {hour|hours}); ask again")
	msgResetStale       = i18n.M("申请提出后该账号已发生变化，申请作废，请重新申请", "the account changed after the request: it is void; ask again")
	msgResetRequester   = i18n.M("申请人已不再是在职的安全管理员，申请作废", "the requester is no longer an active security administrator: the request is void")
	msgResetRequestWhat = i18n.M("重置申请", "reset request")
	msgGrantSetter      = i18n.M("该账号的密码或两步验证是您设置或重置的，您不能申请或批准授予其管理员角色", "you set or reset this account's password or two-step verification: you may neither ask for nor approve an administrator role for it")
	msgGrantHold        = i18n.M("该账号的密码或两步验证在 %d 天内被管理员重置过，%s 之后才能申请授予管理员角色", "an administrator reset this account's password or two-step verification less than %d {day|days} ago: an administrator role may be asked for after %s")
	msgGrantPending     = i18n.M("该账号已有一项待批准的管理员角色申请", "an administrator role for this account is already waiting for approval")
	msgInboxDecide      = i18n.M("管理员变更待批准：%s，账号 %s，申请人 %s", "a change to an administrator waits for approval: %s, account %s, asked by %s")
	msgInboxDecideBody  = i18n.M("请在“用户与权限”页面批准或驳回；%s 前未获批准即失效。", "Approve or deny it on Users and roles; unless approved it lapses at %s.")
)

// RequestReset resets a user's password (kind PasswordReset, with the new
// password) or second factor (TOTPReset). A security administrator resets a
// non-administrator at once; for an administrator's account the reset is
// stored as a request (State ResetPending) until a second administrator
// approves it (ApproveReset). The system (the command line) resets at once.
// Nobody resets their own credentials here.
func (s *Service) RequestReset(ctx context.Context, actor access.Actor, userID int64, kind ResetKind, password string) (Reset, error) {
	return s.reset(ctx, actor, userID, kind, password, true)
}

// reset is RequestReset; with queue false an administrator's reset by a
// user is refused instead of stored.
func (s *Service) reset(ctx context.Context, actor access.Actor, userID int64, kind ResetKind, password string, queue bool) (Reset, error) {
	action := kind.Action()
	if _, ok := resetKindNames[kind]; !ok || kind == RoleGrant {
		return Reset{}, fault.InvalidField("kind", fault.BadValue, string(kind))
	}
	if !actor.System && !actor.Has(access.SecAdmin) {
		return Reset{}, s.deny(ctx, actor, action, userID, msgSecAdmin)
	}
	if !actor.System && actor.UserID == userID {
		msg := msgOwnCredentials
		if kind == PasswordReset {
			msg = msgOwnPassword
		}
		return Reset{}, s.deny(ctx, actor, action, userID, msg)
	}
	a, err := s.account(ctx, s.db, "id = $1", userID)
	if db.IsNotFound(err) {
		return Reset{}, fault.NotFoundf(i18n.M("用户", "user"), userID)
	}
	if err != nil {
		return Reset{}, err
	}
	var hash string
	switch kind {
	case PasswordReset:
		if hash, err = newPasswordHash(a.user, password); err != nil {
			return Reset{}, err
		}
	case TOTPReset:
		if !a.enabled.Valid {
			return Reset{}, s.audit.Refuse(ctx, s.db, actorEntry(actor, action, userID, nil),
				fault.New(fault.Conflict, "totp-off", msgTOTPOff))
		}
	}
	now := s.now()
	out := Reset{Kind: kind, UserID: a.user.ID, Username: a.user.Username, Name: a.user.Name, RequestedBy: actor.UserID,
		RequesterName: actor.Username, RequestedAt: now}
	if resetHook != nil {
		resetHook()
	}
	admin, _, err := s.HeldAdmin(ctx, a.user)
	if err != nil {
		return Reset{}, err
	}
	if actor.System || !admin {
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			// The roles again, under the lock: an administrator role
			// granted since the check above makes this a request.
			if err := org.LockUser(ctx, tx, a.user.ID); err != nil {
				return err
			}
			if !actor.System {
				if u, err := s.org.User(ctx, tx, a.user.ID); err != nil {
					return err
				} else if admin, _, err := s.heldAdmin(ctx, tx, u); err != nil {
					return err
				} else if admin {
					return errBecameAdmin
				}
			}
			ended, err := s.applyReset(ctx, tx, kind, a.user.ID, hash, actor)
			if err != nil {
				return err
			}
			return s.audit.Append(ctx, tx, actorEntry(actor, action, a.user.ID, map[string]any{"sessions_ended": ended}))
		})
		switch {
		case errors.Is(err, errBecameAdmin): // asked for as an administrator's reset, below
		case err != nil:
			return Reset{}, err
		default:
			out.State, out.DecidedBy, out.DeciderName, out.DecidedAt = ResetApplied, actor.UserID, actor.Username, now
			return out, nil
		}
	}
	if !queue {
		return Reset{}, s.audit.Refuse(ctx, s.db, actorEntry(actor, action, userID, nil),
			fault.New(fault.Forbidden, "approval-required", msgNeedsApproval))
	}
	return s.request(ctx, actor, out, hash, fault.New(fault.Conflict, "reset-pending", msgResetPending, kind.Name()), nil, audit.Entry{})
}

// errBecameAdmin marks, inside reset's transaction, a target that was
// granted an administrator role after reset read its roles.
var errBecameAdmin = errors.New("the target became an administrator")

// resetHook, when set (by tests), runs in reset between reading the
// target's roles and the transaction that writes.
var resetHook func()

// request stores out (its kind, target, requester and, for RoleGrant, its
// roles) as a request waiting for a second administrator, with the new
// password's hash for a password reset, and tells those who may decide it
// in their inbox (tellDeciders; "notified" in the audit record). pending
// is the refusal when one of its kind is already open for the account;
// detail goes to the audit record.
// A grant (RoleGrant) is refused, and the refusal audited as entry, to
// whoever set the account's credentials and within GrantHold of an
// administrator's reset of them: checked here, under the lock on the
// user's row, so that a reset committed just before is seen.
func (s *Service) request(ctx context.Context, actor access.Actor, out Reset, hash string, pending error, detail map[string]any, entry audit.Entry) (Reset, error) {
	userID, kind, now := out.UserID, out.Kind, out.RequestedAt
	action := kind.Action()
	out.State, out.ExpiresAt = ResetPending, now.Add(ResetTTL)
	if entry.Action == "" {
		entry = actorEntry(actor, action+".request", userID, nil)
	}
	err := s.audit.Write(ctx, s.db, func(tx *db.Tx) error {
		if err := org.LockUser(ctx, tx, userID); err != nil {
			return err
		}
		if kind == RoleGrant {
			setBy, resetAt, err := s.credentialsSetBy(ctx, tx, userID)
			if err != nil {
				return err
			}
			if f := s.grantRefusal(setBy, resetAt, actor.UserID, now); f != nil {
				return audit.Refused(entry, f)
			}
			out.CredentialsSetBy = setBy // who may not approve it
		}
		// A request nobody approved in time no longer holds the place.
		if _, err := s.expireRequests(ctx, tx, now, "target_id = $4 AND kind = $5", userID, kind); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM credential_resets WHERE target_id = $1 AND kind = $2 AND state = $3",
			userID, kind, ResetPending).Scan(&open); err != nil {
			return fmt.Errorf("reset requests: %w", err)
		}
		if open > 0 {
			return audit.Refused(entry, pending)
		}
		stamp, err := s.stamp(ctx, tx, userID, kind)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO credential_resets (target_id, kind, password_hash, roles, stamp, requested_by,
			requested_at, expires_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, userID, kind, db.NullText(hash),
			db.NullText(joinRoles(out.Roles)), stamp, actor.UserID, now.UnixMicro(), out.ExpiresAt.UnixMicro(), ResetPending).Scan(&out.ID); err != nil {
			if db.IsUniqueViolation(err) {
				return audit.Refused(entry, pending) // asked at the same moment on another node
			}
			return fmt.Errorf("store reset request: %w", err)
		}
		told, err := s.tellDeciders(ctx, tx, out)
		if err != nil {
			return err
		}
		d := map[string]any{"request": out.ID, "expires_at": out.ExpiresAt.UnixMicro(), "notified": told}
		for k, v := range detail {
			d[k] = v
		}
		return s.audit.Append(ctx, tx, actorEntry(actor, action+".request", userID, d))
	})
	if err != nil {
		return Reset{}, err
	}
	return out, nil
}

// tellDeciders puts the request r in the inbox of every enabled
// administrator who may decide it (Reset.MayDecide: not its requester, not
// its target, not for a grant whoever set the target's credentials), in
// tx, and returns who was told.
func (s *Service) tellDeciders(ctx context.Context, tx *db.Tx, r Reset) ([]int64, error) {
	admins, err := s.org.UsersWith(ctx, tx, org.UserFilter{Roles: []access.Role{access.SecAdmin, access.SysAdmin}, Enabled: true})
	if err != nil {
		return nil, fmt.Errorf("deciders of request %d: %w", r.ID, err)
	}
	title := msgInboxDecide.Fill(i18n.Message{ZH: r.What(i18n.ZH), EN: r.What(i18n.EN)}, r.Username+" "+r.Name, r.RequesterName)
	body := msgInboxDecideBody.Fill(r.ExpiresAt.In(s.loc).Format("2006-01-02 15:04"))
	told := []int64{}
	for _, u := range admins.Users {
		a := access.Actor{UserID: u.ID, UnitID: u.UnitID, Roles: u.Roles}
		if !r.MayDecide(a) {
			continue
		}
		if err := s.notify.Notify(ctx, tx, notify.Message{UnitID: a.UnitID, UserID: a.UserID, Kind: "admin.change_request",
			Title: title, Body: body, Subject: resetSubject(r.ID)}); err != nil {
			return nil, err
		}
		told = append(told, a.UserID)
	}
	slices.Sort(told)
	return told, nil
}

// grantRefusal is why an administrator role may not be granted, at now, on
// the word of who (the requester or the approver) to an account whose
// credentials setBy set and an administrator last reset at resetAt (see
// credentialsSetBy), or nil: who set them, or they were reset less than
// GrantHold ago.
func (s *Service) grantRefusal(setBy int64, resetAt time.Time, who int64, now time.Time) *fault.Error {
	if setBy != 0 && setBy == who {
		return fault.New(fault.Forbidden, "credentials-set-by-you", msgGrantSetter)
	}
	if !resetAt.IsZero() && now.Sub(resetAt) < GrantHold {
		return fault.New(fault.Conflict, "credentials-recently-reset", msgGrantHold,
			int(GrantHold.Hours()/24), resetAt.Add(GrantHold).In(s.loc).Format("2006-01-02 15:04"))
	}
	return nil
}

func joinRoles(rs []access.Role) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

// SetRoles replaces a user's roles. Removing roles, or changing case-work
// roles, takes effect at once (org.SetRoles); so does anything the system
// (the command line) does. A change that adds an administrator role is a
// request (State ResetPending, kind RoleGrant) that a second administrator
// approves with ApproveReset, as a reset of an administrator's credentials
// is. It is refused to whoever set the account's credentials for it
// (created it with a password, or reset its password or second factor:
// they know, or chose, what signs in as it), and to everybody within
// GrantHold of an administrator's reset of them. When the grant takes
// effect the account's sessions end and its API tokens are revoked; its
// holder enrols a second factor at the next sign-in, as every
// administrator must.
func (s *Service) SetRoles(ctx context.Context, actor access.Actor, userID int64, roles []access.Role) (Reset, error) {
	u, err := s.org.User(ctx, s.db, userID)
	if db.IsNotFound(err) {
		return Reset{}, fault.NotFoundf(i18n.M("用户", "user"), userID)
	}
	if err != nil {
		return Reset{}, err
	}
	now := s.now()
	out := Reset{Kind: RoleGrant, UserID: u.ID, Username: u.Username, Name: u.Name, Roles: roles, RequestedBy: actor.UserID,
		RequesterName: actor.Username, RequestedAt: now}
	if actor.System || !org.GrantsAdmin(u.Roles, roles) {
		// org.SetRoles checks who may, and refuses a grant that became
		// one meanwhile (the roles are read again in its transaction).
		if u, err = s.org.SetRoles(ctx, actor, userID, roles); err != nil {
			return Reset{}, err
		}
		out.Roles, out.State, out.DecidedBy, out.DeciderName, out.DecidedAt = u.Roles, ResetApplied, actor.UserID, actor.Username, now
		return out, nil
	}
	// Refused outright (user.roles, as org.SetRoles records it), not as
	// a request.
	if err := s.org.MayChangeRoles(ctx, actor, userID); err != nil {
		return Reset{}, err
	}
	action := RoleGrant.Action() + ".request"
	if err := org.CheckRoles(roles); err != nil {
		return Reset{}, s.audit.Refuse(ctx, s.db, actorEntry(actor, action, userID, map[string]any{"after": roles}), err)
	}
	// Whoever set the account's credentials, and a recent reset of them,
	// are refused in request's transaction.
	entry := actorEntry(actor, action, userID, map[string]any{"after": roles})
	return s.request(ctx, actor, out, "", fault.New(fault.Conflict, "grant-pending", msgGrantPending),
		map[string]any{"before": u.Roles, "after": roles}, entry)
}

// credentialsSetBy is who last set userID's credentials for its holder (0:
// the holder, or the system) and when an administrator last reset them.
func (s *Service) credentialsSetBy(ctx context.Context, q db.Querier, userID int64) (int64, time.Time, error) {
	var by, at sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT credentials_set_by, credentials_reset_at FROM users WHERE id = $1", userID).
		Scan(&by, &at); err != nil {
		return 0, time.Time{}, fmt.Errorf("credentials of user %d: %w", userID, err)
	}
	return by.Int64, db.Time(at), nil
}

// newPasswordHash checks a new password for u and hashes it.
func newPasswordHash(u org.User, password string) (string, error) {
	if msg, args, ok := org.CheckPassword(password, u.Username); !ok {
		return "", fault.InvalidField("password", msg, args...)
	}
	return org.HashPassword(password)
}

// applyReset puts a reset in force in tx and ends the user's sessions,
// returning how many it ended. by is who chose it: the requester, or the
// system, who leaves no one but the holder knowing the credentials.
func (s *Service) applyReset(ctx context.Context, tx *db.Tx, kind ResetKind, userID int64, hash string, by access.Actor) (int64, error) {
	switch kind {
	case PasswordReset:
		if err := s.storePassword(ctx, tx, userID, hash); err != nil {
			return 0, err
		}
	case TOTPReset:
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1", userID); err != nil {
			return 0, fmt.Errorf("reset second factor: %w", err)
		}
	}
	var setBy, at any
	if !by.System {
		setBy, at = by.UserID, s.now().UnixMicro()
	}
	if _, err := tx.ExecContext(ctx, "UPDATE users SET credentials_set_by = $1, credentials_reset_at = $2 WHERE id = $3",
		setBy, at, userID); err != nil {
		return 0, fmt.Errorf("record reset of user %d: %w", userID, err)
	}
	return s.endSessions(ctx, tx, userID, "")
}

// stamp fingerprints what a request of kind depends on: the credential it
// resets, the account's roles and whether it is disabled. A request whose
// target's stamp changed (a new password or second factor set by the
// target, roles or state changed by another administrator) is void.
func (s *Service) stamp(ctx context.Context, q db.Querier, userID int64, kind ResetKind) (string, error) {
	var hash sql.NullString
	var totp, disabled sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT password_hash, totp_enabled_at, disabled_at FROM users WHERE id = $1", userID).
		Scan(&hash, &totp, &disabled); err != nil {
		return "", fmt.Errorf("stamp user %d: %w", userID, err)
	}
	u, err := s.org.User(ctx, q, userID)
	if err != nil {
		return "", err
	}
	// Only the credential of its own kind: approving one kind of reset
	// leaves a request of the other kind standing.
	cred := strconv.FormatBool(hash.Valid) + hash.String
	switch kind {
	case TOTPReset:
		cred = strconv.FormatBool(totp.Valid) + strconv.FormatInt(totp.Int64, 10)
	case RoleGrant:
		// A grant rests on who can sign in as the account: any credential
		// reset, or change by its holder, after the request voids it.
		by, at, err := s.credentialsSetBy(ctx, q, userID)
		if err != nil {
			return "", err
		}
		cred += "/" + strconv.FormatBool(totp.Valid) + strconv.FormatInt(totp.Int64, 10) + "/" +
			strconv.FormatInt(by, 10) + "/" + strconv.FormatInt(at.UnixMicro(), 10)
	}
	parts := []string{string(kind), cred, strconv.FormatInt(disabled.Int64, 10)}
	for _, r := range u.Roles {
		parts = append(parts, string(r))
	}
	slices.Sort(parts[3:])
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:]), nil
}

const resetColumns = `r.id, r.kind, r.target_id, t.username, t.name, r.requested_by, q.username, r.requested_at, r.expires_at,
	r.state, COALESCE(r.decided_by, 0), COALESCE(d.username, ''), r.decided_at, COALESCE(r.roles, ''),
	COALESCE(t.credentials_set_by, 0)
	FROM credential_resets r JOIN users t ON t.id = r.target_id JOIN users q ON q.id = r.requested_by
	LEFT JOIN users d ON d.id = r.decided_by`

func scanReset(row interface{ Scan(...any) error }) (Reset, error) {
	var r Reset
	var requested, expires int64
	var decided sql.NullInt64
	var roles string
	err := row.Scan(&r.ID, &r.Kind, &r.UserID, &r.Username, &r.Name, &r.RequestedBy, &r.RequesterName, &requested, &expires,
		&r.State, &r.DecidedBy, &r.DeciderName, &decided, &roles, &r.CredentialsSetBy)
	r.RequestedAt, r.ExpiresAt, r.DecidedAt = time.UnixMicro(requested), time.UnixMicro(expires), db.Time(decided)
	if err == nil && roles != "" {
		if r.Roles, err = access.ParseRoles(roles); err != nil {
			err = fmt.Errorf("roles of request %d: %w", r.ID, err)
		}
	}
	return r, err
}

func (s *Service) resetByID(ctx context.Context, q db.Querier, id int64) (Reset, error) {
	r, err := scanReset(q.QueryRowContext(ctx, "SELECT "+resetColumns+" WHERE r.id = $1", id))
	if db.IsNotFound(err) {
		return Reset{}, fault.NotFoundf(msgResetRequestWhat, id)
	}
	if err != nil {
		return Reset{}, fmt.Errorf("reset request %d: %w", id, err)
	}
	return r, nil
}

// MayDecide reports whether actor may approve or deny r: a security or
// system administrator who is neither the target nor the requester, nor,
// for a grant, whoever set the target's credentials. This is the four-eyes
// rule ApproveReset enforces; pages ask it to show the buttons.
func (r Reset) MayDecide(actor access.Actor) bool {
	if r.Kind == RoleGrant && r.CredentialsSetBy != 0 && r.CredentialsSetBy == actor.UserID {
		return false
	}
	return decideRefusal(actor, r) == nil
}

// MayWithdraw reports whether actor asked for r (and so may take it back).
func (r Reset) MayWithdraw(actor access.Actor) bool {
	return !actor.System && actor.UserID == r.RequestedBy
}

func decideRefusal(actor access.Actor, r Reset) *i18n.Message {
	switch {
	case actor.System || !actor.HasAny(access.SecAdmin, access.SysAdmin):
		return &msgResetList
	case actor.UserID == r.UserID:
		return &msgResetTarget
	case actor.UserID == r.RequestedBy:
		return &msgResetFourEyes
	}
	return nil
}

// PendingResets lists the requests waiting for approval, oldest first, for
// the security and system administrators (who may approve them, or see
// their own).
func (s *Service) PendingResets(ctx context.Context, actor access.Actor) ([]Reset, error) {
	if !actor.System && !actor.HasAny(access.SecAdmin, access.SysAdmin) {
		return nil, s.audit.Refuse(ctx, s.db, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "credential_reset.list", ObjectType: "credential_reset", ObjectID: "*", RemoteAddr: actor.RemoteAddr},
			fault.New(fault.Forbidden, "forbidden", msgResetList))
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+resetColumns+" WHERE r.state = $1 AND r.expires_at > $2 ORDER BY r.id",
		ResetPending, s.now().UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("pending resets: %w", err)
	}
	defer rows.Close()
	out := []Reset{}
	for rows.Next() {
		r, err := scanReset(rows)
		if err != nil {
			return nil, fmt.Errorf("pending resets: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ApproveReset puts a pending request in force: the second administrator's
// approval. It is refused to the requester, the target and anyone who is not
// a security or system administrator; after ResetTTL; and when the target's
// account changed since the request or the requester is no longer an active
// security administrator (the request is then void). The target's sessions
// end in the same transaction.
func (s *Service) ApproveReset(ctx context.Context, actor access.Actor, id int64) (Reset, error) {
	return s.decide(ctx, actor, id, true)
}

// DenyReset refuses a pending request (a second administrator) or takes it
// back (its requester).
func (s *Service) DenyReset(ctx context.Context, actor access.Actor, id int64) (Reset, error) {
	return s.decide(ctx, actor, id, false)
}

func (s *Service) decide(ctx context.Context, actor access.Actor, id int64, approve bool) (Reset, error) {
	r, err := s.resetByID(ctx, s.db, id)
	if fault.KindOf(err) == fault.NotFound {
		verb := "deny"
		if approve {
			verb = "approve"
		}
		return Reset{}, s.audit.Refuse(ctx, s.db, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "credential_reset." + verb, ObjectType: "credential_reset", ObjectID: strconv.FormatInt(id, 10),
			RemoteAddr: actor.RemoteAddr}, err)
	}
	if err != nil {
		return Reset{}, err
	}
	action := r.Kind.Action() + ".deny"
	if approve {
		action = r.Kind.Action() + ".approve"
	}
	entry := actorEntry(actor, action, r.UserID, map[string]any{"request": r.ID})
	if msg := decideRefusal(actor, r); msg != nil && (approve || !r.MayWithdraw(actor)) {
		return Reset{}, s.audit.Refuse(ctx, s.db, entry, fault.New(fault.Forbidden, "forbidden", *msg))
	}
	var refusal error
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		refusal = nil
		// A request's target never changes: locked before anything is read.
		if err := org.LockUser(ctx, tx, r.UserID); err != nil {
			return err
		}
		cur, err := s.resetByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.State != ResetPending {
			refusal = fault.New(fault.Conflict, "reset-decided", msgResetDecided)
			return s.audit.Append(ctx, tx, refused(entry, "reset-decided"))
		}
		now := s.now()
		// void closes the request as state and records why, in this
		// transaction; the caller hears refusal.
		void := func(state ResetState, code string, msg i18n.Message, args ...any) error {
			refusal = fault.New(fault.Conflict, code, msg, args...)
			if err := s.close(ctx, tx, id, state, 0, now); err != nil {
				return err
			}
			return s.audit.Append(ctx, tx, refused(entry, code))
		}
		if !now.Before(cur.ExpiresAt) {
			return void(ResetExpired, "reset-expired", msgResetExpired, int(ResetTTL.Hours()))
		}
		if !approve {
			state := ResetDenied
			if r.MayWithdraw(actor) {
				state = ResetWithdrawn
			}
			if err := s.close(ctx, tx, id, state, actor.UserID, now); err != nil {
				return err
			}
			entry.Detail["requested_by"], entry.Detail["state"] = cur.RequestedBy, state
			return s.audit.Append(ctx, tx, entry)
		}
		var hash sql.NullString
		var stamp string
		if err := tx.QueryRowContext(ctx, "SELECT password_hash, stamp FROM credential_resets WHERE id = $1", id).Scan(&hash, &stamp); err != nil {
			return fmt.Errorf("reset request %d: %w", id, err)
		}
		if st, err := s.stamp(ctx, tx, cur.UserID, cur.Kind); err != nil {
			return err
		} else if st != stamp {
			return void(ResetStale, "target-changed", msgResetStale)
		}
		requester, err := s.org.User(ctx, tx, cur.RequestedBy)
		if err != nil {
			return err
		}
		if !requester.DisabledAt.IsZero() || !slices.Contains(requester.Roles, access.SecAdmin) {
			return void(ResetStale, "requester-changed", msgResetRequester)
		}
		if cur.Kind == RoleGrant {
			// Whoever knows the account's credentials is no second pair
			// of eyes on making it an administrator, and nobody grants
			// within GrantHold of a reset: read here, under the lock.
			setBy, resetAt, err := s.credentialsSetBy(ctx, tx, cur.UserID)
			if err != nil {
				return err
			}
			if f := s.grantRefusal(setBy, resetAt, actor.UserID, now); f != nil {
				if f.Code == "credentials-set-by-you" { // another administrator may approve
					refusal = f
					return s.audit.Append(ctx, tx, refused(entry, f.Code))
				}
				return void(ResetStale, f.Code, f.Msg, f.Args...)
			}
			if f := s.grantRefusal(setBy, resetAt, cur.RequestedBy, now); f != nil {
				return void(ResetStale, "credentials-set-by-requester", msgResetStale)
			}
		}
		if cur.Kind == RoleGrant {
			// A grant's role set may drop another administrator role:
			// not the last enabled holder's.
			target, err := s.org.User(ctx, tx, cur.UserID)
			if err != nil {
				return err
			}
			if err := s.org.KeepsAdmins(ctx, tx, target, cur.Roles); err != nil {
				if !org.IsLastAdmin(err) {
					return err
				}
				f, _ := fault.As(err)
				return void(ResetStale, f.Code, f.Msg, f.Args...)
			}
		}
		if err := s.close(ctx, tx, id, ResetApplied, actor.UserID, now); err != nil {
			return err
		}
		entry.Detail["requested_by"] = cur.RequestedBy
		if cur.Kind == RoleGrant {
			_, ch, err := s.org.ReplaceRoles(ctx, tx, cur.UserID, cur.Roles)
			if err != nil {
				return err
			}
			if err := s.audit.Append(ctx, tx, entry); err != nil {
				return err
			}
			d := ch.Detail()
			d["request"], d["requested_by"], d["approved_by"] = id, cur.RequestedBy, actor.UserID
			return s.audit.Append(ctx, tx, actorEntry(actor, cur.Kind.Action(), cur.UserID, d))
		}
		ended, err := s.applyReset(ctx, tx, cur.Kind, cur.UserID, hash.String,
			access.Actor{UserID: cur.RequestedBy, Username: cur.RequesterName})
		if err != nil {
			return err
		}
		if err := s.audit.Append(ctx, tx, entry); err != nil {
			return err
		}
		// The reset itself, as an immediate one is recorded.
		return s.audit.Append(ctx, tx, actorEntry(actor, cur.Kind.Action(), cur.UserID, map[string]any{
			"request": id, "requested_by": cur.RequestedBy, "approved_by": actor.UserID, "sessions_ended": ended}))
	})
	if err != nil {
		return Reset{}, err
	}
	if refusal != nil {
		return Reset{}, refusal
	}
	return s.resetByID(ctx, s.db, id)
}

// close decides a pending request in tx (decidedBy 0: nobody did, it
// lapsed); the stored password hash goes with it.
func (s *Service) close(ctx context.Context, tx *db.Tx, id int64, state ResetState, decidedBy int64, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE credential_resets SET state = $1, decided_by = $2, decided_at = $3, password_hash = NULL
		WHERE id = $4 AND state = $5`, state, db.NullID(decidedBy), at.UnixMicro(), id, ResetPending)
	if err != nil {
		return fmt.Errorf("decide reset request %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fault.New(fault.Conflict, "reset-decided", msgResetDecided)
	}
	return s.settleNotices(ctx, tx, id, state, at)
}

// ExpireRequests closes the requests nobody decided within ResetTTL and
// returns how many; housekeeping runs it every hour, so that their inbox
// notices say they lapsed and the new passwords' hashes they kept go.
func (s *Service) ExpireRequests(ctx context.Context) (int, error) {
	var n int
	err := s.db.Write(ctx, func(tx *db.Tx) (err error) {
		n, err = s.expireRequests(ctx, tx, s.now(), "TRUE")
		return err
	})
	return n, err
}

// expireRequests closes, in tx, the pending requests matching scope (a
// condition on credential_resets whose parameters, args, start at $4)
// whose time ran out at now: state expired, the new password's hash
// dropped, their inbox notices settled, each audited as the system's.
func (s *Service) expireRequests(ctx context.Context, tx *db.Tx, now time.Time, scope string, args ...any) (int, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE credential_resets SET state = $1, password_hash = NULL
		WHERE state = $2 AND expires_at <= $3 AND `+scope+` RETURNING id, target_id, kind`,
		append([]any{ResetExpired, ResetPending, now.UnixMicro()}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("expire reset requests: %w", err)
	}
	type expired struct {
		id, target int64
		kind       ResetKind
	}
	var out []expired
	for rows.Next() {
		var e expired
		if err := rows.Scan(&e.id, &e.target, &e.kind); err != nil {
			rows.Close()
			return 0, fmt.Errorf("expire reset requests: %w", err)
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("expire reset requests: %w", err)
	}
	for _, e := range out {
		if err := s.settleNotices(ctx, tx, e.id, ResetExpired, now); err != nil {
			return 0, err
		}
		if err := s.audit.Append(ctx, tx, actorEntry(access.System("expiry"), e.kind.Action()+".expire", e.target,
			map[string]any{"request": e.id})); err != nil {
			return 0, err
		}
	}
	return len(out), nil
}

// resetSubject names request id in the inbox notices that ask for it
// (notify.Message.Subject).
func resetSubject(id int64) string { return "credential_reset:" + strconv.FormatInt(id, 10) }

// settleNotices marks the inbox notices asking to decide request id
// settled, saying what became of it and when.
func (s *Service) settleNotices(ctx context.Context, tx *db.Tx, id int64, state ResetState, at time.Time) error {
	outcome, ok := msgSettled[state]
	if !ok {
		return fmt.Errorf("reset request %d: no notice text for state %q", id, state)
	}
	_, err := s.notify.Settle(ctx, tx, resetSubject(id), msgSettledAt.Fill(outcome, at.In(s.loc).Format("01-02 15:04")))
	return err
}

// msgSettled says what became of a request, in the notices that asked for it.
var msgSettled = map[ResetState]i18n.Message{
	ResetApplied:   i18n.M("已批准生效", "approved"),
	ResetDenied:    i18n.M("已驳回", "denied"),
	ResetWithdrawn: i18n.M("已由申请人撤回", "withdrawn by its requester"),
	ResetExpired:   i18n.M("已过期", "expired"),
	ResetStale:     i18n.M("已作废（账号或申请人已变化）", "void (the account or the requester changed)"),
}

var msgSettledAt = i18n.M("【%s，%s】", "[%s, %s]")

// refused is e as a refusal for reason code.
func refused(e audit.Entry, code string) audit.Entry {
	d := map[string]any{"reason": code}
	for k, v := range e.Detail {
		d[k] = v
	}
	e.Outcome, e.Detail = audit.Denied, d
	return e
}
