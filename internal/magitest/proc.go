package magitest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Result is how a one-shot magi command ended.
type Result struct {
	Stdout, Stderr string
	Code           int
	Took           time.Duration
}

// Command is `magi args…` with env, not started.
func Command(tb testing.TB, env map[string]string, args ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(Build(tb), args...)
	cmd.Env = Environ(env)
	return cmd
}

// Run runs `magi args…` with env and no stdin; tb fails if it takes more
// than 30 s or cannot start. A non-zero exit is in Result.Code.
func Run(tb testing.TB, env map[string]string, args ...string) Result {
	tb.Helper()
	bin := Build(tb)
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = Environ(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String(), Took: time.Since(began)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		tb.Fatalf("magi %s did not end in time\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Stdout, r.Stderr)
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	case err != nil:
		tb.Fatalf("magi %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// MustRun is Run, failing tb unless the command exits 0.
func MustRun(tb testing.TB, env map[string]string, args ...string) Result {
	tb.Helper()
	r := Run(tb, env, args...)
	if r.Code != 0 {
		tb.Fatalf("magi %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r
}

// Proc is a running magi process.
type Proc struct {
	// URL is the base URL of a `magi serve`, e.g. http://127.0.0.1:41234.
	URL string
	// Stdout and Stderr hold what the process wrote so far.
	Stdout, Stderr *Buffer
	cmd            *exec.Cmd
	done           chan struct{}
	err            error // set before done is closed
}

// Start starts `magi args…` with env; it is stopped when the test ends.
func Start(tb testing.TB, env map[string]string, args ...string) *Proc {
	tb.Helper()
	return start(tb, nil, env, args)
}

func start(tb testing.TB, log io.Writer, env map[string]string, args []string) *Proc {
	tb.Helper()
	return startAs(tb, log, nil, env, args)
}

func startAs(tb testing.TB, log io.Writer, cred *syscall.Credential, env map[string]string, args []string) *Proc {
	tb.Helper()
	p := &Proc{Stdout: newBuffer(), Stderr: newBuffer(), done: make(chan struct{}), cmd: Command(tb, env, args...)}
	if cred != nil {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	p.cmd.Stdout, p.cmd.Stderr = io.Writer(p.Stdout), io.Writer(p.Stderr)
	if log != nil {
		p.cmd.Stdout, p.cmd.Stderr = io.MultiWriter(p.Stdout, log), io.MultiWriter(p.Stderr, log)
	}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() { p.Stop(tb) })
	return p
}

// StartServe starts `magi serve --addr 127.0.0.1:0 args…` with env and
// waits until it prints the address it listens on, which becomes URL.
func StartServe(tb testing.TB, env map[string]string, args ...string) *Proc {
	tb.Helper()
	return StartServeLog(tb, nil, env, args...)
}

// StartServeLog is StartServe that also copies both outputs of the
// server to log (when not nil) as they are written.
func StartServeLog(tb testing.TB, log io.Writer, env map[string]string, args ...string) *Proc {
	tb.Helper()
	return serveAs(tb, log, nil, env, args)
}

// StartServeAs is StartServe as the user of cred (nil: this process's),
// for the tests of file permissions, which root ignores.
func StartServeAs(tb testing.TB, cred *syscall.Credential, env map[string]string, args ...string) *Proc {
	tb.Helper()
	return serveAs(tb, nil, cred, env, args)
}

func serveAs(tb testing.TB, log io.Writer, cred *syscall.Credential, env map[string]string, args []string) *Proc {
	tb.Helper()
	p := startAs(tb, log, cred, env, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	const prefix = "MAGI listening on "
	timeout := time.After(20 * time.Second)
	for {
		out := p.Stdout.String()
		if i := strings.Index(out, prefix); i >= 0 && strings.Contains(out[i:], "\n") {
			p.URL = strings.TrimSpace(strings.SplitN(out[i+len(prefix):], "\n", 2)[0])
			return p
		}
		select {
		case <-p.Stdout.changed:
		case <-p.done:
			tb.Fatalf("magi serve exited before listening: %v\n%s", p.err, p.Stderr)
		case <-timeout:
			tb.Fatalf("magi serve did not print its address\n%s", p.Stderr)
		}
	}
}

// WaitHealthy waits up to 10 s for GET /healthz to answer 200.
func (p *Proc) WaitHealthy(tb testing.TB) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if p.Wait(0) {
			tb.Fatalf("magi serve exited: %v\n%s", p.err, p.Stderr)
		}
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	tb.Fatalf("magi serve never became healthy\n%s", p.Stderr)
}

// PID is the process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Signal sends sig to the process.
func (p *Proc) Signal(tb testing.TB, sig os.Signal) {
	tb.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("signal %v: %v", sig, err)
	}
}

// Kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *Proc) Kill(tb testing.TB) {
	tb.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		tb.Fatalf("kill -9: %v", err)
	}
	<-p.done
}

// Wait waits up to d for the process to exit and reports whether it did.
func (p *Proc) Wait(d time.Duration) bool {
	if d <= 0 {
		select {
		case <-p.done:
			return true
		default:
			return false
		}
	}
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// Err is how the process ended (nil for exit status 0); call it once Wait
// reported the exit.
func (p *Proc) Err() error {
	<-p.done
	return p.err
}

// ExitCode is the exit status of the ended process.
func (p *Proc) ExitCode() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// Stop ends the process (SIGTERM, then SIGKILL after 10 s) and logs its
// output when the test failed. The test's cleanup calls it.
func (p *Proc) Stop(tb testing.TB) {
	if !p.Wait(0) {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		if !p.Wait(10 * time.Second) {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	if tb.Failed() {
		tb.Logf("magi %s %s\nstdout:\n%s\nstderr:\n%s", strings.Join(p.cmd.Args[1:], " "), p.URL, p.Stdout, p.Stderr)
	}
}

// Buffer is a bytes.Buffer safe for one writer and many readers.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // one pending signal after each Write
}

func newBuffer() *Buffer { return &Buffer{changed: make(chan struct{}, 1)} }

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.changed != nil {
		select {
		case b.changed <- struct{}{}:
		default:
		}
	}
	return n, err
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
