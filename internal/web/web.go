// Package web is the workbench: server-rendered pages for intake operators,
// handlers, supervisors, leaders and administrators, in Chinese first with
// English on request. Templates and assets are embedded and parsed at start,
// so a broken template fails the tests, not a user. Every page works through
// the same services as the API — scope, lifecycle table, audit — and every
// state-changing request carries the session's CSRF token.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"pingan/internal/access"
	"pingan/internal/app"
	"pingan/internal/auth"
	"pingan/internal/casework"
	"pingan/internal/fault"
	"pingan/internal/i18n"
	"pingan/internal/org"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Cookie names. The session cookie is HttpOnly and SameSite=Lax, and Secure
// whenever the request came over TLS (directly or through a proxy that says
// so).
const (
	sessionCookie = "pingan_session"
	langCookie    = "pingan_lang"
	loginCSRF     = "pingan_login_csrf"
)

// Web serves the workbench.
type Web struct {
	app    *app.App
	log    *slog.Logger
	loc    *time.Location
	pages  map[string]*template.Template
	dmap   districtMap
	static assets
}

// staticAssets are the embedded static files, read once.
var staticAssets = sync.OnceValues(func() (assets, error) {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	return loadAssets(static)
})

// New parses the templates and returns the workbench.
func New(a *app.App) (*Web, error) {
	w := &Web{app: a, log: a.Log, loc: a.Config.Location()}
	var err error
	if w.static, err = staticAssets(); err != nil {
		return nil, err
	}
	if w.pages, err = parsePages(w.funcs()); err != nil {
		return nil, err
	}
	w.dmap = newDistrictMap()
	return w, nil
}

// Must is New for the server: the templates are embedded, so a parse error
// is a defect the tests catch, not a condition to handle at run time.
func Must(a *app.App) *Web {
	w, err := New(a)
	if err != nil {
		panic(err)
	}
	return w
}

// parsePages builds one template set per page: the layout and partials, plus
// the page's own file.
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, err
	}
	base := template.New("").Funcs(funcs)
	var pages []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "_") {
			if _, err := base.ParseFS(templateFiles, "templates/"+name); err != nil {
				return nil, fmt.Errorf("template %s: %w", name, err)
			}
		} else {
			pages = append(pages, name)
		}
	}
	out := map[string]*template.Template{}
	for _, name := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFiles, "templates/"+name); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[strings.TrimSuffix(name, ".html")] = t
	}
	return out, nil
}

// view is what every page renders with.
type view struct {
	Lang   i18n.Lang
	Title  string
	Active string // nav item
	User   org.User
	Actor  access.Actor
	Unit   org.Unit
	CSRF   string
	Unread int
	Flash  string
	Error  string
	Errors map[string]string // field → message
	// Labels names fields in the error list where this page calls them
	// otherwise than field.<name> (an account's name is the person's, 姓名).
	Labels  map[string]string
	Form    url.Values
	Data    any
	Now     time.Time
	session auth.Session
	web     *Web
}

// missing remembers message keys a page asked for that do not exist. Keys
// come from the code, never from a request, so the set stays small.
var missing sync.Map

// T translates a message key with arguments; an unknown key shows itself,
// and a test makes sure none is unknown.
func (v *view) T(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		missing.Store(key, true) // a defect: the tests look here
		return key
	}
	return m.Format(v.Lang, args...)
}

// Can reports whether the actor holds a role.
func (v *view) Can(role string) bool { return v.Actor.Has(access.Role(role)) }

// Colon is the punctuation between a label and its text.
func (v *view) Colon() string { return i18n.Colon.Format(v.Lang) }

// MayIntake reports whether the actor takes in reports (the intake desk,
// a report added to a case).
func (v *view) MayIntake() bool {
	return v.Actor.HasAny(access.Intake, access.Dispatcher, access.Handler)
}

// SignedIn reports whether the session has passed every step of sign-in
// (the second factor too): only then does the header offer the pages.
func (v *view) SignedIn() bool { return v.session.UserID != 0 && v.session.Stage == auth.StageFull }

// HasQueue reports whether the actor has a queue of work (待办): a leader,
// who only reads, has none.
func (v *view) HasQueue() bool { return len(v.web.tabs(v)) > 0 }

// CaseWorker reports whether the actor works on cases.
func (v *view) CaseWorker() bool { return v.Actor.CaseWorker() }

// Field returns a submitted form value, to refill a form after an error.
func (v *view) Field(name string) string {
	if v.Form == nil {
		return ""
	}
	return v.Form.Get(name)
}

// FieldHas reports whether a submitted field (a list of boxes) holds value.
func (v *view) FieldHas(name, value string) bool {
	return v.Form != nil && slices.Contains(v.Form[name], value)
}

// handler is a page handler.
type handler func(w http.ResponseWriter, r *http.Request, v *view) error

// access levels of a route, and what it may receive.
type gate int

const (
	public    gate = iota // no session needed (login)
	partial               // a session waiting for its second factor
	signedIn              // a full session
	withFiles             // a full session, and the form may carry attachments
)

// Request body limits: a form without files is small; one with files (a
// multipart form, on a route that takes them) holds up to MaxAttachments
// attachments of MaxAttachment bytes, and its fields. A body over the limit
// is refused (413) before it is read in full. An url-encoded form is held in
// memory whole, so it keeps the small limit on every route.
const (
	maxForm      = 1 << 20
	maxFilesForm = casework.MaxAttachments*casework.MaxAttachment + maxForm
)

var (
	msgTooLarge     = i18n.M("提交的内容过大（上限 %d MB），请精简内容或减少、压缩附件后重试", "what you sent is too large (limit %d MB): shorten it, or send fewer or smaller files")
	msgFileTooLarge = i18n.M("文件过大（上限 %d MB），未导入", "the file is too large (limit %d MB) and was not imported")
)

// isMultipart reports whether r's body is a multipart form: the only kind
// that carries files.
func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// formFile reads the first file sent as field (nil if none). A file over
// limit bytes is refused as a whole, never cut short and read as if complete.
func formFile(r *http.Request, field string, limit int64) ([]byte, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil, nil
	}
	f, err := r.MultipartForm.File[field][0].Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", field, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", field, err)
	}
	if int64(len(raw)) > limit {
		return nil, fault.InvalidField(field, msgFileTooLarge, limit>>20)
	}
	return raw, nil
}

// wrap turns a handler into an http.Handler: it resumes the session, checks
// the gate and the CSRF token, builds the view and renders errors.
func (w *Web) wrap(g gate, h handler) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		v := &view{web: w, Now: w.app.Now(), Lang: w.guessLang(r)}
		ctx := r.Context()
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			if sess, err := w.app.Auth.Resume(ctx, c.Value); err == nil {
				v.session, v.Lang, v.CSRF = sess, sess.Lang, sess.CSRF
			}
		}
		if v.session.UserID == 0 {
			// Before sign-in, forms (login, language) carry the login cookie's token.
			if c, err := r.Cookie(loginCSRF); err == nil {
				v.CSRF = c.Value
			}
		}
		switch {
		case g == public:
		case v.session.UserID == 0:
			w.toLogin(rw, r)
			return
		case g >= signedIn && v.session.Stage == auth.StageTOTP:
			http.Redirect(rw, r, "/login/totp", http.StatusSeeOther)
			return
		case g >= signedIn && v.session.Stage == auth.StageEnroll:
			http.Redirect(rw, r, "/login/enroll", http.StatusSeeOther)
			return
		}
		limit := int64(maxForm)
		if g == withFiles && isMultipart(r) {
			limit = maxFilesForm
		}
		if r.ContentLength > limit {
			w.fail(rw, r, v, fault.New(fault.TooLarge, "too-large", msgTooLarge, limit>>20))
			return
		}
		r.Body = http.MaxBytesReader(rw, r.Body, limit)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := w.checkCSRF(r, v); err != nil {
				w.fail(rw, r, v, err)
				return
			}
		}
		if v.session.UserID != 0 {
			actor, err := w.app.Org.Actor(ctx, v.session.UserID)
			if err != nil {
				w.fail(rw, r, v, err)
				return
			}
			actor.RemoteAddr = remoteHost(r)
			v.Actor = actor
			if v.User, err = w.app.Org.User(ctx, w.app.DB, actor.UserID); err != nil {
				w.fail(rw, r, v, err)
				return
			}
			if v.Unit, err = w.app.Org.Unit(ctx, w.app.DB, actor.UnitID); err != nil {
				w.fail(rw, r, v, err)
				return
			}
			if g >= signedIn {
				if v.Unread, err = w.app.Notify.Unread(ctx, actor); err != nil {
					w.fail(rw, r, v, err)
					return
				}
			}
		}
		if f := r.URL.Query().Get("flash"); f != "" {
			v.Flash = flashText(v, f)
		}
		if err := h(rw, r, v); err != nil {
			w.fail(rw, r, v, err)
		}
	}
}

// flashText is what a ?flash= says after a form: a message's key, or
// done.<action> naming the lifecycle action done; "" for anything else.
func flashText(v *view, key string) string {
	if _, ok := messages[key]; ok {
		return v.T(key)
	}
	if a, ok := strings.CutPrefix(key, "done."); ok {
		if name, ok := casework.ActionNames[casework.Action(a)]; ok {
			return msgActionDone.Format(v.Lang, name)
		}
	}
	return ""
}

var msgActionDone = i18n.M("已完成“%s”", "%s: done")

func (w *Web) toLogin(rw http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = "/"
	}
	http.Redirect(rw, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

var errCSRF = fault.New(fault.Forbidden, "csrf", i18n.M("页面已过期或来源不明，请刷新后重试", "the page expired or did not come from pingan: reload it and try again"))

// checkCSRF refuses a state-changing request that does not carry the
// session's token (or, before sign-in, the login cookie's), or that comes
// from another site.
func (w *Web) checkCSRF(r *http.Request, v *view) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return errCSRF
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin != "null" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return errCSRF
		}
	}
	// ParseMultipartForm drops ParseForm's error for a form that is not
	// multipart (a body over the limit among them): parse it first.
	err := r.ParseForm()
	if err == nil {
		if err = r.ParseMultipartForm(maxUpload); errors.Is(err, http.ErrNotMultipart) {
			err = nil
		}
	}
	if err != nil {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			return fault.New(fault.TooLarge, "too-large", msgTooLarge, tooLarge.Limit>>20)
		}
		return fault.New(fault.Invalid, "bad-form", msgBadForm)
	}
	sent := r.PostFormValue("csrf")
	if sent == "" {
		sent = r.Header.Get("X-CSRF-Token")
	}
	want := v.CSRF
	if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

var msgBadForm = i18n.M("表单无法读取（可能文件过大）", "the form could not be read (a file may be too large)")

// guessLang reads the language cookie, then Accept-Language.
func (w *Web) guessLang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		return i18n.Parse(c.Value)
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secure reports whether cookies should be Secure: the request came over
// TLS, directly or through a proxy that says so.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(rw http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: secure(r), SameSite: http.SameSiteLaxMode})
}

// render writes a page.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, v *view, page string, status int) error {
	t, ok := w.pages[page]
	if !ok {
		return fmt.Errorf("no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("Content-Language", string(v.Lang))
	rw.WriteHeader(status)
	_, err := rw.Write(buf.Bytes())
	return err
}

// fail shows an error as a page in the user's language.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, v *view, err error) {
	status := http.StatusInternalServerError
	msg := v.T("error.internal")
	if fe, ok := fault.As(err); ok {
		msg = fe.Msg.Format(v.Lang, fe.Args...)
		for _, f := range fe.Fields {
			msg += i18n.Semicolon.Format(v.Lang) + f.Field + v.Colon() + f.Msg.Format(v.Lang, f.Args...)
		}
		if status = fe.Kind.Status(); status >= 500 && fe.Kind != fault.Unavailable {
			msg = v.T("error.internal")
		}
	}
	if status >= 500 {
		w.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	v.Title, v.Error, v.Data = v.T("error.title"), msg, status
	switch status { // what kind of refusal, where it is one
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		v.Title = v.T("error.400")
	case http.StatusForbidden, http.StatusNotFound, http.StatusConflict:
		v.Title = v.T(fmt.Sprintf("error.%d", status))
	}
	if rerr := w.render(rw, r, v, "error", status); rerr != nil {
		w.log.Error("error page failed", "err", rerr)
		http.Error(rw, msg, status)
	}
}

// formErrors turns a validation error into per-field messages for a form;
// other errors are returned as they are.
func formErrors(v *view, err error) (map[string]string, error) {
	fe, ok := fault.As(err)
	if !ok || fe.Kind != fault.Invalid && fe.Kind != fault.Conflict {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range fe.Fields {
		out[f.Field] = f.Msg.Format(v.Lang, f.Args...)
	}
	if len(fe.Fields) == 0 {
		out["_"] = fe.Msg.Format(v.Lang, fe.Args...)
	}
	return out, nil
}

// redirect sends the browser on after a successful form, with a message.
func redirect(rw http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "flash=" + url.QueryEscape(flash)
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
	return nil
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand does not fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// contextTODO serves helpers called from templates, which have no request
// context; they only read small cached tables.
var contextTODO = context.Background()
