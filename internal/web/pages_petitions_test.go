package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/org"
)

// closedPetition takes in a petition and answers it through the service.
func closedPetition(t *testing.T, env *apptest.Env, body string) casework.Case {
	t.Helper()
	ctx := context.Background()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "visit", Body: body,
		ReporterName: "陈某某", ReporterPhone: "13906012345", ReporterIDNumber: "35020319900101123X", Nature: "petition_claim"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := env.App.Catalog.CategoryByCode(ctx, env.App.DB, "C0101001")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	n := res.Case.Number
	var c casework.Case
	for _, s := range []struct {
		user   string
		action casework.Action
		in     casework.ActionInput
	}{
		{"dispatcher", casework.Register, casework.ActionInput{CategoryID: cat.ID}},
		{"dispatcher", casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, "350206004")}},
		{"jiangtou", casework.Sign, casework.ActionInput{}},
		{"jiangtou", casework.ReportBack, casework.ActionInput{Note: "已书面答复"}},
		{"verifier", casework.Verify, casework.ActionInput{}},
		{"callback", casework.CallBack, casework.ActionInput{Satisfaction: "unsatisfied", Resolved: &yes}},
		{"dispatcher", casework.CloseCase, casework.ActionInput{}},
	} {
		if c, err = env.App.Cases.Do(ctx, env.Actor(t, s.user), n, s.action, s.in); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	return c
}

// The petition features on the pages: the intake desk's petitioner check,
// the case page's repeat line, 复查 request (refused after 30 days) and
// conclusion, and the 积案 registry with its drill-down, in scope.
func TestPetitionPages(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	first := closedPetition(t, env, "反映江头北路某小区地下车库长期积水，物业公司不作为，要求彻底解决排水问题。")
	env.Clock.Advance(31 * 24 * time.Hour)
	setPasswords(t, env, "intake", "supervisor", "jiangtou", "gulangyu")
	in := signedIn(t, env, "intake")

	// The intake desk recognises the petitioner by ID number.
	in.get("/intake")
	p := in.post("/intake/petitioner", url.Values{"reporter_id": {"35020319900101123X"}, "body": {"地下车库积水，物业不作为"}})
	var who struct {
		Visits  int    `json:"visits"`
		Message string `json:"message"`
		Earlier []struct {
			Number string `json:"number"`
			Same   bool   `json:"same"`
		} `json:"earlier"`
	}
	if err := json.Unmarshal([]byte(p.Body), &who); err != nil || who.Visits != 2 || len(who.Earlier) != 1 ||
		who.Earlier[0].Number != first.Number || !who.Earlier[0].Same || !strings.Contains(who.Message, "第 2 次信访") {
		t.Fatalf("petitioner check: %d %s", p.Status, p.Body)
	}
	mustContain(t, in.get("/intake"), `id="petitioner"`)
	// The repeat petition's case page says so, with a link.
	p = in.post("/intake", url.Values{"form_id": {"pet-2"}, "channel": {"visit"}, "body": {"某小区地下车库积水严重，物业一直不解决排水，再次要求解决。"},
		"reporter_id": {"35020319900101123X"}, "nature": {"petition_claim"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("intake: %d\n%s", p.Status, excerpt(p.Body))
	}
	second, _ := url.QueryUnescape(strings.TrimPrefix(strings.Split(p.Location, "&")[0], "/intake?saved="))
	mustContain(t, in.get("/cases/"+second), "该信访人第 2 次信访，同一事项 2 次", `href="/cases/`+first.Number+`"`)

	// 复查 of the first: the window closed yesterday.
	page := in.get("/cases/" + first.Number)
	mustContain(t, page, "/cases/"+first.Number+"/review")
	p = in.post("/cases/"+first.Number+"/review", url.Values{"reason": {"不服处理意见"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("late 复查: %d", p.Status)
	}
	mustContain(t, p, "已超过申请期限", "30 日内")
	y, m, d := first.ClosedAt.In(apptest.Start.Location()).Date()
	day30 := time.Date(y, m, d+30, 18, 0, 0, 0, apptest.Start.Location())
	p = in.post("/cases/"+first.Number+"/review", url.Values{"reason": {"不服处理意见"}, "channel": {"letter"},
		"requested_at": {day30.Format("2006-01-02T15:04")}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("复查 on day 30: %d\n%s", p.Status, excerpt(p.Body))
	}
	review := strings.TrimPrefix(strings.Split(p.Location, "?")[0], "/cases/")
	mustContain(t, in.get("/cases/"+first.Number), review, "复查")
	// Another street's handler may not see or act on it.
	g := signedIn(t, env, "gulangyu")
	if p := g.get("/cases/" + review); p.Status != http.StatusNotFound {
		t.Errorf("out of scope review page: %d", p.Status)
	}
	g.get("/settings")
	if p := g.post("/cases/"+first.Number+"/review/conclusion", url.Values{"conclusion": {"upheld"}, "opinion": {"维持"}}); p.Status != http.StatusNotFound {
		t.Errorf("out of scope conclusion: %d", p.Status)
	}

	// The district concludes it on its page.
	u, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: "huli.gov", Name: "湖里区承办人",
		UnitID: env.Unit(t, "350206"), Roles: []access.Role{access.Handler}})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.ResetPassword(ctx, access.System("test"), u.ID, password); err != nil {
		t.Fatal(err)
	}
	h := signedIn(t, env, "huli.gov")
	h.get("/cases/" + review)
	if p := h.post("/cases/"+review+"/actions/sign", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("sign the 复查: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, h.get("/cases/"+review), "/review/conclusion")
	if p := h.post("/cases/"+review+"/review/conclusion", url.Values{"conclusion": {"upheld"}, "opinion": {"经复查，维持原处理意见。"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("conclude: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, h.get("/cases/"+review), "维持原处理意见", "复核")

	// The registry: the supervisor's navigation, the figures and their
	// cases; a handler is refused.
	env.Clock.Advance(20 * 24 * time.Hour)
	sup := signedIn(t, env, "supervisor")
	bp := sup.get("/petitions/backlog")
	mustContain(t, bp, `href="/petitions/backlog"`, "存量", "增量", "变量", `id="fig-stock" href="/petitions/backlog/cases?`)
	b, err := env.App.Cases.Backlog(ctx, env.Actor(t, "supervisor"), mustPeriod(t, env.Clock.Now()))
	if err != nil || b.Stock != 1 {
		t.Fatalf("stock %+v %v", b, err)
	}
	mustContain(t, bp, fmt.Sprintf(`>%d</a>`, b.Stock))
	mustContain(t, sup.get("/petitions/backlog/cases?figure=stock"), second)
	if p := sup.get("/petitions/backlog/cases?figure=all"); p.Status != http.StatusBadRequest {
		t.Errorf("unknown figure: %d", p.Status)
	}
	j := signedIn(t, env, "jiangtou")
	mustNotContain(t, j.get("/queue"), `href="/petitions/backlog"`)
	if p := j.get("/petitions/backlog"); p.Status != http.StatusForbidden {
		t.Errorf("handler on the registry: %d", p.Status)
	}
	sup.post("/lang", url.Values{"lang": {"en"}})
	mustContain(t, sup.get("/petitions/backlog"), "Petition backlog registry", "Stock", "At risk")
}

func mustPeriod(t *testing.T, at time.Time) casework.BacklogPeriod {
	t.Helper()
	p, err := casework.PeriodOf("month", at, apptest.Start.Location())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
