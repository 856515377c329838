package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"pingan/internal/access"
	"pingan/internal/apptest"
	"pingan/internal/casework"
)

// All or nothing through the upload page: one bad row stores none, the
// corrected file stores all; the source system the page names scopes the
// ids (another system's "1" is new), and a file without one is refused;
// GCJ-02 coordinates chosen on the page are converted.
func TestImportPageAllOrNothingAndSources(t *testing.T) {
	env := apptest.New(t)
	setPasswords(t, env, "intake")
	b := signedIn(t, env, "intake")
	cases := func() int {
		t.Helper()
		n, err := env.App.Cases.Count(context.Background(), access.System("test"), casework.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	bad := []byte("编号,内容,电话\n1,莲前西路路灯不亮,13806012345\n2,湖滨南路井盖缺失,call-me\n")
	good := []byte("编号,内容,电话\n1,莲前西路路灯不亮,13806012345\n2,湖滨南路井盖缺失,13906001234\n")
	b.get("/intake/import")
	p := b.postFile("/intake/import", url.Values{"mode": {"all-or-nothing"}}, "file", "a.csv", good)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("no source system: %d", p.Status)
	}
	mustContain(t, p, "须指定来源系统")
	p = b.postFile("/intake/import", url.Values{"mode": {"all-or-nothing"}, "source": {"数字城管"}}, "file", "a.csv", bad)
	mustContain(t, p, "正确 1 行，有问题 1 行", "本次没有导入任何一行", "电话：", "未导入")
	if n := cases(); n != 0 {
		t.Fatalf("all-or-nothing with a bad row stored %d cases", n)
	}
	p = b.postFile("/intake/import", url.Values{"mode": {"all-or-nothing"}, "source": {"数字城管"}}, "file", "a.csv", good)
	mustContain(t, p, "本次导入 2 行")
	if n := cases(); n != 2 {
		t.Fatalf("%d cases after the corrected file", n)
	}
	// Another system's ids 1 and 2 are other reports; its file again adds nothing.
	p = b.postFile("/intake/import", url.Values{"mode": {"all-or-nothing"}, "source": {"12345热线"}}, "file", "b.csv", good)
	mustContain(t, p, "此前已导入 0 行，本次导入 2 行")
	p = b.postFile("/intake/import", url.Values{"mode": {"all-or-nothing"}, "source": {"12345热线"}}, "file", "b.csv", good)
	mustContain(t, p, "此前已导入 2 行，本次导入 0 行")
	if n := cases(); n != 4 {
		t.Fatalf("%d cases after the second system", n)
	}
	// 高德 coordinates near the 湖里/思明 edge at 东渡 land in 湖里区.
	p = b.postFile("/intake/import", url.Values{"mode": {"valid-rows"}, "source": {"高德"}, "crs": {"gcj02"}}, "file", "g.csv",
		[]byte("编号,内容,纬度,经度\nG-1,路面塌陷,24.477337,118.074969\n"))
	mustContain(t, p, "本次导入 1 行")
	page, err := env.App.Cases.List(context.Background(), access.System("test"), casework.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range page.Cases {
		if c.Title == "路面塌陷" {
			found = c.DivisionCode == "350206"
		}
	}
	if !found {
		t.Fatal("the GCJ-02 point was not converted to 湖里区")
	}
}
