package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/auth"
	"pingan/internal/casework"
)

// password is every test user's password.
const password = "Web-Test-Pass-2026"

// browser is a cookie-keeping HTTP client that does not follow redirects,
// so that tests see where each form sends the user.
type browser struct {
	t    testing.TB
	env  *apptest.Env
	c    *http.Client
	csrf string
	lang string
}

// page is one response.
type page struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func newBrowser(t testing.TB, env *apptest.Env) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, env: env, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(body), Header: res.Header}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.env.Server.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form with the page's CSRF token, as a browser on the same
// site would.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, b.env.Server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.env.Server.URL)
	return b.do(req)
}

// setPasswords gives demo users a password (hashing is slow, so only those
// a test needs).
func setPasswords(t testing.TB, env *apptest.Env, users ...string) {
	t.Helper()
	for _, u := range users {
		if err := env.App.Auth.ResetPassword(context.Background(), access.System("test"), env.User(t, u).User.ID, password); err != nil {
			t.Fatalf("password for %s: %v", u, err)
		}
	}
}

// signIn signs a user in with a password and returns where the login sent
// them.
func (b *browser) signIn(username, pw string) page {
	b.t.Helper()
	b.get("/login")
	return b.post("/login", url.Values{"username": {username}, "password": {pw}, "next": {"/"}})
}

// signedIn returns a browser signed in as a user without a second factor.
func signedIn(t testing.TB, env *apptest.Env, username string) *browser {
	t.Helper()
	b := newBrowser(t, env)
	if p := b.signIn(username, password); p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Fatalf("sign in %s: %d %s\n%s", username, p.Status, p.Location, p.Body)
	}
	b.get("/settings") // the session's form token
	return b
}

func mustContain(t testing.TB, p page, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.Body, w) {
			t.Fatalf("page (%d) lacks %q:\n%s", p.Status, w, excerpt(p.Body))
		}
	}
}

func mustNotContain(t testing.TB, p page, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(p.Body, w) {
			t.Fatalf("page (%d) shows %q:\n%s", p.Status, w, excerpt(p.Body))
		}
	}
}

// excerpt is the page's main part, for failure messages.
func excerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000]
	}
	return s
}

// auditCount counts audit records of an action and outcome.
func auditCount(t testing.TB, env *apptest.Env, action, outcome string) int {
	t.Helper()
	recs, err := env.App.Audit.List(context.Background(), env.App.DB, audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Outcome == outcome {
			n++
		}
	}
	return n
}

func TestSignInAndLockout(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := newBrowser(t, env)

	// An unknown page, and any page before sign-in, go to the login page.
	if p := b.get("/queue"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login?next=%2Fqueue") {
		t.Fatalf("queue before sign-in: %d %s", p.Status, p.Location)
	}
	p := b.get("/login")
	mustContain(t, p, "登录", `name="username"`)

	for i := 1; i <= auth.MaxFailures; i++ {
		p = b.post("/login", url.Values{"username": {"intake"}, "password": {"wrong-password-" + string(rune('a'+i))}})
		if p.Status == http.StatusSeeOther {
			t.Fatalf("wrong password %d signed in", i)
		}
		mustNotContain(t, p, "wrong-password")
		if i < auth.MaxFailures {
			mustContain(t, p, "用户名或密码错误")
		}
	}
	// The last failure locks the account and says so.
	mustContain(t, p, "账号已锁定")
	// Locked: even the right password is refused, with the reason.
	p = b.post("/login", url.Values{"username": {"intake"}, "password": {password}})
	if p.Status == http.StatusSeeOther {
		t.Fatal("a locked account signed in")
	}
	mustContain(t, p, "锁定")
	if n := auditCount(t, env, "login", audit.Denied); n < auth.MaxFailures+1 {
		t.Fatalf("%d refused sign-ins audited, want at least %d", n, auth.MaxFailures+1)
	}
	// An unknown user gets the same answer as a wrong password.
	p = b.post("/login", url.Values{"username": {"nobody"}, "password": {password}})
	mustContain(t, p, "用户名或密码错误")

	// The lock lifts after LockFor.
	env.Clock.Advance(auth.LockFor + time.Second)
	p = b.signIn("intake", password)
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Fatalf("after the lock: %d %s", p.Status, p.Location)
	}
	// The home page sends an intake operator to intake.
	if p = b.get("/"); p.Status != http.StatusSeeOther || p.Location != "/intake" {
		t.Fatalf("home: %d %s", p.Status, p.Location)
	}
	// The "next" parameter cannot send the user to another site.
	b2 := newBrowser(t, env)
	b2.get("/login")
	p = b2.post("/login", url.Values{"username": {"intake"}, "password": {password}, "next": {"//evil.example/x"}})
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Fatalf("open redirect: %d %s", p.Status, p.Location)
	}
}

func TestSessionTimeouts(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	b := signedIn(t, env, "dispatcher")
	if p := b.get("/queue"); p.Status != http.StatusOK {
		t.Fatalf("queue: %d", p.Status)
	}
	// Idle for the idle timeout: the session ends.
	env.Clock.Advance(auth.IdleTimeout)
	if p := b.get("/queue"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Fatalf("after idling: %d %s", p.Status, p.Location)
	}
	// Active all day: the absolute timeout still ends it.
	b = signedIn(t, env, "dispatcher")
	start := env.Clock.Now()
	for env.Clock.Now().Sub(start) < auth.AbsoluteTimeout-auth.IdleTimeout {
		env.Clock.Advance(auth.IdleTimeout - time.Minute)
		if p := b.get("/inbox"); p.Status != http.StatusOK {
			t.Fatalf("active session ended after %s: %d %s", env.Clock.Now().Sub(start), p.Status, p.Location)
		}
	}
	env.Clock.Advance(auth.IdleTimeout - time.Minute)
	if p := b.get("/inbox"); p.Status != http.StatusSeeOther {
		t.Fatalf("session outlived the absolute timeout (%s): %d", env.Clock.Now().Sub(start), p.Status)
	}

	// Signing out ends the session on the server, not only the cookie.
	b = signedIn(t, env, "dispatcher")
	b.get("/inbox")
	var old *http.Cookie
	u, _ := url.Parse(env.Server.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "pingan_session" {
			old = c
		}
	}
	if old == nil {
		t.Fatal("no session cookie")
	}
	if p := b.post("/logout", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.Status)
	}
	b.c.Jar.SetCookies(u, []*http.Cookie{old})
	if p := b.get("/inbox"); p.Status != http.StatusSeeOther {
		t.Fatalf("a signed-out session still works: %d", p.Status)
	}
}

func TestCSRF(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := signedIn(t, env, "intake")
	b.get("/intake")
	count := func() int {
		n, err := env.App.Cases.Count(context.Background(), access.System("test"), casework.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	form := url.Values{"channel": {"hotline"}, "body": {"小区门口夜间施工噪音扰民"}, "address": {"思明区莲前西路100号"}}

	// No token, a wrong token, another site: refused, nothing stored.
	for name, f := range map[string]url.Values{
		"none":  {"csrf": {""}},
		"wrong": {"csrf": {"not-the-token"}},
	} {
		for k, vs := range form {
			f[k] = vs
		}
		if p := b.post("/intake", f); p.Status != http.StatusForbidden {
			t.Fatalf("%s token: %d", name, p.Status)
		} else {
			mustContain(t, p, "页面已过期或来源不明")
		}
	}
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/intake", strings.NewReader(url.Values{"csrf": {b.csrf}, "body": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if p := b.do(req); p.Status != http.StatusForbidden {
		t.Fatalf("cross-origin post: %d", p.Status)
	}
	req, _ = http.NewRequest(http.MethodPost, env.Server.URL+"/intake", strings.NewReader(url.Values{"csrf": {b.csrf}, "body": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := b.do(req); p.Status != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", p.Status)
	}
	if n := count(); n != before {
		t.Fatalf("refused posts stored %d cases", n-before)
	}
	// The right token from the page: stored once, even if sent twice.
	b.get("/intake")
	form.Set("form_id", "f-0001")
	p := b.post("/intake", form)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/intake?saved=") {
		t.Fatalf("intake: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	p2 := b.post("/intake", form)
	if p2.Location != p.Location {
		t.Fatalf("a resent form made another case: %s then %s", p.Location, p2.Location)
	}
	if n := count(); n != before+1 {
		t.Fatalf("stored %d cases, want 1", n-before)
	}
	p = b.get(p.Location)
	mustContain(t, p, "已受理为", "小区门口夜间施工噪音扰民")
}

func TestIntakeValidation(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := signedIn(t, env, "intake")
	b.post("/lang", url.Values{"lang": {"en"}})
	b.get("/intake")
	p := b.post("/intake", url.Values{"channel": {"hotline"}, "body": {""}, "lat": {"91"}, "lon": {"118.1"},
		"reporter_phone": {"12"}, "address": {"keep this address"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid intake: %d\n%s", p.Status, excerpt(p.Body))
	}
	// The errors are named in the user's language and the form keeps what
	// was typed.
	mustContain(t, p, "Please correct the following", "keep this address", "<li>Phone: ", "<li>Text: ")
	n, err := env.App.Cases.Count(context.Background(), access.System("test"), casework.Filter{})
	if err != nil || n != 0 {
		t.Fatalf("invalid intake stored %d cases (%v)", n, err)
	}
	// A case number that names no case is a mistake on its field: the
	// call's details stay on the form.
	b.get("/intake")
	p = b.post("/intake", url.Values{"channel": {"hotline"}, "body": {"路灯不亮"}, "reporter_name": {"林先生"},
		"reporter_phone": {"13806012345"}, "case_number": {"XM-2026-999999"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a report for no case: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "no case XM-2026-999999", "林先生", "13806012345", "路灯不亮")
}

func TestSecondFactor(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin")
	b := newBrowser(t, env)
	p := b.signIn("sysadmin", password)
	if p.Location != "/login/enroll" {
		t.Fatalf("an administrator without a second factor went to %q", p.Location)
	}
	// Until enrolled, no page opens.
	if p = b.get("/admin"); p.Status != http.StatusSeeOther || p.Location != "/login/enroll" {
		t.Fatalf("admin before enrolling: %d %s", p.Status, p.Location)
	}
	p = b.get("/login/enroll")
	mustContain(t, p, "data-otpauth=\"otpauth://totp/")
	secret, pending := enrolment(t, p)
	code := func() string {
		c, err := auth.TOTPCode(secret, auth.Step(env.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// A refused code (wrong, short, not digits, none: a client may skip the
	// form's pattern) is said once, and the page shows the same secret
	// again, QR code and key, with a pending secret that confirms.
	for _, bad := range []string{wrongCode(t, secret, env.Clock.Now()), "12345", "12ab56", "1234567", ""} {
		p = b.post("/login/enroll", url.Values{"code": {bad}, "pending": {pending}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("enrolment code %q: %d", bad, p.Status)
		}
		if n := strings.Count(p.Body, "不正确"); n != 1 {
			t.Errorf("enrolment code %q: the page says 不正确 %d times:\n%s", bad, n, excerpt(p.Body))
		}
		mustContain(t, p, "验证码不正确，请确认手机时间准确", `data-otpauth="otpauth://totp/`, "管理员账号必须启用两步验证")
		if again, _ := enrolment(t, p); again != secret {
			t.Fatalf("enrolment code %q: the page offers %s, not %s", bad, again, secret)
		}
	}
	_, pending = enrolment(t, p)
	if p = b.post("/login/enroll", url.Values{"code": {code()}, "pending": {pending}}); p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Fatalf("enrol: %d %s\n%s", p.Status, p.Location, excerpt(p.Body))
	}
	if p = b.get("/admin"); p.Status != http.StatusOK {
		t.Fatalf("admin after enrolling: %d", p.Status)
	}

	// Next time: password, then the code; a used code does not work twice.
	b2 := newBrowser(t, env)
	if p = b2.signIn("sysadmin", password); p.Location != "/login/totp" {
		t.Fatalf("second sign-in went to %q", p.Location)
	}
	if p = b2.get("/admin"); p.Location != "/login/totp" {
		t.Fatalf("admin before the code: %d %s", p.Status, p.Location)
	}
	b2.get("/login/totp")
	used := code()
	if p = b2.post("/login/totp", url.Values{"code": {used}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a code already used at enrolment was accepted: %d", p.Status)
	}
	// The page says it was used, not that it is wrong, on the 验证码 field.
	mustContain(t, p, "<li>验证码：这个验证码刚用过")
	if p = b2.post("/login/totp", url.Values{"code": {"000000"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong code: %d", p.Status)
	}
	mustContain(t, p, "<li>验证码：验证码不正确")
	env.Clock.Advance(30 * time.Second)
	if p = b2.post("/login/totp", url.Values{"code": {code()}}); p.Status != http.StatusSeeOther {
		t.Fatalf("right code: %d\n%s", p.Status, excerpt(p.Body))
	}
	if p = b2.get("/admin/users"); p.Status != http.StatusOK {
		t.Fatalf("admin users after the code: %d", p.Status)
	}
	mustContain(t, p, "sysadmin", "已设两步验证")
}

var (
	secretCode   = regexp.MustCompile(`<code class="secret key">((?:<span>[A-Z2-7]{1,4}</span>)+)</code>`)
	pendingField = regexp.MustCompile(`name="pending" value="([^"]+)"`)
)

// enrolment reads an enrolment page: the secret shown and the sealed
// pending secret its form sends back.
func enrolment(t testing.TB, p page) (secret, pending string) {
	t.Helper()
	m, n := secretCode.FindStringSubmatch(p.Body), pendingField.FindStringSubmatch(p.Body)
	if m == nil || n == nil {
		t.Fatalf("no secret on the enrolment page (%d):\n%s", p.Status, excerpt(p.Body))
	}
	// The key shown in groups of four, read as the page's text is.
	return strings.NewReplacer("<span>", "", "</span>", "").Replace(m[1]), html.UnescapeString(n[1]) // as a browser reads the attribute
}

func TestLanguage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	b := signedIn(t, env, "dispatcher")
	mustContain(t, b.get("/queue"), `<html lang="zh-CN">`, "待办")
	if p := b.post("/lang", url.Values{"lang": {"en"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("switch language: %d", p.Status)
	}
	p := b.get("/queue")
	mustContain(t, p, `<html lang="en">`, "Work queue")
	mustNotContain(t, p, "待办")
	// Remembered for the account: a new browser opens in English too.
	b2 := signedIn(t, env, "dispatcher")
	mustContain(t, b2.get("/queue"), "Work queue")

	// Chosen on the sign-in page, the language stays after sign-in, and
	// the account keeps it.
	setPasswords(t, env, "intake")
	b3 := newBrowser(t, env)
	b3.get("/login")
	if p := b3.post("/lang", url.Values{"lang": {"en"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("switch language before sign-in: %d", p.Status)
	}
	mustContain(t, b3.get("/login"), `<html lang="en">`)
	if p := b3.post("/login", url.Values{"username": {"intake"}, "password": {password}, "next": {"/"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.Status)
	}
	mustContain(t, b3.get("/queue"), `<html lang="en">`, "Work queue")
	mustContain(t, signedIn(t, env, "intake").get("/queue"), `<html lang="en">`)
	// A browser that never chose keeps the account's language.
	b4 := newBrowser(t, env)
	b4.lang = "zh-CN"
	if p := b4.signIn("dispatcher", password); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.Status)
	}
	mustContain(t, b4.get("/queue"), `<html lang="en">`)

	// Categories are named in the reader's language: on the case, in the
	// pickers, in the routing rules.
	n, _ := dispatched(t, env)
	mustContain(t, b.get("/cases/"+n), "Urban and rural development / Workplace safety / Accident handling",
		`title="350206004">(湖里区江头街道)`)
	mustContain(t, b.get("/search"), "Accident handling</option>", "Criminal cases</option>")
	mustContain(t, signedIn(t, env, "intake").get("/cases/"+n), "Accident handling")
}

// The enrolment page shows one secret for the whole of a sign-in: a user
// who scanned it and then reloaded, or switched the language, still has the
// secret the page shows and confirms with a code from it. Another sign-in
// is offered another.
func TestEnrolmentKeepsItsSecret(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "auditadmin")
	b := newBrowser(t, env)
	if p := b.signIn("auditadmin", password); p.Location != "/login/enroll" {
		t.Fatalf("sign-in went to %q", p.Location)
	}
	first, _ := enrolment(t, b.get("/login/enroll"))
	b.post("/lang", url.Values{"lang": {"en"}})
	again, pending := enrolment(t, b.get("/login/enroll"))
	if again != first {
		t.Fatalf("the secret changed on reloading: %s, then %s", first, again)
	}
	code, err := auth.TOTPCode(first, auth.Step(env.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if p := b.post("/login/enroll", url.Values{"code": {code}, "pending": {pending}}); p.Status != http.StatusSeeOther {
		t.Fatalf("a code from the first secret: %d\n%s", p.Status, excerpt(p.Body))
	}
	other := newBrowser(t, env)
	setPasswords(t, env, "secadmin")
	other.signIn("secadmin", password)
	if s, _ := enrolment(t, other.get("/login/enroll")); s == first {
		t.Error("another sign-in was offered the same secret")
	}
}
