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
	"reflect"
	"strings"
	"time"

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

// statusTitles are the titles of the statuses a problem's kind does not
// give.
var statusTitles = map[int]i18n.Message{
	http.StatusMethodNotAllowed:     i18n.M("不支持此方法", "Method not allowed"),
	http.StatusUnsupportedMediaType: i18n.M("不支持的请求格式", "Unsupported media type"),
	http.StatusPreconditionFailed:   i18n.M("案件已有变动", "Precondition failed"),
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
	switch {
	case fe.Kind == fault.Invalid && (fe.Code == "invalid-input" || fe.Code == "idempotency-key-reused"):
		p.Status = http.StatusUnprocessableEntity
	case fe.Code == "unsupported-media-type":
		p.Status = http.StatusUnsupportedMediaType
	case fe.Code == "method-not-allowed":
		p.Status = http.StatusMethodNotAllowed
	}
	if t, ok := statusTitles[p.Status]; ok {
		p.Title = t.Format(lang)
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
	if p.Code == "version-mismatch" && r.Header.Get("If-Match") != "" {
		p.Status = http.StatusPreconditionFailed // the header's precondition, not the body's version
		p.Title = statusTitles[p.Status].Format(lang)
	}
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
	msgNeedJSON  = i18n.M("请求体须为 application/json（UTF-8）", "the request body must be application/json (UTF-8)")
	msgJSONType  = i18n.M("须为%s", "must be %s")
	msgNotObject = i18n.M("请求体须为 JSON 对象", "the request body must be a JSON object")
	msgJSONTime  = i18n.M("时间须为 RFC 3339 格式，如 2026-11-29T08:00:00+08:00", "times must be RFC 3339, like 2026-11-29T08:00:00+08:00")
	msgTrailing  = i18n.M("JSON 值之后还有多余内容", "unexpected data after the JSON value")
	msgTruncated = i18n.M("内容不完整", "it ends too early")
	msgSyntax    = i18n.M("第 %d 个字节处有语法错误", "syntax error at byte %d")
	msgUnknown   = i18n.M("未知字段", "unknown field")
)

// jsonTypes names, for a refused value, the JSON type the field takes.
var jsonTypes = map[reflect.Kind]i18n.Message{
	reflect.String: i18n.M("字符串", "a string"), reflect.Bool: i18n.M("true 或 false", "true or false"),
	reflect.Int: i18n.M("整数", "an integer"), reflect.Int64: i18n.M("整数", "an integer"), reflect.Int32: i18n.M("整数", "an integer"),
	reflect.Float64: i18n.M("数字", "a number"), reflect.Slice: i18n.M("数组", "an array"), reflect.Map: i18n.M("对象", "an object"),
	reflect.Struct: i18n.M("对象", "an object"),
}

// jsonContentType reports whether a request's Content-Type is JSON in
// UTF-8: application/json or a +json type, in any case, without a charset
// or with utf-8. A request without one is taken as JSON.
func jsonContentType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8")
}

// badJSON is the problem of a body that does not decode: what is wrong, in
// the reader's language, with the field it is in when there is one — not
// Go's own words for it.
func badJSON(err error) error {
	var (
		te *json.UnmarshalTypeError
		se *json.SyntaxError
		pe *time.ParseError
	)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fault.New(fault.Invalid, "bad-json", msgBadJSON, msgTruncated)
	case errors.As(err, &te) && te.Field == "":
		return fault.New(fault.Invalid, "bad-json", msgBadJSON, msgNotObject)
	case errors.As(err, &te):
		what, ok := jsonTypes[te.Type.Kind()]
		if !ok {
			what = jsonTypes[reflect.String]
		}
		return fieldJSON(te.Field, msgJSONType.Fill(what))
	case errors.As(err, &se):
		return fault.New(fault.Invalid, "bad-json", msgBadJSON, msgSyntax.Fill(se.Offset))
	case errors.As(err, &pe):
		return fault.New(fault.Invalid, "bad-json", msgBadJSON, msgJSONTime)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fieldJSON(strings.Trim(f, `"`), msgUnknown)
	}
	return fault.New(fault.Invalid, "bad-json", msgBadJSON, strings.TrimPrefix(err.Error(), "json: "))
}

// fieldJSON is a bad-json problem about one field, named in its errors.
func fieldJSON(field string, why i18n.Message) error {
	e := fault.New(fault.Invalid, "bad-json", msgBadJSON, i18n.Join(i18n.Colon, i18n.Plain(field), why))
	e.Fields = []fault.FieldError{{Field: field, Msg: why}}
	return e
}

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
	if !jsonContentType(r.Header.Get("Content-Type")) {
		return fault.New(fault.Invalid, "unsupported-media-type", msgNeedJSON)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // no body: every field absent; validation says what is missing
	}
	dec, err := strictJSON(body, v)
	if err != nil {
		return err
	}
	if dec.More() {
		return fault.New(fault.Invalid, "bad-json", msgBadJSON, msgTrailing)
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
