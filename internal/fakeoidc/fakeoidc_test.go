package fakeoidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/magi-system/magi/internal/fakeoidc"
)

const redirect = "http://127.0.0.1:9/auth/callback"

// verifier and its S256 challenge (RFC 7636, appendix B).
const (
	verifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func authorizeURL(p *fakeoidc.Provider, edit func(url.Values)) string {
	q := url.Values{"response_type": {"code"}, "client_id": {"c"}, "redirect_uri": {redirect}, "scope": {"openid email"},
		"state": {"s"}, "nonce": {"n"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	if edit != nil {
		edit(q)
	}
	return p.Issuer + "/authorize?" + q.Encode()
}

// token redeems code with verifier and client secret; it returns the
// status and the decoded body.
func token(t *testing.T, p *fakeoidc.Provider, code, verifier, secret string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"code_verifier": {verifier}, "client_id": {"c"}, "client_secret": {secret}}
	resp, err := http.PostForm(p.Issuer+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestProvider_Strict: the fake refuses what a strict provider refuses,
// so the sign-in's tests cannot pass by accident.
func TestProvider_Strict(t *testing.T) {
	p := fakeoidc.Start(t, fakeoidc.Config{ClientID: "c", ClientSecret: "secret", Users: []fakeoidc.User{{Sub: "u"}}})
	p.Register(redirect, "")
	for name, edit := range map[string]func(url.Values){
		"no PKCE":          func(q url.Values) { q.Del("code_challenge") },
		"plain PKCE":       func(q url.Values) { q.Set("code_challenge_method", "plain") },
		"no nonce":         func(q url.Values) { q.Del("nonce") },
		"no state":         func(q url.Values) { q.Del("state") },
		"another redirect": func(q url.Values) { q.Set("redirect_uri", "https://evil.test/cb") },
		"no openid":        func(q url.Values) { q.Set("scope", "email") },
	} {
		if _, err := p.Approve(authorizeURL(p, edit), "u"); err == nil {
			t.Errorf("an authorization request with %s was approved", name)
		}
	}
	code := func() string {
		cb, err := p.Approve(authorizeURL(p, nil), "u")
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(cb)
		return u.Query().Get("code")
	}
	if status, body := token(t, p, code(), strings.Repeat("x", 43), "secret"); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("a wrong PKCE verifier: %d %v", status, body)
	}
	if status, body := token(t, p, code(), verifier, "wrong"); status != 401 || body["error"] != "invalid_client" {
		t.Errorf("a wrong client secret: %d %v", status, body)
	}
	c := code()
	if status, body := token(t, p, c, verifier, "secret"); status != 200 || body["id_token"] == nil || body["access_token"] == nil {
		t.Fatalf("a good token request: %d %v", status, body)
	}
	if status, body := token(t, p, c, verifier, "secret"); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("a code used twice: %d %v", status, body)
	}
}

// TestProvider_Rotation: the key set lists every published key.
func TestProvider_Rotation(t *testing.T) {
	p := fakeoidc.Start(t, fakeoidc.Config{ClientID: "c"})
	keys := func() int {
		resp, err := http.Get(p.Issuer + "/jwks")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var set struct{ Keys []map[string]any }
		_ = json.NewDecoder(resp.Body).Decode(&set)
		return len(set.Keys)
	}
	p.Rotate()
	if n := keys(); n != 2 {
		t.Errorf("after a rotation: %d keys, want 2", n)
	}
	p.Retire()
	if n := keys(); n != 1 || p.JWKSFetches() != 2 {
		t.Errorf("after retiring: %d keys (%d fetches), want 1 (2)", n, p.JWKSFetches())
	}
}
