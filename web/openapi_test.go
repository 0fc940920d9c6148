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

// The admin routes name the admin bearer scheme and only it, and no other
// route names it: a reader of the document learns which credential each
// route takes, and the two kinds of token are never confused.
func TestOpenAPIAdminRoutesTakeAdminTokens(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Components.SecuritySchemes["adminBearer"].Scheme != "bearer" {
		t.Fatal("no adminBearer scheme")
	}
	admins := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			var schemes []string
			for _, req := range op.Security {
				for name := range req {
					schemes = append(schemes, name)
				}
			}
			admin := strings.HasPrefix(path, "/api/v1/admin/")
			switch {
			case admin && !slices.Equal(schemes, []string{"adminBearer"}):
				t.Errorf("%s %s takes %q, want adminBearer only", method, path, schemes)
			case !admin && slices.Contains(schemes, "adminBearer"):
				t.Errorf("%s %s takes an admin token", method, path)
			}
			if admin {
				admins++
			}
		}
	}
	if admins != 8 {
		t.Errorf("%d admin operations documented, want 8", admins)
	}
}
