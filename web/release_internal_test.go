package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// release is a UI build: index.html and one script.
func release(script string) fstest.MapFS {
	return fstest.MapFS{
		"index.html": {Data: []byte(`<!doctype html><script type="module" src="/js/app.js"></script>` + strings.Repeat(" ", 200))},
		"js/app.js":  {Data: []byte(script + strings.Repeat("\n// padding so that gzip pays", 20))},
	}
}

// TestHandler_NewReleaseIsPickedUp is a browser's cache across an upgrade:
// it holds the old script and revalidates it (Cache-Control: no-cache)
// with its ETag; the old binary answers 304, the new one the new script,
// in both the plain and the gzipped form.
func TestHandler_NewReleaseIsPickedUp(t *testing.T) {
	old, next := handler(release("console.log('v1');")), handler(release("console.log('v2');"))
	for _, ae := range []string{"", "gzip"} {
		res := fetch(t, old, "/js/app.js", ae, "")
		etag := res.Header.Get("ETag")
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" || etag == "" {
			t.Fatalf("Accept-Encoding %q: Cache-Control %q, ETag %q; want no-cache and an ETag", ae, cc, etag)
		}
		if res := fetch(t, old, "/js/app.js", ae, etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("Accept-Encoding %q: the same release revalidates to %s, want 304", ae, res.Status)
		}
		res = fetch(t, next, "/js/app.js", ae, etag)
		if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == etag {
			t.Fatalf("Accept-Encoding %q: a new release answers the old ETag with %s, ETag %q; want 200 and a new ETag", ae, res.Status, res.Header.Get("ETag"))
		}
		if res.Header.Get("Content-Encoding") != ae {
			t.Errorf("Content-Encoding %q, want %q", res.Header.Get("Content-Encoding"), ae)
		}
		if ae == "" {
			if body, _ := io.ReadAll(res.Body); !strings.Contains(string(body), "v2") {
				t.Errorf("the new release sent %q", body)
			}
		}
	}
}

func fetch(t *testing.T, h http.Handler, path, acceptEncoding, ifNoneMatch string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}
