// Package e2e tests the real `magi` binary: it is built once, then each
// test starts `magi serve` as a child process in front of a fake
// OpenAI-compatible upstream (internal/fakellm) and talks to it over HTTP,
// as a user, a browser or a reverse proxy would.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/fakellm"
)

// magiBin is the binary built by TestMain.
var magiBin string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "magi-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	magiBin = filepath.Join(dir, "magi")
	cmd := exec.Command("go", "build", "-o", magiBin, "./cmd/magi")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/magi: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// startFake serves a fakellm upstream for the test and returns it with its
// OpenAI base URL (ending in /v1).
func startFake(t *testing.T, cfg fakellm.Config) (*fakellm.Server, string) {
	t.Helper()
	fake := fakellm.New(cfg)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL + "/v1"
}

// openaiEnv is the environment that points magi at a fake upstream.
func openaiEnv(baseURL string) map[string]string {
	return map[string]string{"OPENAI_BASE_URL": baseURL, "MAGI_MODEL": "fake-model"}
}

// proc is a running `magi serve`.
type proc struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:41234.
	URL    string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
	err    error // set before done is closed
}

// startMagi runs `magi serve --addr 127.0.0.1:0` with a clean environment
// (temporary HOME, XDG_DATA_HOME and MAGI_DB) plus env, and waits until it
// answers /healthz. The process is stopped when the test ends.
func startMagi(t *testing.T, env map[string]string) *proc {
	t.Helper()
	p := &proc{stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(magiBin, "serve", "--addr", "127.0.0.1:0")
	p.cmd.Env = cleanEnv(t, env)
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(t) })
	addr := make(chan string, 1)
	go readStdout(stdout, addr)
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	select {
	case a := <-addr:
		p.URL = a
	case <-p.done:
		t.Fatalf("magi serve exited before listening: %v\n%s", p.err, p.stderr)
	case <-time.After(15 * time.Second):
		t.Fatalf("magi serve did not print its address\n%s", p.stderr)
	}
	p.waitHealthy(t)
	return p
}

// cleanEnv is a process environment with nothing of the test's own but
// PATH: temporary HOME, XDG_DATA_HOME and MAGI_DB, then env.
func cleanEnv(t *testing.T, env map[string]string) []string {
	dir := t.TempDir()
	base := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": filepath.Join(dir, "home"), "XDG_DATA_HOME": filepath.Join(dir, "data"),
		"MAGI_DB": filepath.Join(dir, "magi.db"), "MAGI_LOG_LEVEL": "debug",
	}
	for k, v := range env {
		base[k] = v
	}
	var out []string
	for k, v := range base {
		out = append(out, k+"="+v)
	}
	return out
}

// runMagi runs a magi command to its end and returns its stdout.
func runMagi(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	cmd := exec.Command(magiBin, args...)
	cmd.Env = cleanEnv(t, env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("magi %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// readStdout sends the address of the "MAGI listening on http://ADDR"
// line, then drains stdout.
func readStdout(r interface{ Read([]byte) (int, error) }, addr chan<- string) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "MAGI listening on "); i >= 0 && !sent {
			addr <- strings.TrimSpace(line[i+len("MAGI listening on "):])
			sent = true
		}
	}
}

func (p *proc) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("magi serve never became healthy\n%s", p.stderr)
}

// signal sends SIGTERM.
func (p *proc) terminate(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
}

// wait waits up to d for the process to exit and reports whether it did.
func (p *proc) wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// stop ends the process (SIGTERM, then SIGKILL) and logs its stderr when
// the test failed.
func (p *proc) stop(t *testing.T) {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		if !p.wait(10 * time.Second) {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if t.Failed() {
		t.Logf("magi serve stderr:\n%s", p.stderr)
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testCtx is a context that ends with the test or after d.
func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}
