package api

import (
	"net/http"
	"strconv"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
	"github.com/otpd/otpd/web/edge"
)

// The admin API: the people who run otpd administer accounts with an
// admin token (otpd admin-tokens create), never a session token. Each
// handler authenticates once with AdminCaller and passes the Operator to
// the admin service, which checks its scope. An account is named in the
// path by its ID or its address.

// AdminAccounts answers GET /api/v1/admin/accounts.
func (h *Handlers) AdminAccounts(w http.ResponseWriter, r *http.Request) error {
	op, err := h.AdminCaller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	query := otpd.AccountQuery{State: otpd.AccountState(q.Get("state")), After: q.Get("after")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return otpd.FieldError("limit", "limit is a whole number between 1 and %d", admin.MaxLimit)
		}
		if n == 0 {
			n = -1
		}
		query.Limit = n
	}
	as, next, err := h.Admin.List(r.Context(), op, query)
	if err != nil {
		return err
	}
	sums := make([]admin.Summary, len(as))
	for i, a := range as {
		sums[i] = admin.Summarize(a)
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Accounts []admin.Summary `json:"accounts"`
		Next     string          `json:"next,omitempty"`
	}{sums, next})
	return nil
}

// AdminAccount answers GET /api/v1/admin/accounts/{account}.
func (h *Handlers) AdminAccount(w http.ResponseWriter, r *http.Request) error {
	op, err := h.AdminCaller(r)
	if err != nil {
		return err
	}
	a, err := h.Admin.Find(r.Context(), op, r.PathValue("account"))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, admin.Summarize(a))
	return nil
}

// AdminDisable answers POST /api/v1/admin/accounts/{account}/disable.
func (h *Handlers) AdminDisable(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, true)
}

// AdminEnable answers POST /api/v1/admin/accounts/{account}/enable.
func (h *Handlers) AdminEnable(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, false)
}

func (h *Handlers) setDisabled(w http.ResponseWriter, r *http.Request, on bool) error {
	op, err := h.AdminCaller(r)
	if err != nil {
		return err
	}
	a, changed, err := h.Admin.SetDisabled(r.Context(), op, r.PathValue("account"), on)
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		admin.Summary
		Changed bool `json:"changed"`
	}{admin.Summarize(a), changed})
	return nil
}

// AdminDelete answers DELETE /api/v1/admin/accounts/{account}.
func (h *Handlers) AdminDelete(w http.ResponseWriter, r *http.Request) error {
	op, err := h.AdminCaller(r)
	if err != nil {
		return err
	}
	if _, err := h.Admin.Delete(r.Context(), op, r.PathValue("account")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AdminExport answers GET /api/v1/admin/accounts/{account}/export.
func (h *Handlers) AdminExport(w http.ResponseWriter, r *http.Request) error {
	op, err := h.AdminCaller(r)
	if err != nil {
		return err
	}
	x, err := h.Admin.Export(r.Context(), op, r.PathValue("account"))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, x)
	return nil
}

// AdminSignOut answers POST /api/v1/admin/accounts/{account}/sign-out.
func (h *Handlers) AdminSignOut(w http.ResponseWriter, r *http.Request) error {
	op, err := h.AdminCaller(r)
	if err != nil {
		return err
	}
	n, err := h.Admin.SignOut(r.Context(), op, r.PathValue("account"))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		SessionsEnded int `json:"sessions_ended"`
	}{n})
	return nil
}

// AdminUnlock answers POST /api/v1/admin/accounts/{account}/unlock.
func (h *Handlers) AdminUnlock(w http.ResponseWriter, r *http.Request) error {
	op, err := h.AdminCaller(r)
	if err != nil {
		return err
	}
	a, err := h.Admin.Unlock(r.Context(), op, r.PathValue("account"))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, admin.Summarize(a))
	return nil
}
