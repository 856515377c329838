package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/auth"
)

// 用户与权限 in a real browser, about the changes to administrators: the
// table of requests waiting for approval says what each asks for (a
// password reset, a grant of a role) under headings that fit both; an
// account that lost an administrator role within auth.AdminGrace is
// marked, with the day it stops counting as one in the city's time; a
// role combination 三员分立 forbids is refused with the reason, not a
// generic "invalid value"; the administrators who may decide a request
// find it in their inbox, its requester does not.
func TestBrowserChangesToAdministrators(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "sysadmin", "secadmin")
	ctx := t.Context()
	sec := env.Actor(t, "secadmin")
	if r, err := env.App.Auth.RequestReset(ctx, sec, env.User(t, "auditadmin").User.ID, auth.PasswordReset, "Changes-Page-Pass-2026"); err != nil || r.State != auth.ResetPending {
		t.Fatalf("reset: %+v %v", r, err)
	}
	if r, err := env.App.Auth.SetRoles(ctx, sec, env.User(t, "dispatcher").User.ID, []access.Role{access.AuditAdmin}); err != nil || r.State != auth.ResetPending {
		t.Fatalf("grant: %+v %v", r, err)
	}
	// The leader was a system administrator until now.
	leader := env.User(t, "leader").User.ID
	if _, err := env.App.Auth.SetRoles(ctx, access.System("test"), leader, []access.Role{access.SysAdmin}); err != nil {
		t.Fatal(err)
	}
	lost := env.Clock.Now()
	if _, err := env.App.Org.SetRoles(ctx, sec, leader, []access.Role{access.Leader}); err != nil {
		t.Fatal(err)
	}

	u.signInAdmin(env, "sysadmin")
	u.open("/admin/users")
	if heads := get(u, "headings", chromedp.Text(chromedp.CSS(`#resets thead`))); !strings.Contains(heads, "目标账号") ||
		!strings.Contains(heads, "申请内容") || strings.Contains(heads, "重置") {
		t.Errorf("the requests' headings: %q", heads)
	}
	rows := get(u, "requests", chromedp.Evaluate[[]string](`Array.prototype.map.call(document.querySelectorAll("#resets tbody tr"),
		function (tr) { return tr.cells[0].innerText + "|" + tr.cells[1].innerText; })`))
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "auditadmin") || !strings.HasSuffix(rows[0], "|重置密码") ||
		!strings.HasPrefix(rows[1], "dispatcher") || !strings.HasSuffix(rows[1], "|授予角色：审计管理员") {
		t.Errorf("the requests: %q", rows)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	badges := get(u, "former administrators", chromedp.Evaluate[[]string](`Array.prototype.map.call(document.querySelectorAll(".former-admin"),
		function (b) { return b.closest("tr").querySelector("code").innerText + "|" + b.innerText; })`))
	want := "leader|近期卸任管理员，" + lost.Add(auth.AdminGrace).In(shanghai).Format("2006-01-02 15:04") + " 前按管理员对待"
	if len(badges) != 1 || badges[0] != want {
		t.Errorf("the marks of former administrators: %q, want %q", badges, want)
	}
	// Each request is in the inbox of the system administrator, who may
	// decide it, newest first.
	u.open("/inbox")
	notices := get(u, "inbox", chromedp.Evaluate[[]string](`Array.prototype.map.call(document.querySelectorAll(".inbox-list li strong"),
		function (s) { return s.innerText; })`))
	if len(notices) != 2 || !strings.HasPrefix(notices[0], "管理员变更待批准：授予角色：审计管理员，账号 dispatcher") ||
		!strings.HasPrefix(notices[1], "管理员变更待批准：重置密码，账号 auditadmin") {
		t.Errorf("the system administrator's inbox: %q", notices)
	}
	u.signOut()

	// The security administrator ticks 审计管理员 beside 核查员.
	u.signInAdmin(env, "secadmin")
	u.open("/inbox")
	if inbox := get(u, "inbox", chromedp.Text(chromedp.CSS(`main`))); strings.Contains(inbox, "管理员变更待批准") {
		t.Errorf("the requester is asked to approve their own requests: %q", inbox)
	}
	// From the list to the account's page, and its roles form.
	verifier := env.User(t, "verifier").User.ID
	u.open("/admin/users?q=verifier")
	u.load("open the account", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/admin/users/%d"]`, verifier))))
	form := fmt.Sprintf(`form[action="/admin/users/%d/roles"]`, verifier)
	u.run("tick 审计管理员", chromedp.Click(chromedp.CSS(form+` input[value=auditadmin]`)))
	u.load("grant", chromedp.Click(chromedp.CSS(form+" button")))
	if msg := get(u, "refusal", chromedp.Text(chromedp.CSS(`.flash.err`))); !strings.Contains(msg, "角色组合不允许：审计管理员不能兼任业务角色（核查员）") {
		t.Errorf("the refused combination: %q", msg)
	}
}
