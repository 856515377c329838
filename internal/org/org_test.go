package org_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/db"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

var ctx = context.Background()

func TestSeededOrganisation(t *testing.T) {
	env := apptest.New(t)
	units, err := env.App.Org.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, u := range units {
		count[string(u.Kind)+"/"+string(u.Level)]++
	}
	for k, want := range map[string]int{
		"government/city": 1, "government/district": 6, "government/street": 54,
		"police/city": 1, "police/district": 6, "police/street": 45,
		"justice/street": 45, "mediation/street": 45, "committee/city": 1, "committee/district": 6,
		"hotline/city": 1, "court/district": 6, "court/street": 8,
	} {
		if count[k] != want {
			t.Errorf("%s: %d units, want %d", k, count[k], want)
		}
	}
	// Parents come before children, and paths chain the ancestors.
	seen := map[int64]bool{}
	for _, u := range units {
		if u.ParentID != 0 && !seen[u.ParentID] {
			t.Fatalf("%s listed before its parent", u.Name)
		}
		seen[u.ID] = true
	}
	ps, err := env.App.Org.UnitByCode(ctx, env.App.DB, "PSB-350206004")
	if err != nil || ps.Name != "江头派出所" || len(ps.Ancestors()) != 3 {
		t.Errorf("江头派出所: %+v %v", ps, err)
	}
	// The root has no committee above it: said as such, not as a unit
	// that does not exist.
	_, err = env.App.Org.SupervisingUnit(ctx, env.App.DB, units[0].ID)
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.NotFound ||
		fe.Msg.Format(i18n.ZH, fe.Args...) != fmt.Sprintf("单位 %d 没有上级督办单位", units[0].ID) {
		t.Errorf("the root's supervising committee: %v", err)
	}
}

func TestScopes(t *testing.T) {
	env := apptest.New(t)
	for user, want := range map[string]string{
		"supervisor": "all",      // city committee
		"leader":     "all",      // the city itself
		"huli":       "district", // 湖里区委政法委: the district's subtree
		"jiangtou":   "one",      // a street office without children
	} {
		s := env.Actor(t, user).Scope
		switch want {
		case "all":
			if !s.All {
				t.Errorf("%s: scope %v, want all", user, s)
			}
		case "district":
			if s.All || !s.Contains(env.Unit(t, "350206004")) || !s.Contains(env.Unit(t, "PLC-350206")) || s.Contains(env.Unit(t, "350203012")) {
				t.Errorf("%s: scope %v", user, s)
			}
		case "one":
			if s.All || len(s.Units) != 1 {
				t.Errorf("%s: scope %v", user, s)
			}
		}
	}
}

func TestUnitAdministration(t *testing.T) {
	env := apptest.New(t)
	o := env.App.Org
	admin := env.Actor(t, "sysadmin")
	jt := env.Unit(t, "350206004")
	comm, err := o.CreateUnit(ctx, admin, org.UnitInput{ParentID: jt, Code: "350206004001", Name: "江头社区", Kind: org.Government, Level: org.Community})
	if err != nil {
		t.Fatal(err)
	}
	grid, err := o.CreateUnit(ctx, admin, org.UnitInput{ParentID: comm.ID, Code: "GRID-1", Name: "第一网格", Kind: org.Government, Level: org.Community})
	if err != nil {
		t.Fatal(err)
	}
	// The street's handlers now see the community's cases.
	if a, _ := o.Actor(ctx, env.User(t, "jiangtou").User.ID); !a.Scope.Contains(grid.ID) {
		t.Error("street scope lacks its new grid")
	}
	// Move the community (and its grid) to 禾山街道: paths follow.
	hs := env.Unit(t, "350206003")
	moved, err := o.UpdateUnit(ctx, admin, comm.ID, org.UnitInput{ParentID: hs, Code: comm.Code, Name: "江头社区", Kind: org.Government, Level: org.Community})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := o.Unit(ctx, env.App.DB, grid.ID)
	if !strings.HasPrefix(g.Path, moved.Path) || !strings.Contains(moved.Path, "/"+itoa(hs)+"/") {
		t.Errorf("paths after move: community %s grid %s", moved.Path, g.Path)
	}
	cases := []struct {
		name  string
		in    org.UnitInput
		id    int64
		field string
	}{
		{"cycle", org.UnitInput{ParentID: grid.ID, Code: comm.Code, Name: "x", Kind: org.Government, Level: org.Community}, comm.ID, "parent_id"},
		{"code taken", org.UnitInput{ParentID: hs, Code: "350206004", Name: "x", Kind: org.Government, Level: org.Community}, comm.ID, "code"},
		{"above parent", org.UnitInput{ParentID: hs, Code: comm.Code, Name: "x", Kind: org.Government, Level: org.City}, comm.ID, "level"},
		{"bad kind", org.UnitInput{ParentID: hs, Code: comm.Code, Name: "x", Kind: "club", Level: org.Community}, comm.ID, "kind"},
		{"no such division", org.UnitInput{ParentID: hs, Code: comm.Code, Name: "x", Kind: org.Government, Level: org.Community, DivisionCode: "abc"}, comm.ID, "division_code"},
	}
	for _, tc := range cases {
		_, err := o.UpdateUnit(ctx, admin, tc.id, tc.in)
		fe, ok := fault.As(err)
		if !ok || len(fe.Fields) == 0 || fe.Fields[0].Field != tc.field {
			t.Errorf("%s: %v, want a %s error", tc.name, err, tc.field)
		}
	}
	if _, err := o.CreateUnit(ctx, env.Actor(t, "secadmin"), org.UnitInput{ParentID: hs, Code: "Z", Name: "Z", Kind: org.Government, Level: org.Community}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("security administrator creates a unit: %v", err)
	}
	r, err := o.SetUnitRetired(ctx, admin, grid.ID, true)
	if err != nil || r.Active() {
		t.Fatalf("retire: %v", err)
	}
	if _, err := o.CreateUnit(ctx, admin, org.UnitInput{ParentID: grid.ID, Code: "G2", Name: "x", Kind: org.Government, Level: org.Community}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("child of a retired unit: %v", err)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestAccountsAndTokens(t *testing.T) {
	env := apptest.New(t)
	o := env.App.Org
	sys := access.System("test")
	unit := env.Unit(t, "350203012")
	if _, err := o.CreateUser(ctx, sys, org.UserInput{Username: "a", Name: "x", UnitID: unit}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("one-letter user name: %v", err)
	}
	for _, pw := range []string{"short1A!", "alllowercaseletters", "gulangyu.lin-2026!"} {
		if _, err := o.CreateUser(ctx, sys, org.UserInput{Username: "gulangyu.lin", Name: "林", UnitID: unit, Password: pw}); fault.KindOf(err) != fault.Invalid {
			t.Errorf("weak password %q accepted: %v", pw, err)
		}
	}
	if _, err := o.CreateUser(ctx, sys, org.UserInput{Username: "x1", Name: "x", UnitID: unit,
		Roles: []access.Role{access.SysAdmin, access.AuditAdmin}}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("system + audit administrator in one account: %v", err)
	}
	// A system administrator creates accounts but cannot grant roles.
	if _, err := o.CreateUser(ctx, env.Actor(t, "sysadmin"), org.UserInput{Username: "x2", Name: "x", UnitID: unit,
		Roles: []access.Role{access.Handler}}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("sysadmin grants a role: %v", err)
	}
	u, err := o.CreateUser(ctx, env.Actor(t, "sysadmin"), org.UserInput{Username: "gulangyu.lin", Name: "林", UnitID: unit, Password: "Gly-Handler-2026"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.SetRoles(ctx, env.Actor(t, "secadmin"), u.ID, []access.Role{access.Handler}); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE id = $1", u.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if ok, err := org.VerifyPassword(hash, "Gly-Handler-2026"); !ok || err != nil || !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("argon2id hash %q does not verify (%v)", hash, err)
	}
	if ok, _ := org.VerifyPassword(hash, "Gly-Handler-2027"); ok {
		t.Error("a wrong password verifies")
	}
	tok, _, err := o.IssueToken(ctx, env.Actor(t, "secadmin"), u.ID, "laptop", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM api_tokens WHERE hash = $1", tok).Scan(&stored); err != nil || stored != 0 {
		t.Error("token stored in the clear")
	}
	// The first uses, at once, all authenticate, and the token's use is
	// recorded (once for them all).
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			a, err := o.Authenticate(ctx, tok)
			if err == nil && (a.UserID != u.ID || !a.Has(access.Handler)) {
				err = fmt.Errorf("authenticated as %+v", a)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	var used sql.NullInt64
	if err := env.App.DB.QueryRowContext(ctx, "SELECT last_used_at FROM api_tokens WHERE user_id = $1 AND name = 'laptop'", u.ID).Scan(&used); err != nil ||
		!used.Valid || used.Int64 != env.Clock.Now().UnixMicro() {
		t.Errorf("the token's use is not recorded: %v (%v)", used, err)
	}
	// Expiry.
	env.Clock.Advance(2 * time.Hour)
	if _, err := o.Authenticate(ctx, tok); fault.KindOf(err) != fault.Unauthorized {
		t.Errorf("expired token: %v", err)
	}
	// Revocation and disabling take effect at once on this node.
	tok2, t2, _ := o.IssueToken(ctx, access.Actor{UserID: u.ID}, u.ID, "phone", 0)
	if _, err := o.Authenticate(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	// Someone else's token, revoked by one who may not: refused, and the
	// refusal on the record.
	if _, err := o.RevokeToken(ctx, env.Actor(t, "dispatcher"), u.ID, t2.ID); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("a dispatcher revokes another's token: %v", err)
	}
	var refused int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoke' AND outcome = 'denied' AND object_id = $1",
		strconv.FormatInt(u.ID, 10)).Scan(&refused); err != nil || refused != 1 {
		t.Errorf("%d refused revocations on the record (%v), want 1", refused, err)
	}
	if _, err := o.RevokeToken(ctx, env.Actor(t, "secadmin"), u.ID, t2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Authenticate(ctx, tok2); fault.KindOf(err) != fault.Unauthorized {
		t.Errorf("revoked token: %v", err)
	}
	tok3, _, _ := o.IssueToken(ctx, sys, u.ID, "tablet", 0)
	if _, err := o.SetUserDisabled(ctx, env.Actor(t, "sysadmin"), u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Authenticate(ctx, tok3); fault.KindOf(err) != fault.Unauthorized {
		t.Errorf("disabled account's token: %v", err)
	}
	if _, _, err := o.IssueToken(ctx, env.Actor(t, "jiangtou"), u.ID, "x", 0); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("token for someone else: %v", err)
	}
	// The security administrator issues no token to another administrator
	// (it would act as them without their second factor), and the refusal
	// is audited; an administrator issues their own, and the system any.
	sec, sysadmin := env.Actor(t, "secadmin"), env.Actor(t, "sysadmin")
	if _, _, err := o.IssueToken(ctx, sec, sysadmin.UserID, "borrowed", 0); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("the security administrator's token for the system administrator: %v", err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ActorID: sec.UserID, Action: "token.issue", Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].Outcome != audit.Denied || recs[0].ObjectID != strconv.FormatInt(sysadmin.UserID, 10) {
		t.Errorf("the refusal is not audited: %+v (%v)", recs, err)
	}
	if toks, err := o.Tokens(ctx, sys, sysadmin.UserID); err != nil || slices.ContainsFunc(toks, func(t org.Token) bool { return t.Name == "borrowed" }) {
		t.Errorf("the refused token was stored: %+v (%v)", toks, err)
	}
	for _, a := range []access.Actor{sysadmin, sys} {
		if _, _, err := o.IssueToken(ctx, a, sysadmin.UserID, "own", 0); err != nil {
			t.Errorf("%s issues the system administrator's token: %v", a.Username, err)
		}
	}
}

// Which role changes take a second administrator: those that add an
// administrator role, whatever else they do.
func TestGrantsAdmin(t *testing.T) {
	r := func(rs ...access.Role) []access.Role { return rs }
	for _, tc := range []struct {
		before, after []access.Role
		want          bool
	}{
		{r(access.Dispatcher), r(access.AuditAdmin), true},
		{r(), r(access.SecAdmin), true},
		{r(access.SysAdmin), r(access.SysAdmin), false},
		{r(access.SysAdmin), r(), false},
		{r(access.Dispatcher), r(access.Callback, access.Verifier), false},
		{r(access.AuditAdmin), r(access.SysAdmin), true},
	} {
		if got := org.GrantsAdmin(tc.before, tc.after); got != tc.want {
			t.Errorf("%v → %v: %v, want %v", tc.before, tc.after, got, tc.want)
		}
	}
}

// Only the system grants an administrator role through SetRoles, and the
// grant revokes the account's tokens in the same transaction; a security
// administrator's grant is refused (auth.SetRoles asks for approval), the
// refusal audited; removing an administrator role is immediate.
func TestSetRolesGrantsOnlyForTheSystem(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	o := env.App.Org
	sec := env.Actor(t, "secadmin")
	u := env.User(t, "callback").User
	tok, _, err := o.IssueToken(ctx, sec, u.ID, "desk", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.SetRoles(ctx, sec, u.ID, []access.Role{access.SysAdmin}); fault.KindOf(err) != fault.Forbidden {
		t.Fatalf("a security administrator's grant: %v", err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ActorID: sec.UserID, Action: "user.roles", Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].Outcome != audit.Denied || !strings.Contains(recs[0].Detail, "approval-required") {
		t.Fatalf("the refusal: %+v %v", recs, err)
	}
	if _, err := o.Authenticate(ctx, tok); err != nil {
		t.Fatalf("a refused grant revoked the token: %v", err)
	}
	got, err := o.SetRoles(ctx, access.System("test"), u.ID, []access.Role{access.SysAdmin})
	if err != nil || !slices.Equal(got.Roles, []access.Role{access.SysAdmin}) {
		t.Fatalf("the system's grant: %+v %v", got, err)
	}
	if _, err := o.Authenticate(ctx, tok); fault.KindOf(err) != fault.Unauthorized {
		t.Fatalf("a token issued by another survived the grant: %v", err)
	}
	if got, err = o.SetRoles(ctx, sec, u.ID, nil); err != nil || len(got.Roles) != 0 {
		t.Fatalf("removing the role: %+v %v", got, err)
	}
}

// A token issued to an account while a grant of an administrator role
// commits does not survive it: both lock the user's row first (LockUser),
// so on PostgreSQL, with several write lanes, either the issue sees the
// grant (and is refused) or the grant's revocation sees the token. Run
// both at once, many times (the race needs PINGAN_TEST_POSTGRES to show).
func TestTokenIssueAndGrantDoNotInterleave(t *testing.T) {
	env := apptest.New(t)
	o := env.App.Org
	sec, sys := env.Actor(t, "secadmin"), access.System("test")
	unit := env.Unit(t, "350203012")
	for i := range 40 {
		u, err := o.CreateUser(ctx, sys, org.UserInput{Username: fmt.Sprintf("race.%d", i), Name: "竞", UnitID: unit,
			Roles: []access.Role{access.Handler}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var issueErr, grantErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _, issueErr = o.IssueToken(ctx, sec, u.ID, "desk", 0)
		}()
		go func() {
			defer wg.Done()
			_, grantErr = o.SetRoles(ctx, sys, u.ID, []access.Role{access.SysAdmin})
		}()
		wg.Wait()
		if grantErr != nil {
			t.Fatal(grantErr)
		}
		if issueErr != nil && fault.KindOf(issueErr) != fault.Forbidden {
			t.Fatal(issueErr)
		}
		toks, err := o.Tokens(ctx, access.System("test"), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks {
			if tk.RevokedAt.IsZero() {
				t.Fatalf("run %d: an administrator holds token %d a security administrator issued", i, tk.ID)
			}
		}
	}
}

// LockUser finds the user, or says there is none.
func TestLockUser(t *testing.T) {
	env := apptest.New(t)
	id := env.User(t, "callback").User.ID
	for _, c := range []struct {
		id   int64
		kind fault.Kind
	}{{id, 0}, {id + 1_000_000, fault.NotFound}} {
		err := env.App.DB.Write(ctx, func(tx *db.Tx) error { return org.LockUser(ctx, tx, c.id) })
		if (c.kind == 0) != (err == nil) || (err != nil && fault.KindOf(err) != c.kind) {
			t.Fatalf("LockUser(%d): %v", c.id, err)
		}
	}
}

// Two administrators disabling the last two audit administrators at once
// leave one: KeepsAdmins locks the other holders' rows, so on PostgreSQL
// (several write lanes) the second waits for, or after a deadlock runs
// again behind, the first and sees it. Many times (the race needs
// PINGAN_TEST_POSTGRES to show).
func TestLastAdminSurvivesConcurrentRemovals(t *testing.T) {
	env := apptest.New(t)
	o := env.App.Org
	sys, sec, system := env.Actor(t, "sysadmin"), env.Actor(t, "secadmin"), access.System("test")
	aud := env.User(t, "auditadmin").User
	for i := range 20 {
		u, err := o.CreateUser(ctx, system, org.UserInput{Username: fmt.Sprintf("aud.%d", i), Name: "审", UnitID: aud.UnitID,
			Roles: []access.Role{access.AuditAdmin}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[0] = o.SetUserDisabled(ctx, sys, aud.ID, true)
		}()
		go func() {
			defer wg.Done()
			_, errs[1] = o.SetRoles(ctx, sec, u.ID, []access.Role{access.Leader})
		}()
		wg.Wait()
		refused := 0
		for _, err := range errs {
			if err != nil {
				if !org.IsLastAdmin(err) {
					t.Fatal(err)
				}
				refused++
			}
		}
		var n int
		if err := env.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE disabled_at IS NULL
			AND id IN (SELECT user_id FROM user_roles WHERE role = $1)`, access.AuditAdmin).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 || refused != 1 {
			t.Fatalf("run %d: %d enabled audit administrators, %d refused", i, n, refused)
		}
		// Back to one enabled audit administrator, the seeded one.
		if _, err := o.SetUserDisabled(ctx, system, aud.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := o.SetUserDisabled(ctx, system, u.ID, true); err != nil {
			t.Fatal(err)
		}
	}
}

// A role set 三员分立 forbids is refused with what is wrong, in both
// languages, as the problem's detail and as the field's message.
func TestCheckRolesNamesTheReason(t *testing.T) {
	for _, tc := range []struct {
		roles  []access.Role
		zh, en string
	}{
		{[]access.Role{access.Dispatcher, access.Leader}, "", ""},
		{[]access.Role{access.AuditAdmin}, "", ""},
		{[]access.Role{access.SysAdmin, access.AuditAdmin}, "角色组合不允许：系统管理员、审计管理员须由不同账号担任（三员分立）",
			"role combination not allowed: System administrator, Audit administrator are held by separate accounts (separation of duties)"},
		{[]access.Role{access.SecAdmin, access.Handler, access.Verifier}, "角色组合不允许：安全管理员不能兼任业务角色（承办人、核查员）",
			"role combination not allowed: the Security administrator holds no case-work role (Handler, Verifier)"},
	} {
		err := org.CheckRoles(tc.roles)
		if tc.zh == "" {
			if err != nil {
				t.Errorf("%v refused: %v", tc.roles, err)
			}
			continue
		}
		fe, ok := fault.As(err)
		if !ok || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != "roles" {
			t.Fatalf("%v: %v", tc.roles, err)
		}
		for lang, want := range map[i18n.Lang]string{i18n.ZH: tc.zh, i18n.EN: tc.en} {
			if got := fe.Msg.Format(lang, fe.Args...); got != want {
				t.Errorf("%v in %s: %q, want %q", tc.roles, lang, got, want)
			}
			if got := fe.Fields[0].Msg.Format(lang, fe.Fields[0].Args...); got != want {
				t.Errorf("%v's field in %s: %q, want %q", tc.roles, lang, got, want)
			}
		}
	}
}

// An account's name is the system administrator's to change, its unit the
// security administrator's once it holds roles; each change is audited with
// what it was, a refused one too, and a move ends the account's sessions
// and moves its API token's reach at once.
func TestRenameAndMoveAccounts(t *testing.T) {
	env := apptest.New(t)
	o := env.App.Org
	sysadmin, secadmin := env.Actor(t, "sysadmin"), env.Actor(t, "secadmin")
	jiangtou, heshan := env.Unit(t, "350206004"), env.Unit(t, "350206003")
	u, err := o.CreateUser(ctx, sysadmin, org.UserInput{Username: "jt.chen", Name: "陈", UnitID: jiangtou, Password: "Jt-Handler-2026!"})
	if err != nil {
		t.Fatal(err)
	}
	records := func(outcome string) int {
		t.Helper()
		var n int
		if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.update' AND outcome = $1 AND object_id = $2",
			outcome, itoa(u.ID)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stored := func() org.User {
		t.Helper()
		got, err := o.User(ctx, env.App.DB, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// Renaming: the system administrator's; the name is checked and trimmed.
	for _, bad := range []string{"", "   ", strings.Repeat("林", 51)} {
		if _, err := o.RenameUser(ctx, sysadmin, u.ID, bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	for _, a := range []access.Actor{secadmin, env.Actor(t, "dispatcher")} {
		if _, err := o.RenameUser(ctx, a, u.ID, "陈明"); fault.KindOf(err) != fault.Forbidden {
			t.Errorf("%s renames: %v", a.Username, err)
		}
	}
	if got := stored(); got.Name != "陈" {
		t.Fatalf("a refused rename stored %q", got.Name)
	}
	if n := records("denied"); n != 2 {
		t.Errorf("%d refused renames on the record, want 2", n)
	}
	if got, err := o.RenameUser(ctx, sysadmin, u.ID, "  陈明 "); err != nil || got.Name != "陈明" || stored().Name != "陈明" {
		t.Fatalf("rename: %+v, %v", got, err)
	}
	last := func() (audit.Record, map[string]any) {
		t.Helper()
		recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "user.update", Limit: 1})
		if err != nil || len(recs) != 1 {
			t.Fatalf("the last change on the record: %+v (%v)", recs, err)
		}
		var d map[string]any
		if err := json.Unmarshal([]byte(recs[0].Detail), &d); err != nil {
			t.Fatal(err)
		}
		return recs[0], d
	}
	if rec, d := last(); rec.Outcome != audit.OK || d["name_before"] != "陈" || d["name"] != "陈明" {
		t.Fatalf("the rename's record: %+v %v", rec, d)
	}
	// The same name again changes nothing, and records nothing.
	if _, err := o.RenameUser(ctx, sysadmin, u.ID, "陈明"); err != nil || records("ok") != 1 {
		t.Errorf("an unchanged name: %v, %d records", err, records("ok"))
	}

	// Without roles the account reaches nothing: the system administrator
	// moves it, as they placed it.
	if got, err := o.MoveUser(ctx, sysadmin, u.ID, heshan); err != nil || got.UnitID != heshan {
		t.Fatalf("the system administrator moves an account without roles: %+v, %v", got, err)
	}
	if _, err := o.SetRoles(ctx, secadmin, u.ID, []access.Role{access.Handler}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := o.IssueToken(ctx, secadmin, u.ID, "tablet", 0)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := o.Authenticate(ctx, tok); err != nil || a.UnitID != heshan || a.Scope.Contains(jiangtou) {
		t.Fatalf("the token before the move: %+v, %v", a, err)
	}
	sess, err := env.App.Auth.Login(ctx, "jt.chen", "Jt-Handler-2026!", "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	// With roles, the unit decides what they reach: the security
	// administrator's to change, and nobody moves themselves.
	if _, err := o.MoveUser(ctx, sysadmin, u.ID, jiangtou); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("the system administrator moves an account with roles: %v", err)
	}
	if _, err := o.MoveUser(ctx, secadmin, secadmin.UserID, jiangtou); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("the security administrator moves themselves: %v", err)
	}
	retired, err := o.CreateUnit(ctx, sysadmin, org.UnitInput{ParentID: jiangtou, Code: "GRID-9", Name: "第九网格", Kind: org.Government, Level: org.Community})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.SetUnitRetired(ctx, sysadmin, retired.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, unit := range []int64{0, retired.ID, 999999} {
		if _, err := o.MoveUser(ctx, secadmin, u.ID, unit); fault.KindOf(err) != fault.Invalid {
			t.Errorf("a move to unit %d: %v", unit, err)
		}
	}
	if got := stored(); got.UnitID != heshan {
		t.Fatalf("a refused move stored unit %d", got.UnitID)
	}
	if _, err := env.App.Auth.Resume(ctx, sess.Token); err != nil {
		t.Fatalf("a refused move ended the session: %v", err)
	}
	if got, err := o.MoveUser(ctx, secadmin, u.ID, jiangtou); err != nil || got.UnitID != jiangtou || got.Name != "陈明" {
		t.Fatalf("the security administrator moves the account: %+v, %v", got, err)
	}
	if _, err := env.App.Auth.Resume(ctx, sess.Token); fault.KindOf(err) != fault.Unauthorized {
		t.Errorf("the session outlived the move: %v", err)
	}
	if a, err := o.Authenticate(ctx, tok); err != nil || a.UnitID != jiangtou || !a.Scope.Contains(jiangtou) || a.Scope.Contains(heshan) {
		t.Errorf("the token after the move: %+v, %v", a, err)
	}
	if rec, d := last(); rec.ActorID != secadmin.UserID || fmt.Sprint(d["from_unit_id"]) != itoa(heshan) ||
		fmt.Sprint(d["to_unit_id"]) != itoa(jiangtou) || fmt.Sprint(d["sessions_ended"]) != "1" {
		t.Errorf("the move's record: %+v %v", rec, d)
	}
	if n := records("denied"); n != 3 {
		t.Errorf("%d refusals on the record, want 3 (two renames, the system administrator's move)", n)
	}

	// What each may change, as the account's page offers it.
	for _, tc := range []struct {
		who          access.Actor
		account      org.User
		rename, move bool
	}{
		{sysadmin, stored(), true, false},
		{secadmin, stored(), false, true},
		{secadmin, env.User(t, "secadmin").User, false, false},
		{env.Actor(t, "dispatcher"), stored(), false, false},
		{access.System("test"), stored(), true, true},
	} {
		if rename, move := org.AccountEdits(tc.who, tc.account); rename != tc.rename || move != tc.move {
			t.Errorf("%s on %s: rename %v move %v, want %v %v", tc.who.Username, tc.account.Username, rename, move, tc.rename, tc.move)
		}
	}
}
