package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

func TestOpenAPIServed(t *testing.T) {
	r := webtest.New(t)
	resp, err := http.Get(r.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
