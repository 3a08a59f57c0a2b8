package server_test

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/council"
	"github.com/magi-system/magi/feed"
	"github.com/magi-system/magi/provider"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/store/sqlite"
	"github.com/magi-system/magi/web"
)

// heldProvider answers with a verdict after hold is closed (nil: at once),
// and reports 10 input + 20 output tokens per call.
type heldProvider struct{ hold chan struct{} }

func (p heldProvider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		if p.hold != nil {
			select {
			case <-p.hold:
			case <-ctx.Done():
				yield(magi.Delta{}, &magi.ProviderError{Kind: magi.KindCancelled, Provider: "fake", Model: "m", Err: ctx.Err()})
				return
			}
		}
		text := "Weighed.\n" + `{"decision": "APPROVED", "confidence": 0.8, "summary": "ok", "conditions": [], "scores": {"melchior": 70, "balthasar": 60, "casper": 50}}`
		if yield(magi.Delta{Text: text}, nil) {
			yield(magi.Delta{Usage: &magi.Usage{InputTokens: 10, OutputTokens: 20}}, nil)
		}
	}
}

// privServer is the API as `magi serve` wires it: KeyAuth, a Quota that
// observes every journaled event, the web UI, on a SQLite store.
type privServer struct {
	url   string
	store keyStore
	quota *server.Quota
	hold  chan struct{}
}

type privOptions struct {
	opts     server.Options
	limits   server.QuotaLimits
	held     bool          // the provider waits for hold to close
	keyCheck time.Duration // KeyAuth's re-check interval
	store    keyStore      // nil: a new SQLite store
	// setup, when set, finishes the server before it serves at url.
	setup func(t *testing.T, srv *server.Server, st keyStore, url string)
	// cfg, when set, is the configuration of the server's council: its
	// agents, and every provider it offers answered by provider; saved
	// councils are checked against it.
	cfg *config.Config
	// provider is the model of every agent (nil: a heldProvider), and of
	// every provider cfg offers.
	provider magi.Provider
	// http, when set, adjusts the HTTP server (its listener, its hooks)
	// before it starts.
	http func(ts *httptest.Server)
}

// keyStore is a store that keeps API keys, sign-in sessions and saved
// councils too, as both stores do.
type keyStore interface {
	magi.Store
	magi.KeyStore
	magi.SessionStore
	magi.CouncilStore
}

func newPrivServer(t *testing.T, o privOptions) *privServer {
	t.Helper()
	st := o.store
	if st == nil {
		st = openSQLite(t)
	}
	ps := &privServer{store: st}
	if o.held {
		ps.hold = make(chan struct{})
	}
	var model magi.Provider = heldProvider{ps.hold}
	if o.provider != nil {
		model = o.provider
	}
	c := &council.Council{Agents: map[magi.AgentID]magi.Agent{},
		Providers: map[string]magi.Provider{"fake": model}, Retry: provider.Policy{Attempts: 1}}
	for _, a := range magi.DefaultAgents() {
		a.Provider, a.Model = "fake", "m"
		c.Agents[a.ID] = a
	}
	if o.cfg != nil {
		c.Providers = map[string]magi.Provider{}
		for _, p := range o.cfg.Offered {
			c.Providers[p] = o.provider
		}
		for _, a := range o.cfg.Agents {
			c.Agents[a.ID] = a
		}
	}
	ps.quota = server.NewQuota(o.limits, st)
	hub := feed.NewHub(feed.HubOptions{})
	j := feed.NewJournal(st, hub)
	j.Observe(ps.quota.Observe) // as cmd/magi does
	runner := council.NewRunner(c, func(ctx context.Context, d magi.NewDeliberation) (council.Writer, <-chan error) {
		return j.Begin(ctx, d)
	}, 16, nil)
	if o.opts.UI == nil {
		o.opts.UI, o.opts.CSP = web.Handler(), web.ContentSecurityPolicy
	}
	srv := server.New(ps.quota.Runner(runner), st, feed.NewFeed(st, hub), nil, nil, o.opts)
	srv.Auth, srv.Quota, srv.Keys = server.NewKeyAuth(st, o.keyCheck), ps.quota, st
	if o.cfg != nil {
		srv.Councils = &server.Councils{Store: st, Checker: o.cfg}
	}
	ts := httptest.NewUnstartedServer(nil)
	ps.url = "http://" + ts.Listener.Addr().String()
	if o.setup != nil {
		o.setup(t, srv, st, ps.url)
	}
	ts.Config.Handler = srv.Handler()
	if o.http != nil {
		o.http(ts)
	}
	ts.Start()
	t.Cleanup(func() {
		ps.release()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = runner.Shutdown(ctx)
		j.Close()
		srv.CloseStreams()
		ts.Close()
		_ = st.Close()
	})
	return ps
}

// openSQLite opens a new SQLite store in a temporary directory.
func openSQLite(t *testing.T) keyStore {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "magi.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// release lets held deliberations finish.
func (ps *privServer) release() {
	if ps.hold != nil {
		select {
		case <-ps.hold:
		default:
			close(ps.hold)
		}
	}
}

// addKey creates a key in the store and returns it.
func (ps *privServer) addKey(t *testing.T, name string, admin bool) (magi.APIKey, string) {
	t.Helper()
	k, key := magi.NewKey(name, admin)
	if err := ps.store.CreateKey(t.Context(), k, magi.HashKey(key)); err != nil {
		t.Fatal(err)
	}
	return k, key
}

// reply is a response, read whole.
type reply struct {
	status int
	header http.Header
	body   string
}

// errorCode is the code of SPEC's error document in the body, or "".
func (r reply) errorCode() string {
	var b struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(r.body), &b)
	return b.Error.Code
}

// do sends a request with key as a Bearer token (none when empty) and
// extra header pairs, and reads the whole response.
func (ps *privServer) do(t *testing.T, method, path, key, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ps.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// create starts a deliberation as key and returns its id.
func (ps *privServer) create(t *testing.T, key string) string {
	t.Helper()
	r := ps.do(t, "POST", "/api/deliberations", key, `{"question": "Shall we?"}`)
	if r.status != http.StatusAccepted {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var v struct{ ID string }
	if err := json.Unmarshal([]byte(r.body), &v); err != nil || v.ID == "" {
		t.Fatalf("create: body %s", r.body)
	}
	return v.ID
}

// finish waits for id's stream to end, as key.
func (ps *privServer) finish(t *testing.T, key, id string) {
	t.Helper()
	r := ps.do(t, "GET", "/api/deliberations/"+id+"/events", key, "")
	if r.status != http.StatusOK || !strings.Contains(r.body, `"type":"complete"`) {
		t.Fatalf("events of %s: %d, no complete event in %q", id, r.status, r.body)
	}
}

// errorMessage is the message of SPEC's error document in the body, or "".
func (r reply) errorMessage() string {
	var b struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(r.body), &b)
	return b.Error.Message
}
