package auth_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// secondSecAdmin adds another security administrator (the command line may
// give roles at creation) and returns their actor.
func secondSecAdmin(t *testing.T, env *apptest.Env) access.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: "secadmin2", Name: "第二安全管理员",
		UnitID: env.User(t, "secadmin").User.UnitID, Roles: []access.Role{access.SecAdmin}, Password: oldPassword})
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Org.Actor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func hasRole(t *testing.T, env *apptest.Env, userID int64, r access.Role) bool {
	t.Helper()
	u, err := env.App.Org.User(context.Background(), env.App.DB, userID)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Contains(u.Roles, r)
}

// The takeover that was left: a security administrator issues a token to
// an ordinary user, makes that user the audit administrator and reads the
// log with the token. Now the grant waits for a second administrator, the
// token is still an ordinary user's meanwhile, and it is revoked when the
// grant takes effect; the new audit administrator enrols a second factor
// at the next sign-in.
func TestGrantingAnAdminRoleNeedsASecondAdministrator(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, disp := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "dispatcher")
	token, _, err := env.App.Org.IssueToken(ctx, sec, disp.UserID, "handed over", 0)
	if err != nil {
		t.Fatal(err)
	}
	roles := []access.Role{access.AuditAdmin}

	// The one-step path refuses a grant to anyone but the system, audited.
	before := outcomes(t, env, "user.roles", audit.Denied)
	_, err = env.App.Org.SetRoles(ctx, sec, disp.UserID, roles)
	wantCode(t, err, fault.Forbidden, "approval-required")
	if outcomes(t, env, "user.roles", audit.Denied) != before+1 {
		t.Fatal("the refused grant is not audited")
	}

	req, err := env.App.Auth.SetRoles(ctx, sec, disp.UserID, roles)
	if err != nil || req.State != auth.ResetPending || req.Kind != auth.RoleGrant || req.ID == 0 {
		t.Fatalf("grant: %+v %v", req, err)
	}
	_, err = env.App.Auth.SetRoles(ctx, sec, disp.UserID, []access.Role{access.SecAdmin})
	wantCode(t, err, fault.Conflict, "grant-pending")
	if hasRole(t, env, disp.UserID, access.AuditAdmin) {
		t.Fatal("the grant took effect before approval")
	}
	if a, err := env.App.Org.Authenticate(ctx, token); err != nil || a.Has(access.AuditAdmin) {
		t.Fatalf("the handed-over token before approval: %+v %v", a, err)
	} else if audit.MayRead(a) {
		t.Fatal("the handed-over token reads the audit log")
	}
	pending, err := env.App.Auth.PendingResets(ctx, sys)
	if err != nil || len(pending) != 1 || !slices.Equal(pending[0].Roles, roles) || !pending[0].MayDecide(sys) || pending[0].MayDecide(sec) {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	// Neither the requester, nor the target, nor a case worker approves.
	for _, actor := range []access.Actor{sec, disp, env.Actor(t, "auditadmin")} {
		_, err := env.App.Auth.ApproveReset(ctx, actor, req.ID)
		if fe, ok := fault.As(err); !ok || fe.Kind != fault.Forbidden {
			t.Fatalf("%s approved: %v", actor.Username, err)
		}
	}
	if n := outcomes(t, env, "user.roles.approve", audit.Denied); n != 3 {
		t.Fatalf("%d refused approvals audited, want 3", n)
	}
	if !signsIn(t, env, "dispatcher", oldPassword) {
		t.Fatal("dispatcher cannot sign in")
	}

	done, err := env.App.Auth.ApproveReset(ctx, sys, req.ID)
	if err != nil || done.State != auth.ResetApplied || done.DecidedBy != sys.UserID {
		t.Fatalf("approve: %+v %v", done, err)
	}
	if !hasRole(t, env, disp.UserID, access.AuditAdmin) || hasRole(t, env, disp.UserID, access.Dispatcher) {
		t.Fatal("the approved roles are not the ones asked for")
	}
	if _, err := env.App.Org.Authenticate(ctx, token); err == nil {
		t.Fatal("a token another administrator issued became an audit administrator's")
	}
	recs := records(t, env, "user.roles") // the fixture's own token and the one handed over
	var d struct {
		TokensRevoked int64 `json:"tokens_revoked"`
		ApprovedBy    int64 `json:"approved_by"`
		RequestedBy   int64 `json:"requested_by"`
	}
	if len(recs) == 0 || recs[0].Outcome != audit.OK || json.Unmarshal([]byte(recs[0].Detail), &d) != nil ||
		d.TokensRevoked != 2 || d.ApprovedBy != sys.UserID || d.RequestedBy != sec.UserID {
		t.Fatalf("the grant's record: %+v", recs)
	}
	for _, action := range []string{"user.roles.request", "user.roles.approve"} {
		if outcomes(t, env, action, audit.OK) != 1 {
			t.Errorf("no %s record", action)
		}
	}
	// The new administrator signs in to the enrolment of a second factor.
	s, err := env.App.Auth.Login(ctx, "dispatcher", oldPassword, "127.0.0.1", "test")
	if err != nil || s.Stage != auth.StageEnroll {
		t.Fatalf("sign-in after the grant: %+v %v", s, err)
	}
	// Nor can the requester now issue the new administrator a token.
	if _, _, err := env.App.Org.IssueToken(ctx, sec, disp.UserID, "again", 0); fault.KindOf(err) != fault.Forbidden {
		t.Fatalf("a token for the new administrator: %v", err)
	}
	// Removing the role is immediate.
	res, err := env.App.Auth.SetRoles(ctx, sec, disp.UserID, []access.Role{access.Dispatcher})
	if err != nil || res.State != auth.ResetApplied || hasRole(t, env, disp.UserID, access.AuditAdmin) {
		t.Fatalf("remove: %+v %v", res, err)
	}
}

// The variant: reset an ordinary user's password (one step), then ask for
// an administrator role and sign in as them. Whoever reset the password
// may neither ask for the role nor approve it; nobody may ask within
// GrantHold of the reset; a reset after the request voids it.
func TestGrantAfterAResetIsRefused(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys, disp := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "dispatcher")
	sec2 := secondSecAdmin(t, env)
	roles := []access.Role{access.AuditAdmin}

	resetAt := env.Clock.Now()
	if err := env.App.Auth.ResetPassword(ctx, sec, disp.UserID, newPassword); err != nil {
		t.Fatal(err)
	}
	_, err := env.App.Auth.SetRoles(ctx, sec, disp.UserID, roles)
	wantCode(t, err, fault.Forbidden, "credentials-set-by-you")
	_, err = env.App.Auth.SetRoles(ctx, sec2, disp.UserID, roles)
	wantCode(t, err, fault.Conflict, "credentials-recently-reset")
	// The day the hold ends, in the city's time as every page gives times
	// (09:00 in Xiamen, not 01:00 UTC).
	shanghai, err2 := time.LoadLocation("Asia/Shanghai")
	if err2 != nil {
		t.Fatal(err2)
	}
	fe, _ := fault.As(err)
	want := resetAt.Add(auth.GrantHold).In(shanghai).Format("2006-01-02 15:04")
	if msg := fe.Msg.Format(i18n.ZH, fe.Args...); !strings.Contains(msg, want) || strings.Contains(msg, "UTC") {
		t.Fatalf("the hold's end: %q, want %s", msg, want)
	}
	if n := outcomes(t, env, "user.roles.request", audit.Denied); n != 2 {
		t.Fatalf("%d refused requests audited, want 2", n)
	}
	// The holder changing the password does not lift it: whoever reset it
	// could do that as the holder.
	if err := env.App.Auth.ChangePassword(ctx, disp, "", newPassword, oldPassword); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Auth.SetRoles(ctx, sec2, disp.UserID, roles)
	wantCode(t, err, fault.Conflict, "credentials-recently-reset")

	env.Clock.Advance(auth.GrantHold + time.Hour)
	req, err := env.App.Auth.SetRoles(ctx, sec2, disp.UserID, roles)
	if err != nil || req.State != auth.ResetPending {
		t.Fatalf("request after the hold: %+v %v", req, err)
	}
	// The one who reset the password is no second pair of eyes.
	_, err = env.App.Auth.ApproveReset(ctx, sec, req.ID)
	wantCode(t, err, fault.Forbidden, "credentials-set-by-you")

	// A reset after the request (an ordinary user's: at once) voids it.
	if err := env.App.Auth.ResetPassword(ctx, sec, disp.UserID, newPassword); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, req.ID)
	wantCode(t, err, fault.Conflict, "target-changed")
	if hasRole(t, env, disp.UserID, access.AuditAdmin) {
		t.Fatal("a void grant took effect")
	}

	// Later, an account nobody else set credentials for recently: granted
	// on a second administrator's approval.
	env.Clock.Advance(auth.GrantHold + time.Hour)
	req, err = env.App.Auth.SetRoles(ctx, sec2, disp.UserID, roles)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Auth.ApproveReset(ctx, sys, req.ID); err != nil {
		t.Fatal(err)
	}
	if !hasRole(t, env, disp.UserID, access.AuditAdmin) {
		t.Fatal("the approved grant is not in force")
	}
}

// The system administrator who created an account knows its first
// password: they may not approve making it an administrator. The requester
// may withdraw, a second administrator deny; the system grants at once.
func TestGrantByCreatorWithdrawDenyAndSystem(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin")
	sec2 := secondSecAdmin(t, env)
	u, err := env.App.Org.CreateUser(ctx, sys, org.UserInput{Username: "newauditor", Name: "新审计员",
		UnitID: env.User(t, "auditadmin").User.UnitID, Password: oldPassword})
	if err != nil {
		t.Fatal(err)
	}
	roles := []access.Role{access.AuditAdmin}
	req, err := env.App.Auth.SetRoles(ctx, sec, u.ID, roles)
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, req.ID)
	wantCode(t, err, fault.Forbidden, "credentials-set-by-you")

	// Withdrawn by its requester; denied by a second administrator.
	if r, err := env.App.Auth.DenyReset(ctx, sec, req.ID); err != nil || r.State != auth.ResetWithdrawn {
		t.Fatalf("withdraw: %+v %v", r, err)
	}
	req, err = env.App.Auth.SetRoles(ctx, sec, u.ID, roles)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := env.App.Auth.DenyReset(ctx, sec2, req.ID); err != nil || r.State != auth.ResetDenied {
		t.Fatalf("deny: %+v %v", r, err)
	}
	// The second security administrator approves a fresh request.
	req, err = env.App.Auth.SetRoles(ctx, sec, u.ID, roles)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Auth.ApproveReset(ctx, sec2, req.ID); err != nil {
		t.Fatal(err)
	}
	if !hasRole(t, env, u.ID, access.AuditAdmin) {
		t.Fatal("not granted")
	}
	// The system (command line) grants at once, and the grant still
	// revokes the account's tokens.
	disp := env.Actor(t, "dispatcher")
	if _, _, err := env.App.Org.IssueToken(ctx, sec, disp.UserID, "t", 0); err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Auth.SetRoles(ctx, access.System("test"), disp.UserID, []access.Role{access.SysAdmin})
	if err != nil || res.State != auth.ResetApplied || !hasRole(t, env, disp.UserID, access.SysAdmin) {
		t.Fatalf("system grant: %+v %v", res, err)
	}
	toks, err := env.App.Org.Tokens(ctx, access.System("test"), disp.UserID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.RevokedAt.IsZero() {
			t.Fatalf("token %d survived a grant of an administrator role", tk.ID)
		}
	}
	// A request for one's own roles, and by a non-security administrator.
	_, err = env.App.Auth.SetRoles(ctx, sec, sec.UserID, []access.Role{access.SecAdmin, access.AuditAdmin})
	wantCode(t, err, fault.Forbidden, "forbidden")
	_, err = env.App.Auth.SetRoles(ctx, sys, env.Actor(t, "leader").UserID, roles)
	wantCode(t, err, fault.Forbidden, "forbidden")
}
