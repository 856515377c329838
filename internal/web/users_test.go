package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/org"
)

// 用户与权限 lists accounts a hundred at a time, finds them by user name or
// name (letters in any case; % and _ match only themselves), and shows each
// one's lockout read with the others.
func TestUsersPagePagesAndFinds(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	setPasswords(t, env, "sysadmin")
	sys := signedInAdmin(t, env, "sysadmin")
	unit := env.User(t, "dispatcher").User.UnitID
	for i := range 230 {
		if _, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: fmt.Sprintf("clerk%03d", i),
			Name: fmt.Sprintf("文员%d号", i), UnitID: unit}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.App.Org.CreateUser(ctx, access.System("test"), org.UserInput{Username: "odd_one", Name: "百分之百%", UnitID: unit}); err != nil {
		t.Fatal(err)
	}
	// Five wrong passwords lock clerk007.
	for range 5 {
		_, _ = env.App.Auth.Login(ctx, "clerk007", "wrong password", "127.0.0.1", "test")
	}

	var seen []string
	next := "/admin/users?q=clerk"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("more than three pages of 230 accounts")
		}
		p := sys.get(next)
		if p.Status != 200 {
			t.Fatalf("%s: %d\n%s", next, p.Status, excerpt(p.Body))
		}
		for i := range 230 {
			if name := fmt.Sprintf("<code>clerk%03d</code>", i); strings.Contains(p.Body, name) {
				seen = append(seen, name)
			}
		}
		next = ""
		if i := strings.Index(p.Body, `href="/admin/users?`); i >= 0 {
			link := p.Body[i+len(`href="`):]
			next = strings.ReplaceAll(link[:strings.IndexByte(link, '"')], "&amp;", "&")
		}
		if pages == 0 {
			mustContain(t, p, "after=clerk099", "更多")
		}
	}
	if len(seen) != 230 {
		t.Fatalf("the pages listed %d of 230 accounts", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("listed twice or out of order: %s after %s", seen[i], seen[i-1])
		}
	}

	p := sys.get("/admin/users?q=CLERK007")
	mustContain(t, p, "<code>clerk007</code>", "锁定至")
	mustNotContain(t, p, "<code>clerk008</code>", "<code>clerk070</code>", "更多")
	mustContain(t, sys.get("/admin/users?q=文员12号"), "<code>clerk012</code>")
	p = sys.get("/admin/users?q=%25")
	mustContain(t, p, "<code>odd_one</code>")
	mustNotContain(t, p, "<code>clerk000</code>")
	p = sys.get("/admin/users?q=k_0")
	mustContain(t, p, "没有符合条件的账号")
}

// An account's page renames the person (system administrator) and moves
// the account to another unit (security administrator, once it holds
// roles), each form offered only to whoever may use it; a refusal is said
// on the page, in the reader's language.
func TestAccountPageRenamesAndMoves(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "sysadmin", "secadmin")
	sys, sec := signedInAdmin(t, env, "sysadmin"), signedInAdmin(t, env, "secadmin")
	handler := env.User(t, "jiangtou").User // a handler of 江头街道
	page := fmt.Sprintf("/admin/users/%d", handler.ID)
	heshan := env.Unit(t, "350206003")

	p := sys.get(page)
	mustContain(t, p, "姓名与单位", `action="`+page+`/rename"`, `value="`+handler.Name+`"`, "其单位由安全管理员调整")
	mustNotContain(t, p, `action="`+page+`/move"`)
	p = sec.get(page)
	mustContain(t, p, `action="`+page+`/move"`, fmt.Sprintf(`<option value="%d" selected>`, handler.UnitID), "调整后该账号须重新登录")
	mustNotContain(t, p, `action="`+page+`/rename"`)
	// Nobody moves themselves: the security administrator's own page offers no move.
	mustNotContain(t, sec.get(fmt.Sprintf("/admin/users/%d", env.User(t, "secadmin").User.ID)), "/move\"")

	if p = sys.post(page+"/rename", url.Values{"name": {"  "}}); p.Status == http.StatusSeeOther {
		t.Fatal("an empty name was saved")
	}
	mustContain(t, p, "姓名：为必填项")
	if p = sys.post(page+"/rename", url.Values{"name": {"江头街道 陈处理"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, sys.get(page), "<h1>江头街道 陈处理 <code")
	if p = sys.post(page+"/move", url.Values{"unit_id": {fmt.Sprint(heshan)}}); p.Status != http.StatusForbidden {
		t.Fatalf("the system administrator moves a handler: %d", p.Status)
	}
	mustContain(t, p, "须由安全管理员操作")
	if p = sec.post(page+"/move", url.Values{"unit_id": {fmt.Sprint(heshan)}}); p.Status != http.StatusSeeOther {
		t.Fatalf("move: %d\n%s", p.Status, excerpt(p.Body))
	}
	mustContain(t, sec.get(page), "禾山街道", fmt.Sprintf(`<option value="%d" selected>`, heshan))
	if !auditedOn(t, env, "user.update", "secadmin", handler.ID) {
		t.Error("the move was not audited")
	}
	if u, err := env.App.Org.User(context.Background(), env.App.DB, handler.ID); err != nil || u.UnitID != heshan || u.Name != "江头街道 陈处理" {
		t.Errorf("stored: %+v (%v)", u, err)
	}
}
