package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"pingan/internal/apptest"
)

// multipartFiles is a multipart form with the files (name, content) in
// field, and its content type.
func multipartFiles(t *testing.T, field string, files ...[2]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		w, err := mw.CreateFormFile(field, f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// pngBytes is the start of a PNG file: enough for its type to be sniffed.
const pngBytes = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"

type attachmentList struct {
	Attachments []struct {
		ID          int64  `json:"id"`
		TimelineID  *int64 `json:"timeline_id"`
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		SHA256      string `json:"sha256"`
	} `json:"attachments"`
}

// Files go onto a case over the API as they do on its page, and come back
// byte for byte to whoever may see the case, each read audited; bad files
// and outsiders are refused and leave the case as it was.
func TestAttachmentsOverHTTP(t *testing.T) {
	env := apptest.New(t)
	n := dispatchedCase(t, env)

	const note = "现场噪音记录：凌晨一点仍在打桩。"
	body, ct := multipartFiles(t, "files", [2]string{"现场.png", pngBytes}, [2]string{"记录.txt", note})
	r := env.Do(t, "POST", "/api/v1/cases/"+n+"/attachments", "jiangtou", body, "Content-Type", ct)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var added attachmentList
	r.JSON(t, &added)
	if len(added.Attachments) != 2 {
		t.Fatalf("added %d attachments, want 2: %s", len(added.Attachments), r.Body)
	}
	want := map[string]struct{ content, ctype, disposition string }{
		"现场.png": {pngBytes, "image/png", "inline"},
		"记录.txt": {note, "text/plain; charset=utf-8", "attachment"},
	}
	for _, a := range added.Attachments {
		w, ok := want[a.Name]
		if !ok {
			t.Fatalf("unexpected attachment %q", a.Name)
		}
		sum := sha256.Sum256([]byte(w.content))
		if a.ContentType != w.ctype || a.Size != int64(len(w.content)) || a.SHA256 != hex.EncodeToString(sum[:]) || a.TimelineID == nil {
			t.Errorf("%s: %+v", a.Name, a)
		}
		got := env.Do(t, "GET", fmt.Sprintf("/api/v1/attachments/%d", a.ID), "dispatcher", nil)
		if got.Status != http.StatusOK || string(got.Body) != w.content {
			t.Errorf("%s: %d, %d bytes back, want %d", a.Name, got.Status, len(got.Body), len(w.content))
		}
		if got.Header.Get("Content-Type") != w.ctype || got.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!bytes.HasPrefix([]byte(got.Header.Get("Content-Disposition")), []byte(w.disposition+";")) {
			t.Errorf("%s: headers %v", a.Name, got.Header)
		}
		// Outside the case's scope, or no such attachment: the same 404.
		for _, path := range []string{fmt.Sprintf("/api/v1/attachments/%d", a.ID), "/api/v1/attachments/99999999"} {
			out := env.Do(t, "GET", path, "gulangyu", nil)
			var p problem
			out.JSON(t, &p)
			if out.Status != http.StatusNotFound || p.Code != "not-found" || bytes.Contains(out.Body, []byte("打桩")) {
				t.Errorf("GET %s as an outsider: %d %s", path, out.Status, out.Body)
			}
		}
	}
	// A report's attachment metadata naming a stored file's digest links
	// that content; a type pingan does not take files as is served as a
	// download of bytes, never as what the metadata says.
	noteSum := sha256.Sum256([]byte(note))
	r = env.Do(t, "POST", "/api/v1/reports", "intake", map[string]any{"channel": "hotline", "body": "江头北路工地夜间施工，附记录。",
		"attachments": []map[string]any{{"name": "记录.html", "content_type": "text/html", "size": len(note), "sha256": hex.EncodeToString(noteSum[:])}}})
	if r.Status != http.StatusCreated {
		t.Fatalf("intake with an attachment: %d %s", r.Status, r.Body)
	}
	var taken struct {
		Case struct {
			Attachments []struct {
				ID int64 `json:"id"`
			} `json:"attachments"`
		} `json:"case"`
	}
	r.JSON(t, &taken)
	if len(taken.Case.Attachments) != 1 {
		t.Fatalf("intake's attachments: %s", r.Body)
	}
	got := env.Do(t, "GET", fmt.Sprintf("/api/v1/attachments/%d", taken.Case.Attachments[0].ID), "intake", nil)
	if got.Status != http.StatusOK || string(got.Body) != note || got.Header.Get("Content-Type") != "application/octet-stream" ||
		!bytes.HasPrefix([]byte(got.Header.Get("Content-Disposition")), []byte("attachment;")) {
		t.Errorf("content labelled text/html: %d %v", got.Status, got.Header)
	}
	var reads int
	if err := env.App.DB.QueryRowContext(context.Background(),
		"SELECT COUNT(*) FROM audit_log WHERE action = 'attachment.read' AND object_id = $1", n).Scan(&reads); err != nil {
		t.Fatal(err)
	}
	if reads != 2 {
		t.Errorf("%d reads of %s audited, want 2", reads, n)
	}

	// Refused, and nothing added: a file whose content is not what its
	// name says, a body that is not a multipart form, an outsider.
	lie, lieType := multipartFiles(t, "files", [2]string{"照片.png", "not a picture at all"})
	const stranger = "外人上传的内容"
	strange, strangeType := multipartFiles(t, "files", [2]string{"外人.txt", stranger})
	none, noneType := multipartFiles(t, "other", [2]string{"a.txt", "x"})
	for _, c := range []struct {
		user, ctype, code string
		body              []byte
		status            int
	}{
		{"jiangtou", lieType, "invalid-input", lie, http.StatusUnprocessableEntity},
		{"jiangtou", noneType, "invalid-input", none, http.StatusUnprocessableEntity},
		{"jiangtou", "application/json", "unsupported-media-type", []byte(`{"files": []}`), http.StatusUnsupportedMediaType},
		{"gulangyu", strangeType, "not-found", strange, http.StatusNotFound},
		{"auditadmin", strangeType, "not-found", strange, http.StatusNotFound},
		{"leader", strangeType, "forbidden", strange, http.StatusForbidden},
		// Refused before the body is read: what it holds is not looked at.
		{"gulangyu", "application/json", "not-found", []byte(`{"files": []}`), http.StatusNotFound},
		{"leader", "multipart/form-data; boundary=x", "forbidden", []byte("not a form"), http.StatusForbidden},
	} {
		r := env.Do(t, "POST", "/api/v1/cases/"+n+"/attachments", c.user, c.body, "Content-Type", c.ctype)
		var p problem
		r.JSON(t, &p)
		if r.Status != c.status || p.Code != c.code {
			t.Errorf("upload as %s (%s): %d %s, want %d %s", c.user, c.ctype, r.Status, r.Body, c.status, c.code)
		}
	}
	// Those refused before the files were read left no content behind.
	sum := sha256.Sum256([]byte(stranger))
	var stored int
	if err := env.App.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM attachment_blobs WHERE sha256 = $1",
		hex.EncodeToString(sum[:])).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Error("a refused upload stored its file")
	}
	var list attachmentList
	env.Do(t, "GET", "/api/v1/cases/"+n+"/attachments", "dispatcher", nil).JSON(t, &list)
	if len(list.Attachments) != 2 {
		t.Errorf("the case has %d attachments after the refused uploads, want 2", len(list.Attachments))
	}
	// The case says who may add files now.
	for user, want := range map[string]bool{"jiangtou": true, "dispatcher": true, "leader": false} {
		var d struct {
			CanAttach *bool `json:"can_attach"`
		}
		env.Do(t, "GET", "/api/v1/cases/"+n, user, nil).JSON(t, &d)
		if d.CanAttach == nil || *d.CanAttach != want {
			t.Errorf("can_attach for %s: %v, want %v", user, d.CanAttach, want)
		}
	}
}

// TestNoFilesOnAFinishedCase: a case rejected (or closed, or merged) takes
// no more files; the refusal names its state in the reader's language, and
// the case says so before anyone tries.
func TestNoFilesOnAFinishedCase(t *testing.T) {
	env := apptest.New(t)
	n := intake(t, env).Case.Number
	act(t, env, "intake", n, "reject", map[string]any{"reason": "不属于受理范围"})
	var d struct {
		State     string `json:"state"`
		CanAttach *bool  `json:"can_attach"`
	}
	env.Do(t, "GET", "/api/v1/cases/"+n, "intake", nil).JSON(t, &d)
	if d.State != "rejected" || d.CanAttach == nil || *d.CanAttach {
		t.Fatalf("rejected case: state %s, can_attach %v", d.State, d.CanAttach)
	}
	const late = "结案后补充的材料"
	for lang, want := range map[string]string{"zh-CN": "不予受理", "en": "Rejected"} {
		body, ct := multipartFiles(t, "files", [2]string{"补充.txt", late})
		r := env.Do(t, "POST", "/api/v1/cases/"+n+"/attachments", "intake", body, "Content-Type", ct, "Accept-Language", lang)
		var p problem
		r.JSON(t, &p)
		if r.Status != http.StatusConflict || p.Code != "case-not-open" || p.State != "rejected" || !strings.Contains(p.Detail, want) {
			t.Errorf("upload to a rejected case (%s): %d %s", lang, r.Status, r.Body)
		}
	}
	var list attachmentList
	env.Do(t, "GET", "/api/v1/cases/"+n+"/attachments", "intake", nil).JSON(t, &list)
	sum := sha256.Sum256([]byte(late))
	var stored int
	if err := env.App.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM attachment_blobs WHERE sha256 = $1",
		hex.EncodeToString(sum[:])).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(list.Attachments) != 0 || stored != 0 {
		t.Errorf("the refused files were kept: %d attachments, %d blobs", len(list.Attachments), stored)
	}
}
