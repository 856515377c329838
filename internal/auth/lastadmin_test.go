package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// addAdmin adds another holder of an administrator role, with a password.
func addAdmin(t *testing.T, env *apptest.Env, username string, role access.Role) access.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: username, Name: username,
		UnitID: env.User(t, "secadmin").User.UnitID, Roles: []access.Role{role}, Password: oldPassword})
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Org.Actor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Stripping the only audit administrator of the role, or disabling their
// account, would leave nobody to read the log: refused, audited. With a
// second enabled holder either is allowed, and the last one left is kept.
func TestTheLastEnabledAdministratorOfAKindStays(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, aud := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "auditadmin")

	before := outcomes(t, env, "user.roles", audit.Denied)
	_, err := env.App.Auth.SetRoles(ctx, sec, aud.UserID, []access.Role{access.Leader})
	wantCode(t, err, fault.Conflict, "last-admin")
	if fe, _ := fault.As(err); !strings.Contains(fe.Msg.Format(i18n.ZH, fe.Args...), "审计管理员") {
		t.Errorf("refusal names no role: %v", err)
	}
	if outcomes(t, env, "user.roles", audit.Denied) != before+1 {
		t.Error("refused removal not audited")
	}
	if !hasRole(t, env, aud.UserID, access.AuditAdmin) {
		t.Fatal("the only audit administrator lost the role")
	}
	before = outcomes(t, env, "user.disable", audit.Denied)
	_, err = env.App.Org.SetUserDisabled(ctx, sys, aud.UserID, true)
	wantCode(t, err, fault.Conflict, "last-admin")
	if outcomes(t, env, "user.disable", audit.Denied) != before+1 {
		t.Error("refused disabling not audited")
	}
	if u, err := env.App.Org.User(ctx, env.App.DB, aud.UserID); err != nil || !u.DisabledAt.IsZero() {
		t.Fatalf("the only audit administrator disabled: %+v %v", u, err)
	}
	// The only security administrator is kept too (the system may).
	_, err = env.App.Org.SetUserDisabled(ctx, sys, sec.UserID, true)
	wantCode(t, err, fault.Conflict, "last-admin")

	// A second audit administrator: one of the two may go, not both.
	aud2 := addAdmin(t, env, "auditadmin2", access.AuditAdmin)
	if _, err := env.App.Org.SetUserDisabled(ctx, sys, aud2.UserID, true); err != nil {
		t.Fatal(err)
	}
	// A disabled holder counts for nobody.
	_, err = env.App.Auth.SetRoles(ctx, sec, aud.UserID, nil)
	wantCode(t, err, fault.Conflict, "last-admin")
	if _, err := env.App.Org.SetUserDisabled(ctx, sys, aud2.UserID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Auth.SetRoles(ctx, sec, aud.UserID, []access.Role{access.Leader}); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Org.SetUserDisabled(ctx, sys, aud2.UserID, true)
	wantCode(t, err, fault.Conflict, "last-admin")
	// The command line recovers an installation as it must.
	if _, err := env.App.Org.SetUserDisabled(ctx, access.System("test"), aud2.UserID, true); err != nil {
		t.Fatal(err)
	}
}

// A demoted administrator is still an administrator for a reset for
// AdminGrace: one security administrator may not strip another's role and
// then reset their password and second factor at once.
func TestAResetOfADemotedAdministratorNeedsApprovalForAWhile(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec := env.Actor(t, "secadmin")
	sec2 := addAdmin(t, env, "secadmin2", access.SecAdmin)
	if _, err := env.App.Auth.SetRoles(ctx, sec, sec2.UserID, []access.Role{access.Leader}); err != nil {
		t.Fatal(err)
	}
	err := env.App.Auth.ResetPassword(ctx, sec, sec2.UserID, newPassword)
	wantCode(t, err, fault.Forbidden, "approval-required")
	if signsIn(t, env, "secadmin2", newPassword) {
		t.Fatal("a demoted administrator's password was reset at once")
	}
	r, err := env.App.Auth.RequestReset(ctx, sec, sec2.UserID, auth.TOTPReset, "")
	if err == nil || r.State == auth.ResetApplied {
		// secadmin2 has no second factor here: totp-off is the refusal.
		t.Fatalf("reset of second factor: %+v %v", r, err)
	}
	r, err = env.App.Auth.RequestReset(ctx, sec, sec2.UserID, auth.PasswordReset, newPassword)
	if err != nil || r.State != auth.ResetPending {
		t.Fatalf("request: %+v %v", r, err)
	}
	if _, err := env.App.Auth.DenyReset(ctx, sec, r.ID); err != nil {
		t.Fatal(err)
	}
	// After AdminGrace the account is an ordinary one again.
	env.Clock.Advance(auth.AdminGrace + time.Minute)
	if err := env.App.Auth.ResetPassword(ctx, sec, sec2.UserID, newPassword); err != nil {
		t.Fatal(err)
	}
	if !signsIn(t, env, "secadmin2", newPassword) {
		t.Fatal("the reset after the grace did not take")
	}
}

// A security administrator may not lift an administrator's lockout (again
// and again, guessing meanwhile); the command line may, and anyone's but
// an administrator's stays a security administrator's to lift.
func TestOnlyTheCommandLineUnlocksAnAdministrator(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, aud, disp := env.Actor(t, "secadmin"), env.Actor(t, "auditadmin"), env.Actor(t, "dispatcher")
	until := env.Clock.Now().Add(time.Hour)
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 5, locked_until = $1 WHERE id IN ($2, $3)",
			until.UnixMicro(), aud.UserID, disp.UserID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := outcomes(t, env, "user.unlock", audit.Denied)
	err := env.App.Auth.Unlock(ctx, sec, aud.UserID)
	wantCode(t, err, fault.Forbidden, "admin-unlock")
	if outcomes(t, env, "user.unlock", audit.Denied) != before+1 {
		t.Error("refused unlock not audited")
	}
	if at, err := env.App.Auth.LockedUntil(ctx, aud.UserID); err != nil || at.IsZero() {
		t.Fatalf("administrator unlocked: %v %v", at, err)
	}
	if err := env.App.Auth.Unlock(ctx, access.System("test"), aud.UserID); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.Unlock(ctx, sec, disp.UserID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{aud.UserID, disp.UserID} {
		if at, err := env.App.Auth.LockedUntil(ctx, id); err != nil || !at.IsZero() {
			t.Fatalf("user %d still locked: %v %v", id, at, err)
		}
	}
}

// Refusals decided inside a transaction are recorded after it: a duplicate
// request, a grant of a forbidden combination, a second factor that is not
// on, a request that does not exist.
func TestRefusedRequestsAreAudited(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, aud, disp := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "auditadmin"), env.Actor(t, "dispatcher")

	if _, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword); err != nil {
		t.Fatal(err)
	}
	before := outcomes(t, env, "password.reset.request", audit.Denied)
	_, err := env.App.Auth.RequestReset(ctx, sec, aud.UserID, auth.PasswordReset, newPassword)
	wantCode(t, err, fault.Conflict, "reset-pending")
	if outcomes(t, env, "password.reset.request", audit.Denied) != before+1 {
		t.Error("duplicate reset request not audited")
	}

	if _, err := env.App.Auth.SetRoles(ctx, sec, disp.UserID, []access.Role{access.AuditAdmin}); err != nil {
		t.Fatal(err)
	}
	before = outcomes(t, env, "user.roles.request", audit.Denied)
	_, err = env.App.Auth.SetRoles(ctx, sec, disp.UserID, []access.Role{access.AuditAdmin})
	wantCode(t, err, fault.Conflict, "grant-pending")
	_, err = env.App.Auth.SetRoles(ctx, sec, disp.UserID, []access.Role{access.AuditAdmin, access.SysAdmin})
	if fault.KindOf(err) != fault.Invalid {
		t.Fatalf("forbidden combination: %v", err)
	}
	if outcomes(t, env, "user.roles.request", audit.Denied) != before+2 {
		t.Error("duplicate grant or forbidden combination not audited")
	}

	before = outcomes(t, env, "totp.disable", audit.Denied)
	_, err = env.App.Auth.RequestReset(ctx, sec, disp.UserID, auth.TOTPReset, "")
	wantCode(t, err, fault.Conflict, "totp-off")
	if outcomes(t, env, "totp.disable", audit.Denied) != before+1 {
		t.Error("totp-off not audited")
	}

	before = outcomes(t, env, "credential_reset.approve", audit.Denied)
	_, err = env.App.Auth.ApproveReset(ctx, sys, 987654)
	if fault.KindOf(err) != fault.NotFound {
		t.Fatalf("approve a request that does not exist: %v", err)
	}
	if outcomes(t, env, "credential_reset.approve", audit.Denied) != before+1 {
		t.Error("approval of a missing request not audited")
	}
}
