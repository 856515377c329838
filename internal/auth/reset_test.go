package auth_test

import (
	"context"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/db"
	"pingan/internal/fault"
)

const (
	oldPassword = "Reset-Test-Old-2026"
	newPassword = "Reset-Test-New-2026"
)

// resetEnv is a pingan whose administrators have a password and a second
// factor on.
func resetEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.New(t)
	ctx := context.Background()
	for _, u := range []string{"sysadmin", "secadmin", "auditadmin", "dispatcher"} {
		id := env.User(t, u).User.ID
		if err := env.App.Auth.ResetPassword(ctx, access.System("test"), id, oldPassword); err != nil {
			t.Fatal(err)
		}
		if u == "dispatcher" {
			continue
		}
		if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = 'sealed', totp_enabled_at = $1 WHERE id = $2",
				env.Clock.Now().UnixMicro(), id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// signsIn reports whether a password opens a session for username.
func signsIn(t *testing.T, env *apptest.Env, username, password string) bool {
	t.Helper()
	_, err := env.App.Auth.Login(context.Background(), username, password, "127.0.0.1", "test")
	if err != nil && fault.KindOf(err) != fault.Unauthorized {
		t.Fatalf("login %s: %v", username, err)
	}
	return err == nil
}

// records returns the audit records of an action, newest first.
func records(t *testing.T, env *apptest.Env, action string) []audit.Record {
	t.Helper()
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func outcomes(t *testing.T, env *apptest.Env, action, outcome string) int {
	t.Helper()
	n := 0
	for _, r := range records(t, env, action) {
		if r.Outcome == outcome {
			n++
		}
	}
	return n
}

func wantCode(t *testing.T, err error, kind fault.Kind, code string) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok || fe.Kind != kind || fe.Code != code {
		t.Fatalf("got %v, want %s (kind %d)", err, code, kind)
	}
}

// The takeover of item one: a security administrator resets the audit
// administrator's password and second factor and signs in as them. Each
// reset is now a request; neither the requester nor the target approves it;
// a second administrator does, and only then is it in force.
func TestAdminResetNeedsASecondAdministrator(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, aud := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "auditadmin")

	pw, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword)
	if err != nil || pw.State != auth.ResetPending || pw.ID == 0 {
		t.Fatalf("request: %+v %v", pw, err)
	}
	totp, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.TOTPReset, "")
	if err != nil || totp.State != auth.ResetPending {
		t.Fatalf("request TOTP: %+v %v", totp, err)
	}
	if signsIn(t, env, "auditadmin", newPassword) || !signsIn(t, env, "auditadmin", oldPassword) {
		t.Fatal("a requested reset took effect before approval")
	}
	if on, err := env.App.Auth.TOTPEnabled(ctx, aud.UserID); err != nil || !on {
		t.Fatalf("second factor before approval: %v %v", on, err)
	}
	// The requester cannot approve; the target, a case worker and the
	// command line's system actor cannot either. Each refusal is audited.
	for who, actor := range map[string]access.Actor{"requester": sec, "target": aud, "case worker": env.Actor(t, "dispatcher"),
		"system": access.System("test")} {
		before := outcomes(t, env, "password.reset.approve", audit.Denied)
		_, err := env.App.Auth.ApproveReset(ctx, actor, pw.ID)
		wantCode(t, err, fault.Forbidden, "forbidden")
		if outcomes(t, env, "password.reset.approve", audit.Denied) != before+1 {
			t.Fatalf("%s's refused approval is not audited", who)
		}
	}
	// The immediate path refuses an administrator outright.
	err = env.App.Auth.ResetPassword(ctx, sec, aud.UserID, newPassword)
	wantCode(t, err, fault.Forbidden, "approval-required")
	err = env.App.Auth.DisableTOTP(ctx, sec, aud.UserID, "")
	wantCode(t, err, fault.Forbidden, "approval-required")
	// A second request for the same thing waits behind the first.
	_, err = env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword)
	wantCode(t, err, fault.Conflict, "reset-pending")

	// Pending, as the approvers see it.
	list, err := env.App.Auth.PendingResets(ctx, sys)
	if err != nil || len(list) != 2 || !list[0].MayDecide(sys) || list[0].MayDecide(sec) || !list[0].MayWithdraw(sec) {
		t.Fatalf("pending for sysadmin: %+v %v", list, err)
	}
	_, err = env.App.Auth.PendingResets(ctx, aud)
	wantCode(t, err, fault.Forbidden, "forbidden")

	// The second factor first: approving it leaves the password's request
	// standing (each request depends on its own credential only).
	if _, err := env.App.Auth.ApproveReset(ctx, sys, totp.ID); err != nil {
		t.Fatal(err)
	}
	// A session of the target, open before the approval.
	before, err := env.App.Auth.Login(ctx, "auditadmin", oldPassword, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	done, err := env.App.Auth.ApproveReset(ctx, sys, pw.ID)
	if err != nil || done.State != auth.ResetApplied || done.DecidedBy != sys.UserID {
		t.Fatalf("approve: %+v %v", done, err)
	}
	if !signsIn(t, env, "auditadmin", newPassword) || signsIn(t, env, "auditadmin", oldPassword) {
		t.Fatal("the approved password is not in force")
	}
	if _, err := env.App.Auth.Resume(ctx, before.Token); err == nil {
		t.Fatal("the target's session survived the approved reset")
	}
	var hash *string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT password_hash FROM credential_resets WHERE id = $1", pw.ID).Scan(&hash); err != nil || hash != nil {
		t.Fatalf("the decided request keeps a password hash: %v %v", hash, err)
	}
	// Decided once only.
	_, err = env.App.Auth.ApproveReset(ctx, sys, pw.ID)
	wantCode(t, err, fault.Conflict, "reset-decided")
	_, err = env.App.Auth.DenyReset(ctx, sys, pw.ID)
	wantCode(t, err, fault.Conflict, "reset-decided")

	if on, err := env.App.Auth.TOTPEnabled(ctx, aud.UserID); err != nil || on {
		t.Fatalf("second factor after approval: %v %v", on, err)
	}
	// Every step is in the audit log, with who asked and who approved.
	for action, want := range map[string]int{"password.reset.request": 1, "totp.disable.request": 1,
		"password.reset.approve": 1, "totp.disable.approve": 1, "password.reset": 1 + 4, "totp.disable": 1} { // 4: resetEnv's
		if n := outcomes(t, env, action, audit.OK); n != want {
			t.Errorf("%s: %d records, want %d", action, n, want)
		}
	}
	rec := records(t, env, "password.reset")[0]
	if rec.ActorID != sys.UserID || !strings.Contains(rec.Detail, `"requested_by":`) || !strings.Contains(rec.Detail, `"sessions_ended":1`) {
		t.Errorf("the reset's record: actor %d, %s", rec.ActorID, rec.Detail)
	}
	if list, _ := env.App.Auth.PendingResets(ctx, sys); len(list) != 0 {
		t.Errorf("still pending: %+v", list)
	}
}

// The target of a reset never decides it, even holding an approving role.
func TestTargetCannotApprove(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin")
	r, err := env.App.Auth.RequestReset(ctx, sec, sys.UserID, auth.TOTPReset, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.MayDecide(sys) {
		t.Fatal("the page would offer the target the approval")
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, r.ID)
	wantCode(t, err, fault.Forbidden, "forbidden")
	_, err = env.App.Auth.DenyReset(ctx, sys, r.ID)
	wantCode(t, err, fault.Forbidden, "forbidden")
	if n := outcomes(t, env, "totp.disable.deny", audit.Denied); n != 1 {
		t.Fatalf("%d refused denials audited", n)
	}
	// The requester may take it back.
	w, err := env.App.Auth.DenyReset(ctx, sec, r.ID)
	if err != nil || w.State != auth.ResetWithdrawn {
		t.Fatalf("withdraw: %+v %v", w, err)
	}
	if on, _ := env.App.Auth.TOTPEnabled(ctx, sys.UserID); !on {
		t.Fatal("a withdrawn request took effect")
	}
}

// A request nobody approved within ResetTTL lapses; one whose target changed
// meanwhile, or whose requester is no longer a security administrator, is
// void. Each refusal is audited and closes the request.
func TestResetRequestExpiresAndGoesStale(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, aud := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "auditadmin")
	state := func(id int64) string {
		t.Helper()
		var s string
		if err := env.App.DB.QueryRowContext(ctx, "SELECT state FROM credential_resets WHERE id = $1", id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Expiry.
	r, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(auth.ResetTTL)
	if list, _ := env.App.Auth.PendingResets(ctx, sys); len(list) != 0 {
		t.Fatalf("an expired request is listed: %+v", list)
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, r.ID)
	wantCode(t, err, fault.Conflict, "reset-expired")
	if state(r.ID) != "expired" || outcomes(t, env, "password.reset.approve", audit.Denied) != 1 || signsIn(t, env, "auditadmin", newPassword) {
		t.Fatalf("after a late approval: state %s", state(r.ID))
	}

	// The target changed their password after the request.
	r, err = env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.ChangePassword(ctx, aud, "", oldPassword, "Reset-Test-Own-2026"); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, r.ID)
	wantCode(t, err, fault.Conflict, "target-changed")
	if state(r.ID) != "stale" || !signsIn(t, env, "auditadmin", "Reset-Test-Own-2026") {
		t.Fatalf("after a stale approval: state %s", state(r.ID))
	}

	// The target's roles changed after the request.
	r, err = env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.TOTPReset, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Org.SetRoles(ctx, access.System("test"), aud.UserID, []access.Role{access.SysAdmin}); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, r.ID)
	wantCode(t, err, fault.Conflict, "target-changed")

	// The requester lost the security administrator's role.
	r, err = env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.TOTPReset, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Org.SetRoles(ctx, access.System("test"), sec.UserID, []access.Role{access.Dispatcher}); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, r.ID)
	wantCode(t, err, fault.Conflict, "requester-changed")
	if on, _ := env.App.Auth.TOTPEnabled(ctx, aud.UserID); !on {
		t.Fatal("a void request took effect")
	}
	if n := outcomes(t, env, "totp.disable.approve", audit.Denied); n != 2 {
		t.Fatalf("%d refused approvals audited, want 2", n)
	}
}

// A user without an administrator role is reset at once, as before; and
// the command line's system actor resets an administrator at once (the way
// back into a locked-out installation).
func TestNonAdminResetIsImmediate(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec := env.Actor(t, "secadmin")
	d := env.User(t, "dispatcher").User
	r, err := env.App.Auth.RequestReset(ctx, sec, d.ID, auth.PasswordReset, newPassword)
	if err != nil || r.State != auth.ResetApplied || r.ID != 0 {
		t.Fatalf("non-admin reset: %+v %v", r, err)
	}
	if !signsIn(t, env, "dispatcher", newPassword) {
		t.Fatal("the reset is not in force")
	}
	// A password too short is refused before anything is stored.
	_, err = env.App.Auth.RequestReset(ctx, sec, env.Actor(t, "auditadmin").UserID, auth.PasswordReset, "short")
	if fault.KindOf(err) != fault.Invalid {
		t.Fatalf("short password: %v", err)
	}
	// Only a security administrator asks.
	_, err = env.App.Auth.RequestReset(ctx, env.Actor(t, "sysadmin"), d.ID, auth.PasswordReset, newPassword)
	wantCode(t, err, fault.Forbidden, "forbidden")
	// Nobody resets their own credentials here.
	_, err = env.App.Auth.RequestReset(ctx, sec, sec.UserID, auth.TOTPReset, "")
	wantCode(t, err, fault.Forbidden, "forbidden")

	aud := env.Actor(t, "auditadmin")
	if err := env.App.Auth.ResetPassword(ctx, access.System("cli:user reset-password"), aud.UserID, newPassword); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.DisableTOTP(ctx, access.System("cli:user reset-totp"), aud.UserID, ""); err != nil {
		t.Fatal(err)
	}
	if on, _ := env.App.Auth.TOTPEnabled(ctx, aud.UserID); on || !signsIn(t, env, "auditadmin", newPassword) {
		t.Fatal("the command line's reset is not in force")
	}
	if recs := records(t, env, "totp.disable"); len(recs) == 0 || recs[0].ActorName != "cli:user reset-totp" {
		t.Fatal("the command line's reset is not audited as such")
	}
}

// Two approvals racing on one request: exactly one wins.
func TestApproveOnce(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin")
	aud := env.Actor(t, "auditadmin")
	r, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.TOTPReset, "")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := env.App.Auth.ApproveReset(ctx, sys, r.ID)
			errs <- err
		}()
	}
	ok := 0
	for range 4 {
		if err := <-errs; err == nil {
			ok++
		} else if fault.KindOf(err) != fault.Conflict {
			t.Errorf("a losing approval: %v", err)
		}
	}
	if ok != 1 || outcomes(t, env, "totp.disable", audit.OK) != 1 {
		t.Fatalf("%d approvals succeeded", ok)
	}
}
