package provider

import (
	"context"
	"errors"
	"iter"
	"math/rand/v2"
	"time"

	"github.com/magi-system/magi"
)

// Policy says how often and how patiently a model call is retried.
type Policy struct {
	// Attempts is the total number of calls, the first included; 3 when 0.
	Attempts int
	// Base is the first backoff ceiling, doubled for each further retry;
	// 250ms when 0.
	Base time.Duration
	// MaxDelay caps every wait, a server's Retry-After included; 8s when 0.
	MaxDelay time.Duration
	// Rand returns a number in [0, 1) for the jitter; rand.Float64 when nil.
	Rand func() float64
}

// DefaultPolicy is 3 attempts with full-jitter exponential backoff from
// 250ms, capped at 8s.
func DefaultPolicy() Policy {
	return Policy{Attempts: 3, Base: 250 * time.Millisecond, MaxDelay: 8 * time.Second, Rand: rand.Float64}
}

// withDefaults fills the zero fields of p.
func (p Policy) withDefaults() Policy {
	d := DefaultPolicy()
	if p.Attempts <= 0 {
		p.Attempts = d.Attempts
	}
	if p.Base <= 0 {
		p.Base = d.Base
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.Rand == nil {
		p.Rand = d.Rand
	}
	return p
}

// Delay returns the wait before the retry that follows failed attempt n
// (1-based): the server's retryAfter when set, otherwise a random duration
// up to Base·2^(n-1); never more than MaxDelay.
func (p Policy) Delay(n int, retryAfter time.Duration) time.Duration {
	p = p.withDefaults()
	if retryAfter > 0 {
		return min(retryAfter, p.MaxDelay)
	}
	ceiling := p.MaxDelay
	if n-1 < 32 {
		ceiling = min(p.Base<<(n-1), p.MaxDelay)
		if ceiling <= 0 { // overflow
			ceiling = p.MaxDelay
		}
	}
	return time.Duration(p.Rand() * float64(ceiling))
}

// Retry streams req from p, calling it again when it fails before its first
// delta with a retryable *magi.ProviderError, at most pol.Attempts times in
// all. Once a delta has been yielded, an error is passed on, never retried.
// onRetry, when not nil, is called before each wait with the number of the
// attempt about to be made (2 for the first retry), the wait and the error.
// If ctx ends while waiting, the sequence ends with a cancelled or timeout
// *magi.ProviderError.
func Retry(ctx context.Context, p magi.Provider, req magi.Request, pol Policy, onRetry func(attempt int, delay time.Duration, err error)) iter.Seq2[magi.Delta, error] {
	pol = pol.withDefaults()
	return func(yield func(magi.Delta, error) bool) {
		for attempt := 1; ; attempt++ {
			started, stopped, err := pass(ctx, p, req, yield)
			if err == nil || stopped {
				return
			}
			var pe *magi.ProviderError
			if started || attempt >= pol.Attempts || !errors.As(err, &pe) || !pe.Retryable() || ctx.Err() != nil {
				yield(magi.Delta{}, err)
				return
			}
			delay := pol.Delay(attempt, pe.RetryAfter)
			if onRetry != nil {
				onRetry(attempt+1, delay, err)
			}
			if werr := wait(ctx, delay); werr != nil {
				yield(magi.Delta{}, Classify(pe.Provider, pe.Model, pe.Endpoint, 0, nil, "", werr))
				return
			}
		}
	}
}

// pass runs one attempt, yielding its deltas. It reports whether any
// delta was yielded, whether the consumer stopped, and the attempt's error.
func pass(ctx context.Context, p magi.Provider, req magi.Request, yield func(magi.Delta, error) bool) (started, stopped bool, err error) {
	for d, err := range p.Stream(ctx, req) {
		if err != nil {
			return started, false, err
		}
		started = true
		if !yield(d, nil) {
			return true, true, nil
		}
	}
	return started, false, nil
}

// wait sleeps d or until ctx ends, returning ctx's error then.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
