package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// quotaClock is a settable clock for a Quota.
type quotaClock struct{ t time.Time }

func (c *quotaClock) now() time.Time { return c.t }

func newClockedQuota(l QuotaLimits) (*Quota, *quotaClock) {
	c := &quotaClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	q := NewQuota(l, nil)
	q.now = c.now
	return q, c
}

func admitAs(q *Quota, key, id string) error {
	return q.Admit(context.Background(), Principal{KeyID: key}, magi.Question{ID: id})
}

func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	e, ok := err.(*magi.Error)
	if !ok || e.Code != magi.ERATELIMIT {
		t.Fatalf("err = %v, want ERATELIMIT", err)
	}
	return e.RetryAfter
}

func TestQuota_MinuteWindowSlides(t *testing.T) {
	q, clock := newClockedQuota(QuotaLimits{PerMinute: 2})
	_ = admitAs(q, "k", "a")
	clock.t = clock.t.Add(20 * time.Second)
	_ = admitAs(q, "k", "b")
	clock.t = clock.t.Add(10 * time.Second)
	if got := retryAfter(t, admitAs(q, "k", "c")); got != 30*time.Second {
		t.Errorf("RetryAfter = %v, want 30s (when the oldest start leaves the minute)", got)
	}
	clock.t = clock.t.Add(30 * time.Second)
	if err := admitAs(q, "k", "c"); err != nil {
		t.Errorf("a minute after the first start: %v", err)
	}
}

func TestQuota_TokenWindowRetryAfter(t *testing.T) {
	q, clock := newClockedQuota(QuotaLimits{TokensPerDay: 100})
	used := func(id string, n int64) {
		q.Observe(magi.Event{Type: magi.EventTrace, Stage: magi.StageAgentDone, DeliberationID: id,
			Trace: &magi.Trace{Tokens: &magi.Usage{InputTokens: n}}})
	}
	_ = admitAs(q, "k", "a")
	used("a", 60)
	clock.t = clock.t.Add(time.Hour)
	used("a", 50)
	q.Observe(magi.Event{Type: magi.EventComplete, DeliberationID: "a"})
	used("a", 1000) // after its end: not counted, a is forgotten
	// 110 used: under 100 again once the 60 of hour 0 expire, at hour 24.
	if got := retryAfter(t, admitAs(q, "k", "b")); got != 23*time.Hour {
		t.Errorf("RetryAfter = %v, want 23h", got)
	}
	if err := admitAs(q, "other", "c"); err != nil {
		t.Errorf("another key: %v", err)
	}
	clock.t = clock.t.Add(23 * time.Hour)
	if err := admitAs(q, "k", "b"); err != nil {
		t.Errorf("24 h after the first tokens: %v", err)
	}
}

// failingRunner refuses every Start.
type failingRunner struct{ Runner }

func (failingRunner) Start(context.Context, magi.Question) error {
	return magi.Errorf(magi.ERATELIMIT, "too many deliberations are running")
}

func TestQuota_FailedStartIsNotCounted(t *testing.T) {
	q, _ := newClockedQuota(QuotaLimits{Concurrent: 1, PerMinute: 1})
	r := q.Runner(failingRunner{})
	if err := admitAs(q, "k", "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), magi.Question{ID: "a"}); err == nil {
		t.Fatal("Start succeeded")
	}
	if err := admitAs(q, "k", "b"); err != nil {
		t.Errorf("after a failed start the key is still charged: %v", err)
	}
}

func TestQuota_FatalErrorEndsTheRun(t *testing.T) {
	q, _ := newClockedQuota(QuotaLimits{Concurrent: 1})
	_ = admitAs(q, "k", "a")
	q.Observe(magi.Event{Type: magi.EventError, DeliberationID: "a", Code: magi.ECANCELLED}) // not fatal
	if err := admitAs(q, "k", "b"); err == nil {
		t.Fatal("a non-fatal error freed the slot")
	}
	q.Observe(magi.Event{Type: magi.EventError, DeliberationID: "a", Code: magi.ECANCELLED, Fatal: true})
	if err := admitAs(q, "k", "b"); err != nil {
		t.Errorf("after a fatal error: %v", err)
	}
}

// TestQuota_TokenMemoryBounded: the tokens of every agent were kept one
// entry each for a day, even without a token limit — a soak of 131,000
// deliberations grew the server by 80 MB an hour. Without a limit nothing
// is kept; with one, at most an entry a minute.
func TestQuota_TokenMemoryBounded(t *testing.T) {
	for _, limit := range []int64{0, 1 << 40} {
		q, clock := newClockedQuota(QuotaLimits{TokensPerDay: limit})
		for i := range 1000 {
			id := fmt.Sprint(i)
			_ = admitAs(q, "k", id)
			for range 4 {
				q.Observe(magi.Event{Type: magi.EventTrace, Stage: magi.StageAgentDone, DeliberationID: id,
					Trace: &magi.Trace{Tokens: &magi.Usage{InputTokens: 10, OutputTokens: 5}}})
			}
			q.Observe(magi.Event{Type: magi.EventComplete, DeliberationID: id})
			clock.t = clock.t.Add(600 * time.Millisecond) // 1,000 deliberations in 10 minutes
		}
		got, want := len(q.usage["k"].tokens), 0
		if limit > 0 {
			want = 10
		}
		if got != want {
			t.Errorf("token limit %d: %d entries kept for 4,000 agents in 10 minutes, want %d", limit, got, want)
		}
		if limit > 0 {
			var sum int64
			for _, e := range q.usage["k"].tokens {
				sum += e.n
			}
			if sum != 4000*15 {
				t.Errorf("the entries count %d tokens, want %d", sum, 4000*15)
			}
		}
	}
}
