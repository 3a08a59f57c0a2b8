package server_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/server"
)

// wantQuota asserts a 429 rate_limited answer naming limit, with a
// Retry-After in [min, max] seconds that the message repeats.
func wantQuota(t *testing.T, r reply, limit string, min, max int) {
	t.Helper()
	if r.status != http.StatusTooManyRequests || r.errorCode() != magi.ERATELIMIT {
		t.Fatalf("%d %s, want 429 rate_limited", r.status, r.body)
	}
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < min || ra > max {
		t.Errorf("Retry-After = %q, want %d..%d s", r.header.Get("Retry-After"), min, max)
	}
	if !strings.Contains(r.body, "quota: "+limit+" for key alice (") {
		t.Errorf("message %s does not name the limit %q and the key", r.body, limit)
	}
	if m := regexp.MustCompile(`retry in (\d+) s`).FindStringSubmatch(r.body); m == nil || m[1] != strconv.Itoa(ra) {
		t.Errorf("message %s does not say retry in %d s", r.body, ra)
	}
}

func TestQuota_PerMinute(t *testing.T) {
	ps := newPrivServer(t, privOptions{limits: server.QuotaLimits{PerMinute: 2}})
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)
	ps.create(t, alice)
	ps.create(t, alice)
	r := ps.do(t, "POST", "/api/deliberations", alice, `{"question": "Once more?"}`)
	wantQuota(t, r, "2 deliberations per minute", 55, 60)
	if got := len(ps.list(t, alice)); got != 2 {
		t.Errorf("alice has %d deliberations; the refused one must not be stored", got)
	}
	ps.create(t, bob) // limits are per key
}

func TestQuota_Concurrent(t *testing.T) {
	ps := newPrivServer(t, privOptions{held: true, limits: server.QuotaLimits{Concurrent: 1}})
	_, alice := ps.addKey(t, "alice", false)
	first := ps.create(t, alice)
	wantQuota(t, ps.do(t, "POST", "/api/deliberations", alice, `{"question": "And?"}`), "1 deliberation at once", 1, 10)
	ps.release()
	ps.finish(t, alice, first)
	ps.create(t, alice) // the end of the first freed its slot
}

func TestQuota_TokensPerDay(t *testing.T) {
	// One deliberation: 4 agents × (10 + 20) tokens = 120.
	ps := newPrivServer(t, privOptions{limits: server.QuotaLimits{TokensPerDay: 100}})
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)
	first := ps.create(t, alice)
	ps.finish(t, alice, first)
	r := ps.do(t, "POST", "/api/deliberations", alice, `{"question": "More?"}`)
	wantQuota(t, r, "100 tokens per day", 86390, 86400)
	ps.create(t, bob)
}

func TestQuota_OpenAPICountsAsOneKey(t *testing.T) {
	ps := newPrivServer(t, privOptions{limits: server.QuotaLimits{PerMinute: 1}})
	ps.create(t, "")
	r := ps.do(t, "POST", "/api/deliberations", "", `{"question": "Again?"}`)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "for the open API (no key)") {
		t.Errorf("second deliberation on the open API: %d %s, want 429 naming the open API", r.status, r.body)
	}
}

// TestQuota_ShareOfCapacity: a key at its share of the server's running
// slots is refused with a 429 that names the share; other keys still run.
func TestQuota_ShareOfCapacity(t *testing.T) {
	ps := newPrivServer(t, privOptions{held: true, limits: server.QuotaLimits{Concurrent: 2, ConcurrentShare: 50, Capacity: 4}})
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)
	ps.create(t, alice)
	ps.create(t, alice)
	wantQuota(t, ps.do(t, "POST", "/api/deliberations", alice, `{"question": "A third?"}`),
		"2 deliberations at once (50% of this server's 4 running slots; MAGI_QUOTA_CONCURRENT)", 1, 10)
	ps.create(t, bob)
}
