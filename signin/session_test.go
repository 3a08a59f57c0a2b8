package signin

import (
	"errors"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// TestSession_Lifetimes: a session ends after SessionIdle unused, and
// after SessionMax however used; use within touchEvery costs no write.
func TestSession_Lifetimes(t *testing.T) {
	f := newFixture(t, Config{SessionIdle: time.Hour, SessionMax: 5 * time.Hour})
	var c clock
	c.set(time.Now())
	f.svc.now = c.now

	idle, _ := f.signIn(t, "u-alice")
	busy, _ := f.signIn(t, "u-bob")
	for range 5 { // bob works through the day, 50 minutes apart
		c.advance(50 * time.Minute)
		if _, err := f.svc.Session(t.Context(), busy); err != nil {
			t.Fatalf("a session used every 50 min ended at %v: %v", c.now(), err)
		}
		if s, _ := f.store.SessionByHash(t.Context(), magi.SessionHash(busy)); !s.SeenAt.Equal(c.now()) {
			t.Errorf("SeenAt %v, want %v", s.SeenAt, c.now())
		}
	}
	_, err := f.svc.Session(t.Context(), idle)
	wantErr(t, "a session idle for over an hour", err, magi.EUNAUTHORIZED, "your session has ended")
	if _, err := f.store.SessionByHash(t.Context(), magi.SessionHash(idle)); magi.ErrorCode(err) != magi.ENOTFOUND {
		t.Errorf("the ended session is still stored: %v", err)
	}
	c.advance(55 * time.Minute) // 5h05 after sign-in, 55 min after its last use
	_, err = f.svc.Session(t.Context(), busy)
	wantErr(t, "a session older than SessionMax", err, magi.EUNAUTHORIZED, "your session has ended")

	for _, id := range []string{"", "short", magi.NewSecret() + "x", "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%"} {
		_, err := f.svc.Session(t.Context(), id)
		wantErr(t, "Session("+id+")", err, magi.EUNAUTHORIZED, "sign in again")
	}
}

// TestSession_PurgedOnSignIn: starting a sign-in drops ended sessions.
func TestSession_PurgedOnSignIn(t *testing.T) {
	f := newFixture(t, Config{SessionIdle: time.Hour})
	var c clock
	c.set(time.Now())
	f.svc.now = c.now
	old, _ := f.signIn(t, "u-alice")
	c.advance(2 * time.Hour)
	f.begin(t, "/")
	if _, err := f.store.SessionByHash(t.Context(), magi.SessionHash(old)); magi.ErrorCode(err) != magi.ENOTFOUND {
		t.Errorf("an idle session survived the purge: %v", err)
	}
}

// TestDiscovery_Retry: a failed discovery is retried after
// retryDiscovery, not on every request, and then sign-in works.
func TestDiscovery_Retry(t *testing.T) {
	f := newFixture(t, Config{})
	var c clock
	c.set(time.Now())
	f.svc.now = c.now
	real, calls := f.svc.discovery, 0
	f.svc.discovery = func() (*discovered, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("connection refused")
		}
		return real()
	}
	for range 3 {
		_, _, err := f.svc.Begin(t.Context(), "/")
		wantErr(t, "Begin while discovery fails", err, magi.EUNAVAILABLE, "cannot be reached")
	}
	if calls != 1 {
		t.Errorf("%d discoveries within %v, want 1", calls, retryDiscovery)
	}
	c.advance(retryDiscovery)
	f.signIn(t, "u-alice")
}
