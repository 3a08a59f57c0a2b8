package providertest

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// Run runs the whole suite against the provider of h.
func Run(t *testing.T, h Harness) {
	if h.Model == "" {
		h.Model = "test-model"
	}
	if h.CloseWithin == 0 {
		h.CloseWithin = 100 * time.Millisecond
	}
	t.Run("Deltas", func(t *testing.T) { testDeltas(t, h) })
	t.Run("Cancel", func(t *testing.T) { testCancel(t, h) })
	t.Run("StopEarly", func(t *testing.T) { testStopEarly(t, h) })
	t.Run("StatusErrors", func(t *testing.T) { testStatusErrors(t, h) })
	t.Run("Unreachable", func(t *testing.T) { testUnreachable(t, h) })
	t.Run("Timeout", func(t *testing.T) { testTimeout(t, h) })
	t.Run("RetryBeforeFirstToken", func(t *testing.T) { testRetry(t, h) })
	t.Run("NoRetryAfterFirstToken", func(t *testing.T) { testNoRetry(t, h) })
}

// result is what one call streamed.
type result struct {
	Texts []string
	Usage *magi.Usage
	Err   error
	// Late is set when anything was yielded after the error.
	Late bool
}

// drain runs seq to its end.
func drain(seq func(func(magi.Delta, error) bool)) result {
	var r result
	for d, err := range seq {
		switch {
		case r.Err != nil:
			r.Late = true
		case err != nil:
			r.Err = err
		case d.Usage != nil:
			r.Usage = d.Usage
		default:
			r.Texts = append(r.Texts, d.Text)
		}
	}
	return r
}

func (h Harness) request() magi.Request {
	return magi.Request{Agent: magi.Melchior, Model: h.Model, System: "You are MELCHIOR-1.", Prompt: "Should we?", MaxTokens: 256}
}

// kind returns err's *magi.ProviderError, failing t when there is none.
func kind(t *testing.T, err error) *magi.ProviderError {
	t.Helper()
	var pe *magi.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *magi.ProviderError", err, err)
	}
	return pe
}

// idleWithin fails t unless up goes idle within d of since.
func idleWithin(t *testing.T, up Upstream, since time.Time, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithDeadline(t.Context(), since.Add(d))
	defer cancel()
	if err := up.WaitIdle(ctx); err != nil {
		t.Fatalf("the upstream call was still open %v later", d)
	}
}

func testDeltas(t *testing.T, h Harness) {
	tokens := []string{"Hel", "lo", ", ", "world", "!"}
	p, up := h.New(t, Script{Tokens: tokens, Usage: magi.Usage{InputTokens: 12, OutputTokens: 5}})
	r := drain(p.Stream(t.Context(), h.request()))
	if r.Err != nil {
		t.Fatalf("error: %v", r.Err)
	}
	if diff := cmp.Diff(tokens, r.Texts); diff != "" {
		t.Errorf("deltas (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&magi.Usage{InputTokens: 12, OutputTokens: 5}, r.Usage); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if n := up.Requests(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func testCancel(t *testing.T, h Harness) {
	p, up := h.New(t, Script{Tokens: []string{"a", "b"}, Hang: true, HangAfter: 1})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var r result
	var cancelled time.Time
	for d, err := range p.Stream(ctx, h.request()) {
		if err != nil {
			r.Err = err
			break
		}
		r.Texts = append(r.Texts, d.Text)
		if cancelled.IsZero() {
			cancelled = time.Now()
			cancel()
		}
	}
	if cancelled.IsZero() {
		t.Fatalf("no delta before the hang; error %v", r.Err)
	}
	idleWithin(t, up, cancelled, h.CloseWithin)
	if pe := kind(t, r.Err); pe.Kind != magi.KindCancelled {
		t.Errorf("kind = %s, want cancelled (%v)", pe.Kind, r.Err)
	}
	if !cmp.Equal(r.Texts, []string{"a"}) {
		t.Errorf("deltas = %q, want [a]", r.Texts)
	}
}

func testStopEarly(t *testing.T, h Harness) {
	p, up := h.New(t, Script{Tokens: []string{"a", "b", "c"}, Hang: true, HangAfter: 2})
	var stopped time.Time
	for range p.Stream(t.Context(), h.request()) {
		stopped = time.Now()
		break
	}
	if stopped.IsZero() {
		t.Fatal("no delta")
	}
	idleWithin(t, up, stopped, h.CloseWithin)
}

func testStatusErrors(t *testing.T, h Harness) {
	for _, tc := range []struct {
		status int
		after  time.Duration
		want   magi.ErrorKind
	}{
		{401, 0, magi.KindAuth},
		{404, 0, magi.KindNotFound},
		{429, 2 * time.Second, magi.KindRateLimited},
		{500, 0, magi.KindUnavailable},
		{503, 0, magi.KindUnavailable},
		{400, 0, magi.KindBadRequest},
	} {
		msg := "upstream refused the call"
		if h.APIKey != "" {
			msg += " with key " + h.APIKey
		}
		p, up := h.New(t, Script{Status: tc.status, Message: msg, RetryAfter: tc.after, Tokens: []string{"never"}})
		r := drain(p.Stream(t.Context(), h.request()))
		if len(r.Texts) != 0 || r.Late {
			t.Errorf("%d: deltas %q, late %v; want only the error", tc.status, r.Texts, r.Late)
		}
		pe := kind(t, r.Err)
		if pe.Kind != tc.want || pe.RetryAfter != tc.after || pe.Model != h.Model || pe.Provider == "" {
			t.Errorf("%d: got kind %s, retry after %v, model %q, provider %q; want %s, %v", tc.status, pe.Kind, pe.RetryAfter, pe.Model, pe.Provider, tc.want, tc.after)
		}
		if h.APIKey != "" && strings.Contains(r.Err.Error(), h.APIKey) {
			t.Errorf("%d: the error repeats the API key: %v", tc.status, r.Err)
		}
		if n := up.Requests(); n != 1 {
			t.Errorf("%d: requests = %d, want 1 (the provider must not retry by itself)", tc.status, n)
		}
	}
}

func testUnreachable(t *testing.T, h Harness) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	r := drain(h.Unreachable(t, url).Stream(t.Context(), h.request()))
	pe := kind(t, r.Err)
	if pe.Kind != magi.KindConnection || !pe.Retryable() {
		t.Errorf("kind = %s, want connection (%v)", pe.Kind, r.Err)
	}
	if !strings.Contains(pe.Error(), "refused") {
		t.Errorf("message %q does not say the connection was refused", pe.Error())
	}
}

func testTimeout(t *testing.T, h Harness) {
	for _, after := range []int{0, 1} {
		p, up := h.New(t, Script{Tokens: []string{"a", "b"}, Hang: true, HangAfter: after})
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		r := drain(p.Stream(ctx, h.request()))
		cancel()
		if pe := kind(t, r.Err); pe.Kind != magi.KindTimeout {
			t.Errorf("hang after %d tokens: kind = %s, want timeout (%v)", after, pe.Kind, r.Err)
		}
		if len(r.Texts) != after {
			t.Errorf("hang after %d tokens: deltas %q", after, r.Texts)
		}
		idleWithin(t, up, time.Now(), h.CloseWithin)
	}
}

func testRetry(t *testing.T, h Harness) {
	p, up := h.New(t, Script{Status: 429, RetryAfter: time.Second, FailFirst: 1, Tokens: []string{"ok"}})
	pol := provider.Policy{Attempts: 3, Base: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	var retries []error
	var delays []time.Duration
	r := drain(provider.Retry(t.Context(), p, h.request(), pol, func(_ int, d time.Duration, err error) {
		retries, delays = append(retries, err), append(delays, d)
	}))
	if r.Err != nil || !cmp.Equal(r.Texts, []string{"ok"}) {
		t.Fatalf("deltas %q, error %v; want [ok] after a retry", r.Texts, r.Err)
	}
	if n := up.Requests(); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
	if len(retries) != 1 {
		t.Fatalf("retries = %v, want 1", retries)
	}
	if pe := kind(t, retries[0]); pe.Kind != magi.KindRateLimited || pe.RetryAfter != time.Second || delays[0] != pol.MaxDelay {
		t.Errorf("retry on %s after %v (Retry-After %v); want rate_limited, 1s capped at %v", pe.Kind, delays[0], pe.RetryAfter, pol.MaxDelay)
	}
}

func testNoRetry(t *testing.T, h Harness) {
	p, up := h.New(t, Script{Tokens: []string{"a", "b", "c"}, Cut: true, CutAfter: 2})
	pol := provider.Policy{Attempts: 3, Base: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	r := drain(provider.Retry(t.Context(), p, h.request(), pol, nil))
	if !cmp.Equal(r.Texts, []string{"a", "b"}) || r.Late {
		t.Errorf("deltas %q, late %v; want [a b] then the error", r.Texts, r.Late)
	}
	if pe := kind(t, r.Err); pe.Kind != magi.KindStream {
		t.Errorf("kind = %s, want stream (%v)", pe.Kind, r.Err)
	}
	if n := up.Requests(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}
