package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/signin"
)

// TestSignIn_BearerTokens: a script sends the provider's access token;
// broken tokens are refused with what was wrong and create nothing; API
// keys keep working; the API is never open while sign-in is on.
func TestSignIn_BearerTokens(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{}, "")
	_, admin := ss.addKey(t, "root", true)

	token := ss.idp.AccessToken("u-carol")
	id := ss.create(t, token) // no CSRF token: a bearer request is not cookie-authenticated
	ss.finish(t, token, id)
	if _, err := ss.store.Deliberation(t.Context(), id, "oidc:u-carol"); err != nil {
		t.Errorf("the token's deliberation is not oidc:u-carol's: %v", err)
	}
	claims := func(edit func(map[string]any)) map[string]any {
		c := ss.idp.Claims("u-carol", "magi-api")
		edit(c)
		return c
	}
	for _, tc := range []struct{ name, token, want string }{
		{"wrong audience", ss.idp.Sign(ss.idp.Claims("u-carol", "another-api")), `its audience (aud) does not include "magi-api"`},
		{"wrong issuer", ss.idp.Sign(claims(func(c map[string]any) { c["iss"] = "https://evil.test" })), "issued by another identity provider"},
		{"expired", ss.idp.Sign(claims(func(c map[string]any) { c["exp"] = time.Now().Add(-10 * time.Minute).Unix() })), "bearer token expired at"},
		{"bad signature", ss.idp.SignForeign(ss.idp.Claims("u-carol", "magi-api")), "signature does not match any key"},
		{"garbage", "not-a-token", "not a valid JWT"},
		{"a key that does not exist", "magi_0badc0de_nope", "API key is not valid"},
	} {
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/deliberations", `{"question": "Refused?"}`}, {"GET", "/api/deliberations", ""}, {"POST", "/invocations", `{"prompt": "Refused?"}`},
		} {
			r := ss.do(t, c.method, c.path, tc.token, c.body)
			if r.status != http.StatusUnauthorized || r.errorCode() != "unauthorized" || !strings.Contains(errorMessage(r), tc.want) ||
				!strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s, %s %s: %d %s", tc.name, c.method, c.path, r.status, r.body)
			}
			if strings.Contains(r.body, tc.token) {
				t.Errorf("%s: the error repeats the token", tc.name)
			}
		}
	}
	var page magi.Page
	_ = json.Unmarshal([]byte(ss.do(t, "GET", "/api/deliberations", admin, "").body), &page)
	if len(page.Items) != 1 || page.Items[0].ID != id {
		t.Errorf("after the refused requests the store holds %d deliberations, want only %s", len(page.Items), id)
	}
	if r := ss.do(t, "GET", "/api/deliberations/"+id, admin, ""); r.status != http.StatusOK {
		t.Errorf("an admin key reads a signed-in user's deliberation: %d", r.status)
	}
}

// TestSignIn_NeverOpen: with sign-in on and no API key stored, the API
// needs credentials; a magi_ key is not let in by the empty key store.
func TestSignIn_NeverOpen(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{}, "")
	for _, key := range []string{"", "magi_00000000_anything"} {
		r := ss.do(t, "GET", "/api/deliberations", key, "")
		if r.status != http.StatusUnauthorized {
			t.Errorf("key %q with sign-in on and no keys: %d %s, want 401", key, r.status, r.body)
		}
	}
	if r := ss.do(t, "POST", "/invocations", "", `{"prompt": "Open?"}`); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "sign in first") {
		t.Errorf("POST /invocations with no credentials: %d %s", r.status, r.body)
	}
}

// TestSignIn_Ownership: two signed-in users, a token user and a key whose
// id looks like a subject cannot see each other's deliberations on any
// route (404); an admin by group sees them all.
func TestSignIn_Ownership(t *testing.T) {
	ss := newSSOServer(t, signin.Config{AdminGroups: []string{"magi-admins"}}, privOptions{held: true}, "")
	alice, bob, root := newBrowser(t, ss.url), newBrowser(t, ss.url), newBrowser(t, ss.url)
	alice.signIn(ss.idp, "u-alice", "/")
	bob.signIn(ss.idp, "u-bob", "/")
	root.signIn(ss.idp, "u-root", "/")
	if me := root.me(); me["admin"] != true {
		t.Fatalf("root is not an admin: %v", me)
	}
	// An API key with the id "0badc0de" and a user whose sub is "0badc0de".
	k, _ := magi.NewKey("hex", false)
	k.ID = "0badc0de"
	key := "magi_0badc0de_" + strings.Repeat("k", 43)
	if err := ss.store.CreateKey(t.Context(), k, magi.HashKey(key)); err != nil {
		t.Fatal(err)
	}
	hexUser := ss.idp.AccessToken("0badc0de")

	running := alice.create()
	if r := bob.do("POST", "/api/deliberations/"+running+"/cancel", "", true); r.status != http.StatusNotFound || r.errorCode() != "not_found" {
		t.Errorf("bob cancels alice's: %d %s", r.status, r.body)
	}
	ss.release()
	done := alice.create()
	keys := ss.create(t, key)
	if r := alice.do("GET", "/api/deliberations/"+done+"/events", "", false); !strings.Contains(r.body, `"type":"complete"`) {
		t.Fatalf("alice's stream: %d %s", r.status, r.body)
	}
	ss.finish(t, key, keys)
	ss.finish(t, key, ss.create(t, key))

	for who, got := range map[string]map[string]bool{"bob": bob.ids(), "alice": alice.ids()} {
		want := who == "alice"
		if got[done] != want || got[running] != want || got[keys] {
			t.Errorf("%s's history %v", who, got)
		}
	}
	if got := root.ids(); !got[done] || !got[running] || !got[keys] {
		t.Errorf("the admin's history %v, want all", got)
	}
	r := ss.do(t, "GET", "/api/deliberations", hexUser, "")
	if r.status != http.StatusOK || strings.Contains(r.body, keys) {
		t.Errorf("the user with sub 0badc0de sees the key 0badc0de's deliberations: %d %s", r.status, r.body)
	}
	if r := ss.do(t, "GET", "/api/deliberations/"+keys, hexUser, ""); r.status != http.StatusNotFound {
		t.Errorf("the user with sub 0badc0de reads key 0badc0de's deliberation: %d", r.status)
	}

	for _, p := range []string{"/api/deliberations/ID", "/api/deliberations/ID/events", "/api/deliberations/ID/export?format=json",
		"/api/deliberations/ID/export?format=md"} {
		path := strings.ReplaceAll(p, "ID", done)
		for who, c := range map[string]struct {
			b    *browser
			want int
		}{"bob": {bob, 404}, "alice": {alice, 200}, "root": {root, 200}} {
			r := c.b.do("GET", path, "", false)
			if r.status != c.want || (c.want == 404 && (r.errorCode() != "not_found" || strings.Contains(r.body, "Shall we"))) {
				t.Errorf("%s GET %s: %d %s, want %d", who, p, r.status, r.body, c.want)
			}
		}
		if r := ss.do(t, "GET", path, hexUser, ""); r.status != http.StatusNotFound {
			t.Errorf("a token user GET %s of alice's: %d", p, r.status)
		}
	}
	if r := bob.do("DELETE", "/api/deliberations/"+done, "", true); r.status != http.StatusNotFound {
		t.Errorf("bob deletes alice's: %d %s", r.status, r.body)
	}
	if r := alice.do("DELETE", "/api/deliberations/"+done, "", true); r.status != http.StatusNoContent {
		t.Errorf("alice deletes her own: %d %s", r.status, r.body)
	}
	if r := root.do("DELETE", "/api/deliberations/"+keys, "", true); r.status != http.StatusNoContent {
		t.Errorf("the admin deletes a key's: %d %s", r.status, r.body)
	}
}

// TestSignIn_CSRF: a request made with the session cookie that changes
// something needs the session's CSRF token and a same-origin request;
// reads do not; nothing is created or deleted when refused.
func TestSignIn_CSRF(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{}, "")
	b := newBrowser(t, ss.url)
	b.signIn(ss.idp, "u-alice", "/")
	id := b.create()
	if r := b.do("GET", "/api/deliberations/"+id+"/events", "", false); !strings.Contains(r.body, `"type":"complete"`) {
		t.Fatalf("a read without the token: %d", r.status)
	}
	for _, c := range []struct {
		name   string
		csrf   bool
		header []string
		want   string
	}{
		{"no token", false, nil, "lacks the session's CSRF token"},
		{"a wrong token", false, []string{"X-CSRF-Token", strings.Repeat("A", 43)}, "lacks the session's CSRF token"},
		{"cross-site", true, []string{"Sec-Fetch-Site", "cross-site"}, "cross-origin request refused"},
		{"same-site", true, []string{"Sec-Fetch-Site", "same-site"}, "cross-origin request refused"},
		{"another origin", true, []string{"Origin", "https://evil.test"}, "cross-origin request refused"},
	} {
		for _, req := range []struct{ method, path, body string }{
			{"POST", "/api/deliberations", `{"question": "Forged?"}`}, {"DELETE", "/api/deliberations/" + id, ""},
			{"POST", "/invocations", `{"prompt": "Forged?"}`}, {"POST", "/auth/logout", ""},
		} {
			r := b.do(req.method, req.path, req.body, c.csrf, c.header...)
			if r.status != http.StatusForbidden || r.errorCode() != "forbidden" || !strings.Contains(r.body, c.want) {
				t.Errorf("%s %s with %s: %d %s", req.method, req.path, c.name, r.status, r.body)
			}
		}
	}
	if got := b.ids(); len(got) != 1 || !got[id] {
		t.Errorf("after the refused requests the history is %v, want only %s", got, id)
	}
	if r := b.do("GET", "/auth/me", "", false); r.status != http.StatusOK {
		t.Errorf("a refused logout ended the session: %d", r.status)
	}
	// Same-origin with the token works, as the page sends it.
	if r := b.do("DELETE", "/api/deliberations/"+id, "", true, "Sec-Fetch-Site", "same-origin", "Origin", ss.url); r.status != http.StatusNoContent {
		t.Errorf("a same-origin DELETE with the token: %d %s", r.status, r.body)
	}
}

// TestSignIn_StreamOutlivesSession: a stream opened with a session goes
// on to its end after the session ends; the next request needs a new
// session.
func TestSignIn_StreamOutlivesSession(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{held: true}, "")
	b := newBrowser(t, ss.url)
	b.signIn(ss.idp, "u-alice", "/")
	id := b.create()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", ss.url+"/api/deliberations/"+id+"/events", nil)
	resp, err := b.client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("open the stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	events := make(chan []sseLine, 1)
	go func() { events <- readLines(resp.Body) }()

	if r := b.do("POST", "/auth/logout", "", true); r.status != http.StatusOK {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	ss.release()
	got := <-events
	if len(got) == 0 || !strings.Contains(got[len(got)-1].data, `"type":"complete"`) {
		t.Errorf("the stream after the session ended: %d events, last %v", len(got), got)
	}
	if r := b.do("GET", "/api/deliberations/"+id, "", false); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "sign in") {
		t.Errorf("a new request after the session ended: %d %s", r.status, r.body)
	}
}

// TestSignIn_QuotaPerUser: the quotas count each signed-in user apart.
func TestSignIn_QuotaPerUser(t *testing.T) {
	ss := newSSOServer(t, signin.Config{}, privOptions{held: true, limits: server.QuotaLimits{Concurrent: 1}}, "")
	alice, bob := newBrowser(t, ss.url), newBrowser(t, ss.url)
	alice.signIn(ss.idp, "u-alice", "/")
	bob.signIn(ss.idp, "u-bob", "/")
	alice.create()
	r := alice.do("POST", "/api/deliberations", `{"question": "Again?"}`, true)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "signed-in user u-alice") {
		t.Errorf("alice's second at once: %d %s", r.status, r.body)
	}
	bob.create()
	if r := ss.do(t, "POST", "/api/deliberations", ss.idp.AccessToken("u-alice"), `{"question": "By token?"}`); r.status != http.StatusTooManyRequests {
		t.Errorf("alice's token shares her quota: %d %s", r.status, r.body)
	}
}
