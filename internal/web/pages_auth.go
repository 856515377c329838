package web

import (
	"net/http"
	"net/url"
	"strings"

	"pingan/internal/auth"
	"pingan/internal/fault"
	"pingan/internal/i18n"
)

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

type loginData struct {
	Next string
}

func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request, v *view) error {
	if v.session.UserID != 0 && v.session.Stage == auth.StageFull {
		return redirect(rw, r, safeNext(r.URL.Query().Get("next")), "")
	}
	token := ""
	if c, err := r.Cookie(loginCSRF); err == nil && len(c.Value) > 20 {
		token = c.Value
	} else {
		token = newToken()
		setCookie(rw, r, loginCSRF, token, 3600)
	}
	v.Title, v.CSRF = v.T("login.title"), token
	v.Data = loginData{Next: safeNext(r.URL.Query().Get("next"))}
	return w.render(rw, r, v, "login", http.StatusOK)
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request, v *view) error {
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	sess, err := w.app.Auth.Login(r.Context(), username, password, remoteHost(r), r.UserAgent())
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		v.Title, v.Form = v.T("login.title"), url.Values{"username": {username}}
		v.Errors = map[string]string{"_": fe.Msg.Format(v.Lang, fe.Args...)}
		v.Data = loginData{Next: next}
		return w.render(rw, r, v, "login", http.StatusUnauthorized)
	}
	// A language chosen on the sign-in page is the newest choice: the
	// account keeps it, rather than turning the pages back to its own.
	if c, err := r.Cookie(langCookie); err == nil && c.Value != "" && i18n.Parse(c.Value) != sess.Lang {
		if err := w.app.Auth.SetLang(r.Context(), sess.UserID, i18n.Parse(c.Value)); err != nil {
			return err
		}
	}
	// A fresh session id at every sign-in; the old one (if any) ends.
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		_ = w.app.Auth.Logout(r.Context(), c.Value) // ending a stale session is best effort
	}
	setCookie(rw, r, sessionCookie, sess.Token, int(auth.AbsoluteTimeout.Seconds()))
	setCookie(rw, r, loginCSRF, "", -1)
	switch sess.Stage {
	case auth.StageTOTP:
		return redirect(rw, r, "/login/totp", "")
	case auth.StageEnroll:
		return redirect(rw, r, "/login/enroll", "")
	}
	return redirect(rw, r, next, "")
}

func (w *Web) totpPage(rw http.ResponseWriter, r *http.Request, v *view) error {
	if v.session.Stage != auth.StageTOTP {
		return redirect(rw, r, "/", "")
	}
	v.Title = v.T("totp.title")
	return w.render(rw, r, v, "totp", http.StatusOK)
}

func (w *Web) totp(rw http.ResponseWriter, r *http.Request, v *view) error {
	sess, err := w.app.Auth.VerifyTOTP(r.Context(), v.session.Token, r.PostFormValue("code"), remoteHost(r))
	if err != nil {
		if fe, ok := fault.As(err); ok && fe.Code == "locked" {
			return err
		}
		var ferr error
		if v.Errors, ferr = formErrors(v, err); ferr != nil {
			return ferr
		}
		v.Title = v.T("totp.title")
		return w.render(rw, r, v, "totp", http.StatusUnprocessableEntity)
	}
	w.upgraded(rw, r, v, sess)
	return redirect(rw, r, "/", "")
}

// upgraded gives the browser a session's new id after its second factor
// (auth rotates the id when a session becomes full).
func (w *Web) upgraded(rw http.ResponseWriter, r *http.Request, v *view, sess auth.Session) {
	if sess.Token != v.session.Token {
		setCookie(rw, r, sessionCookie, sess.Token, int(sess.ExpiresAt.Sub(v.Now).Seconds()))
	}
}

type enrollData struct {
	auth.Enrolment
	Action   string
	Required bool
}

// enrollPage shows the secret to scan; at sign-in for an administrator
// who has none yet, or from the settings page. Showing it stores nothing:
// the secret comes back sealed with the confirming form.
func (w *Web) enrollPage(action string) handler {
	return func(rw http.ResponseWriter, r *http.Request, v *view) error {
		return w.showEnrol(rw, r, v, action, http.StatusOK)
	}
}

// showEnrol shows the enrolment page: the session's secret (the same for
// the whole of a sign-in, so after a wrong code it is the one the user
// scanned, still there to scan again or type) and v.Errors, said once,
// beside the form.
func (w *Web) showEnrol(rw http.ResponseWriter, r *http.Request, v *view, action string, status int) error {
	on, err := w.app.Auth.TOTPEnabled(r.Context(), v.session.UserID)
	if err != nil {
		return err
	}
	if on {
		// Turned on meanwhile (in another tab): the settings page says so.
		return redirect(rw, r, "/settings", "settings.totp_on")
	}
	en, err := w.app.Auth.BeginEnroll(v.session)
	if err != nil {
		return err
	}
	v.Title = v.T("enroll.title")
	v.Data = enrollData{Enrolment: en, Action: action, Required: v.session.Stage == auth.StageEnroll}
	return w.render(rw, r, v, "enroll", status)
}

func (w *Web) enroll(rw http.ResponseWriter, r *http.Request, v *view) error {
	sess, err := w.app.Auth.ConfirmEnroll(r.Context(), v.session.Token, r.PostFormValue("pending"), r.PostFormValue("code"), remoteHost(r))
	if err != nil {
		var ferr error
		if v.Errors, ferr = formErrors(v, err); ferr != nil {
			return ferr
		}
		return w.showEnrol(rw, r, v, r.URL.Path, http.StatusUnprocessableEntity)
	}
	w.upgraded(rw, r, v, sess)
	if r.URL.Path == "/settings/totp" {
		return redirect(rw, r, "/settings", "settings.totp_on")
	}
	return redirect(rw, r, "/", "")
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.app.Auth.Logout(r.Context(), v.session.Token); err != nil {
		return err
	}
	setCookie(rw, r, sessionCookie, "", -1)
	return redirect(rw, r, "/login", "login.bye")
}

// setLang switches the interface language: remembered for the user, and in
// a cookie for the sign-in page.
func (w *Web) setLang(rw http.ResponseWriter, r *http.Request, v *view) error {
	lang := i18n.Parse(r.PostFormValue("lang"))
	setCookie(rw, r, langCookie, string(lang), 365*24*3600)
	if v.session.UserID != 0 {
		if err := w.app.Auth.SetLang(r.Context(), v.session.UserID, lang); err != nil {
			return err
		}
	}
	// Back to the page the switch was on, as it was (its filters too):
	// the browser names it (Referrer-Policy same-origin), without its
	// flash.
	back := r.Referer()
	if u, err := url.Parse(back); err == nil && u.Host == r.Host {
		q := u.Query()
		q.Del("flash")
		u.RawQuery = q.Encode()
		return redirect(rw, r, safeNext(u.RequestURI()), "")
	}
	return redirect(rw, r, "/", "")
}

type settingsData struct {
	TOTP  bool
	Admin bool
}

func (w *Web) settingsPage(rw http.ResponseWriter, r *http.Request, v *view) error {
	on, err := w.app.Auth.TOTPEnabled(r.Context(), v.User.ID)
	if err != nil {
		return err
	}
	admin := v.Actor.HasAny("sysadmin", "secadmin", "auditadmin")
	v.Title, v.Active, v.Data = v.T("settings.title"), "settings", settingsData{TOTP: on, Admin: admin}
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return w.render(rw, r, v, "settings", status)
}

func (w *Web) changePassword(rw http.ResponseWriter, r *http.Request, v *view) error {
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		v.Errors = map[string]string{"password2": v.T("settings.mismatch")}
		return w.settingsPage(rw, r, v)
	}
	err := w.app.Auth.ChangePassword(r.Context(), v.Actor, v.session.Token, r.PostFormValue("old_password"), r.PostFormValue("password"))
	if err != nil {
		var ferr error
		if v.Errors, ferr = formErrors(v, err); ferr != nil {
			return ferr
		}
		return w.settingsPage(rw, r, v)
	}
	return redirect(rw, r, "/settings", "settings.password_changed")
}

func (w *Web) disableTOTP(rw http.ResponseWriter, r *http.Request, v *view) error {
	if err := w.app.Auth.DisableTOTP(r.Context(), v.Actor, v.User.ID, v.session.Token); err != nil {
		return err
	}
	return redirect(rw, r, "/settings", "settings.totp_off")
}
