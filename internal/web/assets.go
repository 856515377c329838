package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// The static files (stylesheet, scripts, the charting library) are served
// from memory, each under a version made of its content: pages name them
// as /static/app.css?v=<version> (the template function static), which a
// browser may keep for a year — a new release names new versions, so no
// one works with last release's stylesheet. An address without the
// current version is answered too, to be revalidated each time (ETag).
// Text is served gzipped to browsers that take it: the charting library
// is 1.1 MB as it is and a third of that gzipped.

// asset is one static file as served.
type asset struct {
	body, gz []byte // gz: nil when gzip would not make it smaller
	version  string
	ctype    string
}

// assets are the static files by their path under static/.
type assets map[string]*asset

// loadAssets reads every file of fsys.
func loadAssets(fsys fs.FS) (assets, error) {
	out := assets{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, version: hex.EncodeToString(sum[:6]), ctype: mime.TypeByExtension(path.Ext(name))}
		if a.ctype == "" {
			a.ctype = http.DetectContentType(body)
		}
		if compressible(a.ctype) {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			if _, err := zw.Write(body); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			if b.Len() < len(body) {
				a.gz = b.Bytes()
			}
		}
		out[name] = a
		return nil
	})
	return out, err
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") || strings.Contains(ctype, "json") ||
		strings.Contains(ctype, "svg")
}

// url is the address pages name a static file by: with its version, or as
// it is when there is no such file.
func (as assets) url(name string) string {
	if a := as[name]; a != nil {
		return "/static/" + name + "?v=" + a.version
	}
	return "/static/" + name
}

// ServeHTTP serves /static/{name}.
func (as assets) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	a := as[strings.TrimPrefix(r.URL.Path, "/static/")]
	if a == nil {
		http.NotFound(rw, r)
		return
	}
	h := rw.Header()
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache") // revalidated by its ETag
	}
	h.Set("Content-Type", a.ctype)
	body, etag := a.body, `"`+a.version+`"`
	if a.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = a.gz, `"`+a.version+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(rw, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip
// (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
