package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// entryText is the text of the newest timeline entry of a case's page (or
// its timeline's page) whose action is named action, its tags dropped and
// its spaces collapsed; "" when there is none.
func entryText(p page, action string) string {
	var found string
	for _, li := range regexp.MustCompile(`(?s)<li><time .*?</li>`).FindAllString(p.Body, -1) {
		if strings.Contains(li, "<strong>"+action+"</strong>") {
			found = li
		}
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(found, " ")
	return strings.Join(strings.Fields(text), " ")
}

func mustSay(t *testing.T, p page, action string, want ...string) {
	t.Helper()
	text := entryText(p, action)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the %s entry lacks %q: %q", action, w, text)
		}
	}
}

func mustNotSay(t *testing.T, p page, action string, bad ...string) {
	t.Helper()
	text := entryText(p, action)
	if text == "" {
		t.Fatalf("no %s entry", action)
	}
	for _, b := range bad {
		if strings.Contains(text, b) {
			t.Errorf("the %s entry says %q: %q", action, b, text)
		}
	}
}

// The timeline says what each entry changed, by name, in the reader's
// language: where a case was sent, its new category and priority, its
// deadlines as the page writes them (midnight is the day before's 24:00);
// not what the entry says already (the jurisdiction that follows the
// unit, the handler who signed).
func TestTimelineSaysWhatChanged(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher")
	ctx := context.Background()
	cat := func(code string) int64 {
		c, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, code)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "江头北路工地夜间施工噪音扰民，凌晨一点还在打桩。", Address: "湖里区江头北路", Nature: "complaint", CategoryID: cat("C04")})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Case.Number
	d := signedIn(t, env, "dispatcher")
	act := func(action string, form url.Values) {
		t.Helper()
		d.get("/cases/" + n)
		if p := d.post("/cases/"+n+"/actions/"+action, form); p.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", action, p.Status, excerpt(p.Body))
		}
	}
	act("register", url.Values{"category_id": {fmt.Sprint(cat("C0402003"))}, "priority": {"urgent"}})
	act("dispatch", url.Values{"unit_id": {fmt.Sprint(env.Unit(t, "350206004"))}, "due_at": {"2026-12-12T00:00"}})
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "jiangtou"), n, casework.Sign, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	other, err := env.App.Org.Unit(ctx, env.App.DB, env.Unit(t, "350206003"))
	if err != nil {
		t.Fatal(err)
	}
	act("transfer", url.Values{"unit_id": {fmt.Sprint(other.ID)}, "reason": {"不在本街道"}})

	p := d.get("/cases/" + n)
	mustSay(t, p, "立案", "分类 环境保护 → 噪音污染", "紧急程度 一般 → 紧急")
	// The whole path on hover; the nature intake gave, kept, is not said.
	mustContain(t, p, `<span title="环境保护 / 环境污染 / 噪音污染">噪音污染</span>`)
	mustNotSay(t, p, "立案", "性质")
	mustSay(t, p, "派遣", "派往 江头街道", "签收期限 2026-", "办理期限 2026-12-11 24:00")
	mustNotSay(t, p, "派遣", "属地单位", "承办单位")
	mustNotSay(t, p, "签收", "承办人")
	mustSay(t, p, "转办", "承办单位 江头街道 → "+other.Name)
	mustNotSay(t, p, "转办", "承办人", "派往", "办理期限") // the handler left with the unit; the deadline stays
	mustSay(t, d.get("/cases/"+n+"/timeline"), "派遣", "派往 江头街道", "办理期限 2026-12-11 24:00")

	d.post("/lang", url.Values{"lang": {"en"}})
	p = d.get("/cases/" + n)
	mustSay(t, p, "Register", "Category Environmental protection → Noise pollution", "Priority Normal → Urgent")
	mustSay(t, p, "Dispatch", "Sent to 江头街道", "Sign for by 2026-", "Due 2026-12-11 24:00")
	mustSay(t, p, "Transfer", "Handling unit 江头街道 → "+other.Name)
	mustSay(t, d.get("/cases/"+n+"/timeline"), "Dispatch", "Sent to 江头街道")
}
