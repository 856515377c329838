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

// A case many people report shows its first report and the newest, says
// how many it leaves out, and links to all of them, fifty a page; a phone
// revealed on such a page is shown on the same page.
func TestCaseReportsPages(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "jiangtou")
	n, first := dispatched(t, env)
	ids := []int64{first}
	const total = 60
	for i := 2; i <= total; i++ {
		res, err := env.App.Cases.Intake(context.Background(), env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			CaseNumber: n, Body: fmt.Sprintf("第%d位来电：江头北路工地仍在夜间打桩。", i), ReporterName: fmt.Sprintf("市民%d", i),
			ReporterPhone: fmt.Sprintf("1390000%04d", i),
			Attachments:   []casework.AttachmentInput{{Name: fmt.Sprintf("照片%d.jpg", i), ContentType: "image/jpeg", Size: 2048}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Report.ID)
	}
	h := signedIn(t, env, "jiangtou")
	// The street's inbox has one notice of the repeats, counting them.
	inbox := h.get("/inbox")
	mustContain(t, inbox, fmt.Sprintf("共 %d 次", total-1))
	if got := strings.Count(inbox.Body, "案件追加来件"); got != 1 {
		t.Errorf("%d notices of repeat reports, want 1", got)
	}
	p := h.get("/cases/" + n)
	// The reports alone (the merged cases and the timeline below name
	// every report too).
	card := p
	if i, j := strings.Index(p.Body, "<h2>诉求"), strings.Index(p.Body, "/intake?case="); i >= 0 && j > i {
		card.Body = p.Body[i:j]
	}
	omitted := total - casework.DetailReports
	mustContain(t, card, fmt.Sprintf("其间另有 %d 条诉求未列出", omitted), fmt.Sprintf(`href="/cases/%s/reports"`, n),
		fmt.Sprintf("查看全部 %d 条诉求", total), "林先生", fmt.Sprintf("第%d位来电", total))
	mustNotContain(t, card, "第2位来电", fmt.Sprintf("第%d位来电", total-casework.DetailReports+1))
	// Each repeat came in as a case of its own, merged into this one: the
	// newest are listed, the rest counted, and each report names its case.
	mustContain(t, p, fmt.Sprintf("另有 %d 件更早并入的案件未列出", total-1-casework.DetailReports))
	if got := strings.Count(p.Body, `<ul class="merged"><li>`) + strings.Count(p.Body, "</li><li><a href=\"/cases/"); got != casework.DetailReports {
		t.Errorf("%d merged cases listed, want %d", got, casework.DetailReports)
	}
	if got := strings.Count(card.Body, `<article class="report">`); got != casework.DetailReports {
		t.Fatalf("the case page lists %d reports, want %d", got, casework.DetailReports)
	}

	// All of them, oldest first, in two pages.
	p1 := h.get("/cases/" + n + "/reports")
	if p1.Status != http.StatusOK || strings.Count(p1.Body, `<article class="report">`) != 50 {
		t.Fatalf("first page: %d, %d reports\n%s", p1.Status, strings.Count(p1.Body, `<article class="report">`), excerpt(p1.Body))
	}
	mustContain(t, p1, "林先生", "第2位来电", "第50位来电")
	mustNotContain(t, p1, "第51位来电")
	if from := regexp.MustCompile(`并自 <a href="/cases/(XM-\d{4}-\d{6})">`).FindAllStringSubmatch(p1.Body, -1); len(from) != 49 {
		t.Errorf("%d reports of the first page name the case they came in as, want 49 (all but the first)", len(from))
	}
	next := regexp.MustCompile(`href="/cases/` + n + `/reports\?after=(\d+)"`).FindStringSubmatch(p1.Body)
	if next == nil || next[1] != fmt.Sprint(ids[49]) {
		t.Fatalf("first page's next link: %v, want after=%d", next, ids[49])
	}
	p2 := h.get("/cases/" + n + "/reports?after=" + next[1])
	if strings.Count(p2.Body, `<article class="report">`) != total-50 {
		t.Fatalf("second page: %d reports", strings.Count(p2.Body, `<article class="report">`))
	}
	mustContain(t, p2, "第51位来电", fmt.Sprintf("第%d位来电", total), "回到第一页")
	mustNotContain(t, p2, "第50位来电", "?after=")

	// Revealing the phone of a report on the second page shows that page.
	p = h.post("/cases/"+n+"/reveal", url.Values{"report": {fmt.Sprint(ids[55])}, "field": {"phone"}, "after": {next[1]}})
	if p.Status != http.StatusOK {
		t.Fatalf("reveal: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "13900000056", "第51位来电")
	mustNotContain(t, p, "13900000055")

	// The history: the case page shows the newest entries and counts the
	// older, whose pages (casework's tests page them) hold every entry.
	all, err := env.App.Cases.Timeline(context.Background(), env.Actor(t, "supervisor"), n)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= 50 {
		t.Fatalf("only %d timeline entries: the test wants more than the case page shows", len(all))
	}
	tl := h.get("/cases/" + n)
	if i := strings.Index(tl.Body, "<h2>办理过程"); i >= 0 {
		tl.Body = tl.Body[i:]
	}
	mustContain(t, tl, fmt.Sprintf("更早的 %d 条未列出", len(all)-50), `href="/cases/`+n+`/timeline"`)
	if got := strings.Count(tl.Body, "<li><time "); got != 50 {
		t.Errorf("the case page shows %d timeline entries, want 50", got)
	}
	seen, after := 0, ""
	for pages := 0; pages < 10; pages++ {
		p := h.get("/cases/" + n + "/timeline" + after)
		if p.Status != http.StatusOK {
			t.Fatalf("timeline page: %d\n%s", p.Status, excerpt(p.Body))
		}
		seen += strings.Count(p.Body, "<li><time ")
		m := regexp.MustCompile(`href="/cases/` + n + `/timeline\?after=(\d+)"`).FindStringSubmatch(p.Body)
		if m == nil {
			break
		}
		after = "?after=" + m[1]
	}
	if seen != len(all) {
		t.Errorf("the timeline's pages show %d entries, the case has %d", seen, len(all))
	}

	// The attachments: the newest 20 on the case page, the rest counted
	// and on the attachments' pages, fifty a page.
	files := h.get("/cases/" + n)
	if i := strings.Index(files.Body, "<h2>附件"); i >= 0 {
		files.Body = files.Body[i : strings.Index(files.Body[i:], "</section>")+i]
	}
	mustContain(t, files, fmt.Sprintf(`<span class="count">%d</span>`, total-1), fmt.Sprintf("更早的 %d 个未列出", total-1-20),
		`href="/cases/`+n+`/attachments"`, fmt.Sprintf("照片%d.jpg", total), fmt.Sprintf("照片%d.jpg", total-19))
	mustNotContain(t, files, fmt.Sprintf("照片%d.jpg", total-20))
	a1 := h.get("/cases/" + n + "/attachments")
	if got := strings.Count(a1.Body, "<li>照片"); a1.Status != http.StatusOK || got != 50 {
		t.Fatalf("first attachments page: %d, %d files\n%s", a1.Status, got, excerpt(a1.Body))
	}
	mustContain(t, a1, "照片2.jpg", "照片51.jpg")
	m := regexp.MustCompile(`href="/cases/` + n + `/attachments\?after=(\d+)"`).FindStringSubmatch(a1.Body)
	if m == nil {
		t.Fatal("no next page of attachments")
	}
	a2 := h.get("/cases/" + n + "/attachments?after=" + m[1])
	if got := strings.Count(a2.Body, "<li>照片"); got != total-1-50 {
		t.Fatalf("second attachments page: %d files", got)
	}
	mustContain(t, a2, "照片52.jpg", fmt.Sprintf("照片%d.jpg", total), "回到第一页")

	// A cursor that is not a report id is refused in words.
	if p = h.get("/cases/" + n + "/reports?after=x"); p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusBadRequest {
		t.Fatalf("after=x: %d", p.Status)
	}
}
