package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// RunKeys runs the behaviour suite of magi.KeyStore: open follows Run's
// contract and must return stores that are also KeyStores.
func RunKeys(t *testing.T, open func(t *testing.T) magi.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) magi.KeyStore)
	}{
		{"CreateAndRead", testKeyCreateAndRead},
		{"Duplicate", testKeyDuplicate},
		{"ListOldestFirst", testKeyList},
		{"Revoke", testKeyRevoke},
		{"UnknownID", testKeyUnknown},
		{"HasKeys", testHasKeys},
	}
	keys := func(t *testing.T) magi.KeyStore {
		t.Helper()
		ks, ok := open(t).(magi.KeyStore)
		if !ok {
			t.Fatalf("%T is not a magi.KeyStore", open(t))
		}
		return ks
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, keys) })
	}
}

// newKey makes a key created at a fixed time, with nanoseconds.
func newKey(name string, admin bool, at time.Time) (magi.APIKey, string) {
	k, secret := magi.NewKey(name, admin)
	k.CreatedAt = at
	return k, secret
}

func testKeyCreateAndRead(t *testing.T, open func(*testing.T) magi.KeyStore) {
	s := open(t)
	k, secret := newKey("ci bot", true, t0)
	if err := s.CreateKey(ctx(t), k, magi.HashKey(secret)); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	// Another store on the same database (another process) reads it.
	got, hash, err := open(t).KeyByID(ctx(t), k.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	if diff := cmp.Diff(k, got); diff != "" {
		t.Errorf("KeyByID (-want +got):\n%s", diff)
	}
	if !magi.KeyMatches(secret, hash) {
		t.Errorf("the stored hash does not match the key")
	}
	if magi.KeyMatches(secret+"x", hash) {
		t.Errorf("the stored hash matches a wrong key")
	}
}

func testKeyDuplicate(t *testing.T, open func(*testing.T) magi.KeyStore) {
	s := open(t)
	k, secret := newKey("a", false, t0)
	if err := s.CreateKey(ctx(t), k, magi.HashKey(secret)); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	k2, secret2 := newKey("b", false, t0)
	k2.ID = k.ID
	wantCode(t, "CreateKey of an existing id", s.CreateKey(ctx(t), k2, magi.HashKey(secret2)), magi.ECONFLICT)
	got, hash, err := s.KeyByID(ctx(t), k.ID)
	if err != nil || got.Name != "a" || !magi.KeyMatches(secret, hash) {
		t.Errorf("after a refused duplicate: KeyByID = %+v, %v; want the first key unchanged", got, err)
	}
}

func testKeyList(t *testing.T, open func(*testing.T) magi.KeyStore) {
	s := open(t)
	if keys, err := s.Keys(ctx(t)); err != nil || len(keys) != 0 {
		t.Fatalf("Keys of a new database = %v, %v; want none", keys, err)
	}
	var want []magi.APIKey
	for i, name := range []string{"first", "second", "third"} {
		k, _ := newKey(name, i == 1, t0.Add(time.Duration(i)*time.Second))
		want = append(want, k)
	}
	for i := len(want) - 1; i >= 0; i-- { // stored newest first
		if err := s.CreateKey(ctx(t), want[i], magi.HashKey("magi_key_"+want[i].Name)); err != nil {
			t.Fatalf("CreateKey(%s): %v", want[i].Name, err)
		}
	}
	got, err := s.Keys(ctx(t))
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Keys (-want +got):\n%s", diff)
	}
}

func testKeyRevoke(t *testing.T, open func(*testing.T) magi.KeyStore) {
	s := open(t)
	k, secret := newKey("leaked", false, t0)
	other, otherSecret := newKey("kept", false, t0.Add(time.Second))
	for _, c := range []struct {
		k      magi.APIKey
		secret string
	}{{k, secret}, {other, otherSecret}} {
		if err := s.CreateKey(ctx(t), c.k, magi.HashKey(c.secret)); err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
	}
	before := time.Now()
	if err := s.RevokeKey(ctx(t), k.ID); err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	got, _, err := s.KeyByID(ctx(t), k.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	if !got.Revoked() || got.RevokedAt.Before(before.Add(-time.Second)) || got.RevokedAt.After(time.Now().Add(time.Second)) {
		t.Fatalf("RevokedAt = %v, want about %v", got.RevokedAt, before)
	}
	first := *got.RevokedAt
	time.Sleep(2 * time.Millisecond)
	if err := s.RevokeKey(ctx(t), k.ID); err != nil {
		t.Fatalf("RevokeKey again: %v", err)
	}
	again, _, _ := s.KeyByID(ctx(t), k.ID)
	if again.RevokedAt == nil || !again.RevokedAt.Equal(first) {
		t.Errorf("a second revoke moved RevokedAt from %v to %v", first, again.RevokedAt)
	}
	if kept, _, _ := s.KeyByID(ctx(t), other.ID); kept.Revoked() {
		t.Errorf("revoking %s revoked %s too", k.ID, other.ID)
	}
}

func testKeyUnknown(t *testing.T, open func(*testing.T) magi.KeyStore) {
	s := open(t)
	_, hash, err := s.KeyByID(ctx(t), "0badc0de")
	wantCode(t, "KeyByID of an unknown id", err, magi.ENOTFOUND)
	if hash != nil {
		t.Errorf("KeyByID of an unknown id returned a hash")
	}
	wantCode(t, "RevokeKey of an unknown id", s.RevokeKey(ctx(t), "0badc0de"), magi.ENOTFOUND)
	for _, bad := range []string{"0bad\x00de", "\xff\xfe"} { // not text: unknown, never a failure
		_, _, err := s.KeyByID(ctx(t), bad)
		wantCode(t, "KeyByID of an id that is not text", err, magi.ENOTFOUND)
		wantCode(t, "RevokeKey of an id that is not text", s.RevokeKey(ctx(t), bad), magi.ENOTFOUND)
	}
}

func testHasKeys(t *testing.T, open func(*testing.T) magi.KeyStore) {
	s := open(t)
	if has, err := s.HasKeys(ctx(t)); err != nil || has {
		t.Fatalf("HasKeys of a new database = %v, %v; want false", has, err)
	}
	k, secret := newKey("only", false, t0)
	if err := s.CreateKey(ctx(t), k, magi.HashKey(secret)); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	if has, err := s.HasKeys(ctx(t)); err != nil || !has {
		t.Fatalf("HasKeys after CreateKey = %v, %v; want true", has, err)
	}
	// Revoking the last key must not open the API again.
	if err := s.RevokeKey(ctx(t), k.ID); err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	if has, err := s.HasKeys(ctx(t)); err != nil || !has {
		t.Errorf("HasKeys after revoking every key = %v, %v; want true", has, err)
	}
}
