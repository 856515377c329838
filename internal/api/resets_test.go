package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"pingan/internal/api"
	"pingan/internal/apptest"
	"pingan/internal/audit"
)

func denied(t *testing.T, env *apptest.Env, action string, actorID int64) int {
	t.Helper()
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: action, ActorID: actorID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Outcome == audit.Denied {
			n++
		}
	}
	return n
}

// Resets over HTTP: a non-administrator's at once, an administrator's a
// request that only a second administrator puts in force; refusals are
// RFC 9457 problems (403, 404, 409).
func TestCredentialResetsOverHTTP(t *testing.T) {
	env := apptest.New(t)
	dispatcher, auditor := env.User(t, "dispatcher").User.ID, env.User(t, "auditadmin").User.ID
	body := api.PasswordResetRequest{Password: "Api-Reset-Pass-2026"}
	problem := func(r apptest.Response, status int, code string) { t.Helper(); wantProblem(t, r, status, code) }

	var done api.CredentialReset
	r := env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", dispatcher), "secadmin", body)
	if r.JSON(t, &done); r.Status != http.StatusOK || done.State != "applied" || done.ID != 0 {
		t.Fatalf("non-admin reset: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", dispatcher), "secadmin",
		api.PasswordResetRequest{Password: "short"}), http.StatusUnprocessableEntity, "invalid-input")
	problem(env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", dispatcher), "sysadmin", body), http.StatusForbidden, "forbidden")
	problem(env.Do(t, "POST", "/api/v1/users/999999/password-reset", "secadmin", body), http.StatusNotFound, "not-found")
	problem(env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/totp-reset", auditor), "secadmin", nil), http.StatusConflict, "totp-off")

	var req api.CredentialReset
	r = env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", auditor), "secadmin", body)
	if r.JSON(t, &req); r.Status != http.StatusAccepted || req.State != "pending" || req.ID == 0 || req.ExpiresAt == nil || req.MayDecide {
		t.Fatalf("admin reset: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", auditor), "secadmin", body), http.StatusConflict, "reset-pending")

	var list api.CredentialResetList
	r = env.Do(t, "GET", "/api/v1/credential-resets", "sysadmin", nil)
	if r.JSON(t, &list); r.Status != 200 || len(list.Resets) != 1 || !list.Resets[0].MayDecide {
		t.Fatalf("pending for the system administrator: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "GET", "/api/v1/credential-resets", "secadmin", nil)
	if r.JSON(t, &list); r.Status != 200 || len(list.Resets) != 1 || list.Resets[0].MayDecide {
		t.Fatalf("pending for the requester: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "GET", "/api/v1/credential-resets", "dispatcher", nil), http.StatusForbidden, "forbidden")

	approve := fmt.Sprintf("/api/v1/credential-resets/%d/approve", req.ID)
	for _, who := range []string{"secadmin", "auditadmin", "dispatcher"} { // requester, target, case worker
		problem(env.Do(t, "POST", approve, who, nil), http.StatusForbidden, "forbidden")
	}
	if n := denied(t, env, "password.reset.approve", 0); n != 3 {
		t.Fatalf("%d refused approvals audited", n)
	}
	problem(env.Do(t, "POST", "/api/v1/credential-resets/999999/approve", "sysadmin", nil), http.StatusNotFound, "not-found")
	var ok api.CredentialReset
	r = env.Do(t, "POST", approve, "sysadmin", nil)
	if r.JSON(t, &ok); r.Status != 200 || ok.State != "applied" || ok.DecidedByName != "sysadmin" {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "POST", approve, "sysadmin", nil), http.StatusConflict, "reset-decided")
	if _, err := env.App.Auth.Login(context.Background(), "auditadmin", body.Password, "", ""); err != nil {
		t.Fatalf("the approved password: %v", err)
	}

	// Denied by a second administrator.
	r = env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", auditor), "secadmin", api.PasswordResetRequest{Password: "Api-Reset-Other-2026"})
	r.JSON(t, &req)
	r = env.Do(t, "POST", fmt.Sprintf("/api/v1/credential-resets/%d/deny", req.ID), "sysadmin", nil)
	if r.JSON(t, &ok); r.Status != 200 || ok.State != "denied" {
		t.Fatalf("deny: %d %s", r.Status, r.Body)
	}
}

// Whoever is not the audit administrator is refused the audit log over the
// API, and the refusal is itself recorded (with nothing of the log in it).
func TestRefusedAuditReadsAreAudited(t *testing.T) {
	env := apptest.New(t)
	for _, who := range []string{"secadmin", "sysadmin", "dispatcher"} {
		id := env.User(t, who).User.ID
		for path, action := range map[string]string{"/api/v1/audit?action=user.roles": "audit.read", "/api/v1/audit/verify": "audit.verify"} {
			method := "GET"
			if action == "audit.verify" {
				method = "POST"
			}
			before := denied(t, env, action, id)
			r := env.Do(t, method, path, who, nil)
			if r.Status != http.StatusForbidden || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%s %s as %s: %d %s", method, path, who, r.Status, r.Body)
			}
			if denied(t, env, action, id) != before+1 {
				t.Fatalf("%s %s as %s: the refusal is not audited", method, path, who)
			}
		}
	}
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: "audit.read", Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].ObjectType != "audit_log" || recs[0].Detail != `{"reason":"forbidden"}` {
		t.Fatalf("the refusal's record: %+v %v", recs, err)
	}
	// The audit administrator reads, and that is recorded as a read.
	if r := env.Do(t, "GET", "/api/v1/audit?limit=5", "auditadmin", nil); r.Status != http.StatusOK {
		t.Fatalf("audit administrator: %d %s", r.Status, r.Body)
	}
}

// Administrators list accounts, a page at a time, to find the ids the
// other /users routes take; nobody else does.
func TestListUsers(t *testing.T) {
	env := apptest.New(t)
	type account struct {
		ID       int64    `json:"id"`
		Username string   `json:"username"`
		Roles    []string `json:"roles"`
		Unit     struct {
			Code string `json:"code"`
		} `json:"unit"`
	}
	type page struct {
		Users      []account `json:"users"`
		NextCursor string    `json:"next_cursor"`
	}
	var all page
	if r := env.Do(t, "GET", "/api/v1/users?limit=200", "secadmin", nil); r.Status != 200 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &all)
	}
	if len(all.Users) < 5 || all.NextCursor != "" {
		t.Fatalf("every account: %d (next %q)", len(all.Users), all.NextCursor)
	}
	var paged []string
	cursor := ""
	for range len(all.Users) + 1 {
		var p page
		env.Do(t, "GET", "/api/v1/users?limit=2&cursor="+cursor, "sysadmin", nil).JSON(t, &p)
		for _, u := range p.Users {
			paged = append(paged, u.Username)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(paged) != len(all.Users) || !slices.IsSorted(paged) {
		t.Errorf("pages of 2: %v, want the %d accounts by name", paged, len(all.Users))
	}
	var handlers page
	env.Do(t, "GET", "/api/v1/users?role=handler", "secadmin", nil).JSON(t, &handlers)
	for _, u := range handlers.Users {
		if !slices.Contains(u.Roles, "handler") {
			t.Errorf("%s without the handler role: %v", u.Username, u.Roles)
		}
	}
	if !slices.ContainsFunc(handlers.Users, func(u account) bool {
		return u.Username == "jiangtou" && u.Unit.Code == "350206004"
	}) {
		t.Errorf("handlers: %+v", handlers.Users)
	}
	for user, status := range map[string]int{"supervisor": 403, "jiangtou": 403, "auditadmin": 403} {
		if r := env.Do(t, "GET", "/api/v1/users", user, nil); r.Status != status {
			t.Errorf("%s lists accounts: %d", user, r.Status)
		}
	}
	if r := env.Do(t, "GET", "/api/v1/users?role=bogus", "secadmin", nil); r.Status != 422 {
		t.Errorf("an unknown role: %d %s", r.Status, r.Body)
	}
}

// An account's person renamed and the account moved over HTTP: the answer
// is the account as it now is; refusals are problems, audited.
func TestRenameAndMoveUsersOverHTTP(t *testing.T) {
	env := apptest.New(t)
	handler := env.User(t, "jiangtou").User
	heshan := env.Unit(t, "350206003")
	path := fmt.Sprintf("/api/v1/users/%d", handler.ID)
	problem := func(r apptest.Response, status int, code string) { t.Helper(); wantProblem(t, r, status, code) }

	var u api.UserView
	r := env.Do(t, "PUT", path+"/name", "sysadmin", api.UserNameRequest{Name: " 陈明 "})
	if r.JSON(t, &u); r.Status != http.StatusOK || u.Name != "陈明" || u.ID != handler.ID || u.Unit == nil || u.Unit.ID != handler.UnitID {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "PUT", path+"/name", "sysadmin", api.UserNameRequest{}), http.StatusUnprocessableEntity, "invalid-input")
	problem(env.Do(t, "PUT", path+"/name", "secadmin", api.UserNameRequest{Name: "x"}), http.StatusForbidden, "forbidden")
	problem(env.Do(t, "PUT", path+"/unit", "sysadmin", api.UserUnitRequest{UnitID: heshan}), http.StatusForbidden, "forbidden")
	problem(env.Do(t, "PUT", path+"/unit", "secadmin", api.UserUnitRequest{UnitID: 999999}), http.StatusUnprocessableEntity, "invalid-input")
	problem(env.Do(t, "PUT", "/api/v1/users/999999/unit", "secadmin", api.UserUnitRequest{UnitID: heshan}), http.StatusNotFound, "not-found")
	problem(env.Do(t, "PUT", path+"/unit", "secadmin", []byte(`{"unitId": 1}`)), http.StatusBadRequest, "bad-json")
	r = env.Do(t, "PUT", path+"/unit", "secadmin", api.UserUnitRequest{UnitID: heshan})
	if r.JSON(t, &u); r.Status != http.StatusOK || u.Unit == nil || u.Unit.ID != heshan || u.Name != "陈明" {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	// The handler's token reaches the new unit's cases at once.
	var me struct {
		Unit struct {
			ID int64 `json:"id"`
		} `json:"unit"`
	}
	r = env.Do(t, "GET", "/api/v1/me", "jiangtou", nil)
	if r.JSON(t, &me); me.Unit.ID != heshan {
		t.Errorf("the moved handler's token: %d %s", r.Status, r.Body)
	}
	if n := denied(t, env, "user.update", env.User(t, "sysadmin").User.ID); n != 1 {
		t.Errorf("%d of the system administrator's refusals on the record, want 1", n)
	}
}
