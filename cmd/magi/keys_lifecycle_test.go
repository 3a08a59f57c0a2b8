package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/magitest"
)

// listAs is GET /api/deliberations of a magi serve at base with key (none
// when empty): the status and the ids listed.
func listAs(t *testing.T, base, key string) (int, []string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", base+"/api/deliberations?limit=100", nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var page magi.Page
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("GET /api/deliberations: %v\n%s", err, body)
	}
	var ids []string
	for _, s := range page.Items {
		ids = append(ids, s.ID)
	}
	return resp.StatusCode, ids
}

// waitListStatus waits until the server answers the history with want
// for key: a change of keys takes effect within its key check (3 s).
func waitListStatus(t *testing.T, base, key string, want int) []string {
	t.Helper()
	var status int
	var ids []string
	if !await.Until(10*time.Second, func() bool { status, ids = listAs(t, base, key); return status == want }) {
		t.Fatalf("GET /api/deliberations still answers %d after 10 s, want %d", status, want)
	}
	return ids
}

var keyRE = regexp.MustCompile(`magi_[0-9a-f]{8}_[A-Za-z0-9_-]{43}`)

// createKey runs magi keys create args… and returns the key and its output.
func createKey(t *testing.T, env map[string]string, args ...string) (string, string) {
	t.Helper()
	out := magitest.MustRun(t, env, append([]string{"keys", "create"}, args...)...).Stdout
	key := keyRE.FindString(out)
	if key == "" {
		t.Fatalf("magi keys create printed no key:\n%s", out)
	}
	return key, out
}

// TestKeys_Lifecycle: a local install with history creates its first key,
// is told what changes, keeps its history through an admin key and by
// adopting it, revokes every key without the API opening, and returns to
// open local mode with magi keys reset, nothing lost.
func TestKeys_Lifecycle(t *testing.T) {
	t.Parallel()
	env := simEnv(t)
	var before []string
	for _, q := range []string{"Should we adopt a four-day work week?", "Should we move the office?"} {
		var rec magi.Record
		if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "ask", q, "--json").Stdout), &rec); err != nil {
			t.Fatal(err)
		}
		before = append([]string{rec.ID}, before...) // the history is newest first
	}
	srv := magitest.StartServe(t, env)
	if status, ids := listAs(t, srv.URL, ""); status != http.StatusOK || strings.Join(ids, ",") != strings.Join(before, ",") {
		t.Fatalf("open API: %d %v, want 200 and %v", status, ids, before)
	}

	alice, out := createKey(t, env, "alice")
	aliceID, _ := magi.KeyID(alice)
	for _, want := range []string{"This is the first API key", "magi keys adopt " + aliceID, "magi keys reset --yes", "not affected"} {
		if !strings.Contains(out, want) {
			t.Errorf("the first key's output lacks %q:\n%s", want, out)
		}
	}
	waitListStatus(t, srv.URL, "", http.StatusUnauthorized)
	if _, ids := listAs(t, srv.URL, alice); len(ids) != 0 {
		t.Errorf("alice sees %v before adopting, want none", ids)
	}
	root, out := createKey(t, env, "root", "--admin")
	if strings.Contains(out, "first API key") {
		t.Errorf("the second key is told it is the first:\n%s", out)
	}
	if status, ids := listAs(t, srv.URL, root); status != http.StatusOK || strings.Join(ids, ",") != strings.Join(before, ",") {
		t.Errorf("the admin key sees %d %v, want the earlier deliberations %v", status, ids, before)
	}

	out = magitest.MustRun(t, env, "keys", "adopt", aliceID).Stdout
	if !strings.Contains(out, "now owns 2 deliberation(s)") {
		t.Errorf("magi keys adopt: %s", out)
	}
	if _, ids := listAs(t, srv.URL, alice); strings.Join(ids, ",") != strings.Join(before, ",") {
		t.Errorf("alice sees %v after adopting, want %v", ids, before)
	}

	rootID, _ := magi.KeyID(root)
	if out := magitest.MustRun(t, env, "keys", "revoke", rootID).Stdout; strings.Contains(out, "No key is in use") {
		t.Errorf("revoking one of two keys says none is left:\n%s", out)
	}
	out = magitest.MustRun(t, env, "keys", "revoke", aliceID).Stdout
	if !strings.Contains(out, "No key is in use now") || !strings.Contains(out, "magi keys reset --yes") {
		t.Errorf("revoking the last key does not say what happens:\n%s", out)
	}
	waitListStatus(t, srv.URL, alice, http.StatusUnauthorized)
	if status, _ := listAs(t, srv.URL, ""); status != http.StatusUnauthorized {
		t.Errorf("after revoking every key, no key: %d, want 401 (a revoked key never opens the API)", status)
	}

	r := magitest.Run(t, env, "keys", "reset")
	if r.Code != 1 || !strings.Contains(r.Stderr, "magi keys reset --yes") || !strings.Contains(r.Stderr, "all 2 API key(s)") {
		t.Errorf("magi keys reset without --yes: exit %d, stderr %q; want 1 and what it would do", r.Code, r.Stderr)
	}
	if status, _ := listAs(t, srv.URL, ""); status != http.StatusUnauthorized {
		t.Errorf("magi keys reset without --yes opened the API: %d", status)
	}
	if out := magitest.MustRun(t, env, "keys", "reset", "--yes").Stdout; !strings.Contains(out, "Deleted 2 API key(s)") {
		t.Errorf("magi keys reset --yes: %s", out)
	}
	if ids := waitListStatus(t, srv.URL, "", http.StatusOK); strings.Join(ids, ",") != strings.Join(before, ",") {
		t.Errorf("open again: %v, want every earlier deliberation %v", ids, before)
	}
}
