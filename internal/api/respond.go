package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// handlerFunc is an API handler: it writes a success response itself or
// returns an error that writeError turns into problem JSON.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// maxBody bounds request bodies.
const maxBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// problem titles by kind, in both languages.
var kindTitles = map[fault.Kind]i18n.Message{
	fault.Invalid:      i18n.M("请求无效", "Invalid request"),
	fault.NotFound:     i18n.M("未找到", "Not found"),
	fault.Conflict:     i18n.M("操作冲突", "Conflict"),
	fault.Forbidden:    i18n.M("无权操作", "Forbidden"),
	fault.Unauthorized: i18n.M("未认证", "Unauthorized"),
	fault.Unavailable:  i18n.M("服务暂不可用", "Service unavailable"),
	fault.TooLarge:     i18n.M("请求过大", "Request too large"),
	fault.Internal:     i18n.M("服务器内部错误", "Internal server error"),
}

var msgInternal = i18n.M("服务器出错，已记录；请稍后重试", "something went wrong on the server; it has been logged, please try again")

// Problem is an RFC 9457 problem document with pingan's extension members:
// a stable code, field errors, and whatever the error carries (for a refused
// transition: the current state and the allowed actions).
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail"`
	Instance string         `json:"instance,omitempty"`
	Code     string         `json:"code"`
	Errors   []FieldProblem `json:"errors,omitempty"`
	Extra    map[string]any `json:"-"`
}

// FieldProblem names one invalid field.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// MarshalJSON flattens the extension members into the document.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range p.Extra {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// ProblemFor maps an error to its problem document in lang.
func ProblemFor(err error, lang i18n.Lang, instance string) Problem {
	fe, ok := fault.As(err)
	if !ok {
		return Problem{Type: "about:blank", Title: kindTitles[fault.Internal].Format(lang), Status: fault.Internal.Status(),
			Detail: msgInternal.Format(lang), Instance: instance, Code: "internal"}
	}
	p := Problem{
		Type:     "urn:pingan:problem:" + fe.Code,
		Title:    kindTitles[fe.Kind].Format(lang),
		Status:   fe.Kind.Status(),
		Detail:   fe.Msg.Format(lang, fe.Args...),
		Instance: instance,
		Code:     fe.Code,
		Extra:    fe.Extra,
	}
	// Well-formed requests with invalid content are 422, as are reused
	// idempotency keys (IETF httpapi-idempotency-key-header).
	if fe.Kind == fault.Invalid && (fe.Code == "invalid-input" || fe.Code == "idempotency-key-reused") {
		p.Status = http.StatusUnprocessableEntity
	}
	for _, f := range fe.Fields {
		p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Message: f.Msg.Format(lang, f.Args...)})
	}
	return p
}

// writeError answers with problem JSON; unexpected errors are logged with
// the request and shown only as a generic message.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	lang := langOf(r)
	p := ProblemFor(err, lang, r.URL.Path)
	if p.Status >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="pingan"`)
	}
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.Header().Set("Content-Language", string(lang))
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		log.Debug("write problem", "err", err)
	}
}

// langOf picks the response language: ?lang= first, then Accept-Language.
func langOf(r *http.Request) i18n.Lang {
	if l := r.URL.Query().Get("lang"); l != "" {
		return i18n.Parse(l)
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

var (
	msgBadJSON   = i18n.M("请求体不是有效的 JSON：%s", "the request body is not valid JSON: %s")
	msgBodyLarge = i18n.M("请求体过大（上限 %d KB）", "the request body is too large (limit %d KB)")
	msgNeedJSON  = i18n.M("请求体须为 application/json", "the request body must be application/json")
)

// decode reads a JSON request body strictly into v: unknown fields, trailing
// data and oversized bodies are refused with a clear problem.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return parseJSON(r, body, v)
}

// parseJSON decodes an already-read body strictly into v.
func parseJSON(r *http.Request, body []byte, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fault.New(fault.Invalid, "unsupported-media-type", msgNeedJSON)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // no body: every field absent; validation says what is missing
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fault.New(fault.Invalid, "bad-json", msgBadJSON, "truncated")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fault.New(fault.Invalid, "bad-json", msgBadJSON, fmt.Sprintf("field %q must be %s", te.Field, te.Type))
		}
		return fault.New(fault.Invalid, "bad-json", msgBadJSON, strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return fault.New(fault.Invalid, "bad-json", msgBadJSON, "unexpected data after the JSON value")
	}
	return nil
}

// Files sent to the API (Route.Files) are held in memory up to
// uploadMemory bytes a request, the rest in temporary files removed when
// the request ends; a body over maxUploadBody is refused before it is read.
const (
	uploadMemory  = 32 << 20
	maxUploadBody = casework.MaxAttachments*casework.MaxAttachment + maxBody
)

var msgNeedMultipart = i18n.M("请求体须为 multipart/form-data，文件放在字段 %s 中", "the request body must be multipart/form-data, with the files in the field %s")

// uploads reads a multipart request and returns the files of its field;
// the caller removes the form's temporary files (r.MultipartForm.RemoveAll).
func (a *API) uploads(w http.ResponseWriter, r *http.Request, field string) ([]*multipart.FileHeader, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return nil, fault.New(fault.Invalid, "unsupported-media-type", msgNeedMultipart, field)
	}
	if r.ContentLength > maxUploadBody {
		return nil, fault.New(fault.TooLarge, "body-too-large", msgBodyLarge, maxUploadBody>>10)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fault.New(fault.TooLarge, "body-too-large", msgBodyLarge, maxUploadBody>>10)
		}
		return nil, fault.New(fault.Invalid, "bad-form", msgNeedMultipart, field)
	}
	return r.MultipartForm.File[field], nil
}

// readBody reads a bounded request body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fault.New(fault.TooLarge, "body-too-large", msgBodyLarge, maxBody>>10)
		}
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return b, nil
}
