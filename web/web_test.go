package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/magi-system/magi/web"
)

func get(t *testing.T, h http.Handler, method, path string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestHandler_Routes(t *testing.T) {
	h := web.Handler()
	tests := []struct {
		path, status, contentType, contains string
	}{
		{"/", "200", "text/html; charset=utf-8", `<script type="module" src="/js/app.js">`},
		{"/d/01JABCDEF", "200", "text/html; charset=utf-8", `<script type="module" src="/js/app.js">`},
		{"/js/app.js", "200", "text/javascript; charset=utf-8", "import"},
		{"/js/markdown.js", "200", "text/javascript; charset=utf-8", "textContent"},
		{"/css/magi.css", "200", "text/css; charset=utf-8", ".plate"},
		{"/favicon.svg", "200", "image/svg+xml", "<svg"},
		{"/index.html", "404", "", ""},
		{"/nope.js", "404", "", ""},
		{"/d/", "404", "", ""},
		{"/d/a/b", "404", "", ""},
		{"/static/js/app.js", "404", "", ""},
		{"/web.go", "404", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := get(t, h, http.MethodGet, tt.path, nil)
			body, _ := io.ReadAll(res.Body)
			if got := res.Status[:3]; got != tt.status {
				t.Fatalf("status %s, want %s", res.Status, tt.status)
			}
			if tt.status != "200" {
				return
			}
			if got := res.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
		})
	}
}

func TestHandler_CacheRevalidates(t *testing.T) {
	h := web.Handler()
	res := get(t, h, http.MethodGet, "/js/stream.js", nil)
	etag := res.Header.Get("ETag")
	if etag == "" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q: want a strong ETag and no-cache", etag, res.Header.Get("Cache-Control"))
	}
	again := get(t, h, http.MethodGet, "/js/stream.js", map[string]string{"If-None-Match": etag})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %s, want 304", again.Status)
	}
	if other := get(t, h, http.MethodGet, "/js/app.js", nil).Header.Get("ETag"); other == etag {
		t.Errorf("two files share the ETag %s", etag)
	}
}

func TestHandler_HTMLCarriesCSP(t *testing.T) {
	res := get(t, web.Handler(), http.MethodGet, "/d/x", nil)
	if got := res.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
		t.Errorf("CSP %q", got)
	}
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
		"connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(web.ContentSecurityPolicy, d) {
			t.Errorf("ContentSecurityPolicy lacks %q", d)
		}
	}
	if strings.Contains(web.ContentSecurityPolicy, "unsafe") {
		t.Error("ContentSecurityPolicy allows something unsafe")
	}
}

func TestHandler_MethodNotAllowed(t *testing.T) {
	if res := get(t, web.Handler(), http.MethodPost, "/", nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %s", res.Status)
	}
}

// TestStatic_NoInlineCode keeps the files compatible with the CSP: no
// inline script or style, no inline event handlers, no innerHTML, and each
// file short.
func TestStatic_NoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<\s]|<style|\sstyle=|\son[a-z]+=`)
	unsafe := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function`)
	err := filepath.WalkDir("static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := string(b)
		if strings.HasSuffix(path, ".html") && inline.MatchString(s) {
			t.Errorf("%s: inline script, style or handler: %q", path, inline.FindString(s))
		}
		if strings.HasSuffix(path, ".js") && unsafe.MatchString(s) {
			t.Errorf("%s: %q builds markup from strings", path, unsafe.FindString(s))
		}
		if n := strings.Count(s, "\n"); n >= 300 {
			t.Errorf("%s: %d lines, keep files under 300", path, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHandler_Gzip(t *testing.T) {
	h := web.Handler()
	for _, path := range []string{"/", "/d/x", "/js/app.js", "/css/magi.css", "/favicon.svg"} {
		plain := get(t, h, http.MethodGet, path, nil)
		want, _ := io.ReadAll(plain.Body)
		if plain.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q", path, plain.Header.Get("Content-Encoding"))
		}
		res := get(t, h, http.MethodGet, path, map[string]string{"Accept-Encoding": "br, gzip, deflate"})
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: Content-Encoding %q, Vary %q; want gzip, Accept-Encoding", path, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		raw, _ := io.ReadAll(res.Body)
		if len(raw) >= len(want) {
			t.Errorf("%s: gzipped %d bytes, plain %d", path, len(raw), len(want))
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: the gzipped body (%v) differs from the plain one", path, err)
		}
		if res.Header.Get("ETag") == plain.Header.Get("ETag") {
			t.Errorf("%s: the gzipped and plain forms share the ETag %s", path, res.Header.Get("ETag"))
		}
		again := get(t, h, http.MethodGet, path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": res.Header.Get("ETag")})
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidating the gzipped form: %s, want 304", path, again.Status)
		}
	}
	for _, ae := range []string{"gzip;q=0", "identity", "*;q=0", "deflate, br", "gzip;q=0, *"} {
		if res := get(t, h, http.MethodGet, "/js/app.js", map[string]string{"Accept-Encoding": ae}); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want none", ae, res.Header.Get("Content-Encoding"))
		}
	}
	if res := get(t, h, http.MethodGet, "/js/app.js", map[string]string{"Accept-Encoding": "*"}); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Accept-Encoding *: Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
	}
}
