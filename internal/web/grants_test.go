package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/audit"
)

// Granting an administrator role on 用户与权限: the security administrator's
// ticked box is a request; the page shows it pending, the requester may
// only withdraw it; the system administrator approves; the new audit
// administrator's sessions end and they enrol a second factor at sign-in.
// Whoever reset the account's password is refused, in Chinese.
func TestGrantAdminRoleOnThePage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin", "secadmin", "dispatcher")
	sec := signedInAdmin(t, env, "secadmin")
	disp := signedIn(t, env, "dispatcher")
	dispID := env.User(t, "dispatcher").User.ID
	roles := fmt.Sprintf("/admin/users/%d/roles", dispID)

	sec.get("/admin/users")
	p := sec.post(roles, url.Values{"role": {"auditadmin"}})
	if p.Status != http.StatusSeeOther || p.Location != "/admin/users?flash=admin.grant_requested#resets" {
		t.Fatalf("grant: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if !alive(t, env, disp.sessionOf()) {
		t.Fatal("a request ended the target's session")
	}
	p = sec.get("/admin/users?flash=admin.grant_requested")
	mustContain(t, p, "已提出授予管理员角色的申请", "待批准的管理员变更", "授予角色：审计管理员", "等待另一名管理员批准")
	pending, err := env.App.Auth.PendingResets(t.Context(), env.Actor(t, "sysadmin"))
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	id := pending[0].ID
	mustNotContain(t, p, fmt.Sprintf("/admin/resets/%d/approve", id))
	if p := sec.post(fmt.Sprintf("/admin/resets/%d/approve", id), nil); p.Status != http.StatusForbidden {
		t.Fatalf("the requester approved: %d", p.Status)
	} else {
		mustContain(t, p, "申请人不能批准自己的申请")
	}

	sys := signedInAdmin(t, env, "sysadmin")
	mustContain(t, sys.get("/admin"), "1 项管理员变更等待批准")
	mustContain(t, sys.get("/admin/users"), fmt.Sprintf("/admin/resets/%d/approve", id))
	if p := sys.post(fmt.Sprintf("/admin/resets/%d/approve", id), nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "admin.reset_approved") {
		t.Fatalf("approve: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if alive(t, env, disp.sessionOf()) {
		t.Fatal("the new administrator's session survived the grant")
	}
	if p := newBrowser(t, env).signIn("dispatcher", password); p.Status != http.StatusSeeOther || p.Location != "/login/enroll" {
		t.Fatalf("the new administrator's sign-in: %d %s", p.Status, p.Location)
	}
	for _, action := range []string{"user.roles.request", "user.roles.approve", "user.roles"} {
		if auditCount(t, env, action, audit.OK) == 0 {
			t.Errorf("no %s record", action)
		}
	}

	// Removing is immediate; asking again after resetting the password is
	// refused to the one who reset it, with the reason on the page.
	sec.get("/admin/users")
	if p := sec.post(roles, url.Values{"role": {"callback"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "admin.saved") {
		t.Fatalf("remove: %d %s", p.Status, p.Location)
	}
	if p := sec.post(fmt.Sprintf("/admin/users/%d/password", dispID), url.Values{"password": {"Grant-Page-Pass-2026"}}); p.Status != http.StatusSeeOther ||
		!strings.Contains(p.Location, "admin.reset_requested") {
		// Held an administrator role within auth.AdminGrace: a request.
		t.Fatalf("reset: %d %s", p.Status, p.Location)
	}
	approveAll(t, env, sys)
	sec.get("/admin/users")
	p = sec.post(roles, url.Values{"role": {"auditadmin"}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("grant after a reset: %d %s", p.Status, p.Location)
	}
	mustContain(t, p, "该账号的密码或两步验证是您设置或重置的")
}

// approveAll approves, as the browser b's administrator, every change to
// administrators waiting for approval.
func approveAll(t testing.TB, env *apptest.Env, b *browser) {
	t.Helper()
	pending, err := env.App.Auth.PendingResets(t.Context(), env.Actor(t, "sysadmin"))
	if err != nil {
		t.Fatal(err)
	}
	b.get("/admin/users")
	for _, r := range pending {
		if p := b.post(fmt.Sprintf("/admin/resets/%d/approve", r.ID), nil); p.Status != http.StatusSeeOther {
			t.Fatalf("approve %d: %d\n%s", r.ID, p.Status, excerpt(p.Body))
		}
	}
}
