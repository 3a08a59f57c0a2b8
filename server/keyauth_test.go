package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// apiRoutes are every /api/ route, with a body where one is needed; ID is
// replaced by a deliberation id.
var apiRoutes = []struct{ method, path, body string }{
	{"GET", "/api/deliberations", ""},
	{"POST", "/api/deliberations", `{"question": "Shall we?"}`},
	{"GET", "/api/deliberations/ID", ""},
	{"GET", "/api/deliberations/ID/events", ""},
	{"GET", "/api/deliberations/ID/export?format=json", ""},
	{"GET", "/api/deliberations/ID/export?format=md", ""},
	{"POST", "/api/deliberations/ID/cancel", ""},
	{"DELETE", "/api/deliberations/ID", ""},
	{"GET", "/api/no-such-route", ""},
}

func TestKeyAuth_OpenUntilTheFirstKey(t *testing.T) {
	ps := newPrivServer(t, privOptions{keyCheck: time.Nanosecond}) // the next request sees a new key
	open := ps.create(t, "")                                       // no keys: open, and the caller is an admin
	ps.finish(t, "", open)
	if r := ps.do(t, "GET", "/api/deliberations/"+open, "", ""); r.status != http.StatusOK {
		t.Fatalf("open API: GET = %d %s", r.status, r.body)
	}

	_, admin := ps.addKey(t, "root", true)
	_, alice := ps.addKey(t, "alice", false)
	if r := ps.do(t, "GET", "/api/deliberations", "", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("after the first key, no key: %d, want 401", r.status)
	}
	// What was asked while the API was open belongs to no key: admins only.
	if r := ps.do(t, "GET", "/api/deliberations/"+open, alice, ""); r.status != http.StatusNotFound {
		t.Errorf("alice reads an open-API deliberation: %d, want 404", r.status)
	}
	if r := ps.do(t, "GET", "/api/deliberations/"+open, admin, ""); r.status != http.StatusOK {
		t.Errorf("admin reads an open-API deliberation: %d, want 200", r.status)
	}
}

func TestKeyAuth_EveryAPIRouteNeedsAKey(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	_, alice := ps.addKey(t, "alice", false)
	id := ps.create(t, alice)
	ps.finish(t, alice, id)
	for _, rt := range apiRoutes {
		r := ps.do(t, rt.method, strings.ReplaceAll(rt.path, "ID", id), "", rt.body)
		what := rt.method + " " + rt.path
		if r.status != http.StatusUnauthorized || r.errorCode() != magi.EUNAUTHORIZED {
			t.Errorf("%s without a key: %d %s, want 401 unauthorized", what, r.status, r.body)
		}
		if !strings.Contains(r.body, "magi keys create NAME") {
			t.Errorf("%s: the message does not say how to get a key: %s", what, r.body)
		}
		if r.header.Get("WWW-Authenticate") != `Bearer realm="magi"` {
			t.Errorf("%s: WWW-Authenticate = %q", what, r.header.Get("WWW-Authenticate"))
		}
	}
	if r := ps.do(t, "GET", "/api/deliberations/"+id, alice, ""); r.status != http.StatusOK {
		t.Errorf("nothing was changed by the refused requests: GET = %d, want 200", r.status)
	}
}

func TestKeyAuth_BadCredentialsAreRefused(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	k, alice := ps.addKey(t, "alice", false)
	revoked, gone := ps.addKey(t, "gone", false)
	if err := ps.store.RevokeKey(t.Context(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	_, other := magi.NewKey("never stored", false)
	wrongSecret := "magi_" + k.ID + "_" + strings.Repeat("A", 43)
	tests := []struct{ name, header string }{
		{"basic scheme", "Basic " + alice},
		{"empty bearer", "Bearer "},
		{"not a magi key", "Bearer sk-1234567890"},
		{"unknown id", "Bearer " + other},
		{"right id, wrong secret", "Bearer " + wrongSecret},
		{"key with a suffix", "Bearer " + alice + "x"},
		{"revoked", "Bearer " + gone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ps.do(t, "GET", "/api/deliberations", "", "", "Authorization", tc.header)
			if r.status != http.StatusUnauthorized || r.errorCode() != magi.EUNAUTHORIZED {
				t.Fatalf("%d %s, want 401 unauthorized", r.status, r.body)
			}
			if secret := strings.TrimPrefix(tc.header, "Bearer "); len(secret) > 8 && strings.Contains(r.body, secret) {
				t.Errorf("the error echoes the credential: %s", r.body)
			}
		})
	}
	for _, h := range []string{"Bearer " + alice, "bearer " + alice, "Bearer  " + alice + " "} {
		if r := ps.do(t, "GET", "/api/deliberations", "", "", "Authorization", h); r.status != http.StatusOK {
			t.Errorf("Authorization %q: %d, want 200", h[:8], r.status)
		}
	}
}

func TestKeyAuth_OperationalRoutesStayOpen(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	ps.addKey(t, "alice", false)
	for _, path := range []string{"/healthz", "/ping", "/metrics", "/", "/d/0123456789abcdef"} {
		if r := ps.do(t, "GET", path, "", ""); r.status != http.StatusOK {
			t.Errorf("GET %s without a key: %d, want 200", path, r.status)
		}
	}
}

// TestKeyAuth_InvocationsLikeTheAPI: /invocations starts deliberations, so
// once keys exist it needs one too (an AgentCore deployment that relies on
// AgentCore's own IAM/JWT authentication simply creates no keys).
func TestKeyAuth_InvocationsLikeTheAPI(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	_, alice := ps.addKey(t, "alice", false)
	if r := ps.do(t, "POST", "/invocations", "", `{"prompt": "Shall we?"}`); r.status != http.StatusUnauthorized {
		t.Errorf("POST /invocations without a key: %d, want 401", r.status)
	}
	r := ps.do(t, "POST", "/invocations", alice, `{"prompt": "Shall we?"}`)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"type":"complete"`) {
		t.Fatalf("POST /invocations with a key: %d, want a whole stream", r.status)
	}
	if got := ps.list(t, alice); len(got) != 1 {
		t.Errorf("alice's history after /invocations: %v, want the one she asked", got)
	}
}

// list returns the ids key's history lists.
func (ps *privServer) list(t *testing.T, key string) map[string]bool {
	t.Helper()
	r := ps.do(t, "GET", "/api/deliberations?limit=100", key, "")
	var page magi.Page
	if err := json.Unmarshal([]byte(r.body), &page); err != nil || r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	ids := map[string]bool{}
	for _, s := range page.Items {
		ids[s.ID] = true
	}
	return ids
}

// TestKeyAuth_RevokeKeepsLockedResetOpens: revoking the last key leaves the
// API closed, to that key too; deleting every key (magi keys reset) opens
// it again, without a restart.
func TestKeyAuth_RevokeKeepsLockedResetOpens(t *testing.T) {
	ps := newPrivServer(t, privOptions{keyCheck: time.Nanosecond}) // asks the store on every request
	k, alice := ps.addKey(t, "alice", false)
	if err := ps.store.RevokeKey(t.Context(), k.ID); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", alice} {
		if r := ps.do(t, "GET", "/api/deliberations", key, ""); r.status != http.StatusUnauthorized {
			t.Errorf("after revoking the last key, with key %q: %d, want 401", key[:min(len(key), 13)], r.status)
		}
	}
	if n, err := ps.store.DeleteKeys(t.Context()); err != nil || n != 1 {
		t.Fatalf("DeleteKeys = %d, %v", n, err)
	}
	if r := ps.do(t, "GET", "/api/deliberations", "", ""); r.status != http.StatusOK {
		t.Errorf("after deleting every key, no key: %d, want 200 (open)", r.status)
	}
}
