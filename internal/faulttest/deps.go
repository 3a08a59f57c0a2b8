package faulttest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faultproxy"
	"github.com/magi-system/magi/internal/pgtest"
)

// Model is a fake OpenAI-compatible model (internal/fakellm) behind a
// fault proxy.
type Model struct {
	Fake  *fakellm.Server
	Srv   *httptest.Server
	Proxy *faultproxy.Proxy
	// URL is the base URL MAGI calls (through the proxy), ending in /v1.
	URL string
}

// StartModel serves a fake model configured by cfg behind a proxy whose
// toxics draw from seed; both stop when tb ends.
func StartModel(tb testing.TB, cfg fakellm.Config, seed uint64) *Model {
	tb.Helper()
	m := &Model{Fake: fakellm.New(cfg)}
	m.Srv = httptest.NewServer(m.Fake)
	tb.Cleanup(m.Srv.Close)
	m.Proxy = startProxy(tb, strings.TrimPrefix(m.Srv.URL, "http://"), seed)
	m.URL = "http://" + m.Proxy.Addr() + "/v1"
	return m
}

// DropIdle closes every connection to the fake model: MAGI's idle ones
// then close too, so that what stays open afterwards is a leak.
func (m *Model) DropIdle() { m.Srv.CloseClientConnections() }

// Postgres is a PostgreSQL server of the test's own, behind a fault
// proxy, with one database.
type Postgres struct {
	Server *pgtest.Server
	Proxy  *faultproxy.Proxy
	// URL reaches the database through the proxy (MAGI's), Direct
	// without it (the checks': their sessions are named CheckApp).
	URL, Direct string
	name        string
}

// StartPostgres starts a durable PostgreSQL server (a commit survives an
// immediate restart) and a database on it, behind a proxy whose toxics
// draw from seed. Without PostgreSQL's binaries the test is skipped, or
// fails when CI=true.
func StartPostgres(tb testing.TB, seed uint64) *Postgres {
	tb.Helper()
	if _, err := pgtest.Binaries(); err != nil {
		pgtest.URL(tb) // skips, or fails in CI, saying why
	}
	s, err := pgtest.StartWith(pgtest.Options{Durable: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	const name = "magi_faults"
	direct, err := s.CreateDatabase(tb.Context(), name)
	if err != nil {
		tb.Fatal(err)
	}
	p := &Postgres{Server: s, Direct: direct + "&application_name=" + CheckApp, name: name}
	p.Proxy = startProxy(tb, fmt.Sprintf("127.0.0.1:%d", s.Port), seed)
	u, _ := url.Parse(direct) // MAGI's sessions go unnamed
	u.Host = p.Proxy.Addr()
	p.URL = u.String()
	return p
}

// CheckApp is the application_name of the checks' sessions.
const CheckApp = "magi-faults-check"

// Backends returns how many sessions are connected to the database now
// (pg_stat_activity), the checks' excepted.
func (p *Postgres) Backends(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, p.Direct)
	if err != nil {
		return 0, err
	}
	defer func() { _ = c.Close(context.Background()) }()
	var n int
	err = c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name <> $2`, p.name, CheckApp).Scan(&n)
	return n, err
}

func startProxy(tb testing.TB, upstream string, seed uint64) *faultproxy.Proxy {
	tb.Helper()
	p, err := faultproxy.Start(upstream, seed)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}
