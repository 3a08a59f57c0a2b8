package signin

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// TestSignIn_CodeFlow: the authorization request carries state, nonce and
// an S256 challenge; the callback makes a session of the user; signing
// out ends it and goes to the provider's end-session endpoint.
func TestSignIn_CodeFlow(t *testing.T) {
	f := newFixture(t, Config{})
	authURL, state := f.begin(t, "/d/0123abcd?tab=trace")
	u, _ := url.Parse(authURL)
	q := u.Query()
	if !strings.HasPrefix(authURL, f.idp.Issuer+"/authorize?") {
		t.Errorf("authorization URL %s is not the provider's", authURL)
	}
	for k, want := range map[string]string{"response_type": "code", "client_id": "magi", "redirect_uri": redirect,
		"state": state, "code_challenge_method": "S256", "scope": "openid profile email"} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("nonce")) != 43 || len(q.Get("code_challenge")) != 43 || len(state) != 43 {
		t.Errorf("nonce %q, challenge %q, state %q: want 43 base64url characters each", q.Get("nonce"), q.Get("code_challenge"), state)
	}
	if strings.Contains(authURL, "s3cret") || q.Has("code_verifier") {
		t.Errorf("the authorization URL carries a secret: %s", authURL)
	}

	id, sess, next, err := f.svc.Finish(t.Context(), f.callback(t, authURL, "u-alice"), state)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	want := magi.User{Subject: "u-alice", Name: "Alice Liddell", Email: "alice@example.com"}
	if diff := cmp.Diff(want, sess.User); diff != "" || next != "/d/0123abcd?tab=trace" || !ValidID(id) {
		t.Errorf("Finish: user (-want +got):\n%s next %q, id %q", diff, next, id)
	}
	if got := sess.ExpiresAt.Sub(sess.CreatedAt); got != DefaultSessionMax {
		t.Errorf("session lifetime %v, want %v", got, DefaultSessionMax)
	}
	got, err := f.svc.Session(t.Context(), id)
	if err != nil || got.User != want {
		t.Fatalf("Session: %+v, %v", got, err)
	}

	to, err := f.svc.End(t.Context(), id)
	if err != nil {
		t.Fatalf("End: %v", err)
	}
	end, _ := url.Parse(to)
	if end.Scheme+"://"+end.Host+end.Path != f.idp.Issuer+"/end_session" ||
		end.Query().Get("client_id") != "magi" || end.Query().Get("post_logout_redirect_uri") != "http://127.0.0.1:8080/" {
		t.Errorf("End goes to %s; want the provider's end_session with client_id and post_logout_redirect_uri", to)
	}
	_, err = f.svc.Session(t.Context(), id)
	wantErr(t, "Session after End", err, magi.EUNAUTHORIZED, "sign in again")
}

// TestSignIn_Refusals: each broken sign-in is refused with a message that
// says what was wrong, and creates no session.
func TestSignIn_Refusals(t *testing.T) {
	tamper := func(f func(map[string]any)) func(*fixture) {
		return func(fx *fixture) { fx.idp.TamperNext(func(c map[string]any) bool { f(c); return false }) }
	}
	tests := []struct {
		name    string
		cfg     Config
		user    string
		prepare func(*fixture)
		code    string
		want    string
	}{
		{name: "wrong audience", prepare: tamper(func(c map[string]any) { c["aud"] = "another-app" }),
			code: magi.EUNAUTHORIZED, want: `ID token is not meant for this server: its audience (aud) does not include "magi"`},
		{name: "wrong issuer", prepare: tamper(func(c map[string]any) { c["iss"] = "https://evil.test" }),
			code: magi.EUNAUTHORIZED, want: "ID token was issued by another identity provider"},
		{name: "expired", prepare: tamper(func(c map[string]any) { c["exp"] = time.Now().Add(-2 * time.Minute).Unix() }),
			code: magi.EUNAUTHORIZED, want: "ID token expired at"},
		{name: "bad signature", prepare: func(fx *fixture) { fx.idp.TamperNext(func(map[string]any) bool { return true }) },
			code: magi.EUNAUTHORIZED, want: "ID token's signature does not match any key"},
		{name: "missing nonce", prepare: tamper(func(c map[string]any) { delete(c, "nonce") }),
			code: magi.EUNAUTHORIZED, want: "ID token has no nonce"},
		{name: "wrong nonce", prepare: tamper(func(c map[string]any) { c["nonce"] = magi.NewSecret() }),
			code: magi.EUNAUTHORIZED, want: "nonce is not this sign-in's"},
		{name: "issued in the future", prepare: tamper(func(c map[string]any) { c["iat"] = time.Now().Add(5 * time.Minute).Unix() }),
			code: magi.EUNAUTHORIZED, want: "ahead of this server's clock"},
		{name: "another client's token", prepare: tamper(func(c map[string]any) { c["aud"] = []string{"magi", "other"}; c["azp"] = "other" }),
			code: magi.EUNAUTHORIZED, want: "issued to another client"},
		{name: "access token swapped", prepare: tamper(func(c map[string]any) { c["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" }),
			code: magi.EUNAUTHORIZED, want: "does not match the access token"},
		{name: "disallowed domain", cfg: Config{AllowedDomains: []string{"example.com"}}, user: "u-eve",
			code: magi.EFORBIDDEN, want: "the account eve@evil.test may not use this MAGI server"},
		{name: "unverified email of an allowed domain", cfg: Config{AllowedDomains: []string{"example.com"}}, user: "u-liar",
			code: magi.EFORBIDDEN, want: "without a verified email"},
		{name: "group not allowed", cfg: Config{AllowedGroups: []string{"partners"}}, user: "u-bob",
			code: magi.EFORBIDDEN, want: "bob@example.com may not use"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.cfg)
			if tc.prepare != nil {
				tc.prepare(f)
			}
			user := tc.user
			if user == "" {
				user = "u-alice"
			}
			authURL, state := f.begin(t, "/")
			id, _, _, err := f.svc.Finish(t.Context(), f.callback(t, authURL, user), state)
			wantErr(t, "Finish", err, tc.code, tc.want)
			if id != "" || f.store.created.Load() != 0 {
				t.Errorf("a refused sign-in created %d sessions (id %q)", f.store.created.Load(), id)
			}
		})
	}
}

// TestSignIn_StateAndCode: the state works once and only in the browser
// that started the sign-in; a code stolen from another sign-in fails
// PKCE; the provider's own refusal is reported by its code only.
func TestSignIn_StateAndCode(t *testing.T) {
	f := newFixture(t, Config{})
	authURL, state := f.begin(t, "/")
	q := f.callback(t, authURL, "u-alice")

	_, _, _, err := f.svc.Finish(t.Context(), q, "")
	wantErr(t, "Finish without the state cookie", err, magi.EUNAUTHORIZED, "not started in this browser")
	_, _, _, err = f.svc.Finish(t.Context(), q, magi.NewSecret())
	wantErr(t, "Finish with another browser's state", err, magi.EUNAUTHORIZED, "not started in this browser")
	if _, _, _, err := f.svc.Finish(t.Context(), q, state); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	_, _, _, err = f.svc.Finish(t.Context(), q, state)
	wantErr(t, "a replayed callback", err, magi.EUNAUTHORIZED, "already used or has expired")

	// Code injection: the code of sign-in A with the state of sign-in B.
	authA, _ := f.begin(t, "/")
	qa := f.callback(t, authA, "u-eve")
	authB, stateB := f.begin(t, "/")
	_ = authB
	qa.Set("state", stateB)
	_, _, _, err = f.svc.Finish(t.Context(), qa, stateB)
	wantErr(t, "a code of another sign-in (PKCE mismatch)", err, magi.EUNAUTHORIZED, "refused the authorization code (invalid_grant)")

	// The provider says no.
	authC, stateC := f.begin(t, "/")
	_ = authC
	_, _, _, err = f.svc.Finish(t.Context(), url.Values{"state": {stateC}, "error": {"access_denied"}, "error_description": {"<script>"}}, stateC)
	wantErr(t, "the provider's refusal", err, magi.EUNAUTHORIZED, "refused the sign-in (access_denied)")
	_, _, _, err = f.svc.Finish(t.Context(), url.Values{"state": {stateC}, "code": {"x"}}, stateC)
	wantErr(t, "the state of a refused sign-in", err, magi.EUNAUTHORIZED, "already used")

	// A mix-up: the callback names another issuer (RFC 9207).
	authD, stateD := f.begin(t, "/")
	qd := f.callback(t, authD, "u-alice")
	qd.Set("iss", "https://evil.test")
	_, _, _, err = f.svc.Finish(t.Context(), qd, stateD)
	wantErr(t, "a callback of another issuer", err, magi.EUNAUTHORIZED, "another identity provider")

	if n := f.store.created.Load(); n != 1 {
		t.Errorf("%d sessions created, want the one good sign-in's", n)
	}
}

// TestSignIn_Admins: admins by group (also as Keycloak's full path) or
// by verified email, case-insensitively; they are let in by an
// allow-list that leaves them out.
func TestSignIn_Admins(t *testing.T) {
	f := newFixture(t, Config{AdminGroups: []string{"magi-admins"}, AdminEmails: []string{"boss@example.com"},
		AllowedDomains: []string{"partner.test"}})
	for user, admin := range map[string]bool{"u-root": true, "u-boss": true, "u-partner": false} {
		_, sess := f.signIn(t, user)
		if sess.Admin != admin {
			t.Errorf("%s: admin = %v, want %v", user, sess.Admin, admin)
		}
	}
	authURL, state := f.begin(t, "/")
	_, _, _, err := f.svc.Finish(t.Context(), f.callback(t, authURL, "u-liar"), state)
	wantErr(t, "an unverified email of an admin", err, magi.EFORBIDDEN, "may not use")
}

// TestSignIn_ProviderDown: a provider that cannot be reached is a 503
// that names it; the server signs users in once it is back.
func TestSignIn_ProviderDown(t *testing.T) {
	db, err := newMemoryStore(t)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{Issuer: "http://127.0.0.1:1", ClientID: "magi", RedirectURL: redirect}, db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.Begin(t.Context(), "/")
	wantErr(t, "Begin with the provider down", err, magi.EUNAVAILABLE, "the identity provider http://127.0.0.1:1 cannot be reached")
	_, err = svc.Verify(t.Context(), "a.b.c")
	wantErr(t, "Verify with the provider down", err, magi.EUNAVAILABLE, "cannot be reached")
}
