package casework_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/db"
	"pingan/internal/dedup"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

const (
	petitionerID = "35020319900101123X"
	day          = 24 * time.Hour
)

// petitioner is who files a test petition.
type petitioner struct{ name, phone, id string }

// petition takes in a petition (申诉求决) at the reception desk.
func petition(t *testing.T, env *apptest.Env, body string, p petitioner) casework.Case {
	t.Helper()
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "visit", Body: body,
		ReporterName: p.name, ReporterPhone: p.phone, ReporterIDNumber: p.id, Nature: "petition_claim", DivisionCode: "350206004"})
	if err != nil {
		t.Fatalf("petition: %v", err)
	}
	return res.Case
}

// answer takes a petition through the loop to closed (the written answer).
func answer(t *testing.T, env *apptest.Env, number string) casework.Case {
	t.Helper()
	yes := true
	var c casework.Case
	for _, s := range []struct {
		user   string
		action casework.Action
		in     casework.ActionInput
	}{
		{"dispatcher", casework.Register, casework.ActionInput{CategoryID: civicCategory(t, env)}},
		{"dispatcher", casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, handlingUnit)}},
		{"jiangtou", casework.Sign, casework.ActionInput{}},
		{"jiangtou", casework.ReportBack, casework.ActionInput{Note: "已书面答复信访人"}},
		{"verifier", casework.Verify, casework.ActionInput{}},
		{"callback", casework.CallBack, casework.ActionInput{Satisfaction: "unsatisfied", Resolved: &yes}},
		{"dispatcher", casework.CloseCase, casework.ActionInput{}},
	} {
		var err error
		if c, err = env.App.Cases.Do(ctx, env.Actor(t, s.user), number, s.action, s.in); err != nil {
			t.Fatalf("%s %s as %s: %v", number, s.action, s.user, err)
		}
	}
	return c
}

// userAt adds an account at the unit with code.
func userAt(t *testing.T, env *apptest.Env, username, code string, roles ...access.Role) access.Actor {
	t.Helper()
	u, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: username, Name: username,
		UnitID: env.Unit(t, code), Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Org.Actor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func petitionRow(t *testing.T, env *apptest.Env, caseID int64) (visit, same, people int, barred int64) {
	t.Helper()
	var b sql.NullInt64
	if err := env.App.DB.QueryRowContext(ctx, "SELECT visit_no, same_matter_no, petitioners, barred_by FROM petitions WHERE case_id = $1",
		caseID).Scan(&visit, &same, &people, &b); err != nil {
		t.Fatalf("petition row of %d: %v", caseID, err)
	}
	return visit, same, people, b.Int64
}

func TestRepeatPetitioner(t *testing.T) {
	env := apptest.New(t)
	chen := petitioner{"陈某某", "13906012345", petitionerID}
	p1 := petition(t, env, "反映江头北路某小区地下车库长期积水，物业公司不作为，要求彻底解决排水问题。", chen)
	env.Clock.Advance(day)
	// The same matter in other words, with the ID number only.
	p2 := petition(t, env, "某小区地下车库积水严重，物业一直不解决排水问题，再次要求解决。", petitioner{id: petitionerID})
	env.Clock.Advance(day)
	// Another matter, by name and phone.
	p3 := petition(t, env, "孩子入学学位分配不公，要求教育局重新审查。", petitioner{name: "陈某某", phone: "139-0601-2345"})
	// The same name with another phone, and the same phone under another
	// name, are other people.
	p4 := petition(t, env, "反映江头北路某小区地下车库长期积水，物业公司不作为。", petitioner{name: "陈某某", phone: "13800000000"})
	p5 := petition(t, env, "反映江头北路某小区地下车库长期积水，物业公司不作为。", petitioner{name: "王某", phone: "13906012345"})

	for _, tc := range []struct {
		name        string
		c           casework.Case
		visit, same int
	}{
		{"first", p1, 1, 1}, {"by ID, same matter", p2, 2, 2}, {"by name and phone, other matter", p3, 3, 1},
		{"name alone", p4, 1, 1}, {"phone alone", p5, 1, 1},
	} {
		visit, same, _, _ := petitionRow(t, env, tc.c.ID)
		if visit != tc.visit || same != tc.same {
			t.Errorf("%s: visit %d same matter %d, want %d %d", tc.name, visit, same, tc.visit, tc.same)
		}
	}
	tl, err := env.App.Cases.Timeline(ctx, env.Actor(t, "intake"), p2.Number)
	if err != nil {
		t.Fatal(err)
	}
	if last := tl[len(tl)-1]; last.Action != casework.RepeatPetition || !strings.Contains(last.Note.ZH, "第 2 次信访，同一事项第 2 次") {
		t.Errorf("p2 timeline ends %+v, want the repeat noted", last)
	}

	// The case page's view: the earlier petitions with links, which share
	// the matter.
	v, err := env.App.Cases.PetitionOf(ctx, env.Actor(t, "intake"), p2.Number)
	if err != nil || v == nil {
		t.Fatalf("petition view: %v %v", v, err)
	}
	if v.History.Visits != 2 || v.History.SameMatter != 2 || len(v.History.Earlier) != 1 || v.History.Earlier[0].Number != p1.Number ||
		!v.History.Earlier[0].SameMatter {
		t.Errorf("p2 history %+v", v.History)
	}

	// The intake desk, before the case exists: by ID and by name + phone.
	h, err := env.App.Cases.PetitionerHistory(ctx, env.Actor(t, "intake"), casework.PetitionerQuery{
		IDNumber: strings.ToLower(petitionerID), Name: "陈某某", Phone: "+86 13906012345", Text: "车库积水 物业不作为 排水"})
	if err != nil {
		t.Fatal(err)
	}
	if h.Visits != 4 || h.SameMatter != 3 || len(h.Earlier) != 3 || h.Hidden != 0 {
		t.Errorf("intake history by ID and phone: %+v", h)
	}
	h, err = env.App.Cases.PetitionerHistory(ctx, env.Actor(t, "intake"), casework.PetitionerQuery{Name: "陈某某"})
	if err != nil || h.Visits != 1 || len(h.Earlier) != 0 {
		t.Errorf("name alone matched: %+v %v", h, err)
	}

	// Another unit's handler sees the count (p3 is found through p1, which
	// gave both the ID number and the phone), not the cases; the case page
	// is not found.
	h, err = env.App.Cases.PetitionerHistory(ctx, env.Actor(t, "gulangyu"), casework.PetitionerQuery{IDNumber: petitionerID})
	if err != nil || len(h.Earlier) != 0 || h.Hidden != 3 || h.Visits != 4 {
		t.Errorf("out of scope history: %+v %v", h, err)
	}
	if _, err := env.App.Cases.PetitionOf(ctx, env.Actor(t, "gulangyu"), p2.Number); fault.KindOf(err) != fault.NotFound {
		t.Errorf("out of scope petition view: %v, want 404", err)
	}
	// A complaint is not a petition.
	if v, err := env.App.Cases.PetitionOf(ctx, env.Actor(t, "intake"), newCase(t, env).Number); v != nil || err != nil {
		t.Errorf("complaint petition view: %+v %v", v, err)
	}
}

func TestReviewChainAndNoLongerAccepted(t *testing.T) {
	env := apptest.New(t)
	intake := env.Actor(t, "intake")
	chen := petitioner{"陈某某", "13906012345", petitionerID}
	text := "反映江头北路某小区地下车库长期积水，物业公司不作为，要求彻底解决排水问题。"
	p := petition(t, env, text, chen)

	// Not answered yet.
	_, err := env.App.Cases.RequestReview(ctx, intake, p.Number, casework.ReviewInput{Reason: "不服处理意见"})
	if fe, _ := fault.As(err); fe == nil || fe.Code != "not-answered" {
		t.Fatalf("review of an open petition: %v", err)
	}
	closed := answer(t, env, p.Number)
	// The request window: to the end of the 30th day after the answer.
	env.Clock.Advance(40 * day)
	y, m, d := closed.ClosedAt.In(apptest.Start.Location()).Date()
	day30 := time.Date(y, m, d+30, 23, 59, 0, 0, apptest.Start.Location())
	day31 := time.Date(y, m, d+31, 0, 0, 0, 0, apptest.Start.Location())
	_, err = env.App.Cases.RequestReview(ctx, intake, p.Number, casework.ReviewInput{Reason: "不服处理意见", RequestedAt: day31})
	if fe, _ := fault.As(err); fe == nil || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != "requested_at" ||
		!strings.Contains(fe.Fields[0].Msg.Format(i18n.ZH, fe.Fields[0].Args...), "30 日内") {
		t.Fatalf("request on day 31: %v, want refused for the window", err)
	}
	// Outside the petition's scope: not found.
	if _, err := env.App.Cases.RequestReview(ctx, userAt(t, env, "siming.intake", "350203", access.Intake), p.Number,
		casework.ReviewInput{Reason: "不服", RequestedAt: day30}); fault.KindOf(err) != fault.NotFound {
		t.Errorf("out of scope request: %v, want 404", err)
	}
	review, err := env.App.Cases.RequestReview(ctx, intake, p.Number, casework.ReviewInput{Reason: "不服处理意见，申请复查", RequestedAt: day30})
	if err != nil {
		t.Fatalf("request on day 30: %v", err)
	}
	if review.State != casework.Dispatched || review.HandlingUnitID != env.Unit(t, "350206") ||
		!review.DueAt.Equal(day30.Add(30*day)) || review.Nature != p.Nature {
		t.Errorf("复查 case %+v: want dispatched to 湖里区, due 30 days after the request", review)
	}
	if _, err := env.App.Cases.RequestReview(ctx, intake, p.Number, casework.ReviewInput{Reason: "再次申请", RequestedAt: day30}); fault.KindOf(err) != fault.Conflict {
		t.Errorf("second 复查: %v, want 409", err)
	}
	det, err := env.App.Cases.Get(ctx, intake, p.Number)
	if err != nil || len(det.Links) != 1 || det.Links[0].Number != review.Number {
		t.Errorf("petition links %+v (%v)", det.Links, err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "petition.request_review"})
	if oks, denials := countOutcomes(recs); err != nil || oks != 1 || denials != 3 {
		t.Errorf("request audit %+v (%v)", recs, err)
	}

	// The district signs for it and concludes; not before signing, not the
	// street office.
	district := userAt(t, env, "huli.gov", "350206", access.Handler)
	concl := casework.ConclusionInput{Conclusion: "upheld", Opinion: "经复查，原处理意见正确，予以维持。"}
	if _, err := env.App.Cases.ConcludeReview(ctx, district, review.Number, concl); fault.KindOf(err) != fault.Conflict {
		t.Errorf("conclude before signing: %v, want 409", err)
	}
	if _, err := env.App.Cases.Do(ctx, district, review.Number, casework.Sign, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.ConcludeReview(ctx, env.Actor(t, "jiangtou"), review.Number, concl); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("conclude by the unit that answered: %v, want 403", err)
	}
	if _, err := env.App.Cases.ConcludeReview(ctx, district, review.Number, casework.ConclusionInput{Conclusion: "maybe"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("bad conclusion: %v, want 422", err)
	}
	env.Clock.Advance(5 * day)
	review, err = env.App.Cases.ConcludeReview(ctx, district, review.Number, concl)
	if err != nil || review.State != casework.Closed {
		t.Fatalf("conclude 复查: %+v %v", review, err)
	}

	// 复核 by the city, within 30 days of the 复查's answer.
	rereview, err := env.App.Cases.RequestReview(ctx, intake, review.Number, casework.ReviewInput{Reason: "不服复查意见"})
	if err != nil || rereview.HandlingUnitID != env.Unit(t, "350200") {
		t.Fatalf("复核: %+v %v", rereview, err)
	}
	city := userAt(t, env, "city.gov", "350200", access.Handler)
	if _, err := env.App.Cases.Do(ctx, city, rereview.Number, casework.Sign, casework.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.ConcludeReview(ctx, city, rereview.Number, casework.ConclusionInput{Conclusion: "upheld", Opinion: "复核维持。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.RequestReview(ctx, intake, rereview.Number, casework.ReviewInput{Reason: "还不服"}); func() bool {
		fe, _ := fault.As(err)
		return fe == nil || fe.Code != "review-final"
	}() {
		t.Errorf("review of a 复核: %v, want review-final", err)
	}
	v, err := env.App.Cases.PetitionOf(ctx, intake, p.Number)
	if err != nil || len(v.Chain) != 3 || v.Chain[1].Stage != casework.StageReview || v.Chain[2].Stage != casework.StageReReview ||
		v.Chain[2].Conclusion != "upheld" {
		t.Errorf("chain %+v (%v)", v, err)
	}

	// 不再受理: the same petitioner about the same matter.
	again := petition(t, env, "小区地下车库积水问题物业不作为，要求解决排水，再次信访。", petitioner{id: petitionerID})
	if _, _, _, barred := petitionRow(t, env, again.ID); barred != rereview.ID {
		t.Errorf("barred_by %d, want the 复核 %d", barred, rereview.ID)
	}
	_, err = env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), again.Number, casework.Register,
		casework.ActionInput{CategoryID: civicCategory(t, env)})
	if fe, _ := fault.As(err); fe == nil || fe.Code != "no-longer-accepted" || !strings.Contains(fe.Error(), rereview.Number) {
		t.Fatalf("register a barred petition: %v", err)
	}
	declined, err := env.App.Cases.DeclineBarred(ctx, intake, again.Number)
	if err != nil || declined.State != casework.Rejected {
		t.Fatalf("decline: %+v %v", declined, err)
	}
	tl, err := env.App.Cases.Timeline(ctx, intake, again.Number)
	if err != nil {
		t.Fatal(err)
	}
	var rejectNote string
	var noted bool
	for _, e := range tl {
		if e.Action == casework.Reject {
			rejectNote = e.Note.ZH
		}
		noted = noted || e.Action == casework.NoLongerAccept && e.Note.ZH == rereview.Number
	}
	if !strings.Contains(rejectNote, "不再受理") || !strings.Contains(rejectNote, rereview.Number) || !noted {
		t.Errorf("timeline of the declined petition: %+v", tl)
	}
	if recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectID: again.Number}); err != nil ||
		!hasAudit(recs, "case.register", audit.Denied) || !hasAudit(recs, "petition.no_longer_accept", audit.OK) {
		t.Errorf("audit of the declined petition: %+v %v", recs, err)
	}
	// Another matter of the same petitioner is accepted.
	other := petition(t, env, "孩子入学学位分配不公，要求教育局重新审查。", petitioner{id: petitionerID})
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), other.Number, casework.Register,
		casework.ActionInput{CategoryID: civicCategory(t, env)}); err != nil {
		t.Errorf("register another matter: %v", err)
	}
	if _, err := env.App.Cases.DeclineBarred(ctx, intake, other.Number); fault.KindOf(err) != fault.Conflict {
		t.Errorf("decline an unbarred petition: %v, want 409", err)
	}
}

func countOutcomes(recs []audit.Record) (ok, denied int) {
	for _, r := range recs {
		switch r.Outcome {
		case audit.OK:
			ok++
		case audit.Denied:
			denied++
		}
	}
	return ok, denied
}

func hasAudit(recs []audit.Record, action, outcome string) bool {
	for _, r := range recs {
		if r.Action == action && r.Outcome == outcome {
			return true
		}
	}
	return false
}

// rawPetition is a petition as the cases and their timeline tell it,
// without the registry's table.
type rawPetition struct {
	id               int64
	limit, resolved  time.Time
	received, warn   time.Time
	reports          int
	people, sameOnes int
}

// rawPetitions reads every petition from the raw cases: the limit from its
// deadlines, the resolution from closure or the timeline's rejection, the
// petitioners from its reports, and repeats from earlier petitions sharing
// an ID hash with words alike.
func rawPetitions(t *testing.T, env *apptest.Env) []rawPetition {
	t.Helper()
	rows, err := env.App.DB.QueryContext(ctx, `SELECT c.id, COALESCE(c.due_at, c.accept_due_at), c.state, c.closed_at,
		(SELECT MAX(t.at) FROM timeline t WHERE t.case_id = c.id AND t.to_state = 'rejected'), c.received_at, c.warn_at, c.report_count
		FROM cases c JOIN natures n ON n.code = c.nature WHERE n.family = 'petition' ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []rawPetition
	for rows.Next() {
		var p rawPetition
		var lim, closed, rejected, warn sql.NullInt64
		var state string
		var received int64
		if err := rows.Scan(&p.id, &lim, &state, &closed, &rejected, &received, &warn, &p.reports); err != nil {
			t.Fatal(err)
		}
		p.limit, p.received, p.warn = db.Time(lim), time.UnixMicro(received), db.Time(warn)
		switch state {
		case "closed":
			p.resolved = db.Time(closed)
		case "rejected":
			p.resolved = db.Time(rejected)
		}
		out = append(out, p)
	}
	rows.Close()
	type rep struct {
		caseID       int64
		who, text    string
		caseReceived int64
	}
	var reps []rep
	rows, err = env.App.DB.QueryContext(ctx, `SELECT r.case_id, COALESCE(r.id_hash, r.phone_hash || r.reporter_name, ''),
		c.title || ' ' || (SELECT r1.body FROM reports r1 WHERE r1.case_id = c.id ORDER BY r1.id LIMIT 1), c.received_at
		FROM reports r JOIN cases c ON c.id = r.case_id ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r rep
		if err := rows.Scan(&r.caseID, &r.who, &r.text, &r.caseReceived); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, r)
	}
	rows.Close()
	for i := range out {
		p := &out[i]
		people := map[string]bool{}
		same := map[int64]bool{}
		for _, r := range reps {
			if r.caseID == p.id && r.who != "" {
				people[r.who] = true
			}
		}
		for _, r := range reps {
			if r.caseID != p.id && people[r.who] && r.caseReceived <= p.received.UnixMicro() {
				for _, mine := range reps {
					if mine.caseID == p.id && dedup.Likeness(mine.text, r.text) >= casework.SameMatterLikeness {
						same[r.caseID] = true
					}
				}
			}
		}
		p.people, p.sameOnes = max(1, len(people)), len(same)
	}
	return out
}

func TestBacklogFiguresRecomputedFromCases(t *testing.T) {
	env := apptest.New(t)
	huang := petitioner{"黄某", "13700000001", ""}
	// Day 0: A is never accepted; B is dispatched the next day and stays
	// with the unit; C is rejected after its acceptance limit; D is
	// answered at once; a complaint left alone is no petition.
	a := petition(t, env, "反映江头村集体土地征收补偿款未足额发放，要求核查。", petitioner{"甲", "13700000002", ""})
	b := petition(t, env, "反映某企业拖欠农民工工资三个月，要求协调解决。", petitioner{"乙", "13700000003", ""})
	c := petition(t, env, "反映邻居违章搭建阻挡通道，要求拆除。", petitioner{"丙", "13700000004", ""})
	d := petition(t, env, "反映社区养老服务中心收费不透明。", petitioner{"丁", "13700000005", ""})
	newCase(t, env)
	answer(t, env, d.Number)
	env.Clock.Advance(day)
	for _, s := range []struct {
		user   string
		action casework.Action
		in     casework.ActionInput
	}{
		{"dispatcher", casework.Register, casework.ActionInput{CategoryID: civicCategory(t, env)}},
		{"dispatcher", casework.Dispatch, casework.ActionInput{UnitID: env.Unit(t, handlingUnit)}},
	} {
		if _, err := env.App.Cases.Do(ctx, env.Actor(t, s.user), b.Number, s.action, s.in); err != nil {
			t.Fatal(err)
		}
	}
	env.Clock.Advance(19 * day)
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "dispatcher"), c.Number, casework.Reject, casework.ActionInput{Reason: "不属于信访事项"}); err != nil {
		t.Fatal(err)
	}
	// Day 70: F is reported again; G is left to come close to its limit;
	// day 75: G's petitioner comes back about the same matter (H).
	env.Clock.Advance(50 * day)
	f := petition(t, env, "反映小区电梯频繁故障困人，物业拒不维修。", petitioner{"戊", "13700000006", ""})
	if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "letter", Body: "电梯又困人了",
		CaseNumber: f.Number, ReporterName: "己", ReporterPhone: "13700000007"}); err != nil {
		t.Fatal(err)
	}
	petition(t, env, "反映菜市场占道经营噪音扰民，要求整治。", huang)
	env.Clock.Advance(5 * day)
	petition(t, env, "菜市场占道经营，噪音扰民严重，再次要求整治。", huang)
	env.Clock.Advance(7 * day) // day 82

	loc := apptest.Start.Location()
	sup := env.Actor(t, "supervisor")
	raw := rawPetitions(t, env)
	now := env.Clock.Now()
	count := func(at time.Time, pred func(rawPetition) bool) int {
		n := 0
		for _, p := range raw {
			if pred(p) {
				n++
			}
		}
		return n
	}
	inBacklog := func(at time.Time) func(rawPetition) bool {
		return func(p rawPetition) bool {
			return !p.limit.IsZero() && p.limit.Before(at) && (p.resolved.IsZero() || !p.resolved.Before(at))
		}
	}
	fellIn := func(from, to time.Time) func(rawPetition) bool {
		return func(p rawPetition) bool {
			return !p.limit.IsZero() && !p.limit.Before(from) && p.limit.Before(to) && (p.resolved.IsZero() || p.resolved.After(p.limit))
		}
	}
	atRisk := func(at time.Time) func(rawPetition) bool {
		return func(p rawPetition) bool {
			open := p.resolved.IsZero() || !p.resolved.Before(at)
			notYet := p.limit.IsZero() || !p.limit.Before(at)
			risky := !p.warn.IsZero() && p.warn.Before(at) || p.reports > 1 || p.people > 1 || p.sameOnes > 0
			return p.received.Before(at) && open && notYet && risky
		}
	}
	expect := map[string][3]int{"2026-11": {0, 0, 1}, "2026-12": {1, 2, 1}, "2027-01": {2, 1, 0}, "2027-02": {2, 0, 3}}
	for month := time.Date(2026, 11, 1, 0, 0, 0, 0, loc); !month.After(now); month = month.AddDate(0, 1, 0) {
		period, err := casework.PeriodOf("month", month, loc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := env.App.Cases.Backlog(ctx, sup, period)
		if err != nil {
			t.Fatal(err)
		}
		at := minT(period.To, now)
		want := [3]int{count(at, inBacklog(at)), count(at, fellIn(period.From, at)), count(at, atRisk(at))}
		if g := [3]int{got.Stock, got.Inflow, got.Risk}; g != want {
			t.Errorf("%s: registry stock/inflow/risk %v, recomputed %v", month.Format("2006-01"), g, want)
		}
		if e := expect[month.Format("2006-01")]; e != want {
			t.Errorf("%s: recomputed %v, expected by the scenario %v", month.Format("2006-01"), want, e)
		}
		if len(got.Trend) != 12 || got.Trend[11].Month != month.Format("2006-01") || got.Trend[11].Stock != got.Stock ||
			got.Trend[11].Inflow != got.Inflow {
			t.Errorf("%s: trend %+v", month.Format("2006-01"), got.Trend)
		}
		for i, tp := range got.Trend {
			mf := month.AddDate(0, i-11, 0)
			mt := minT(mf.AddDate(0, 1, 0), now)
			if tp.Stock != count(mt, inBacklog(mt)) || tp.Inflow != count(mt, fellIn(mf, mt)) {
				t.Errorf("trend %s: %+v, recomputed %d %d", tp.Month, tp, count(mt, inBacklog(mt)), count(mt, fellIn(mf, mt)))
			}
		}
		// Each number opens its cases.
		for fig, n := range map[casework.Figure]int{casework.Stock: got.Stock, casework.Inflow: got.Inflow, casework.Risk: got.Risk} {
			cs, err := env.App.Cases.BacklogCases(ctx, sup, period, fig, 0, 100)
			if err != nil || len(cs) != n {
				t.Errorf("%s %s: %d cases (%v), want %d", month.Format("2006-01"), fig, len(cs), err, n)
			}
			if fig == casework.Risk {
				for _, bc := range cs {
					if len(bc.Reasons) == 0 {
						t.Errorf("risk case %d without a reason", bc.CaseID)
					}
				}
			}
		}
	}
	// The district committee's supervisor (湖里) sees B, dispatched to
	// 江头街道, not A, which never left the 12345 centre; 思明's sees
	// nothing; a handler may not read the registry.
	period, _ := casework.PeriodOf("", now, loc)
	cs, err := env.App.Cases.BacklogCases(ctx, env.Actor(t, "huli"), period, casework.Stock, 0, 100)
	if err != nil || len(cs) != 1 || cs[0].CaseID != b.ID || a.ID == b.ID {
		t.Errorf("湖里 stock %+v %v", cs, err)
	}
	siming := userAt(t, env, "siming.sup", "PLC-350203", access.Supervisor)
	if got, err := env.App.Cases.Backlog(ctx, siming, period); err != nil || got.Stock+got.Inflow+got.Risk != 0 {
		t.Errorf("思明 figures %+v %v", got, err)
	}
	if cs, err := env.App.Cases.BacklogCases(ctx, siming, period, casework.Stock, 0, 100); err != nil || len(cs) != 0 {
		t.Errorf("思明 stock cases %+v %v", cs, err)
	}
	if _, err := env.App.Cases.Backlog(ctx, env.Actor(t, "jiangtou"), period); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("handler reads the registry: %v, want 403", err)
	}

	// A bulk load writes cases directly; the rebuild derives the same rows
	// the changes kept.
	snapshot := func() string {
		rows, err := env.App.DB.QueryContext(ctx, `SELECT case_id, visit_no, same_matter_no, petitioners, COALESCE(barred_by, 0),
			COALESCE(limit_at, 0), COALESCE(warn_at, 0), COALESCE(resolved_at, 0) FROM petitions ORDER BY case_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var v [8]int64
			if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, v)
		}
		return b.String()
	}
	live := snapshot()
	if err := env.App.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM petitions")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := env.App.Cases.RebuildPetitions(ctx); err != nil || n != 7 {
		t.Fatalf("rebuild: %d %v", n, err)
	}
	if rebuilt := snapshot(); rebuilt != live {
		t.Errorf("rebuilt petitions\n%s\ndiffer from those kept live\n%s", rebuilt, live)
	}
}

func minT(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
