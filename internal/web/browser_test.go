package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/auth"
	"pingan/internal/casework"
	"pingan/internal/demo"
	"pingan/internal/supervision"
	"pingan/internal/web"
)

// chromium finds the browser: $PINGAN_CHROMIUM, or Debian's chromium. The
// test skips without one, unless PINGAN_REQUIRE_BROWSER is set (CI sets it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("PINGAN_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("PINGAN_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium found (apt-get install chromium, or set PINGAN_CHROMIUM)")
	}
	t.Skip("no chromium found: apt-get install chromium, or set PINGAN_CHROMIUM, to run the browser test")
	return ""
}

// ui drives one headless Chromium against the test server and collects
// every console error, uncaught exception and browser log error (a
// Content-Security-Policy violation shows there).
type ui struct {
	t    *testing.T
	ctx  context.Context
	base string
	mu   sync.Mutex
	errs []string
	shot string // screenshot directory, if any
}

func newUI(t *testing.T, env *apptest.Env) *ui {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.WindowSize(1366, 900),
		chromedp.Flag("lang", "zh-CN"),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	u := &ui{t: t, ctx: ctx, base: env.Server.URL, shot: os.Getenv("PINGAN_SCREENSHOTS")}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				u.fail("console." + string(e.Type) + ": " + strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			u.fail(fmt.Sprintf("exception: %s at %s:%d", msg, d.URL, d.LineNumber))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				u.fail("log: " + e.Entry.Text + " " + e.Entry.URL)
			}
		case *cdppage.EventJavascriptDialogOpening:
			// data-confirm asks before dangerous actions: say yes.
			go func() {
				_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return u
}

func (u *ui) fail(s string) {
	u.mu.Lock()
	u.errs = append(u.errs, s)
	u.mu.Unlock()
}

// run runs actions, failing the test with what the page showed.
func (u *ui) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, actions...); err != nil {
		html, _ := chromedp.Run(u.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		u.t.Fatalf("%s: %v\n%s", what, err, excerpt(html))
	}
}

// get runs an action that reads something from the page.
func get[T any](u *ui, what string, a chromedp.Action[T]) T {
	u.t.Helper()
	v, err := chromedp.Run(u.ctx, a)
	if err != nil {
		html, _ := chromedp.Run(u.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		u.t.Fatalf("%s: %v\n%s", what, err, excerpt(html))
	}
	return v
}

// open loads a page and checks it.
func (u *ui) open(path string) {
	u.t.Helper()
	u.run("open "+path, chromedp.Navigate(u.base+path), chromedp.WaitReady(chromedp.CSS("body")))
	u.check(path)
}

// submit clicks a button that sends a form and waits for the next page.
func (u *ui) submit(what, button string) {
	u.t.Helper()
	u.send(what, chromedp.Click(chromedp.CSS(button)))
}

// send does what sends a form (a click, a key) and waits for the next page,
// which it checks.
func (u *ui) send(what string, action chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	u.load(what, action)
	u.check(what)
}

// load is send without the check: the next page may show a refusal.
func (u *ui) load(what string, action chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	get(u, what, chromedp.Evaluate[bool](`document.body.setAttribute("data-stale", "1"), true`))
	u.run(what, action)
	// The old page's context goes away as the next one loads: ask again
	// until the new page answers.
	deadline := time.Now().Add(20 * time.Second)
	for {
		ready, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](
			`document.readyState === "complete" && !!document.body && !document.body.hasAttribute("data-stale")`))
		if err == nil && ready {
			break
		}
		if time.Now().After(deadline) {
			u.t.Fatalf("%s: no new page after 20s (%v)", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// check looks for template errors and for errors the browser reported.
func (u *ui) check(where string) {
	u.t.Helper()
	html := get(u, "read "+where, chromedp.OuterHTML(chromedp.CSS("html")))
	for _, bad := range []string{"%!", "{{", "<no value>", "error.internal"} {
		if strings.Contains(html, bad) {
			u.t.Fatalf("%s: the page shows %q:\n%s", where, bad, excerpt(html))
		}
	}
	if strings.Contains(html, `class="flash err"`) {
		u.t.Fatalf("%s: the page shows an error:\n%s", where, excerpt(html))
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.errs) > 0 {
		u.t.Fatalf("%s: the browser reported errors:\n%s", where, strings.Join(u.errs, "\n"))
	}
}

// screenshot saves the whole page when PINGAN_SCREENSHOTS names a
// directory.
func (u *ui) screenshot(name string) {
	u.t.Helper()
	u.save(name, chromedp.FullScreenshot(100))
}

// screenshotWindow saves what the window shows, for pages too long to
// show whole.
func (u *ui) screenshotWindow(name string) {
	u.t.Helper()
	u.save(name, chromedp.CaptureScreenshot())
}

func (u *ui) save(name string, capture chromedp.Action[[]byte]) {
	u.t.Helper()
	if u.shot == "" {
		return
	}
	png := get(u, "screenshot "+name, capture)
	if err := os.WriteFile(filepath.Join(u.shot, name+".png"), png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}

// overflow is empty when the page fits the window's width; otherwise it
// names how wide the page is and the outermost elements that stick out.
const overflow = `(function () {
	var w = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= w && document.documentElement.scrollWidth <= window.innerWidth) return "";
	var out = [];
	document.querySelectorAll("body *").forEach(function (el) {
		var p = el.parentElement;
		if (out.length >= 8 || el.getBoundingClientRect().right <= w + 0.5 || (p && p.getBoundingClientRect().right > w + 0.5)) return;
		var cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
		out.push(el.tagName.toLowerCase() + cls + " to " + Math.round(el.getBoundingClientRect().right) + "px");
	});
	return document.documentElement.scrollWidth + "px wide in a window of " + w + "px: " + out.join(", ");
})()`

// fitsWidth opens pages in a window width pixels wide (a phone) and fails
// the test for each that is wider, so that it would scroll sideways; the
// window is the desktop's again afterwards.
func (u *ui) fitsWidth(width, height int64, paths ...string) {
	u.t.Helper()
	u.run("narrow window", chromedp.EmulateViewport(width, height))
	defer u.run("desktop window", chromedp.EmulateViewport(1366, 900))
	for _, p := range paths {
		u.open(p)
		if wide := get(u, "width of "+p, chromedp.Evaluate[string](overflow)); wide != "" {
			u.t.Errorf("%s at %dpx: %s", p, width, wide)
		}
	}
}

// The phone a street handler carries: its window, in CSS pixels.
const phoneWidth, phoneHeight = 390, 844

// firstScreen measures what the window shows before any scrolling: the
// header's height, and of the page's list of cases how many it lists and
// how many the window shows whole.
const firstScreen = `(function () {
	var rows = Array.prototype.filter.call(document.querySelectorAll("table.caselist tbody tr"), function (r) {
		return !r.querySelector("td.empty");
	});
	var whole = rows.filter(function (r) {
		var b = r.getBoundingClientRect();
		return b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight;
	}).length;
	return {header: document.querySelector("header.top").getBoundingClientRect().height, cases: rows.length, whole: whole};
})()`

type screenful struct {
	Header       float64
	Cases, Whole int
}

// onPhone opens pages in a phone's window, which it leaves the desktop's
// again: none scrolls sideways, the header is one line (the links fold
// behind 菜单), and a list of cases, when the page has one, shows at least
// four cases whole in the first screen (all, if it lists fewer). It
// returns how many cases each page lists.
func (u *ui) onPhone(lang string, paths ...string) map[string]int {
	u.t.Helper()
	listed := map[string]int{}
	u.run("phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	defer u.run("desktop window", chromedp.EmulateViewport(1366, 900))
	for _, p := range paths {
		u.open(p)
		if wide := get(u, "width of "+p, chromedp.Evaluate[string](overflow)); wide != "" {
			u.t.Errorf("%s (%s) on a phone: %s", p, lang, wide)
		}
		s := get(u, "first screen of "+p, chromedp.Evaluate[screenful](firstScreen))
		if s.Header > 64 {
			u.t.Errorf("%s (%s) on a phone: the header is %.0fpx high", p, lang, s.Header)
		}
		if s.Whole < min(4, s.Cases) {
			u.t.Errorf("%s (%s) on a phone: the first screen shows %d of its %d cases whole", p, lang, s.Whole, s.Cases)
		}
		listed[p] = s.Cases
	}
	return listed
}

// broken names the elements sel finds on the page that are broken over
// lines (what is read whole: a case number, a time, a tag beside a
// number); n counts those it found.
const broken = `(function (sel) {
	var els = document.querySelectorAll(sel), out = [];
	els.forEach(function (el) {
		var r = document.createRange();
		r.selectNodeContents(el);
		var tops = Array.prototype.map.call(r.getClientRects(), function (b) { return b.top; });
		if (tops.length && Math.max.apply(null, tops) - Math.min.apply(null, tops) > 10) out.push(el.textContent.trim());
	});
	return {n: els.length, broken: out};
})`

// unbroken opens a page and fails the test for each element sel finds
// there broken over lines, and if it finds none.
func (u *ui) unbroken(path, sel string) {
	u.t.Helper()
	u.open(path)
	got := get(u, "lines of "+path, chromedp.Evaluate[struct {
		N      int
		Broken []string
	}](broken+"("+strconv.Quote(sel)+")"))
	if got.N == 0 {
		u.t.Errorf("%s: nothing is %s", path, sel)
	}
	for _, b := range got.Broken {
		u.t.Errorf("%s: %s %q is broken over lines", path, sel, b)
	}
}

// focused names the element that has the keyboard focus: its name, and
// the list it filters for a filter box.
func (u *ui) focused() string {
	u.t.Helper()
	return get(u, "focus", chromedp.Evaluate[string](
		`(document.activeElement.name || "") + "|" + (document.activeElement.getAttribute("data-filter") || "")`))
}

// tabTo presses Tab until the focus is on want (see focused).
func (u *ui) tabTo(want string) {
	u.t.Helper()
	for range 60 {
		if u.focused() == want {
			return
		}
		u.run("tab", chromedp.KeyEvent(kb.Tab))
	}
	u.t.Fatalf("Tab never reached %q (stopped at %q)", want, u.focused())
}

// accessKey presses Alt and a letter, the browser's key for an element's
// accesskey on Linux and Windows. Chromium acts on an access key at its
// character event, which chromedp's KeyEvent leaves out under Alt.
func accessKey(letter string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		code := "Key" + strings.ToUpper(letter)
		vk := int64(strings.ToUpper(letter)[0])
		for _, ev := range []input.DispatchKeyEventParams{
			{Type: input.DispatchKeyEventTypeRawKeyDown, Key: letter, Code: code, WindowsVirtualKeyCode: vk},
			{Type: input.DispatchKeyEventTypeChar, Key: letter, Code: code, Text: letter, UnmodifiedText: letter, WindowsVirtualKeyCode: vk},
			{Type: input.DispatchKeyEventTypeKeyUp, Key: letter, Code: code, WindowsVirtualKeyCode: vk},
		} {
			ev.Modifiers = int64(chromedp.ModifierAlt)
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

func (u *ui) signIn(username string) {
	u.t.Helper()
	u.open("/login")
	u.run("fill login",
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
	)
	u.submit("sign in "+username, `form[action="/login"] button`)
	name := get(u, "who", chromedp.Text(chromedp.CSS(`.me a`)))
	if name == "" {
		u.t.Fatalf("%s is not signed in", username)
	}
}

// signInAdmin signs an administrator in, enrolling the second factor on
// the way as the pages ask.
func (u *ui) signInAdmin(env *apptest.Env, username string) {
	u.t.Helper()
	u.open("/login")
	u.run("fill login",
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
	)
	u.submit("sign in "+username, `form[action="/login"] button`)
	secret := get(u, "secret", chromedp.Text(chromedp.CSS(`code.secret`)))
	code, err := auth.TOTPCode(secret, auth.Step(env.Clock.Now()))
	if err != nil {
		u.t.Fatalf("%s's code: %v", username, err)
	}
	u.run("fill code", chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code))
	u.submit("enrol "+username, `form[action="/login/enroll"] button`)
	if name := get(u, "who", chromedp.Text(chromedp.CSS(`.me a`))); name == "" {
		u.t.Fatalf("%s is not signed in", username)
	}
}

func (u *ui) signOut() {
	u.t.Helper()
	u.submit("sign out", `form[action="/logout"] button`)
	if loc := get(u, "where", chromedp.Location()); !strings.Contains(loc, "/login") {
		u.t.Fatalf("after signing out: %s", loc)
	}
}

// act opens an action's form on the case page, fills it and sends it.
func (u *ui) act(number string, action casework.Action, fill ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	form := fmt.Sprintf(`form[action="/cases/%s/actions/%s"]`, number, action)
	u.open("/cases/" + number)
	u.run("open "+string(action), chromedp.Click(chromedp.CSS(fmt.Sprintf(`details:has(> %s) > summary`, form))),
		chromedp.WaitVisible(chromedp.CSS(form+" button")))
	u.run("fill "+string(action), fill...)
	u.submit(string(action), form+" button")
}

// The closed loop in a real browser, by five demo users: the operator
// takes the report at the intake desk (picking the place on the map), the
// dispatcher registers and dispatches it, the street office signs for it
// from its queue and reports back with a photo, the verifier verifies, the
// callback operator records the citizen's answer and the dispatcher closes
// it. Every page is checked for template errors and browser console errors.
func TestBrowserClosedLoop(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "intake", "dispatcher", "jiangtou", "verifier", "callback", "supervisor")
	ctx := context.Background()
	// As the demo loads them: the demo handlers' streets have cases waiting,
	// some overdue, some soon due, some with time left.
	if err := demo.LoadDemo(ctx, env.App, 300, 20, 7); err != nil {
		t.Fatal(err)
	}
	state := func(n string) casework.State {
		c, err := env.App.Cases.Get(ctx, access.System("test"), n)
		if err != nil {
			t.Fatal(err)
		}
		return c.Case.State
	}

	// 1. Intake.
	u.open("/login")
	u.screenshot("login")
	u.signIn("intake")
	if loc := get(u, "where", chromedp.Location()); !strings.HasSuffix(loc, "/intake") {
		t.Fatalf("the intake operator landed on %s", loc)
	}
	u.run("fill intake",
		chromedp.SendKeys(chromedp.CSS(`textarea[name=body]`), "江头北路某工地夜间施工噪音扰民，凌晨一点还在打桩，附近居民无法休息。"),
		chromedp.SendKeys(chromedp.CSS(`input[name=reporter_name]`), "林先生"),
		chromedp.SendKeys(chromedp.CSS(`input[name=reporter_phone]`), "13806012345"),
		chromedp.SendKeys(chromedp.CSS(`input[name=address]`), "湖里区江头北路"),
		chromedp.SendKeys(chromedp.CSS(`input[data-filter=intake-nature]`), "投诉"),
		chromedp.SendKeys(chromedp.CSS(`input[data-filter=intake-category]`), "噪音"),
		// A click on the map fills the coordinates.
		chromedp.Click(chromedp.CSS(`svg.map path[data-code="350206"]`)),
	)
	lat, lon := get(u, "lat", chromedp.Value(chromedp.CSS(`#lat`))), get(u, "lon", chromedp.Value(chromedp.CSS(`#lon`)))
	if lat == "" || lon == "" {
		t.Fatal("a click on the map did not fill the coordinates")
	}
	category := get(u, "category", chromedp.Value(chromedp.CSS(`select[name=category_id]`)))
	if category == "" {
		t.Fatal("typing in the category filter chose no category")
	}
	if nature := get(u, "nature", chromedp.Value(chromedp.CSS(`select[name=nature]`))); nature != "complaint" {
		t.Fatalf("typing 投诉 in the nature filter chose %q", nature)
	}
	// The filter narrows the list to the matches: 投诉 alone, its group
	// with it, the other groups hidden.
	shown := get(u, "natures shown", chromedp.Evaluate[string](`Array.prototype.filter.call(document.querySelectorAll("#intake-nature option, #intake-nature optgroup"),
		function (o) { return !o.hidden; }).map(function (o) { return o.value === undefined ? o.label : o.value; }).join(",")`))
	if shown != ",接诉即办,complaint" {
		t.Fatalf("the nature filter shows %q", shown)
	}
	u.screenshot("intake")
	u.submit("save intake", `form.intake button.primary`)
	number := get(u, "case number", chromedp.Text(chromedp.CSS(`.saved a.casenum`)))
	if !strings.HasPrefix(number, "XM-") || state(number) != casework.Received {
		t.Fatalf("intake made %q", number)
	}
	c, err := env.App.Cases.Get(ctx, access.System("test"), number)
	if err != nil || !strings.HasPrefix(c.Case.DivisionCode, "350206") {
		t.Fatalf("the map's point did not place the case in 湖里区: %q (%v)", c.Case.DivisionCode, err)
	}

	// The desk by keyboard alone: the text has the focus on arrival, Tab
	// reaches the nature and category filters, typing in them picks, and
	// the documented Alt+S saves.
	u.open("/intake")
	if f := u.focused(); f != "body|" {
		t.Fatalf("the intake desk opens with the focus on %q, not the text", f)
	}
	u.run("type the text", chromedp.KeyEvent("莲前西路路灯不亮，晚上一片漆黑，行人看不清路。"))
	u.tabTo("|intake-nature")
	u.run("type a nature", chromedp.KeyEvent("求助"))
	u.tabTo("|intake-category")
	u.run("type a category", chromedp.KeyEvent("公共设施"))
	u.send("save by Alt+S", accessKey("s"))
	kbNumber := get(u, "case number", chromedp.Text(chromedp.CSS(`.saved a.casenum`)))
	kc, err := env.App.Cases.Get(ctx, access.System("test"), kbNumber)
	if err != nil || kc.Case.Nature != "help" || kc.Case.CategoryID == 0 || !strings.Contains(kc.Reports[0].Body, "路灯不亮") {
		t.Fatalf("the case saved by keyboard: %+v (%v)", kc.Case, err)
	}
	// Tab from the top of a page reaches the skip link first; Enter on it
	// moves past the navigation.
	u.open("/queue")
	u.run("tab", chromedp.KeyEvent(kb.Tab))
	if !get(u, "skip link", chromedp.Evaluate[bool](`document.activeElement.classList.contains("skip") && document.activeElement.getBoundingClientRect().left >= 0`)) {
		t.Fatalf("the first Tab does not show the skip link: the focus is on %q", u.focused())
	}
	u.run("skip", chromedp.KeyEvent(kb.Enter))
	if loc := get(u, "where", chromedp.Location()); !strings.HasSuffix(loc, "#main") {
		t.Fatalf("the skip link went to %s", loc)
	}
	u.signOut()

	// 2. Register and dispatch.
	u.signIn("dispatcher")
	u.open("/queue?tab=register")
	u.act(number, casework.Register,
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`form[action="/cases/%s/actions/register"] select[name=category_id]`, number)), category))
	if s := state(number); s != casework.Registered {
		t.Fatalf("after register: %s", s)
	}
	u.act(number, casework.Dispatch,
		chromedp.SendKeys(chromedp.CSS(`input[data-filter=unit-dispatch]`), "江头街道"),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`form[action="/cases/%s/actions/dispatch"] textarea[name=note]`, number)), "请江头街道核处"))
	if s := state(number); s != casework.Dispatched {
		t.Fatalf("after dispatch: %s", s)
	}
	u.signOut()

	// 3. Sign for from the queue, report back with a photo. The street has
	// three more cases in hand, due in a day, in two days and in a month;
	// a day and a half later they are overdue, soon due and on time.
	for _, days := range []int{30, 1, 2} {
		n := sentTo(t, env, "350206004", fmt.Sprintf("江头北路%d号商铺占道经营", days), env.Clock.Now().Add(time.Duration(days)*24*time.Hour))
		do(t, env, "jiangtou", n, casework.Sign, casework.ActionInput{})
	}
	env.Clock.Advance(36 * time.Hour)
	u.signIn("jiangtou")
	// On the handler's phone each case is a card; its checkbox still
	// ticks it for signing.
	u.run("phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	u.open("/queue?tab=sign")
	u.run("tick", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=case][value="%s"]`, number))))
	u.submit("bulk sign", `form[action="/queue/sign"] button.primary`)
	u.run("desktop", chromedp.EmulateViewport(1366, 900))
	if s := state(number); s != casework.Handling {
		t.Fatalf("after sign: %s", s)
	}
	u.open("/queue?tab=handle")
	for _, rag := range []string{"red", "yellow", "green"} {
		if n := get(u, "badges", chromedp.Evaluate[int](`document.querySelectorAll("table.cases .rag-`+rag+`").length`)); n == 0 {
			t.Errorf("the street's queue shows no %s badge", rag)
		}
	}
	u.screenshot("queue")
	// The queue and the search on the phone, in both languages: no
	// sideways scrolling, a one-line header, four cases or more in the
	// first screen. The header's 菜单 opens the links, the language switch
	// among them.
	phonePages := []string{"/queue", "/queue?tab=handle", "/search?q=", "/cases/" + number}
	for p, n := range u.onPhone("zh-CN", phonePages...) {
		if n < 4 && (p == "/queue?tab=handle" || p == "/search?q=") {
			t.Errorf("%s lists %d cases: too few to try a phone's first screen on", p, n)
		}
	}
	navShown := `document.querySelector('.nav a[href="/search"]').getBoundingClientRect().height > 0`
	u.run("phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	u.open("/queue?tab=handle")
	u.screenshotWindow("queue-phone")
	if get(u, "links", chromedp.Evaluate[bool](navShown)) {
		t.Error("on a phone the header shows its links before 菜单 is opened")
	}
	u.run("menu", chromedp.Click(chromedp.CSS(".menu-button")))
	if !get(u, "links", chromedp.Evaluate[bool](navShown)) {
		t.Error("菜单 does not open the header's links")
	}
	u.submit("English on a phone", `form.lang button`)
	u.run("desktop", chromedp.EmulateViewport(1366, 900))
	u.onPhone("en", phonePages...)
	u.submit("back to Chinese", `form.lang button`)
	photo := filepath.Join(t.TempDir(), "现场.png")
	if err := os.WriteFile(photo, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 128)...), 0o600); err != nil {
		t.Fatal(err)
	}
	form := fmt.Sprintf(`form[action="/cases/%s/actions/report"]`, number)
	u.act(number, casework.ReportBack,
		chromedp.SendKeys(chromedp.CSS(form+" textarea[name=note]"), "已责令工地停止夜间施工，现场已停工。"),
		chromedp.SetUploadFiles(chromedp.CSS(form+" input[name=evidence]"), []string{photo}))
	if s := state(number); s != casework.Reported {
		t.Fatalf("after report: %s", s)
	}
	// The reveal buttons sit in the reporter's line: a form inside a <p>
	// would end the paragraph before it.
	u.open("/cases/" + number)
	if n := get(u, "reveal forms", chromedp.Evaluate[int](`document.querySelectorAll(".report .who form").length`)); n == 0 {
		t.Errorf("the reveal forms are not in the reporter's line")
	}
	u.signOut()

	// 4. Verify.
	u.signIn("verifier")
	u.open("/cases/" + number)
	u.run("verify form", chromedp.Click(chromedp.CSS(`details.action > summary`)))
	u.screenshot("case")
	u.act(number, casework.Verify, chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`form[action="/cases/%s/actions/verify"] textarea[name=note]`, number)),
		"现场核实已停工"))
	if s := state(number); s != casework.Verified {
		t.Fatalf("after verify: %s", s)
	}
	u.signOut()

	// 5. Callback.
	u.signIn("callback")
	form = fmt.Sprintf(`form[action="/cases/%s/actions/callback"]`, number)
	u.act(number, casework.CallBack,
		chromedp.SetValue(chromedp.CSS(form+" select[name=satisfaction]"), "satisfied"),
		chromedp.Click(chromedp.CSS(form+` input[name=resolved][value=yes]`)))
	if s := state(number); s != casework.PendingClose {
		t.Fatalf("after callback: %s", s)
	}
	u.signOut()

	// 6. Close, then find it by a two-character word.
	u.signIn("dispatcher")
	u.act(number, casework.CloseCase)
	if s := state(number); s != casework.Closed {
		t.Fatalf("after close: %s", s)
	}
	u.open("/search?q=" + "打桩")
	found := get(u, "search", chromedp.Text(chromedp.CSS(`table.cases tbody`)))
	if !strings.Contains(found, number) {
		t.Fatalf("search for 打桩 does not list %s: %s", number, found)
	}
	u.open("/search?q=" + "噪音")
	u.screenshot("search")
	// On a phone: no page is wider than the screen.
	u.fitsWidth(360, 740, "/intake", "/queue", "/queue?tab=dispatch", "/cases/"+number, "/search?q="+"噪音", "/supervise")
	u.run("phone", chromedp.EmulateViewport(390, 844))
	u.open("/intake")
	u.screenshot("intake-phone")
	u.run("desktop", chromedp.EmulateViewport(1366, 900))
	u.signOut()

	// The supervisor's overview, and the English interface.
	u.signIn("supervisor")
	u.open("/supervise")
	u.screenshot("supervise")
	// On the office screen a case number, the ×2 beside it and a time
	// are each on one line, in the ledger and in the search's list.
	u.unbroken("/supervision", `table.ledger tbody a[href^="/cases/"]`)
	u.unbroken("/search?q=", "table.caselist tbody td.number, table.caselist tbody td.received")
	u.fitsWidth(360, 740, "/dashboard", "/supervise", "/queue", "/cases/"+number, "/search?status=red", "/hot", "/scores", "/supervision", "/scores/report")
	u.open("/scores")
	u.screenshot("scores")
	u.open("/hot")
	u.screenshot("hot")
	u.submit("english", `form.lang button`)
	u.open("/cases/" + number)
	h2 := get(u, "english", chromedp.Text(chromedp.CSS(`section.card h2`)))
	if h2 != "Case" {
		t.Fatalf("the English case page says %q", h2)
	}
	u.screenshot("case-en")

	if m := web.MissingMessages(); len(m) > 0 {
		t.Errorf("pages asked for texts that do not exist: %v", m)
	}
}

// The administrators' pages in a real browser, for the screenshots and
// for errors: accounts and routing rules by the system administrator, the
// audit log by the audit administrator, each signing in with the second
// factor.
func TestBrowserAdministration(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "sysadmin", "auditadmin")
	if err := demo.LoadCases(context.Background(), env.App, 200, 20, 5, nil); err != nil {
		t.Fatal(err)
	}
	u.signInAdmin(env, "sysadmin")
	u.open("/admin/users")
	if n := get(u, "accounts", chromedp.Evaluate[int](`document.querySelectorAll("main tbody tr").length`)); n < len(demo.Users) {
		t.Fatalf("the accounts page lists %d accounts", n)
	}
	u.screenshotWindow("admin-users")
	handler := fmt.Sprintf("/admin/users/%d", env.User(t, "jiangtou").User.ID)
	u.open(handler)
	if n := get(u, "the rename form", chromedp.Evaluate[int](`document.querySelectorAll("form[action$='/rename'] input[name=name]").length`)); n != 1 {
		t.Fatalf("the account's page offers the system administrator %d name fields", n)
	}
	u.screenshot("admin-user")
	u.open("/admin/routing")
	u.screenshot("admin-routing")
	u.open("/settings")
	u.screenshot("settings")
	// Every administration page fits a phone's width: a wide table scrolls
	// inside its card, the page does not scroll sideways.
	u.fitsWidth(360, 740, "/admin", "/admin/users", handler, "/admin/units", "/admin/categories", "/admin/deadlines", "/admin/routing",
		"/admin/weights", "/admin/webhooks", "/admin/webhooks/deliveries", "/inbox", "/settings")
	u.signOut()
	u.signInAdmin(env, "auditadmin")
	u.open("/admin/audit")
	if n := get(u, "records", chromedp.Evaluate[int](`document.querySelectorAll("main tbody tr").length`)); n < 10 {
		t.Fatalf("the audit log shows %d records", n)
	}
	u.screenshotWindow("audit")
	u.fitsWidth(360, 740, "/admin/audit")
}

// The city dashboard in a real browser: every chart draws, the map of the
// districts shows the figures of all six, switching the indicator redraws
// it, and the browser reports no error.
func TestBrowserDashboard(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "leader")
	if err := demo.LoadCases(context.Background(), env.App, 800, 30, 21, nil); err != nil {
		t.Fatal(err)
	}
	u.signIn("leader")
	u.open("/dashboard")
	// The map needs its outlines fetched: wait until it has drawn.
	drawn := `(function () {
		var ids = ["chart-days", "chart-map", "chart-hot", "chart-channels", "chart-natures", "chart-categories", "chart-backlog"];
		for (var i = 0; i < ids.length; i++) {
			var c = echarts.getInstanceByDom(document.getElementById(ids[i]));
			if (!c || !document.querySelector("#" + ids[i] + " canvas")) return false;
		}
		var m = echarts.getInstanceByDom(document.getElementById("chart-map")).getOption();
		return !!m.series && m.series.length === 1 && m.series[0].data.length === 6 &&
			m.series[0].data.some(function (d) { return d.value > 0; });
	})()`
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](drawn))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			u.check("dashboard")
			t.Fatalf("the dashboard did not draw (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	days := get(u, "days", chromedp.Evaluate[int](`echarts.getInstanceByDom(document.getElementById("chart-days")).getOption().series[0].data.length`))
	// The month so far: the 1st to today (the test clock's 26 November).
	if want := apptest.Start.Day(); days != want {
		t.Fatalf("the daily chart has %d days, want %d", days, want)
	}
	// Today is under way: its point is labelled as counted so far, not
	// drawn as a fall; the days before are plain values.
	today := get(u, "today", chromedp.Evaluate[string](`(function () {
		var series = echarts.getInstanceByDom(document.getElementById("chart-days")).getOption().series;
		var data = series[0].data, last = series[series.length - 1].data[data.length - 1];
		return typeof data[0] + " " + data[data.length - 1] + " " + (last && last.label && last.label.formatter || "");
	})()`))
	if want := "number null 今日截至 " + env.Clock.Now().Format("15:04") + "：{c} 件"; today != want {
		t.Fatalf("the daily chart's first and last points: %q, want %q…", today, want)
	}
	// Another indicator redraws the map with its own values.
	u.run("indicator", chromedp.SetValue(chromedp.CSS("#map-indicator"), "per10k"))
	get(u, "change", chromedp.Evaluate[bool](`document.getElementById("map-indicator").dispatchEvent(new Event("change")), true`))
	name := get(u, "map series", chromedp.Evaluate[string](`echarts.getInstanceByDom(document.getElementById("chart-map")).getOption().series[0].name`))
	if name != "万人诉求量" {
		t.Fatalf("the map shows %q after choosing 万人诉求量", name)
	}
	// The most reported categories are named by their own names (with
	// the parent's where two share one), not by paths cut alike; the map's
	// legend keeps clear of the western districts.
	labels := get(u, "hot labels", chromedp.Evaluate[[]string](`(function () {
		var o = echarts.getInstanceByDom(document.getElementById("chart-hot")).getOption().yAxis[0];
		return o.data.map(function (n, i) { return n + " => " + o.axisLabel.formatter(n, i); });
	})()`))
	if len(labels) == 0 {
		t.Fatal("no hot categories")
	}
	for _, l := range labels {
		path, shown, _ := strings.Cut(l, " => ")
		if !strings.HasSuffix(path, shown) || strings.Count(shown, " / ") > 1 || strings.Count(path, " / ") > 0 && shown == path {
			t.Errorf("a hot category %q is labelled %q", path, shown)
		}
	}
	inkOf := `(function () {
		var c = echarts.getInstanceByDom(document.getElementById("chart-days")).getOption();
		var m = echarts.getInstanceByDom(document.getElementById("chart-map")).getOption();
		return c.xAxis[0].axisLabel.color + " " + m.visualMap[0].right + " " + m.visualMap[0].left;
	})()`
	if got := get(u, "ink", chromedp.Evaluate[string](inkOf)); got != "#4a5568 8 null" {
		t.Errorf("the page's axis labels and map legend: %q", got)
	}
	u.check("dashboard")
	u.screenshot("dashboard")
	// On a phone the map's legend lies along the card's foot, off the
	// districts, and the channels are named under their ring, not cut at
	// the card's edge.
	u.run("phone", chromedp.EmulateViewport(360, 740))
	u.open("/dashboard")
	phone := `(function () {
		var m = echarts.getInstanceByDom(document.getElementById("chart-map"));
		var p = echarts.getInstanceByDom(document.getElementById("chart-channels"));
		if (!m || !p || !m.getOption().visualMap) return "";
		return m.getOption().visualMap[0].orient + " " + p.getOption().legend[0].show + " " + p.getOption().series[0].label.show;
	})()`
	for deadline := time.Now().Add(10 * time.Second); ; {
		got, err := chromedp.Run(u.ctx, chromedp.Evaluate[string](phone))
		if err == nil && got == "horizontal true false" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the phone's dashboard: %q (%v)", got, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	u.screenshot("dashboard-phone")
	// The wall display: TestBrowserDashboardWall.
	u.run("desktop", chromedp.EmulateViewport(1366, 900))
	u.open("/scores")
	u.screenshot("scores")
	u.open("/scores/report")
	u.screenshot("report")
}

// While the operator types, the intake desk shows the open case the call
// repeats; adding to it sends the report there.
func TestBrowserRepeats(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "intake")
	first, err := env.App.Cases.Intake(context.Background(), env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "江头北路某工地夜间施工噪音扰民，凌晨还在打桩", Address: "湖里区江头北路"})
	if err != nil {
		t.Fatal(err)
	}
	u.signIn("intake")
	u.run("type", chromedp.SendKeys(chromedp.CSS(`textarea[name=body]`), "江头北路那个工地晚上打桩噪声太大"),
		chromedp.SendKeys(chromedp.CSS(`input[name=address]`), "湖里区江头北路"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`!document.getElementById("repeats").hidden &&
			document.querySelector("#repeats a") !== null && document.querySelector("#repeats a").textContent === "`+first.Case.Number+`"`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			u.check("intake")
			t.Fatalf("the repeat was not shown (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The classifier's suggestions appear as the text is typed; one narrows
	// the category picker.
	deadline = time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`!document.getElementById("suggest").hidden && document.querySelectorAll("#suggest button").length > 0`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no category suggestions (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Natures are suggested by the nature picker, apart from the
	// categories: one click chooses one.
	natures := get(u, "natures", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#suggest-nature button")).map(b => b.textContent)`))
	catChips := get(u, "categories", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#suggest button")).map(b => b.textContent)`))
	if len(natures) == 0 || !strings.HasPrefix(natures[0], "投诉 ") || strings.Contains(strings.Join(catChips, " "), "投诉 ") {
		t.Fatalf("natures suggested %q, categories %q", natures, catChips)
	}
	// The nature re-asks for suggestions, which draws the chips anew:
	// mark the old ones to wait for the new.
	get(u, "mark", chromedp.Evaluate[bool](`document.querySelectorAll("#suggest button").forEach(b => b.dataset.old = "1"), true`))
	u.run("pick nature", chromedp.Click(chromedp.CSS(`#suggest-nature button`)))
	if got := get(u, "nature", chromedp.Value(chromedp.CSS(`select[name=nature]`))); got != "complaint" {
		t.Fatalf("a nature suggestion chose %q", got)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		ok, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`document.querySelector("#suggest button:not([data-old])") !== null`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the suggestions were not asked again after the nature (%v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	u.run("settle", chromedp.Sleep(200*time.Millisecond))
	u.run("pick", chromedp.Click(chromedp.CSS(`#suggest button`)))
	if cat := get(u, "category", chromedp.Value(chromedp.CSS(`select[name=category_id]`))); cat == "" {
		t.Fatal("a suggestion did not choose a category")
	}
	// The pick re-asks for repeats; let the list settle before clicking in it.
	u.run("settle", chromedp.Sleep(time.Second))
	u.run("add", chromedp.Click(chromedp.CSS(`#repeats button`)))
	if got := get(u, "case number", chromedp.Value(chromedp.CSS(`input[name=case_number]`))); got != first.Case.Number {
		t.Fatalf("the case number field says %q", got)
	}
	u.submit("save", `form.intake button.primary`)
	d, err := env.App.Cases.Get(context.Background(), access.System("test"), first.Case.Number)
	if err != nil || len(d.Reports) != 2 || len(d.Merged) != 1 {
		t.Fatalf("the case has %d reports, %d merged cases (%v)", len(d.Reports), len(d.Merged), err)
	}
	// The desk says where the report went; the merged case says it too,
	// and offers to undo the merge.
	if flash := get(u, "flash", chromedp.Text(chromedp.CSS(`p.saved`))); !strings.Contains(flash, "已并入") || !strings.Contains(flash, d.Merged[0].Number) {
		t.Fatalf("the desk says %q", flash)
	}
	u.screenshot("intake-merged")
	u.open("/cases/" + d.Merged[0].Number)
	if banner := get(u, "banner", chromedp.Text(chromedp.CSS(`p.banner`))); !strings.Contains(banner, first.Case.Number) {
		t.Fatalf("the merged case says %q", banner)
	}
	u.screenshot("case-merged")
}

// The language switch comes back to the page it was on, with its query:
// the browser names the page to the site (Referrer-Policy same-origin).
func TestBrowserLanguageKeepsPage(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "dispatcher")
	u.signIn("dispatcher")
	u.open("/search?q=" + url.QueryEscape("噪音") + "&status=red&flash=admin.saved")
	u.submit("English", `form.lang button`)
	where := get(u, "where", chromedp.Evaluate[string](`location.pathname + location.search + " " + document.documentElement.lang`))
	if where != "/search?q=%E5%99%AA%E9%9F%B3&status=red en" {
		t.Errorf("after switching to English: %q", where)
	}
}

// A form refused on the case page comes back open, its reasons moved into
// it and the form in view, not said 750 px above it.
func TestBrowserRefusalBesideItsForm(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "supervisor")
	n, _ := dispatched(t, env)
	if _, err := env.App.Supervision.Issue(context.Background(), env.Actor(t, "supervisor"), n,
		supervision.IssueInput{Kind: supervision.Remind, Reason: "请加快办理"}); err != nil {
		t.Fatal(err)
	}
	u.signIn("supervisor")
	u.open("/cases/" + n)
	form := `form[action="/cases/` + n + `/supervision"]`
	u.run("open the form", chromedp.Click(chromedp.CSS(`details:has(`+form+`) > summary`)),
		chromedp.SendKeys(chromedp.CSS(form+` textarea[name=reason], `+form+` input[name=reason]`), "再催一次"))
	u.load("issue again", chromedp.Click(chromedp.CSS(form+` button`)))
	got := get(u, "where", chromedp.Evaluate[string](`(function () {
		var err = document.querySelector("details.action[open] .flash.err");
		return (err ? err.textContent : "none") + " | " + (window.scrollY > 200);
	})()`))
	if !strings.Contains(got, "已有同类督办") || !strings.HasSuffix(got, "| true") {
		t.Errorf("the refusal: %q", got)
	}
}
