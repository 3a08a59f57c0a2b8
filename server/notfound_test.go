package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/web"
)

// TestServer_UnknownPathsAreJSON404: a path that is neither a route nor a
// page or file of the UI answers SPEC's JSON 404, like the API; the UI
// keeps its pages, deep links and files.
func TestServer_UnknownPathsAreJSON404(t *testing.T) {
	unknown := []string{"/nonexistent.php", "/wp-admin/", "/.env", "/.git/config", "/index.html", "/css/nope.css",
		"/d/", "/d/x/y", "/api", "/%ff", "/" + strings.Repeat("a", 3000)}
	for _, ui := range []struct {
		name string
		h    http.Handler
	}{{"without ui", nil}, {"with ui", web.Handler()}} {
		ts := newTestServer(t, 0, Options{UI: ui.h})
		for _, method := range []string{"GET", "HEAD"} {
			for _, path := range unknown {
				resp := do(t, method, ts.URL+path)
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
					t.Errorf("%s: %s %.60s: %d %q, want a JSON 404", ui.name, method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				if method == "GET" && !strings.Contains(string(body), `"code":"`+magi.ENOTFOUND+`"`) {
					t.Errorf("%s: GET %.60s: body %s, want SPEC's error", ui.name, path, body)
				}
			}
		}
		if ui.h == nil {
			continue
		}
		for path, ctype := range map[string]string{"/": "text/html", "/d/0123456789abcdef0123456789": "text/html",
			"/js/app.js": "text/javascript", "/css/magi.css": "text/css", "/favicon.svg": "image/svg+xml"} {
			resp := do(t, "GET", ts.URL+path)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
				t.Errorf("GET %s: %d %q, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), ctype)
			}
		}
	}
}
