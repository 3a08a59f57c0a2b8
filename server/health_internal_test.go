package server

import (
	"net/http"
	"testing"
)

// TestHealth_Draining: once Drain is called /healthz answers 503
// "draining", while the rest of the API still works.
func TestHealth_Draining(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	if resp := get(t, ts.URL+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz before draining: %d", resp.StatusCode)
	}
	ts.srv.Drain()
	resp := get(t, ts.URL+"/healthz")
	if v := decode[map[string]any](t, resp); resp.StatusCode != http.StatusServiceUnavailable || v["status"] != "draining" {
		t.Errorf("/healthz while draining: %d %v, want 503 draining", resp.StatusCode, v)
	}
	if resp := get(t, ts.URL+"/api/deliberations"); resp.StatusCode != http.StatusOK {
		t.Errorf("the history while draining: %d, want 200", resp.StatusCode)
	}
}
