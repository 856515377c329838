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
	// Not yet dispatched: routing's suggestion is there to act on.
	mustContain(t, d.get("/cases/"+n), "派遣建议", "建议派往江头街道")
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
	// Dispatched: the suggestion is history, the timeline says where it went.
	mustNotContain(t, p, "派遣建议", "建议派往")
	mustSay(t, d.get("/cases/"+n+"/timeline"), "派遣", "派往 江头街道", "办理期限 2026-12-11 24:00")

	d.post("/lang", url.Values{"lang": {"en"}})
	p = d.get("/cases/" + n)
	mustSay(t, p, "Register", "Category Environmental protection → Noise pollution", "Priority Normal → Urgent")
	mustSay(t, p, "Dispatch", "Sent to 江头街道", "Sign for by 2026-", "Due 2026-12-11 24:00")
	mustSay(t, p, "Transfer", "Handling unit 江头街道 → "+other.Name)
	mustNotContain(t, p, "Routing", "suggested unit")
	mustSay(t, d.get("/cases/"+n+"/timeline"), "Dispatch", "Sent to 江头街道")
}

// A closed case's page offers no stale hints: routing's suggestion is
// gone once dispatched, and the help to undo a merge into the case once
// it is closed; a merged case says it may be undone on the right only to
// whom the form is there. The callback reads as its answer, a merge as the
// reports it brought.
func TestClosedCaseHintsGone(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "dispatcher", "leader")
	ctx := context.Background()
	n, _ := dispatched(t, env)
	repeat, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
		Body: "江头北路工地晚上还在打桩，吵得睡不着。", Address: "湖里区江头北路"})
	if err != nil {
		t.Fatal(err)
	}
	r := repeat.Case.Number
	do := func(user, number string, a casework.Action, in casework.ActionInput) {
		t.Helper()
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, user), number, a, in); err != nil {
			t.Fatalf("%s %s: %v", a, number, err)
		}
	}
	do("dispatcher", r, casework.Merge, casework.ActionInput{Into: n})
	d, l := signedIn(t, env, "dispatcher"), signedIn(t, env, "leader")
	p := d.get("/cases/" + n)
	mustContain(t, p, "并入本案的案件", "打开被并入的案件，可“取消并案”")
	mustSay(t, p, "并入重复来件", "来件数 1 → 2")
	mustContain(t, d.get("/cases/"+r), "如并错，可在右侧“取消并案”", "/cases/"+r+"/actions/unmerge")
	// A leader may not undo it: told where the reports are, not to undo.
	mustNotContain(t, l.get("/cases/"+n), "取消并案")
	lp := l.get("/cases/" + r)
	mustContain(t, lp, "本案已并入", "，其来件由该案办理。")
	mustNotContain(t, lp, "取消并案")

	do("jiangtou", n, casework.Sign, casework.ActionInput{})
	do("jiangtou", n, casework.ReportBack, casework.ActionInput{Note: "已责令停工"})
	do("verifier", n, casework.Verify, casework.ActionInput{})
	yes := true
	do("callback", n, casework.CallBack, casework.ActionInput{Satisfaction: "satisfied", Resolved: &yes})
	do("dispatcher", n, casework.CloseCase, casework.ActionInput{})

	p = d.get("/cases/" + n)
	mustContain(t, p, "已办结", "并入本案的案件", r)
	mustNotContain(t, p, "打开被并入的案件", "取消并案", "派遣建议", "建议派往")
	mustSay(t, p, "回访", "满意度 满意 · 已解决")
	d.post("/lang", url.Values{"lang": {"en"}})
	p = d.get("/cases/" + n)
	mustContain(t, p, "Cases merged into this one")
	mustNotContain(t, p, "undo the merge", "Routing", "suggested unit")
	mustSay(t, p, "Record callback", "Satisfaction Satisfied · resolved")
	mustSay(t, p, "Repeat merged in", "Reports 1 → 2")
}
