package magi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// UserOwnerPrefix starts the owner of everything a signed-in user creates:
// "oidc:" + the identity provider's `sub`. An API key's id (8 hex
// characters) never contains ':', so a user and a key can never be the
// same owner, whatever the provider's subjects look like.
const UserOwnerPrefix = "oidc:"

// User is a person signed in through the OpenID Connect provider.
type User struct {
	// Subject is the provider's `sub`: stable and unique at that issuer.
	Subject string `json:"sub"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	// Admin sees and manages every deliberation.
	Admin bool `json:"admin"`
}

// Owner is the owner of what u creates: UserOwnerPrefix + u.Subject.
func (u User) Owner() string { return UserOwnerPrefix + u.Subject }

// Session is a signed-in user's session on the server. Its id is a secret
// only the browser's cookie holds; a store keeps its SessionHash.
type Session struct {
	User
	CreatedAt time.Time
	// SeenAt is the session's last use, for its idle lifetime.
	SeenAt time.Time
	// ExpiresAt ends the session however active it is.
	ExpiresAt time.Time
}

// Login is a sign-in in progress, kept from the redirect to the provider
// until its callback, which takes it once. A store keeps it under the
// SessionHash of its `state`.
type Login struct {
	// Nonce must come back in the ID token.
	Nonce string
	// Verifier is the PKCE code verifier, sent with the code.
	Verifier string
	// Next is the same-origin path to return to.
	Next      string
	ExpiresAt time.Time
}

// SessionStore keeps sessions and sign-ins in progress. store/sqlite and
// store/postgres implement it; both pass storetest.RunSessions.
type SessionStore interface {
	// CreateSession stores s under hash: ECONFLICT if hash exists.
	CreateSession(ctx context.Context, hash []byte, s Session) error
	// SessionByHash returns the session stored under hash: ENOTFOUND if
	// there is none.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// TouchSession sets the session's SeenAt: ENOTFOUND if there is none.
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	// DeleteSession removes a session; removing an absent one is no error.
	DeleteSession(ctx context.Context, hash []byte) error
	// CreateLogin stores l under hash: ECONFLICT if hash exists.
	CreateLogin(ctx context.Context, hash []byte, l Login) error
	// TakeLogin removes the login stored under hash and returns it:
	// ENOTFOUND if there is none, so that a login is taken at most once
	// even by processes racing for it.
	TakeLogin(ctx context.Context, hash []byte) (Login, error)
	// PurgeSessions removes the sessions that expired before expired or
	// were last seen before idle, and the logins that expired before
	// expired.
	PurgeSessions(ctx context.Context, expired, idle time.Time) error
}

// NewSecret returns 32 random bytes in base64url: a session id, a login's
// state, a nonce.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// SessionHash is what a store keeps of a session id or a login's state:
// its SHA-256 (256 random bits need no slow hash, as for API keys).
func SessionHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ValidSubject reports whether sub can be an owner: 1 to 255 bytes of
// printable characters, as OpenID Connect requires of `sub`.
func ValidSubject(sub string) bool {
	if sub == "" || len(sub) > 255 {
		return false
	}
	return !strings.ContainsFunc(sub, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0xfffd })
}
