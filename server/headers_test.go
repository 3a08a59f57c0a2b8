package server_test

import (
	"strings"
	"testing"

	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/web"
)

// securityHeaders are on every response of the server.
var securityHeaders = map[string]string{
	"X-Content-Type-Options":     "nosniff",
	"X-Frame-Options":            "DENY",
	"Referrer-Policy":            "no-referrer",
	"Cross-Origin-Opener-Policy": "same-origin",
	"Content-Security-Policy":    web.ContentSecurityPolicy,
}

func TestHeaders_EveryResponse(t *testing.T) {
	ps := newPrivServer(t, privOptions{held: true, opts: server.Options{CORSOrigins: []string{goodOrigin}},
		limits: server.QuotaLimits{PerMinute: 1}})
	_, alice := ps.addKey(t, "alice", false)
	running := ps.create(t, alice)
	ps.release()
	ps.finish(t, alice, running)
	id := "/api/deliberations/" + running
	tests := []struct {
		name, method, path, key, body string
		status                        int
		header                        []string
	}{
		{"ui index", "GET", "/", "", "", 200, nil},
		{"ui deep link", "GET", "/d/" + running, "", "", 200, nil},
		{"ui asset", "GET", "/js/app.js", "", "", 200, nil},
		{"ui css", "GET", "/css/magi.css", "", "", 200, nil},
		{"ui 404", "GET", "/nope.txt", "", "", 404, nil},
		{"healthz", "GET", "/healthz", "", "", 200, nil},
		{"ping", "GET", "/ping", "", "", 200, nil},
		{"metrics", "GET", "/metrics", "", "", 200, nil},
		{"invocations 400", "POST", "/invocations", alice, `{"prompt": ""}`, 400, nil},
		{"list", "GET", "/api/deliberations", alice, "", 200, nil},
		{"record", "GET", id, alice, "", 200, nil},
		{"stream", "GET", id + "/events", alice, "", 200, nil},
		{"export md", "GET", id + "/export", alice, "", 200, nil},
		{"export json", "GET", id + "/export?format=json", alice, "", 200, nil},
		{"401", "GET", "/api/deliberations", "", "", 401, nil},
		{"404 unknown id", "GET", "/api/deliberations/0000", alice, "", 404, nil},
		{"404 unknown route", "GET", "/api/nope", alice, "", 404, nil},
		{"400 bad json", "POST", "/api/deliberations", alice, `{`, 400, nil},
		{"409 cancel ended", "POST", id + "/cancel", alice, "", 409, nil},
		{"429 quota", "POST", "/api/deliberations", alice, `{"question": "More?"}`, 429, nil},
		{"405 method", "PUT", "/healthz", "", "", 405, nil},
		{"cors preflight", "OPTIONS", "/api/deliberations", "", "", 204,
			[]string{"Origin", goodOrigin, "Access-Control-Request-Method", "POST"}},
		{"cors refused", "OPTIONS", "/api/deliberations", "", "", 403,
			[]string{"Origin", evilOrigin, "Access-Control-Request-Method", "POST"}},
		{"delete", "DELETE", id, alice, "", 204, nil},
	}
	for _, tc := range tests {
		r := ps.do(t, tc.method, tc.path, tc.key, tc.body, tc.header...)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, r.status, tc.status, strings.TrimSpace(r.body))
		}
		for name, want := range securityHeaders {
			if got := r.header.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", tc.name, name, got, want)
			}
		}
		if r.header.Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", tc.name)
		}
		if r.status >= 400 && tc.method != "OPTIONS" && tc.name != "ui 404" &&
			!strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: an error as %q, want SPEC's JSON", tc.name, r.header.Get("Content-Type"))
		}
	}
}
