package magi

import (
	"errors"
	"fmt"
	"time"
)

// Application error codes. Each maps to one HTTP status, in one place
// (the server package).
const (
	EINVALID      = "invalid"            // bad input: 400
	ENOTFOUND     = "not_found"          // unknown id: 404
	EMETHOD       = "method_not_allowed" // wrong method for a route: 405
	ETIMEOUT      = "timeout"            // a request body too slow to arrive: 408
	ECONFLICT     = "conflict"           // state does not allow it: 409
	ERATELIMIT    = "rate_limited"       // too many: 429
	EUNAUTHORIZED = "unauthorized"       // no or bad credentials (key, token, session): 401
	EFORBIDDEN    = "forbidden"          // refused whoever asks (cross-site, no CSRF token): 403
	ETOOLARGE     = "too_large"          // body or question too big: 413
	EUNSUPPORTED  = "unsupported"        // wrong content type: 415
	EUNAVAILABLE  = "unavailable"        // a dependency (store, model) is down: 503
	EINTERNAL     = "internal"           // a bug: 500
	ECANCELLED    = "cancelled"          // stopped by a user
	EINTERRUPTED  = "interrupted"        // cut short by a crash
	ESHUTDOWN     = "shutdown"           // stopped by a server shutdown
	ENOVERDICT    = "no_verdict"         // no sage produced a verdict
	ESTORE        = "store_failed"       // the store could not keep the deliberation
	ECONFIG       = "config"             // the configuration is wrong
)

// Error is an error meant for a user: a code and a message that is safe to
// show. Internal detail stays in the wrapped error, for logs only.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when set, tells a client when to try again.
	RetryAfter time.Duration
	// Fields, when set, are every problem of an input document, each at
	// its field (EINVALID): the message lists them too.
	Fields []FieldError
	Err    error
}

// Error returns the message, followed by the wrapped error's text when
// there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the wrapped internal error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the user-safe message of err: the message of its
// *Error, or a generic one that leaks nothing.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorKind classifies a failed model call the same way for every provider.
type ErrorKind string

// The kinds of model failure.
const (
	KindAuth        ErrorKind = "auth"         // bad or missing key
	KindNotFound    ErrorKind = "not_found"    // bad model id or URL
	KindRateLimited ErrorKind = "rate_limited" // 429
	KindUnavailable ErrorKind = "unavailable"  // 5xx, overloaded
	KindConnection  ErrorKind = "connection"   // cannot reach the server
	KindBadRequest  ErrorKind = "bad_request"  // the request was refused
	KindTimeout     ErrorKind = "timeout"      // no answer in time
	KindCancelled   ErrorKind = "cancelled"    // the caller stopped it
	KindStream      ErrorKind = "stream"       // the stream broke or was malformed
)

// ProviderError is a failed model call, classified.
type ProviderError struct {
	Kind     ErrorKind
	Provider string
	Model    string
	// Endpoint is the base URL or region called, for messages.
	Endpoint   string
	Status     int
	RetryAfter time.Duration
	// Detail is the upstream's own message, without secrets.
	Detail string
	// Hint, when set, is the provider's own account of the failure and its
	// fix (which credentials and which permission to check), in
	// place of the generic one of Kind.
	Hint string
	Err  error
}

// Retryable reports whether the call may be tried again (before any text
// has streamed): rate limits, unavailability and connection errors.
func (e *ProviderError) Retryable() bool {
	switch e.Kind {
	case KindRateLimited, KindUnavailable, KindConnection:
		return true
	}
	return false
}

// Unwrap returns the underlying error (often the SDK's), if any.
func (e *ProviderError) Unwrap() error { return e.Err }

// Error says what failed, where, and the fix a user can make.
func (e *ProviderError) Error() string {
	where := e.Provider + " model " + e.Model
	if e.Endpoint != "" {
		where += " at " + Redact(e.Endpoint)
	}
	var msg string
	switch e.Kind {
	case KindAuth:
		msg = fmt.Sprintf("%s: authentication failed; check the %s API key or credentials", where, e.Provider)
	case KindNotFound:
		msg = fmt.Sprintf("%s: model or endpoint not found; check the model id and base URL in the config", where)
	case KindRateLimited:
		msg = fmt.Sprintf("%s: rate limited; wait, or lower the request rate", where)
	case KindUnavailable:
		msg = fmt.Sprintf("%s: the service is unavailable or overloaded; try again later or configure a fallback", where)
	case KindConnection:
		msg = fmt.Sprintf("cannot reach %s", where)
	case KindBadRequest:
		msg = fmt.Sprintf("%s: the request was refused; check the model's parameters (max_tokens, temperature)", where)
	case KindTimeout:
		msg = fmt.Sprintf("%s: no answer in time; raise the agent's timeout or check the server", where)
	case KindCancelled:
		msg = fmt.Sprintf("%s: cancelled", where)
	default:
		msg = fmt.Sprintf("%s: the stream failed", where)
	}
	if e.Hint != "" {
		msg = where + ": " + e.Hint
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}
