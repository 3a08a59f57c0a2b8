package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/magitest"
)

// slowSimEnv is the simulated council slow enough that a deliberation is
// still running when a test acts on it (about 10 s in all).
func slowSimEnv(t *testing.T) map[string]string {
	return magitest.With(magitest.Env(t), "MAGI_PROVIDER", "sim", "MAGI_SIM_PACE", "40ms")
}

// startAsk starts `magi ask question` with stdout a pipe, and returns the
// process, the pipe's read end (positioned after the first sage's first
// line of text) and the deliberation's id, read from the view's header.
func startAsk(t *testing.T, env map[string]string, question string) (*procWait, *pipeReader, string) {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := magitest.Command(t, env, "ask", question)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = pw, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close() // the child holds the write end now
	p := &procWait{proc: cmd.Process, done: make(chan struct{}), stderr: &stderr}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.done; pr.Close() })
	r := &pipeReader{Reader: bufio.NewReader(pr), f: pr}
	id := ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("magi ask ended before any sage spoke: %v\nstderr:\n%s", err, stderr.String())
		}
		if _, rest, ok := strings.Cut(line, "deliberation "); ok && id == "" {
			id = strings.TrimSpace(rest)
		}
		if strings.Contains(line, "│") { // a sage's labelled text: it runs
			return p, r, id
		}
	}
}

// pipeReader reads the read end f of a pipe.
type pipeReader struct {
	*bufio.Reader
	f *os.File
}

// procWait is a started process and how it ended.
type procWait struct {
	proc   *os.Process
	done   chan struct{}
	err    error
	stderr *strings.Builder
}

// wait waits up to 30 s for the process to end and returns its exit code.
func (p *procWait) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("magi ask did not end 30 s after it was stopped")
	}
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(interface{ ExitCode() int }); ok {
		return ee.ExitCode()
	}
	t.Fatalf("magi ask: %v", p.err)
	return -1
}

// storedStatus is the status of deliberation id as `magi show --json`
// reads it from the store.
func storedStatus(t *testing.T, env map[string]string, id string) magi.Record {
	t.Helper()
	var rec magi.Record
	out := magitest.MustRun(t, env, "show", "--json", id).Stdout
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("magi show --json %s: %v\n%s", id, err, out)
	}
	return rec
}

// TestAsk_StopSignalsCancel: SIGTERM and SIGHUP (the terminal closed) end
// a local `magi ask` as Ctrl-C does: the deliberation is stored as
// cancelled, never left running.
func TestAsk_StopSignalsCancel(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			env := slowSimEnv(t)
			p, out, id := startAsk(t, env, "Should we adopt a four-day work week?")
			if err := p.proc.Signal(sig); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(out)
			if code := p.wait(t); code != 1 {
				t.Errorf("exit %d after %v, want 1", code, sig)
			}
			if !strings.Contains(string(rest), "MAGI ERROR [cancelled]") {
				t.Errorf("the view does not end saying cancelled:\n%s", rest)
			}
			if rec := storedStatus(t, env, id); rec.Status != magi.StatusCancelled {
				t.Errorf("stored status %s after %v, want cancelled", rec.Status, sig)
			}
		})
	}
}

// TestAsk_ClosedPipeCancels: `magi ask … | head` — the reader goes away —
// cancels the deliberation, stores it so, and says so once on stderr.
func TestAsk_ClosedPipeCancels(t *testing.T) {
	t.Parallel()
	env := slowSimEnv(t)
	p, out, id := startAsk(t, env, "Should we adopt a four-day work week?")
	out.f.Close() // as head does once it has its lines
	if code := p.wait(t); code != 1 {
		t.Errorf("exit %d after the pipe closed, want 1 (not killed by SIGPIPE)", code)
	}
	if rec := storedStatus(t, env, id); rec.Status != magi.StatusCancelled {
		t.Errorf("stored status %s after the pipe closed, want cancelled", rec.Status)
	}
	msg := "the output was closed"
	if n := strings.Count(p.stderr.String(), msg); n != 1 || !strings.Contains(p.stderr.String(), "magi show "+id) {
		t.Errorf("stderr says %q %d times, want once with magi show %s:\n%s", msg, n, id, p.stderr)
	}
}

// TestRm_Running: `magi rm` of a deliberation whose process was killed
// marks it interrupted and deletes it; of one whose process is alive, it
// refuses and says how to stop it.
func TestRm_Running(t *testing.T) {
	t.Parallel()
	env := slowSimEnv(t)
	live, _, liveID := startAsk(t, env, "Is this one still running?")
	r := magitest.Run(t, env, "rm", liveID)
	if r.Code != 1 || !strings.Contains(r.Stderr, "still running in a live magi process") || !strings.Contains(r.Stderr, "Ctrl-C") {
		t.Errorf("magi rm of a live deliberation: exit %d, stderr %q; want 1 and how to stop it", r.Code, r.Stderr)
	}

	dead, _, deadID := startAsk(t, env, "Was this one killed?")
	if err := dead.proc.Kill(); err != nil {
		t.Fatal(err)
	}
	dead.wait(t)
	r = magitest.Run(t, env, "rm", deadID)
	if r.Code != 0 || !strings.Contains(r.Stdout, "marked interrupted") || !strings.Contains(r.Stdout, "deleted "+deadID) {
		t.Errorf("magi rm of a killed deliberation: exit %d\nstdout %q\nstderr %q; want it marked interrupted and deleted", r.Code, r.Stdout, r.Stderr)
	}
	if r := magitest.Run(t, env, "show", deadID); r.Code == 0 {
		t.Errorf("magi show %s after magi rm found it", deadID)
	}
	if err := live.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	live.wait(t)
}
