package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// createKey runs `magi keys create` and returns the key it printed.
func createKey(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out := runMagi(t, env, append([]string{"keys", "create"}, args...)...)
	for _, line := range strings.Split(out, "\n") {
		if f := strings.TrimSpace(line); strings.HasPrefix(f, "magi_") && !strings.Contains(f, " ") {
			return f
		}
	}
	t.Fatalf("no key in the output of magi keys create:\n%s", out)
	return ""
}

// call sends a request with an optional Bearer key and returns its status,
// headers and body.
func call(t *testing.T, method, url, key, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != "" {
		req.Header.Set("Content-Type", jsonCT)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := magitest.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

// TestServe_APIKeys: once `magi keys create` made a key, /api/ needs one;
// a key sees only its own deliberations, an admin key all of them; the
// operational routes stay open.
func TestServe_APIKeys(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 5})
	env := openaiEnv(url)
	env["MAGI_DB"] = filepath.Join(t.TempDir(), "keys.db")
	alice, bob, admin := createKey(t, env, "alice"), createKey(t, env, "bob"), createKey(t, env, "root", "--admin")
	p := startMagi(t, env)
	api := p.URL + "/api/deliberations"

	for _, key := range []string{"", "magi_nope_0000", alice + "x"} {
		status, h, raw := call(t, http.MethodGet, api, key, "")
		if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("key %q: %d, WWW-Authenticate %q; want 401 Bearer", key, status, h.Get("WWW-Authenticate"))
		}
		checkErrorShape(t, raw, "unauthorized")
	}
	status, _, raw := call(t, http.MethodPost, api, alice, `{"question": "Mine?"}`)
	var created struct{ ID string }
	if status != http.StatusAccepted || json.Unmarshal(raw, &created) != nil {
		t.Fatalf("POST with alice's key: %d %s", status, raw)
	}
	waitStatus := func(key string) {
		await.Until(5*time.Second, func() bool {
			_, _, raw := call(t, http.MethodGet, api+"/"+created.ID, key, "")
			var rec magi.Record
			return json.Unmarshal(raw, &rec) == nil && rec.Status != magi.StatusRunning
		})
	}
	waitStatus(alice)
	for name, want := range map[string]struct {
		key    string
		status int
		items  int
	}{"alice": {alice, 200, 1}, "bob": {bob, 404, 0}, "admin": {admin, 200, 1}} {
		if status, _, raw := call(t, http.MethodGet, api+"/"+created.ID, want.key, ""); status != want.status {
			t.Errorf("%s GET the record: %d, want %d: %s", name, status, want.status, raw)
		}
		_, _, raw := call(t, http.MethodGet, api, want.key, "")
		var page magi.Page
		if err := json.Unmarshal(raw, &page); err != nil || len(page.Items) != want.items {
			t.Errorf("%s's history: %s, want %d items", name, raw, want.items)
		}
	}
	for _, path := range []string{"/healthz", "/ping", "/metrics", "/"} {
		if status, _, _ := call(t, http.MethodGet, p.URL+path, "", ""); status != http.StatusOK {
			t.Errorf("GET %s without a key: %d, want 200", path, status)
		}
	}
}
