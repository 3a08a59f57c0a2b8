package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a `magi serve` child process.
type server struct {
	URL   string
	cmd   *exec.Cmd
	done  chan error
	mu    sync.Mutex
	tail  []string // the last lines of its stderr
	store string
}

// startServer starts bin as `magi serve` on a free loopback port, storing
// in db (a SQLite path or a postgres:// URL), with its model at modelURL.
func startServer(ctx context.Context, bin, db, modelURL string) (*server, error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db)
	cmd.Env = append(cleanEnv(), "MAGI_PROVIDER=openai", "MAGI_MODEL=fake-model",
		"OPENAI_BASE_URL="+modelURL, "OPENAI_API_KEY=bench", "MAGI_MAX_RUNNING=100000",
		"MAGI_LOG_LEVEL=error", "MAGI_SHUTDOWN_GRACE=2s",
		"MAGI_STREAMS_PER_KEY=0", "MAGI_STREAMS_PER_ADDR=0") // the bench's thousands of streams come from one address
	cmd.SysProcAttr = childAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1), store: storeName(db)}
	go s.keepTail(stderr)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "MAGI listening on "); ok {
				addr <- u
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.URL = <-addr:
		return s, nil
	case err := <-s.done:
		s.done <- err
		return nil, fmt.Errorf("magi serve exited at start: %v: %s", err, s.stderr())
	case <-time.After(30 * time.Second):
		_ = s.stop()
		return nil, errors.New("magi serve did not start listening within 30s: " + s.stderr())
	case <-ctx.Done():
		_ = s.stop()
		return nil, ctx.Err()
	}
}

// cleanEnv is the bench's environment without MAGI's and the providers'
// settings, which the bench sets itself. MAGI_PPROF passes through, so a
// run can be profiled (docs/BENCHMARKS.md).
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "MAGI_PPROF" && strings.HasPrefix(k, "MAGI_") || strings.HasPrefix(k, "OPENAI_") ||
			strings.HasPrefix(k, "ANTHROPIC_") || strings.HasPrefix(k, "AWS_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func storeName(db string) string {
	if strings.HasPrefix(db, "postgres") {
		return "postgres"
	}
	return "sqlite"
}

// keepTail keeps the last 20 lines of the server's stderr for errors.
func (s *server) keepTail(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		s.mu.Lock()
		s.tail = append(s.tail, sc.Text())
		if len(s.tail) > 20 {
			s.tail = s.tail[1:]
		}
		s.mu.Unlock()
	}
}

func (s *server) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}

// stop ends the server with SIGTERM, then SIGKILL after 15 s.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("magi serve: %v: %s", err, s.stderr())
		}
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("magi serve did not stop within 15s of SIGTERM")
	}
}

// rss returns the server's resident set (VmRSS) and its peak (VmHWM), in
// bytes.
func (s *server) rss() (now, peak int64, err error) {
	m, err := procStatus(s.cmd.Process.Pid)
	return m["VmRSS"], m["VmHWM"], err
}

// procStatus returns the sizes of /proc/PID/status (VmRSS, VmHWM, RssAnon,
// RssFile …) in bytes.
func procStatus(pid int) (map[string]int64, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		f := strings.Fields(v)
		if !ok || len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		m[k] = kb << 10
	}
	return m, nil
}
