// Package provider holds what every model provider shares: the
// classification of failed calls into magi.ProviderError kinds, and retries
// before the first token. The providers themselves live in sub-packages.
package provider

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/magi-system/magi"
)

// Classify turns a failed model call into a *magi.ProviderError. status is
// the HTTP status of the response (0 when none arrived), header its headers,
// detail the upstream's own message, and err the error returned, if any.
// Credentials are removed from endpoint and detail (magi.Redact).
func Classify(provider, model, endpoint string, status int, header http.Header, detail string, err error) *magi.ProviderError {
	pe := &magi.ProviderError{Provider: provider, Model: model, Endpoint: magi.Redact(endpoint), Status: status, Detail: Redact(detail), Err: err}
	switch {
	case errors.Is(err, context.Canceled):
		pe.Kind = magi.KindCancelled
	case errors.Is(err, context.DeadlineExceeded):
		pe.Kind = magi.KindTimeout
	case status != 0:
		pe.Kind = statusKind(status)
		if pe.Kind == magi.KindRateLimited || pe.Kind == magi.KindUnavailable {
			pe.RetryAfter = RetryAfter(header, time.Now())
		}
	default:
		pe.Kind = errKind(err)
		if pe.Detail == "" && pe.Kind == magi.KindConnection {
			pe.Detail = netReason(err)
		}
	}
	return pe
}

// statusKind classifies an HTTP error status.
func statusKind(status int) magi.ErrorKind {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return magi.KindAuth
	case http.StatusNotFound:
		return magi.KindNotFound
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return magi.KindTimeout
	case http.StatusTooManyRequests:
		return magi.KindRateLimited
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, 529:
		return magi.KindUnavailable
	}
	if status >= 500 {
		return magi.KindUnavailable
	}
	return magi.KindBadRequest
}

// errKind classifies an error that came without a response status.
func errKind(err error) magi.ErrorKind {
	var (
		ne  net.Error
		dns *net.DNSError
		op  *net.OpError
		ue  *url.Error
	)
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return magi.KindTimeout
	case errors.Is(err, io.ErrUnexpectedEOF):
		return magi.KindStream
	case errors.As(err, &dns), errors.As(err, &op), errors.As(err, &ue),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return magi.KindConnection
	}
	return magi.KindStream
}

// netReason says in a few words why a server could not be reached.
func netReason(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &dns):
		return "no such host " + dns.Name
	case errors.Is(err, io.EOF):
		return "the server closed the connection"
	}
	return ""
}

// RetryAfter reads how long a server asked to wait: the retry-after-ms
// header, or Retry-After in seconds or as an HTTP date relative to now.
// It returns 0 when neither is set or readable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s > 0 {
			return time.Duration(s * float64(time.Second))
		}
		return 0
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// maxDetail bounds the length of an upstream message kept in an error.
const maxDetail = 300

// Redact is magi.Redact (s without the given secrets and anything that
// looks like a credential), shortened to a readable length for the Detail
// of an error.
func Redact(s string, secrets ...string) string {
	s = magi.Redact(s, secrets...)
	s = strings.TrimSpace(s)
	if len(s) > maxDetail {
		s = strings.ToValidUTF8(s[:maxDetail], "") + "…"
	}
	return s
}
