package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pingan/internal/api"
	"pingan/internal/apptest"
	"pingan/internal/auth"
)

// The takeover over the API: the security administrator issues a token to
// an ordinary user and makes them the audit administrator. The grant is
// 202, a request; the token still cannot read the log; approved by the
// system administrator, the role is in force and the token is dead.
func TestGrantingAnAdminRoleOverHTTP(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	disp := env.User(t, "dispatcher").User.ID
	handed, _, err := env.App.Org.IssueToken(ctx, env.Actor(t, "secadmin"), disp, "handed over", 0)
	if err != nil {
		t.Fatal(err)
	}
	bearer := []string{"Authorization", "Bearer " + handed}
	problem := func(r apptest.Response, status int, code string) { t.Helper(); wantProblem(t, r, status, code) }
	path := fmt.Sprintf("/api/v1/users/%d/roles", disp)
	grant := api.RolesRequest{Roles: []string{"auditadmin"}}

	problem(env.Do(t, "PUT", path, "sysadmin", grant), http.StatusForbidden, "forbidden")
	// A combination 三员分立 forbids: the detail says what is wrong, in the
	// asker's language, as the direct path (org.SetRoles) does.
	mixed := api.RolesRequest{Roles: []string{"auditadmin", "dispatcher"}}
	for lang, want := range map[string]string{"zh-CN": "角色组合不允许：审计管理员不能兼任业务角色（派遣员）",
		"en": "role combination not allowed: the Audit administrator holds no case-work role (Dispatcher)"} {
		r := env.Do(t, "PUT", path, "secadmin", mixed, "Accept-Language", lang)
		problem(r, http.StatusUnprocessableEntity, "invalid-input")
		var p api.Problem
		if r.JSON(t, &p); p.Detail != want || len(p.Errors) != 1 || p.Errors[0].Field != "roles" || p.Errors[0].Message != want {
			t.Fatalf("%s: the refused combination's problem: %+v", lang, p)
		}
	}
	problem(env.Do(t, "PUT", path, "secadmin", api.RolesRequest{Roles: []string{"nobody"}}), http.StatusUnprocessableEntity, "invalid-input")
	problem(env.Do(t, "PUT", fmt.Sprintf("/api/v1/users/%d/roles", env.User(t, "secadmin").User.ID), "secadmin",
		api.RolesRequest{Roles: []string{"secadmin", "auditadmin"}}), http.StatusForbidden, "forbidden")

	var req api.CredentialReset
	r := env.Do(t, "PUT", path, "secadmin", grant)
	if r.JSON(t, &req); r.Status != http.StatusAccepted || req.State != "pending" || req.Kind != "roles" || req.ID == 0 ||
		len(req.Roles) != 1 || req.Roles[0] != "auditadmin" {
		t.Fatalf("grant: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "PUT", path, "secadmin", grant), http.StatusConflict, "grant-pending")
	if r := env.Do(t, "GET", "/api/v1/audit", "", nil, bearer...); r.Status != http.StatusForbidden {
		t.Fatalf("the handed-over token read the audit log while the grant waits: %d", r.Status)
	}
	var list api.CredentialResetList
	r = env.Do(t, "GET", "/api/v1/credential-resets", "sysadmin", nil)
	if r.JSON(t, &list); r.Status != 200 || len(list.Resets) != 1 || list.Resets[0].Kind != "roles" || !list.Resets[0].MayDecide {
		t.Fatalf("pending: %d %s", r.Status, r.Body)
	}
	approve := fmt.Sprintf("/api/v1/credential-resets/%d/approve", req.ID)
	for _, who := range []string{"secadmin", "dispatcher", "auditadmin"} { // requester, target, not a decider
		problem(env.Do(t, "POST", approve, who, nil), http.StatusForbidden, "forbidden")
	}
	if n := denied(t, env, "user.roles.approve", 0); n != 3 {
		t.Fatalf("%d refused approvals audited", n)
	}
	var ok api.CredentialReset
	r = env.Do(t, "POST", approve, "sysadmin", nil)
	if r.JSON(t, &ok); r.Status != 200 || ok.State != "applied" {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "GET", "/api/v1/audit", "", nil, bearer...); r.Status != http.StatusUnauthorized {
		t.Fatalf("the handed-over token after the grant: %d %s", r.Status, r.Body)
	}
	// Removing it is at once (200).
	var removed api.CredentialReset
	r = env.Do(t, "PUT", path, "secadmin", api.RolesRequest{Roles: []string{"dispatcher"}})
	if r.JSON(t, &removed); r.Status != 200 || removed.State != "applied" || removed.ID != 0 {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
	// A demoted administrator's reset is still a request for a while
	// (auth.AdminGrace); after it, the account is an ordinary one.
	if r := env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", disp), "secadmin",
		api.PasswordResetRequest{Password: "Api-Grant-Pass-2026"}); r.Status != http.StatusAccepted {
		t.Fatalf("reset of a demoted administrator: %d %s", r.Status, r.Body)
	}
	env.Clock.Advance(auth.AdminGrace + time.Minute)
	// The variant: reset the password, then ask — refused to the one who
	// reset it.
	if r := env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", disp), "secadmin",
		api.PasswordResetRequest{Password: "Api-Grant-Pass-2026"}); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "PUT", path, "secadmin", grant), http.StatusForbidden, "credentials-set-by-you")
}

// wantProblem checks that r is an RFC 9457 problem of status and code with
// a detail for people.
func wantProblem(t *testing.T, r apptest.Response, status int, code string) {
	t.Helper()
	var p api.Problem
	if r.Status != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("want %d problem, got %d %s: %s", status, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if r.JSON(t, &p); p.Code != code || p.Status != status || p.Detail == "" {
		t.Fatalf("problem %+v, want code %s", p, code)
	}
}
