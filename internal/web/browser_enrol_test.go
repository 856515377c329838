package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pingan/internal/apptest"
	"pingan/internal/auth"
)

// wrongCode is a six-digit code that no step near at accepts for secret.
func wrongCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	near := map[string]bool{}
	for d := -2; d <= 2; d++ {
		near[codeAt(t, secret, at.Add(time.Duration(d)*30*time.Second))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		if !near[c] {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// forgetRefusals drops the browser's log of the 422 answers the test
// asked for (refused codes), keeping every other error for check.
func (u *ui) forgetRefusals() {
	u.mu.Lock()
	defer u.mu.Unlock()
	kept := u.errs[:0]
	for _, e := range u.errs {
		if !strings.Contains(e, "status of 422") {
			kept = append(kept, e)
		}
	}
	u.errs = kept
}

// codePage is what a second-factor page shows after a refused code.
type codePage struct {
	Path     string   `json:"path"`
	Alerts   []string `json:"alerts"`   // each error box's text
	Rest     string   `json:"rest"`     // the rest of the page's main text
	Secret   string   `json:"secret"`   // the key to type, if shown
	QR       bool     `json:"qr"`       // the QR code drawn
	Required bool     `json:"required"` // the administrators' notice
	Focus    string   `json:"focus"`    // the focused field's name
	Typed    string   `json:"typed"`    // what the code field holds
}

const readCodePage = `(function () {
	var main = document.querySelector("main");
	var rest = main.cloneNode(true);
	rest.querySelectorAll(".flash.err").forEach(function (e) { e.remove(); });
	var secret = main.querySelector("code.secret"), code = main.querySelector("input[name=code]");
	return {
		path: location.pathname,
		alerts: Array.prototype.map.call(main.querySelectorAll(".flash.err"), function (e) { return e.textContent.trim(); }),
		rest: rest.textContent.replace(/\s+/g, " "),
		secret: secret ? secret.textContent : "",
		qr: !!main.querySelector(".qr svg"),
		required: !!main.querySelector(".flash.warn"),
		focus: document.activeElement ? document.activeElement.name || "" : "",
		typed: code ? code.value : ""
	};
})()`

// A wrong code at enrolment is said once, in the one error box beside the
// form (the retry page said it there and again in a paragraph under it),
// and the page still shows the QR code and the key (the retry page had
// dropped them), the same secret, ready for the next code: in Chinese and
// in English, after a second wrong code and after a reload. The sign-in's
// code page says a wrong code once too.
func TestBrowserEnrolmentSaysAWrongCodeOnce(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "secadmin")
	u.open("/login")
	u.run("fill login",
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "secadmin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
	)
	u.submit("sign in", `form[action="/login"] button`)
	secret := get(u, "secret", chromedp.Text(chromedp.CSS(`code.secret`)))
	wrong := wrongCode(t, secret, env.Clock.Now())

	try := func(what, code string) {
		t.Helper()
		u.run("type "+what, chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code))
		u.load(what, chromedp.Click(chromedp.CSS(`form[action="/login/enroll"] button`)))
	}
	// looks checks the page after a refused code: said says what the error
	// box should say, once and nowhere else on the page.
	looks := func(what string, said ...string) codePage {
		t.Helper()
		p := get(u, "read "+what, chromedp.Evaluate[codePage](readCodePage))
		// The browser focuses an autofocus field when it next draws,
		// which may be after the load.
		for deadline := time.Now().Add(2 * time.Second); p.Focus != "code" && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			p = get(u, "read "+what, chromedp.Evaluate[codePage](readCodePage))
		}
		if len(p.Alerts) != 1 {
			t.Fatalf("%s: %d error boxes, want 1: %q", what, len(p.Alerts), p.Alerts)
		}
		for _, s := range said {
			if n := strings.Count(p.Alerts[0], s); n != 1 {
				t.Errorf("%s: the error box says %q %d times: %q", what, s, n, p.Alerts[0])
			}
			if strings.Contains(p.Rest, s) {
				t.Errorf("%s: the page says %q outside the error box too: %q", what, s, p.Rest)
			}
		}
		if p.Focus != "code" || p.Typed != "" {
			t.Errorf("%s: focus on %q, the field holds %q; want the empty code field focused", what, p.Focus, p.Typed)
		}
		return p
	}
	enrolment := func(what string, said ...string) {
		t.Helper()
		p := looks(what, said...)
		if p.Path != "/login/enroll" || !p.QR || p.Secret != secret || !p.Required {
			t.Errorf("%s: at %s, QR %v, key %q (want %q), administrators' notice %v", what, p.Path, p.QR, p.Secret, secret, p.Required)
		}
	}

	try("a wrong code", wrong)
	enrolment("a wrong code", "验证码不正确", "不正确", "手机时间")
	u.screenshot("enrol-wrong-code")
	try("a second wrong code", wrong)
	enrolment("a second wrong code", "验证码不正确", "不正确")
	u.load("reload", chromedp.Reload())
	enrolment("reload after a wrong code", "验证码不正确", "不正确")

	// The language switch comes back to the enrolment page (with the same
	// secret), and a wrong code there reads in English, once.
	u.load("English", chromedp.Click(chromedp.CSS(`form.lang button`)))
	if p := get(u, "read English", chromedp.Evaluate[codePage](readCodePage)); len(p.Alerts) != 0 || p.Secret != secret || !p.QR {
		t.Errorf("the enrolment page in English: %+v", p)
	}
	try("a wrong code in English", wrong)
	enrolment("a wrong code in English", "the code is not right", "not right", "clock")

	code, err := auth.TOTPCode(secret, auth.Step(env.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	try("the right code", code)
	u.forgetRefusals()
	u.check("enrolled")
	if name := get(u, "who", chromedp.Text(chromedp.CSS(`.me a`))); name == "" {
		t.Fatal("not signed in after enrolling")
	}

	// Signing in again: the code page says a wrong code once too.
	u.signOut()
	env.Clock.Advance(30 * time.Second)
	u.run("fill login",
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "secadmin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
	)
	u.submit("sign in again", `form[action="/login"] button`)
	wrong = wrongCode(t, secret, env.Clock.Now())
	u.run("type a wrong code", chromedp.SendKeys(chromedp.CSS(`input[name=code]`), wrong))
	u.load("a wrong code at sign-in", chromedp.Click(chromedp.CSS(`form[action="/login/totp"] button`)))
	if p := looks("a wrong code at sign-in", "not right"); p.Path != "/login/totp" {
		t.Errorf("a wrong code at sign-in went to %s", p.Path)
	}
}
