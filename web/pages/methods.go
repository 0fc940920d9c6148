package pages

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	qrcode "github.com/skip2/go-qrcode"
)

// The "Sign-in methods" page lists every way into the account: the
// address's codes, the password, the recovery address, an authenticator
// app and recovery codes. Adding or removing the last two takes a
// step-up, and the address is told.

// methodsView is the view of methods.html.
type methodsView struct {
	layout
	TOTP, RecoveryCodes *otpd.Method
}

// methodDone are the notices the methods page shows after a change,
// catalogue keys.
var methodDone = map[string]string{
	"totp-added":             "notice.totp_added",
	"totp-removed":           "notice.totp_removed",
	"recovery-codes-removed": "notice.recovery_codes_removed",
}

// Methods shows the account's sign-in methods.
func (p *Pages) Methods(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	ms, err := p.Engine.Methods(r.Context(), c)
	v := &methodsView{layout: p.accountLayout("title.methods", c.Account())}
	if err != nil {
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	for i := range ms {
		switch ms[i].Kind {
		case otpd.MethodTOTP:
			v.TOTP = &ms[i]
		case otpd.MethodRecoveryCodes:
			v.RecoveryCodes = &ms[i]
		}
	}
	v.Notice = methodDone[r.URL.Query().Get("done")]
	p.render(w, r, http.StatusOK, "methods.html", v)
}

// recoveryCodesView is the view of recovery_codes.html: before the codes
// are made, a form; after, the codes, shown this once, and the same as a
// text file to download.
type recoveryCodesView struct {
	layout
	Codes    []string
	Download template.URL
}

// RecoveryCodesConfirm offers to make a new set of recovery codes.
func (p *Pages) RecoveryCodesConfirm(w http.ResponseWriter, r *http.Request) {
	if c, ok := p.steppedUpCaller(w, r, "/account/methods/recovery-codes"); ok {
		v := &recoveryCodesView{layout: p.accountLayout("title.recovery_codes", c.Account())}
		p.render(w, r, http.StatusOK, "recovery_codes.html", v)
	}
}

// NewRecoveryCodes makes the set and shows it.
func (p *Pages) NewRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	codes, err := p.Engine.NewRecoveryCodes(r.Context(), c, p.Requester(r))
	v := &recoveryCodesView{layout: p.accountLayout("title.recovery_codes", c.Account())}
	if err != nil {
		p.finishChange(w, r, c, err, "", "/account/methods/recovery-codes", "recovery_codes.html", v)
		return
	}
	v.Codes = codes
	l := p.lang(r, c.Account())
	text := l.T("codes.file_heading", "Email", c.Account().Email.String()) + "\n" + l.T("codes.file_each_once") + "\n\n" + strings.Join(codes, "\n") + "\n"
	// A data: URL, downloaded by the link's download attribute: the codes
	// are never stored where a second request could fetch them.
	v.Download = template.URL("data:text/plain;charset=utf-8," + url.PathEscape(text))
	w.Header().Set("Cache-Control", "no-store")
	p.render(w, r, http.StatusOK, "recovery_codes.html", v)
}

// totpView is the view of totp.html: the secret as a QR code and as text,
// and the form for the app's first code.
type totpView struct {
	layout
	Enrolment signin.TOTPEnrolment
	// Grouped is the secret in groups of four, for typing.
	Grouped string
}

// TOTP begins adding an authenticator app.
func (p *Pages) TOTP(w http.ResponseWriter, r *http.Request) {
	c, ok := p.steppedUpCaller(w, r, "/account/methods/authenticator")
	if !ok {
		return
	}
	v := &totpView{layout: p.accountLayout("title.add_totp", c.Account())}
	en, err := p.Engine.StartTOTP(r.Context(), c)
	if err != nil {
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	p.renderTOTP(w, r, v, en, nil)
}

func (p *Pages) renderTOTP(w http.ResponseWriter, r *http.Request, v *totpView, en signin.TOTPEnrolment, err error) {
	v.Enrolment, v.Grouped = en, grouped(en.Secret, 4)
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		p.renderError(w, r, "totp.html", v, err)
		return
	}
	p.render(w, r, http.StatusOK, "totp.html", v)
}

// ConfirmTOTP adds the app once its first code is right.
func (p *Pages) ConfirmTOTP(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	token := r.PostFormValue("enrolment")
	err := p.Engine.ConfirmTOTP(r.Context(), c, token, r.PostFormValue("code"), p.Requester(r))
	v := &totpView{layout: p.accountLayout("title.add_totp", c.Account())}
	switch otpd.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/account/methods?done=totp-added", http.StatusSeeOther)
		return
	case otpd.EStepUpRequired:
		p.renderStepUp(w, r, c, "/account/methods/authenticator", err)
		return
	}
	en, enErr := p.Engine.Enrolment(c, token)
	if enErr != nil {
		p.renderError(w, r, "error.html", &v.layout, enErr)
		return
	}
	p.renderTOTP(w, r, v, en, err)
}

// TOTPCode serves the QR code of an enrolment of the caller's session, as
// a PNG: an image of our own origin, which the pages' policy allows.
func (p *Pages) TOTPCode(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	en, err := p.Engine.Enrolment(c, r.URL.Query().Get("enrolment"))
	if err != nil {
		p.showError(w, r, "title.code_not_found", err)
		return
	}
	png, err := qrcode.Encode(en.URL, qrcode.Medium, 256)
	if err != nil {
		p.showError(w, r, "title.code_not_found", err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}

// grouped splits s into groups of n, for reading aloud or typing.
func grouped(s string, n int) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), " ")
}

// removeMethodView is the view of remove_method.html.
type removeMethodView struct {
	layout
	Kind otpd.MethodKind
	Path string
}

// methodPaths are where each method's pages live.
var methodPaths = map[otpd.MethodKind]string{
	otpd.MethodTOTP:          "/account/methods/authenticator",
	otpd.MethodRecoveryCodes: "/account/methods/recovery-codes",
}

// RemoveMethodConfirm asks before removing the method k.
func (p *Pages) RemoveMethodConfirm(k otpd.MethodKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		path := methodPaths[k] + "/remove"
		if c, ok := p.steppedUpCaller(w, r, path); ok {
			v := &removeMethodView{layout: p.accountLayout("title.remove_method", c.Account()), Kind: k, Path: path}
			p.render(w, r, http.StatusOK, "remove_method.html", v)
		}
	}
}

// RemoveMethod removes the method k.
func (p *Pages) RemoveMethod(k otpd.MethodKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := p.pageCaller(w, r)
		if !ok {
			return
		}
		path := methodPaths[k] + "/remove"
		err := p.Engine.RemoveMethod(r.Context(), c, k, p.Requester(r))
		v := &removeMethodView{layout: p.accountLayout("title.remove_method", c.Account()), Kind: k, Path: path}
		done := "/account/methods?done=" + strings.ReplaceAll(string(k), "_", "-") + "-removed"
		p.finishChange(w, r, c, err, done, path, "remove_method.html", v)
	}
}
