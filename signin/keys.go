package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The refresh budget of a keySet: a token signed by a key it does not
// hold makes it fetch the provider's keys again (that is how a rotated key
// is learnt), at most refreshBurst times in a row and then once every
// refreshEvery, so that forged tokens cannot make MAGI hammer the
// provider. Keys older than staleKeys may always be fetched again, so
// that a flood of forged tokens cannot keep a rotated key out either.
const (
	refreshBurst = 3
	refreshEvery = 10 * time.Second
	staleKeys    = 5 * time.Minute
	maxJWKSBytes = 1 << 20
)

// errKeysUnavailable starts the error of a key set that cannot be read.
const errKeysUnavailable = "keys unavailable"

// asymmetric are the algorithms a token may be signed with; go-oidc's
// verifier narrows them to the provider's.
var asymmetric = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384,
	jose.ES512, jose.PS256, jose.PS384, jose.PS512, jose.EdDSA}

// keySet is the provider's JSON Web Key Set (oidc.KeySet), fetched on
// first use and again when a token names a key it does not hold.
type keySet struct {
	url    string
	client *http.Client
	now    func() time.Time

	fetch sync.Mutex // one fetch at a time

	mu      sync.Mutex
	keys    []jose.JSONWebKey
	gen     int       // counts fetches
	budget  float64   // refreshes allowed now
	at      time.Time // when budget was last computed
	fetched time.Time // the last successful fetch
}

func newKeySet(url string, client *http.Client, now func() time.Time) *keySet {
	return &keySet{url: url, client: client, now: now, budget: refreshBurst, at: now()}
}

// VerifySignature returns the payload of jwt when one of the provider's
// keys signed it.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(jwt, asymmetric)
	if err != nil {
		return nil, fmt.Errorf("malformed jwt: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("malformed jwt: want exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	k.mu.Lock()
	keys, gen := k.keys, k.gen
	k.mu.Unlock()
	if payload, ok := verifyWith(jws, keys, kid); ok {
		return payload, nil
	}
	keys, err = k.refreshAfter(ctx, gen)
	if err != nil {
		return nil, err
	}
	if payload, ok := verifyWith(jws, keys, kid); ok {
		return payload, nil
	}
	return nil, errors.New("no key of the provider verifies it")
}

// verifyWith tries the keys named kid (all of them when kid is empty).
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) ([]byte, bool) {
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&key); err == nil {
			return payload, true
		}
	}
	return nil, false
}

// refreshAfter returns the keys of a fetch newer than gen, fetching them
// when the budget allows; otherwise the keys it holds.
func (k *keySet) refreshAfter(ctx context.Context, gen int) ([]jose.JSONWebKey, error) {
	k.fetch.Lock()
	defer k.fetch.Unlock()
	k.mu.Lock()
	if k.gen != gen { // fetched by another request meanwhile
		defer k.mu.Unlock()
		return k.keys, nil
	}
	allowed := k.spend()
	keys := k.keys
	k.mu.Unlock()
	if !allowed {
		return keys, nil
	}
	return k.refresh(ctx, false)
}

// spend takes one refresh from the budget, if there is one; k.mu is held.
func (k *keySet) spend() bool {
	now := k.now()
	k.budget = min(refreshBurst, k.budget+now.Sub(k.at).Seconds()/refreshEvery.Seconds())
	k.at = now
	if now.Sub(k.fetched) >= staleKeys {
		return true
	}
	if k.budget < 1 {
		return false
	}
	k.budget--
	return true
}

// refresh fetches the keys; lock also takes the fetch lock (Check).
func (k *keySet) refresh(ctx context.Context, lock bool) ([]jose.JSONWebKey, error) {
	if lock {
		k.fetch.Lock()
		defer k.fetch.Unlock()
	}
	keys, err := k.get(ctx)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	if err != nil {
		return k.keys, fmt.Errorf("%s: %w", errKeysUnavailable, err)
	}
	k.keys, k.fetched = keys, k.now()
	return keys, nil
}

// get reads the key set, keeping the public signing keys it understands
// and skipping the others, as RFC 7517 asks.
func (k *keySet) get(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", k.url, resp.Status)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("GET %s: %w", k.url, err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(raw, &key) != nil || !key.Valid() || !key.IsPublic() || key.Use == "enc" {
			continue
		}
		keys = append(keys, key)
	}
	return keys, nil
}
