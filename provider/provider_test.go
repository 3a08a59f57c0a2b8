package provider_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

func TestClassify_Status(t *testing.T) {
	for _, tc := range []struct {
		status int
		header http.Header
		want   magi.ErrorKind
		after  time.Duration
	}{
		{401, nil, magi.KindAuth, 0},
		{403, nil, magi.KindAuth, 0},
		{404, nil, magi.KindNotFound, 0},
		{408, nil, magi.KindTimeout, 0},
		{504, nil, magi.KindTimeout, 0},
		{429, http.Header{"Retry-After": {"7"}}, magi.KindRateLimited, 7 * time.Second},
		{429, http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"7"}}, magi.KindRateLimited, 1500 * time.Millisecond},
		{500, nil, magi.KindUnavailable, 0},
		{502, nil, magi.KindUnavailable, 0},
		{503, http.Header{"Retry-After": {"2"}}, magi.KindUnavailable, 2 * time.Second},
		{529, nil, magi.KindUnavailable, 0},
		{400, nil, magi.KindBadRequest, 0},
		{413, nil, magi.KindBadRequest, 0},
		{422, nil, magi.KindBadRequest, 0},
	} {
		pe := provider.Classify("openai", "m", "http://x/v1", tc.status, tc.header, "upstream says no", nil)
		if pe.Kind != tc.want || pe.RetryAfter != tc.after || pe.Status != tc.status || pe.Detail != "upstream says no" {
			t.Errorf("%d: got kind %s, retry after %v, status %d, detail %q; want %s, %v", tc.status, pe.Kind, pe.RetryAfter, pe.Status, pe.Detail, tc.want, tc.after)
		}
	}
}

func TestClassify_Errors(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/v1", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	for _, tc := range []struct {
		err    error
		want   magi.ErrorKind
		detail string
	}{
		{context.Canceled, magi.KindCancelled, ""},
		{fmt.Errorf("read: %w", context.DeadlineExceeded), magi.KindTimeout, ""},
		{refused, magi.KindConnection, "connection refused"},
		{&url.Error{Op: "Post", URL: "http://nohost/v1", Err: &net.DNSError{Err: "no such host", Name: "nohost"}}, magi.KindConnection, "no such host nohost"},
		{&url.Error{Op: "Post", URL: "http://x", Err: io.EOF}, magi.KindConnection, "the server closed the connection"},
		{io.ErrUnexpectedEOF, magi.KindStream, ""},
		{errors.New("bad chunk"), magi.KindStream, ""},
	} {
		pe := provider.Classify("openai", "m", "http://127.0.0.1:1/v1", 0, nil, "", tc.err)
		if pe.Kind != tc.want || pe.Detail != tc.detail || !errors.Is(pe, tc.err) {
			t.Errorf("%v: got %s %q, want %s %q", tc.err, pe.Kind, pe.Detail, tc.want, tc.detail)
		}
	}
	pe := provider.Classify("openai", "llama3", "http://127.0.0.1:1/v1", 0, nil, "", refused)
	if msg := pe.Error(); !strings.Contains(msg, "cannot reach") || !strings.Contains(msg, "http://127.0.0.1:1/v1") || !strings.Contains(msg, "connection refused") {
		t.Errorf("message %q does not say where and why", msg)
	}
	if !pe.Retryable() {
		t.Error("a refused connection is not retryable")
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"Incorrect API key provided: sk-proj-abcdef123456.": "Incorrect API key provided: [redacted].",
		"Authorization: Bearer abc.def":                     "Authorization: Bearer [redacted]",
		`{"api_key": "secret-value"}`:                       `{"api_key": "[redacted]"}`,
		"key AKIAABCDEFGHIJKLMNOP used":                     "key [redacted] used",
		"max_tokens: 4096 is too large":                     "max_tokens: 4096 is too large",
	} {
		if got := provider.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	if got := provider.Redact("key mykey-1234 leaked", "mykey-1234"); strings.Contains(got, "mykey-1234") {
		t.Errorf("explicit secret kept: %q", got)
	}
	if got := provider.Redact(strings.Repeat("x", 1000)); len(got) > 310 {
		t.Errorf("long detail kept %d bytes", len(got))
	}
	pe := provider.Classify("openai", "m", "", 401, nil, "bad key sk-abcdefghijkl", nil)
	if strings.Contains(pe.Error(), "sk-abcdefghijkl") {
		t.Errorf("Classify kept the key: %q", pe.Error())
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
	}{
		{nil, 0},
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(10 * time.Second).Format(http.TimeFormat)}}, 10 * time.Second},
		{http.Header{"Retry-After": {now.Add(-time.Second).Format(http.TimeFormat)}}, 0},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{"Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
	} {
		if got := provider.RetryAfter(tc.h, now); got != tc.want {
			t.Errorf("RetryAfter(%v) = %v, want %v", tc.h, got, tc.want)
		}
	}
}

// TestClassify_RedactsTheEndpoint: credentials in a base URL never reach
// the error, whichever way it is built or printed.
func TestClassify_RedactsTheEndpoint(t *testing.T) {
	endpoint := "https://user:PW-SECRET@gw.example/v1?api-key=Q-SECRET&sig=S-SECRET"
	pe := provider.Classify("openai", "m", endpoint, 404, nil, "not found", nil)
	direct := &magi.ProviderError{Kind: magi.KindConnection, Provider: "openai", Model: "m", Endpoint: endpoint}
	for _, msg := range []string{pe.Error(), pe.Endpoint, direct.Error()} {
		if strings.Contains(msg, "SECRET") || !strings.Contains(msg, "gw.example/v1") {
			t.Errorf("%q: a credential is shown, or the endpoint is not", msg)
		}
	}
}
