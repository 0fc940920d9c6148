package web

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

// The OpenAPI document must describe exactly the API routes the server
// registers: a route added without documentation, or documentation left
// behind by a removed route, fails here.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	s := New(Options{Mailbox: nopMailbox{}})
	var served []string
	for _, rt := range s.routes() {
		if rt.api {
			served = append(served, rt.pattern)
		}
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("OpenAPI and routes differ:\ndocumented %q\nserved     %q", documented, served)
	}
}

type nopMailbox struct{}

func (nopMailbox) Messages(context.Context, string, int) ([]otpd.Email, error) { return nil, nil }
func (nopMailbox) Raw(context.Context, string) ([]byte, error)                 { return nil, otpd.ErrNotFound }
