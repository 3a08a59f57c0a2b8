package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// errTruncated is a stream that ended before message_stop.
var errTruncated = errors.New("the stream ended before message_stop")

// typeStatus is the HTTP status Anthropic documents for each error type.
// An `event: error` mid-stream arrives under a 200, so its type is all
// there is to classify it by.
var typeStatus = map[string]int{
	"invalid_request_error": http.StatusBadRequest,
	"authentication_error":  http.StatusUnauthorized,
	"billing_error":         http.StatusPaymentRequired,
	"permission_error":      http.StatusForbidden,
	"not_found_error":       http.StatusNotFound,
	"request_too_large":     http.StatusRequestEntityTooLarge,
	"rate_limit_error":      http.StatusTooManyRequests,
	"api_error":             http.StatusInternalServerError,
	"timeout_error":         http.StatusGatewayTimeout,
	"overloaded_error":      529,
}

// classify turns any failure of a call into a *magi.ProviderError. The
// key never appears: the SDK's error holds the URL and body, not headers.
func (p *Provider) classify(ctx context.Context, model string, err error) *magi.ProviderError {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	if errors.Is(err, errTruncated) {
		return &magi.ProviderError{Kind: magi.KindStream, Provider: "anthropic", Model: model,
			Endpoint: p.endpoint, Detail: provider.Redact(err.Error(), p.key), Err: err}
	}
	var status int
	var header http.Header
	var detail string
	var apiErr *anthropic.Error
	if errors.As(err, &apiErr) {
		status = apiErr.StatusCode
		if s, ok := typeStatus[string(apiErr.Type())]; ok && status < 400 {
			status = s
		}
		if apiErr.Response != nil {
			header = apiErr.Response.Header
		}
		detail = provider.Redact(message(apiErr.RawJSON()), p.key)
	}
	if len(p.key) >= 4 && strings.Contains(err.Error(), p.key) {
		// The SDK's error repeats the response body; never keep a key in it.
		err = errors.New(provider.Redact(err.Error(), p.key))
	}
	return provider.Classify("anthropic", model, p.endpoint, status, header, detail, err)
}

// message is the human part of Anthropic's error body
// {"type":"error","error":{"type":"...","message":"..."}}; Classify
// redacts and shortens it.
func message(raw string) string {
	var body struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(raw), &body) != nil {
		return ""
	}
	m := body.Error.Message
	if body.Error.Type != "" && m != "" {
		return body.Error.Type + ": " + m
	}
	return m
}
