package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// DefaultKeyCheck is how long KeyAuth trusts an answer of "no keys yet"
// before asking the store again.
const DefaultKeyCheck = 3 * time.Second

// KeyAuth authenticates API requests with the API keys of a KeyStore.
//
// While the store holds no key, the API is open (local use) and every
// caller is an admin. Once any key exists — created by `magi keys create`,
// even in another process — every /api/ request needs `Authorization:
// Bearer <key>` of a key that is not revoked. Revoking every key does not
// open the API again (a key revoked because it leaked must not become an
// open door); deleting every key does (`magi keys reset`, the operator's
// explicit choice). The store is asked whether keys exist at most once
// every Every, so both take effect without a restart.
type KeyAuth struct {
	keys  magi.KeyStore
	every time.Duration

	mu      sync.Mutex
	locked  bool      // a key exists
	checked time.Time // when the store was last asked
}

var _ Authenticator = (*KeyAuth)(nil)

// NewKeyAuth returns a KeyAuth on keys, re-checking for a first key every
// every (DefaultKeyCheck when <= 0).
func NewKeyAuth(keys magi.KeyStore, every time.Duration) *KeyAuth {
	if every <= 0 {
		every = DefaultKeyCheck
	}
	return &KeyAuth{keys: keys, every: every}
}

// Authenticate returns the principal of r's API key: EUNAUTHORIZED when
// keys exist and r has none, or one that is unknown, wrong or revoked;
// EUNAVAILABLE when the store cannot say.
func (a *KeyAuth) Authenticate(r *http.Request) (Principal, error) {
	locked, err := a.required(r.Context())
	if err != nil {
		return Principal{}, err
	}
	if !locked {
		return Principal{Admin: true}, nil
	}
	token, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		return Principal{}, errNoKey
	}
	id, ok := magi.KeyID(token)
	if !ok {
		return Principal{}, errBadKey
	}
	k, hash, err := a.keys.KeyByID(r.Context(), id)
	switch {
	case magi.ErrorCode(err) == magi.ENOTFOUND:
		return Principal{}, errBadKey
	case err != nil:
		return Principal{}, &magi.Error{Code: magi.EUNAVAILABLE, Message: "cannot check the API key now; try again", Err: err}
	case !magi.KeyMatches(token, hash):
		return Principal{}, errBadKey
	case k.Revoked():
		return Principal{}, magi.Errorf(magi.EUNAUTHORIZED, "this API key was revoked; ask for a new one (magi keys create NAME)")
	}
	return Principal{KeyID: k.ID, Admin: k.Admin}, nil
}

var (
	errNoKey = magi.Errorf(magi.EUNAUTHORIZED,
		"this server needs an API key: send the header \"Authorization: Bearer <key>\"; its operator creates keys with: magi keys create NAME")
	errBadKey = magi.Errorf(magi.EUNAUTHORIZED,
		"the API key is not valid; check it, or ask the server's operator for one (magi keys create NAME)")
)

// required reports whether keys exist, asking the store at most once
// every a.every.
func (a *KeyAuth) required(ctx context.Context) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.checked.IsZero() && time.Since(a.checked) < a.every {
		return a.locked, nil
	}
	has, err := a.keys.HasKeys(ctx)
	if err != nil {
		// Fail closed: an unknown state is not an open API.
		return false, &magi.Error{Code: magi.EUNAVAILABLE, Message: "cannot check the API keys now; try again", Err: err}
	}
	a.locked, a.checked = has, time.Now()
	return has, nil
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
