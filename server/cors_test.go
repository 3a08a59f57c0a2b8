package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/magi-system/magi/server"
)

const (
	goodOrigin = "https://console.example"
	evilOrigin = "https://evil.example"
)

func preflight(t *testing.T, ps *privServer, origin, method string) reply {
	t.Helper()
	return ps.do(t, "OPTIONS", "/api/deliberations", "", "", "Origin", origin,
		"Access-Control-Request-Method", method, "Access-Control-Request-Headers", "authorization, content-type")
}

func TestCORS_NothingAllowedByDefault(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	if r := preflight(t, ps, evilOrigin, "POST"); r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d, ACAO %q; want 403 and none", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
	r := ps.do(t, "GET", "/api/deliberations", "", "", "Origin", evilOrigin)
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET from another origin carries Access-Control-Allow-Origin %q", r.header.Get("Access-Control-Allow-Origin"))
	}
	// A browser sends Origin on a same-origin POST too: it must work.
	r = ps.do(t, "POST", "/api/deliberations", "", `{"question": "Same origin?"}`, "Origin", ps.url)
	if r.status != http.StatusAccepted {
		t.Errorf("same-origin POST: %d %s, want 202", r.status, r.body)
	}
}

func TestCORS_Allowlist(t *testing.T) {
	ps := newPrivServer(t, privOptions{opts: server.Options{CORSOrigins: []string{goodOrigin}}})
	_, alice := ps.addKey(t, "alice", false)

	r := preflight(t, ps, goodOrigin, "POST")
	if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != goodOrigin {
		t.Fatalf("preflight from the allowed origin: %d, ACAO %q", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
	for name, want := range map[string][]string{
		"Access-Control-Allow-Methods": {"GET", "POST", "PUT", "DELETE"},
		"Access-Control-Allow-Headers": {"Authorization", "Content-Type", "Last-Event-ID"},
		"Vary":                         {"Origin"},
	} {
		for _, w := range want {
			if !strings.Contains(r.header.Get(name), w) {
				t.Errorf("preflight %s = %q, want %s in it", name, r.header.Get(name), w)
			}
		}
	}
	for _, o := range []string{evilOrigin, goodOrigin + ".evil.example", "null", strings.ToUpper(goodOrigin)} {
		if r := preflight(t, ps, o, "DELETE"); r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d, ACAO %q; want 403 and none", o, r.status, r.header.Get("Access-Control-Allow-Origin"))
		}
	}

	// Actual requests: the allowed origin may read even a 401 (so the page
	// can ask for a key); another origin gets no CORS headers at all.
	r = ps.do(t, "GET", "/api/deliberations", "", "", "Origin", goodOrigin)
	if r.status != http.StatusUnauthorized || r.header.Get("Access-Control-Allow-Origin") != goodOrigin {
		t.Errorf("keyless GET from the allowed origin: %d, ACAO %q; want 401 readable by it", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
	r = ps.do(t, "GET", "/api/deliberations", alice, "", "Origin", goodOrigin)
	if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != goodOrigin ||
		!strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("GET from the allowed origin: %d, ACAO %q, expose %q", r.status,
			r.header.Get("Access-Control-Allow-Origin"), r.header.Get("Access-Control-Expose-Headers"))
	}
	r = ps.do(t, "GET", "/api/deliberations", alice, "", "Origin", evilOrigin)
	for name := range r.header {
		if strings.HasPrefix(name, "Access-Control-") {
			t.Errorf("GET from another origin carries %s: %q", name, r.header.Get(name))
		}
	}
}
