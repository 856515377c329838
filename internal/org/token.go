package org

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"pingan/internal/access"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise
// (and to search for in logs and repositories).
const TokenPrefix = "pa_"

var (
	msgBadToken   = i18n.M("API 令牌无效、已过期或已吊销", "the API token is invalid, expired or revoked")
	msgTokenAdmin = i18n.M("只能为自己签发令牌，或由安全管理员签发", "tokens are issued to oneself or by a security administrator")
	msgTokenName  = i18n.M("令牌名称为必填项，且不超过 60 个字符", "a token needs a name of at most 60 characters")
	msgTokenList  = i18n.M("令牌只列给其持有人和安全管理员", "tokens are listed to their holder and to a security administrator")
	msgTokenOther = i18n.M("不能为另一名管理员签发令牌：管理员须自行签发", "tokens are not issued for another administrator: administrators issue their own")

	// errTokenForAdmin marks, inside the transaction, a token asked for
	// another administrator; it is refused (and audited) outside it.
	errTokenForAdmin = errors.New("token for another administrator")
)

// Token describes an issued token (never the token itself).
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// TokenHash is how a token is stored and looked up.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// tokensOf reports whether actor deals with userID's tokens: their holder,
// a security administrator, or the system.
func tokensOf(actor access.Actor, userID int64) bool {
	return actor.System || actor.Has(access.SecAdmin) || actor.UserID == userID
}

// IssueToken creates an API token for userID and returns it; it is shown
// once and stored only as a hash. ttl 0 means no expiry. A security
// administrator issues tokens to others, but not to another administrator:
// a token needs no second factor, and the audit log would record whatever
// it did under the other administrator's name.
func (s *Service) IssueToken(ctx context.Context, actor access.Actor, userID int64, name string, ttl time.Duration) (string, Token, error) {
	if !tokensOf(actor, userID) {
		return "", Token{}, s.refuse(ctx, actor, "token.issue", "user", userID, msgTokenAdmin)
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return "", Token{}, fault.InvalidField("name", msgTokenName)
	}
	token, hash, err := newToken()
	if err != nil {
		return "", Token{}, err
	}
	var t Token
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		t, err = s.insertToken(ctx, tx, actor, userID, name, hash, ttl)
		if err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, auditEntry(actor, "token.issue", "user", userID, map[string]any{
			"token_id": t.ID, "name": name}))
	})
	if errors.Is(err, errTokenForAdmin) {
		return "", Token{}, s.refuse(ctx, actor, "token.issue", "user", userID, msgTokenOther)
	}
	return token, t, err
}

// newToken makes a token and the hash it is stored as.
func newToken() (token, hash string, err error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", err
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	return token, TokenHash(token), nil
}

// insertToken stores a token in tx; it locks the user's row first (see
// LockUser), so a grant of an administrator role committed meanwhile is
// seen here, and one that commits later revokes this token.
func (s *Service) insertToken(ctx context.Context, tx *db.Tx, actor access.Actor, userID int64, name, hash string, ttl time.Duration) (Token, error) {
	u, err := s.lockedUser(ctx, tx, userID)
	if err != nil {
		return Token{}, err
	}
	if !actor.System && actor.UserID != userID && u.Admin() {
		return Token{}, errTokenForAdmin
	}
	now := s.now()
	t := Token{UserID: userID, Name: name, CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, userID, name, hash, now.UnixMicro(), db.Micros(t.ExpiresAt)).Scan(&t.ID)
	if err != nil {
		return Token{}, fmt.Errorf("issue token: %w", err)
	}
	return t, nil
}

// RevokeToken revokes one of userID's tokens; it stops working on every
// node within the authentication cache's lifetime (and at once on this
// one). A token of another account is not found.
func (s *Service) RevokeToken(ctx context.Context, actor access.Actor, userID, tokenID int64) (Token, error) {
	var out Token
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		t, err := s.token(ctx, tx, userID, tokenID)
		if err != nil {
			return err
		}
		if !tokensOf(actor, userID) {
			return fault.New(fault.Forbidden, "forbidden", msgTokenAdmin)
		}
		if err := LockUser(ctx, tx, userID); err != nil { // a token's user never changes: read before the lock
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
			s.now().UnixMicro(), tokenID); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if out, err = s.token(ctx, tx, userID, t.ID); err != nil {
			return err
		}
		tx.AfterCommit(s.tokens.flush)
		return s.audit.Append(ctx, tx, auditEntry(actor, "token.revoke", "user", userID, map[string]any{"token_id": tokenID}))
	})
	if fault.KindOf(err) == fault.Forbidden {
		// Refused: the attempt is on the record too.
		return Token{}, s.audit.Refuse(ctx, s.db, auditEntry(actor, "token.revoke", "user", userID, map[string]any{"token_id": tokenID}), err)
	}
	return out, err
}

// RotateToken replaces the token its holder signed in with (token, which
// authenticated actor) by a new one of the same name and lifetime, and
// revokes it, in one write: an integration renews its credential without
// a person, and a copy of the old token stops working. A token issues no
// other token: whoever holds a leaked one can rotate it, but its holder
// then finds theirs refused.
func (s *Service) RotateToken(ctx context.Context, actor access.Actor, token string) (string, Token, error) {
	fresh, hash, err := newToken()
	if err != nil {
		return "", Token{}, err
	}
	var out Token
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var old Token
		var created int64
		var exp, rev sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT id, user_id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE hash = $1",
			TokenHash(token)).Scan(&old.ID, &old.UserID, &old.Name, &created, &exp, &rev)
		if db.IsNotFound(err) || (err == nil && (rev.Valid || old.UserID != actor.UserID || (exp.Valid && !s.now().Before(time.UnixMicro(exp.Int64))))) {
			return fault.New(fault.Unauthorized, "unauthorized", msgBadToken)
		}
		if err != nil {
			return fmt.Errorf("rotate token: %w", err)
		}
		var ttl time.Duration
		if exp.Valid {
			ttl = time.UnixMicro(exp.Int64).Sub(time.UnixMicro(created))
		}
		if out, err = s.insertToken(ctx, tx, actor, old.UserID, old.Name, hash, ttl); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2", s.now().UnixMicro(), old.ID); err != nil {
			return fmt.Errorf("rotate token: %w", err)
		}
		tx.AfterCommit(s.tokens.flush)
		return s.audit.Append(ctx, tx, auditEntry(actor, "token.rotate", "user", old.UserID, map[string]any{
			"token_id": out.ID, "revoked_token_id": old.ID, "name": old.Name}))
	})
	if err != nil {
		return "", Token{}, err
	}
	return fresh, out, nil
}

// Tokens lists a user's tokens, newest first, to the user and to a
// security administrator.
func (s *Service) Tokens(ctx context.Context, actor access.Actor, userID int64) ([]Token, error) {
	if !tokensOf(actor, userID) {
		return nil, fault.New(fault.Forbidden, "forbidden", msgTokenList)
	}
	if _, err := s.User(ctx, s.db, userID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = $1 ORDER BY id DESC", userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

const tokenColumns = "id, user_id, name, created_at, expires_at, last_used_at, revoked_at"

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var created int64
	var exp, used, rev sql.NullInt64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &created, &exp, &used, &rev); err != nil {
		return Token{}, err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = time.UnixMicro(created), db.Time(exp), db.Time(used), db.Time(rev)
	return t, nil
}

// token reads one of userID's tokens; another account's is not found.
func (s *Service) token(ctx context.Context, q db.Querier, userID, tokenID int64) (Token, error) {
	t, err := scanToken(q.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE id = $1 AND user_id = $2", tokenID, userID))
	if db.IsNotFound(err) {
		return Token{}, fault.NotFoundf(i18n.M("令牌", "token"), tokenID)
	}
	if err != nil {
		return Token{}, fmt.Errorf("read token %d: %w", tokenID, err)
	}
	return t, nil
}

// tokenCacheTTL bounds how long a revoked token, a disabled account or a role
// change can go unnoticed on another node.
const tokenCacheTTL = 10 * time.Second

type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedActor
}

type cachedActor struct {
	actor   access.Actor
	expires time.Time
}

func newTokenCache() *tokenCache { return &tokenCache{m: map[string]cachedActor{}} }

func (c *tokenCache) get(hash string, now time.Time) (access.Actor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.After(e.expires) {
		return access.Actor{}, false
	}
	return e.actor, true
}

func (c *tokenCache) put(hash string, a access.Actor, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10000 {
		clear(c.m) // crude but bounded; a miss costs a few reads
	}
	c.m[hash] = cachedActor{actor: a, expires: until}
}

func (c *tokenCache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

// Authenticate resolves an API token to its actor.
func (s *Service) Authenticate(ctx context.Context, token string) (access.Actor, error) {
	unauthorized := fault.New(fault.Unauthorized, "unauthorized", msgBadToken)
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 100 {
		return access.Actor{}, unauthorized
	}
	hash := TokenHash(token)
	now := s.now()
	if a, ok := s.tokens.get(hash, now); ok {
		return a, nil
	}
	var userID int64
	var exp, rev, used sql.NullInt64
	var tokenID int64
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.user_id, t.expires_at, t.revoked_at, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND u.disabled_at IS NULL`, hash).Scan(&tokenID, &userID, &exp, &rev, &used)
	if db.IsNotFound(err) {
		return access.Actor{}, unauthorized
	}
	if err != nil {
		return access.Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if rev.Valid || (exp.Valid && !now.Before(time.UnixMicro(exp.Int64))) {
		return access.Actor{}, unauthorized
	}
	a, err := s.Actor(ctx, userID)
	if err != nil {
		return access.Actor{}, err
	}
	until := now.Add(tokenCacheTTL)
	if exp.Valid && time.UnixMicro(exp.Int64).Before(until) {
		until = time.UnixMicro(exp.Int64)
	}
	s.tokens.put(hash, a, until)
	// Record use at most hourly, so that stale tokens can be found without a
	// write on every request; the first requests of a token, arriving
	// together, record it once (fifty writes of one row, batched with other
	// writes on PostgreSQL's lanes, deadlocked against them).
	if !used.Valid || now.Sub(time.UnixMicro(used.Int64)) > time.Hour {
		if _, busy := s.recording.LoadOrStore(tokenID, true); busy {
			return a, nil
		}
		defer s.recording.Delete(tokenID)
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", now.UnixMicro(), tokenID)
			return err
		}); err != nil {
			return access.Actor{}, fmt.Errorf("authenticate: record use: %w", err)
		}
	}
	return a, nil
}
