package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/db"
	"pingan/internal/org"
	"pingan/internal/web"
)

// sessionOf returns the browser's session cookie.
func (b *browser) sessionOf() *http.Cookie {
	b.t.Helper()
	u, _ := url.Parse(b.env.Server.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "pingan_session" {
			return c
		}
	}
	b.t.Fatal("no session cookie")
	return nil
}

// alive reports whether a session cookie still opens a signed-in page.
func alive(t testing.TB, env *apptest.Env, c *http.Cookie) bool {
	t.Helper()
	b := newBrowser(t, env)
	u, _ := url.Parse(env.Server.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/"}})
	p := b.get("/inbox")
	switch {
	case p.Status == http.StatusOK:
		return true
	case p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location, "/login"):
		return false
	}
	t.Fatalf("inbox: %d %s", p.Status, p.Location)
	return false
}

// lastDetail returns the detail of the newest audit record of an action.
func lastDetail(t testing.TB, env *apptest.Env, action string) string {
	t.Helper()
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: action, Limit: 1})
	if err != nil || len(recs) == 0 {
		t.Fatalf("no %s record (%v)", action, err)
	}
	return recs[0].Detail
}

func codeAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, auth.Step(at))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A change of a user's roles, password, second factor or enabled state ends
// their sessions at once: a dispatcher made audit administrator (on a
// second administrator's approval) does not read the audit log on the
// session they opened without a second factor.
func TestAccountChangesEndSessions(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher", "sysadmin", "secadmin", "auditadmin")
	ctx := context.Background()
	dispID := env.User(t, "dispatcher").User.ID
	sys, _ := enrolledAdmin(t, env, "sysadmin")
	sec := signedInAdmin(t, env, "secadmin")

	// Roles.
	d := signedIn(t, env, "dispatcher")
	old := d.sessionOf()
	sec.get("/admin/users")
	if p := sec.post(fmt.Sprintf("/admin/users/%d/roles", dispID), url.Values{"role": {"auditadmin"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("roles: %d\n%s", p.Status, excerpt(p.Body))
	}
	if !alive(t, env, old) {
		t.Fatal("a request for a role ended the session")
	}
	approveAll(t, env, sys)
	if p := d.get("/admin/audit"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Fatalf("the audit log on a session from before the role change: %d %s", p.Status, p.Location)
	}
	if alive(t, env, old) {
		t.Fatal("the session survived a change of roles")
	}
	if det := lastDetail(t, env, "user.roles"); !strings.Contains(det, `"sessions_ended":1`) {
		t.Fatalf("the role change's record: %s", det)
	}
	// Signing in again, the new audit administrator must enrol first.
	if p := newBrowser(t, env).signIn("dispatcher", password); p.Location != "/login/enroll" {
		t.Fatalf("new administrator signed in to %q", p.Location)
	}
	// Saving the same roles again ends nothing.
	d = newBrowser(t, env)
	d.signIn("dispatcher", password)
	sec.get("/admin/users")
	sec.post(fmt.Sprintf("/admin/users/%d/roles", dispID), url.Values{"role": {"auditadmin"}})
	if p := d.get("/login/enroll"); p.Status != http.StatusOK {
		t.Fatalf("an unchanged role save ended the session: %d %s", p.Status, p.Location)
	}
	if _, err := env.App.Org.SetRoles(ctx, access.System("test"), dispID, []access.Role{access.Dispatcher}); err != nil {
		t.Fatal(err)
	}
	if p := d.get("/login/enroll"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Fatalf("a partial session survived a change of roles: %d %s", p.Status, p.Location)
	}

	// The second factor of an administrator: requested by the security
	// administrator, in force (and the target's sessions ended) once the
	// system administrator approves.
	aud := signedInAdmin(t, env, "auditadmin")
	audSession := aud.sessionOf()
	audID := env.User(t, "auditadmin").User.ID
	sec.get("/admin/users")
	if p := sec.post(fmt.Sprintf("/admin/users/%d/totp", audID), nil); p.Status != http.StatusSeeOther ||
		!strings.Contains(p.Location, "admin.reset_requested") {
		t.Fatalf("request a TOTP reset: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if !alive(t, env, audSession) {
		t.Fatal("a reset ended the session before it was approved")
	}
	pending, err := env.App.Auth.PendingResets(ctx, env.Actor(t, "sysadmin"))
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	sys.get("/admin/users")
	if p := sys.post(fmt.Sprintf("/admin/resets/%d/approve", pending[0].ID), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("approve the TOTP reset: %d\n%s", p.Status, excerpt(p.Body))
	}
	if p := aud.get("/admin"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Fatalf("admin after the TOTP reset: %d %s", p.Status, p.Location)
	}
	if alive(t, env, audSession) {
		t.Fatal("the session survived a TOTP reset")
	}
	if det := lastDetail(t, env, "totp.disable"); !strings.Contains(det, `"sessions_ended":1`) {
		t.Fatalf("the reset's record: %s", det)
	}

	// Disabled, then enabled again: the old session stays ended.
	d = signedIn(t, env, "dispatcher")
	old = d.sessionOf()
	sys.get("/admin/users")
	for _, op := range []string{"disable", "enable"} {
		if p := sys.post(fmt.Sprintf("/admin/users/%d/%s", dispID, op), nil); p.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", op, p.Status, excerpt(p.Body))
		}
	}
	if alive(t, env, old) {
		t.Fatal("a session came back when its account was enabled again")
	}
	if det := lastDetail(t, env, "user.disable"); !strings.Contains(det, `"sessions_ended":1`) {
		t.Fatalf("the disabling's record: %s", det)
	}

	// A password reset.
	d = signedIn(t, env, "dispatcher")
	old = d.sessionOf()
	sec.get("/admin/users")
	if p := sec.post(fmt.Sprintf("/admin/users/%d/password", dispID), url.Values{"password": {"Reset-Pass-2026!"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("reset password: %d\n%s", p.Status, excerpt(p.Body))
	}
	// The dispatcher was an audit administrator above, within
	// auth.AdminGrace: the reset is a request a second administrator
	// approves, and the session ends when it takes effect.
	if !alive(t, env, old) {
		t.Fatal("a requested reset ended the session")
	}
	approveAll(t, env, sys)
	if alive(t, env, old) {
		t.Fatal("the session survived a password reset")
	}
	if det := lastDetail(t, env, "password.reset"); !strings.Contains(det, `"sessions_ended":1`) {
		t.Fatalf("the reset's record: %s", det)
	}
}

// However a session became full, an administrator without the second factor
// does not use it (defence in depth behind ending sessions).
func TestAdminWithoutSecondFactorIsNotFull(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	d := signedIn(t, env, "dispatcher")
	// The role granted behind the services' back, sessions left alone.
	ctx := context.Background()
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)", env.User(t, "dispatcher").User.ID, access.AuditAdmin)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if p := d.get("/admin/audit"); p.Status != http.StatusSeeOther || p.Location != "/login/enroll" {
		t.Fatalf("an administrator without TOTP opened the audit log: %d %s", p.Status, p.Location)
	}
}

// 三员分立: nobody changes their own roles, nor resets their own password
// or second factor around the rules; the refusals are audited.
func TestNoSelfEscalation(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "secadmin")
	ctx := context.Background()
	sec := signedInAdmin(t, env, "secadmin")
	id := env.User(t, "secadmin").User.ID
	sec.get("/admin/users")
	for _, tc := range []struct {
		path   string
		form   url.Values
		action string
	}{
		{fmt.Sprintf("/admin/users/%d/roles", id), url.Values{"role": {"auditadmin"}}, "user.roles"},
		{fmt.Sprintf("/admin/users/%d/password", id), url.Values{"password": {"Own-Reset-2026!"}}, "password.reset"},
		{fmt.Sprintf("/admin/users/%d/totp", id), nil, "totp.disable"},
		{"/settings/totp/off", nil, "totp.disable"},
	} {
		before := auditCount(t, env, tc.action, audit.Denied)
		if p := sec.post(tc.path, tc.form); p.Status != http.StatusForbidden {
			t.Fatalf("%s: %d\n%s", tc.path, p.Status, excerpt(p.Body))
		}
		if auditCount(t, env, tc.action, audit.Denied) != before+1 {
			t.Fatalf("%s: the refusal is not audited", tc.path)
		}
	}
	u, err := env.App.Org.User(ctx, env.App.DB, id)
	if err != nil || len(u.Roles) != 1 || u.Roles[0] != access.SecAdmin {
		t.Fatalf("roles after the refusal: %v (%v)", u.Roles, err)
	}
	if on, err := env.App.Auth.TOTPEnabled(ctx, id); err != nil || !on {
		t.Fatalf("TOTP after the refusals: %v (%v)", on, err)
	}
	if p := sec.get("/admin/users"); p.Status != http.StatusOK {
		t.Fatalf("the security administrator's own session: %d", p.Status)
	}
	// The service refuses it whoever calls.
	if _, err := env.App.Org.SetRoles(ctx, env.Actor(t, "secadmin"), id, []access.Role{access.SecAdmin}); err == nil {
		t.Fatal("SetRoles let a security administrator change their own roles")
	}
}

// Every state-changing route of the workbench refuses a request without the
// session's form token. The routes come from the router, so a new one is
// covered without touching this test.
func TestEveryPostRouteChecksCSRF(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	w, err := web.New(env.App)
	if err != nil {
		t.Fatal(err)
	}
	b := signedIn(t, env, "dispatcher")
	anon := newBrowser(t, env)
	anon.get("/login") // the sign-in form's token cookie
	param := regexp.MustCompile(`\{[^}]+\}`)
	n := 0
	for _, pattern := range w.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		if method == http.MethodGet || method == http.MethodHead {
			continue
		}
		n++
		path = param.ReplaceAllString(path, "1")
		for who, br := range map[string]*browser{"signed in": b, "signed out": anon} {
			for _, token := range []string{"", "not-the-token"} {
				p := br.post(path, url.Values{"csrf": {token}})
				if p.Status == http.StatusSeeOther && who == "signed out" && strings.HasPrefix(p.Location, "/login") {
					continue // a signed-in route sends strangers to sign in before reading anything
				}
				if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "页面已过期或来源不明") {
					t.Errorf("%s %s, %s, token %q: %d %s", method, path, who, token, p.Status, p.Location)
				}
			}
		}
	}
	if n < 20 { // a sanity check that the walk saw the table
		t.Fatalf("only %d state-changing routes found", n)
	}
	if !alive(t, env, b.sessionOf()) {
		t.Fatal("a refused sign-out ended the session")
	}
}

// zeros is an endless body.
type zeros struct{ read *atomic.Int64 }

func (z zeros) Read(p []byte) (int, error) {
	clear(p)
	z.read.Add(int64(len(p)))
	return len(p), nil
}

// Request bodies are bounded before they are read: small for forms, the
// attachment limit for the routes that take files; over it, 413 in words.
func TestBodySizeLimits(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou")
	send := func(b *browser, path, contentType string, size int64, chunked bool) (page, int64) {
		t.Helper()
		var sent atomic.Int64
		req, err := http.NewRequest(http.MethodPost, env.Server.URL+path, io.LimitReader(zeros{&sent}, size))
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = size
		if chunked {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Origin", env.Server.URL)
		res, err := b.c.Do(req)
		if err != nil {
			// The server may close the connection while the client still
			// writes; what matters is that it did not take it all.
			t.Logf("%s: %v", path, err)
			return page{}, sent.Load()
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return page{Status: res.StatusCode, Body: string(body)}, sent.Load()
	}
	form := "application/x-www-form-urlencoded"
	for _, chunked := range []bool{false, true} {
		p, sent := send(newBrowser(t, env), "/login", form, 100<<20, chunked)
		if sent > 32<<20 {
			t.Fatalf("an unauthenticated 100 MB sign-in was read (%d MB sent, chunked %v)", sent>>20, chunked)
		}
		if p.Status != 0 {
			if p.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("100 MB sign-in (chunked %v): %d", chunked, p.Status)
			}
			mustContain(t, p, "提交的内容过大", "1 MB")
		}
	}
	// Signed in: a form without files is small too.
	h := signedIn(t, env, "jiangtou")
	if p, _ := send(h, "/inbox/read", form, 2<<20, false); p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MB form: %d", p.Status)
	}
	// So is an url-encoded form on a route that takes files: only a
	// multipart form carries them, and an url-encoded one is read whole.
	for _, chunked := range []bool{false, true} {
		if p, _ := send(h, "/intake", form, 2<<20, chunked); p.Status != 0 && p.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("2 MB url-encoded intake (chunked %v): %d", chunked, p.Status)
		} else if p.Status != 0 {
			mustContain(t, p, "提交的内容过大", "1 MB")
		}
	}
	// A route that takes files takes a 2 MB photo.
	n, _ := dispatched(t, env)
	h.get("/cases/" + n)
	photo := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 2<<20)...)
	if p := h.postFile("/cases/"+n+"/attachments", nil, "files", "photo.png", photo); p.Status != http.StatusSeeOther {
		t.Fatalf("2 MB photo: %d\n%s", p.Status, excerpt(p.Body))
	}
	// More than the files and fields allowed: refused before it is read.
	limit := int64(20*20<<20 + 1<<20)
	if p, sent := send(h, "/cases/"+n+"/attachments", "multipart/form-data; boundary=x", limit+1, false); p.Status != 0 &&
		p.Status != http.StatusRequestEntityTooLarge || sent > 32<<20 {
		t.Fatalf("an upload over the limit: %d, %d MB read", p.Status, sent>>20)
	}
}

// A file over its route's limit is refused in words, whole: never cut
// short and read as if complete.
func TestFilesOverTheirLimit(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin", "intake")
	sys := signedInAdmin(t, env, "sysadmin")
	sys.get("/admin/deadlines")
	line := "2027年元旦：1月1日放假。\n"
	notice := []byte(strings.Repeat(line, 1<<20/len(line)+1))
	p := sys.postFile("/admin/calendar", nil, "notice", "notice.txt", notice)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a notice over 1 MB: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "文件过大", "1 MB")
	if auditCount(t, env, "calendar.import", audit.OK) != 0 {
		t.Error("a part of the notice was imported")
	}
	b := signedIn(t, env, "intake")
	b.get("/intake/import")
	line = "1,莲前西路路灯不亮,13806012345\n"
	file := []byte("编号,内容,电话\n" + strings.Repeat(line, 64<<20/len(line)+1))
	p = b.postFile("/intake/import", url.Values{"mode": {"valid-rows"}, "source": {"数字城管"}}, "file", "big.csv", file)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a file over 64 MB: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "文件过大", "64 MB")
}

// An address that names nothing — an unknown path, an id that cannot be
// one, an operation that is not there — has one answer: no such page.
func TestAddressesThatNameNothing(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin")
	sys := signedInAdmin(t, env, "sysadmin")
	sys.get("/admin/users")
	for _, p := range []page{
		sys.get("/nothing"),
		sys.get("/admin/webhooks/deliveries/abc"),
		sys.post(fmt.Sprintf("/admin/users/%d/promote", env.User(t, "intake").User.ID), nil),
	} {
		if p.Status != http.StatusNotFound {
			t.Errorf("%d, want 404\n%s", p.Status, excerpt(p.Body))
		}
		mustContain(t, p, "没有这个页面")
	}
}

// Cookies are HttpOnly and SameSite=Lax, and Secure when the request came
// over TLS or through a proxy that says so.
func TestCookieFlags(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	for _, tls := range []bool{false, true} {
		b := newBrowser(t, env)
		req, _ := http.NewRequest(http.MethodGet, env.Server.URL+"/login", nil)
		if tls {
			req.Header.Set("X-Forwarded-Proto", "https")
		}
		p := b.do(req)
		req, _ = http.NewRequest(http.MethodPost, env.Server.URL+"/login", strings.NewReader(url.Values{"csrf": {b.csrf},
			"username": {"dispatcher"}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tls {
			req.Header.Set("X-Forwarded-Proto", "https")
			// The test server speaks plain HTTP, so the jar keeps a Secure
			// cookie to itself; send it as a browser behind TLS would.
			req.AddCookie(&http.Cookie{Name: "pingan_login_csrf", Value: b.csrf})
		}
		q := b.do(req)
		if q.Status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", q.Status)
		}
		seen := map[string]bool{}
		for _, pg := range []page{p, q} {
			for _, c := range (&http.Response{Header: pg.Header}).Cookies() {
				seen[c.Name] = true
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tls || c.Path != "/" {
					t.Errorf("TLS %v: cookie %s: HttpOnly %v SameSite %v Secure %v Path %q", tls, c.Name, c.HttpOnly, c.SameSite, c.Secure, c.Path)
				}
			}
		}
		if !seen["pingan_session"] || !seen["pingan_login_csrf"] {
			t.Fatalf("cookies set: %v", seen)
		}
	}
}

// A session id is never carried across a sign-in or a second factor: a
// cookie planted before, or a session opened before, is dead after.
func TestSessionRotation(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher", "sysadmin")
	b := signedIn(t, env, "dispatcher")
	first := b.sessionOf()
	if p := b.signIn("dispatcher", password); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in again: %d", p.Status)
	}
	second := b.sessionOf()
	if second.Value == first.Value || alive(t, env, first) || !alive(t, env, second) {
		t.Fatal("the session from before the sign-in lives on")
	}
	// A planted id is not adopted.
	u, _ := url.Parse(env.Server.URL)
	c := newBrowser(t, env)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: "pingan_session", Value: "planted-by-someone-else-0123456789", Path: "/"}})
	c.signIn("dispatcher", password)
	if c.sessionOf().Value == "planted-by-someone-else-0123456789" {
		t.Fatal("a planted session id was kept")
	}

	// The second factor: the password-stage id dies when the session is full.
	_, secret := enrolledAdmin(t, env, "sysadmin")
	a := newBrowser(t, env)
	if p := a.signIn("sysadmin", password); p.Location != "/login/totp" {
		t.Fatalf("sign in: %s", p.Location)
	}
	pending := a.sessionOf()
	a.get("/login/totp")
	env.Clock.Advance(30 * time.Second)
	if p := a.post("/login/totp", url.Values{"code": {codeAt(t, secret, env.Clock.Now())}}); p.Status != http.StatusSeeOther {
		t.Fatalf("code: %d\n%s", p.Status, excerpt(p.Body))
	}
	full := a.sessionOf()
	if full.Value == pending.Value {
		t.Fatal("the session id was not rotated after the second factor")
	}
	if p := a.get("/admin"); p.Status != http.StatusOK {
		t.Fatalf("admin on the new id: %d", p.Status)
	}
	old := newBrowser(t, env)
	old.c.Jar.SetCookies(u, []*http.Cookie{{Name: "pingan_session", Value: pending.Value, Path: "/"}})
	if p := old.get("/admin"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login?") {
		t.Fatalf("the password-stage id after the second factor: %d %s", p.Status, p.Location)
	}
}

// Wrong second-factor codes count toward the lockout like wrong passwords.
func TestWrongCodesLockOut(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin")
	_, secret := enrolledAdmin(t, env, "sysadmin")
	b := newBrowser(t, env)
	b.signIn("sysadmin", password)
	b.get("/login/totp")
	env.Clock.Advance(30 * time.Second)
	right := codeAt(t, secret, env.Clock.Now())
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	var p page
	for i := 1; i <= auth.MaxFailures; i++ {
		p = b.post("/login/totp", url.Values{"code": {wrong}})
		if i < auth.MaxFailures && p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: %d", i, p.Status)
		}
	}
	if p.Status != http.StatusForbidden {
		t.Fatalf("fifth wrong code: %d", p.Status)
	}
	mustContain(t, p, "账号已锁定")
	if p = b.post("/login/totp", url.Values{"code": {right}}); p.Status != http.StatusForbidden {
		t.Fatalf("the right code while locked: %d", p.Status)
	}
	if n := auditCount(t, env, "login.lockout", audit.Denied); n != 1 {
		t.Fatalf("%d lockouts audited", n)
	}
	env.Clock.Advance(auth.LockFor + time.Second)
	if p = b.post("/login/totp", url.Values{"code": {codeAt(t, secret, env.Clock.Now())}}); p.Status != http.StatusSeeOther {
		t.Fatalf("the right code after the lock: %d\n%s", p.Status, excerpt(p.Body))
	}
}

// The figures of the security policy, as values and as behaviour.
func TestSecurityPolicyValues(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"failures before lockout", auth.MaxFailures, 5},
		{"lockout", auth.LockFor, 15 * time.Minute},
		{"idle timeout", auth.IdleTimeout, 30 * time.Minute},
		{"absolute timeout", auth.AbsoluteTimeout, 12 * time.Hour},
		{"shortest password", org.MinPasswordLength, 12},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	b := newBrowser(t, env)
	wrong := func(n int) page {
		var p page
		for range n {
			p = b.signIn("dispatcher", "Wrong-Password-1")
		}
		return p
	}
	// Four failures, then the right password: in, and the count starts again.
	wrong(4)
	if p := b.signIn("dispatcher", password); p.Status != http.StatusSeeOther {
		t.Fatalf("right password after 4 failures: %d", p.Status)
	}
	b = newBrowser(t, env)
	// Five: locked for 15 minutes, not a second less.
	if p := wrong(5); !strings.Contains(p.Body, "账号已锁定") {
		t.Fatalf("not locked after 5 failures: %d", p.Status)
	}
	env.Clock.Advance(auth.LockFor - time.Second)
	if p := b.signIn("dispatcher", password); p.Status == http.StatusSeeOther {
		t.Fatal("the lock lifted early")
	}
	env.Clock.Advance(2 * time.Second)
	if p := b.signIn("dispatcher", password); p.Status != http.StatusSeeOther {
		t.Fatalf("the lock did not lift after 15 minutes: %d", p.Status)
	}
	// Idle: a second short of 30 minutes is alive; 30 minutes is not.
	b.get("/inbox")
	env.Clock.Advance(auth.IdleTimeout - time.Second)
	if !alive(t, env, b.sessionOf()) {
		t.Fatal("the session ended before the idle timeout")
	}
	env.Clock.Advance(auth.IdleTimeout)
	if alive(t, env, b.sessionOf()) {
		t.Fatal("the session outlived the idle timeout")
	}
}

// My settings: the password, and the second factor on and off, through the
// pages; each change ends the user's other sessions and keeps this one.
func TestSettingsPages(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	ctx := context.Background()
	id := env.User(t, "dispatcher").User.ID
	b := signedIn(t, env, "dispatcher")
	other := signedIn(t, env, "dispatcher")

	b.get("/settings")
	for _, tc := range []struct {
		old, pw, pw2, want string
	}{
		{password, "Abcdefgh-123", "Abcdefgh-124", "两次输入的新密码不一致"},
		{"not-my-password", "Abcdefgh-123", "Abcdefgh-123", "当前密码不正确"},
		{password, "Abcdefgh-12", "Abcdefgh-12", "至少需要 12 个字符"},
	} {
		p := b.post("/settings/password", url.Values{"old_password": {tc.old}, "password": {tc.pw}, "password2": {tc.pw2}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.want, p.Status)
		}
		mustContain(t, p, tc.want)
	}
	if !alive(t, env, other.sessionOf()) {
		t.Fatal("a refused password change ended a session")
	}
	p := b.post("/settings/password", url.Values{"old_password": {password}, "password": {"Abcdefgh-123"}, "password2": {"Abcdefgh-123"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "settings.password_changed") {
		t.Fatalf("a 12-character password: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if !alive(t, env, b.sessionOf()) || alive(t, env, other.sessionOf()) {
		t.Fatal("after a password change: this session must stay, the others end")
	}
	if p := newBrowser(t, env).signIn("dispatcher", password); p.Status == http.StatusSeeOther {
		t.Fatal("the old password still signs in")
	}
	other = newBrowser(t, env)
	if p := other.signIn("dispatcher", "Abcdefgh-123"); p.Status != http.StatusSeeOther {
		t.Fatalf("the new password: %d", p.Status)
	}

	// The second factor: showing the page stores nothing.
	p = b.get("/settings/totp")
	secret, pending := enrolment(t, p)
	var stored *string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT totp_secret FROM users WHERE id = $1", id).Scan(&stored); err != nil || stored != nil {
		t.Fatalf("GET /settings/totp stored a secret (%v)", err)
	}
	// A secret offered to another session does not enrol this one.
	third := newBrowser(t, env)
	third.signIn("dispatcher", "Abcdefgh-123")
	_, foreign := enrolment(t, third.get("/settings/totp"))
	code := codeAt(t, secret, env.Clock.Now())
	if p = b.post("/settings/totp", url.Values{"code": {code}, "pending": {foreign}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("another session's secret: %d", p.Status)
	}
	// The page says so and offers this session's own secret instead.
	mustContain(t, p, "这个二维码已失效")
	if s, _ := enrolment(t, p); s != secret {
		t.Fatalf("after another session's secret the page offers %s, not the session's %s", s, secret)
	}
	if p = b.post("/settings/totp", url.Values{"code": {"000000"}, "pending": {pending}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong code: %d", p.Status)
	}
	s, again := enrolment(t, p) // the page asks again, with the same secret
	if s != secret {
		t.Fatalf("after a wrong code the page offers %s, not %s", s, secret)
	}
	if p = b.post("/settings/totp", url.Values{"code": {code}, "pending": {again}}); p.Status != http.StatusSeeOther ||
		!strings.Contains(p.Location, "settings.totp_on") {
		t.Fatalf("enrol: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if on, err := env.App.Auth.TOTPEnabled(ctx, id); err != nil || !on {
		t.Fatalf("TOTP after enrolling: %v (%v)", on, err)
	}
	// The same form sent again (from another tab) finds it on: the settings
	// page says so, rather than a form asking for a code.
	if p = b.post("/settings/totp", url.Values{"code": {code}, "pending": {again}}); p.Status != http.StatusSeeOther ||
		p.Location != "/settings?flash=settings.totp_on" {
		t.Fatalf("enrolling twice: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if !alive(t, env, b.sessionOf()) || alive(t, env, other.sessionOf()) {
		t.Fatal("after turning the second factor on: this session must stay, the others end")
	}
	if p := newBrowser(t, env).signIn("dispatcher", "Abcdefgh-123"); p.Location != "/login/totp" {
		t.Fatalf("sign-in with the second factor on went to %q", p.Location)
	}

	// Off again, from the settings page.
	other = signedIn2FA(t, env, "dispatcher", "Abcdefgh-123", secret)
	mustContain(t, b.get("/settings"), "/settings/totp/off")
	if p = b.post("/settings/totp/off", nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "settings.totp_off") {
		t.Fatalf("turn off: %d %s", p.Status, p.Location)
	}
	if on, err := env.App.Auth.TOTPEnabled(ctx, id); err != nil || on {
		t.Fatalf("TOTP after turning it off: %v (%v)", on, err)
	}
	if !alive(t, env, b.sessionOf()) || alive(t, env, other.sessionOf()) {
		t.Fatal("after turning the second factor off: this session must stay, the others end")
	}
	if auditCount(t, env, "totp.enable", audit.OK) != 1 || auditCount(t, env, "totp.disable", audit.OK) != 1 ||
		auditCount(t, env, "password.change", audit.OK) != 1 {
		t.Fatal("the settings changes are not all audited")
	}
}

// signedIn2FA signs a user in with a password and the second factor.
func signedIn2FA(t testing.TB, env *apptest.Env, username, pw, secret string) *browser {
	t.Helper()
	b := newBrowser(t, env)
	if p := b.signIn(username, pw); p.Location != "/login/totp" {
		t.Fatalf("sign in %s: %s", username, p.Location)
	}
	b.get("/login/totp")
	env.Clock.Advance(30 * time.Second)
	if p := b.post("/login/totp", url.Values{"code": {codeAt(t, secret, env.Clock.Now())}}); p.Status != http.StatusSeeOther {
		t.Fatalf("code for %s: %d\n%s", username, p.Status, excerpt(p.Body))
	}
	return b
}

// Reading the audit log is itself audited: who looked, for what.
func TestAuditLogReadsAreAudited(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "auditadmin")
	aud := signedInAdmin(t, env, "auditadmin")
	if p := aud.get("/admin/audit?action=login"); p.Status != http.StatusOK {
		t.Fatalf("audit log: %d", p.Status)
	}
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: "audit.read"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d reads recorded (%v)", len(recs), err)
	}
	if r := recs[0]; r.ActorName != "auditadmin" || !strings.Contains(r.Detail, `"action":"login"`) || r.RemoteAddr == "" {
		t.Fatalf("the read's record: %+v", r)
	}
	// The next page shows it.
	mustContain(t, aud.get("/admin/audit?action=audit.read"), "audit.read")
}
