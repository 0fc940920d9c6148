package web

import (
	_ "embed"
	"net/http"
)

// openAPI documents the JSON API. TestOpenAPIMatchesRoutes keeps it and the
// routes in step.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}
