package api

import (
	"net/http"
	"strconv"
	"time"

	"pingan/internal/org"
)

// TokenView describes an API token (never the token itself).
type TokenView struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name" doc:"what the token is for"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at" doc:"null: it does not expire"`
	LastUsedAt *time.Time `json:"last_used_at" doc:"recorded at most hourly; null: never used"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenList is an account's tokens, newest first.
type TokenList struct {
	Tokens []TokenView `json:"tokens"`
}

// IssuedToken is a token just issued: the only time it is shown.
type IssuedToken struct {
	Token string `json:"token" doc:"the new token (pa_…): store it now, it is not shown again"`
	TokenView
}

func (a *API) tokenRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/users/{id}/tokens", Summary: "An account's API tokens, newest first, without the tokens themselves: to the account's holder and to the security administrator",
			Tag: "organisation", Resp: TokenList{}, Status: 200, Handle: a.listTokens},
		{Method: "POST", Path: "/users/{id}/tokens/{token_id}/revoke", Summary: "Revoke one of the account's tokens (its holder, or the security administrator): it stops working at once on this node and within 10 s on others. Audited, refusals too",
			Tag: "organisation", Resp: TokenView{}, Status: 200, Handle: a.revokeToken},
		{Method: "POST", Path: "/tokens/rotate", Summary: "Replace the token this request is made with by a new one of the same name and lifetime, and revoke it, in one step: an integration renews its credential without a person. The new token is in the answer, once. A token issues no other token: tokens for people are issued on an account's page or with pingan user token",
			Tag: "organisation", Resp: IssuedToken{}, Status: 201, Handle: a.rotateToken},
	}
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ts, err := a.org.Tokens(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	out := TokenList{Tokens: []TokenView{}}
	for _, t := range ts {
		out.Tokens = append(out.Tokens, a.tokenView(t))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tokenID, err := pathID(r, "token_id")
	if err != nil {
		return err
	}
	t, err := a.org.RevokeToken(r.Context(), actorOf(r), id, tokenID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.tokenView(t))
}

func (a *API) rotateToken(w http.ResponseWriter, r *http.Request) error {
	fresh, t, err := a.org.RotateToken(r.Context(), actorOf(r), bearer(r))
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/users/"+strconv.FormatInt(t.UserID, 10)+"/tokens")
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, IssuedToken{Token: fresh, TokenView: a.tokenView(t)})
}

func (a *API) tokenView(t org.Token) TokenView {
	return TokenView{ID: t.ID, UserID: t.UserID, Name: t.Name, CreatedAt: t.CreatedAt.In(a.loc), ExpiresAt: ptrTime(t.ExpiresAt, a.loc),
		LastUsedAt: ptrTime(t.LastUsedAt, a.loc), RevokedAt: ptrTime(t.RevokedAt, a.loc)}
}
