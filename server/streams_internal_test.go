package server

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/magi-system/magi"
)

// revocable is a KeyStore of keys that can be revoked, counting lookups.
type revocable struct {
	magi.KeyStore
	mu      sync.Mutex
	revoked map[string]bool
	lookups atomic.Int64
}

func (k *revocable) KeyByID(_ context.Context, id string) (magi.APIKey, []byte, error) {
	k.lookups.Add(1)
	k.mu.Lock()
	defer k.mu.Unlock()
	key := magi.APIKey{ID: id, Name: id}
	if k.revoked[id] {
		now := time.Now()
		key.RevokedAt = &now
	}
	return key, nil, nil
}

func (k *revocable) revoke(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.revoked[id] = true
}

// TestStreams_CheckerLifetime: the revocation checker runs only while a
// key's stream is open, ends the streams of a revoked key only, and stops
// by itself once none is open (synctest fails a test that leaves it
// running).
func TestStreams_CheckerLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		keys := &revocable{revoked: map[string]bool{}}
		s := newStreams(0, 0, time.Second)
		user, _ := s.open(Principal{User: &magi.User{Subject: "u"}}, "a", keys)
		time.Sleep(5 * time.Second)
		if n := keys.lookups.Load(); n != 0 || user.revoked() != nil {
			t.Errorf("a user's stream: %d key lookups, revoked channel %v; want none", n, user.revoked())
		}

		a1, _ := s.open(Principal{KeyID: "a"}, "x", keys)
		a2, _ := s.open(Principal{KeyID: "a"}, "y", keys)
		b, _ := s.open(Principal{KeyID: "b"}, "x", keys)
		keys.revoke("a")
		time.Sleep(1500 * time.Millisecond)
		for name, sl := range map[string]*streamSlot{"a1": a1, "a2": a2} {
			select {
			case <-sl.revoked():
			default:
				t.Errorf("%s: not ended 1.5 s after its key was revoked", name)
			}
		}
		select {
		case <-b.revoked():
			t.Error("b's stream ended with a's revocation")
		default:
		}
		for _, sl := range []*streamSlot{a1, a2, b, b, user} { // twice: harmless
			sl.release()
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		before := keys.lookups.Load()
		time.Sleep(10 * time.Second)
		if n := keys.lookups.Load() - before; n != 0 {
			t.Errorf("%d key lookups with no stream open", n)
		}
		if len(s.byKey) != 0 || len(s.byAddr) != 0 {
			t.Errorf("counts left: %v, %v", s.byKey, s.byAddr)
		}
	})
}
