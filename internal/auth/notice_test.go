package auth_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/notify"
	"pingan/internal/org"
)

// inbox is what the user's inbox holds about changes to administrators.
func inbox(t *testing.T, env *apptest.Env, a access.Actor) []string {
	t.Helper()
	p, err := env.App.Notify.Inbox(context.Background(), a, false, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range p.Items {
		if it.Kind == "admin.change_request" {
			out = append(out, it.Title.ZH)
		}
	}
	return out
}

// A request waiting for a second administrator is in the inbox of every
// enabled administrator who may decide it, and nobody else's: not the
// requester's, not the target's, not a disabled administrator's, not (for
// a grant) the inbox of whoever set the target's credentials. The
// request's audit record names who was told.
func TestRequestsReachTheirDeciders(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, aud := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "auditadmin")
	sec2 := secondSecAdmin(t, env)
	gone, err := env.App.Org.CreateUser(ctx, access.System("test"), orgInput(t, env, "gone", access.SecAdmin))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Org.SetUserDisabled(ctx, sys, gone.ID, true); err != nil {
		t.Fatal(err)
	}

	// A reset of the audit administrator's password: the system
	// administrator and the second security administrator decide.
	if _, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword); err != nil {
		t.Fatal(err)
	}
	want := "管理员变更待批准：重置密码，账号 auditadmin"
	for _, a := range []access.Actor{sys, sec2} {
		if got := inbox(t, env, a); len(got) != 1 || !strings.HasPrefix(got[0], want) || !strings.Contains(got[0], "申请人 secadmin") {
			t.Fatalf("%s's inbox: %q", a.Username, got)
		}
	}
	for _, a := range []access.Actor{sec, aud, env.Actor(t, "leader")} {
		if got := inbox(t, env, a); len(got) != 0 {
			t.Fatalf("%s was told: %q", a.Username, got)
		}
	}
	if got := notified(t, env, "password.reset.request"); !slices.Equal(got, []int64{sys.UserID, sec2.UserID}) {
		t.Fatalf("the request's record names %v as told", got)
	}

	// A grant for an account the system administrator created with a
	// password: they may not approve it, and are not asked to.
	u, err := env.App.Org.CreateUser(ctx, sys, orgInput(t, env, "newauditor"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Auth.SetRoles(ctx, sec, u.ID, []access.Role{access.AuditAdmin}); err != nil {
		t.Fatal(err)
	}
	if got := inbox(t, env, sec2); len(got) != 2 || !strings.HasPrefix(got[0], "管理员变更待批准：授予角色：审计管理员，账号 newauditor") {
		t.Fatalf("the second security administrator's inbox: %q", got)
	}
	if got := inbox(t, env, sys); len(got) != 1 {
		t.Fatalf("the account's creator was asked to approve its grant: %q", got)
	}
	if got := notified(t, env, "user.roles.request"); !slices.Equal(got, []int64{sec2.UserID}) {
		t.Fatalf("the grant's record names %v as told", got)
	}
}

// orgInput is a new account in the audit administrator's unit with the
// test password and roles (given only by the system).
func orgInput(t *testing.T, env *apptest.Env, username string, roles ...access.Role) org.UserInput {
	return org.UserInput{Username: username, Name: username, UnitID: env.User(t, "auditadmin").User.UnitID, Roles: roles, Password: oldPassword}
}

// notified is who the newest successful record of action says was told.
func notified(t *testing.T, env *apptest.Env, action string) []int64 {
	t.Helper()
	for _, r := range records(t, env, action) {
		if r.Outcome != audit.OK {
			continue
		}
		var d struct {
			Notified []int64 `json:"notified"`
		}
		if err := json.Unmarshal([]byte(r.Detail), &d); err != nil {
			t.Fatal(err)
		}
		return d.Notified
	}
	t.Fatalf("no %s record", action)
	return nil
}

// Once a request is decided, its notices say so in every decider's inbox,
// read for everyone and no longer counted unread; a request still waiting
// keeps its own.
func TestDecidedRequestsSettleTheirNotices(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, aud := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "auditadmin")
	sec2 := secondSecAdmin(t, env)
	items := func(a access.Actor) (out []notify.Item, unread int) {
		t.Helper()
		p, err := env.App.Notify.Inbox(ctx, a, false, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if it.Kind == "admin.change_request" {
				out = append(out, it)
			}
		}
		return out, p.Unread
	}
	_, before := items(sys)

	// Two requests, for two accounts: one approved, one withdrawn.
	approved, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	withdrawn, err := env.App.Auth.RequestReset(ctx, sec, sec2.UserID, auth.PasswordReset, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	if got, unread := items(sys); len(got) != 2 || got[0].Settled || got[1].Settled || unread != before+2 {
		t.Fatalf("pending: %+v, unread %d (was %d)", got, unread, before)
	}
	if _, err := env.App.Auth.ApproveReset(ctx, sys, approved.ID); err != nil {
		t.Fatal(err)
	}
	got, unread := items(sys)
	// Newest first: the withdrawn request's notice, then the approved one's.
	if !got[1].Settled || !got[1].Read || !strings.Contains(got[1].Body.ZH, "【已批准生效，") || got[0].Settled || unread != before+1 {
		t.Fatalf("after the approval: %+v, unread %d", got, unread)
	}
	// In English, the notice and what became of it read in English.
	if en := got[1].Title.EN + " " + got[1].Body.EN; !strings.HasPrefix(en, "a change to an administrator waits for approval") ||
		!strings.Contains(en, "lapses at") || !strings.Contains(en, "[approved, ") || strings.Contains(en, "已批准") {
		t.Errorf("the settled notice in English: %q", en)
	}
	if _, err := env.App.Auth.DenyReset(ctx, sec, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	got, unread = items(sys)
	if !got[0].Settled || !strings.Contains(got[0].Body.ZH, "【已由申请人撤回，") || unread != before {
		t.Fatalf("after the withdrawal: %+v, unread %d", got, unread)
	}
	// The other decider of the approved request sees it settled too.
	if got, _ := items(sec2); len(got) != 1 || !got[0].Settled || !got[0].Read {
		t.Fatalf("the second security administrator's inbox: %+v", got)
	}

	// A request nobody decides lapses: housekeeping closes it (audited as
	// the system's, its password hash gone) and settles its notice; one
	// still within its time is left alone.
	lapses, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.TOTPReset, "")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := env.App.Auth.ExpireRequests(ctx); err != nil || n != 0 {
		t.Fatalf("expired %d (%v) before the time ran out", n, err)
	}
	env.Clock.Advance(auth.ResetTTL)
	if n, err := env.App.Auth.ExpireRequests(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want 1", n, err)
	}
	got, unread = items(sys)
	if !got[0].Settled || !strings.Contains(got[0].Body.ZH, "【已过期，") || unread != before {
		t.Fatalf("after the lapse: %+v, unread %d", got, unread)
	}
	var st string
	var hash sql.NullString
	if err := env.App.DB.QueryRowContext(ctx, "SELECT state, password_hash FROM credential_resets WHERE id = $1", lapses.ID).Scan(&st, &hash); err != nil {
		t.Fatal(err)
	}
	if st != "expired" || hash.Valid {
		t.Errorf("lapsed request: state %q, hash kept %t", st, hash.Valid)
	}
	if len(records(t, env, "totp.disable.expire")) != 1 {
		t.Errorf("the lapse is not audited")
	}
}
