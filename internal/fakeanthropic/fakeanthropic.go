// Package fakeanthropic is a fake Anthropic Messages API for tests. It
// speaks the real wire format over real sockets — `event:`/`data:` SSE
// events from message_start to message_stop, Anthropic's JSON error bodies,
// `event: error` mid-stream — so the official SDK code runs against it.
//
//	fake := fakeanthropic.New(fakeanthropic.Config{})
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	// ANTHROPIC_BASE_URL=srv.URL
//
// A Config.Script decides the reply to each request; without one, every
// agent answers with a plain text and a verdict (fakellm.DefaultText), so
// a whole deliberation runs against it.
package fakeanthropic

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeconn"
	"github.com/magi-system/magi/internal/fakellm"
)

// Config shapes the fake's default behaviour.
type Config struct {
	// APIKey, when set, must be the x-api-key of every request; any other
	// key is refused with 401 authentication_error.
	APIKey string
	// Models, when set, are the only model ids that exist: others get 404
	// not_found_error, from Messages and from GET /v1/models/{id} alike.
	Models []string
	// Words is the length of the default answer, 30 when 0.
	Words int
	// Decision is the default verdict of every agent, APPROVED when empty.
	Decision string
	// Gap is the default delay between tokens.
	Gap time.Duration
	// Script, when set, decides the reply to each Messages request.
	Script func(Request) Reply
}

// Request is a parsed Messages request, as a Script sees it.
type Request struct {
	// N is the 1-based number of the request at this server.
	N           int
	Model       string
	System      string
	User        string
	Agent       magi.AgentID
	Stream      bool
	MaxTokens   int
	Temperature *float64
}

// Reply is what the fake does with one request. The zero Reply streams the
// default answer.
type Reply struct {
	// Status, when not 0 or 200, refuses the request before streaming with
	// Anthropic's JSON error body of ErrorType (by status when empty) and
	// Message.
	Status     int
	ErrorType  string
	Message    string
	RetryAfter time.Duration
	// Tokens are the text deltas to stream; when nil, Text is split into
	// words, and when both are empty the default answer is sent.
	Tokens []string
	Text   string
	// Gap overrides the Config's delay between tokens.
	Gap time.Duration
	// StreamError, when set, is the error type of an `event: error` sent
	// after ErrorAfter tokens, with Message, instead of finishing.
	StreamError string
	ErrorAfter  int
	// Cut drops the connection after CutAfter tokens.
	Cut      bool
	CutAfter int
	// Hang stops answering after HangAfter tokens until the client goes
	// away; with HangAfter 0 not even the headers are sent.
	Hang      bool
	HangAfter int
	// Usage is reported at the end; by default the input is counted in
	// words of the prompt and the output in tokens sent.
	Usage *magi.Usage
}

// Server is the fake; create it with New.
type Server struct {
	cfg Config
	mux *http.ServeMux
	// Tracker counts requests: Requests, WaitIdle.
	fakeconn.Tracker
}

// New returns a fake configured by cfg.
func New(cfg Config) *Server {
	if cfg.Words <= 0 {
		cfg.Words = 30
	}
	if cfg.Decision == "" {
		cfg.Decision = "APPROVED"
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /v1/messages", s.handleMessages)
	s.mux.HandleFunc("GET /v1/models/{id}", s.handleModel)
	return s
}

// ServeHTTP serves the Messages API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.APIKey != "" && r.Header.Get("X-Api-Key") != s.cfg.APIKey {
		_, _ = io.Copy(io.Discard, r.Body)
		WriteError(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// known reports whether model exists at this server.
func (s *Server) known(model string) bool {
	if len(s.cfg.Models) == 0 {
		return true
	}
	for _, m := range s.cfg.Models {
		if m == model {
			return true
		}
	}
	return false
}

// handleModel answers GET /v1/models/{id}, which `magi doctor` calls.
func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.known(id) {
		WriteError(w, http.StatusNotFound, "not_found_error", "model: "+id)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "model", "id": id, "display_name": id, "created_at": "2025-09-29T00:00:00Z"})
}

// handleMessages answers POST /v1/messages.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	n := s.Begin()
	defer s.End()
	data, err := io.ReadAll(r.Body) // reading it all lets the server notice the client leaving
	req, perr := parse(n, data)
	if err != nil || perr != nil {
		WriteError(w, http.StatusBadRequest, "invalid_request_error", "invalid JSON body")
		return
	}
	if !s.known(req.Model) {
		WriteError(w, http.StatusNotFound, "not_found_error", "model: "+req.Model)
		return
	}
	rep := s.reply(req)
	if rep.Status != 0 && rep.Status != http.StatusOK {
		writeReplyError(w, rep)
		return
	}
	stream(r.Context(), w, req, rep)
}

// reply asks the Script, then fills in the defaults.
func (s *Server) reply(req Request) Reply {
	var rep Reply
	if s.cfg.Script != nil {
		rep = s.cfg.Script(req)
	}
	rep.Tokens = fakellm.Tokens(rep.Tokens, rep.Text, req.Agent, s.cfg.Words, s.cfg.Decision)
	if rep.Gap == 0 {
		rep.Gap = s.cfg.Gap
	}
	if rep.Usage == nil {
		u := fakellm.CountUsage(req.System, req.User, rep.Tokens)
		rep.Usage = &u
	}
	return rep
}

// parse decodes the part of a Messages request body a Script needs.
func parse(n int, data []byte) (Request, error) {
	var b struct {
		Model       string   `json:"model"`
		MaxTokens   int      `json:"max_tokens"`
		Stream      bool     `json:"stream"`
		Temperature *float64 `json:"temperature"`
		System      []struct {
			Text string `json:"text"`
		} `json:"system"`
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return Request{}, err
	}
	req := Request{N: n, Model: b.Model, MaxTokens: b.MaxTokens, Stream: b.Stream, Temperature: b.Temperature}
	for _, s := range b.System {
		req.System += s.Text
	}
	for _, m := range b.Messages {
		for _, c := range m.Content {
			if m.Role == "user" {
				req.User += c.Text
			}
		}
	}
	req.Agent = fakellm.DetectAgent(req.System)
	return req, nil
}
