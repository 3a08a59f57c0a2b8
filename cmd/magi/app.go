package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/council"
	"github.com/magi-system/magi/feed"
	"github.com/magi-system/magi/provider"
	"github.com/magi-system/magi/provider/anthropic"
	"github.com/magi-system/magi/provider/bedrock"
	"github.com/magi-system/magi/provider/openai"
	"github.com/magi-system/magi/provider/sim"
	"github.com/magi-system/magi/store/postgres"
	"github.com/magi-system/magi/store/sqlite"
	"github.com/magi-system/magi/telemetry"
)

// app is MAGI wired together, each part built once: configuration,
// store, hub, journal, feed, council and runner.
type app struct {
	cfg     *config.Config
	store   magi.Store
	hub     *feed.Hub
	journal *feed.Journal
	feed    *feed.Feed
	council *council.Council
	runner  *council.Runner
	// tel is the tracing (OpenTelemetry), built once; off by default.
	tel *telemetry.Telemetry
	log *slog.Logger
	// stop ends the goroutines the app started, wg waits for them.
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// openApp opens the store, recovers deliberations a dead process left
// running, and builds the council.
func openApp(ctx context.Context, cfg *config.Config, getenv func(string) string, log *slog.Logger) (*app, error) {
	st, err := openStore(ctx, cfg.DB, getenv)
	if err != nil {
		return nil, err
	}
	if ids, err := st.Recover(ctx); err != nil {
		st.Close()
		return nil, err
	} else if len(ids) > 0 {
		log.Warn("marked deliberations left running by a stopped process as interrupted", "count", len(ids))
	}
	tel, err := telemetry.New(ctx, cfg.Telemetry, telemetry.Options{Version: version(),
		Secrets: []string{cfg.OpenAI.APIKey, cfg.Anthropic.APIKey, cfg.OIDC.ClientSecret}})
	if err != nil {
		st.Close()
		return nil, magi.Errorf(magi.ECONFIG, "tracing: %v (see the OTEL_* variables in docs/OBSERVABILITY.md)", err)
	}
	c, err := newCouncil(ctx, cfg, tel)
	if err != nil {
		_ = tel.Shutdown(ctx)
		st.Close()
		return nil, err
	}
	a := &app{cfg: cfg, store: st, council: c, tel: tel, log: log}
	a.hub = feed.NewHub(feed.HubOptions{})
	a.journal = feed.NewJournal(st, a.hub)
	a.journal.Trace(tel.Tracer())
	a.feed = feed.NewFeed(st, a.hub)
	a.runner = council.NewRunner(c, func(ctx context.Context, d magi.NewDeliberation) (council.Writer, <-chan error) {
		return a.journal.Begin(ctx, d)
	}, cfg.MaxRunning, log)
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	a.wg.Go(func() { a.recoverEvery(wctx, recoverInterval) })
	a.follow(wctx, st)
	return a, nil
}

// follow starts following the deliberations other processes sharing st
// run, so that a client here sees them live: through the store's notices
// (PostgreSQL), or by polling it every pollInterval while a client here
// follows one (SQLite).
func (a *app) follow(ctx context.Context, st magi.Store) {
	switch s := st.(type) {
	case magi.Watcher:
		a.wg.Go(func() {
			if err := a.feed.Watch(ctx, s); err != nil && ctx.Err() == nil {
				a.log.Error("following other processes failed", "err", err)
			}
		})
	case magi.Poller:
		a.wg.Go(func() { _ = a.feed.Poll(ctx, s, pollInterval) })
	}
}

// pollInterval is how often a process polls a store that gives no notices
// (SQLite) while a client here follows a deliberation another runs.
const pollInterval = 50 * time.Millisecond

// recoverInterval is how often a process looks for deliberations left
// running by another process that died (several processes may share one
// database): their clients here then see them end `interrupted`.
const recoverInterval = 5 * time.Second

// recoverEvery marks deliberations of dead processes interrupted, so their
// subscribers here see them end, until ctx ends.
func (a *app) recoverEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ids, err := a.store.Recover(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("looking for deliberations of stopped processes failed", "err", err)
			} else if len(ids) > 0 {
				a.log.Warn("marked deliberations of a stopped process as interrupted", "count", len(ids))
			}
		}
	}
}

// closeGrace is how long Close lets running deliberations finish before
// it stops them (serve and lambda shut their runner down first, with the
// configured grace).
const closeGrace = 5 * time.Second

// Close shuts the runner down (running deliberations get closeGrace, then
// end with `shutdown`), stops the journal once their ends are stored, stops
// the goroutines the app started and waits for them, then closes the store.
func (a *app) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	_ = a.runner.Shutdown(ctx)
	a.journal.Close()
	a.stop()
	a.wg.Wait()
	if err := a.tel.Shutdown(ctx); err != nil {
		a.log.Warn("tracing: spans were lost at exit", "err", err)
	}
	return a.store.Close()
}

// openStore opens PostgreSQL for a postgres:// URL, SQLite otherwise.
func openStore(ctx context.Context, db string, getenv func(string) string) (magi.Store, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return postgres.Open(ctx, db, postgres.Options{})
	}
	if db == "" { // the default data directory is made on first use
		return sqlite.Open(ctx, sqlite.DefaultPath(getenv), sqlite.Options{CreateDir: true})
	}
	return sqlite.Open(ctx, db, sqlite.Options{})
}

// newCouncil builds the council of cfg with the providers its agents use
// and those it offers to saved councils, each once, traced by tel.
func newCouncil(ctx context.Context, cfg *config.Config, tel *telemetry.Telemetry) (*council.Council, error) {
	c := &council.Council{Agents: map[magi.AgentID]magi.Agent{}, Providers: map[string]magi.Provider{},
		Retry: provider.DefaultPolicy(), Cost: cfg.Cost, Rule: cfg.Rule, Rounds: cfg.Rounds,
		ContextBytes: cfg.ContextBytes, Tracer: tel.Tracer(), CaptureContent: tel.CaptureContent()}
	names := slices.Clone(cfg.Offered)
	for _, a := range cfg.Agents {
		c.Agents[a.ID] = a
		for _, ref := range a.Models() {
			names = append(names, ref.Provider)
		}
	}
	for _, name := range names {
		if c.Providers[name] != nil {
			continue
		}
		p, err := newProvider(ctx, cfg, tel, name)
		if err != nil {
			return nil, err
		}
		c.Providers[name] = p
	}
	return c, c.Validate()
}

// providerChecker is what `magi doctor` asks of a provider.
type providerChecker interface {
	Check(ctx context.Context, model string) error
}

// newProvider builds the provider name of cfg; with tracing on (tel), each
// of its HTTP calls is a span and carries its trace context.
func newProvider(ctx context.Context, cfg *config.Config, tel *telemetry.Telemetry, name string) (magi.Provider, error) {
	switch name {
	case config.ProviderSim:
		return sim.New(sim.Options{Seed: cfg.SimSeed, Pace: cfg.SimPace, FirstToken: 16 * cfg.SimPace}), nil
	case config.ProviderOpenAI:
		return openai.New(openai.Config{BaseURL: cfg.OpenAI.BaseURL, APIKey: cfg.OpenAI.APIKey,
			HTTPClient: tel.Client(provider.HTTPClient())}), nil
	case config.ProviderAnthropic:
		return anthropic.New(anthropic.Config{APIKey: cfg.Anthropic.APIKey, BaseURL: cfg.Anthropic.BaseURL,
			HTTPClient: tel.Client(provider.HTTPClient())}), nil
	case config.ProviderBedrock:
		var instrument func(http.RoundTripper) http.RoundTripper
		if tel.Enabled() {
			instrument = tel.Transport
		}
		return bedrock.New(ctx, bedrock.Config{Region: cfg.Bedrock.Region, Profile: cfg.Bedrock.Profile, Instrument: instrument})
	}
	return nil, fmt.Errorf("unknown provider %q", name)
}

// version is MAGI's version as the build recorded it (a module version
// with go install …@v1.2.3; "(devel)" in a clone).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Version
	}
	return ""
}

// newLogger logs text to stderr at the configured level, without secrets.
func newLogger(cfg *config.Config, env *environment) *slog.Logger {
	return slog.New(redacting{slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}),
		[]string{cfg.OpenAI.APIKey, cfg.Anthropic.APIKey}})
}
