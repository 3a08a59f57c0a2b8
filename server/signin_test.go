package server_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi/signin"
)

// TestSignIn_BrowserFlow: login redirects to the provider with state,
// nonce and PKCE; the callback opens a session behind an HttpOnly
// cookie; the session owns what it creates; logout ends it and goes to
// the provider's end-session endpoint.
func TestSignIn_BrowserFlow(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{}, "")
	b := newBrowser(t, ss.url)

	r := b.do("GET", "/auth/login?next=/d/0123abcd", "", false)
	to, _ := url.Parse(r.header.Get("Location"))
	q := to.Query()
	if r.status != http.StatusFound || !strings.HasPrefix(to.String(), ss.idp.Issuer+"/authorize?") ||
		q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("redirect_uri") != ss.url+"/auth/callback" {
		t.Fatalf("GET /auth/login: %d to %s", r.status, to)
	}
	lc := setCookie(r, "magi_login")
	if lc == nil || lc.Value != q.Get("state") || !lc.HttpOnly || lc.SameSite != http.SameSiteLaxMode || lc.Path != "/" || lc.Secure {
		t.Errorf("login cookie %+v: want HttpOnly, Lax, Path=/, the state; not Secure on http://127.0.0.1", lc)
	}
	cb, err := ss.idp.Approve(to.String(), "u-alice")
	if err != nil {
		t.Fatal(err)
	}
	r = b.do("GET", cb, "", false)
	sc := setCookie(r, "magi_session")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/d/0123abcd" || sc == nil ||
		!sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Domain != "" {
		t.Fatalf("the callback: %d to %q, session cookie %+v", r.status, r.header.Get("Location"), sc)
	}
	if gone := setCookie(r, "magi_login"); gone == nil || gone.MaxAge >= 0 {
		t.Errorf("the callback keeps the login cookie: %+v", gone)
	}
	for _, secret := range []string{sc.Value, "s3cret"} {
		if strings.Contains(r.header.Get("Location"), secret) {
			t.Errorf("a secret in the redirect: %s", r.header.Get("Location"))
		}
	}

	me := b.me()
	if me["sub"] != "u-alice" || me["name"] != "Alice" || me["email"] != "alice@example.com" || me["admin"] != false ||
		len(b.csrf) != 43 || me["expires_at"] == nil || b.csrf == sc.Value {
		t.Errorf("GET /auth/me = %v", me)
	}
	id := b.create()
	if _, err := ss.store.Deliberation(t.Context(), id, "oidc:u-alice"); err != nil {
		t.Errorf("the deliberation's owner is not oidc:u-alice: %v", err)
	}
	if r := b.do("GET", "/api/deliberations/"+id+"/events", "", false); !strings.Contains(r.body, `"type":"complete"`) {
		t.Errorf("the stream with the session: %d %s", r.status, r.body)
	}

	r = b.do("POST", "/auth/logout", "", true)
	var out struct{ Redirect string }
	_ = json.Unmarshal([]byte(r.body), &out)
	end, _ := url.Parse(out.Redirect)
	if r.status != http.StatusOK || !strings.HasPrefix(out.Redirect, ss.idp.Issuer+"/end_session?") ||
		end.Query().Get("post_logout_redirect_uri") != ss.url+"/" || end.Query().Get("client_id") != "magi" {
		t.Errorf("POST /auth/logout: %d %s", r.status, r.body)
	}
	if c := setCookie(r, "magi_session"); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout keeps the session cookie: %+v", c)
	}
	if r := b.do("GET", "/auth/me", "", false); r.status != http.StatusUnauthorized {
		t.Errorf("GET /auth/me after logout: %d", r.status)
	}
	// The old cookie, replayed by hand, is dead too.
	r = ss.do(t, "GET", "/api/deliberations", "", "", "Cookie", "magi_session="+sc.Value)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "your session has ended") ||
		!strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("the signed-out cookie: %d %s", r.status, r.body)
	}
}

// TestSignIn_SecureCookies: with an https origin every cookie is Secure
// and __Host- prefixed (no Domain, Path=/).
func TestSignIn_SecureCookies(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{}, "https://magi.example.com/auth/callback")
	b := newBrowser(t, ss.url)
	r := b.do("GET", "/auth/login", "", false)
	lc := setCookie(r, "__Host-magi_login")
	if lc == nil || !lc.Secure || !lc.HttpOnly || lc.Path != "/" || lc.Domain != "" {
		t.Fatalf("login cookie %+v (Set-Cookie %q)", lc, r.header.Values("Set-Cookie"))
	}
	cb, err := ss.idp.Approve(r.header.Get("Location"), "u-bob")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	r = b.do("GET", "/auth/callback?"+u.RawQuery, "", false, "Cookie", "__Host-magi_login="+lc.Value)
	sc := setCookie(r, "__Host-magi_session")
	if r.status != http.StatusSeeOther || sc == nil || !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
		t.Fatalf("callback: %d, session cookie %+v", r.status, sc)
	}
	if sc.Expires.Before(time.Now().Add(23*time.Hour)) || sc.Expires.After(time.Now().Add(25*time.Hour)) {
		t.Errorf("the session cookie expires %v, want with the session, in 24 h", sc.Expires)
	}
	// The unprefixed name means nothing over https.
	if r := ss.do(t, "GET", "/auth/me", "", "", "Cookie", "magi_session="+sc.Value); r.status != http.StatusUnauthorized {
		t.Errorf("an unprefixed cookie over https: %d", r.status)
	}
	if r := ss.do(t, "GET", "/auth/me", "", "", "Cookie", "__Host-magi_session="+sc.Value); r.status != http.StatusOK {
		t.Errorf("the session cookie: %d %s", r.status, r.body)
	}
}

// TestSignIn_CallbackRefusals: a broken sign-in is refused over HTTP with
// a clear error — JSON for a script, an HTML page for a browser — and
// leaves no session and no cookie.
func TestSignIn_CallbackRefusals(t *testing.T) {
	tamper := func(edit func(map[string]any)) func(map[string]any) bool {
		return func(c map[string]any) bool { edit(c); return false }
	}
	tests := []struct {
		name   string
		tamper func(map[string]any) bool
		user   string
		status int
		want   string
	}{
		{"wrong audience", tamper(func(c map[string]any) { c["aud"] = "other" }), "", 401, "not meant for this server"},
		{"wrong issuer", tamper(func(c map[string]any) { c["iss"] = "https://evil.test" }), "", 401, "issued by another identity provider"},
		{"expired", tamper(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), "", 401, "expired at"},
		{"bad signature", func(map[string]any) bool { return true }, "", 401, "signature does not match"},
		{"missing nonce", tamper(func(c map[string]any) { delete(c, "nonce") }), "", 401, "has no nonce"},
		{"wrong nonce", tamper(func(c map[string]any) { c["nonce"] = "forged" }), "", 401, "nonce is not this sign-in's"},
		{"disallowed domain", nil, "u-eve", 403, "eve@evil.test may not use this MAGI server"},
	}
	ss := newSSOServer(t, signin.Config{AllowedDomains: []string{"example.com"}}, privOptions{}, "")
	for _, tc := range tests {
		for _, asHTML := range []bool{false, true} {
			b := newBrowser(t, ss.url)
			to := b.login("/")
			if tc.tamper != nil {
				ss.idp.TamperNext(tc.tamper)
			}
			user := tc.user
			if user == "" {
				user = "u-alice"
			}
			cb, err := ss.idp.Approve(to, user)
			if err != nil {
				t.Fatal(err)
			}
			accept := "application/json"
			if asHTML {
				accept = "text/html,application/xhtml+xml"
			}
			r := b.do("GET", cb, "", false, "Accept", accept)
			switch {
			case r.status != tc.status:
				t.Errorf("%s (html %v): %d, want %d: %s", tc.name, asHTML, r.status, tc.status, r.body)
			case !asHTML && !strings.Contains(r.body, tc.want):
				t.Errorf("%s: %s; want the message %q", tc.name, r.body, tc.want)
			case asHTML && (!strings.Contains(r.body, "SIGN-IN FAILED") || !strings.Contains(r.body, html.EscapeString(tc.want)) || !strings.Contains(r.body, `href="/auth/login"`)):
				t.Errorf("%s: the browser's page lacks the reason or a way back:\n%s", tc.name, r.body)
			}
			if setCookie(r, "magi_session") != nil {
				t.Errorf("%s: a session cookie was set", tc.name)
			}
			if r := b.do("GET", "/auth/me", "", false); r.status != http.StatusUnauthorized {
				t.Errorf("%s: GET /auth/me afterwards: %d", tc.name, r.status)
			}
		}
	}
	if n := ss.sessions.n.Load(); n != 0 {
		t.Errorf("%d sessions were created by refused sign-ins", n)
	}

	// Replayed state; a code of another sign-in (PKCE); a callback in
	// another browser.
	b := newBrowser(t, ss.url)
	cb, _ := ss.idp.Approve(b.login("/"), "u-alice")
	if r := newBrowser(t, ss.url).do("GET", cb, "", false); r.status != 401 || !strings.Contains(r.body, "not started in this browser") {
		t.Errorf("the callback in another browser: %d %s", r.status, r.body)
	}
	if r := b.do("GET", cb, "", false); r.status != http.StatusSeeOther {
		t.Fatalf("the callback: %d %s", r.status, r.body)
	}
	r := b.do("GET", cb, "", false, "Cookie", "magi_login="+mustQuery(t, cb).Get("state"))
	if r.status != 401 || !strings.Contains(r.body, "already used or has expired") {
		t.Errorf("a replayed state: %d %s", r.status, r.body)
	}
	stolen := mustQuery(t, mustApprove(t, ss, newBrowser(t, ss.url).login("/"), "u-eve"))
	victim := newBrowser(t, ss.url)
	state := mustQuery(t, victim.login("/")).Get("state")
	r = victim.do("GET", "/auth/callback?"+url.Values{"code": {stolen.Get("code")}, "state": {state}}.Encode(), "", false)
	if r.status != 401 || !strings.Contains(r.body, "refused the authorization code (invalid_grant)") {
		t.Errorf("an injected code (PKCE mismatch): %d %s", r.status, r.body)
	}
	if n := ss.sessions.n.Load(); n != 1 {
		t.Errorf("%d sessions, want the one good sign-in's", n)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func mustApprove(t *testing.T, ss *ssoServer, authURL, user string) string {
	t.Helper()
	cb, err := ss.idp.Approve(authURL, user)
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

// TestSignIn_NoOpenRedirect: `next` is kept only as a same-origin path.
func TestSignIn_NoOpenRedirect(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{}, "")
	for next, want := range map[string]string{
		"/d/0123abcd":          "/d/0123abcd",
		"//evil.com":           "/",
		`/\evil.com`:           "/",
		"https://evil":         "/",
		"%2F%2Fevil.com":       "/",
		"/%2F%2Fevil.com":      "/",
		"/%5Cevil.com":         "/",
		"https:%2F%2Fevil.com": "/",
		"/\t/evil.com":         "/",
	} {
		b := newBrowser(t, ss.url)
		if got := b.signIn(ss.idp, "u-alice", next); got != want {
			t.Errorf("next %q: the callback sends to %q, want %q", next, got, want)
		}
	}
}

// TestSignIn_Off: without sign-in, /auth/* is a JSON 404 that says how
// to turn it on, /auth/me a 204 (nobody is signed in), and the API works
// as before.
func TestSignIn_Off(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	if r := ps.do(t, "GET", "/auth/me", "", ""); r.status != http.StatusNoContent || r.body != "" {
		t.Errorf("GET /auth/me with sign-in off: %d %q, want 204", r.status, r.body)
	}
	for _, c := range []struct{ method, path string }{{"GET", "/auth/login"}, {"GET", "/auth/callback"}, {"POST", "/auth/logout"}} {
		r := ps.do(t, c.method, c.path, "", "")
		if r.status != http.StatusNotFound || r.errorCode() != "not_found" || !strings.Contains(r.body, "MAGI_OIDC_ISSUER") {
			t.Errorf("%s %s with sign-in off: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	if r := ps.do(t, "PUT", "/auth/me", "", ""); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("PUT /auth/me: %d, Allow %q", r.status, r.header.Get("Allow"))
	}
	if r := ps.do(t, "GET", "/api/deliberations", "", ""); r.status != http.StatusOK {
		t.Errorf("the open API: %d", r.status)
	}
}

// TestSignIn_RateLimit: /auth/* answers 429 with Retry-After past the
// burst of one address; the API is not limited by it.
func TestSignIn_RateLimit(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{}, "")
	var last reply
	for range 40 {
		if last = ss.do(t, "GET", "/auth/me", "", ""); last.status == http.StatusTooManyRequests {
			break
		}
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || last.errorCode() != "rate_limited" {
		t.Fatalf("40 requests of /auth/me: last %d %s, Retry-After %q", last.status, last.body, last.header.Get("Retry-After"))
	}
	if r := ss.do(t, "GET", "/auth/login", "", "", "Accept", "text/html"); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "too many sign-in requests") {
		t.Errorf("GET /auth/login past the limit: %d %s", r.status, r.body)
	}
	if r := ss.do(t, "GET", "/api/deliberations", ss.idp.AccessToken("u-bob"), ""); r.status != http.StatusOK {
		t.Errorf("the API past the sign-in limit: %d %s", r.status, r.body)
	}
}

// TestSignIn_AuthMe: /auth/me describes a bearer token's user and an API
// key; no credentials is 401.
func TestSignIn_AuthMe(t *testing.T) {
	ss := newSSOServer(t, signin.Config{AdminGroups: []string{"magi-admins"}}, privOptions{}, "")
	var me map[string]any
	r := ss.do(t, "GET", "/auth/me", ss.idp.AccessToken("u-root"), "")
	if json.Unmarshal([]byte(r.body), &me); r.status != 200 || me["sub"] != "u-root" || me["admin"] != true || me["csrf_token"] != nil {
		t.Errorf("GET /auth/me with a token: %d %s", r.status, r.body)
	}
	k, key := ss.addKey(t, "ci", false)
	if r := ss.do(t, "GET", "/auth/me", key, ""); r.status != 200 || !strings.Contains(r.body, `"key_id":"`+k.ID+`"`) {
		t.Errorf("GET /auth/me with a key: %d %s", r.status, r.body)
	}
	if r := ss.do(t, "GET", "/auth/me", "", ""); r.status != 401 || !strings.Contains(r.body, "sign in first") {
		t.Errorf("GET /auth/me without credentials: %d %s", r.status, r.body)
	}
}
