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
	"strings"
	"sync"
	"time"

	"pingan/internal/access"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/notify"
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
	db     *db.DB
	audit  *audit.Log
	org    *org.Service
	keys   *secret.Keyring
	notify *notify.Service // tells administrators of requests they may decide
	loc    *time.Location  // the city's, for the times in messages
	now    func() time.Time
}

// dummyHash is verified against when the user does not exist, so that the
// answer takes as long either way.
var dummyHash = sync.OnceValue(func() string {
	h, _ := org.HashPassword("pingan-timing-equaliser")
	return h
})

// Deps are what the sign-in service works with.
type Deps struct {
	DB       *db.DB
	Audit    *audit.Log
	Org      *org.Service
	Keys     *secret.Keyring
	Notify   *notify.Service // the inbox, for requests waiting for a second administrator
	Location *time.Location  // the configured time zone, in which messages give times
	Now      func() time.Time
}

// NewService returns the sign-in service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	return &Service{db: d.DB, audit: d.Audit, org: d.Org, keys: d.Keys, notify: d.Notify, loc: d.Location, now: d.Now}
}

var (
	msgBadCredentials = i18n.M("用户名或密码错误", "Wrong username or password")
	msgLocked         = i18n.M("连续登录失败次数过多，账号已锁定，请 %d 分钟后再试或联系安全管理员", "too many failed sign-ins: the account is locked; try again in %d {minute|minutes} or ask the security administrator")
	msgSessionGone    = i18n.M("登录已过期，请重新登录", "your session has ended; please sign in again")
	msgBadCode        = i18n.M("验证码不正确", "the code is not right")
	msgUsedCode       = i18n.M("这个验证码刚用过，请等验证器显示下一个", "this code was just used: wait for your app's next one")
	msgBadEnrolCode   = i18n.M("验证码不正确，请确认手机时间准确后，输入应用中当前的动态码", "the code is not right: check your phone's clock and enter the code the app shows now")
	msgNotEnrolling   = i18n.M("这个二维码已失效，请扫描本页的二维码后输入它的动态码", "that code to scan is no longer valid: scan the one on this page and enter its code")
	msgOldPassword    = i18n.M("当前密码不正确", "the current password is not right")
	msgSecAdmin       = i18n.M("只有安全管理员可以这样做", "only a security administrator may do this")
	msgAdminUnlock    = i18n.M("管理员账号的锁定只能等待到期，或在服务器上用命令行（pingan user unlock）解除", "an administrator's lockout ends when it expires, or on the server from the command line (pingan user unlock)")
	msgAdminNeedsTOTP = i18n.M("管理员必须启用两步验证", "administrators must keep two-step verification on")
	msgTOTPOn         = i18n.M("两步验证已启用", "two-step verification is already on")
	msgOwnPassword    = i18n.M("自己的密码请在“我的设置”中凭当前密码修改", "change your own password in your settings, with the current one")
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
	case a.user.Admin():
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
	var totp, admin bool
	err := s.db.QueryRowContext(ctx, `SELECT s.user_id, u.username, u.lang, s.stage, s.csrf, s.created_at, s.last_seen_at,
		s.expires_at, s.ended_at, u.totp_enabled_at IS NOT NULL,
		EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN (`+adminRoleList+`))
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND u.disabled_at IS NULL`, hashToken(token)).
		Scan(&sess.UserID, &sess.Username, &lang, &sess.Stage, &sess.CSRF, &created, &seen, &expires, &ended, &totp, &admin)
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
	// An administrator has no full session without the second factor, however
	// the session came to be full (a change of roles or a reset ends the
	// sessions too; this holds even if one were missed): they enrol first.
	if sess.Stage == StageFull && admin && !totp {
		sess.Stage = StageEnroll
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

// adminRoleList is the administrator roles as an SQL list (constants of
// the code, never input), for Resume.
var adminRoleList = func() string {
	var q []string
	for _, ri := range access.Roles {
		if ri.Admin {
			q = append(q, "'"+string(ri.Role)+"'")
		}
	}
	return strings.Join(q, ", ")
}()

// upgrade makes a session full under a new id and a new form token, in tx:
// the id a browser held before its second factor is not the one it holds
// after (the absolute timeout still counts from the sign-in).
func (s *Service) upgrade(ctx context.Context, tx *db.Tx, sess Session) (Session, error) {
	token, csrf := randomToken(), randomToken()
	if _, err := tx.ExecContext(ctx, "UPDATE sessions SET id_hash = $1, csrf = $2, stage = $3 WHERE id_hash = $4",
		hashToken(token), csrf, StageFull, hashToken(sess.Token)); err != nil {
		return Session{}, fmt.Errorf("upgrade session: %w", err)
	}
	sess.Token, sess.CSRF, sess.Stage = token, csrf, StageFull
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

// endSessions ends every session of a user (after a change of password or
// second factor), except the one whose id is keep ("" for none), and returns
// how many it ended.
func (s *Service) endSessions(ctx context.Context, tx *db.Tx, userID int64, keep string) (int64, error) {
	keepHash := ""
	if keep != "" {
		keepHash = hashToken(keep)
	}
	return s.org.EndSessions(ctx, tx, userID, keepHash)
}

// actorEntry is the audit entry of an actor's change to a user's account.
func actorEntry(actor access.Actor, action string, userID int64, detail map[string]any) audit.Entry {
	return audit.Entry{ActorID: actor.UserID, ActorName: actor.Username, UnitID: actor.UnitID, Action: action,
		ObjectType: "user", ObjectID: strconv.FormatInt(userID, 10), Detail: detail, RemoteAddr: actor.RemoteAddr}
}

// deny records that actor was refused a change to a user's account and
// returns the refusal.
func (s *Service) deny(ctx context.Context, actor access.Actor, action string, userID int64, msg i18n.Message) error {
	return s.audit.Refuse(ctx, s.db, actorEntry(actor, action, userID, nil), fault.New(fault.Forbidden, "forbidden", msg))
}

// VerifyTOTP completes a sign-in waiting for the second factor, under a new
// session id (the caller sets the returned Token as the cookie). Wrong codes
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
		why := msgBadCode
		if usedTOTP(secretText, code, s.now(), a.lastStep.Int64) {
			why = msgUsedCode // still a failure: a code seen once may be replayed by someone else
		}
		return Session{}, s.failed(ctx, a, "code", remote, fault.InvalidField("otp", why))
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_last_step = $1, failed_logins = 0 WHERE id = $2", step, a.user.ID); err != nil {
			return err
		}
		var err error
		if sess, err = s.upgrade(ctx, tx, sess); err != nil {
			return err
		}
		return s.record(ctx, tx, a.user, "login.totp", audit.OK, remote, nil)
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Enrolment is a second factor offered to a user and not yet in force: the
// secret for an authenticator app, its otpauth:// URI, and Pending, the
// secret sealed to the session, which the confirming form sends back.
type Enrolment struct {
	Secret, URI, Pending string
}

// pendingAAD binds a pending secret to the session it was offered to.
func pendingAAD(token string) string { return "user.totp.pending:" + hashToken(token) }

// BeginEnroll offers the TOTP secret of a session's user. Nothing is
// stored: the secret travels sealed (encrypted and authenticated under the
// server's key, bound to this session) in the form that confirms it, so
// showing the page changes nothing, and nobody can choose the secret or
// bring one offered to another session.
func (s *Service) BeginEnroll(sess Session) (Enrolment, error) {
	// The same secret for the whole of a session: a user who scanned it
	// and then reloaded the page, or switched its language, still has the
	// one the page shows. It is made from the session's own secret token.
	sec := b32.EncodeToString(s.keys.Derive("totp.enroll", sess.Token)[:20])
	pending, err := s.keys.Seal(sec, pendingAAD(sess.Token))
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: sec, URI: OTPAuthURI("平安 pingan", sess.Username, sec), Pending: pending}, nil
}

// ConfirmEnroll turns the second factor on once the user shows a code from
// the secret BeginEnroll offered (pending). The user's other sessions end;
// a session waiting for enrolment becomes full under a new id (the caller
// sets the returned Token as the cookie).
func (s *Service) ConfirmEnroll(ctx context.Context, token, pending, code, remote string) (Session, error) {
	sess, err := s.Resume(ctx, token)
	if err != nil {
		return Session{}, err
	}
	a, err := s.account(ctx, s.db, "id = $1", sess.UserID)
	if err != nil {
		return Session{}, err
	}
	on := fault.New(fault.Conflict, "totp-on", msgTOTPOn)
	if a.enabled.Valid {
		return Session{}, on
	}
	secretText, err := s.keys.Open(pending, pendingAAD(token))
	if err != nil {
		return Session{}, fault.New(fault.Conflict, "not-enrolling", msgNotEnrolling)
	}
	step, ok := checkTOTP(secretText, code, s.now(), 0)
	if !ok {
		return Session{}, fault.InvalidField("otp", msgBadEnrolCode)
	}
	sealed, err := s.keys.Seal(secretText, "user.totp")
	if err != nil {
		return Session{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := org.LockUser(ctx, tx, a.user.ID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_enabled_at = $2, totp_last_step = $3
			WHERE id = $4 AND totp_enabled_at IS NULL`, sealed, s.now().UnixMicro(), step, a.user.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return on // confirmed meanwhile, in another tab
		}
		ended, err := s.endSessions(ctx, tx, a.user.ID, token)
		if err != nil {
			return err
		}
		if sess.Stage != StageFull {
			if sess, err = s.upgrade(ctx, tx, sess); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, a.user, "totp.enable", audit.OK, remote, map[string]any{"sessions_ended": ended})
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// TOTPEnabled reports whether a user has the second factor on.
func (s *Service) TOTPEnabled(ctx context.Context, userID int64) (bool, error) {
	a, err := s.account(ctx, s.db, "id = $1", userID)
	return a.enabled.Valid, err
}

// DisableTOTP turns the second factor off: a user for themselves (not an
// administrator: theirs is mandatory, and that holds for a security
// administrator too; keepSession, the session they do it in, stays), or a
// security administrator for another user who lost their device, at once
// (they enrol again at the next sign-in; their sessions end). Another
// administrator's second factor is removed only through a request a second
// administrator approves (RequestReset); DisableTOTP refuses it.
func (s *Service) DisableTOTP(ctx context.Context, actor access.Actor, userID int64, keepSession string) error {
	if actor.System || actor.UserID != userID {
		_, err := s.reset(ctx, actor, userID, TOTPReset, "", false)
		return err
	}
	u, err := s.org.User(ctx, s.db, userID)
	if err != nil {
		return err
	}
	if u.Admin() {
		return s.deny(ctx, actor, "totp.disable", userID, msgAdminNeedsTOTP)
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := org.LockUser(ctx, tx, userID); err != nil {
			return err
		}
		// Read again under the lock: an administrator role granted
		// meanwhile makes the second factor mandatory.
		if u, err := s.org.User(ctx, tx, userID); err != nil {
			return err
		} else if u.Admin() {
			return fault.New(fault.Forbidden, "forbidden", msgAdminNeedsTOTP)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1", userID); err != nil {
			return err
		}
		ended, err := s.endSessions(ctx, tx, userID, keepSession)
		if err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, actorEntry(actor, "totp.disable", userID, map[string]any{"sessions_ended": ended}))
	})
}

// storePassword sets a user's password hash in tx and lifts any lockout.
func (s *Service) storePassword(ctx context.Context, tx *db.Tx, userID int64, hash string) error {
	_, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, password_changed_at = $2, failed_logins = 0, locked_until = NULL WHERE id = $3",
		hash, s.now().UnixMicro(), userID)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
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
	hash, err := newPasswordHash(a.user, password)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := org.LockUser(ctx, tx, a.user.ID); err != nil {
			return err
		}
		if err := s.storePassword(ctx, tx, a.user.ID, hash); err != nil {
			return err
		}
		ended, err := s.endSessions(ctx, tx, a.user.ID, keepSession)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, a.user, "password.change", audit.OK, actor.RemoteAddr, map[string]any{"sessions_ended": ended})
	})
}

// ResetPassword sets someone else's password at once and ends their
// sessions: the system (the command line), or a security administrator for
// a user who holds no administrator role. An administrator's password is
// reset only through a request a second administrator approves
// (RequestReset); ResetPassword refuses it. One's own password is changed
// with the current one (ChangePassword), by a security administrator too.
func (s *Service) ResetPassword(ctx context.Context, actor access.Actor, userID int64, password string) error {
	_, err := s.reset(ctx, actor, userID, PasswordReset, password, false)
	return err
}

// Unlock lifts a lockout (security administrator). An administrator's
// lockout (one who holds an administrator role, or held one within
// AdminGrace) is lifted only by the system (pingan user unlock) or by
// waiting it out: a security administrator who could lift it again and
// again could guess another administrator's password and second factor
// without end.
func (s *Service) Unlock(ctx context.Context, actor access.Actor, userID int64) error {
	if !actor.System && !actor.Has(access.SecAdmin) {
		return s.deny(ctx, actor, "user.unlock", userID, msgSecAdmin)
	}
	if !actor.System {
		u, err := s.org.User(ctx, s.db, userID)
		if err != nil {
			return err
		}
		if admin, _, err := s.HeldAdmin(ctx, u); err != nil {
			return err
		} else if admin {
			return s.audit.Refuse(ctx, s.db, actorEntry(actor, "user.unlock", userID, nil),
				fault.New(fault.Forbidden, "admin-unlock", msgAdminUnlock))
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf(i18n.M("用户", "user"), userID)
		}
		return s.audit.Append(ctx, tx, actorEntry(actor, "user.unlock", userID, nil))
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
