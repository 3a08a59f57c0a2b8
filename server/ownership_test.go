package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestOwnership_RouteByRoute: another key cannot list, read, stream,
// export, cancel or delete a key's deliberation (404, as if it did not
// exist); its owner and an admin can.
func TestOwnership_RouteByRoute(t *testing.T) {
	ps := newPrivServer(t, privOptions{held: true})
	_, admin := ps.addKey(t, "root", true)
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)

	running := ps.create(t, alice) // held: still running
	rootsOwn := ps.create(t, admin)

	// Cancel while running: bob cannot, alice can.
	if r := ps.do(t, "POST", "/api/deliberations/"+running+"/cancel", bob, ""); r.status != http.StatusNotFound || r.errorCode() != "not_found" {
		t.Errorf("bob cancels alice's: %d %s, want 404 not_found", r.status, r.body)
	}
	if r := ps.do(t, "POST", "/api/deliberations/"+running+"/cancel", alice, ""); r.status != http.StatusAccepted {
		t.Errorf("alice cancels her own: %d %s, want 202", r.status, r.body)
	}
	ps.release()
	done := ps.create(t, alice)
	ps.finish(t, alice, done)
	ps.finish(t, admin, rootsOwn)

	if got := ps.list(t, bob); got[done] || got[running] || got[rootsOwn] {
		t.Errorf("bob's history shows others' deliberations: %v", got)
	}
	if got := ps.list(t, alice); !got[done] || !got[running] || got[rootsOwn] {
		t.Errorf("alice's history = %v, want her two only", got)
	}
	if got := ps.list(t, admin); !got[done] || !got[running] || !got[rootsOwn] {
		t.Errorf("admin's history = %v, want all three", got)
	}

	reads := []string{"/api/deliberations/ID", "/api/deliberations/ID/events",
		"/api/deliberations/ID/export?format=json", "/api/deliberations/ID/export?format=md"}
	for _, p := range reads {
		path := strings.ReplaceAll(p, "ID", done)
		for _, c := range []struct {
			who, key string
			want     int
		}{{"bob", bob, 404}, {"alice", alice, 200}, {"admin", admin, 200}} {
			r := ps.do(t, "GET", path, c.key, "")
			if r.status != c.want {
				t.Errorf("%s GET %s: %d, want %d", c.who, p, r.status, c.want)
			}
			if c.want == 404 && (strings.Contains(r.body, "Shall we") || r.errorCode() != "not_found") {
				t.Errorf("%s GET %s: body %s, want a bare not_found", c.who, p, r.body)
			}
		}
		if r := ps.do(t, "GET", strings.ReplaceAll(p, "ID", rootsOwn), alice, ""); r.status != 404 {
			t.Errorf("alice GET %s of the admin's: %d, want 404", p, r.status)
		}
	}

	// Delete: bob cannot, and the deliberation is still there; alice can.
	if r := ps.do(t, "DELETE", "/api/deliberations/"+done, bob, ""); r.status != http.StatusNotFound {
		t.Errorf("bob deletes alice's: %d, want 404", r.status)
	}
	if r := ps.do(t, "GET", "/api/deliberations/"+done, alice, ""); r.status != http.StatusOK {
		t.Fatalf("after bob's delete, alice's GET: %d, want 200", r.status)
	}
	if r := ps.do(t, "DELETE", "/api/deliberations/"+done, alice, ""); r.status != http.StatusNoContent {
		t.Errorf("alice deletes her own: %d, want 204", r.status)
	}
	// An admin manages any (once the cancelled one has ended).
	if r := ps.do(t, "GET", "/api/deliberations/"+running+"/events", admin, ""); !strings.Contains(r.body, `"code":"cancelled"`) {
		t.Fatalf("the cancelled deliberation's stream: %d %s", r.status, r.body)
	}
	if r := ps.do(t, "DELETE", "/api/deliberations/"+running, admin, ""); r.status != http.StatusNoContent {
		t.Errorf("admin deletes alice's: %d %s, want 204", r.status, r.body)
	}
}
