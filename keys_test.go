package magi_test

import (
	"regexp"
	"testing"

	"github.com/magi-system/magi"
)

func TestNewKey_Format(t *testing.T) {
	k, key := magi.NewKey("ci", true)
	if !regexp.MustCompile(`^magi_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$`).MatchString(key) {
		t.Fatalf("key %q does not have the form magi_<8 hex>_<43 base64url>", key)
	}
	if id, ok := magi.KeyID(key); !ok || id != k.ID {
		t.Errorf("KeyID(key) = %q, %v; want %q", id, ok, k.ID)
	}
	if k.Name != "ci" || !k.Admin || k.CreatedAt.IsZero() || k.Revoked() {
		t.Errorf("key record = %+v", k)
	}
	if _, other := magi.NewKey("ci", true); other == key {
		t.Errorf("two keys are equal")
	}
}

func TestKeyID_Rejects(t *testing.T) {
	for _, s := range []string{"", "magi_", "magi_1234567_x", "magi_123456789_x", "magi_zzzzzzzz_x",
		"magi_12345678_", "magi_12345678", "sk-12345678_x", "MAGI_12345678_x"} {
		if id, ok := magi.KeyID(s); ok {
			t.Errorf("KeyID(%q) = %q, true; want not a key", s, id)
		}
	}
}

func TestKeyMatches(t *testing.T) {
	_, key := magi.NewKey("a", false)
	hash := magi.HashKey(key)
	if len(hash) != 32 || !magi.KeyMatches(key, hash) {
		t.Fatalf("a key does not match its own SHA-256")
	}
	for _, wrong := range []string{key + "x", key[:len(key)-1], ""} {
		if magi.KeyMatches(wrong, hash) {
			t.Errorf("KeyMatches(%q) = true", wrong)
		}
	}
	if magi.KeyMatches(key, nil) {
		t.Errorf("a key matches an empty hash")
	}
}
