package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/fakeoidc"
	"github.com/magi-system/magi/internal/magitest"
)

// oidcSecret is the client secret of the tests' provider; it must never
// be printed or logged.
const oidcSecret = "e2e-client-secret-Zm9vYmFy"

// signInEnv starts a provider and returns it with the environment of a
// magi serve on base that signs users in with it (the secret from a file).
func signInEnv(t *testing.T, base string, extra map[string]string) (*fakeoidc.Provider, map[string]string) {
	t.Helper()
	_, llm := magitest.StartFake(t, fakellm.Config{Words: 5})
	idp := fakeoidc.Start(t, fakeoidc.Config{ClientID: "magi", ClientSecret: oidcSecret, AccessAudience: "magi-api",
		Users: []fakeoidc.User{{Sub: "u-ana", Name: "Ana", Email: "ana@example.com"},
			{Sub: "u-ops", Name: "Ops", Email: "ops@example.com", Groups: []string{"magi-admins"}}}})
	idp.Register(base+"/auth/callback", base+"/")
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte(oidcSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := openaiEnv(llm)
	for k, v := range map[string]string{"MAGI_OIDC_ISSUER": idp.Issuer, "MAGI_OIDC_CLIENT_ID": "magi",
		"MAGI_OIDC_CLIENT_SECRET_FILE": secret, "MAGI_OIDC_REDIRECT_URL": base + "/auth/callback",
		"MAGI_OIDC_AUDIENCE": "magi-api", "MAGI_OIDC_ADMIN_GROUPS": "magi-admins"} {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	return idp, env
}

// TestServe_SignIn: the real binary behind an identity provider: scripts
// use its access tokens (the stream included), a browser signs in, owns
// what it creates and signs out; nothing is open without credentials;
// neither `magi agents` nor the server's log shows the secret or a token.
func TestServe_SignIn(t *testing.T) {
	base := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	idp, env := signInEnv(t, base, nil)
	p := magitest.StartServe(t, e2eEnv(t, env), "--addr", strings.TrimPrefix(base, "http://"))
	p.WaitHealthy(t)
	api := base + "/api/deliberations"

	// A script with an access token: the stream in one request.
	token := idp.AccessToken("u-ana")
	req, _ := http.NewRequestWithContext(t.Context(), "POST", api, strings.NewReader(`{"question": "Token?"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Content-Type", "application/json")
	evs := magitest.OpenStream(t, req).All(t)
	magitest.CheckStream(t, evs)
	byToken := evs[0].Event.DeliberationID
	if last := magitest.Last(t, evs); last.Type != magi.EventComplete {
		t.Fatalf("the token's stream ended with %s", last.Type)
	}
	for _, c := range []struct{ key, want string }{
		{"", "sign in first"},
		{idp.Sign(idp.Claims("u-ana", "magi")), "not meant for this server"},
		{"magi_00000000_nokey", "API key is not valid"},
	} {
		status, _, raw := call(t, http.MethodGet, api, c.key, "")
		if status != http.StatusUnauthorized || !strings.Contains(string(raw), c.want) {
			t.Errorf("GET %s with %q: %d %s", api, c.key, status, raw)
		}
	}

	// A browser: sign in, deliberate, sign out.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, target, csrf, body string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, raw
	}
	resp, _ := send("GET", base+"/auth/login?next=/d/x", "", "")
	cb, err := idp.Approve(resp.Header.Get("Location"), "u-ana")
	if err != nil {
		t.Fatalf("the provider: %v (login answered %d)", err, resp.StatusCode)
	}
	if resp, raw := send("GET", cb, "", ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/d/x" {
		t.Fatalf("the callback: %d %s", resp.StatusCode, raw)
	}
	_, raw := send("GET", base+"/auth/me", "", "")
	var me struct {
		Sub       string `json:"sub"`
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(raw, &me); err != nil || me.Sub != "u-ana" || me.CSRFToken == "" {
		t.Fatalf("GET /auth/me: %s", raw)
	}
	if resp, raw := send("POST", api, "", `{"question": "No token?"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cookie POST without the CSRF token: %d %s", resp.StatusCode, raw)
	}
	resp, raw = send("POST", api, me.CSRFToken, `{"question": "Signed in?"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a cookie POST with the token: %d %s", resp.StatusCode, raw)
	}
	_, raw = send("GET", api, "", "")
	if !strings.Contains(string(raw), byToken) {
		t.Errorf("the session's history lacks the token's deliberation (same user): %s", raw)
	}
	resp, raw = send("POST", base+"/auth/logout", me.CSRFToken, "")
	var out struct{ Redirect string }
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(out.Redirect, idp.Issuer+"/end_session?") {
		t.Errorf("logout: %d %s", resp.StatusCode, raw)
	}
	if resp, _ := send("GET", api, "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: %d", resp.StatusCode)
	}

	// Nothing shows the secret or a token.
	agents := runMagi(t, env, "agents")
	if strings.Contains(agents, oidcSecret) || !strings.Contains(agents, "MAGI_OIDC_CLIENT_SECRET_FILE") {
		t.Errorf("magi agents shows the secret, or not where it comes from:\n%s", agents)
	}
	log := p.Stdout.String() + p.Stderr.String()
	u, _ := url.Parse(cb)
	for what, secret := range map[string]string{"the client secret": oidcSecret, "the access token": token,
		"the authorization code": u.Query().Get("code"), "the state": u.Query().Get("state"), "the CSRF token": me.CSRFToken} {
		if strings.Contains(log, secret) {
			t.Errorf("the server's log shows %s", what)
		}
	}
	if !strings.Contains(log, "sign-in: session started") {
		t.Errorf("the server's log does not record the sign-in:\n%s", log)
	}
}
