package web

import (
	"context"
	"net/http"

	"github.com/otpd/otpd/signin"
)

// A new sign-in or recovery address is confirmed by a code sent to it and
// typed in the session that asked, which needs a recent step-up. After a
// change of sign-in address the old address is told, and its link undoes
// the change for 7 days (see deny.go).

// addressStarter is Engine.ChangeEmail or Engine.AddRecovery: it sends
// the code to the new address.
type addressStarter func(e *signin.Engine, ctx context.Context, c signin.Caller, email string, r signin.Requester) (signin.Flow, error)

// apiNewAddress returns the handler that starts confirming a new address
// with start.
func (s *Server) apiNewAddress(start addressStarter) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req struct {
			Email *string `json:"email"`
		}
		if err := decodeJSON(r, &req); err != nil {
			return err
		}
		if err := required("email", req.Email); err != nil {
			return err
		}
		c, err := s.apiCaller(r)
		if err != nil {
			return err
		}
		flow, err := start(s.engine, r.Context(), c.Caller, *req.Email, s.requester(r))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusAccepted, newFlowResponse(flow))
		return nil
	}
}

func (s *Server) apiConfirmAddress(w http.ResponseWriter, r *http.Request) error {
	c, code, err := s.sessionCode(r)
	if err != nil {
		return err
	}
	acct, err := s.engine.ConfirmAddress(r.Context(), c.Caller, r.PathValue("flow_id"), code, s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAccountJSON(acct, s.clock.Now()))
	return nil
}

func (s *Server) apiRemoveRecovery(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	if err := s.engine.RemoveRecovery(r.Context(), c.Caller, s.requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
