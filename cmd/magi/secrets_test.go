package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// TestSecrets_NeverLeak runs magi serve with provider and cloud secrets in
// its environment and an API key, against an upstream that echoes the
// credentials it receives in its 401 errors, and greps every output —
// logs at debug level, every HTTP response (headers and body), the SSE
// stream, the CLI's commands and the raw database files — for any of them.
func TestSecrets_NeverLeak(t *testing.T) {
	secrets := map[string]string{
		"OPENAI_API_KEY":        "sk-test-SECRET-" + randHex(t, 12),
		"ANTHROPIC_API_KEY":     "sk-ant-test-SECRET-" + randHex(t, 12),
		"AWS_SECRET_ACCESS_KEY": "awsSECRET" + randHex(t, 16),
		"AWS_ACCESS_KEY_ID":     "AKIATEST" + strings.ToUpper(randHex(t, 6)),
	}
	up := &echoingUpstream{fake: fakellm.New(fakellm.Config{Words: 12})}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)

	env := magitest.With(magitest.Env(t), "MAGI_PROVIDER", "openai", "OPENAI_BASE_URL", upstream.URL+"/v1", "MAGI_MODEL", "fake",
		"MAGI_LOG_LEVEL", "debug", "MAGI_SIM_PACE", "1ms")
	for k, v := range secrets {
		env[k] = v
	}
	created := magitest.MustRun(t, env, "keys", "create", "leak-test")
	key := keyIn(t, created.Stdout) // the one output meant to show it
	secrets["the API key"] = key
	secrets["the API key's secret"] = key[len("magi_12345678_"):]

	outputs := map[string]string{}
	srv := magitest.StartServe(t, env)
	id := secretsSession(t, srv.URL, key, outputs)
	srv.Stop(t)
	outputs["serve stdout"], outputs["serve stderr"] = srv.Stdout.String(), srv.Stderr.String()

	for name, args := range map[string][]string{
		"magi agents": {"agents"}, "magi doctor": {"doctor"}, "magi history": {"history"},
		"magi show": {"show", id}, "magi show --json": {"show", "--json", id},
		"magi export": {"export", id}, "magi export --format json": {"export", "--format", "json", id},
		"magi keys list": {"keys", "list"}, "magi replay": {"replay", "--fast", id},
	} {
		r := magitest.Run(t, env, args...)
		outputs[name] = r.Stdout + r.Stderr
	}
	dbFiles, _ := filepath.Glob(env["MAGI_DB"] + "*")
	for _, f := range dbFiles {
		b, err := os.ReadFile(f)
		if err == nil {
			outputs["database file "+filepath.Base(f)] = string(b)
		}
	}

	if up.echoed() == 0 {
		t.Fatal("the upstream never answered with an echoing 401: nothing tempted a leak")
	}
	if !strings.Contains(outputs["GET record"], "authentication failed") {
		t.Errorf("the record does not show the failed agent:\n%s", outputs["GET record"])
	}
	for what, out := range outputs {
		for name, secret := range secrets {
			// The whole secret, or its last 12 characters (a truncated leak).
			for _, needle := range []string{secret, secret[len(secret)-12:]} {
				if i := strings.Index(out, needle); i >= 0 {
					t.Errorf("%s leaks %s: …%s…", what, name, out[max(0, i-80):min(len(out), i+len(needle)+20)])
				}
			}
		}
	}
}

// secretsSession uses every route of the API with key, and a few without
// or with a wrong one, recording each whole response in outputs; it
// returns the id of the deliberation it ran.
func secretsSession(t *testing.T, base, key string, outputs map[string]string) string {
	t.Helper()
	stream := call(t, outputs, "POST stream", "POST", base+"/api/deliberations", key, `{"question": "Shall we ship?"}`, "text/event-stream")
	var id string
	for _, line := range strings.Split(stream, "\n") {
		var e magi.Event
		if rest, ok := strings.CutPrefix(line, "data: "); ok && json.Unmarshal([]byte(rest), &e) == nil && id == "" {
			id = e.DeliberationID
		}
	}
	if id == "" || !strings.Contains(stream, `"type":"complete"`) {
		t.Fatalf("the deliberation did not complete:\n%s", stream)
	}
	d := base + "/api/deliberations/" + id
	for _, c := range []struct{ name, method, url, key string }{
		{"GET record", "GET", d, key}, {"GET list", "GET", base + "/api/deliberations", key},
		{"GET events", "GET", d + "/events", key}, {"GET export md", "GET", d + "/export", key},
		{"GET export json", "GET", d + "/export?format=json", key}, {"cancel ended", "POST", d + "/cancel", key},
		{"no key", "GET", d, ""}, {"wrong key", "GET", d, key[:len(key)-4] + "AAAA"},
		{"key with suffix", "GET", d, key + "x"}, {"unknown route", "GET", base + "/api/nope", key},
		{"metrics", "GET", base + "/metrics", ""}, {"healthz", "GET", base + "/healthz", ""},
		{"ping", "GET", base + "/ping", ""}, {"ui", "GET", base + "/", ""},
	} {
		call(t, outputs, c.name, c.method, c.url, c.key, "", "")
	}
	call(t, outputs, "invocations", "POST", base+"/invocations", key, `{"prompt": "And now?"}`, "")
	return id
}

// call sends one request and records its whole response (status line,
// headers, body) in outputs[name].
func call(t *testing.T, outputs map[string]string, name, method, url, key, body, accept string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(magitest.Context(t, time.Minute), method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := magitest.Client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer resp.Body.Close()
	dump, err := httputil.DumpResponse(resp, true)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	outputs[name] = string(dump)
	return string(dump)
}

// echoingUpstream is the fake OpenAI server, except that the first chat
// request and every model lookup fail with a 401 whose body and headers
// echo the Authorization the client sent — as some servers do.
type echoingUpstream struct {
	fake *fakellm.Server

	mu    sync.Mutex
	chats int
	n401  int
}

func (u *echoingUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	chat := strings.HasSuffix(r.URL.Path, "/chat/completions")
	if chat {
		u.chats++
	}
	echo := !chat || u.chats == 1
	if echo {
		u.n401++
	}
	u.mu.Unlock()
	if !echo {
		u.fake.ServeHTTP(w, r)
		return
	}
	auth := r.Header.Get("Authorization")
	msg, _ := json.Marshal(fmt.Sprintf("Incorrect API key provided: %s. You sent the key %s with Authorization: %s",
		strings.TrimPrefix(auth, "Bearer "), strings.TrimPrefix(auth, "Bearer "), auth))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo-Authorization", auth)
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"error": {"message": %s, "type": "invalid_request_error", "code": "invalid_api_key"}}`, msg)
}

func (u *echoingUpstream) echoed() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n401
}

// keyIn is the API key `magi keys create` printed.
func keyIn(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if f := strings.TrimSpace(line); strings.HasPrefix(f, "magi_") {
			if _, ok := magi.KeyID(f); ok {
				return f
			}
		}
	}
	t.Fatalf("no key in:\n%s", out)
	return ""
}

func randHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
