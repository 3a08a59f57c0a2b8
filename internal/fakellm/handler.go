package fakellm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/magi-system/magi"
)

// handleChat answers POST /v1/chat/completions.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	n := s.begin()
	call := Call{Request: Request{N: n}}
	defer func() {
		call.Duration = time.Since(start)
		s.end(call)
	}()
	data, err := io.ReadAll(r.Body)
	if err == nil {
		call.Request, err = parseRequest(n, data)
	}
	call.Request.Traceparent = r.Header.Get("Traceparent")
	if err != nil {
		call.Outcome = Failed
		writeError(w, Reply{Status: http.StatusBadRequest, Message: "invalid JSON body: " + err.Error()})
		return
	}
	rep := s.reply(call.Request)
	if rep.Status != 0 && rep.Status != http.StatusOK {
		call.Outcome = Failed
		writeError(w, rep)
		return
	}
	if !call.Request.Stream {
		call.Tokens, call.Outcome = s.complete(r.Context(), w, call.Request, rep)
		return
	}
	call.Tokens, call.Outcome = s.stream(r.Context(), w, call.Request, rep)
}

// reply asks the Script, then fills in the defaults.
func (s *Server) reply(req Request) Reply {
	var rep Reply
	if s.cfg.Script != nil {
		rep = s.cfg.Script(req)
	}
	if rep.Status == 0 && s.fail() {
		return Reply{Status: http.StatusInternalServerError, Message: "fakellm: injected failure"}
	}
	rep.Tokens = Tokens(rep.Tokens, rep.Text, req.Agent, s.cfg.Words, s.cfg.Decision)
	if rep.TTFT == 0 {
		rep.TTFT = s.cfg.TTFT
	}
	if rep.Gap == 0 {
		rep.Gap = s.cfg.Gap
	}
	if rep.FinishReason == "" {
		rep.FinishReason = "stop"
	}
	return rep
}

// stream writes rep as chat.completion.chunk events and returns the number
// of tokens written and how it ended.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, req Request, rep Reply) (int, Outcome) {
	if rep.Hang && rep.HangAfter == 0 {
		<-ctx.Done()
		return 0, ClientGone
	}
	if !sleep(ctx, rep.TTFT) {
		return 0, ClientGone
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	c := chunker{w: w, rc: http.NewResponseController(w), id: "chatcmpl-fake" + strconv.Itoa(req.N), model: req.Model}
	if !c.send(delta(map[string]any{"role": "assistant", "content": ""}, nil)) {
		return 0, ClientGone
	}
	for i, tok := range rep.Tokens {
		switch {
		case rep.Cut && i == rep.CutAfter:
			cut(w)
			return i, Cut
		case rep.Hang && i == rep.HangAfter:
			<-ctx.Done()
			return i, ClientGone
		case rep.StreamError != "" && i == rep.ErrorAfter:
			c.sendError(rep.StreamError)
			return i, StreamErr
		}
		if i > 0 && !sleep(ctx, rep.Gap) {
			return i, ClientGone
		}
		if !c.send(delta(map[string]any{"content": tok}, nil)) {
			return i, ClientGone
		}
	}
	return s.finish(ctx, w, &c, req, rep)
}

// finish handles the scripted events that fall after the last token, then
// sends the finish chunk, the usage chunk and [DONE].
func (s *Server) finish(ctx context.Context, w http.ResponseWriter, c *chunker, req Request, rep Reply) (int, Outcome) {
	n := len(rep.Tokens)
	switch {
	case rep.Cut:
		cut(w)
		return n, Cut
	case rep.Hang:
		<-ctx.Done()
		return n, ClientGone
	case rep.StreamError != "":
		c.sendError(rep.StreamError)
		return n, StreamErr
	}
	if !c.send(delta(map[string]any{}, rep.FinishReason)) {
		return n, ClientGone
	}
	if req.IncludeUsage && !c.sendUsage(usage(req, rep)) {
		return n, ClientGone
	}
	if !c.write("data: [DONE]\n\n") {
		return n, ClientGone
	}
	return n, Completed
}

// complete writes rep as one chat.completion object.
func (s *Server) complete(ctx context.Context, w http.ResponseWriter, req Request, rep Reply) (int, Outcome) {
	if rep.Hang {
		<-ctx.Done()
		return 0, ClientGone
	}
	if !sleep(ctx, rep.TTFT) {
		return 0, ClientGone
	}
	u := usage(req, rep)
	body := map[string]any{
		"id": "chatcmpl-fake" + strconv.Itoa(req.N), "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": rep.FinishReason,
			"message": map[string]any{"role": "assistant", "content": strings.Join(rep.Tokens, "")}}},
		"usage": usageJSON(u),
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
	return len(rep.Tokens), Completed
}

// handleModels answers GET /v1/models.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	if s.cfg.NoModels {
		http.NotFound(w, r)
		return
	}
	var data []any
	for _, m := range s.cfg.Models {
		data = append(data, map[string]any{"id": m, "object": "model", "created": 1700000000, "owned_by": "fakellm"})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
}

// writeError refuses a request with rep.Status and an OpenAI-style body.
func writeError(w http.ResponseWriter, rep Reply) {
	if rep.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(rep.RetryAfter.Round(time.Second)/time.Second)))
	}
	if rep.Body != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(rep.Status)
		_, _ = io.WriteString(w, rep.Body)
		return
	}
	msg := rep.Message
	if msg == "" {
		msg = http.StatusText(rep.Status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": errorType(rep.Status), "param": nil, "code": nil}})
}

// errorType names an error the way OpenAI does.
func errorType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// usage returns the usage of a reply: the Script's, or counted words.
func usage(req Request, rep Reply) magi.Usage {
	if rep.Usage != nil {
		return *rep.Usage
	}
	return CountUsage(req.System, req.User, rep.Tokens)
}

func usageJSON(u magi.Usage) map[string]any {
	return map[string]any{"prompt_tokens": u.InputTokens, "completion_tokens": u.OutputTokens, "total_tokens": u.InputTokens + u.OutputTokens}
}

// sleep waits d, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// cut drops the connection without ending the response.
func cut(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	}
	_ = conn.Close()
}

// chunker writes one stream's SSE events.
type chunker struct {
	w         io.Writer
	rc        *http.ResponseController
	id, model string
}

// delta returns one choice of a chunk.
func delta(d map[string]any, finish any) map[string]any {
	return map[string]any{"index": 0, "delta": d, "logprobs": nil, "finish_reason": finish}
}

func (c *chunker) send(choice map[string]any) bool {
	return c.event(map[string]any{"choices": []any{choice}, "usage": nil})
}

func (c *chunker) sendUsage(u magi.Usage) bool {
	return c.event(map[string]any{"choices": []any{}, "usage": usageJSON(u)})
}

func (c *chunker) sendError(msg string) bool {
	data, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": "server_error"}})
	return c.write("data: " + string(data) + "\n\n")
}

func (c *chunker) event(fields map[string]any) bool {
	fields["id"], fields["object"], fields["created"], fields["model"] = c.id, "chat.completion.chunk", time.Now().Unix(), c.model
	data, err := json.Marshal(fields)
	if err != nil {
		panic(fmt.Sprintf("fakellm: %v", err))
	}
	return c.write("data: " + string(data) + "\n\n")
}

// write sends s and flushes it; it reports whether the client got it.
func (c *chunker) write(s string) bool {
	if _, err := io.WriteString(c.w, s); err != nil {
		return false
	}
	return c.rc.Flush() == nil
}
