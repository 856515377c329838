package casework_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/audit"
	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/org"
)

var ctx = context.Background()

func TestIntakeValidation(t *testing.T) {
	env := apptest.New(t)
	cases := []struct {
		name   string
		in     casework.ReportInput
		fields []string
	}{
		{"empty", casework.ReportInput{}, []string{"channel", "body"}},
		{"bad channel", casework.ReportInput{Channel: "fax", Body: "x"}, []string{"channel"}},
		{"bad phone", casework.ReportInput{Channel: "hotline", Body: "x", ReporterPhone: "12ab"}, []string{"reporter.phone"}},
		{"bad id checksum", casework.ReportInput{Channel: "hotline", Body: "x", ReporterIDNumber: "350203199001011234"}, []string{"reporter.id_number"}},
		{"future", casework.ReportInput{Channel: "hotline", Body: "x", OccurredAt: apptest.Start.Add(48 * time.Hour)}, []string{"occurred_at"}},
		{"bad coordinates", casework.ReportInput{Channel: "hotline", Body: "x", Location: &casework.Point{Lat: 91, Lon: 118}}, []string{"location"}},
		{"unknown division", casework.ReportInput{Channel: "hotline", Body: "x", DivisionCode: "110101"}, []string{"division_code"}},
		{"attachment", casework.ReportInput{Channel: "hotline", Body: "x", Attachments: []casework.AttachmentInput{{Name: "../a.jpg", ContentType: "image/jpeg", SHA256: "zz"}}},
			[]string{"attachments[0].name", "attachments[0].sha256"}},
		{"long title", casework.ReportInput{Channel: "hotline", Body: "x", Title: strings.Repeat("噪", casework.MaxTitle+1)}, []string{"title"}},
		{"unknown nature", casework.ReportInput{Channel: "hotline", Body: "x", Nature: "gossip"}, []string{"nature"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), tc.in)
			fe, ok := fault.As(err)
			if !ok || fe.Kind != fault.Invalid {
				t.Fatalf("got %v, want invalid input", err)
			}
			got := map[string]bool{}
			for _, f := range fe.Fields {
				got[f.Field] = true
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("no error for %s in %v", f, fe.Fields)
				}
			}
		})
	}
	// Nothing was stored by any refused intake.
	var n int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases").Scan(&n); err != nil || n != 0 {
		t.Errorf("cases after refused intakes: %d (%v)", n, err)
	}
}

func TestIntakeOpensCaseWithTimelineAndAudit(t *testing.T) {
	env := apptest.New(t)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
		Channel: "hotline", Body: "  莲前西路某小区楼下烧烤店油烟扰民\n晚上十点后仍在营业。 ", ReporterName: "陈女士",
		ReporterPhone: "+86 138-0601-2345", ReporterIDNumber: "35020319900101123x",
		Location: &casework.Point{Lat: 24.48, Lon: 118.13}, DivisionCode: "350203010", Nature: "complaint",
	})
	if err != nil {
		t.Fatal(err)
	}
	c, r := res.Case, res.Report
	if c.Number != "XM-2026-000001" || c.State != casework.Received || c.ReportCount != 1 {
		t.Errorf("case %+v", c)
	}
	if r.Title != "莲前西路某小区楼下烧烤店油烟扰民" {
		t.Errorf("derived title %q", r.Title)
	}
	if r.PhoneMasked != "138****2345" || r.IDMasked != "350203********123X" {
		t.Errorf("masks %q %q", r.PhoneMasked, r.IDMasked)
	}
	var raw string
	if err := env.App.DB.QueryRowContext(ctx, "SELECT phone_sealed FROM reports WHERE id = $1", r.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "13806012345") {
		t.Error("phone stored in the clear")
	}
	tl, err := env.App.Cases.Timeline(ctx, env.Actor(t, "intake"), c.Number)
	if err != nil || len(tl) != 1 || tl[0].Action != casework.Receive || tl[0].ToState != casework.Received {
		t.Fatalf("timeline %+v (%v)", tl, err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectType: "case", ObjectID: c.Number})
	if err != nil || len(recs) != 1 || recs[0].Action != "case.receive" {
		t.Fatalf("audit %+v (%v)", recs, err)
	}
	if strings.Contains(recs[0].Detail, "1380601") || strings.Contains(recs[0].Detail, "陈女士") {
		t.Error("audit detail carries personal data")
	}
	// Second case of the year.
	res2, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "web", Body: "咨询社保转移"})
	if err != nil || res2.Case.Number != "XM-2026-000002" {
		t.Fatalf("second number %q (%v)", res2.Case.Number, err)
	}
}

func TestRevealPersonalIsAudited(t *testing.T) {
	env := apptest.New(t)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
		Channel: "visit", Body: "来访反映拆迁补偿问题", ReporterPhone: "13906012345", ReporterIDNumber: "35020319900101123X"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := env.App.Cases.RevealPersonal(ctx, env.Actor(t, "intake"), res.Report.ID, casework.IDNumber)
	if err != nil || got != "35020319900101123X" {
		t.Fatalf("reveal: %q %v", got, err)
	}
	// A leader sees the whole city but does not contact citizens.
	if _, err := env.App.Cases.RevealPersonal(ctx, env.Actor(t, "leader"), res.Report.ID, casework.Phone); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("leader reveal: %v, want 403", err)
	}
	// Out of scope: not found.
	if _, err := env.App.Cases.RevealPersonal(ctx, env.Actor(t, "gulangyu"), res.Report.ID, casework.Phone); fault.KindOf(err) != fault.NotFound {
		t.Errorf("out-of-scope reveal: %v, want 404", err)
	}
	recs, err := env.App.Audit.List(ctx, env.App.DB, audit.Filter{Action: "personal.reveal"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Outcome != audit.Denied || recs[1].Outcome != audit.OK || recs[1].ActorName != "intake" {
		t.Errorf("reveal audit: %+v", recs)
	}
}

func TestSourceRefIsIdempotent(t *testing.T) {
	env := apptest.New(t)
	in := casework.ReportInput{Channel: "police_110", SourceRef: "110-20261126-0001", Body: "江头派出所辖区电动车被盗"}
	a, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), in)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Replayed || a.Case.Number != b.Case.Number || a.Report.ID != b.Report.ID {
		t.Errorf("second intake of one source id: %+v", b)
	}
	// Someone who may not see the case learns that the report was
	// received, not which case it is in; nothing is stored.
	other := env.Actor(t, "gulangyu")
	if _, err := env.App.Cases.Get(ctx, other, a.Case.Number); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("gulangyu sees the 110 case: %v", err)
	}
	c, err := env.App.Cases.Intake(ctx, other, in)
	if fault.KindOf(err) != fault.Conflict || strings.Contains(err.Error(), a.Case.Number) || c.Case.Number != "" {
		t.Errorf("a replay outside the case's scope: %+v, %v", c, err)
	}
	if n, err := env.App.Cases.CheckReport(ctx, other, in); fault.KindOf(err) != fault.Conflict || n != "" {
		t.Errorf("a dry run outside the case's scope: %q, %v", n, err)
	}
	var reports int
	if err := env.App.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports").Scan(&reports); err != nil || reports != 1 {
		t.Errorf("%d reports (%v), want 1", reports, err)
	}
}

func TestScope(t *testing.T) {
	env := apptest.New(t)
	c := newCase(t, env)
	do(t, env, c.Number, step{casework.Register, access.Intake})
	do(t, env, c.Number, step{casework.Dispatch, access.Dispatcher})
	for user, visible := range map[string]bool{
		"intake": true, "dispatcher": true, "jiangtou": true, "verifier": true, "supervisor": true, "leader": true,
		"huli":            true,  // 湖里区委政法委: the district's subtree includes 江头街道
		"gulangyu":        false, // 鼓浪屿街道: another street
		"jiangtou.police": false, "sysadmin": false, "auditadmin": false,
	} {
		_, err := env.App.Cases.Get(ctx, env.Actor(t, user), c.Number)
		if visible && err != nil {
			t.Errorf("%s cannot see the case: %v", user, err)
		}
		if !visible && fault.KindOf(err) != fault.NotFound {
			t.Errorf("%s: %v, want not found", user, err)
		}
		page, err := env.App.Cases.List(ctx, env.Actor(t, user), casework.Filter{})
		if visible && (err != nil || len(page.Cases) != 1) {
			t.Errorf("%s lists %d cases (%v), want 1", user, len(page.Cases), err)
		}
		if !visible && err == nil && len(page.Cases) != 0 {
			t.Errorf("%s lists a case outside its scope", user)
		}
	}
	// Writes outside scope are refused as not found, and audited as denied.
	_, err := env.App.Cases.Do(ctx, env.Actor(t, "gulangyu"), c.Number, casework.Sign, casework.ActionInput{})
	if fault.KindOf(err) != fault.NotFound {
		t.Fatalf("out-of-scope sign: %v", err)
	}
	recs, _ := env.App.Audit.List(ctx, env.App.DB, audit.Filter{ObjectID: c.Number, Action: "case.sign"})
	if len(recs) != 1 || recs[0].Outcome != audit.Denied || recs[0].ActorName != "gulangyu" {
		t.Errorf("denied attempt not audited: %+v", recs)
	}
}

// Verification is by someone outside the handling unit (监管分离).
func TestVerifierMustBeOutsideHandlingUnit(t *testing.T) {
	env := apptest.New(t)
	unit := env.Unit(t, handlingUnit)
	u, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: "jt.verifier", Name: "江头核查",
		UnitID: unit, Roles: []access.Role{access.Verifier, access.Handler}})
	if err != nil {
		t.Fatal(err)
	}
	insider, err := env.App.Org.Actor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := driveTo(t, env, pathsFromTable(), casework.Reported, false)
	if _, err := env.App.Cases.Do(ctx, insider, c.Number, casework.Verify, casework.ActionInput{}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("verify by the handling unit: %v, want 403", err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "huli"), c.Number, casework.Verify, casework.ActionInput{}); err != nil {
		t.Errorf("verify by the district committee: %v", err)
	}
}

func TestDeadlinesSuspensionAndExtension(t *testing.T) {
	env := apptest.New(t)
	c := driveTo(t, env, pathsFromTable(), casework.Handling, false)
	due := c.DueAt
	// 15 working days from Thursday 26 November: the close of Thursday 17 December.
	if want := time.Date(2026, 12, 18, 0, 0, 0, 0, apptest.Start.Location()); !due.Equal(want) {
		t.Fatalf("complaint due %v, want %v", due, want)
	}
	sup := env.Actor(t, "supervisor")
	if _, err := env.App.Cases.Do(ctx, sup, c.Number, casework.Suspend, casework.ActionInput{Reason: "等待法院开庭"}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(72 * time.Hour)
	c, err := env.App.Cases.Do(ctx, sup, c.Number, casework.Resume, casework.ActionInput{})
	if err != nil {
		t.Fatal(err)
	}
	// Suspended on Thursday morning with the rest of that day and 15
	// working days left, resumed on Sunday: that working time runs from
	// Monday, 15 working days to the close of Friday 18 December and the
	// rest of a day more, to the close of Monday 21 December.
	if want := time.Date(2026, 12, 22, 0, 0, 0, 0, apptest.Start.Location()); c.State != casework.Handling || !c.DueAt.Equal(want) {
		t.Errorf("after 3 days suspended: %s due %v, want handling due %v", c.State, c.DueAt, want)
	}
	// Extension: must be later than the current deadline; approval moves it.
	h := env.Actor(t, "jiangtou")
	if _, err := env.App.Cases.Do(ctx, h, c.Number, casework.RequestExtension, casework.ActionInput{DueAt: c.DueAt.Add(-time.Hour), Reason: "x"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("extension earlier than the deadline: %v", err)
	}
	want := c.DueAt.Add(10 * 24 * time.Hour)
	if _, err := env.App.Cases.Do(ctx, h, c.Number, casework.RequestExtension, casework.ActionInput{DueAt: want, Reason: "需协调"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.Do(ctx, h, c.Number, casework.RequestExtension, casework.ActionInput{DueAt: want, Reason: "again"}); fault.KindOf(err) != fault.Conflict {
		t.Errorf("second pending request: %v, want 409", err)
	}
	c, err = env.App.Cases.Do(ctx, sup, c.Number, casework.ApproveExtension, casework.ActionInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.DueAt.Equal(want) || c.ExtensionCount != 1 || !c.RequestedDueAt.IsZero() {
		t.Errorf("after approval: due %v count %d requested %v", c.DueAt, c.ExtensionCount, c.RequestedDueAt)
	}
	tl, _ := env.App.Cases.Timeline(ctx, sup, c.Number)
	last := tl[len(tl)-1]
	if last.Action != casework.ApproveExtension || last.Changes["due_at"][1] == nil {
		t.Errorf("timeline does not record the new deadline: %+v", last)
	}
	// Overdue once the clock passes the deadline.
	env.Clock.Advance(want.Sub(env.Clock.Now()) + time.Minute)
	yes := true
	page, err := env.App.Cases.List(ctx, sup, casework.Filter{Overdue: &yes})
	if err != nil || len(page.Cases) != 1 || !page.Cases[0].Overdue(env.Clock.Now()) {
		t.Errorf("overdue list: %d cases (%v)", len(page.Cases), err)
	}
}

func TestTransferKeepsDeadlineAndHistory(t *testing.T) {
	env := apptest.New(t)
	c := driveTo(t, env, pathsFromTable(), casework.Handling, false)
	police := env.Unit(t, "PSB-350206004")
	got, err := env.App.Cases.Do(ctx, env.Actor(t, "jiangtou"), c.Number, casework.Transfer,
		casework.ActionInput{UnitID: police, Reason: "涉嫌治安案件，转派出所"})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != casework.Dispatched || got.HandlingUnitID != police || !got.DueAt.Equal(c.DueAt) {
		t.Errorf("after transfer: %s unit %d due %v (was %v)", got.State, got.HandlingUnitID, got.DueAt, c.DueAt)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "jiangtou.police"), c.Number, casework.Sign, casework.ActionInput{}); err != nil {
		t.Errorf("new unit signs for it: %v", err)
	}
	// The former handling unit still sees the case it worked on.
	if _, err := env.App.Cases.Get(ctx, env.Actor(t, "jiangtou"), c.Number); err != nil {
		t.Errorf("former handler: %v", err)
	}
	if _, err := env.App.Cases.Do(ctx, env.Actor(t, "jiangtou"), c.Number, casework.Handle, casework.ActionInput{Note: "x"}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("former handler acting: %v, want 403", err)
	}
}

func TestAddReportAndLinks(t *testing.T) {
	env := apptest.New(t)
	a, b := newCase(t, env), newCase(t, env)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "web", Body: "同一工地又在夜间施工", CaseNumber: a.Number})
	if err != nil {
		t.Fatal(err)
	}
	if res.Case.ReportCount != 2 || res.Case.RepeatCount() != 1 {
		t.Errorf("report count %d", res.Case.ReportCount)
	}
	d := env.Actor(t, "dispatcher")
	if err := env.App.Cases.Link(ctx, d, a.Number, b.Number, "related"); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Cases.Link(ctx, d, b.Number, a.Number, "related"); fault.KindOf(err) != fault.Conflict {
		t.Errorf("second link: %v", err)
	}
	det, err := env.App.Cases.Get(ctx, d, b.Number)
	if err != nil || len(det.Links) != 1 || det.Links[0].Number != a.Number {
		t.Fatalf("links of b: %+v (%v)", det.Links, err)
	}
	if err := env.App.Cases.Unlink(ctx, d, a.Number, b.Number); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Cases.Link(ctx, d, a.Number, a.Number, ""); fault.KindOf(err) != fault.Invalid {
		t.Errorf("self link: %v", err)
	}
	// A closed case takes no more reports.
	c := driveTo(t, env, pathsFromTable(), casework.Closed, false)
	_, err = env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "web", Body: "又来了", CaseNumber: c.Number})
	if fault.KindOf(err) != fault.Conflict {
		t.Errorf("report to a closed case: %v", err)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	env := apptest.New(t)
	var numbers []string
	for i := range 7 {
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
			Channel: []casework.Channel{"hotline", "web"}[i%2], Body: fmt.Sprintf("第%d件", i)})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, res.Case.Number)
		env.Clock.Advance(time.Hour)
	}
	d := env.Actor(t, "dispatcher")
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		p, err := env.App.Cases.List(ctx, d, casework.Filter{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range p.Cases {
			if seen[c.Number] {
				t.Errorf("%s twice", c.Number)
			}
			seen[c.Number] = true
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if pages != 3 || len(seen) != 7 {
		t.Errorf("%d pages, %d cases", pages, len(seen))
	}
	p, err := env.App.Cases.List(ctx, d, casework.Filter{Channel: "web"})
	if err != nil || len(p.Cases) != 3 {
		t.Errorf("web: %d (%v)", len(p.Cases), err)
	}
	p, err = env.App.Cases.List(ctx, d, casework.Filter{From: apptest.Start.Add(150 * time.Minute), To: apptest.Start.Add(5 * time.Hour)})
	if err != nil || len(p.Cases) != 2 {
		t.Errorf("date range: %d (%v)", len(p.Cases), err)
	}
	if _, err := env.App.Cases.List(ctx, d, casework.Filter{Cursor: "garbage"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("bad cursor: %v", err)
	}
	if _, err := env.App.Cases.List(ctx, env.Actor(t, "sysadmin"), casework.Filter{}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("administrator listing cases: %v", err)
	}
	_ = numbers
}

// The detail intake returns without reading back equals what Get reads.
func TestIntakeDetailMatchesGet(t *testing.T) {
	env := apptest.New(t)
	res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
		Channel: "hotline", Body: "江头北路井盖缺失", ReporterName: "郑先生", ReporterPhone: "13906012345",
		OccurredAt: apptest.Start.Add(-time.Hour), Location: &casework.Point{Lat: 24.5, Lon: 118.14}, DivisionCode: "350206004",
		Attachments: []casework.AttachmentInput{{Name: "井盖.jpg", ContentType: "image/jpeg", Size: 1024}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := env.App.Cases.Get(ctx, env.Actor(t, "intake"), res.Case.Number)
	if err != nil {
		t.Fatal(err)
	}
	fresh := *res.Fresh
	if got.Links == nil {
		got.Links = fresh.Links
	}
	if !reflect.DeepEqual(fresh, got) {
		t.Errorf("intake detail\n%+v\nGet\n%+v", fresh, got)
	}
}

// A text search pages to the same cases in the same order as one full
// page, in both orders, newest first reading the index in id order.
func TestTextSearchPages(t *testing.T) {
	env := apptest.New(t)
	natures := []string{"consult", "complaint", "", "petition_claim"}
	var noise []string
	for i := range 23 {
		body := fmt.Sprintf("第%d件：小区楼下停车难", i)
		if i%3 == 0 {
			body = fmt.Sprintf("第%d件：夜间施工噪音扰民", i)
		}
		res, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{
			Channel: "hotline", Body: body, Nature: natures[i%len(natures)]})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			noise = append(noise, res.Case.Number)
		}
		if i%2 == 0 { // every other case at the same time: ties in the sort key
			env.Clock.Advance(time.Hour)
		}
	}
	slices.Reverse(noise)
	d := env.Actor(t, "dispatcher")
	numbers := func(cs []casework.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Number)
		}
		return out
	}
	for _, tc := range []struct {
		text string
		want int
	}{{"噪音", 8}, {"楼", 15}, {"第", 23}, {"地震", 0}, {"噪 第", 8}} {
		for _, sort := range casework.Sorts {
			full, err := env.App.Cases.List(ctx, d, casework.Filter{Text: tc.text, Sort: sort, Limit: 200})
			if err != nil {
				t.Fatalf("%s, %s: %v", tc.text, sort, err)
			}
			if len(full.Cases) != tc.want || full.NextCursor != "" {
				t.Fatalf("%s, %s: %d cases (next %q), want %d", tc.text, sort, len(full.Cases), full.NextCursor, tc.want)
			}
			if sort == "-received" && tc.text == "噪音" && !slices.Equal(numbers(full.Cases), noise) {
				t.Errorf("噪音 newest first: %v, want %v", numbers(full.Cases), noise)
			}
			for _, limit := range []int{1, 2, 3, 7} {
				var paged []casework.Case
				cursor := ""
				for pages := 0; ; pages++ {
					if pages > tc.want+1 {
						t.Fatalf("%s, %s, limit %d: paging does not end", tc.text, sort, limit)
					}
					p, err := env.App.Cases.List(ctx, d, casework.Filter{Text: tc.text, Sort: sort, Limit: limit, Cursor: cursor})
					if err != nil {
						t.Fatalf("%s, %s, limit %d: %v", tc.text, sort, limit, err)
					}
					paged = append(paged, p.Cases...)
					if cursor = p.NextCursor; cursor == "" {
						break
					}
				}
				if got, want := numbers(paged), numbers(full.Cases); !slices.Equal(got, want) {
					t.Errorf("%s, %s, limit %d: pages %v, want %v", tc.text, sort, limit, got, want)
				}
			}
		}
	}
	// A cursor continues the order it was made in: another sort's is
	// refused, not read as a place in this one.
	for _, pair := range [][2]string{{"due", "-received"}, {"-received", "due"}} {
		p, err := env.App.Cases.List(ctx, d, casework.Filter{Text: "楼", Sort: pair[0], Limit: 2})
		if err != nil || p.NextCursor == "" {
			t.Fatalf("楼 by %s: %v", pair[0], err)
		}
		_, err = env.App.Cases.List(ctx, d, casework.Filter{Text: "楼", Sort: pair[1], Limit: 2, Cursor: p.NextCursor})
		if fe, ok := fault.As(err); !ok || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != "cursor" {
			t.Errorf("a %s cursor sorted by %s: %v", pair[0], pair[1], err)
		}
	}
	// A case number, as pasted (any case, spaces around), finds its case,
	// for those who may see it; and no other case.
	for _, text := range []string{noise[2], " " + strings.ToLower(noise[2]) + " "} {
		p, err := env.App.Cases.List(ctx, d, casework.Filter{Text: text})
		if err != nil || len(p.Cases) != 1 || p.Cases[0].Number != noise[2] {
			t.Errorf("%q: %v (%v), want %s", text, numbers(p.Cases), err, noise[2])
		}
		if n, err := env.App.Cases.Count(ctx, d, casework.Filter{Text: text}); err != nil || n != 1 {
			t.Errorf("%q counted %d (%v), want 1", text, n, err)
		}
	}
	if p, err := env.App.Cases.List(ctx, env.Actor(t, "gulangyu"), casework.Filter{Text: noise[2]}); err != nil || len(p.Cases) != 0 {
		t.Errorf("gulangyu finds %v by number (%v)", numbers(p.Cases), err)
	}
	// The text search combines with the other filters, and a cursor of the
	// list without text pages the list with it the same way.
	p, err := env.App.Cases.List(ctx, d, casework.Filter{Text: "噪音", Natures: []string{"complaint"}})
	if err != nil || len(p.Cases) != 2 {
		t.Errorf("噪音 and complaint: %d (%v)", len(p.Cases), err)
	}
	first, err := env.App.Cases.List(ctx, d, casework.Filter{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	p, err = env.App.Cases.List(ctx, d, casework.Filter{Text: "噪音", Cursor: first.NextCursor})
	if err != nil || !slices.Equal(numbers(p.Cases), noise[1:]) {
		t.Errorf("噪音 after the 4 newest cases (the 1st of them noise): %v (%v), want %v", numbers(p.Cases), err, noise[1:])
	}
	// Out of scope, nothing.
	if p, err := env.App.Cases.List(ctx, env.Actor(t, "jiangtou"), casework.Filter{Text: "噪音"}); err != nil || len(p.Cases) != 0 {
		t.Errorf("jiangtou: %d (%v)", len(p.Cases), err)
	}
}

func TestCountUpTo(t *testing.T) {
	env := apptest.New(t)
	for i := range 5 {
		body := fmt.Sprintf("第%d件：夜间施工噪音扰民", i)
		if i == 4 {
			body = "楼上漏水"
		}
		if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		actor string
		f     casework.Filter
		limit int
		n     int
		more  bool
		fails fault.Kind // with err
		err   bool
	}{
		{"dispatcher", casework.Filter{Text: "噪音"}, 10, 4, false, 0, false},
		{"dispatcher", casework.Filter{Text: "噪音"}, 4, 4, false, 0, false},
		{"dispatcher", casework.Filter{Text: "噪音"}, 3, 3, true, 0, false},
		{"dispatcher", casework.Filter{Text: "噪音"}, 0, 0, true, 0, false},
		{"dispatcher", casework.Filter{Text: "地震"}, 10, 0, false, 0, false},
		{"dispatcher", casework.Filter{}, 3, 3, true, 0, false},
		{"dispatcher", casework.Filter{}, 5, 5, false, 0, false},
		{"dispatcher", casework.Filter{Text: "噪音", States: []casework.State{casework.Closed}}, 10, 0, false, 0, false},
		{"jiangtou", casework.Filter{Text: "噪音"}, 10, 0, false, 0, false}, // out of scope
		// The whole city's reader, the text the only condition: the index
		// alone counts.
		{"supervisor", casework.Filter{Text: "噪音"}, 10, 4, false, 0, false},
		{"supervisor", casework.Filter{Text: "噪音"}, 3, 3, true, 0, false},
		{"supervisor", casework.Filter{Text: "楼 漏水"}, 10, 1, false, 0, false},
		{"supervisor", casework.Filter{Text: "地震"}, 10, 0, false, 0, false},
		{"supervisor", casework.Filter{Text: "噪音", States: []casework.State{casework.Closed}}, 10, 0, false, 0, false},
		{"dispatcher", casework.Filter{Text: "，。"}, 10, 0, false, fault.Invalid, true},
		{"sysadmin", casework.Filter{Text: "噪音"}, 10, 0, false, fault.Forbidden, true},
	} {
		n, more, err := env.App.Cases.CountUpTo(ctx, env.Actor(t, tc.actor), tc.f, tc.limit)
		if (err != nil) != tc.err || (tc.err && fault.KindOf(err) != tc.fails) {
			t.Errorf("%s %+v up to %d: error %v, want kind %v", tc.actor, tc.f, tc.limit, err, tc.fails)
			continue
		}
		if n != tc.n || more != tc.more {
			t.Errorf("%s %+v up to %d: %d, %v; want %d, %v", tc.actor, tc.f, tc.limit, n, more, tc.n, tc.more)
		}
	}
	// Below the limit it is Count.
	for _, who := range []string{"dispatcher", "supervisor"} {
		n, err := env.App.Cases.Count(ctx, env.Actor(t, who), casework.Filter{Text: "噪音"})
		if err != nil || n != 4 {
			t.Errorf("Count as %s: %d (%v)", who, n, err)
		}
	}

}

// Everything wrong with a report is said at once: its place and its
// classification alike.
func TestIntakeNamesEveryBadField(t *testing.T) {
	env := apptest.New(t)
	_, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline", Body: "路灯不亮",
		DivisionCode: "abc", Nature: "bogus", Priority: "high", CategoryID: 999999})
	fe, ok := fault.As(err)
	if !ok {
		t.Fatalf("a bad report: %v", err)
	}
	var fields []string
	for _, f := range fe.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"division_code", "nature", "priority", "category_id"} {
		if !slices.Contains(fields, want) {
			t.Errorf("fields %v, want %s among them", fields, want)
		}
	}
}
