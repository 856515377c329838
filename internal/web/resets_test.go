package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/audit"
)

// The takeover a security administrator could do alone — reset the audit
// administrator's password and second factor, then sign in as them and read
// the log — no longer works: both resets wait for a second administrator,
// the requester cannot approve them, and the log refuses (and records)
// the security administrator's own attempt to read it.
func TestTakeoverByResetNeedsFourEyes(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin", "secadmin", "auditadmin")
	ctx := context.Background()
	sec := signedInAdmin(t, env, "secadmin")
	aud := signedInAdmin(t, env, "auditadmin")
	audID := env.User(t, "auditadmin").User.ID
	const taken = "Taken-Over-Pass-2026"

	sec.get("/admin/users")
	if p := sec.post(fmt.Sprintf("/admin/users/%d/password", audID), url.Values{"password": {taken}}); p.Status != http.StatusSeeOther ||
		p.Location != "/admin/users?flash=admin.reset_requested#resets" {
		t.Fatalf("request a password reset: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if p := sec.post(fmt.Sprintf("/admin/users/%d/totp", audID), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("request a TOTP reset: %d\n%s", p.Status, excerpt(p.Body))
	}
	// Not in force: the new password does not sign in, the target's session
	// goes on.
	if p := newBrowser(t, env).signIn("auditadmin", taken); p.Status == http.StatusSeeOther {
		t.Fatalf("the requested password signs in before approval: %s", p.Location)
	}
	if !alive(t, env, aud.sessionOf()) {
		t.Fatal("a request ended the target's session")
	}
	pending, err := env.App.Auth.PendingResets(ctx, env.Actor(t, "sysadmin"))
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	// The requester sees the requests, may withdraw but not approve them.
	p := sec.get("/admin/users?flash=admin.reset_requested")
	mustContain(t, p, "已提出申请，须经另一名管理员批准后生效", "待批准的管理员变更", "等待另一名管理员批准", fmt.Sprintf("/admin/resets/%d/deny", pending[0].ID))
	mustNotContain(t, p, fmt.Sprintf("/admin/resets/%d/approve", pending[0].ID))
	before := auditCount(t, env, "password.reset.approve", audit.Denied)
	for _, r := range pending {
		if p := sec.post(fmt.Sprintf("/admin/resets/%d/approve", r.ID), nil); p.Status != http.StatusForbidden {
			t.Fatalf("the requester approved: %d %s", p.Status, p.Location)
		} else {
			mustContain(t, p, "申请人不能批准自己的申请")
		}
	}
	if auditCount(t, env, "password.reset.approve", audit.Denied)+auditCount(t, env, "totp.disable.approve", audit.Denied) != before+2 {
		t.Fatal("the refused approvals are not audited")
	}
	if p := newBrowser(t, env).signIn("auditadmin", taken); p.Status == http.StatusSeeOther {
		t.Fatal("the takeover worked")
	}
	// Nor may the security administrator read the log; the try is recorded.
	before = auditCount(t, env, "audit.read", audit.Denied)
	if p := sec.get("/admin/audit?action=password.reset"); p.Status != http.StatusForbidden {
		t.Fatalf("the security administrator opened the audit log: %d", p.Status)
	}
	if p := sec.post("/admin/audit/verify", nil); p.Status != http.StatusForbidden {
		t.Fatalf("the security administrator verified the audit log: %d", p.Status)
	}
	if auditCount(t, env, "audit.read", audit.Denied) != before+1 || auditCount(t, env, "audit.verify", audit.Denied) != 1 {
		t.Fatal("refused reads of the audit log are not audited")
	}

	// The system administrator, a second person, sees them on the
	// administration home and decides: denies the second factor's,
	// approves the password's.
	sys := signedInAdmin(t, env, "sysadmin")
	mustContain(t, sys.get("/admin"), "2 项管理员变更等待批准")
	p = sys.get("/admin/users")
	for _, r := range pending {
		mustContain(t, p, fmt.Sprintf("/admin/resets/%d/approve", r.ID))
	}
	var pwID, totpID int64
	for _, r := range pending {
		if r.Kind == "password" {
			pwID = r.ID
		} else {
			totpID = r.ID
		}
	}
	if p := sys.post(fmt.Sprintf("/admin/resets/%d/deny", totpID), nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "admin.reset_denied") {
		t.Fatalf("deny: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if p := sys.post(fmt.Sprintf("/admin/resets/%d/approve", pwID), nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "admin.reset_approved") {
		t.Fatalf("approve: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if alive(t, env, aud.sessionOf()) {
		t.Fatal("the target's session survived the approved reset")
	}
	// Approved, the new password signs in — to the second factor, which
	// stayed on.
	if p := newBrowser(t, env).signIn("auditadmin", taken); p.Status != http.StatusSeeOther || p.Location != "/login/totp" {
		t.Fatalf("after approval: %d %s", p.Status, p.Location)
	}
	// A decided request is decided: a second click says so on the page.
	sys.get("/admin/users")
	p = sys.post(fmt.Sprintf("/admin/resets/%d/approve", pwID), nil)
	if p.Status != http.StatusConflict && p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("approve twice: %d", p.Status)
	}
	mustContain(t, p, "该申请已处理")
	for _, action := range []string{"password.reset.request", "totp.disable.request", "password.reset.approve", "totp.disable.deny", "password.reset"} {
		if auditCount(t, env, action, audit.OK) == 0 {
			t.Errorf("no %s record", action)
		}
	}
}

// A reset of a user without an administrator role stays one step, and the
// page says which kind of reset a row offers.
func TestNonAdminResetOnThePage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "secadmin", "dispatcher")
	sec := signedInAdmin(t, env, "secadmin")
	mustContain(t, sec.get("/admin/users"), "没有待批准的申请")
	// An administrator's page offers to request a reset; another's, to reset.
	mustContain(t, sec.get(fmt.Sprintf("/admin/users/%d", env.User(t, "auditadmin").User.ID)), "申请重置密码")
	p := sec.get(fmt.Sprintf("/admin/users/%d", env.User(t, "dispatcher").User.ID))
	mustContain(t, p, "重置密码")
	mustNotContain(t, p, "申请重置密码")
	if p := sec.post(fmt.Sprintf("/admin/users/%d/password", env.User(t, "dispatcher").User.ID),
		url.Values{"password": {"Non-Admin-Reset-2026"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "admin.saved") {
		t.Fatalf("non-admin reset: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if p := newBrowser(t, env).signIn("dispatcher", "Non-Admin-Reset-2026"); p.Status != http.StatusSeeOther {
		t.Fatalf("the reset password: %d", p.Status)
	}
	// In English too.
	sec.lang = "en"
	sec.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, sec.get("/admin/users"), "Changes to administrators waiting for approval")
}
