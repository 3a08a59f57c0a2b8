package server_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/store/postgres"
)

// health is the answer of /healthz.
func health(t *testing.T, base string) (int, map[string]any) {
	t.Helper()
	c := &http.Client{Timeout: guard}
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("/healthz did not answer: %v", err)
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// TestHealth_StoreUnreachable: /healthz is 503 while PostgreSQL is down or
// does not answer, and 200 again once it does.
func TestHealth_StoreUnreachable(t *testing.T) {
	pg, err := pgtest.Start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	defer pg.Stop()
	db, err := pg.CreateDatabase(t.Context(), "health")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(db)
	proxy := newFreezer(t, u.Host)
	u.Host = proxy.addr
	st, err := postgres.Open(t.Context(), u.String(), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := newPrivServer(t, privOptions{store: st, opts: server.Options{HealthTimeout: 200 * time.Millisecond}})
	if status, v := health(t, ps.url); status != http.StatusOK || v["status"] != "ok" {
		t.Fatalf("healthy store: %d %v", status, v)
	}
	proxy.freeze() // the database no longer answers, connections stay open
	if status, v := health(t, ps.url); status != http.StatusServiceUnavailable || v["store"] != "unavailable" {
		t.Errorf("store not answering: %d %v, want 503 store unavailable", status, v)
	}
	proxy.thaw()
	if status, _ := health(t, ps.url); status != http.StatusOK {
		t.Errorf("store answering again: %d, want 200", status)
	}
	pg.Stop() // the database is gone
	if status, v := health(t, ps.url); status != http.StatusServiceUnavailable || v["store"] != "unavailable" {
		t.Errorf("store stopped: %d %v, want 503 store unavailable", status, v)
	}
}

// freezer is a TCP proxy that can stop passing bytes without closing
// anything: a database that hangs.
type freezer struct {
	addr   string
	mu     sync.Mutex
	frozen chan struct{} // closed while bytes flow
}

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &freezer{addr: ln.Addr().String(), frozen: make(chan struct{})}
	close(f.frozen)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			t.Cleanup(func() { c.Close(); u.Close() })
			go f.pipe(u, c)
			go f.pipe(c, u)
		}
	}()
	return f
}

// pipe copies src to dst while not frozen; when either ends, both do.
func (f *freezer) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		f.mu.Lock()
		gate := f.frozen
		f.mu.Unlock()
		<-gate
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.frozen = make(chan struct{})
}

func (f *freezer) thaw() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.frozen)
}
