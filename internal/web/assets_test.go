package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"pingan/internal/apptest"
	"pingan/internal/web"
)

// The static files are named by the version of their content and kept for
// a year; gzipped for browsers that take it; revalidated by their ETag
// when asked for without the current version (an old page, a bookmark).
func TestStaticFilesVersionedAndGzipped(t *testing.T) {
	env := apptest.New(t)
	b := newBrowser(t, env)
	get := func(path string, header ...string) page {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, env.Server.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "identity") // set: the client does not unzip on its own
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return b.do(req)
	}
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]{12})"`).FindStringSubmatch(b.get("/login").Body)
	if m == nil {
		t.Fatal("the page does not name app.css by its version")
	}
	want, err := web.StaticFile("app.css")
	if err != nil {
		t.Fatal(err)
	}
	p := get(m[1], "Accept-Encoding", "gzip, deflate, br")
	if p.Status != http.StatusOK || p.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(p.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(p.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("versioned app.css: %d %v", p.Status, p.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("gzipped app.css is not app.css (%v)", err)
	}
	plain := get("/static/app.css")
	if plain.Status != http.StatusOK || plain.Body != string(want) || plain.Header.Get("Content-Encoding") != "" ||
		plain.Header.Get("Cache-Control") != "no-cache" || plain.Header.Get("ETag") == "" {
		t.Fatalf("app.css without a version: %d %v", plain.Status, plain.Header)
	}
	if p := get("/static/app.css", "If-None-Match", plain.Header.Get("ETag")); p.Status != http.StatusNotModified {
		t.Errorf("revalidating app.css: %d", p.Status)
	}
	if p := get("/static/app.css?v=000000000000"); p.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("an old version is kept: %v", p.Header)
	}
	if p := get("/static/app.css", "Accept-Encoding", "gzip;q=0"); p.Header.Get("Content-Encoding") != "" {
		t.Error("gzip refused with q=0, yet sent")
	}
	lib := get("/static/vendor/echarts-6.1.0/echarts.min.js", "Accept-Encoding", "gzip")
	if n := len(lib.Body); lib.Header.Get("Content-Encoding") != "gzip" || n > 1_121_883/2 {
		t.Errorf("the charting library: %d bytes, %q", n, lib.Header.Get("Content-Encoding"))
	}
	if p := get("/static/nope.js"); p.Status != http.StatusNotFound {
		t.Errorf("a file that is not there: %d", p.Status)
	}
}
