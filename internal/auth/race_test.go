package auth_test

import (
	"context"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/auth"
	"pingan/internal/db"
	"pingan/internal/fault"
)

// A reset of an ordinary user whose account is made an administrator's
// between reset's check of its roles and its write is not applied at
// once: the roles are read again under the lock on the user's row, and
// the reset becomes a request (RequestReset) or is refused (ResetPassword).
func TestResetOfAUserWhoBecomesAnAdministrator(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, disp := env.Actor(t, "secadmin"), env.Actor(t, "dispatcher")
	grant := func() {
		if _, err := env.App.Org.SetRoles(ctx, access.System("test"), disp.UserID, []access.Role{access.AuditAdmin}); err != nil {
			t.Error(err)
		}
	}
	restore := auth.SetResetHook(grant)
	err := env.App.Auth.ResetPassword(ctx, sec, disp.UserID, newPassword)
	restore()
	wantCode(t, err, fault.Forbidden, "approval-required")
	if signsIn(t, env, "dispatcher", newPassword) {
		t.Fatal("the resetter chose a new administrator's password")
	}

	// Back to an ordinary user; the request form queues the reset.
	if _, err := env.App.Org.SetRoles(ctx, access.System("test"), disp.UserID, []access.Role{access.Dispatcher}); err != nil {
		t.Fatal(err)
	}
	restore = auth.SetResetHook(grant)
	r, err := env.App.Auth.RequestReset(ctx, sec, disp.UserID, auth.PasswordReset, newPassword)
	restore()
	if err != nil || r.State != auth.ResetPending || r.ID == 0 {
		t.Fatalf("reset of a user made an administrator meanwhile: %+v %v", r, err)
	}
	if signsIn(t, env, "dispatcher", newPassword) {
		t.Fatal("a queued reset took effect")
	}
}

// A grant request whose requester set the account's credentials, or that
// falls within GrantHold of an administrator's reset, is void at approval
// even when its stamp matches (a reset that committed just before the
// request's transaction stamped it).
func TestApprovalRechecksTheSetterAndTheHold(t *testing.T) {
	for _, c := range []struct {
		name string
		by   func(req, other access.Actor) int64
		at   bool
		code string
	}{
		{"requester set them", func(req, _ access.Actor) int64 { return req.UserID }, false, "credentials-set-by-requester"},
		{"reset within the hold", func(_, other access.Actor) int64 { return other.UserID }, true, "credentials-recently-reset"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := resetEnv(t)
			ctx := context.Background()
			sec, sys, disp := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin"), env.Actor(t, "dispatcher")
			sec2 := secondSecAdmin(t, env)
			req, err := env.App.Auth.SetRoles(ctx, sec, disp.UserID, []access.Role{access.AuditAdmin})
			if err != nil || req.State != auth.ResetPending {
				t.Fatalf("request: %+v %v", req, err)
			}
			var at any
			if c.at {
				at = env.Clock.Now().Add(-time.Hour).UnixMicro()
			}
			if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE users SET credentials_set_by = $1, credentials_reset_at = $2 WHERE id = $3",
					c.by(sec, sec2), at, disp.UserID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			stamp, err := env.App.Auth.Stamp(ctx, disp.UserID, auth.RoleGrant)
			if err != nil {
				t.Fatal(err)
			}
			if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE credential_resets SET stamp = $1 WHERE id = $2", stamp, req.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			_, err = env.App.Auth.ApproveReset(ctx, sys, req.ID)
			wantCode(t, err, fault.Conflict, c.code)
			if hasRole(t, env, disp.UserID, access.AuditAdmin) {
				t.Fatal("granted")
			}
			list, err := env.App.Auth.PendingResets(ctx, sys)
			if err != nil || len(list) != 0 {
				t.Fatalf("the void request is still pending: %+v %v", list, err)
			}
		})
	}
}

// The approve button is not offered to whoever set the account's
// credentials (ApproveReset would refuse them).
func TestMayDecideAppliesTheSetterRule(t *testing.T) {
	env := resetEnv(t)
	ctx := context.Background()
	sec, sys := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin")
	sec2 := secondSecAdmin(t, env)
	disp := env.Actor(t, "dispatcher")
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET credentials_set_by = $1 WHERE id = $2", sys.UserID, disp.UserID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Auth.SetRoles(ctx, sec, disp.UserID, []access.Role{access.AuditAdmin}); err != nil {
		t.Fatal(err)
	}
	list, err := env.App.Auth.PendingResets(ctx, sys)
	if err != nil || len(list) != 1 {
		t.Fatalf("pending: %+v %v", list, err)
	}
	if list[0].MayDecide(sys) || !list[0].MayDecide(sec2) {
		t.Fatalf("MayDecide: setter %v, second administrator %v", list[0].MayDecide(sys), list[0].MayDecide(sec2))
	}
	_, err = env.App.Auth.ApproveReset(ctx, sys, list[0].ID)
	wantCode(t, err, fault.Forbidden, "credentials-set-by-you")
}
