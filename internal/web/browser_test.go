package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/demo"
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
	get(u, what, chromedp.Evaluate[bool](`document.body.setAttribute("data-stale", "1"), true`))
	u.run(what, chromedp.Click(chromedp.CSS(button)))
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
	u.check(what)
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

// screenshot saves the page when PINGAN_SCREENSHOTS names a directory.
func (u *ui) screenshot(name string) {
	u.t.Helper()
	if u.shot == "" {
		return
	}
	png := get(u, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(u.shot, name+".png"), png, 0o644); err != nil {
		u.t.Fatal(err)
	}
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
	if err := demo.LoadCases(ctx, env.App, 300, 20, 7, nil); err != nil {
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
		chromedp.SetValue(chromedp.CSS(`select[name=nature]`), "complaint"),
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
	u.signOut()

	// 2. Register and dispatch.
	u.signIn("dispatcher")
	u.open("/queue?tab=register")
	u.screenshot("queue")
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

	// 3. Sign for from the queue, report back with a photo.
	u.signIn("jiangtou")
	u.open("/queue?tab=sign")
	u.run("tick", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=case][value="%s"]`, number))))
	u.submit("bulk sign", `form[action="/queue/sign"] button.primary`)
	if s := state(number); s != casework.Handling {
		t.Fatalf("after sign: %s", s)
	}
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
	u.signOut()

	// The supervisor's overview, and the English interface.
	u.signIn("supervisor")
	u.open("/supervise")
	u.screenshot("supervise")
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

// The city dashboard in a real browser: every chart draws, the map of the
// districts shows the figures of all six, switching the indicator redraws
// it, the wall display works, and the browser reports no error.
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
	// Another indicator redraws the map with its own values.
	u.run("indicator", chromedp.SetValue(chromedp.CSS("#map-indicator"), "per10k"))
	get(u, "change", chromedp.Evaluate[bool](`document.getElementById("map-indicator").dispatchEvent(new Event("change")), true`))
	name := get(u, "map series", chromedp.Evaluate[string](`echarts.getInstanceByDom(document.getElementById("chart-map")).getOption().series[0].name`))
	if name != "万人诉求量" {
		t.Fatalf("the map shows %q after choosing 万人诉求量", name)
	}
	u.check("dashboard")
	u.screenshot("dashboard")
	u.open("/dashboard?wall=1")
	u.run("wall", chromedp.Sleep(1500*time.Millisecond))
	if wall := get(u, "wall", chromedp.Evaluate[bool](`document.body.classList.contains("wall")`)); !wall {
		t.Fatal("?wall=1 did not switch to the wall display")
	}
	u.check("wall display")
	u.screenshot("dashboard-wall")
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
