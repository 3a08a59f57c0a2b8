package anthropic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider/anthropic"
	"github.com/magi-system/magi/provider/providertest"
)

func TestAnthropic_Suite(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Model:  "claude-test",
		APIKey: testKey,
		New: func(t *testing.T, s providertest.Script) (magi.Provider, providertest.Upstream) {
			fake := &scripted{script: s}
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			return anthropic.New(anthropic.Config{APIKey: testKey, BaseURL: srv.URL}), fake
		},
		Unreachable: func(t *testing.T, url string) magi.Provider {
			return anthropic.New(anthropic.Config{APIKey: testKey, BaseURL: url})
		},
	})
}

// scripted is a fake Messages API that answers as its Script says, in
// Anthropic's SSE events, and counts its calls.
type scripted struct {
	script providertest.Script
	mu     sync.Mutex
	n      int
	open   int
}

// errorTypes are Anthropic's error types by status.
var errorTypes = map[int]string{
	400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
	404: "not_found_error", 429: "rate_limit_error", 500: "api_error", 503: "api_error", 529: "overloaded_error",
}

func (f *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.n++
	n := f.n
	f.open++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.open--
		f.mu.Unlock()
	}()
	io.Copy(io.Discard, r.Body) // so the server notices the client leaving
	s := f.script
	if s.Refuse(n) {
		if s.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(s.RetryAfter/time.Second)))
		}
		writeError(w, s.Status, errorTypes[s.Status], s.Message)
		return
	}
	f.stream(r.Context(), w, s)
}

// stream answers with s.Tokens, cutting or hanging where s says.
func (f *scripted) stream(ctx context.Context, w http.ResponseWriter, s providertest.Script) {
	if s.Hang && s.HangAfter == 0 {
		<-ctx.Done()
		return
	}
	start := fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-test","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":%d,"output_tokens":1}}}`, s.Usage.InputTokens)
	writeSSE(w, []string{sseEvent("message_start", start),
		sseEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)})
	for i, tok := range s.Tokens {
		if !f.pause(ctx, w, s, i) {
			return
		}
		text, _ := json.Marshal(tok)
		writeEvent(w, sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+string(text)+`}}`))
	}
	if !f.pause(ctx, w, s, len(s.Tokens)) {
		return
	}
	writeEvent(w, sseEvent("content_block_stop", `{"type":"content_block_stop","index":0}`))
	writeEvent(w, sseEvent("message_delta", fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":%d}}`, s.Usage.OutputTokens)))
	writeEvent(w, sseEvent("message_stop", `{"type":"message_stop"}`))
}

// pause runs before token i: it waits the Gap, or cuts or hangs the
// stream; false means stop answering.
func (f *scripted) pause(ctx context.Context, w http.ResponseWriter, s providertest.Script, i int) bool {
	switch {
	case s.Cut && i == s.CutAfter:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return false
	case s.Hang && i == s.HangAfter:
		<-ctx.Done()
		return false
	case i > 0 && s.Gap > 0:
		select {
		case <-ctx.Done():
			return false
		case <-time.After(s.Gap):
		}
	}
	return true
}

func writeEvent(w http.ResponseWriter, e string) {
	io.WriteString(w, e)
	http.NewResponseController(w).Flush()
}

// Requests is the number of calls received.
func (f *scripted) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// WaitIdle returns once no call is being answered, or with ctx's error.
func (f *scripted) WaitIdle(ctx context.Context) error {
	for {
		f.mu.Lock()
		open := f.open
		f.mu.Unlock()
		if open == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}
