package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
)

// Helpers of the tests that run the real magi binary (magiBin, built by
// TestMain): a clean environment, one-shot commands, `magi serve` as a
// child process, a fake upstream, and an SSE client of its API. Any test
// file of this package may use them.

// cleanEnv is an environment with nothing of the user's: HOME and
// XDG_DATA_HOME in a temporary directory, MAGI_DB a SQLite file there.
func cleanEnv(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	return map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": filepath.Join(dir, "home"),
		"XDG_DATA_HOME": filepath.Join(dir, "data"), "MAGI_DB": filepath.Join(dir, "magi.db"),
	}
}

// simEnv is cleanEnv with the simulated council at a fast pace.
func simEnv(t *testing.T) map[string]string {
	env := cleanEnv(t)
	env["MAGI_PROVIDER"], env["MAGI_SIM_PACE"] = "sim", "1ms"
	return env
}

// with returns a copy of env with the pairs k1, v1, k2, v2 … set.
func with(env map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(env)+len(kv)/2)
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// result is how a magi command ended.
type result struct {
	Stdout, Stderr string
	Code           int
	Took           time.Duration
}

// runMagi runs `magi args…` with env and no stdin; the test fails if it
// takes more than 30 s.
func runMagi(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, magiBin, args...)
	cmd.Env = environ(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	r := result{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(began)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("magi %s did not end in time\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Stdout, r.Stderr)
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		t.Fatalf("magi %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustMagi runs `magi args…` and fails the test unless it exits 0.
func mustMagi(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	r := runMagi(t, env, args...)
	if r.Code != 0 {
		t.Fatalf("magi %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r
}

// startFake serves a fake OpenAI-compatible upstream for the test and
// returns it with its base URL (ending in /v1).
func startFake(t *testing.T, cfg fakellm.Config) (*fakellm.Server, string) {
	t.Helper()
	fake := fakellm.New(cfg)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL + "/v1"
}

// fakeEnv points magi at the fake upstream at baseURL.
func fakeEnv(env map[string]string, baseURL string) map[string]string {
	return with(env, "OPENAI_BASE_URL", baseURL, "MAGI_MODEL", "fake")
}

// serveProc is a running `magi serve`.
type serveProc struct {
	// URL is its base URL, e.g. http://127.0.0.1:41234.
	URL    string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
	err    error // set before done is closed
}

// startServe runs `magi serve --addr 127.0.0.1:0` with env and waits until
// it listens. The process is stopped when the test ends.
func startServe(t *testing.T, env map[string]string) *serveProc {
	t.Helper()
	p := &serveProc{stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(magiBin, "serve", "--addr", "127.0.0.1:0")
	p.cmd.Env = environ(env)
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
	go scanAddress(stdout, addr)
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	select {
	case a := <-addr:
		p.URL = a
	case <-p.done:
		t.Fatalf("magi serve exited before listening: %v\n%s", p.err, p.stderr)
	case <-time.After(20 * time.Second):
		t.Fatalf("magi serve did not print its address\n%s", p.stderr)
	}
	return p
}

// scanAddress sends the ADDR of the "MAGI listening on ADDR" line, then
// drains r.
func scanAddress(r interface{ Read([]byte) (int, error) }, addr chan<- string) {
	const prefix = "MAGI listening on "
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		if i := strings.Index(sc.Text(), prefix); i >= 0 && !sent {
			addr <- strings.TrimSpace(sc.Text()[i+len(prefix):])
			sent = true
		}
	}
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *serveProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	<-p.done
}

// stop ends the process (SIGTERM, then SIGKILL) and logs its stderr when
// the test failed.
func (p *serveProc) stop(t *testing.T) {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if t.Failed() {
		t.Logf("magi serve %s stderr:\n%s", p.URL, p.stderr)
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and readers.
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

// testCtx ends with the test or after d.
func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// noESC fails the test if out holds an ESC byte (a colour or cursor
// sequence where plain text was due).
func noESC(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexByte(out, 0x1b); i >= 0 {
		t.Errorf("%s holds an ESC byte at %d: %q", what, i, out[max(0, i-20):min(len(out), i+20)])
	}
}

// client never decompresses, and never times out a stream on its own.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// sseEvent is one event as the client received it.
type sseEvent struct {
	// ID is the `id:` field and Data the raw `data:` payload.
	ID, Data string
	// At is when the client read the end of the event.
	At time.Time
	// Event is Data decoded.
	Event magi.Event
}

// sseStream reads a text/event-stream response one event at a time.
type sseStream struct {
	resp *http.Response
	r    *bufio.Reader
}

// Next returns the next event; io.EOF at the clean end of the stream.
func (s *sseStream) Next() (sseEvent, error) {
	var ev sseEvent
	var data []string
	seen := false
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && seen {
				return ev, io.ErrUnexpectedEOF
			}
			return ev, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "" && seen:
			ev.Data, ev.At = strings.Join(data, "\n"), time.Now()
			if err := json.Unmarshal([]byte(ev.Data), &ev.Event); err != nil {
				return ev, fmt.Errorf("event data %q: %w", ev.Data, err)
			}
			return ev, nil
		case strings.HasPrefix(line, "id:"):
			ev.ID, seen = strings.TrimSpace(strings.TrimPrefix(line, "id:")), true
		case strings.HasPrefix(line, "data:"):
			data, seen = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " ")), true
		}
	}
}

// All reads the rest of the stream, failing the test on a broken one.
func (s *sseStream) All(t *testing.T) []sseEvent {
	t.Helper()
	var out []sseEvent
	for {
		ev, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("reading the stream after %d events: %v", len(out), err)
		}
		out = append(out, ev)
	}
}

// Until reads events until one satisfies ok, failing the test if the
// stream ends first.
func (s *sseStream) Until(t *testing.T, ok func(magi.Event) bool) []sseEvent {
	t.Helper()
	var out []sseEvent
	for {
		ev, err := s.Next()
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		out = append(out, ev)
		if ok(ev.Event) {
			return out
		}
	}
}

// Close drops the connection.
func (s *sseStream) Close() { s.resp.Body.Close() }

// openStream sends req and checks it answered 200 text/event-stream.
func openStream(t *testing.T, req *http.Request) *sseStream {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("%s %s: %d %s: %s", req.Method, req.URL, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sseStream{resp: resp, r: bufio.NewReader(resp.Body)}
}

// askStream starts a deliberation whose events stream in the POST's
// response.
func askStream(ctx context.Context, t *testing.T, base, question string) *sseStream {
	t.Helper()
	body := fmt.Sprintf(`{"question": %q}`, question)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/deliberations", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	return openStream(t, req)
}

// startDeliberation starts a deliberation without streaming (202) and
// returns its id.
func startDeliberation(t *testing.T, base, question string) string {
	t.Helper()
	var m map[string]string
	getJSON(t, http.MethodPost, base+"/api/deliberations", fmt.Sprintf(`{"question": %q}`, question), http.StatusAccepted, &m)
	if m["id"] == "" || m["status"] != "running" {
		t.Fatalf("POST /api/deliberations answered %v", m)
	}
	return m["id"]
}

// eventsOf opens GET /api/deliberations/{id}/events after lastID ("" for
// all).
func eventsOf(ctx context.Context, t *testing.T, base, id, lastID string) *sseStream {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/deliberations/"+id+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	return openStream(t, req)
}

// getJSON sends body (none when empty), checks the status, decodes the
// answer into out (when not nil) and returns it raw.
func getJSON(t *testing.T, method, url, body string, status int, out any) []byte {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, url, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	return raw
}

// recordOf fetches GET /api/deliberations/{id}.
func recordOf(t *testing.T, base, id string) magi.Record {
	t.Helper()
	var rec magi.Record
	getJSON(t, http.MethodGet, base+"/api/deliberations/"+id, "", http.StatusOK, &rec)
	return rec
}

// checkSeq fails the test unless the events are seq 1, 2, … N, each with
// id equal to its seq: no gap, no duplicate.
func checkSeq(t *testing.T, evs []sseEvent) {
	t.Helper()
	for i, ev := range evs {
		if want := int64(i + 1); ev.Event.Seq != want || ev.ID != fmt.Sprint(want) {
			t.Fatalf("event %d has id %q seq %d, want %d: %s", i, ev.ID, ev.Event.Seq, want, ev.Data)
		}
	}
}

// datas is the raw data of each event.
func datas(evs []sseEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Data
	}
	return out
}

// lastEvent is the last event, failing the test on an empty stream.
func lastEvent(t *testing.T, evs []sseEvent) magi.Event {
	t.Helper()
	if len(evs) == 0 {
		t.Fatal("the stream had no events")
	}
	return evs[len(evs)-1].Event
}

// chunks reports when n chunk events have arrived.
func chunks(n int) func(magi.Event) bool {
	seen := 0
	return func(e magi.Event) bool {
		if e.Type == magi.EventChunk {
			seen++
		}
		return seen >= n
	}
}

// isInterrupted reports whether e is the fatal `interrupted` error.
func isInterrupted(e magi.Event) bool {
	return e.Type == magi.EventError && e.Fatal && e.Code == magi.EINTERRUPTED
}
