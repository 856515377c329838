package api

import (
	"cmp"
	"net/http"
	"strings"
	"time"

	"pingan/internal/access"
	"pingan/internal/auth"
	"pingan/internal/directory"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

// PasswordResetRequest sets another user's password.
type PasswordResetRequest struct {
	Password string `json:"password" doc:"the new password: at least 12 characters"`
}

// RolesRequest replaces a user's roles.
type RolesRequest struct {
	Roles []string `json:"roles" doc:"every role the user is to hold (an empty list removes them all)"`
}

// UserNameRequest corrects the name of an account's person.
type UserNameRequest struct {
	Name string `json:"name" doc:"the person's name, 1–50 characters"`
}

// UserUnitRequest moves an account to another unit.
type UserUnitRequest struct {
	UnitID int64 `json:"unit_id" doc:"an active unit"`
}

func (a *API) renameUser(w http.ResponseWriter, r *http.Request) error {
	var req UserNameRequest
	return a.changeUser(w, r, &req, func(actor access.Actor, id int64) (org.User, error) {
		return a.org.RenameUser(r.Context(), actor, id, req.Name)
	})
}

func (a *API) moveUser(w http.ResponseWriter, r *http.Request) error {
	var req UserUnitRequest
	return a.changeUser(w, r, &req, func(actor access.Actor, id int64) (org.User, error) {
		return a.org.MoveUser(r.Context(), actor, id, req.UnitID)
	})
}

// changeUser decodes a change to the account in the path into req, makes
// it, and answers the account as it now is.
func (a *API) changeUser(w http.ResponseWriter, r *http.Request, req any, change func(access.Actor, int64) (org.User, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := decode(w, r, req); err != nil {
		return err
	}
	u, err := change(actorOf(r), id)
	if err != nil {
		return err
	}
	a.dir.Flush()
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.userView(n, u))
}

// CredentialReset is a reset of a user's password or second factor: applied
// at once (a user without an administrator role), or, for an
// administrator's account, a request waiting for a second administrator.
type CredentialReset struct {
	ID              int64      `json:"id,omitempty" doc:"the request; absent when the reset took effect at once"`
	Kind            string     `json:"kind" doc:"password, totp, roles (a grant of an administrator role)"`
	Roles           []string   `json:"roles,omitempty" doc:"kind roles: the roles asked for (all of them)"`
	State           string     `json:"state" doc:"applied, pending, denied, withdrawn, expired, stale (the account changed after the request)"`
	UserID          int64      `json:"user_id"`
	Username        string     `json:"username"`
	RequestedBy     *int64     `json:"requested_by" doc:"null: the system (command line)"`
	RequestedByName string     `json:"requested_by_name"`
	RequestedAt     time.Time  `json:"requested_at"`
	ExpiresAt       *time.Time `json:"expires_at,omitempty" doc:"a request not approved by then lapses"`
	DecidedBy       *int64     `json:"decided_by,omitempty"`
	DecidedByName   string     `json:"decided_by_name,omitempty"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
	MayDecide       bool       `json:"may_decide" doc:"the caller may approve or deny it (four eyes: not the requester, not the target, and for a grant of an administrator role not whoever last set the target's password or second factor)"`
}

// CredentialResetList is the requests waiting for approval, oldest first.
type CredentialResetList struct {
	Resets []CredentialReset `json:"resets"`
}

func (a *API) resetRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/users", Summary: "Accounts, by user name, one page at a time (security and system administrators): the ids the other /users routes take",
			Tag: "organisation", Query: []QueryParam{
				{"q", "string", "part of the user name or the name"},
				{"unit_id", "integer", "accounts of this unit"},
				{"role", "string", "accounts holding any of these roles, comma-separated"},
				{"cursor", "string", "next_cursor of the page before; absent for the first page"},
				{"limit", "integer", "accounts a page, 1–200 (default 50)"},
			}, Resp: UserList{}, Status: 200, Handle: a.users},
		{Method: "POST", Path: "/users/{id}/password-reset", Summary: "Reset a user's password (security administrator): at once (200, state applied) for a user without an administrator role; for an administrator a request (202, state pending) that a second administrator must approve",
			Tag: "organisation", Body: PasswordResetRequest{}, Resp: CredentialReset{}, Status: 200, Also: []int{202}, Handle: a.requestReset(auth.PasswordReset)},
		{Method: "POST", Path: "/users/{id}/totp-reset", Summary: "Remove a user's second factor (they enrol again): like password-reset, at once or a request a second administrator must approve",
			Tag: "organisation", Resp: CredentialReset{}, Status: 200, Also: []int{202}, Handle: a.requestReset(auth.TOTPReset)},
		{Method: "PUT", Path: "/users/{id}/roles", Summary: "Replace a user's roles (security administrator): at once (200, state applied) when no administrator role is added; a grant of an administrator role is a request (202, state pending, kind roles) a second administrator approves at /credential-resets/{id}/approve, refused to whoever set or reset the account's credentials and within 7 days of an administrator's reset. When it takes effect the account's sessions end and its API tokens are revoked",
			Tag: "organisation", Body: RolesRequest{}, Resp: CredentialReset{}, Status: 200, Also: []int{202}, Handle: a.setRoles},
		{Method: "PUT", Path: "/users/{id}/name", Summary: "Correct the name of the person an account belongs to (system administrator). Audited with the name before",
			Tag: "organisation", Body: UserNameRequest{}, Resp: UserView{}, Status: 200, Handle: a.renameUser},
		{Method: "PUT", Path: "/users/{id}/unit", Summary: "Move an account to another unit, which decides the cases its roles reach: the security administrator's once the account holds roles (the system administrator's too before), never one's own. The account's sessions end; its API tokens reach the new unit's cases at once. Audited with the unit before",
			Tag: "organisation", Body: UserUnitRequest{}, Resp: UserView{}, Status: 200, Handle: a.moveUser},
		{Method: "GET", Path: "/credential-resets", Summary: "Changes to administrators waiting for approval — resets of their credentials and grants of administrator roles (security and system administrators)",
			Tag: "organisation", Resp: CredentialResetList{}, Status: 200, Handle: a.pendingResets},
		{Method: "POST", Path: "/credential-resets/{id}/approve", Summary: "Approve a pending reset: a security or system administrator other than the requester and the target, before it expires; the target's sessions end. Audited, refusals too",
			Tag: "organisation", Resp: CredentialReset{}, Status: 200, Handle: a.decideReset(true)},
		{Method: "POST", Path: "/credential-resets/{id}/deny", Summary: "Deny a pending reset (a second administrator) or withdraw it (its requester). Audited",
			Tag: "organisation", Resp: CredentialReset{}, Status: 200, Handle: a.decideReset(false)},
	}
}

func (a *API) requestReset(kind auth.ResetKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var req PasswordResetRequest
		if kind == auth.PasswordReset {
			if err := decode(w, r, &req); err != nil {
				return err
			}
		}
		actor := actorOf(r)
		res, err := a.auth.RequestReset(r.Context(), actor, id, kind, req.Password)
		if err != nil {
			return err
		}
		return writeResult(w, res, actor, a.loc)
	}
}

func (a *API) setRoles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req RolesRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	roles, err := access.ParseRoles(strings.Join(req.Roles, ","))
	if err != nil {
		return err
	}
	actor := actorOf(r)
	res, err := a.auth.SetRoles(r.Context(), actor, id, roles)
	if err != nil {
		return err
	}
	return writeResult(w, res, actor, a.loc)
}

// writeResult answers a change to an account: 200 in force, 202 waiting
// for a second administrator.
func writeResult(w http.ResponseWriter, res auth.Reset, actor access.Actor, loc *time.Location) error {
	status := http.StatusOK
	if res.State == auth.ResetPending {
		status = http.StatusAccepted
	}
	return writeJSON(w, status, resetView(res, actor, loc))
}

func (a *API) pendingResets(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	rs, err := a.auth.PendingResets(r.Context(), actor)
	if err != nil {
		return err
	}
	out := CredentialResetList{Resets: []CredentialReset{}}
	for _, x := range rs {
		out.Resets = append(out.Resets, resetView(x, actor, a.loc))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) decideReset(approve bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		actor := actorOf(r)
		decide := a.auth.DenyReset
		if approve {
			decide = a.auth.ApproveReset
		}
		res, err := decide(r.Context(), actor, id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, resetView(res, actor, a.loc))
	}
}

func resetView(x auth.Reset, actor access.Actor, loc *time.Location) CredentialReset {
	v := CredentialReset{ID: x.ID, Kind: string(x.Kind), State: string(x.State), UserID: x.UserID, Username: x.Username,
		RequestedBy: ptrID(x.RequestedBy), RequestedByName: x.RequesterName, RequestedAt: x.RequestedAt.In(loc),
		DecidedBy: ptrID(x.DecidedBy), DecidedByName: x.DeciderName}
	for _, r := range x.Roles {
		v.Roles = append(v.Roles, string(r))
	}
	if x.State == auth.ResetPending {
		v.MayDecide = x.MayDecide(actor)
	}
	if !x.ExpiresAt.IsZero() {
		t := x.ExpiresAt.In(loc)
		v.ExpiresAt = &t
	}
	if !x.DecidedAt.IsZero() {
		t := x.DecidedAt.In(loc)
		v.DecidedAt = &t
	}
	return v
}

// UserList is a page of accounts.
type UserList struct {
	Users      []UserView `json:"users"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// UserView is an account as administrators see it.
type UserView struct {
	ID         int64         `json:"id"`
	Username   string        `json:"username"`
	Name       string        `json:"name"`
	Unit       *UnitRef      `json:"unit"`
	Roles      []access.Role `json:"roles"`
	CreatedAt  time.Time     `json:"created_at"`
	DisabledAt *time.Time    `json:"disabled_at"`
}

var msgUsersAdmins = i18n.M("只有安全管理员和系统管理员能查看账号列表", "only security and system administrators list accounts")

func (a *API) users(w http.ResponseWriter, r *http.Request) error {
	if actor := actorOf(r); !actor.System && !actor.HasAny(access.SysAdmin, access.SecAdmin) {
		return fault.New(fault.Forbidden, "forbidden", msgUsersAdmins)
	}
	q := r.URL.Query()
	f := org.UserFilter{Query: q.Get("q"), After: q.Get("cursor")}
	var err error
	if f.UnitID, err = queryInt(q.Get("unit_id"), "unit_id"); err != nil {
		return err
	}
	if f.Roles, err = access.ParseRoles(q.Get("role")); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(q, 200); err != nil {
		return err
	}
	f.Limit = cmp.Or(f.Limit, 50)
	page, err := a.org.UserPage(r.Context(), f)
	if err != nil {
		return err
	}
	n, err := a.dir.Get(r.Context())
	if err != nil {
		return err
	}
	out := UserList{Users: []UserView{}, NextCursor: page.Next}
	for _, u := range page.Users {
		out.Users = append(out.Users, a.userView(n, u))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) userView(n *directory.Names, u org.User) UserView {
	return UserView{ID: u.ID, Username: u.Username, Name: u.Name, Unit: unitRef(n, u.UnitID),
		Roles: append([]access.Role{}, u.Roles...), CreatedAt: u.CreatedAt.In(a.loc), DisabledAt: ptrTime(u.DisabledAt, a.loc)}
}
