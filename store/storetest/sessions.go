package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// RunSessions runs the behaviour suite of magi.SessionStore: open follows
// Run's contract and must return stores that are also SessionStores.
func RunSessions(t *testing.T, open func(t *testing.T) magi.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) magi.SessionStore)
	}{
		{"CreateAndRead", testSessionCreateAndRead},
		{"Duplicate", testSessionDuplicate},
		{"RefusesInvalid", testSessionInvalid},
		{"TouchAndDelete", testSessionTouchDelete},
		{"Purge", testSessionPurge},
		{"LoginTakenOnce", testLoginTakenOnce},
		{"LoginRace", testLoginRace},
	}
	sessions := func(t *testing.T) magi.SessionStore {
		t.Helper()
		ss, ok := open(t).(magi.SessionStore)
		if !ok {
			t.Fatalf("%T is not a magi.SessionStore", open(t))
		}
		return ss
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, sessions) })
	}
}

// newSession is a session of sub created at, with nanoseconds.
func newSession(sub string, admin bool, at time.Time) magi.Session {
	return magi.Session{User: magi.User{Subject: sub, Name: "Name of " + sub, Email: sub + "@example.com", Admin: admin},
		CreatedAt: at, SeenAt: at, ExpiresAt: at.Add(24 * time.Hour)}
}

func testSessionCreateAndRead(t *testing.T, open func(*testing.T) magi.SessionStore) {
	s := open(t)
	id := magi.NewSecret()
	want := newSession("248289761001", true, t0.Add(7)) // 7 ns: kept exactly
	want.Name = "山田 花子"
	if err := s.CreateSession(ctx(t), magi.SessionHash(id), want); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	// Another store on the same database (another process) reads it.
	got, err := open(t).SessionByHash(ctx(t), magi.SessionHash(id))
	if err != nil {
		t.Fatalf("SessionByHash: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SessionByHash (-want +got):\n%s", diff)
	}
	_, err = s.SessionByHash(ctx(t), magi.SessionHash(id+"x"))
	wantCode(t, "SessionByHash of another id", err, magi.ENOTFOUND)
}

func testSessionDuplicate(t *testing.T, open func(*testing.T) magi.SessionStore) {
	s := open(t)
	hash := magi.SessionHash(magi.NewSecret())
	if err := s.CreateSession(ctx(t), hash, newSession("alice", false, t0)); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	wantCode(t, "CreateSession of an existing hash", s.CreateSession(ctx(t), hash, newSession("mallory", true, t0)), magi.ECONFLICT)
	if got, err := s.SessionByHash(ctx(t), hash); err != nil || got.Subject != "alice" || got.Admin {
		t.Errorf("after a refused duplicate: %+v, %v; want alice's session unchanged", got, err)
	}
}

func testSessionInvalid(t *testing.T, open func(*testing.T) magi.SessionStore) {
	s := open(t)
	for name, c := range map[string]struct {
		hash []byte
		sub  string
	}{
		"no hash":         {nil, "alice"},
		"empty subject":   {magi.SessionHash("a"), ""},
		"control char":    {magi.SessionHash("b"), "al\x00ice"},
		"subject too big": {magi.SessionHash("c"), string(make([]byte, 256))},
	} {
		wantCode(t, "CreateSession with "+name, s.CreateSession(ctx(t), c.hash, newSession(c.sub, false, t0)), magi.EINVALID)
	}
}

func testSessionTouchDelete(t *testing.T, open func(*testing.T) magi.SessionStore) {
	s := open(t)
	hash := magi.SessionHash(magi.NewSecret())
	if err := s.CreateSession(ctx(t), hash, newSession("alice", false, t0)); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	later := t0.Add(90 * time.Minute)
	if err := s.TouchSession(ctx(t), hash, later); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if got, err := open(t).SessionByHash(ctx(t), hash); err != nil || !got.SeenAt.Equal(later) || !got.CreatedAt.Equal(t0) {
		t.Errorf("after TouchSession: %+v, %v; want SeenAt %v, CreatedAt unchanged", got, err, later)
	}
	if err := s.DeleteSession(ctx(t), hash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err := s.SessionByHash(ctx(t), hash)
	wantCode(t, "SessionByHash after DeleteSession", err, magi.ENOTFOUND)
	wantCode(t, "TouchSession after DeleteSession", s.TouchSession(ctx(t), hash, later), magi.ENOTFOUND)
	if err := s.DeleteSession(ctx(t), hash); err != nil {
		t.Errorf("DeleteSession of an absent session: %v", err)
	}
}

func testSessionPurge(t *testing.T, open func(*testing.T) magi.SessionStore) {
	s := open(t)
	fresh, idle, old := magi.SessionHash("fresh"), magi.SessionHash("idle"), magi.SessionHash("old")
	now := t0.Add(48 * time.Hour)
	sessions := map[string]magi.Session{
		"fresh": {User: magi.User{Subject: "a"}, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour)},
		"idle":  {User: magi.User{Subject: "b"}, CreatedAt: now, SeenAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(time.Hour)},
		"old":   {User: magi.User{Subject: "c"}, CreatedAt: t0, SeenAt: now, ExpiresAt: now.Add(-time.Second)},
	}
	for id, sess := range sessions {
		if err := s.CreateSession(ctx(t), magi.SessionHash(id), sess); err != nil {
			t.Fatalf("CreateSession(%s): %v", id, err)
		}
	}
	live, dead := magi.SessionHash("live login"), magi.SessionHash("dead login")
	for hash, at := range map[*[]byte]time.Time{&live: now.Add(time.Minute), &dead: now.Add(-time.Minute)} {
		if err := s.CreateLogin(ctx(t), *hash, magi.Login{Nonce: "n", Verifier: "v", Next: "/", ExpiresAt: at}); err != nil {
			t.Fatalf("CreateLogin: %v", err)
		}
	}
	if err := s.PurgeSessions(ctx(t), now, now.Add(-2*time.Hour)); err != nil {
		t.Fatalf("PurgeSessions: %v", err)
	}
	if _, err := s.SessionByHash(ctx(t), fresh); err != nil {
		t.Errorf("the fresh session was purged: %v", err)
	}
	for name, hash := range map[string][]byte{"idle": idle, "expired": old} {
		_, err := s.SessionByHash(ctx(t), hash)
		wantCode(t, "SessionByHash of the "+name+" session after PurgeSessions", err, magi.ENOTFOUND)
	}
	if _, err := s.TakeLogin(ctx(t), live); err != nil {
		t.Errorf("the live login was purged: %v", err)
	}
	_, err := s.TakeLogin(ctx(t), dead)
	wantCode(t, "TakeLogin of an expired login after PurgeSessions", err, magi.ENOTFOUND)
}

func testLoginTakenOnce(t *testing.T, open func(*testing.T) magi.SessionStore) {
	s := open(t)
	state := magi.NewSecret()
	want := magi.Login{Nonce: magi.NewSecret(), Verifier: magi.NewSecret(), Next: "/d/0123abcd", ExpiresAt: t0.Add(10*time.Minute + 5)}
	if err := s.CreateLogin(ctx(t), magi.SessionHash(state), want); err != nil {
		t.Fatalf("CreateLogin: %v", err)
	}
	wantCode(t, "CreateLogin of an existing state", s.CreateLogin(ctx(t), magi.SessionHash(state), want), magi.ECONFLICT)
	got, err := open(t).TakeLogin(ctx(t), magi.SessionHash(state))
	if err != nil {
		t.Fatalf("TakeLogin: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TakeLogin (-want +got):\n%s", diff)
	}
	_, err = s.TakeLogin(ctx(t), magi.SessionHash(state))
	wantCode(t, "a second TakeLogin of the same state", err, magi.ENOTFOUND)
}

// testLoginRace: callbacks racing with one state, in two processes, take
// the login exactly once.
func testLoginRace(t *testing.T, open func(*testing.T) magi.SessionStore) {
	stores := []magi.SessionStore{open(t), open(t)}
	hash := magi.SessionHash(magi.NewSecret())
	if err := stores[0].CreateLogin(ctx(t), hash, magi.Login{Nonce: "n", Verifier: "v", Next: "/", ExpiresAt: t0}); err != nil {
		t.Fatalf("CreateLogin: %v", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = stores[i%2].TakeLogin(ctx(t), hash) })
	}
	wg.Wait()
	taken := 0
	for _, err := range errs {
		switch magi.ErrorCode(err) {
		case "":
			taken++
		case magi.ENOTFOUND:
		default:
			t.Errorf("TakeLogin: %v", err)
		}
	}
	if taken != 1 {
		t.Errorf("the login was taken %d times by 8 racing callbacks, want once", taken)
	}
}
