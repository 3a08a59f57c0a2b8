// Package faults is MAGI's fault-injection suite: the real magi binary,
// as `magi serve` child processes, with a fault proxy
// (internal/faultproxy) between it and each dependency — the model and
// PostgreSQL — and the invariants of docs/RELIABILITY.md checked after
// every faulted run (internal/faulttest, store/check). Every random
// choice comes from one seed, printed with the command that replays it
// when a test fails; MAGI_FAULT_LONG=1 runs the long mode.
package faults_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/postgres"
	"github.com/magi-system/magi/store/sqlite"
)

func TestMain(m *testing.M) {
	code := magitest.Main(m)
	pgtest.Stop()
	os.Exit(code)
}

// agentsYAML gives every agent a short timeout, so that a model that goes
// silent (half-open) costs its vote in seconds, not minutes.
const agentsYAML = "defaults:\n  timeout: 4s\n"

// serveEnv is the environment of a `magi serve` whose model is at
// modelURL and whose store is db.
func serveEnv(t *testing.T, modelURL, db string) map[string]string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(cfg, []byte(agentsYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	env := magitest.Env(t)
	if db == "" {
		db = env["MAGI_DB"]
	}
	return magitest.With(env, "OPENAI_BASE_URL", modelURL, "MAGI_MODEL", "fake-model", "MAGI_DB", db,
		"MAGI_CONFIG", cfg, "MAGI_LOG_LEVEL", "warn", "MAGI_SHUTDOWN_GRACE", "2s", "MAGI_MAX_RUNNING", "1000")
}

// openStore opens the store at db for the checks: a SQLite path or a
// postgres:// URL (reached directly, not through the proxy).
func openStore(t *testing.T, db string) faulttest.Store {
	t.Helper()
	var st interface {
		faulttest.Store
		Close() error
	}
	var err error
	if filepath.IsAbs(db) {
		st, err = sqlite.Open(t.Context(), db, sqlite.Options{})
	} else {
		st, err = postgres.Open(t.Context(), db, postgres.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// within is a context that ends after d, or with the test.
func within(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// outcomes counts the final status of each deliberation the clients
// read.
func outcomes(ctx context.Context, t *testing.T, st faulttest.Store, tally *faulttest.Tally, clients []*faulttest.Client) {
	seen := map[string]bool{}
	for _, c := range clients {
		id := c.ID()
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		tally.Deliberations++
		s, err := st.Summary(ctx, id, "")
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		tally.Outcome(s.Status)
	}
	tally.AddClients(clients)
}
