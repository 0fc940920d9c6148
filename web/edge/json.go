package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/otpd/otpd"
)

// maxBody bounds a JSON request body; no request of the API needs more.
const maxBody = 16 << 10

// DecodeJSON reads one JSON object from r into v, refusing unknown fields,
// trailing data and bodies that are not JSON, with an error that names the
// field or header at fault.
func DecodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &otpd.Error{Code: EMediaType, Field: "Content-Type", Message: "send the request body as application/json"}
		}
	}
	return decodeBody(http.MaxBytesReader(nil, r.Body, maxBody), v)
}

func decodeBody(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return otpd.Errorf(otpd.EInvalid, "the body must hold exactly one JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return otpd.Errorf(otpd.EInvalid, "the body must hold exactly one JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
	)
	switch {
	case errors.Is(err, io.EOF):
		return otpd.Errorf(otpd.EInvalid, "the request body is empty; send a JSON object")
	case errors.As(err, &tooBig):
		return otpd.Errorf(otpd.EInvalid, "the request body is larger than %d bytes", maxBody)
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return otpd.Errorf(otpd.EInvalid, "the request body is not valid JSON")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return otpd.Errorf(otpd.EInvalid, "the request body must be a JSON object")
		}
		return otpd.FieldError(typeErr.Field, "%s must be a %s", typeErr.Field, jsonType(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return otpd.FieldError(name, "unknown field %q", name)
	default:
		return otpd.Errorf(otpd.EInvalid, "the request body is not valid JSON")
	}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "JSON boolean (true or false)"
	}
	return fmt.Sprintf("JSON %s", kind)
}

// WriteJSON writes v with status. Encoding our own response types cannot
// fail; a failed write means the client has gone, which is not an error
// worth more than the connection.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ErrorBody is every error's answer in JSON.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is what an error says: its code, words, the field at fault,
// and when to try again.
type ErrorDetail struct {
	Code         string `json:"code"`
	Message      string `json:"message"`
	Field        string `json:"field,omitempty"`
	AttemptsLeft *int   `json:"attempts_left,omitempty"`
	RetryAfter   int    `json:"retry_after,omitempty"`
}

// WriteError answers err in JSON, with its status and Retry-After.
func (e *Edge) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	pub := e.PublicError(r, err)
	d := ErrorDetail{Code: pub.Code, Message: pub.Message, Field: pub.Field}
	if e.Catalog != nil {
		d.Message = e.Catalog.Accept(r.Header.Get("Accept-Language")).APIError(pub)
	}
	if pub.Code == otpd.EInvalidCode {
		d.AttemptsLeft = &pub.AttemptsLeft
	}
	if pub.RetryAfter > 0 {
		d.RetryAfter = RetrySeconds(pub.RetryAfter)
	}
	SetRetryAfter(w, pub)
	WriteJSON(w, Status(pub.Code), ErrorBody{Error: d})
}

// Required refuses a request that lacks a field. Required fields are
// pointers, so that a missing one is told apart from an empty one.
func Required[T any](name string, v *T) error {
	if v == nil {
		return otpd.FieldError(name, "%s is required", name)
	}
	return nil
}
