package web

import (
	"cmp"
	"net/http"
	"net/url"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// apiForgotPassword sends a reset code. Its answer is the same, in shape
// and in time, whether or not the address has an account (invariant 6):
// one without gets a notice and no code.
func (s *Server) apiForgotPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email  *string `json:"email"`
		SendTo *string `json:"send_to"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := required("email", req.Email); err != nil {
		return err
	}
	recovery, err := sendToRecovery(req.SendTo)
	if err != nil {
		return err
	}
	flow, err := s.startReset(r.Context(), *req.Email, recovery, s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

// apiResetPassword sets a new password with a reset code and signs in;
// every other session of the account ends.
func (s *Server) apiResetPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		FlowID         *string `json:"flow_id"`
		Code           *string `json:"code"`
		Password       *string `json:"password"`
		RememberDevice bool    `json:"remember_device"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	err := cmp.Or(required("flow_id", req.FlowID), required("code", req.Code), required("password", req.Password))
	if err != nil {
		return err
	}
	if !plausibleID(*req.FlowID) {
		return &otpd.Error{Code: otpd.ENotFound, Field: "flow_id", Message: "this reset does not exist or has ended; start again"}
	}
	rq := s.requester(r)
	rq.Remember = req.RememberDevice
	in, err := s.engine.ResetPassword(r.Context(), *req.FlowID, *req.Code, *req.Password, rq)
	if err != nil {
		return err
	}
	s.writeSignedIn(w, in)
	return nil
}

func (s *Server) pageForgot(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot.html", s.newPage("Reset your password"))
}

func (s *Server) pageForgotSend(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	recovery, err := formSendTo(r)
	var flow signin.Flow
	if err == nil {
		flow, err = s.startReset(r.Context(), email, recovery, s.requester(r))
	}
	if err != nil {
		p := s.newPage("Reset your password")
		p.Email = email
		s.renderError(w, r, "forgot.html", p, err)
		return
	}
	http.Redirect(w, r, "/password/reset/"+url.PathEscape(flow.ID)+toRecoveryQuery(recovery), http.StatusSeeOther)
}

func (s *Server) pageReset(w http.ResponseWriter, r *http.Request) {
	in, err := s.engine.ResetPassword(r.Context(), r.PathValue("flow_id"), r.PostFormValue("code"),
		r.PostFormValue("password"), s.formRequester(r))
	if err != nil {
		s.renderFlowError(w, r, resetCodes, err)
		return
	}
	s.setSignInCookies(w, in)
	http.Redirect(w, r, "/?done=reset", http.StatusSeeOther)
}
