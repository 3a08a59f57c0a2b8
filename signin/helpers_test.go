package signin

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeoidc"
	"github.com/magi-system/magi/store/sqlite"
)

// redirect is the callback URL the tests' server would have.
const redirect = "http://127.0.0.1:8080/auth/callback"

func verified(b bool) *bool { return &b }

// users are the provider's accounts in the tests.
var users = []fakeoidc.User{
	{Sub: "u-alice", Name: "Alice Liddell", Email: "alice@example.com", Groups: []string{"staff"}},
	{Sub: "u-bob", Name: "Bob", Email: "bob@example.com"},
	{Sub: "u-root", Name: "Root", Email: "root@example.com", Groups: []string{"/magi-admins"}},
	{Sub: "u-boss", Name: "Boss", Email: "Boss@Example.com"},
	{Sub: "u-eve", Name: "Eve", Email: "eve@evil.test"},
	{Sub: "u-liar", Name: "Liar", Email: "boss@example.com", EmailVerified: verified(false)},
	{Sub: "u-partner", Name: "Partner", Email: "p@partner.test", Groups: []string{"partners"}},
}

// countingStore counts the sessions created: a refused sign-in creates none.
type countingStore struct {
	magi.SessionStore
	created atomic.Int64
}

func (c *countingStore) CreateSession(ctx context.Context, hash []byte, s magi.Session) error {
	c.created.Add(1)
	return c.SessionStore.CreateSession(ctx, hash, s)
}

// fixture is a provider and a Service signing in with it.
type fixture struct {
	idp   *fakeoidc.Provider
	svc   *Service
	store *countingStore
}

// newFixture starts a provider with users and a Service of cfg (Issuer,
// ClientID, ClientSecret and RedirectURL filled in) on a fresh store.
func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	idp := fakeoidc.Start(t, fakeoidc.Config{ClientID: "magi", ClientSecret: "s3cret", AccessAudience: "magi-api", Users: users})
	idp.Register(redirect, "http://127.0.0.1:8080/")
	db, err := sqlite.Open(t.Context(), sqlite.Memory, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cfg.Issuer, cfg.ClientID, cfg.ClientSecret, cfg.RedirectURL = idp.Issuer, "magi", "s3cret", redirect
	st := &countingStore{SessionStore: db}
	svc, err := New(cfg, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{idp: idp, svc: svc, store: st}
}

// begin starts a sign-in to next and returns the authorization URL's
// query and the state cookie.
func (f *fixture) begin(t *testing.T, next string) (string, string) {
	t.Helper()
	authURL, state, err := f.svc.Begin(t.Context(), next)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	return authURL, state
}

// callback signs user in at the provider for authURL and returns the
// callback's query.
func (f *fixture) callback(t *testing.T, authURL, user string) url.Values {
	t.Helper()
	cb, err := f.idp.Approve(authURL, user)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	u, _ := url.Parse(cb)
	if !strings.HasPrefix(cb, redirect+"?") {
		t.Fatalf("callback %s, want %s", cb, redirect)
	}
	return u.Query()
}

// signIn runs the whole flow for user and returns the session id.
func (f *fixture) signIn(t *testing.T, user string) (string, magi.Session) {
	t.Helper()
	authURL, state := f.begin(t, "/")
	id, sess, _, err := f.svc.Finish(t.Context(), f.callback(t, authURL, user), state)
	if err != nil {
		t.Fatalf("Finish for %s: %v", user, err)
	}
	return id, sess
}

// wantErr fails unless err has code and a message containing want.
func wantErr(t *testing.T, what string, err error, code, want string) {
	t.Helper()
	if magi.ErrorCode(err) != code || !strings.Contains(magi.ErrorMessage(err), want) {
		t.Errorf("%s: %v (code %q); want %s containing %q", what, err, magi.ErrorCode(err), code, want)
	}
}

// clock is a settable time for the Service.
type clock struct{ at atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.at.Load()) }
func (c *clock) set(t time.Time)         { c.at.Store(t.UnixNano()) }
func (c *clock) advance(d time.Duration) { c.at.Add(int64(d)) }

// newMemoryStore is a SessionStore in memory, closed when the test ends.
func newMemoryStore(t *testing.T) (magi.SessionStore, error) {
	db, err := sqlite.Open(t.Context(), sqlite.Memory, sqlite.Options{})
	if err == nil {
		t.Cleanup(func() { _ = db.Close() })
	}
	return db, err
}
