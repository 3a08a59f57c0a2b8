package server

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// TestAddrLimiter: a burst per address, then one request per interval;
// addresses do not share a bucket; memory stays bounded.
func TestAddrLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newAddrLimiter(3, 2*time.Second)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if _, ok := l.allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	wait, ok := l.allow("a")
	if ok || wait != 2*time.Second {
		t.Errorf("past the burst: %v, wait %v; want refused, 2s", ok, wait)
	}
	if _, ok := l.allow("b"); !ok {
		t.Errorf("another address is limited by the first")
	}
	now = now.Add(2 * time.Second)
	if _, ok := l.allow("a"); !ok {
		t.Errorf("one interval later: refused")
	}
	if _, ok := l.allow("a"); ok {
		t.Errorf("two requests after one interval: allowed")
	}
	for i := range maxBuckets + 10 {
		l.allow(fmt.Sprintf("10.0.%d.%d", i/250, i%250))
	}
	if n := len(l.buckets); n > maxBuckets {
		t.Errorf("%d buckets, want at most %d", n, maxBuckets)
	}
}

// TestClientAddr: the peer's address, or the address a proxy on this host
// appended to X-Forwarded-For; a remote peer cannot choose its address.
func TestClientAddr(t *testing.T) {
	for _, c := range []struct{ remote, xff, want string }{
		{"203.0.113.9:5000", "", "203.0.113.9"},
		{"203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"127.0.0.1:5000", "", "127.0.0.1"},
		{"127.0.0.1:5000", "10.1.1.1, 198.51.100.7", "198.51.100.7"},
		{"[::1]:5000", "2001:db8::5", "2001:db8::5"},
		{"127.0.0.1:5000", "not-an-ip", "127.0.0.1"},
		{"198.51.100.3", "", "198.51.100.3"}, // Lambda: the source IP, no port
	} {
		r := httptest.NewRequest("GET", "/auth/me", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientAddr(r); got != c.want {
			t.Errorf("clientAddr(%s, XFF %q) = %q, want %q", c.remote, c.xff, got, c.want)
		}
	}
}
