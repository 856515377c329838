package casework_test

import (
	"fmt"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
	"pingan/internal/fault"
)

// A case's history and reports page through every entry once, in order;
// the part a case page shows is the newest, with the rest counted; paging
// is refused outside the case's scope and with a bad page size.
func TestTimelineAndReportPages(t *testing.T) {
	env := apptest.New(t)
	c := newCase(t, env)
	for i := range 30 {
		if _, err := env.App.Cases.Intake(ctx, env.Actor(t, "intake"), casework.ReportInput{Channel: "hotline",
			CaseNumber: c.Number, Body: fmt.Sprintf("第%d位来电，同一件事。", i+2)}); err != nil {
			t.Fatal(err)
		}
	}
	sys := access.System("t")
	all, err := env.App.Cases.Timeline(ctx, sys, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	shown, older, err := env.App.Cases.TimelineShown(ctx, sys, c.Number, 10)
	if err != nil || len(shown) != 10 || older != len(all)-10 || shown[0].ID != all[len(all)-10].ID || shown[9].ID != all[len(all)-1].ID {
		t.Fatalf("shown %d entries (%v), %d older, of %d", len(shown), err, older, len(all))
	}
	var paged []int64
	for after := int64(0); ; {
		p, err := env.App.Cases.TimelinePage(ctx, sys, c.Number, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			paged = append(paged, e.ID)
		}
		if after = p.Next; after == 0 {
			break
		}
	}
	var want []int64
	for _, e := range all {
		want = append(want, e.ID)
	}
	if fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Fatalf("timeline pages %v, want %v", paged, want)
	}

	var reports []int64
	for after := int64(0); ; {
		p, err := env.App.Cases.Reports(ctx, sys, c.Number, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Reports {
			reports = append(reports, r.ID)
			if _, merged := p.From[r.ID]; merged == (len(reports) == 1) {
				t.Errorf("report %d (%d.): came in as %q", r.ID, len(reports), p.From[r.ID])
			}
		}
		if after = p.Next; after == 0 {
			break
		}
	}
	if len(reports) != 31 {
		t.Fatalf("%d reports paged, want 31", len(reports))
	}
	d, err := env.App.Cases.Get(ctx, sys, c.Number)
	if err != nil || len(d.Reports) != casework.DetailReports || d.ReportsOmitted != 31-casework.DetailReports ||
		d.Reports[0].ID != reports[0] || d.Reports[1].ID != reports[31-casework.DetailReports+1] {
		t.Fatalf("detail lists %d reports (%v), %d omitted", len(d.Reports), err, d.ReportsOmitted)
	}

	outsider := env.Actor(t, "gulangyu")
	if _, err := env.App.Cases.TimelinePage(ctx, outsider, c.Number, 0, 10); fault.KindOf(err) != fault.NotFound {
		t.Errorf("an outsider's timeline page: %v", err)
	}
	if _, _, err := env.App.Cases.TimelineShown(ctx, outsider, c.Number, 10); fault.KindOf(err) != fault.NotFound {
		t.Errorf("an outsider's timeline: %v", err)
	}
	if _, err := env.App.Cases.Reports(ctx, outsider, c.Number, 0, 10); fault.KindOf(err) != fault.NotFound {
		t.Errorf("an outsider's reports: %v", err)
	}
	for _, limit := range []int{-1, 201} { // 0 is the default
		if _, err := env.App.Cases.TimelinePage(ctx, sys, c.Number, 0, limit); fault.KindOf(err) != fault.Invalid {
			t.Errorf("limit %d: %v", limit, err)
		}
		if _, err := env.App.Cases.Reports(ctx, sys, c.Number, 0, limit); fault.KindOf(err) != fault.Invalid {
			t.Errorf("reports limit %d: %v", limit, err)
		}
	}
}
