package fakeanthropic

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// errorTypes are Anthropic's error types by HTTP status.
var errorTypes = map[int]string{
	400: "invalid_request_error", 401: "authentication_error", 402: "billing_error", 403: "permission_error",
	404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
	503: "api_error", 504: "timeout_error", 529: "overloaded_error",
}

// ErrorType is the error type Anthropic sends with status.
func ErrorType(status int) string {
	if t, ok := errorTypes[status]; ok {
		return t
	}
	if status >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

// Event is one event of Anthropic's stream, as the API writes it.
func Event(name, data string) string {
	return "event: " + name + "\ndata: " + data + "\n\n"
}

// WriteSSE answers a streaming call with the 200 headers and events,
// flushing each.
func WriteSSE(w http.ResponseWriter, events []string) {
	startSSE(w)
	for _, e := range events {
		WriteEvent(w, e)
	}
}

func startSSE(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Request-Id", "req_fake")
	w.WriteHeader(http.StatusOK)
}

// WriteEvent writes one event and flushes it; false when the client is gone.
func WriteEvent(w http.ResponseWriter, e string) bool {
	if _, err := io.WriteString(w, e); err != nil {
		return false
	}
	return http.NewResponseController(w).Flush() == nil
}

// WriteError answers with Anthropic's JSON error body.
func WriteError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"type":"error","error":{"type":%q,"message":%q},"request_id":"req_fake"}`, typ, msg)
}

// writeReplyError refuses a request as rep says.
func writeReplyError(w http.ResponseWriter, rep Reply) {
	if rep.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(rep.RetryAfter/time.Second)))
	}
	typ := rep.ErrorType
	if typ == "" {
		typ = ErrorType(rep.Status)
	}
	msg := rep.Message
	if msg == "" {
		msg = http.StatusText(rep.Status)
	}
	WriteError(w, rep.Status, typ, msg)
}

// StartEvents are the events before the first text delta: message_start
// with the input tokens, and the opening of a text block.
func StartEvents(model string, inputTokens int64) []string {
	return []string{
		Event("message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant","content":[],"model":%q,"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":%d,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}`, model, inputTokens)),
		Event("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
	}
}

// TextEvent is one text delta.
func TextEvent(text string) string {
	t, _ := json.Marshal(text)
	return Event("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+string(t)+`}}`)
}

// EndEvents close the text block and the message, with the output tokens.
func EndEvents(outputTokens int64) []string {
	return []string{
		Event("content_block_stop", `{"type":"content_block_stop","index":0}`),
		Event("message_delta", fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":%d}}`, outputTokens)),
		Event("message_stop", `{"type":"message_stop"}`),
	}
}

// ErrorEvent is an `event: error` as Anthropic sends mid-stream.
func ErrorEvent(typ, msg string) string {
	return Event("error", fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q}}`, typ, msg))
}

// stream answers with rep's tokens, cutting, hanging or failing where rep
// says.
func stream(ctx context.Context, w http.ResponseWriter, req Request, rep Reply) {
	if rep.Hang && rep.HangAfter == 0 {
		<-ctx.Done()
		return
	}
	WriteSSE(w, StartEvents(req.Model, rep.Usage.InputTokens))
	for i, tok := range rep.Tokens {
		if !pause(ctx, w, rep, i) {
			return
		}
		if !WriteEvent(w, TextEvent(tok)) {
			return
		}
	}
	if !pause(ctx, w, rep, len(rep.Tokens)) {
		return
	}
	for _, e := range EndEvents(rep.Usage.OutputTokens) {
		WriteEvent(w, e)
	}
}

// pause runs before token i: it cuts, hangs or fails the stream, or waits
// the gap; false means stop answering.
func pause(ctx context.Context, w http.ResponseWriter, rep Reply, i int) bool {
	switch {
	case rep.Cut && i == rep.CutAfter:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return false
	case rep.Hang && i == rep.HangAfter:
		<-ctx.Done()
		return false
	case rep.StreamError != "" && i == rep.ErrorAfter:
		msg := rep.Message
		if msg == "" {
			msg = "Overloaded"
		}
		WriteEvent(w, ErrorEvent(rep.StreamError, msg))
		return false
	case i > 0 && rep.Gap > 0:
		select {
		case <-ctx.Done():
			return false
		case <-time.After(rep.Gap):
		}
	}
	return true
}
