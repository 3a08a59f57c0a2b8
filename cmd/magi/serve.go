package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/internal/footprint"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/web"
)

func cmdServe(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	flags := commonFlags(fs)
	fs.StringVar(&flags.Addr, "addr", "", "address to listen on (MAGI_ADDR, default 127.0.0.1:8080)")
	fs.StringVar(&flags.Provider, "provider", "", "provider for every agent (MAGI_PROVIDER)")
	fs.StringVar(&flags.Model, "model", "", "model for every agent (MAGI_MODEL)")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return noArguments(env, "serve", pos)
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env)
	if cfg.ProviderNote != "" {
		log.Warn(cfg.ProviderNote)
	}
	a, err := openApp(ctx, cfg, env.getenv, log)
	if err != nil {
		return err
	}
	defer a.Close()
	defer servePprof(env.getenv, log)()
	srv, err := a.server()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return magi.Errorf(magi.ECONFIG, "cannot listen on %s: %v (set --addr or MAGI_ADDR)", cfg.Addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	// Start-up is over: give back its garbage and the pages of the binary
	// that package initialisation mapped once (see internal/footprint),
	// before saying the server is ready.
	footprint.Release()
	fmt.Fprintf(env.stdout, "MAGI listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(a, srv, hs, cfg.ShutdownGrace, log)
}

// server builds the HTTP API of the app. The metrics and the quotas see
// every event once it is stored, through the journal's one hook.
func (a *app) server() (*server.Server, error) {
	// keep it private: API keys, per-key quotas (docs/SECURITY.md).
	keys, ok := a.store.(magi.KeyStore)
	if !ok {
		return nil, fmt.Errorf("the store %T cannot keep API keys", a.store)
	}
	quota := server.NewQuota(server.QuotaLimits{PerMinute: a.cfg.QuotaPerMinute,
		Concurrent: a.cfg.QuotaConcurrent, ConcurrentShare: a.cfg.QuotaConcurrentShare, Capacity: a.cfg.MaxRunning,
		TokensPerDay: int64(a.cfg.QuotaTokensPerDay)}, keys)
	metrics := server.NewMetrics(a.runner.Running)
	a.journal.Observe(func(e magi.Event) { metrics.Observe(e); quota.Observe(e) })
	srv := server.New(quota.Runner(a.runner), a.store, a.feed, metrics, a.log, server.Options{
		MaxQuestionBytes: a.cfg.MaxQuestionBytes, BodyTimeout: a.cfg.BodyTimeout, CORSOrigins: a.cfg.CORSOrigins,
		StreamWriteTimeout: a.cfg.StreamWriteTimeout, StreamsPerKey: a.cfg.StreamsPerKey, StreamsPerAddr: a.cfg.StreamsPerAddr,
		UI: web.Handler(), CSP: web.ContentSecurityPolicy, Tracer: a.tel.Tracer(), Propagation: a.tel.Propagation()})
	srv.Auth, srv.Quota, srv.Keys = server.NewKeyAuth(keys, server.DefaultKeyCheck), quota, keys
	if councils, ok := a.store.(magi.CouncilStore); ok {
		srv.Councils = &server.Councils{Store: councils, Checker: a.cfg}
	}
	var err error
	if srv.SignIn, err = a.signIn(); err != nil {
		return nil, err
	}
	return srv, nil
}

// shutdown answers /healthz with 503 (load balancers stop sending), stops
// accepting deliberations, gives running ones the grace
// period, cancels the rest (they end `shutdown` and are marked
// interrupted), ends open streams, and closes the server.
func shutdown(a *app, srv *server.Server, hs *http.Server, grace time.Duration, log interface{ Info(string, ...any) }) error {
	log.Info("shutting down", "grace", grace.String(), "running", a.runner.Running())
	srv.Drain()
	gctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	_ = a.runner.Shutdown(gctx)
	srv.CloseStreams()
	sctx, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	_ = hs.Close()
	return nil
}
