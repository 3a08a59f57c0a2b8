package provider_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// Fake is a func-field fake provider.
type Fake struct {
	StreamFn func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error]
}

var _ magi.Provider = (*Fake)(nil)

// Stream calls StreamFn.
func (f *Fake) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return f.StreamFn(ctx, req)
}

// step is one scripted attempt: texts to yield, then err (if any).
type step struct {
	texts []string
	err   error
}

// scripted returns a fake that plays steps, one per call, and counts calls.
func scripted(steps ...step) (*Fake, *int) {
	calls := 0
	return &Fake{StreamFn: func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
		s := steps[min(calls, len(steps)-1)]
		calls++
		return func(yield func(magi.Delta, error) bool) {
			for _, t := range s.texts {
				if !yield(magi.Delta{Text: t}, nil) {
					return
				}
			}
			if s.err != nil {
				yield(magi.Delta{}, s.err)
			}
		}
	}}, &calls
}

func perr(kind magi.ErrorKind, retryAfter time.Duration) error {
	return &magi.ProviderError{Kind: kind, Provider: "fake", Model: "m", RetryAfter: retryAfter}
}

// fastPolicy retries without real waiting.
var fastPolicy = provider.Policy{Attempts: 3, Base: time.Millisecond, MaxDelay: 5 * time.Millisecond, Rand: func() float64 { return 0.5 }}

type retryEvent struct {
	Attempt int
	Delay   time.Duration
}

// collect drains seq into its text, its error and the retries seen.
func collect(ctx context.Context, p magi.Provider, pol provider.Policy) (string, error, []retryEvent) {
	var text strings.Builder
	var retries []retryEvent
	var last error
	for d, err := range provider.Retry(ctx, p, magi.Request{Model: "m"}, pol, func(a int, d time.Duration, _ error) {
		retries = append(retries, retryEvent{a, d})
	}) {
		if err != nil {
			last = err
			continue
		}
		text.WriteString(d.Text)
	}
	return text.String(), last, retries
}

func TestRetry_SucceedsAfterRetryableFailures(t *testing.T) {
	p, calls := scripted(step{err: perr(magi.KindRateLimited, 3*time.Millisecond)}, step{err: perr(magi.KindUnavailable, 0)}, step{texts: []string{"he", "llo"}})
	text, err, retries := collect(t.Context(), p, fastPolicy)
	if err != nil || text != "hello" || *calls != 3 {
		t.Fatalf("text %q, err %v, calls %d", text, err, *calls)
	}
	want := []retryEvent{{2, 3 * time.Millisecond}, {3, time.Millisecond}} // Retry-After honoured; then 0.5 · 1ms·2
	if diff := cmp.Diff(want, retries); diff != "" {
		t.Errorf("retries (-want +got):\n%s", diff)
	}
}

func TestRetry_GivesUpAfterAttempts(t *testing.T) {
	p, calls := scripted(step{err: perr(magi.KindConnection, 0)})
	_, err, retries := collect(t.Context(), p, fastPolicy)
	if *calls != 3 || len(retries) != 2 {
		t.Errorf("calls %d, retries %d; want 3 and 2", *calls, len(retries))
	}
	var pe *magi.ProviderError
	if !errors.As(err, &pe) || pe.Kind != magi.KindConnection {
		t.Errorf("err = %v, want the last connection error", err)
	}
}

func TestRetry_NotRetryable(t *testing.T) {
	for _, err := range []error{perr(magi.KindAuth, 0), perr(magi.KindBadRequest, 0), errors.New("plain")} {
		p, calls := scripted(step{err: err})
		_, got, _ := collect(t.Context(), p, fastPolicy)
		if *calls != 1 || got != err {
			t.Errorf("%v: calls %d, err %v; want 1 call and the error passed on", err, *calls, got)
		}
	}
}

func TestRetry_NoRetryAfterFirstDelta(t *testing.T) {
	p, calls := scripted(step{texts: []string{"part"}, err: perr(magi.KindUnavailable, 0)}, step{texts: []string{"again"}})
	text, err, retries := collect(t.Context(), p, fastPolicy)
	if *calls != 1 || text != "part" || err == nil || len(retries) != 0 {
		t.Errorf("calls %d, text %q, err %v, retries %v", *calls, text, err, retries)
	}
}

func TestRetry_StopEarly(t *testing.T) {
	p, calls := scripted(step{texts: []string{"a", "b", "c"}})
	n := 0
	for range provider.Retry(t.Context(), p, magi.Request{}, fastPolicy, nil) {
		n++
		break
	}
	if n != 1 || *calls != 1 {
		t.Errorf("deltas %d, calls %d", n, *calls)
	}
}

func TestRetry_CancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, calls := scripted(step{err: perr(magi.KindRateLimited, time.Hour)})
		ctx, cancel := context.WithCancel(t.Context())
		pol := provider.Policy{Attempts: 3, MaxDelay: time.Hour}
		start := time.Now()
		var got error
		for _, err := range provider.Retry(ctx, p, magi.Request{}, pol, func(int, time.Duration, error) { cancel() }) {
			got = err
		}
		var pe *magi.ProviderError
		if !errors.As(got, &pe) || pe.Kind != magi.KindCancelled || *calls != 1 {
			t.Errorf("err %v, calls %d; want cancelled after 1 call", got, *calls)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("waited %v of synctest's clock after the cancel, want none", waited)
		}
	})
}

func TestPolicy_Delay(t *testing.T) {
	p := provider.Policy{Base: 250 * time.Millisecond, MaxDelay: 8 * time.Second, Rand: func() float64 { return 0.999999 }}
	for n, want := range map[int]time.Duration{1: 250 * time.Millisecond, 2: 500 * time.Millisecond, 5: 4 * time.Second, 6: 8 * time.Second, 40: 8 * time.Second} {
		if got := p.Delay(n, 0); got.Round(time.Millisecond) != want {
			t.Errorf("Delay(%d) = %v, want ~%v", n, got, want)
		}
	}
	if got := p.Delay(1, time.Minute); got != 8*time.Second {
		t.Errorf("Retry-After of a minute waits %v, want the 8s cap", got)
	}
	if got := provider.DefaultPolicy(); got.Attempts != 3 || got.Base != 250*time.Millisecond || got.MaxDelay != 8*time.Second {
		t.Errorf("DefaultPolicy = %+v", got)
	}
}
