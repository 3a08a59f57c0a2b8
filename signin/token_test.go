package signin

import (
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// TestVerify_Bearer: an access token (audience Config.Audience) is a
// user's credential; each broken token is refused with what was wrong.
func TestVerify_Bearer(t *testing.T) {
	f := newFixture(t, Config{Audience: "magi-api", AdminGroups: []string{"magi-admins"}})
	u, err := f.svc.Verify(t.Context(), f.idp.AccessToken("u-root"))
	if err != nil || u.Subject != "u-root" || !u.Admin || u.Name != "Root" {
		t.Fatalf("Verify of an admin's access token: %+v, %v", u, err)
	}
	claims := func(edit func(map[string]any)) map[string]any {
		c := f.idp.Claims("u-alice", "magi-api")
		edit(c)
		return c
	}
	for _, tc := range []struct {
		name, token, want string
	}{
		{"wrong audience", f.idp.Sign(f.idp.Claims("u-alice", "magi")), `not meant for this server: its audience (aud) does not include "magi-api"`},
		{"wrong issuer", f.idp.Sign(claims(func(c map[string]any) { c["iss"] = "https://evil.test" })), "issued by another identity provider than " + f.idp.Issuer},
		{"expired", f.idp.Sign(claims(func(c map[string]any) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() })), "bearer token expired at"},
		{"bad signature", f.idp.SignForeign(f.idp.Claims("u-alice", "magi-api")), "signature does not match any key"},
		{"not valid yet", f.idp.Sign(claims(func(c map[string]any) { c["nbf"] = time.Now().Add(10 * time.Minute).Unix() })), "valid from (nbf)"},
		{"no subject", f.idp.Sign(claims(func(c map[string]any) { delete(c, "sub") })), "subject (sub) is missing"},
		{"unsigned", unsigned(f.idp.Sign(f.idp.Claims("u-alice", "magi-api"))), "not a valid JWT"},
		{"not a JWT", "magi_is_not_here", "not a valid JWT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := f.svc.Verify(t.Context(), tc.token)
			wantErr(t, "Verify", err, magi.EUNAUTHORIZED, tc.want)
			if u != (magi.User{}) {
				t.Errorf("a refused token returned user %+v", u)
			}
			if strings.Contains(magi.ErrorMessage(err), tc.token) {
				t.Errorf("the message repeats the token: %s", magi.ErrorMessage(err))
			}
		})
	}
	// Within the clock skew, a just-expired token still works.
	late := f.idp.Sign(claims(func(c map[string]any) { c["exp"] = time.Now().Add(-20 * time.Second).Unix() }))
	if _, err := f.svc.Verify(t.Context(), late); err != nil {
		t.Errorf("a token expired 20 s ago (skew %v): %v", Skew, err)
	}
}

// unsigned turns a JWT into one with "alg": "none" and no signature.
func unsigned(jwt string) string {
	parts := strings.Split(jwt, ".")
	return "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
}

// TestVerify_IDTokenAsBearer: with no separate audience, the ID token a
// user got from the provider works as a bearer token; the allow-list
// applies to bearer tokens as to the browser.
func TestVerify_IDTokenAsBearer(t *testing.T) {
	f := newFixture(t, Config{AllowedDomains: []string{"example.com"}})
	if u, err := f.svc.Verify(t.Context(), f.idp.Sign(f.idp.Claims("u-bob", "magi"))); err != nil || u.Subject != "u-bob" {
		t.Errorf("Verify of an ID token: %+v, %v", u, err)
	}
	_, err := f.svc.Verify(t.Context(), f.idp.Sign(f.idp.Claims("u-eve", "magi")))
	wantErr(t, "Verify of a disallowed user's token", err, magi.EFORBIDDEN, "eve@evil.test may not use")
}

// TestVerify_KeyRotation: a token signed by a new key is verified after
// the key set is fetched again; old keys stop working once retired and
// refetched; forged kids cannot make the server fetch without bound.
func TestVerify_KeyRotation(t *testing.T) {
	f := newFixture(t, Config{Audience: "magi-api"})
	old := f.idp.AccessToken("u-alice")
	if _, err := f.svc.Verify(t.Context(), old); err != nil {
		t.Fatalf("Verify before the rotation: %v", err)
	}
	before := f.idp.JWKSFetches()
	f.idp.Rotate()
	if _, err := f.svc.Verify(t.Context(), f.idp.AccessToken("u-bob")); err != nil {
		t.Fatalf("Verify of a token of the new key: %v", err)
	}
	if got := f.idp.JWKSFetches(); got != before+1 {
		t.Errorf("the rotation took %d fetches of the key set, want 1", got-before)
	}
	if _, err := f.svc.Verify(t.Context(), old); err != nil {
		t.Errorf("a token of the old key, still published: %v", err)
	}
	// The old key is retired; once the set is fetched again (a newer key
	// appears), its tokens are refused.
	f.idp.Retire()
	f.idp.Rotate()
	if _, err := f.svc.Verify(t.Context(), f.idp.AccessToken("u-bob")); err != nil {
		t.Fatalf("Verify of a token of the newest key: %v", err)
	}
	_, err := f.svc.Verify(t.Context(), old)
	wantErr(t, "a token of a retired key", err, magi.EUNAUTHORIZED, "signature does not match")
	before = f.idp.JWKSFetches()
	// Forged tokens with unknown kids: the refresh budget is spent, then
	// no more fetches.
	for range 10 {
		c := f.idp.Claims("u-alice", "magi-api")
		_, err := f.svc.Verify(t.Context(), f.idp.SignForeign(c))
		wantErr(t, "a forged token", err, magi.EUNAUTHORIZED, "signature does not match")
	}
	if n := f.idp.JWKSFetches() - before; n > refreshBurst {
		t.Errorf("10 forged tokens made %d fetches of the key set, want at most %d", n, refreshBurst)
	}
}

// TestKeySet_StaleKeysRefetched: with the refresh budget spent by forged
// tokens, keys older than staleKeys are still fetched again, so a rotated
// key is learnt whatever an attacker sends.
func TestKeySet_StaleKeysRefetched(t *testing.T) {
	f := newFixture(t, Config{Audience: "magi-api"})
	var c clock
	c.set(time.Now())
	f.svc.now = c.now
	if _, err := f.svc.Verify(t.Context(), f.idp.AccessToken("u-alice")); err != nil {
		t.Fatal(err)
	}
	for range 2 * refreshBurst {
		_, _ = f.svc.Verify(t.Context(), f.idp.SignForeign(f.idp.Claims("u-alice", "magi-api")))
	}
	f.idp.Rotate()
	rotated := f.idp.AccessToken("u-bob")
	_, err := f.svc.Verify(t.Context(), rotated)
	wantErr(t, "a new key while the budget is spent", err, magi.EUNAUTHORIZED, "signature does not match")
	c.advance(staleKeys)
	if _, err := f.svc.Verify(t.Context(), rotated); err != nil {
		t.Errorf("a new key once the keys are stale: %v", err)
	}
}
