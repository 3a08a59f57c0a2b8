// Package server is MAGI's HTTP API: deliberations, their live event
// streams (Server-Sent Events, unbuffered end to end), the Bedrock
// AgentCore contract, health, metrics and the embedded web UI.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/magi-system/magi"
)

// Runner runs deliberations (council.Runner).
type Runner interface {
	// Start stores q as running, then runs it in the background.
	Start(ctx context.Context, q magi.Question) error
	// Cancel stops deliberation id and reports whether it was running.
	Cancel(id string) bool
	// Running returns how many deliberations run now.
	Running() int
	// LastUpdate is when the runner last became idle or finished one.
	LastUpdate() time.Time
}

// DefaultBodyTimeout is how long a request body may take to arrive.
const DefaultBodyTimeout = 10 * time.Second

// DefaultStreamWriteTimeout is how long one write of an event stream may
// wait for a client that does not read.
const DefaultStreamWriteTimeout = 10 * time.Second

// DefaultHealthTimeout bounds the store check of /healthz.
const DefaultHealthTimeout = 2 * time.Second

// Options are the server's limits and settings.
type Options struct {
	// MaxQuestionBytes is the largest question accepted (default 16 KiB).
	MaxQuestionBytes int
	// BodyTimeout is how long a request body may take to arrive, from
	// the end of the headers (DefaultBodyTimeout); a slower one is cut off
	// with 408 and its connection closed.
	BodyTimeout time.Duration
	// HealthTimeout bounds the store check of /healthz
	// (DefaultHealthTimeout).
	HealthTimeout time.Duration
	// Heartbeat is the interval of `: ping` comments on idle streams
	// (default 15 s).
	Heartbeat time.Duration
	// StreamWriteTimeout is how long one write of an event stream (an
	// event, a ping) may wait for the client to take it
	// (DefaultStreamWriteTimeout); a client that stops reading for longer
	// is dropped.
	StreamWriteTimeout time.Duration
	// StreamsPerKey and StreamsPerAddr are how many event streams one
	// principal (API key, signed-in user, the open API) and one client
	// address may hold open at once; 0 is unlimited.
	StreamsPerKey, StreamsPerAddr int
	// RevocationCheck is how often the API keys of open streams are
	// checked, so that a revoked key's streams end
	// (DefaultRevocationCheck).
	RevocationCheck time.Duration
	// CORSOrigins may call the API from a browser; empty: same-origin only.
	CORSOrigins []string
	// UI serves the web UI at /; nil serves none.
	UI http.Handler
	// CSP is the Content-Security-Policy sent with every response.
	CSP string
}

// Server is the HTTP API of MAGI.
type Server struct {
	runner  Runner
	store   magi.Store
	follow  magi.Follower
	opts    Options
	log     *slog.Logger
	metrics *Metrics
	// Auth, when set, authenticates API requests (see auth.go).
	Auth Authenticator
	// Quota, when set, admits or refuses new deliberations per principal.
	Quota Admitter
	// Councils, when set, keeps saved councils (/api/councils) and lets a
	// question name one.
	Councils *Councils
	// Keys, when set, are the API keys whose revocation ends their
	// streams.
	Keys magi.KeyStore
	// SignIn, when set, signs users in through an OpenID Connect provider
	// (signin.go); the API then needs a session, a token or an API key.
	SignIn SignIn

	authLimit  *addrLimiter // of /auth/*, per client address
	originOnce sync.Once
	origin     *http.CrossOriginProtection

	// draining is set by Drain: /healthz answers 503.
	draining atomic.Bool
	// streams counts the open event streams and ends a revoked key's.
	streams *streams
	// closing ends every open event stream on shutdown.
	mu       sync.Mutex
	closing  chan struct{}
	shutdown bool
}

// New returns a Server: follow gives the event streams (feed.Feed).
func New(runner Runner, store magi.Store, follow magi.Follower, metrics *Metrics, log *slog.Logger, opts Options) *Server {
	if opts.MaxQuestionBytes <= 0 {
		opts.MaxQuestionBytes = 16 << 10
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = DefaultBodyTimeout
	}
	if opts.HealthTimeout <= 0 {
		opts.HealthTimeout = DefaultHealthTimeout
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.StreamWriteTimeout <= 0 {
		opts.StreamWriteTimeout = DefaultStreamWriteTimeout
	}
	if opts.RevocationCheck <= 0 {
		opts.RevocationCheck = DefaultRevocationCheck
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	return &Server{runner: runner, store: store, follow: follow, opts: opts, log: log, metrics: metrics,
		closing: make(chan struct{}), authLimit: newAddrLimiter(authBurst, authEvery),
		streams: newStreams(opts.StreamsPerKey, opts.StreamsPerAddr, opts.RevocationCheck)}
}

// Handler returns the server's routes, wrapped in its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return s.middleware(mux)
}

// Drain tells load balancers, through /healthz, that the server is
// shutting down: it answers 503 "draining" from now on, while running
// deliberations and streams finish.
func (s *Server) Drain() { s.draining.Store(true) }

// CloseStreams ends every open event stream with a fatal `shutdown` error
// event, so a graceful shutdown does not wait on them, and stops watching
// their keys.
func (s *Server) CloseStreams() {
	s.Drain()
	s.mu.Lock()
	if !s.shutdown {
		s.shutdown = true
		close(s.closing)
	}
	s.mu.Unlock()
	s.streams.close()
}
