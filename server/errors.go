package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/magi-system/magi"
)

var errNotFoundRoute = magi.Errorf(magi.ENOTFOUND, "no such page or route; see docs/API.md")

// statusOf maps an application error code to its HTTP status: the one
// place where that happens.
func statusOf(code string) int {
	switch code {
	case magi.EINVALID:
		return http.StatusBadRequest
	case magi.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case magi.EFORBIDDEN:
		return http.StatusForbidden
	case magi.ENOTFOUND:
		return http.StatusNotFound
	case magi.EMETHOD:
		return http.StatusMethodNotAllowed
	case magi.ETIMEOUT:
		return http.StatusRequestTimeout
	case magi.ECONFLICT:
		return http.StatusConflict
	case magi.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case magi.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case magi.ERATELIMIT:
		return http.StatusTooManyRequests
	case magi.EUNAVAILABLE, magi.ESTORE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorBody is SPEC's error document.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		// Fields are every problem of a document sent, each at its field.
		Fields []magi.FieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// writeError answers with SPEC's JSON error. Internal errors are logged
// once, here, and the client reads a message that leaks nothing.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := magi.ErrorCode(err)
	if errors.Is(err, context.Canceled) && code == magi.EINTERNAL {
		return // the client went away
	}
	refuseBody(w, r)
	var body errorBody
	body.Error.Code, body.Error.Message = code, magi.ErrorMessage(err)
	var e *magi.Error
	if errors.As(err, &e) {
		body.Error.Fields = e.Fields
	}
	if retry := retryHeader(err); retry != "" {
		w.Header().Set("Retry-After", retry)
	}
	status := statusOf(code)
	if status >= 500 {
		logger(r).Error("request failed", "code", code, "err", err)
	}
	writeJSON(w, status, body)
}

// retryHeader is the Retry-After header of err, in whole seconds; "" when
// err does not say when to retry.
func retryHeader(err error) string {
	var e *magi.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return strconv.Itoa(int(e.RetryAfter.Seconds() + 0.999))
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
