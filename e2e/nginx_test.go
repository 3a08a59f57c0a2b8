package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

const nginxBin = "/usr/sbin/nginx"

// needNginx skips without nginx, except in CI where nothing may be skipped.
func needNginx(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(nginxBin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nginx is required in CI: %v", err)
		}
		t.Skipf("nginx not installed: %v", err)
	}
}

// nginxConfig renders docs/nginx.conf for a test: the upstream is magi at
// upstream, it listens on 127.0.0.1:port, and everything nginx writes
// stays under dir. The directives of the site are the document's own.
func nginxConfig(t *testing.T, dir, upstream string, port int) string {
	t.Helper()
	raw, err := os.ReadFile("../docs/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	site := string(raw)
	for old, repl := range map[string]string{
		"server 127.0.0.1:8080;": "server " + upstream + ";",
		"listen 80;":             fmt.Sprintf("listen 127.0.0.1:%d;", port),
	} {
		if !strings.Contains(site, old) {
			t.Fatalf("docs/nginx.conf no longer has %q to template", old)
		}
		site = strings.Replace(site, old, repl, 1)
	}
	sitePath := filepath.Join(dir, "magi.conf")
	if err := os.WriteFile(sitePath, []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 256; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[2]s;
}
`, dir, sitePath)
}

// startNginx runs nginx in the foreground in front of magi at upstream and
// returns its base URL.
func startNginx(t *testing.T, upstream string) string {
	t.Helper()
	needNginx(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(t, dir, upstream, port)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginxBin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	out := &magitest.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			logs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output:\n%s\nerror.log:\n%s", out, logs)
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	exited := false
	proxied := await.Until(10*time.Second, func() bool {
		select {
		case <-done:
			exited = true
			return true
		default:
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if exited {
		logs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		t.Fatalf("nginx exited: %s\n%s", out, logs)
	}
	if !proxied {
		t.Fatalf("nginx never proxied /healthz: %s", out)
	}
	return base
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestNginx_ChunksArriveOneByOne runs docs/nginx.conf in front of magi
// serve and shows each chunk reaches the client when the model emits it,
// not all at the end.
func TestNginx_ChunksArriveOneByOne(t *testing.T) {
	needNginx(t)
	const gap = 50 * time.Millisecond
	_, url := magitest.StartFake(t, fakellm.Config{Words: 16, Gap: gap})
	p := startMagi(t, openaiEnv(url))
	base := startNginx(t, strings.TrimPrefix(p.URL, "http://"))
	s := magitest.Ask(magitest.Context(t, 30*time.Second), t, base, "Does nginx buffer?")
	if ce := s.Resp.Header.Get("Content-Encoding"); ce != "" {
		t.Errorf("Content-Encoding %q through nginx, want none", ce)
	}
	evs := s.All(t)
	magitest.CheckStream(t, evs)
	if end := magitest.Last(t, evs); end.Type != magi.EventComplete {
		t.Fatalf("ended with %s", evs[len(evs)-1].Data)
	}
	arrivals := map[magi.AgentID][]time.Time{}
	for _, e := range evs {
		if e.Event.Type == magi.EventChunk {
			arrivals[e.Event.Agent] = append(arrivals[e.Event.Agent], e.At)
		}
	}
	for _, a := range magi.Members {
		at := arrivals[a]
		if len(at) < 10 {
			t.Fatalf("%s: %d chunks, want >= 10", a, len(at))
		}
		spaced := 0
		for i := 1; i < len(at); i++ {
			if at[i].Sub(at[i-1]) >= 20*time.Millisecond {
				spaced++
			}
		}
		if spaced*10 < (len(at)-1)*7 {
			t.Errorf("%s: only %d of %d successive chunks arrived >= 20ms apart through nginx (gap %v): buffered", a, spaced, len(at)-1, gap)
		}
		if span := at[len(at)-1].Sub(at[0]); span < 10*gap {
			t.Errorf("%s: first and last chunk arrived %v apart, want >= %v (spread, not all at the end)", a, span, 10*gap)
		}
	}
}
