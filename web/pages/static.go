package pages

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// StaticFiles serves the embedded files of web/pages/static by their exact
// names, from a table made once. Any other name, whatever its bytes, is
// answered like every unknown address: http.FileServer over an fs.FS
// answered a name that the FS refuses as invalid (/static/%ff is not
// UTF-8, /static/%c0%ae an overlong ".") with a bare 500.
func (p *Pages) StaticFiles() http.Handler {
	files := map[string][]byte{}
	err := fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		files[strings.TrimPrefix(path, "static/")] = b
		return err
	})
	if err != nil {
		panic(fmt.Sprintf("web: embedded static files: %v", err))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		b, ok := files[name]
		if !ok {
			p.NotFound(w, r, "")
			return
		}
		// Embedded files have no time of their own; the zero time
		// leaves Last-Modified out, as the file server did.
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	})
}
