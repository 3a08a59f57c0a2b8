package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/web"
)

// do sends one request without a body.
func do(t *testing.T, method, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// wrongMethods are requests no route takes, outside /api/, and the Allow
// header each must get.
var wrongMethods = []struct {
	method, path, allow string
}{
	{"POST", "/ping", "GET, HEAD"},
	{"DELETE", "/ping", "GET, HEAD"},
	{"PUT", "/healthz", "GET, HEAD"},
	{"POST", "/healthz", "GET, HEAD"},
	{"POST", "/metrics", "GET, HEAD"},
	{"OPTIONS", "/metrics", "GET, HEAD"},
	{"GET", "/invocations", "POST"},
	{"DELETE", "/invocations", "POST"},
}

func TestServer_WrongMethodIsJSON405(t *testing.T) {
	for _, ui := range []struct {
		name string
		h    http.Handler
	}{{"without ui", nil}, {"with ui", web.Handler()}} {
		ts := newTestServer(t, 0, Options{UI: ui.h})
		for _, tc := range wrongMethods {
			t.Run(ui.name+"/"+tc.method+tc.path, func(t *testing.T) {
				resp := do(t, tc.method, ts.URL+tc.path)
				checkMethodNotAllowed(t, resp, tc.allow)
			})
		}
	}
}

func TestServer_WrongMethodOnUIIsJSON405(t *testing.T) {
	ts := newTestServer(t, 0, Options{UI: web.Handler()})
	for _, tc := range []struct{ method, path string }{
		{"POST", "/"}, {"PUT", "/"}, {"DELETE", "/d/abc"}, {"POST", "/app.js"}, {"PATCH", "/nope"},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			checkMethodNotAllowed(t, do(t, tc.method, ts.URL+tc.path), "GET, HEAD")
		})
	}
}

func checkMethodNotAllowed(t *testing.T, resp *http.Response, allow string) {
	t.Helper()
	if got := resp.Header.Get("Allow"); got != allow {
		t.Errorf("Allow = %q, want %q", got, allow)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want SPEC's JSON", ct)
	}
	if status, code := apiError(t, resp); status != http.StatusMethodNotAllowed || code != magi.EMETHOD {
		t.Errorf("%d %s, want 405 %s", status, code, magi.EMETHOD)
	}
}

// answer is a request and the status and Content-Type it must get.
type answer struct {
	method, path string
	status       int
	ctype        string
}

// TestServer_RightMethodsUnchanged: the fallback takes nothing a route
// or the UI answered before, and unknown paths stay 404.
func TestServer_RightMethodsUnchanged(t *testing.T) {
	common := []answer{
		{"GET", "/ping", 200, "application/json"},
		{"HEAD", "/ping", 200, ""},
		{"GET", "/healthz", 200, ""},
		{"HEAD", "/healthz", 200, ""},
		{"GET", "/metrics", 200, "text/plain"},
		{"POST", "/invocations", 400, "application/json"},
		{"PUT", "/api/deliberations", 405, "application/json"},
		{"GET", "/api/nope", 404, "application/json"},
		{"GET", "/nope", 404, "application/json"},
		{"POST", "/nope", 405, ""},
	}
	for _, ui := range []struct {
		name  string
		h     http.Handler
		tests []answer
	}{
		{"without ui", nil, append(common[:len(common)-1:len(common)-1], answer{"POST", "/nope", 404, "application/json"})},
		{"with ui", web.Handler(), append(common, answer{"GET", "/", 200, "text/html"}, answer{"HEAD", "/", 200, "text/html"})},
	} {
		ts := newTestServer(t, 0, Options{UI: ui.h})
		for _, tc := range ui.tests {
			t.Run(ui.name+"/"+tc.method+tc.path, func(t *testing.T) {
				resp := do(t, tc.method, ts.URL+tc.path)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
					t.Errorf("Content-Type %q, want %q", ct, tc.ctype)
				}
			})
		}
	}
}
