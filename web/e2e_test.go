package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// chromium is Debian's browser; the tests never download one.
const chromium = "/usr/bin/chromium"

func TestMain(m *testing.M) {
	os.Exit(magitest.Main(m))
}

// need skips the test when a program is missing, or fails it under CI.
func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (CI=true: nothing may be skipped)", what)
	}
	t.Skipf("%s is missing", what)
}

// needBrowser skips a browser test under -short (outside CI) and when node
// or chromium is missing (failing when CI=true); it returns the
// repository's root, where the browser tests run.
func needBrowser(t *testing.T) string {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser tests are slow; -short skips them")
	}
	_, errNode := exec.LookPath("node")
	need(t, errNode == nil, "node")
	_, errChromium := os.Stat(chromium)
	need(t, errChromium == nil, chromium)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestBrowser drives the real page in Debian's chromium against a real
// magi serve whose model is the fake OpenAI-compatible upstream, and a
// second one on the simulated provider.
func TestBrowser(t *testing.T) {
	root := needBrowser(t)
	tmp := t.TempDir()

	var exfilHits atomic.Int64
	exfil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exfilHits.Add(1)
		t.Logf("exfil server hit: %s %s", r.Method, r.URL)
	}))
	defer exfil.Close()
	fake := httptest.NewServer(fakellm.New(fakellm.Config{Script: script(exfil.URL)}))
	defer fake.Close()

	real := serve(t, tmp, "real", "OPENAI_BASE_URL", fake.URL+"/v1", "OPENAI_API_KEY", "test-key", "MAGI_MODEL", "fake")
	// sim has a saved council, frugal, saved with the CLI before it starts.
	saveCouncil(t, tmp, "sim", "frugal", frugalYAML)
	sim := serve(t, tmp, "sim", "MAGI_PROVIDER", "sim", "MAGI_SIM_PACE", "5ms")
	// keyed needs an API key: one is made with the binary before it starts.
	key := createKey(t, filepath.Join(tmp, "auth.db"))
	keyed := serve(t, tmp, "auth", "OPENAI_BASE_URL", fake.URL+"/v1", "OPENAI_API_KEY", "test-key", "MAGI_MODEL", "fake")
	// limited runs one deliberation at a time; "[slow]" questions keep it busy.
	limited := serve(t, tmp, "limit", "OPENAI_BASE_URL", fake.URL+"/v1", "OPENAI_API_KEY", "test-key", "MAGI_MODEL", "fake", "MAGI_MAX_RUNNING", "1")
	paging := serve(t, tmp, "paging", "MAGI_PROVIDER", "sim", "MAGI_SIM_PACE", "0")
	// traced exports its spans to a collector in this test process.
	spans := startCollector(t)
	traced := serve(t, tmp, "traced", "OPENAI_BASE_URL", fake.URL+"/v1", "OPENAI_API_KEY", "test-key", "MAGI_MODEL", "fake",
		"OTEL_EXPORTER_OTLP_ENDPOINT", spans, "OTEL_BSP_SCHEDULE_DELAY", "50")
	// sso signs users in through an identity provider that runs in this
	// test process.
	idp, sso := serveSSO(t, tmp, fake.URL+"/v1")

	fixtures := map[string]any{"exfil": exfil.URL, "slow": map[magi.AgentID]string{}}
	for _, a := range magi.Members {
		fixtures["slow"].(map[magi.AgentID]string)[a] = slowText(a)
	}
	fixturePath := filepath.Join(tmp, "fixtures.json")
	if b, err := json.Marshal(fixtures); err != nil || os.WriteFile(fixturePath, b, 0o644) != nil {
		t.Fatalf("fixtures: %v", err)
	}

	e2e := filepath.Join(root, "web", "e2e")
	npmCI(t, e2e)
	shots := os.Getenv("MAGI_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(e2e, "screenshots")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	// MAGI_E2E=glance,states runs only those files (web/e2e/NAME.test.mjs).
	files := []string{"web/e2e/"}
	runs := func(string) bool { return true }
	if only := os.Getenv("MAGI_E2E"); only != "" {
		files = nil
		picked := map[string]bool{}
		for _, name := range strings.Split(only, ",") {
			picked[strings.TrimSpace(name)] = true
			files = append(files, "web/e2e/"+strings.TrimSpace(name)+".test.mjs")
		}
		runs = func(name string) bool { return picked[name] }
	}
	node := exec.CommandContext(ctx, "node", append([]string{"--test", "--test-concurrency=1"}, files...)...)
	node.Dir = root
	node.Env = append(os.Environ(), "MAGI_URL="+real, "MAGI_SIM_URL="+sim, "MAGI_FIXTURES="+fixturePath,
		"MAGI_SCREENSHOTS="+shots, "CHROMIUM="+chromium,
		"MAGI_AUTH_URL="+keyed, "MAGI_AUTH_KEY="+key, "MAGI_AUTH_LOG="+filepath.Join(tmp, "auth.log"),
		"MAGI_LIMIT_URL="+limited, "MAGI_PAGING_URL="+paging, "MAGI_TRACED_URL="+traced, "MAGI_SPANS_URL="+spans,
		"MAGI_SSO_URL="+sso, "MAGI_IDP_URL="+idp.Issuer, "MAGI_SSO_LOG="+filepath.Join(tmp, "sso.log"))
	out, err := node.CombinedOutput()
	t.Logf("node --test web/e2e/:\n%s", out)
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
	if runs("auth") {
		if b, err := os.ReadFile(filepath.Join(tmp, "auth.log")); err != nil || len(b) == 0 || strings.Contains(string(b), key) {
			t.Errorf("the keyed server's log (read error %v, %d bytes) must exist and never contain the API key", err, len(b))
		}
	}
	if runs("signin") {
		checkSSO(t, idp, filepath.Join(tmp, "sso.log"))
	}
	if n := exfilHits.Load(); n != 0 {
		t.Errorf("the exfiltration URL was requested %d times; model output must never load anything", n)
	}
}

// npmCI installs the browser tests' packages (package-lock.json) into
// e2e/node_modules unless they are there.
func npmCI(t *testing.T, e2e string) {
	t.Helper()
	if installed(e2e, "playwright-core", "axe-core") {
		return
	}
	_, errNpm := exec.LookPath("npm")
	need(t, errNpm == nil, "npm")
	npm := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	npm.Dir = e2e
	if out, err := npm.CombinedOutput(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}
}

// installed reports whether every package of names is in dir's node_modules.
func installed(dir string, names ...string) bool {
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", n, "package.json")); err != nil {
			return false
		}
	}
	return true
}

// frugalYAML is the council the browser tests pick: an agents file's
// agents, with personas of their own.
const frugalYAML = `rule: majority
agents:
  melchior:
    persona: You are the accountant of the council. You weigh every proposal by its cost and its payback period.
    model: sim-frugal
  casper:
    persona: You ask what it costs per year, and who pays for it.
  solomon:
    persona: You judge the sages by the value for money of what they propose.
`

// saveCouncil runs `magi councils save name FILE --db tmp/db.db` with the
// simulated council, as a user would from a fresh clone.
func saveCouncil(t *testing.T, tmp, db, name, yaml string) {
	t.Helper()
	path := filepath.Join(tmp, name+".yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := magitest.MustRun(t, magitest.With(magitest.Env(t), "MAGI_PROVIDER", "sim"), "councils", "save", name, path, "--db", filepath.Join(tmp, db+".db"))
	if !strings.Contains(r.Stdout, "Saved the shared council "+name) {
		t.Fatalf("magi councils save: %s%s", r.Stdout, r.Stderr)
	}
}

// keyPattern is the shape of an API key printed by `magi keys create`.
var keyPattern = regexp.MustCompile(`magi_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}`)

// createKey runs `magi keys create e2e --db db` and returns the key it
// prints once.
func createKey(t *testing.T, db string) string {
	t.Helper()
	r := magitest.MustRun(t, magitest.Env(t), "keys", "create", "e2e", "--db", db)
	out := r.Stdout + r.Stderr
	keys := keyPattern.FindAllString(out, -1)
	if len(keys) != 1 {
		t.Fatalf("magi keys create printed %d keys, want 1:\n%s", len(keys), out)
	}
	return keys[0]
}

// serve starts `magi serve --db tmp/name.db` in a clean environment plus
// the pairs kv, logging both of its outputs to tmp/name.log, and waits for
// /healthz; it is stopped when the test ends.
func serve(t *testing.T, tmp, name string, kv ...string) string {
	t.Helper()
	return serveOn(t, tmp, name, "", kv...)
}

// serveOn is serve on addr ("": any free port of 127.0.0.1).
func serveOn(t *testing.T, tmp, name, addr string, kv ...string) string {
	t.Helper()
	log, err := os.Create(filepath.Join(tmp, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() }) // after the server stopped
	args := []string{"--db", filepath.Join(tmp, name+".db")}
	if addr != "" {
		args = append(args, "--addr", addr)
	}
	p := magitest.StartServeLog(t, log, magitest.With(magitest.Env(t), kv...), args...)
	p.WaitHealthy(t)
	return p.URL
}
