package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pingan/internal/apptest"
)

// Petitions in a real browser: at the intake desk, typing a returning
// petitioner's ID number shows the earlier petition as the operator types;
// the supervisor reaches the 积案 registry from the navigation and opens
// the cases behind a figure.
func TestBrowserPetitions(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	first := closedPetition(t, env, "反映江头北路某小区地下车库长期积水，物业公司不作为，要求彻底解决排水问题。")
	env.Clock.Advance(2 * 24 * time.Hour)
	setPasswords(t, env, "intake", "supervisor")

	u.signIn("intake")
	u.run("type the petitioner",
		chromedp.SendKeys(chromedp.CSS(`textarea[name=body]`), "地下车库积水严重，物业一直不解决排水问题，再次反映。"),
		chromedp.SetValue(chromedp.CSS(`select[name=nature]`), "petition_claim"),
		chromedp.SendKeys(chromedp.CSS(`input[name=reporter_id]`), "35020319900101123X"),
		chromedp.WaitVisible(chromedp.CSS(`#petitioner li a`)),
	)
	box := get(u, "petitioner box", chromedp.Text(chromedp.CSS(`#petitioner`)))
	if !strings.Contains(box, "第 2 次信访") || !strings.Contains(box, first.Number) {
		t.Fatalf("the petitioner box says %q", box)
	}
	u.screenshot("intake-petitioner")
	u.submit("save the repeat petition", `form.intake button.primary`)
	number := get(u, "case number", chromedp.Text(chromedp.CSS(`.saved a.casenum`)))
	u.open("/cases/" + number)
	if line := get(u, "repeat line", chromedp.Text(chromedp.CSS(`.repeat-petition`))); !strings.Contains(line, "第 2 次信访") {
		t.Fatalf("the case page says %q", line)
	}
	// The first petitioner asks for 复查 of the answer, from its page.
	form := `form[action="/cases/` + first.Number + `/review"]`
	u.open("/cases/" + first.Number)
	u.run("open the 复查 form", chromedp.Click(chromedp.CSS(`details:has(> `+form+`) > summary`)),
		chromedp.WaitVisible(chromedp.CSS(form+" button")),
		chromedp.SendKeys(chromedp.CSS(form+" textarea[name=reason]"), "不服处理意见，请求复查。"))
	u.submit("request 复查", form+" button")
	if h1 := get(u, "review case", chromedp.Text(chromedp.CSS(`h1`))); !strings.HasPrefix(h1, "复查：") {
		t.Fatalf("the 复查 request opened %q", h1)
	}
	u.open("/cases/" + first.Number)
	u.screenshot("case-petition")
	u.signOut()

	// Fifteen days on it was never accepted: backlog.
	env.Clock.Advance(16 * 24 * time.Hour)
	u.signIn("supervisor")
	u.submit("registry from the navigation", `nav a[href="/petitions/backlog"]`)
	if stock := get(u, "stock", chromedp.Text(chromedp.CSS(`#fig-stock`))); stock != "1" {
		t.Fatalf("stock %q, want 1", stock)
	}
	u.screenshot("backlog")
	u.submit("open the stock", `#fig-stock`)
	if cases := get(u, "stock cases", chromedp.Text(chromedp.CSS(`table.cases tbody`))); !strings.Contains(cases, number) {
		t.Fatalf("the stock lists %q, not %s", cases, number)
	}
}
