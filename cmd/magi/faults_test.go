package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faultproxy"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
	"github.com/magi-system/magi/store/postgres"
)

// TestServe_InProcessFaults runs `magi serve` inside the test process, on
// PostgreSQL, with faults on its model and its database (the suite of
// faults/ runs it as a child process), so that its goroutines can be
// counted: once it has shut down, every goroutine it started — journal,
// runner, recovery, the store's watcher and lock, streams, model calls —
// has ended. Not parallel: the count is the whole process's.
func TestServe_InProcessFaults(t *testing.T) {
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	pg := faulttest.StartPostgres(t, r.Child())
	model := faulttest.StartModel(t, fakellm.Config{Words: 40, Gap: 4 * time.Millisecond}, r.Child())
	cfg := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(cfg, []byte("defaults:\n  timeout: 4s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := magitest.With(magitest.Env(t), "OPENAI_BASE_URL", model.URL, "MAGI_MODEL", "fake-model", "MAGI_DB", pg.URL,
		"MAGI_CONFIG", cfg, "MAGI_LOG_LEVEL", "error", "MAGI_SHUTDOWN_GRACE", "1s")
	before := settledGoroutines()

	st, err := postgres.Open(t.Context(), pg.Direct, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	base, done := serveInProcess(ctx, t, env)
	cs := faulttest.NewClients()
	steps := [][]faulttest.Step{
		{faulttest.ProxyStep("model", model.Proxy, faultproxy.Fault{Kind: faultproxy.Reset}, 200*time.Millisecond, time.Second)},
		{faulttest.ProxyStep("store", pg.Proxy, faultproxy.Fault{Kind: faultproxy.Refuse}, 200*time.Millisecond, time.Second)},
		{faulttest.ProxyStep("model", model.Proxy, faultproxy.Fault{Kind: faultproxy.HalfOpen}, 100*time.Millisecond, 800*time.Millisecond),
			faulttest.ProxyStep("store", pg.Proxy, faultproxy.Fault{Kind: faultproxy.Reset, After: 50 * time.Millisecond}, 300*time.Millisecond, 500*time.Millisecond)},
	}
	for i, run := range steps {
		rctx := magitest.Context(t, time.Minute)
		wait := faulttest.Schedule(rctx, run)
		clients := faulttest.Drive(rctx, cs, base, r, faulttest.Load{Deliberations: 4, Watchers: 1, Join: 500 * time.Millisecond, Question: fmt.Sprint("in process ", i)})
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		faulttest.WaitHealthy(rctx, v, base, http.StatusOK, 15*time.Second)
		faulttest.WaitSettled(rctx, v, st, 15*time.Second)
		faulttest.CheckClients(rctx, v, st, clients)
		faulttest.CheckRun(rctx, v, st, clients)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("magi serve: %v", err)
	}
	faulttest.CheckStore(t.Context(), v, st)
	st.Close()
	cs.CloseIdle()
	model.DropIdle()
	http.DefaultClient.CloseIdleConnections()
	magitest.Client.CloseIdleConnections()
	var after int
	await.Until(10*time.Second, func() bool { // goroutines of closed connections end on their own time
		after = settledGoroutines()
		return after <= before
	})
	t.Logf("goroutines: %d before magi serve started, %d once it shut down", before, after)
	if after > before {
		var stacks bytes.Buffer
		_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		v.Errorf("leak: %d goroutines once magi serve shut down, %d before it started:\n%s", after, before, stacks.String())
	}
}

// settledGoroutines counts the goroutines once the runtime has had a
// moment to end those already finishing.
func settledGoroutines() int {
	runtime.Gosched()
	return runtime.NumGoroutine()
}

// serveInProcess runs `magi serve` on a free port in this process until
// ctx ends; it returns its base URL and the channel of its result.
func serveInProcess(ctx context.Context, t *testing.T, env map[string]string) (string, <-chan error) {
	t.Helper()
	out := &lineWaiter{lines: make(chan string, 16)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] },
			strings.NewReader(""), out, &bytes.Buffer{})
	}()
	select {
	case line := <-out.lines:
		base, ok := strings.CutPrefix(strings.TrimSpace(line), "MAGI listening on ")
		if !ok {
			t.Fatalf("magi serve said %q", line)
		}
		return base, done
	case err := <-done:
		t.Fatalf("magi serve ended at start: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("magi serve did not start listening")
	}
	return "", nil
}

// lineWaiter passes on what is written to it, line by line.
type lineWaiter struct {
	mu    sync.Mutex
	buf   []byte
	lines chan string
}

func (w *lineWaiter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		select {
		case w.lines <- string(w.buf[:i]):
		default:
		}
		w.buf = w.buf[i+1:]
	}
}
