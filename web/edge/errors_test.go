package edge

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// A full queue of passwords to hash is a 429 with Retry-After, like the
// other refusals a client can cause, never a 5xx.
func TestBusyAnswersTooManyRequests(t *testing.T) {
	e := &Edge{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	w := httptest.NewRecorder()
	e.WriteError(w, httptest.NewRequest("POST", "/api/v1/password/reset", nil),
		&otpd.Error{Code: otpd.EBusy, RetryAfter: 1500 * time.Millisecond, Message: "busy"})
	var body ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if w.Code != 429 || w.Header().Get("Retry-After") != "2" || body.Error.Code != otpd.EBusy || body.Error.RetryAfter != 2 {
		t.Errorf("busy answered %d, Retry-After %q, %+v; want 429, 2, busy", w.Code, w.Header().Get("Retry-After"), body.Error)
	}
}
