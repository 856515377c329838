package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"pingan/internal/apptest"
)

// headerLine measures the header: how far apart, top to bottom, the
// middles of its brand, links, name and language switch lie (one line
// when they are level), which of them overlap, and the name's text and
// title, and whether it is cut short.
const headerLine = `(function () {
	var items = Array.prototype.slice.call(document.querySelectorAll(
		"header.top .brand, header.top .nav a, header.top .me > *, header.top form.lang"));
	var boxes = items.map(function (el) { return el.getBoundingClientRect(); });
	var mids = boxes.map(function (r) { return (r.top + r.bottom) / 2; });
	var overlaps = [];
	boxes.forEach(function (a, i) {
		boxes.forEach(function (b, j) {
			if (i < j && a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
				overlaps.push(items[i].textContent.trim() + " / " + items[j].textContent.trim());
		});
	});
	var me = document.querySelector("header.top .me > :first-child");
	return {spread: Math.max.apply(null, mids) - Math.min.apply(null, mids), overlaps: overlaps,
		me: me.textContent.trim(), title: me.title, cut: me.scrollWidth > me.clientWidth + 1};
})()`

type header struct {
	Spread    float64
	Overlaps  []string
	Me, Title string
	Cut       bool
}

// On the office screen (1366×768, less the 17 px of a scrollbar, which the
// test's Chromium hides) the header is one line for the users with the
// longest navigation, in English as in Chinese: a long unit name gives
// way, whole in the name's title. On narrower screens the header may
// wrap, but nothing in it overlaps and the page is no wider.
func TestBrowserHeaderOneLine(t *testing.T) {
	env := apptest.New(t)
	u := newUI(t, env)
	users := []string{"leader", "supervisor", "dispatcher"}
	setPasswords(t, env, users...)
	defer u.run("desktop window", chromedp.EmulateViewport(1366, 900))
	for _, user := range users {
		unit, err := env.App.Org.Unit(context.Background(), env.App.DB, env.User(t, user).User.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		u.signIn(user)
		for _, lang := range []string{"zh-CN", "en"} {
			if lang == "en" {
				u.submit("English", `form.lang button`)
			}
			for _, width := range []int64{1366 - 17, 1024, 800} {
				u.run("window", chromedp.EmulateViewport(width, 768))
				u.open("/")
				at := fmt.Sprintf("%s (%s) at %dpx", user, lang, width)
				got := get(u, "header", chromedp.Evaluate[header](headerLine))
				if width > 1024 && got.Spread > 4 {
					t.Errorf("%s: the header is more than one line (its items' middles lie %.0fpx apart)", at, got.Spread)
				}
				for _, o := range got.Overlaps {
					t.Errorf("%s: in the header %s overlap", at, o)
				}
				if wide := get(u, "width", chromedp.Evaluate[string](overflow)); wide != "" {
					t.Errorf("%s: %s", at, wide)
				}
				if got.Cut && got.Title != unit.Name {
					t.Errorf("%s: the header cuts %q, and its title says %q, not the unit's name %q", at, got.Me, got.Title, unit.Name)
				}
				u.screenshotWindow(fmt.Sprintf("header-%s-%s-%d", user, lang, width))
			}
		}
		u.run("desktop window", chromedp.EmulateViewport(1366, 900))
		u.submit("Chinese", `form.lang button`)
		u.signOut()
	}
}
