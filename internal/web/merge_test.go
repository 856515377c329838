package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// The operator merges a repeat from the intake desk, sees where it went,
// and undoes the merge from the merged case's page; a near-exact repeat
// merges on its own unless the operator keeps it apart.
func TestMergeThroughPages(t *testing.T) {
	env := apptest.New(t, apptest.AutoMerge(0.9))
	setPasswords(t, env, "intake")
	in := signedIn(t, env, "intake")
	save := func(form url.Values) (saved, from string, auto bool) {
		t.Helper()
		in.get("/intake")
		form.Set("channel", "hotline")
		p := in.post("/intake", form)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("intake: %d\n%s", p.Status, excerpt(p.Body))
		}
		u, err := url.Parse(p.Location)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		return q.Get("saved"), q.Get("from"), q.Get("auto") == "1"
	}
	first, _, _ := save(url.Values{"title": {"莲前西路88号井盖缺失"}, "body": {"莲前西路88号人行道井盖缺失。"}, "division_code": {"350203008"}})
	a, from, auto := save(url.Values{"body": {"井盖还是没有盖上"}, "case_number": {first}})
	if a != first || from == "" || auto {
		t.Fatalf("report for %s: saved %s from %q auto %v", first, a, from, auto)
	}
	p := in.get("/intake?saved=" + a + "&from=" + from)
	mustContain(t, p, "已并入", from, "取消并案")
	mustContain(t, in.get("/cases/"+first), "并入本案的案件", from)
	// The merged case names where it went and offers to undo.
	p = in.get("/cases/" + from)
	mustContain(t, p, "本案已并入", first, "/cases/"+from+"/actions/unmerge")
	// Its reports card says where its report went, and offers no report
	// to add to a case that is no longer open.
	mustContain(t, p, "来件已随并案移至 <a href=\"/cases/"+first+"\">")
	mustNotContain(t, p, "/intake?case="+from)
	// The open case takes reports from intake, not from a read-only role.
	mustContain(t, in.get("/cases/"+first), "/intake?case="+first)
	setPasswords(t, env, "leader")
	leader := signedIn(t, env, "leader")
	lp := leader.get("/cases/" + first)
	mustContain(t, lp, "并入本案的案件")
	mustNotContain(t, lp, "/intake?case=")
	// Refusals say which kind they are.
	if p := leader.get("/intake?case=" + first); p.Status != http.StatusForbidden {
		t.Errorf("a leader at the intake desk: %d", p.Status)
	} else {
		mustContain(t, p, "<h1>无权操作", "您的角色不能受理来件")
	}
	if p := leader.get("/cases/XM-2026-999999"); p.Status != http.StatusNotFound {
		t.Errorf("no such case: %d", p.Status)
	} else {
		mustContain(t, p, "<h1>未找到")
	}
	if p := in.post("/cases/"+from+"/actions/unmerge", url.Values{}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unmerge without a reason: %d", p.Status)
	}
	if p := in.post("/cases/"+from+"/actions/unmerge", url.Values{"reason": {"另一处井盖"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("unmerge: %d\n%s", p.Status, excerpt(p.Body))
	}
	if c, _ := env.App.Cases.Get(context.Background(), access.System("t"), from); c.Case.State != casework.Received {
		t.Fatalf("after unmerge: %s", c.Case.State)
	}
	// From its page, the merge form (prefilled from ?into=) merges it back.
	p = in.get("/cases/" + from + "?into=" + first)
	mustContain(t, p, `name="into"`, `value="`+first+`"`)
	if p := in.post("/cases/"+from+"/actions/merge", url.Values{"into": {"XM-2026-999999"}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "不存在") {
		t.Fatalf("merge into no case: %d", p.Status)
	}
	if p := in.post("/cases/"+from+"/actions/merge", url.Values{"into": {first}, "reason": {"确为同一井盖"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("merge: %d\n%s", p.Status, excerpt(p.Body))
	}
	// Near-exact: merged on its own, and said so; kept apart: not.
	same := url.Values{"title": {"莲前西路88号井盖缺失"}, "body": {"莲前西路88号井盖缺失，很危险。"}, "division_code": {"350203008"}}
	a, from, auto = save(same)
	if a != first || !auto {
		t.Fatalf("near-exact repeat: saved %s auto %v", a, auto)
	}
	mustContain(t, in.get("/intake?saved="+a+"&from="+from+"&auto=1"), "已自动并入")
	same.Set("keep_separate", "1")
	if a, from, _ = save(same); a == first || from != "" {
		t.Fatalf("kept apart: saved %s from %q", a, from)
	}
	// The kept-apart case's page names the case it may repeat, with the
	// merge form to fill; the operator can still merge it after all.
	p = in.get("/cases/" + a)
	mustContain(t, p, "可能重复的在办案件", `href="/cases/`+a+`?into=`+first+`#act-merge"`, `id="act-merge"`)
	// When the case it may repeat came in, as every time on the page is written.
	mustContain(t, p, "% · 2026-11-26 09:00 · ")
	mustContain(t, in.get("/cases/"+a+"?into="+first), `value="`+first+`"`)
}

// A case merged into one that is no longer open stays merged: its page
// says why and offers no undo, and a stale form's undo is refused in the
// user's language, the final case's timeline untouched.
func TestNoUnmergeFromAFinalCasePage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	ctx := context.Background()
	intake := env.Actor(t, "intake")
	take := func(title string) string {
		t.Helper()
		res, err := env.App.Cases.Intake(ctx, intake, casework.ReportInput{Channel: "hotline", Title: title, Body: title + "，请处理。"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case.Number
	}
	target, repeat := take("莲前西路88号井盖缺失"), take("莲前西路井盖没了")
	if _, err := env.App.Cases.Do(ctx, intake, repeat, casework.Merge, casework.ActionInput{Into: target}); err != nil {
		t.Fatal(err)
	}
	in := signedIn(t, env, "intake")
	mustContain(t, in.get("/cases/"+repeat), "/cases/"+repeat+"/actions/unmerge")
	if _, err := env.App.Cases.Do(ctx, intake, target, casework.Reject, casework.ActionInput{Reason: "非本平台受理范围"}); err != nil {
		t.Fatal(err)
	}
	entries := func() int {
		tl, err := env.App.Cases.Timeline(ctx, access.System("t"), target)
		if err != nil {
			t.Fatal(err)
		}
		return len(tl)
	}
	before := entries()
	p := in.get("/cases/" + repeat)
	mustContain(t, p, "本案已并入", "案件 "+target+" 状态为“不予受理”，记录不再更改，不能取消并案")
	mustNotContain(t, p, "/actions/unmerge", "如并错")
	p = in.post("/cases/"+repeat+"/actions/unmerge", url.Values{"reason": {"另一处井盖"}})
	if p.Status != http.StatusUnprocessableEntity { // the page again, saying why, as for any refused action
		t.Fatalf("unmerge from a rejected case: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "“取消并案”现在不可用", target, "不予受理")
	in.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, in.get("/cases/"+repeat), "Case "+target+" is “Rejected”: its record is final")
	p = in.post("/cases/"+repeat+"/actions/unmerge", url.Values{"reason": {"another manhole"}})
	mustContain(t, p, "Undo merge is not available now: case "+target+", which this case was merged into, is “Rejected”")
	if n := entries(); n != before {
		t.Errorf("the rejected case's timeline grew from %d to %d entries", before, n)
	}
}

// The hot-issue page ranks the matters many people raised lately and leads
// to their cases; it refuses a bad window and roles it is not for.
func TestHotIssuesPage(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "supervisor", "jiangtou")
	var numbers []string
	for i, who := range []string{"李女士", "周女士", "吴先生"} {
		res, err := env.App.Cases.Intake(context.Background(), env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			Title: "丽发新城工地夜间施工噪音扰民", Body: "丽发新城旁工地每晚施工，噪音很大。", ReporterName: who,
			ReporterPhone: "1380600300" + string(rune('0'+i)), DivisionCode: "350206004"})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, res.Case.Number)
	}
	sup := signedIn(t, env, "supervisor")
	p := sup.get("/hot")
	mustContain(t, p, "热点问题", "丽发新城工地夜间施工噪音扰民", numbers[0], numbers[2], "分析来件 3 件")
	mustContain(t, sup.get("/hot?days=7&division_code=350203"), "暂无热点问题")
	if p := sup.get("/hot?days=5"); p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusBadRequest {
		t.Errorf("a 5-day window: %d", p.Status)
	}
	if p := signedIn(t, env, "jiangtou").get("/hot"); p.Status != http.StatusForbidden {
		t.Errorf("a handler: %d", p.Status)
	}
}
