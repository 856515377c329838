package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// A case many people report lists its first report and the newest on
// its own, and pages through all of them at /cases/{number}/reports.
func TestCaseReportsPage(t *testing.T) {
	env := apptest.New(t)
	first := intake(t, env)
	n := first.Case.Number
	ids := []int64{first.Report.ID}
	const total = casework.DetailReports + 25
	for i := 1; i < total; i++ {
		r := env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "hotline", "case_number": n,
			"body":        fmt.Sprintf("第 %d 位市民来电：江头北路工地夜间打桩。", i+1),
			"attachments": []map[string]any{{"name": fmt.Sprintf("现场%d.jpg", i+1), "content_type": "image/jpeg", "size": 1024}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("report %d: %d %s", i+1, r.Status, r.Body)
		}
		var out intakeResp
		r.JSON(t, &out)
		ids = append(ids, out.Report.ID)
	}

	var d struct {
		caseDetail
		ReportCount    int `json:"report_count"`
		ReportsOmitted int `json:"reports_omitted"`
		MergedOmitted  int `json:"merged_omitted"`
		Merged         []struct {
			Number string `json:"number"`
		} `json:"merged"`
	}
	env.Do(t, "GET", "/api/v1/cases/"+n, "supervisor", nil).JSON(t, &d)
	if d.ReportCount != total || len(d.Reports) != casework.DetailReports || d.ReportsOmitted != total-casework.DetailReports {
		t.Fatalf("case lists %d of %d reports, %d omitted", len(d.Reports), d.ReportCount, d.ReportsOmitted)
	}
	// Each repeat came in as a case merged into this one: the newest are
	// listed, the older counted.
	if len(d.Merged) != casework.DetailReports || d.MergedOmitted != total-1-casework.DetailReports {
		t.Fatalf("case lists %d merged cases, %d omitted", len(d.Merged), d.MergedOmitted)
	}
	// The first, then the newest in order.
	want := append([]int64{ids[0]}, ids[total-casework.DetailReports+1:]...)
	for i, r := range d.Reports {
		if r.ID != want[i] {
			t.Fatalf("report %d listed is %d, want %d (first and newest)", i, r.ID, want[i])
		}
	}

	// Every report, oldest first, once, in pages of 20.
	var got []int64
	cursor, pages := "", 0
	for {
		var page struct {
			Reports []struct {
				ID         int64   `json:"id"`
				MergedFrom *string `json:"merged_from"`
				Reporter   struct {
					Phone string `json:"phone"`
				} `json:"reporter"`
			} `json:"reports"`
			NextCursor string `json:"next_cursor"`
		}
		r := env.Do(t, "GET", "/api/v1/cases/"+n+"/reports?limit=20&cursor="+cursor, "supervisor", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("reports page: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &page)
		for _, rep := range page.Reports {
			if (rep.MergedFrom == nil) != (rep.ID == ids[0]) {
				t.Errorf("report %d: merged_from %v (only the first came in here)", rep.ID, rep.MergedFrom)
			}
			got = append(got, rep.ID)
			if rep.Reporter.Phone == "13806012345" {
				t.Fatalf("a page shows the phone unmasked")
			}
		}
		if pages++; page.NextCursor == "" || pages > 10 {
			break
		}
		cursor = page.NextCursor
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) || pages != 3 {
		t.Fatalf("pages (%d) gave %v, want %v", pages, got, ids)
	}

	// The history pages the same way: every entry once, oldest first.
	all, err := env.App.Cases.Timeline(context.Background(), access.System("t"), n)
	if err != nil {
		t.Fatal(err)
	}
	entries := pagedIDs(t, env, "/api/v1/cases/"+n+"/timeline?limit=7", "entries")
	var want2 []int64
	for _, e := range all {
		want2 = append(want2, e.ID)
	}
	if len(all) <= 7 || fmt.Sprint(entries) != fmt.Sprint(want2) {
		t.Fatalf("timeline pages gave %v, want %v", entries, want2)
	}

	// The attachments: the case lists the newest 20 and counts the rest;
	// the pages give every one, oldest first, once.
	files := pagedIDs(t, env, "/api/v1/cases/"+n+"/attachments?limit=20", "attachments")
	var withFiles struct {
		Attachments []struct {
			ID int64 `json:"id"`
		} `json:"attachments"`
		AttachmentsOmitted int `json:"attachments_omitted"`
	}
	env.Do(t, "GET", "/api/v1/cases/"+n, "supervisor", nil).JSON(t, &withFiles)
	if len(files) < total-1 || len(withFiles.Attachments) != casework.DetailReports ||
		withFiles.AttachmentsOmitted != len(files)-casework.DetailReports {
		t.Fatalf("%d attachments paged; the case lists %d and leaves out %d", len(files), len(withFiles.Attachments), withFiles.AttachmentsOmitted)
	}
	for i, a := range withFiles.Attachments {
		if want := files[len(files)-casework.DetailReports+i]; a.ID != want {
			t.Fatalf("attachment %d listed is %d, want %d (the newest, oldest first)", i, a.ID, want)
		}
	}
	for i := 1; i < len(files); i++ {
		if files[i] <= files[i-1] {
			t.Fatalf("attachment pages out of order: %v", files)
		}
	}

	// Bad paging is refused as every list refuses it: 400, the parameter
	// named.
	for _, list := range []string{"reports", "timeline", "attachments"} {
		for _, q := range []string{"limit=500", "limit=-1", "limit=0", "cursor=abc", "cursor=-3"} {
			r := env.Do(t, "GET", "/api/v1/cases/"+n+"/"+list+"?"+q, "supervisor", nil)
			var p problem
			r.JSON(t, &p)
			param, _, _ := strings.Cut(q, "=")
			if r.Status != http.StatusBadRequest || p.Code != "bad-query" || !strings.Contains(p.Detail, param) {
				t.Errorf("%s?%s: %d %s, want a 400 bad-query naming %s", list, q, r.Status, r.Body, param)
			}
		}
	}
}

// pagedIDs follows a cursor-paged list from its first page to its last and
// returns the ids of the items under key, in order.
func pagedIDs(t *testing.T, env *apptest.Env, path, key string) []int64 {
	t.Helper()
	var ids []int64
	for cursor, pages := "", 0; ; pages++ {
		if pages > 50 {
			t.Fatalf("%s: more than 50 pages", path)
		}
		var page map[string]json.RawMessage
		env.Do(t, "GET", path+"&cursor="+cursor, "supervisor", nil).JSON(t, &page)
		var items []struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(page[key], &items); err != nil {
			t.Fatalf("%s: %s: %v", path, key, err)
		}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		if err := json.Unmarshal(page["next_cursor"], &cursor); err != nil || cursor == "" {
			return ids
		}
	}
}
