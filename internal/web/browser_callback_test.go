package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// The callback form in a real browser: choosing 未能联系 takes the
// question whether the problem was solved out of the form (the server
// refuses an answer then), dropping an answer already ticked; another
// result asks it again, and the form sent without it records the callback.
func TestBrowserCallbackUnreachable(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	setPasswords(t, env, "callback")
	ctx := context.Background()
	number := verified(t, env, "已责令工地停止夜间施工")

	u.signIn("callback")
	u.open("/cases/" + number)
	form := fmt.Sprintf(`form[action="/cases/%s/actions/callback"]`, number)
	u.run("open the callback form", chromedp.Click(chromedp.CSS(`details:has(> `+form+`) > summary`)),
		chromedp.WaitVisible(chromedp.CSS(form+" button")))
	// choose picks a result as a person does: the select changes.
	choose := func(result string) {
		t.Helper()
		u.run("choose "+result, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function () {
			var s = document.querySelector(%q);
			s.value = %q;
			s.dispatchEvent(new Event("change", { bubbles: true }));
		})()`, form+" select[name=satisfaction]", result)))
	}
	// radios says of the two answers: disabled, checked.
	radios := func() string {
		t.Helper()
		return get(u, "the resolved radios", chromedp.Evaluate[string](fmt.Sprintf(`Array.prototype.map.call(
			document.querySelectorAll(%q), function (r) { return r.value + ":" + (r.matches(":disabled") ? "off" : "on") + (r.checked ? "+" : ""); }).join(" ")`,
			form+" input[name=resolved]")))
	}
	if got := radios(); got != "yes:on no:on" {
		t.Fatalf("before a result: %s", got)
	}
	choose("satisfied")
	u.run("answer", chromedp.Click(chromedp.CSS(form+` input[name=resolved][value=yes]`)))
	if got := radios(); got != "yes:on+ no:on" {
		t.Fatalf("satisfied, answered yes: %s", got)
	}
	choose(casework.Unreachable)
	if got := radios(); got != "yes:off no:off" {
		t.Fatalf("unreachable: the answers are %s, want both disabled and unticked", got)
	}
	choose("unsatisfied")
	if got := radios(); got != "yes:on no:on" {
		t.Fatalf("a result again: %s", got)
	}
	choose(casework.Unreachable)
	u.submit("record the callback", form+" button")
	d, err := env.App.Cases.Get(ctx, access.System("t"), number)
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Case; c.State != casework.PendingClose || c.Satisfaction != casework.Unreachable || c.Resolved != nil {
		t.Fatalf("after the callback: %s, %q, resolved %v", c.State, c.Satisfaction, c.Resolved)
	}
}
