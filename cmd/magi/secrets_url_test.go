package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magi-system/magi/internal/magitest"
)

// TestSecrets_BaseURLCredentials plants credentials inside the providers'
// base URLs (user:password@, ?api-key=, token=, access_token=, sig=) and
// API keys, points MELCHIOR and BALTHASAR at an OpenAI-compatible gateway
// that answers 404 and CASPER and SOLOMON at an Anthropic endpoint that
// refuses connections, so that every error names its endpoint; then greps
// every output for the secrets: `magi agents`, `doctor`, `ask` (live and
// --json), the server's logs and responses (stream, record, history,
// exports), `show`, `export`, `replay` and the database file.
func TestSecrets_BaseURLCredentials(t *testing.T) {
	secrets := map[string]string{
		"OpenAI URL password":       "pwOPENAI" + randHex(t, 8),
		"OpenAI api-key parameter":  "qAPIKEY" + randHex(t, 8),
		"OpenAI token parameter":    "qTOKEN" + randHex(t, 8),
		"Anthropic URL password":    "pwANTHROPIC" + randHex(t, 8),
		"Anthropic sig parameter":   "qSIG" + randHex(t, 8),
		"Anthropic access_token":    "qACCESS" + randHex(t, 8),
		"OPENAI_API_KEY":            "sk-test-SECRET-" + randHex(t, 12),
		"ANTHROPIC_API_KEY":         "sk-ant-test-SECRET-" + randHex(t, 12),
		"OpenAI key= parameter":     "qKEY" + randHex(t, 8),
		"Anthropic secret in query": "qSECRET" + randHex(t, 8),
	}
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such route here", http.StatusNotFound)
	}))
	t.Cleanup(gateway.Close)
	openaiURL := "http://magi:" + secrets["OpenAI URL password"] + "@" + strings.TrimPrefix(gateway.URL, "http://") +
		"/v1?api-key=" + secrets["OpenAI api-key parameter"] + "&token=" + secrets["OpenAI token parameter"] + "&key=" + secrets["OpenAI key= parameter"]
	anthropicURL := "http://magi:" + secrets["Anthropic URL password"] + "@" + closedAddr(t) +
		"/?sig=" + secrets["Anthropic sig parameter"] + "&access_token=" + secrets["Anthropic access_token"] + "&client_secret=" + secrets["Anthropic secret in query"]
	dir := t.TempDir()
	agents := filepath.Join(dir, "agents.yaml")
	if err := os.WriteFile(agents, []byte("agents:\n  casper:\n    provider: anthropic\n    model: claude-x\n  solomon:\n    provider: anthropic\n    model: claude-x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := magitest.With(magitest.Env(t), "MAGI_PROVIDER", "openai", "MAGI_MODEL", "fake", "MAGI_CONFIG", agents,
		"OPENAI_BASE_URL", openaiURL, "ANTHROPIC_BASE_URL", anthropicURL,
		"OPENAI_API_KEY", secrets["OPENAI_API_KEY"], "ANTHROPIC_API_KEY", secrets["ANTHROPIC_API_KEY"], "MAGI_LOG_LEVEL", "debug")

	outputs := map[string]string{}
	for name, args := range map[string][]string{
		"magi agents": {"agents"}, "magi doctor": {"doctor"},
		"magi ask": {"ask", "--plain", "Shall we ship?"}, "magi ask --json": {"ask", "--json", "Shall we ship?"},
	} {
		r := magitest.Run(t, env, args...)
		outputs[name] = r.Stdout + r.Stderr
	}
	srv := magitest.StartServe(t, env)
	stream := call(t, outputs, "POST stream", "POST", srv.URL+"/api/deliberations", "", `{"question": "Shall we ship?"}`, "text/event-stream")
	id := idIn(t, stream)
	d := srv.URL + "/api/deliberations/" + id
	for name, url := range map[string]string{"GET record": d, "GET list": srv.URL + "/api/deliberations", "GET events": d + "/events",
		"GET export md": d + "/export", "GET export json": d + "/export?format=json"} {
		call(t, outputs, name, "GET", url, "", "", "")
	}
	srv.Stop(t)
	outputs["serve stdout"], outputs["serve stderr"] = srv.Stdout.String(), srv.Stderr.String()
	for name, args := range map[string][]string{
		"magi show": {"show", id}, "magi show --json": {"show", "--json", id}, "magi history": {"history"},
		"magi export": {"export", id}, "magi export --format json": {"export", "--format", "json", id}, "magi replay": {"replay", "--fast", "--plain", id},
	} {
		r := magitest.Run(t, env, args...)
		outputs[name] = r.Stdout + r.Stderr
	}
	dbFiles, _ := filepath.Glob(env["MAGI_DB"] + "*")
	for _, f := range dbFiles {
		if b, err := os.ReadFile(f); err == nil {
			outputs["database file "+filepath.Base(f)] = string(b)
		}
	}

	// The errors must still say where: the endpoints, without credentials.
	for what, want := range map[string]string{"magi doctor": "@127.0.0.1:", "GET record": "not found", "magi agents": "api-key=[redacted]"} {
		if !strings.Contains(outputs[what], want) {
			t.Errorf("%s does not show %q:\n%s", what, want, outputs[what])
		}
	}
	for what, out := range outputs {
		for name, secret := range secrets {
			if i := strings.Index(out, secret); i >= 0 {
				t.Errorf("%s leaks the %s: …%s…", what, name, out[max(0, i-100):min(len(out), i+len(secret)+20)])
			}
		}
	}
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// idIn is the deliberation id of the first event of a dumped stream.
func idIn(t *testing.T, dump string) string {
	t.Helper()
	_, rest, ok := strings.Cut(dump, `"deliberation_id":"`)
	id, _, ok2 := strings.Cut(rest, `"`)
	if !ok || !ok2 || id == "" {
		t.Fatalf("no deliberation in the stream:\n%s", dump)
	}
	return id
}
