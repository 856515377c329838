// Package auth signs people in to the workbench: passwords (argon2id), a
// lockout after repeated failures, the TOTP second factor (mandatory for
// administrators), and sessions with idle and absolute timeouts and a CSRF
// token each. Every sign-in, failure, lockout and change is audited.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
	"pingan/internal/secret"
)

// Timeouts and limits (等保 level 3).
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	MaxFailures     = 5
	LockFor         = 15 * time.Minute
	// touchEvery bounds the writes that keep a session alive.
	touchEvery = time.Minute
)

// Stage is how far a session has signed in.
type Stage string

const (
	StageTOTP   Stage = "totp"   // password accepted; the second factor is due
	StageEnroll Stage = "enroll" // an administrator must set up the second factor
	StageFull   Stage = "full"
)

// Session is a signed-in browser.
type Session struct {
	Token     string // only when created: the cookie value
	UserID    int64
	Username  string
	Lang      i18n.Lang
	Stage     Stage
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
}

// Service signs people in.
type Service struct {
	db    *db.DB
	audit *audit.Log
	org   *org.Service
	keys  *secret.Keyring
	now   func() time.Time
}

// dummyHash is verified against when the user does not exist, so that the
// answer takes as long either way.
var dummyHash = sync.OnceValue(func() string {
	h, _ := org.HashPassword("pingan-timing-equaliser")
	return h
})

// NewService returns the sign-in service.
func NewService(d *db.DB, a *audit.Log, o *org.Service, keys *secret.Keyring, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, audit: a, org: o, keys: keys, now: now}
}

var (
	msgBadCredentials = i18n.M("用户名或密码错误", "wrong user name or password")
	msgLocked         = i18n.M("连续登录失败次数过多，账号已锁定，请 %d 分钟后再试或联系安全管理员", "too many failed sign-ins: the account is locked; try again in %d minutes or ask the security administrator")
	msgSessionGone    = i18n.M("登录已过期，请重新登录", "your session has ended; please sign in again")
	msgBadCode        = i18n.M("验证码不正确", "the code is not right")
	msgNotEnrolling   = i18n.M("请先开始设置双因素认证", "start setting up two-factor authentication first")
	msgOldPassword    = i18n.M("当前密码不正确", "the current password is not right")
	msgSecAdmin       = i18n.M("只有安全管理员可以这样做", "only a security administrator may do this")
	msgAdminNeedsTOTP = i18n.M("管理员必须启用双因素认证", "administrators must keep two-factor authentication on")
)

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand does not fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// account is what sign-in needs of a user.
type account struct {
	user     org.User
	hash     sql.NullString
	failed   int
	locked   sql.NullInt64
	totp     sql.NullString
	enabled  sql.NullInt64
	lastStep sql.NullInt64
	lang     string
}

func (s *Service) account(ctx context.Context, q db.Querier, where string, arg any) (account, error) {
	var a account
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id, password_hash, failed_logins, locked_until, totp_secret, totp_enabled_at,
		totp_last_step, lang FROM users WHERE `+where, arg).Scan(&id, &a.hash, &a.failed, &a.locked, &a.totp, &a.enabled,
		&a.lastStep, &a.lang)
	if err != nil {
		return a, err
	}
	a.user, err = s.org.User(ctx, q, id)
	return a, err
}

func isAdmin(u org.User) bool {
	for _, r := range u.Roles {
		if ri, _ := access.Info(r); ri.Admin {
			return true
		}
	}
	return false
}

func (s *Service) record(ctx context.Context, tx *db.Tx, u org.User, action, outcome, remote string, detail map[string]any) error {
	return s.audit.Append(ctx, tx, audit.Entry{ActorID: u.ID, ActorName: u.Username, UnitID: u.UnitID, Action: action,
		ObjectType: "user", ObjectID: strconv.FormatInt(u.ID, 10), Outcome: outcome, Detail: detail, RemoteAddr: remote})
}

// Login checks a user name and password and opens a new session (a new id
// every time: a session id is never carried across a sign-in). Five wrong
// passwords in a row lock the account for 15 minutes.
func (s *Service) Login(ctx context.Context, username, password, remote, userAgent string) (Session, error) {
	now := s.now()
	bad := fault.New(fault.Unauthorized, "bad-credentials", msgBadCredentials)
	a, err := s.account(ctx, s.db, "username = $1", username)
	if db.IsNotFound(err) {
		_, _ = org.VerifyPassword(dummyHash(), password) // same time as a real check
		err = s.db.Write(ctx, func(tx *db.Tx) error {
			return s.audit.Append(ctx, tx, audit.Entry{ActorName: username, Action: "login", ObjectType: "user",
				ObjectID: "?", Outcome: audit.Denied, Detail: map[string]any{"reason": "unknown user"}, RemoteAddr: remote})
		})
		if err != nil {
			return Session{}, err
		}
		return Session{}, bad
	}
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	if a.locked.Valid && now.Before(time.UnixMicro(a.locked.Int64)) {
		left := int(time.UnixMicro(a.locked.Int64).Sub(now).Minutes()) + 1
		return Session{}, s.refuse(ctx, a.user, "login", remote, "locked", fault.New(fault.Forbidden, "locked", msgLocked, left))
	}
	ok := false
	if a.hash.Valid && a.user.DisabledAt.IsZero() {
		if ok, err = org.VerifyPassword(a.hash.String, password); err != nil {
			return Session{}, fmt.Errorf("login: %w", err)
		}
	} else {
		_, _ = org.VerifyPassword(dummyHash(), password)
	}
	if !ok {
		return Session{}, s.failed(ctx, a, "password", remote, bad)
	}
	stage := StageFull
	switch {
	case a.enabled.Valid:
		stage = StageTOTP
	case isAdmin(a.user):
		stage = StageEnroll
	}
	var out Session
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
			now.UnixMicro(), a.user.ID); err != nil {
			return err
		}
		var err error
		if out, err = s.open(ctx, tx, a, stage, remote, userAgent); err != nil {
			return err
		}
		return s.record(ctx, tx, a.user, "login", audit.OK, remote, map[string]any{"stage": stage})
	})
	return out, err
}

// failed counts a wrong password or code, locks the account at the fifth in
// a row, and returns the refusal.
func (s *Service) failed(ctx context.Context, a account, what, remote string, refusal error) error {
	now := s.now()
	locked := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
			a.user.ID).Scan(&n); err != nil {
			return err
		}
		if locked = n >= MaxFailures; locked {
			if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2",
				now.Add(LockFor).UnixMicro(), a.user.ID); err != nil {
				return err
			}
			if err := s.record(ctx, tx, a.user, "login.lockout", audit.Denied, remote, map[string]any{"minutes": int(LockFor.Minutes())}); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, a.user, "login", audit.Denied, remote, map[string]any{"reason": "wrong " + what, "failures": n})
	})
	if err != nil {
		return err
	}
	if locked {
		return fault.New(fault.Forbidden, "locked", msgLocked, int(LockFor.Minutes()))
	}
	return refusal
}

func (s *Service) refuse(ctx context.Context, u org.User, action, remote, reason string, refusal error) error {
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		return s.record(ctx, tx, u, action, audit.Denied, remote, map[string]any{"reason": reason})
	})
	if err != nil {
		return err
	}
	return refusal
}

func (s *Service) open(ctx context.Context, tx *db.Tx, a account, stage Stage, remote, ua string) (Session, error) {
	now := s.now()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	sess := Session{Token: randomToken(), UserID: a.user.ID, Username: a.user.Username, Lang: i18n.Parse(a.lang), Stage: stage,
		CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(AbsoluteTimeout), LastSeen: now}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, stage, created_at, last_seen_at, expires_at,
		remote_addr, user_agent) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)`, hashToken(sess.Token), a.user.ID, sess.CSRF,
		stage, now.UnixMicro(), sess.ExpiresAt.UnixMicro(), remote, ua)
	if err != nil {
		return Session{}, fmt.Errorf("open session: %w", err)
	}
	return sess, nil
}

// Resume returns the session a cookie names, if it is still alive: not
// ended, used within the idle timeout, younger than the absolute timeout,
// its user not disabled.
func (s *Service) Resume(ctx context.Context, token string) (Session, error) {
	gone := fault.New(fault.Unauthorized, "session-ended", msgSessionGone)
	if token == "" || len(token) > 100 {
		return Session{}, gone
	}
	now := s.now()
	var sess Session
	var created, seen, expires int64
	var ended sql.NullInt64
	var lang string
	err := s.db.QueryRowContext(ctx, `SELECT s.user_id, u.username, u.lang, s.stage, s.csrf, s.created_at, s.last_seen_at,
		s.expires_at, s.ended_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND u.disabled_at IS NULL`, hashToken(token)).
		Scan(&sess.UserID, &sess.Username, &lang, &sess.Stage, &sess.CSRF, &created, &seen, &expires, &ended)
	if db.IsNotFound(err) {
		return Session{}, gone
	}
	if err != nil {
		return Session{}, fmt.Errorf("resume session: %w", err)
	}
	sess.Token, sess.Lang = token, i18n.Parse(lang)
	sess.CreatedAt, sess.LastSeen, sess.ExpiresAt = time.UnixMicro(created), time.UnixMicro(seen), time.UnixMicro(expires)
	if ended.Valid || !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) >= IdleTimeout {
		return Session{}, gone
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", now.UnixMicro(), hashToken(token))
			return err
		}); err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeen = now
	}
	return sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var userID int64
		err := tx.QueryRowContext(ctx, "UPDATE sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL RETURNING user_id",
			s.now().UnixMicro(), hashToken(token)).Scan(&userID)
		if db.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		u, err := s.org.User(ctx, tx, userID)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, u, "logout", audit.OK, "", nil)
	})
}

// SessionRetention is how long a session is kept after it expired: the
// recent sign-ins stay at hand, and the table does not grow for ever (the
// audit log keeps every sign-in and sign-out).
const SessionRetention = 30 * 24 * time.Hour

// SweepSessions deletes the sessions that expired more than
// SessionRetention ago and returns how many.
func (s *Service) SweepSessions(ctx context.Context) (int64, error) {
	n, err := s.db.DeleteChunked(ctx, "sessions", "id_hash", "expires_at < $1",
		[]any{s.now().Add(-SessionRetention).UnixMicro()}, 5000, nil)
	if err != nil {
		return n, fmt.Errorf("sweep sessions: %w", err)
	}
	return n, nil
}

// endSessions ends every session of a user (after a password change or a
// reset), except keep.
func (s *Service) endSessions(ctx context.Context, tx *db.Tx, userID int64, keep string) error {
	_, err := tx.ExecContext(ctx, "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL AND id_hash <> $3",
		s.now().UnixMicro(), userID, hashToken(keep))
	return err
}

// VerifyTOTP completes a sign-in waiting for the second factor. Wrong codes
// count toward the lockout like wrong passwords.
func (s *Service) VerifyTOTP(ctx context.Context, token, code, remote string) (Session, error) {
	sess, err := s.Resume(ctx, token)
	if err != nil {
		return Session{}, err
	}
	if sess.Stage != StageTOTP {
		return sess, nil
	}
	a, err := s.account(ctx, s.db, "id = $1", sess.UserID)
	if err != nil {
		return Session{}, err
	}
	if a.locked.Valid && s.now().Before(time.UnixMicro(a.locked.Int64)) {
		return Session{}, fault.New(fault.Forbidden, "locked", msgLocked, int(time.UnixMicro(a.locked.Int64).Sub(s.now()).Minutes())+1)
	}
	secretText, err := s.keys.Open(a.totp.String, "user.totp")
	if err != nil {
		return Session{}, err
	}
	step, ok := checkTOTP(secretText, code, s.now(), a.lastStep.Int64)
	if !ok {
		return Session{}, s.failed(ctx, a, "code", remote, fault.InvalidField("code", msgBadCode))
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_last_step = $1, failed_logins = 0 WHERE id = $2", step, a.user.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET stage = $1 WHERE id_hash = $2", StageFull, hashToken(token)); err != nil {
			return err
		}
		return s.record(ctx, tx, a.user, "login.totp", audit.OK, remote, nil)
	})
	sess.Stage = StageFull
	return sess, err
}

// BeginEnroll makes a new TOTP secret for a user (not yet in force) and
// returns it with the otpauth:// URI for an authenticator app.
func (s *Service) BeginEnroll(ctx context.Context, userID int64) (string, string, error) {
	u, err := s.org.User(ctx, s.db, userID)
	if err != nil {
		return "", "", err
	}
	sec, err := NewTOTPSecret()
	if err != nil {
		return "", "", err
	}
	sealed, err := s.keys.Seal(sec, "user.totp")
	if err != nil {
		return "", "", err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_enabled_at IS NULL", sealed, userID)
		return err
	})
	return sec, OTPAuthURI("平安 pingan", u.Username, sec), err
}

// ConfirmEnroll turns the second factor on once the user shows a code from
// the new secret; a session waiting for enrolment becomes full.
func (s *Service) ConfirmEnroll(ctx context.Context, token, code, remote string) (Session, error) {
	sess, err := s.Resume(ctx, token)
	if err != nil {
		return Session{}, err
	}
	a, err := s.account(ctx, s.db, "id = $1", sess.UserID)
	if err != nil {
		return Session{}, err
	}
	if !a.totp.Valid || a.enabled.Valid {
		return Session{}, fault.New(fault.Conflict, "not-enrolling", msgNotEnrolling)
	}
	secretText, err := s.keys.Open(a.totp.String, "user.totp")
	if err != nil {
		return Session{}, err
	}
	step, ok := checkTOTP(secretText, code, s.now(), 0)
	if !ok {
		return Session{}, fault.InvalidField("code", msgBadCode)
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_enabled_at = $1, totp_last_step = $2 WHERE id = $3",
			s.now().UnixMicro(), step, a.user.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET stage = $1 WHERE id_hash = $2", StageFull, hashToken(token)); err != nil {
			return err
		}
		return s.record(ctx, tx, a.user, "totp.enable", audit.OK, remote, nil)
	})
	sess.Stage = StageFull
	return sess, err
}

// TOTPEnabled reports whether a user has the second factor on.
func (s *Service) TOTPEnabled(ctx context.Context, userID int64) (bool, error) {
	a, err := s.account(ctx, s.db, "id = $1", userID)
	return a.enabled.Valid, err
}

// DisableTOTP turns the second factor off: a user for themselves (not an
// administrator: theirs is mandatory), or a security administrator for
// anyone who lost their device (they enrol again at the next sign-in).
func (s *Service) DisableTOTP(ctx context.Context, actor access.Actor, userID int64) error {
	u, err := s.org.User(ctx, s.db, userID)
	if err != nil {
		return err
	}
	switch {
	case actor.Has(access.SecAdmin):
	case actor.UserID == userID && !isAdmin(u):
	case actor.UserID == userID:
		return fault.New(fault.Forbidden, "forbidden", msgAdminNeedsTOTP)
	default:
		return fault.New(fault.Forbidden, "forbidden", msgSecAdmin)
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1", userID); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "totp.disable", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10), RemoteAddr: actor.RemoteAddr})
	})
}

func (s *Service) setPassword(ctx context.Context, tx *db.Tx, u org.User, password string) error {
	if msg, args, ok := org.CheckPassword(password, u.Username); !ok {
		return fault.InvalidField("password", msg, args...)
	}
	h, err := org.HashPassword(password)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, password_changed_at = $2, failed_logins = 0, locked_until = NULL WHERE id = $3",
		h, s.now().UnixMicro(), u.ID)
	return err
}

// ChangePassword changes one's own password; other sessions end.
func (s *Service) ChangePassword(ctx context.Context, actor access.Actor, keepSession, old, password string) error {
	a, err := s.account(ctx, s.db, "id = $1", actor.UserID)
	if err != nil {
		return err
	}
	if ok, _ := org.VerifyPassword(a.hash.String, old); !a.hash.Valid || !ok {
		return fault.InvalidField("old_password", msgOldPassword)
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.setPassword(ctx, tx, a.user, password); err != nil {
			return err
		}
		if err := s.endSessions(ctx, tx, a.user.ID, keepSession); err != nil {
			return err
		}
		return s.record(ctx, tx, a.user, "password.change", audit.OK, actor.RemoteAddr, nil)
	})
}

// ResetPassword sets someone's password (security administrator) and ends
// their sessions.
func (s *Service) ResetPassword(ctx context.Context, actor access.Actor, userID int64, password string) error {
	if !actor.System && !actor.Has(access.SecAdmin) {
		return fault.New(fault.Forbidden, "forbidden", msgSecAdmin)
	}
	u, err := s.org.User(ctx, s.db, userID)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.setPassword(ctx, tx, u, password); err != nil {
			return err
		}
		if err := s.endSessions(ctx, tx, u.ID, ""); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "password.reset", ObjectType: "user", ObjectID: strconv.FormatInt(u.ID, 10), RemoteAddr: actor.RemoteAddr})
	})
}

// Unlock lifts a lockout (security administrator).
func (s *Service) Unlock(ctx context.Context, actor access.Actor, userID int64) error {
	if !actor.System && !actor.Has(access.SecAdmin) {
		return fault.New(fault.Forbidden, "forbidden", msgSecAdmin)
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf(fmt.Sprintf("user %d", userID))
		}
		return s.audit.Append(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID,
			Action: "user.unlock", ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10), RemoteAddr: actor.RemoteAddr})
	})
}

// LockedUntil reports when a user's lockout ends (zero if not locked).
func (s *Service) LockedUntil(ctx context.Context, userID int64) (time.Time, error) {
	a, err := s.account(ctx, s.db, "id = $1", userID)
	if err != nil {
		return time.Time{}, err
	}
	if a.locked.Valid && s.now().Before(time.UnixMicro(a.locked.Int64)) {
		return time.UnixMicro(a.locked.Int64), nil
	}
	return time.Time{}, nil
}

// SetLang stores a user's interface language.
func (s *Service) SetLang(ctx context.Context, userID int64, lang i18n.Lang) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET lang = $1 WHERE id = $2", string(lang), userID)
		return err
	})
}
