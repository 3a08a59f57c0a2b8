package magi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// APIKey is a credential of the HTTP API. Its secret is never stored: only
// the SHA-256 of the whole key (see HashKey).
type APIKey struct {
	// ID is 8 hex characters; it is also the owner of the deliberations
	// the key creates.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Admin sees and manages every deliberation.
	Admin     bool       `json:"admin"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the key has been revoked.
func (k APIKey) Revoked() bool { return k.RevokedAt != nil }

// KeyStore keeps API keys. store/sqlite and store/postgres implement it;
// both pass storetest.RunKeys.
type KeyStore interface {
	// CreateKey stores k and the hash of its key: ECONFLICT if the id exists.
	CreateKey(ctx context.Context, k APIKey, hash []byte) error
	// KeyByID returns a key, revoked or not, and its hash: ENOTFOUND for an
	// unknown id.
	KeyByID(ctx context.Context, id string) (APIKey, []byte, error)
	// Keys lists every key, revoked ones too, oldest first.
	Keys(ctx context.Context) ([]APIKey, error)
	// RevokeKey revokes a key for good: ENOTFOUND for an unknown id;
	// revoking a revoked key keeps its first revocation time.
	RevokeKey(ctx context.Context, id string) error
	// HasKeys reports whether any key exists, revoked or not: while one
	// does, the API needs a key.
	HasKeys(ctx context.Context) (bool, error)
	// DeleteKeys deletes every key, revoked ones too, and returns how many
	// there were: the API is open again (magi keys reset).
	DeleteKeys(ctx context.Context) (int, error)
	// AdoptOwnerless gives every deliberation that belongs to no key (one
	// asked while the API was open, or from the CLI) to the key id, and
	// returns how many: ENOTFOUND for an unknown id, EINVALID for a
	// revoked key.
	AdoptOwnerless(ctx context.Context, id string) (int, error)
}

// keyPrefix starts every API key; secret scanners can look for it.
const keyPrefix = "magi_"

// NewKey makes a new API key named name: the key record and the key
// itself, "magi_" + 8-hex id + "_" + 32 random bytes in base64url. The key
// is shown to its owner once; only HashKey(key) is stored.
func NewKey(name string, admin bool) (APIKey, string) {
	var id [4]byte
	var secret [32]byte
	_, _ = rand.Read(id[:])
	_, _ = rand.Read(secret[:])
	k := APIKey{ID: hex.EncodeToString(id[:]), Name: name, Admin: admin, CreatedAt: time.Now().UTC()}
	return k, keyPrefix + k.ID + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
}

// KeyID returns the id part of an API key, and false when key does not
// have the shape of one.
func KeyID(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, keyPrefix)
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 8 || secret == "" {
		return "", false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", false
	}
	return id, true
}

// HashKey is what a store keeps of an API key: its SHA-256. A fast hash is
// enough because the secret is 256 random bits, not a password: there is
// nothing to guess, so a slow hash (bcrypt, argon2) would add latency to
// every request and no safety.
func HashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// KeyMatches reports, in constant time, whether key is the one whose hash
// is stored.
func KeyMatches(key string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashKey(key), hash) == 1
}
