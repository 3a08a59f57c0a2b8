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
		{"DeleteKeys", testDeleteKeys},
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
	t.Run("AdoptOwnerless", func(t *testing.T) { testAdoptOwnerless(t, open) })
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

func testDeleteKeys(t *testing.T, open func(*testing.T) magi.KeyStore) {
	s := open(t)
	if n, err := s.DeleteKeys(ctx(t)); err != nil || n != 0 {
		t.Fatalf("DeleteKeys of none = %d, %v; want 0", n, err)
	}
	for i, name := range []string{"kept", "revoked"} {
		k, secret := newKey(name, false, t0.Add(time.Duration(i)*time.Second))
		if err := s.CreateKey(ctx(t), k, magi.HashKey(secret)); err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
		if name == "revoked" {
			if err := s.RevokeKey(ctx(t), k.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.DeleteKeys(ctx(t)); err != nil || n != 2 {
		t.Fatalf("DeleteKeys = %d, %v; want 2", n, err)
	}
	// Another store on the same database (magi serve) sees the API open.
	if has, err := open(t).HasKeys(ctx(t)); err != nil || has {
		t.Errorf("HasKeys after DeleteKeys = %v, %v; want false", has, err)
	}
	if keys, err := s.Keys(ctx(t)); err != nil || len(keys) != 0 {
		t.Errorf("Keys after DeleteKeys = %v, %v; want none", keys, err)
	}
}

// testAdoptOwnerless: the deliberations of no owner go to the key, those
// of another key stay its own; an unknown or revoked key adopts nothing.
func testAdoptOwnerless(t *testing.T, open func(*testing.T) magi.Store) {
	st := open(t)
	ks := st.(magi.KeyStore)
	k, secret := newKey("owner", false, t0)
	gone, goneSecret := newKey("gone", false, t0)
	for _, c := range []struct {
		k magi.APIKey
		s string
	}{{k, secret}, {gone, goneSecret}} {
		if err := ks.CreateKey(ctx(t), c.k, magi.HashKey(c.s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ks.RevokeKey(ctx(t), gone.ID); err != nil {
		t.Fatal(err)
	}
	open1, open2, other := magi.NewID(), magi.NewID(), magi.NewID()
	begin(t, st, open1, t0, "")
	begin(t, st, open2, t0.Add(time.Second), "")
	begin(t, st, other, t0.Add(2*time.Second), "0th3r000")

	_, err := ks.AdoptOwnerless(ctx(t), "0badc0de")
	wantCode(t, "AdoptOwnerless for an unknown key", err, magi.ENOTFOUND)
	_, err = ks.AdoptOwnerless(ctx(t), gone.ID)
	wantCode(t, "AdoptOwnerless for a revoked key", err, magi.EINVALID)
	if _, err := st.Summary(ctx(t), open1, gone.ID); magi.ErrorCode(err) != magi.ENOTFOUND {
		t.Errorf("a refused adoption gave %s to the revoked key: %v", open1, err)
	}

	if n, err := ks.AdoptOwnerless(ctx(t), k.ID); err != nil || n != 2 {
		t.Fatalf("AdoptOwnerless = %d, %v; want 2", n, err)
	}
	page, err := st.List(ctx(t), magi.ListFilter{Owner: k.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range page.Items {
		got = append(got, s.ID)
	}
	if diff := cmp.Diff([]string{open2, open1}, got); diff != "" {
		t.Errorf("the key's history after adopting (-want +got):\n%s", diff)
	}
	if _, err := st.Deliberation(ctx(t), other, "0th3r000"); err != nil {
		t.Errorf("another key's deliberation changed hands: %v", err)
	}
	if n, err := ks.AdoptOwnerless(ctx(t), k.ID); err != nil || n != 0 {
		t.Errorf("AdoptOwnerless again = %d, %v; want 0", n, err)
	}
}
