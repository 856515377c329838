package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"pingan/internal/apptest"
)

func TestDeadlineAndSupervisionOverHTTP(t *testing.T) {
	env := apptest.New(t)
	r := env.Do(t, "GET", "/api/v1/calendar/workdays?from=2024-09-27&n=3", "dispatcher", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"date":"2024-10-08"`) {
		t.Fatalf("workdays: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "GET", "/api/v1/calendar/workdays?from=2027-01-04&n=1", "dispatcher", nil)
	if !strings.Contains(string(r.Body), `"arrangement_known":false`) {
		t.Errorf("2027 has no notice yet: %s", r.Body)
	}
	notice := []byte(`{"year":2027,"papers":["https://www.gov.cn/example"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`)
	if r := env.Do(t, "POST", "/api/v1/calendar", "dispatcher", notice); r.Status != 403 {
		t.Errorf("dispatcher imports a calendar: %d", r.Status)
	}
	if r := env.Do(t, "POST", "/api/v1/calendar", "sysadmin", []byte(`{"year":2027,"days":[{"name":"x","date":"2031-01-01","isOffDay":true}]}`)); r.Status != 422 {
		t.Errorf("bad notice: %d %s", r.Status, r.Body)
	}
	if r := env.Do(t, "POST", "/api/v1/calendar", "sysadmin", notice); r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "GET", "/api/v1/calendar/workdays?from=2027-01-04&n=1", "dispatcher", nil)
	if !strings.Contains(string(r.Body), `"arrangement_known":true`) {
		t.Errorf("after the import: %s", r.Body)
	}
	var policies struct {
		Policies []struct {
			Name       string `json:"name"`
			NameEN     string `json:"name_en"`
			Nature     string `json:"nature"`
			Handle     string `json:"handle"`
			HandleFrom string `json:"handle_from"`
		} `json:"policies"`
	}
	env.Do(t, "GET", "/api/v1/deadline-policies", "dispatcher", nil).JSON(t, &policies)
	if len(policies.Policies) < 10 || policies.Policies[0].Name != "默认" || policies.Policies[0].NameEN != "Default" || policies.Policies[0].Handle != "15wd" ||
		policies.Policies[0].HandleFrom != "dispatch" {
		t.Errorf("policies %+v", policies.Policies)
	}
	for _, p := range policies.Policies {
		if strings.HasPrefix(p.Nature, "petition_") != (p.HandleFrom == "acceptance") {
			t.Errorf("policy %s of %s counts from %s", p.Name, p.Nature, p.HandleFrom)
		}
	}

	n := dispatchedCase(t, env)
	var c struct {
		DeadlineStatus string `json:"deadline_status"`
		TimeLeft       int64  `json:"time_left_seconds"`
		Policy         struct {
			Name string `json:"name"`
		} `json:"deadline_policy"`
		Category struct {
			Name string `json:"name"`
			Path string `json:"path"`
		} `json:"category"`
	}
	env.Do(t, "GET", "/api/v1/cases/"+n, "jiangtou", nil).JSON(t, &c)
	if c.DeadlineStatus != "green" || c.TimeLeft <= 0 || c.Policy.Name != "默认" ||
		c.Category.Name != "事故处理" || c.Category.Path != "城乡建设 / 安全生产 / 事故处理" {
		t.Errorf("case clock %+v", c)
	}
	en := env.Do(t, "GET", "/api/v1/cases/"+n, "jiangtou", nil, "Accept-Language", "en")
	en.JSON(t, &c)
	if v := en.Header.Get("Vary"); !strings.Contains(v, "Accept-Language") {
		t.Errorf("an answer in the request's language says Vary %q", v)
	}
	if c.Policy.Name != "Default" || c.Category.Name != "Accident handling" ||
		c.Category.Path != "Urban and rural development / Workplace safety / Accident handling" {
		t.Errorf("the policy and the category in English: %+v", c)
	}
	var list struct {
		Cases []struct {
			Number string `json:"number"`
		} `json:"cases"`
	}
	env.Do(t, "GET", "/api/v1/cases?status=green", "jiangtou", nil).JSON(t, &list)
	if len(list.Cases) != 1 {
		t.Errorf("green list: %+v", list)
	}
	env.Do(t, "GET", "/api/v1/cases?status=red,yellow", "jiangtou", nil).JSON(t, &list)
	if len(list.Cases) != 0 {
		t.Errorf("red/yellow list: %+v", list)
	}
	// Each colour alone and the overdue flag bind only the times their SQL
	// uses (PostgreSQL refuses a parameter it cannot type).
	for q, want := range map[string]int{"status=red": 0, "status=yellow": 0, "overdue=true": 0, "overdue=false": 1,
		"overdue=false&status=green": 1, "overdue=true&status=green": 0} {
		list.Cases = nil
		r := env.Do(t, "GET", "/api/v1/cases?"+q, "jiangtou", nil)
		if r.JSON(t, &list); r.Status != http.StatusOK || len(list.Cases) != want {
			t.Errorf("%s: %d %+v, want %d", q, r.Status, list, want)
		}
	}
	if r := env.Do(t, "GET", "/api/v1/cases?status=purple", "jiangtou", nil); r.Status != 422 {
		t.Errorf("bad status: %d", r.Status)
	}

	// A supervisor's order, the inbox, the reply, the ledger.
	r = env.Do(t, "POST", "/api/v1/cases/"+n+"/supervision", "huli", map[string]any{"kind": "remind", "reason": "请加快办理",
		"reply_due_at": env.Clock.Now().Add(48 * time.Hour)})
	if r.Status != http.StatusCreated {
		t.Fatalf("issue: %d %s", r.Status, r.Body)
	}
	var o struct {
		Number   string `json:"number"`
		KindName string `json:"kind_name"`
		State    string `json:"state"`
		ToUnit   struct {
			Name string `json:"name"`
		} `json:"to_unit"`
	}
	r.JSON(t, &o)
	if o.KindName != "催办" || o.State != "open" || o.ToUnit.Name != "江头街道" {
		t.Errorf("order %+v", o)
	}
	var box struct {
		Unread int `json:"unread"`
		Items  []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
			Case string `json:"case"`
		} `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/inbox", "jiangtou", nil).JSON(t, &box)
	if box.Unread != 2 || box.Items[0].Kind != "supervision.issued" || box.Items[0].Case != n {
		t.Errorf("inbox %+v", box)
	}
	// Each notice in the reader's language; what someone wrote, as written.
	for lang, want := range map[string][2]string{"zh-CN": {"催办：" + n, "新派件：" + n}, "en": {"Reminder: " + n, "New case: " + n}} {
		var texts struct {
			Items []struct {
				Title string `json:"title"`
				Body  string `json:"body"`
			} `json:"items"`
		}
		env.Do(t, "GET", "/api/v1/inbox", "jiangtou", nil, "Accept-Language", lang).JSON(t, &texts)
		if len(texts.Items) != 2 || !strings.HasPrefix(texts.Items[0].Title, want[0]) || texts.Items[0].Body != "请加快办理" ||
			!strings.HasPrefix(texts.Items[1].Title, want[1]) {
			t.Errorf("inbox in %s: %+v, want titles %q and %q", lang, texts.Items, want[0], want[1])
		}
	}
	// The order's note on the case's timeline: pingan's words in the
	// reader's language, the supervisor's as written.
	for lang, want := range map[string]string{"zh-CN": "催办 ", "en": "Reminder "} {
		var tl struct {
			Entries []struct {
				Action string `json:"action"`
				Note   string `json:"note"`
			} `json:"entries"`
		}
		env.Do(t, "GET", "/api/v1/cases/"+n+"/timeline", "huli", nil, "Accept-Language", lang).JSON(t, &tl)
		last := tl.Entries[len(tl.Entries)-1]
		if last.Action != "supervise" || !strings.HasPrefix(last.Note, want) || !strings.HasSuffix(last.Note, "请加快办理") {
			t.Errorf("timeline in %s ends with %+v, want a note starting %q", lang, last, want)
		}
	}
	var read struct {
		Marked int `json:"marked"`
		Unread int `json:"unread"`
	}
	env.Do(t, "POST", "/api/v1/inbox/read", "jiangtou", map[string]any{"ids": []int64{box.Items[0].ID}}).JSON(t, &read)
	if read.Marked != 1 || read.Unread != 1 {
		t.Errorf("read %+v", read)
	}
	r = env.Do(t, "POST", "/api/v1/supervision/"+o.Number+"/reply", "jiangtou", map[string]any{"reply": "已派人处理"})
	r.JSON(t, &o)
	if r.Status != 200 || o.State != "replied" {
		t.Errorf("reply: %d %s", r.Status, r.Body)
	}
	var ledger struct {
		Orders []struct {
			Number string `json:"number"`
		} `json:"orders"`
		Total int `json:"total"`
	}
	env.Do(t, "GET", "/api/v1/supervision?state=replied", "supervisor", nil).JSON(t, &ledger)
	if len(ledger.Orders) != 1 || ledger.Total != 1 {
		t.Errorf("ledger %+v", ledger)
	}
	// By kind, and only what pingan issued itself (nothing yet).
	for query, want := range map[string]int{"kind=remind": 1, "kind=interview": 0, "automatic=true": 0, "kind=remind&automatic=false": 1} {
		ledger.Orders, ledger.Total = nil, -1
		env.Do(t, "GET", "/api/v1/supervision?"+query, "supervisor", nil).JSON(t, &ledger)
		if len(ledger.Orders) != want || ledger.Total != want {
			t.Errorf("ledger ?%s: %+v, want %d", query, ledger, want)
		}
	}
	// Paged as the inbox and the audit log are: next_before, a number.
	if r := env.Do(t, "POST", "/api/v1/cases/"+n+"/supervision", "huli", map[string]any{"kind": "interview", "reason": "约谈"}); r.Status != 201 {
		t.Fatalf("a second order: %d %s", r.Status, r.Body)
	}
	var seen []string
	for before, pages := int64(0), 0; ; pages++ {
		var page struct {
			Orders []struct {
				Number string `json:"number"`
			} `json:"orders"`
			Total      int   `json:"total"`
			NextBefore int64 `json:"next_before"`
		}
		q := "/api/v1/supervision?limit=1"
		if before != 0 {
			q += fmt.Sprintf("&before=%d", before)
		}
		env.Do(t, "GET", q, "supervisor", nil).JSON(t, &page)
		for _, o := range page.Orders {
			seen = append(seen, o.Number)
		}
		if before = page.NextBefore; before == 0 || pages > 5 {
			if len(seen) != page.Total || page.Total != 2 {
				t.Errorf("paged ledger: %v of %d", seen, page.Total)
			}
			break
		}
	}
	for bad, status := range map[string]int{"kind=scold": 422, "automatic=maybe": 400} {
		if r := env.Do(t, "GET", "/api/v1/supervision?"+bad, "supervisor", nil); r.Status != status {
			t.Errorf("ledger ?%s: %d %s", bad, r.Status, r.Body)
		}
	}
	if r := env.Do(t, "GET", "/api/v1/supervision/"+o.Number, "gulangyu", nil); r.Status != 404 {
		t.Errorf("order outside scope: %d", r.Status)
	}

	// Webhooks: the secret is shown once.
	r = env.Do(t, "POST", "/api/v1/webhooks", "sysadmin", map[string]any{"name": "大数据局", "url": "https://example.gov.cn/hook", "events": []string{"case.*"}})
	if r.Status != 201 || !strings.Contains(string(r.Body), "whsec_") {
		t.Fatalf("create webhook: %d %s", r.Status, r.Body)
	}
	r = env.Do(t, "GET", "/api/v1/webhooks", "sysadmin", nil)
	if strings.Contains(string(r.Body), "whsec_") {
		t.Error("the secret is listed again")
	}
	if r := env.Do(t, "GET", "/api/v1/webhooks", "dispatcher", nil); r.Status != 403 {
		t.Errorf("dispatcher lists webhooks: %d", r.Status)
	}
	// Retire and restore answer the webhook as it is now, as a unit's do;
	// one that does not exist is 404.
	var hook struct {
		ID        int64   `json:"id"`
		RetiredAt *string `json:"retired_at"`
	}
	r = env.Do(t, "GET", "/api/v1/webhooks", "sysadmin", nil)
	var hooks struct {
		Webhooks []struct {
			ID int64 `json:"id"`
		} `json:"webhooks"`
	}
	r.JSON(t, &hooks)
	if len(hooks.Webhooks) != 1 {
		t.Fatalf("webhooks: %s", r.Body)
	}
	id := hooks.Webhooks[0].ID
	for _, op := range []string{"retire", "restore"} {
		retired := op == "retire"
		r = env.Do(t, "POST", fmt.Sprintf("/api/v1/webhooks/%d/%s", id, op), "sysadmin", nil)
		hook.RetiredAt = nil
		r.JSON(t, &hook)
		if r.Status != 200 || hook.ID != id || (hook.RetiredAt != nil) != retired {
			t.Errorf("%s: %d %s", op, r.Status, r.Body)
		}
	}
	if r := env.Do(t, "POST", "/api/v1/webhooks/99999/retire", "sysadmin", nil); r.Status != 404 {
		t.Errorf("retire a webhook that does not exist: %d", r.Status)
	}
}
