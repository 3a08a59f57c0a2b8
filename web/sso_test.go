package web_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magi-system/magi/internal/fakeoidc"
)

// ssoSecret is the client secret of the browser tests' provider.
const ssoSecret = "browser-client-secret-c2VjcmV0"

// serveSSO starts an identity provider in this process with the users the
// browser tests sign in as, and a magi serve (model: the fake upstream at
// llm) that signs users in with it; it returns both.
func serveSSO(t *testing.T, tmp, llm string) (*fakeoidc.Provider, string) {
	t.Helper()
	idp := fakeoidc.Start(t, fakeoidc.Config{ClientID: "magi-web", ClientSecret: ssoSecret, Users: []fakeoidc.User{
		{Sub: "u-alice", Name: "Alice Liddell", Email: "alice@example.com", Groups: []string{"staff"}},
		{Sub: "u-bob", Name: "Bob", Email: "bob@example.com"},
		{Sub: "u-eve", Name: "Eve", Email: "eve@evil.test"},
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	base := "http://" + addr
	idp.Register(base+"/auth/callback", base+"/")
	secret := filepath.Join(tmp, "sso-secret")
	if err := os.WriteFile(secret, []byte(ssoSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	url := serveOn(t, tmp, "sso", addr, "OPENAI_BASE_URL", llm, "OPENAI_API_KEY", "test-key", "MAGI_MODEL", "fake",
		"MAGI_OIDC_ISSUER", idp.Issuer, "MAGI_OIDC_CLIENT_ID", "magi-web", "MAGI_OIDC_CLIENT_SECRET_FILE", secret,
		"MAGI_OIDC_REDIRECT_URL", base+"/auth/callback", "MAGI_OIDC_ALLOWED_DOMAINS", "example.com")
	if url != base {
		t.Fatalf("magi serve listens on %s, want %s", url, base)
	}
	return idp, base
}

// checkSSO checks, after the browser tests, that the provider saw the
// sign-outs and that the server's log holds no secret.
func checkSSO(t *testing.T, idp *fakeoidc.Provider, log string) {
	t.Helper()
	if n := len(idp.EndSessions()); n < 2 {
		t.Errorf("the provider's end-session endpoint was called %d times, want the browser tests' sign-outs", n)
	}
	for _, q := range idp.Authorizations() {
		if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
			t.Errorf("an authorization request without PKCE, nonce or state: %v", q)
		}
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), ssoSecret) {
		t.Errorf("the server's log holds the client secret")
	}
}
