// Package fakellm is a fake OpenAI-compatible chat-completions server for
// tests, browser tests and benchmarks. It speaks the real wire format over
// real sockets — chat.completion.chunk Server-Sent Events, chat.completion
// JSON, OpenAI-style error bodies — so the official SDK code runs against it.
//
// Use it with httptest:
//
//	fake := fakellm.New(fakellm.Config{Words: 40})
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	// point a client at srv.URL + "/v1"
//
// or stand-alone with (*Server).Listen. A Config.Script decides the reply to
// each request; without one, every agent answers with a plain text and a
// verdict, so a whole deliberation runs against it.
package fakellm

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Config shapes the fake's default behaviour.
type Config struct {
	// TTFT is the delay before the first token.
	TTFT time.Duration
	// Gap is the delay between tokens.
	Gap time.Duration
	// Words is the length of the default answer, 30 when 0.
	Words int
	// Decision is the default verdict of every agent, APPROVED when empty.
	Decision string
	// FailureRate (0..1) is the share of requests that fail with a 500
	// before streaming, drawn from a rand seeded with Seed.
	FailureRate float64
	Seed        uint64
	// Models are listed by GET /v1/models; ["fake-model"] when empty.
	Models []string
	// NoModels makes GET /v1/models answer 404, like servers that do not
	// implement it.
	NoModels bool
	// APIKey, when set, is required as a Bearer token on every request.
	APIKey string
	// Script, when set, decides the reply to each chat request.
	Script func(req Request) Reply
}

// Server is the fake. It is an http.Handler; the zero value is not usable,
// call New.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex
	rng      *rand.Rand
	requests int
	open     int
	changed  chan struct{} // closed and replaced whenever open changes
	calls    []Call
}

// Call is what the fake observed of one chat request, once it ended.
type Call struct {
	Request Request
	// Tokens is the number of content tokens written.
	Tokens int
	// Outcome is how the request ended.
	Outcome Outcome
	// Duration is the time the handler ran.
	Duration time.Duration
}

// Outcome is how a chat request ended, as the fake saw it.
type Outcome string

// The outcomes of a chat request.
const (
	Completed  Outcome = "completed"   // answered in full
	Failed     Outcome = "failed"      // refused with an error status
	Cut        Outcome = "cut"         // connection dropped on purpose
	StreamErr  Outcome = "stream_err"  // an error event was sent mid-stream
	ClientGone Outcome = "client_gone" // the client closed the connection first
)

// New returns a fake server configured by cfg.
func New(cfg Config) *Server {
	if cfg.Words <= 0 {
		cfg.Words = 30
	}
	if cfg.Decision == "" {
		cfg.Decision = "APPROVED"
	}
	if len(cfg.Models) == 0 {
		cfg.Models = []string{"fake-model"}
	}
	s := &Server{
		cfg:     cfg,
		rng:     rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		changed: make(chan struct{}),
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /v1/chat/completions", s.handleChat)
	s.mux.HandleFunc("POST /chat/completions", s.handleChat)
	s.mux.HandleFunc("GET /v1/models", s.handleModels)
	s.mux.HandleFunc("GET /models", s.handleModels)
	return s
}

// ServeHTTP serves the OpenAI-compatible API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.cfg.APIKey {
		writeError(w, Reply{Status: http.StatusUnauthorized, Message: "Incorrect API key provided."})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Requests returns the number of chat requests received so far.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Open returns the number of chat requests still being answered.
func (s *Server) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// Calls returns what the fake observed of every finished chat request, in
// the order they ended.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// WaitIdle waits until no chat request is being answered — every upstream
// stream has ended, on either side — or ctx ends.
func (s *Server) WaitIdle(ctx context.Context) error {
	return s.wait(ctx, func(open int) bool { return open == 0 })
}

// WaitOpen waits until at least n chat requests are being answered at
// once, or ctx ends.
func (s *Server) WaitOpen(ctx context.Context, n int) error {
	return s.wait(ctx, func(open int) bool { return open >= n })
}

// wait waits until done holds of the number of open requests.
func (s *Server) wait(ctx context.Context, done func(open int) bool) error {
	for {
		s.mu.Lock()
		changed, open := s.changed, s.open
		s.mu.Unlock()
		if done(open) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// changedLocked tells the waiters that the number of open requests changed.
func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// begin counts a new chat request and returns its 1-based number.
func (s *Server) begin() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.open++
	s.changedLocked()
	return s.requests
}

// end records a finished chat request.
func (s *Server) end(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.open--
	s.changedLocked()
}

// fail reports whether a request should fail by FailureRate.
func (s *Server) fail() bool {
	if s.cfg.FailureRate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < s.cfg.FailureRate
}
