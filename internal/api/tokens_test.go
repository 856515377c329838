package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/api"
	"pingan/internal/apptest"
	"pingan/internal/audit"
)

// An account's tokens over HTTP: listed to their holder and the security
// administrator, revoked by either, and rotated by the token itself — the
// new one works, the old one no longer does, and neither is listed as a
// secret.
func TestTokensOverHTTP(t *testing.T) {
	env := apptest.New(t)
	ctx := t.Context()
	problem := func(r apptest.Response, status int, code string) { t.Helper(); wantProblem(t, r, status, code) }
	gw := env.User(t, "intake") // an integration that takes reports in
	tokens := fmt.Sprintf("/api/v1/users/%d/tokens", gw.User.ID)
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	// A second token, with a lifetime, for the integration.
	day, dayToken, err := env.App.Org.IssueToken(ctx, access.System("test"), gw.User.ID, "gateway", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var list api.TokenList
	r := env.Do(t, "GET", tokens, "intake", nil)
	if r.JSON(t, &list); r.Status != 200 || len(list.Tokens) < 2 || list.Tokens[0].ID != dayToken.ID || list.Tokens[0].ExpiresAt == nil {
		t.Fatalf("the holder's list: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "GET", tokens, "secadmin", nil); r.Status != 200 {
		t.Errorf("the security administrator's list: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "GET", tokens, "dispatcher", nil), http.StatusForbidden, "forbidden")
	problem(env.Do(t, "GET", "/api/v1/users/999999/tokens", "secadmin", nil), http.StatusNotFound, "not-found")

	// Rotation: a new token of the same name and lifetime; the old one is
	// refused from then on.
	var fresh api.IssuedToken
	r = env.Do(t, "POST", "/api/v1/tokens/rotate", "", nil, bearer(day)...)
	if r.JSON(t, &fresh); r.Status != http.StatusCreated || fresh.Token == "" || fresh.Token == day || fresh.Name != "gateway" ||
		fresh.ExpiresAt == nil || fresh.ExpiresAt.Sub(fresh.CreatedAt) != 24*time.Hour || r.Header.Get("Location") != tokens ||
		r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("rotate: %d %v %s", r.Status, r.Header, r.Body)
	}
	problem(env.Do(t, "GET", "/api/v1/me", "", nil, bearer(day)...), http.StatusUnauthorized, "unauthorized")
	problem(env.Do(t, "POST", "/api/v1/tokens/rotate", "", nil, bearer(day)...), http.StatusUnauthorized, "unauthorized")
	if r := env.Do(t, "GET", "/api/v1/me", "", nil, bearer(fresh.Token)...); r.Status != 200 {
		t.Fatalf("the new token: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "GET", tokens, "", nil, bearer(fresh.Token)...)
	if r.JSON(t, &list); r.Status != 200 || list.Tokens[0].ID != fresh.ID || list.Tokens[1].ID != dayToken.ID || list.Tokens[1].RevokedAt == nil {
		t.Fatalf("the list after rotating: %d %s", r.Status, r.Body)
	}

	// Revocation: another account's token through this account is not
	// found; a dispatcher may not; the holder may.
	other := env.User(t, "dispatcher").User.ID
	problem(env.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/tokens/%d/revoke", other, fresh.ID), "secadmin", nil), http.StatusNotFound, "not-found")
	problem(env.Do(t, "POST", fmt.Sprintf("%s/%d/revoke", tokens, fresh.ID), "dispatcher", nil), http.StatusForbidden, "forbidden")
	var revoked api.TokenView
	r = env.Do(t, "POST", fmt.Sprintf("%s/%d/revoke", tokens, fresh.ID), "", nil, bearer(fresh.Token)...)
	if r.JSON(t, &revoked); r.Status != 200 || revoked.RevokedAt == nil || revoked.ID != fresh.ID {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	problem(env.Do(t, "GET", "/api/v1/me", "", nil, bearer(fresh.Token)...), http.StatusUnauthorized, "unauthorized")
	if n := denied(t, env, "token.revoke", env.User(t, "dispatcher").User.ID); n != 1 {
		t.Errorf("%d refused revocations on the record, want 1", n)
	}
	if !audited(t, env, "token.rotate", gw.User.ID) || !audited(t, env, "token.revoke", gw.User.ID) {
		t.Error("the rotation or the revocation is not on the record")
	}
}

// audited reports whether actorID's latest record of action succeeded.
func audited(t *testing.T, env *apptest.Env, action string, actorID int64) bool {
	t.Helper()
	recs, err := env.App.Audit.List(t.Context(), env.App.DB, audit.Filter{Action: action, ActorID: actorID, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs) == 1 && recs[0].Outcome == audit.OK
}
