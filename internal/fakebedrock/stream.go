package fakebedrock

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// writeReplyError refuses a call as rep says.
func writeReplyError(w http.ResponseWriter, rep Reply) {
	if rep.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(rep.RetryAfter/time.Second)))
	}
	code := rep.Code
	if code == "" {
		code = ExceptionFor(rep.Status)
	}
	msg := rep.Message
	if msg == "" {
		msg = http.StatusText(rep.Status)
	}
	WriteError(w, rep.Status, code, msg)
}

// TextFrame is one text delta.
func TextFrame(text string) Frame {
	t, _ := json.Marshal(text)
	return Event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":`+string(t)+`},"p":"abc"}`)
}

// EndFrames close the block and the message, then report the usage, in
// Bedrock's order.
func EndFrames(in, out int64) []Frame {
	return []Frame{
		Event("contentBlockStop", `{"contentBlockIndex":0,"p":"abcdefgh"}`),
		Event("messageStop", `{"p":"abcd","stopReason":"end_turn"}`),
		Event("metadata", fmt.Sprintf(`{"metrics":{"latencyMs":42},"p":"ab","usage":{"inputTokens":%d,"outputTokens":%d,"totalTokens":%d}}`, in, out, in+out)),
	}
}

// stream answers a ConverseStream call with rep's tokens, cutting, hanging
// or failing where rep says.
func stream(ctx context.Context, w http.ResponseWriter, rep Reply) {
	if rep.Hang && rep.HangAfter == 0 {
		<-ctx.Done()
		return
	}
	StartFrames(w)
	enc := eventstream.NewEncoder()
	if WriteFrame(enc, w, Event("messageStart", `{"p":"abcdef","role":"assistant"}`)) != nil {
		return
	}
	for i, tok := range rep.Tokens {
		if !pause(ctx, enc, w, rep, i) || WriteFrame(enc, w, TextFrame(tok)) != nil {
			return
		}
	}
	if !pause(ctx, enc, w, rep, len(rep.Tokens)) {
		return
	}
	for _, f := range EndFrames(rep.Usage.InputTokens, rep.Usage.OutputTokens) {
		if WriteFrame(enc, w, f) != nil {
			return
		}
	}
}

// pause runs before token i: it cuts, hangs or fails the stream, or waits
// the gap; false means stop answering.
func pause(ctx context.Context, enc *eventstream.Encoder, w http.ResponseWriter, rep Reply, i int) bool {
	switch {
	case rep.Cut && i == rep.CutAfter:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return false
	case rep.Hang && i == rep.HangAfter:
		<-ctx.Done()
		return false
	case rep.Exception != "" && i == rep.ExceptionAfter:
		msg, _ := json.Marshal(rep.Message)
		_ = WriteFrame(enc, w, Exception(rep.Exception, `{"message":`+string(msg)+`}`))
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

// converse answers a Converse call with the whole text as JSON.
func converse(w http.ResponseWriter, rep Reply) {
	u := rep.Usage
	body := map[string]any{
		"metrics":    map[string]any{"latencyMs": 42},
		"output":     map[string]any{"message": map[string]any{"role": "assistant", "content": []any{map[string]any{"text": strings.Join(rep.Tokens, "")}}}},
		"stopReason": "end_turn",
		"usage":      map[string]any{"inputTokens": u.InputTokens, "outputTokens": u.OutputTokens, "totalTokens": u.InputTokens + u.OutputTokens},
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}
