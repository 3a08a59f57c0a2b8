package server

import (
	"sync"
	"time"
)

// The limit of /auth/* requests per client address: a burst of
// authBurst, then one every authEvery.
const (
	authBurst = 30
	authEvery = 2 * time.Second
	// maxBuckets bounds the addresses remembered; past it, the full
	// buckets (addresses quiet long enough) are forgotten.
	maxBuckets = 10000
)

// addrLimiter is a token bucket per client address.
type addrLimiter struct {
	burst float64
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newAddrLimiter(burst int, every time.Duration) *addrLimiter {
	return &addrLimiter{burst: float64(burst), every: every, now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes one request of addr from its bucket; when it is empty, it
// says how long until it is not.
func (l *addrLimiter) allow(addr string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.forgetFull(now)
		}
		if len(l.buckets) >= maxBuckets { // a flood of addresses: start over rather than grow
			clear(l.buckets)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(l.every)), false
	}
	b.tokens--
	return 0, true
}

// forgetFull drops the buckets that have refilled; l.mu is held.
func (l *addrLimiter) forgetFull(now time.Time) {
	for addr, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.every) >= l.burst {
			delete(l.buckets, addr)
		}
	}
}
