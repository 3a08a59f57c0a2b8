package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/magi-system/magi/signin"
)

// signInAbuses are malformed requests to a server with sign-in on: forged
// callbacks, cookies and tokens. Each must be refused with its 4xx.
func signInAbuses() []abuse {
	long := strings.Repeat("x", 3000)
	return []abuse{
		{name: "callback without state", method: "GET", path: "/auth/callback?code=abc", status: 401},
		{name: "callback with a NUL state", method: "GET", path: "/auth/callback?state=%00&code=abc", header: []string{"Cookie", "magi_login=x"}, status: 401},
		{name: "callback with a state not UTF-8", method: "GET", path: "/auth/callback?state=%ff%fe&code=%ff", header: []string{"Cookie", "magi_login=\xff\xfe"}, status: 401},
		{name: "callback with a huge state", method: "GET", path: "/auth/callback?state=" + long + "&code=abc", header: []string{"Cookie", "magi_login=" + long}, status: 401},
		{name: "callback of no login", method: "GET", path: "/auth/callback?state=abc&code=abc", header: []string{"Cookie", "magi_login=abc"}, status: 401},
		{name: "callback with an odd error", method: "GET", path: "/auth/callback?state=abc&error=" + long, header: []string{"Cookie", "magi_login=abc"}, status: 401},
		{name: "me with a forged session", method: "GET", path: "/auth/me", header: []string{"Cookie", "magi_session=forged"}, status: 401},
		{name: "me with a session not UTF-8", method: "GET", path: "/auth/me", header: []string{"Cookie", "magi_session=\xff\xfe"}, status: 401},
		{name: "API with a forged session", method: "GET", path: "/api/deliberations", header: []string{"Cookie", "magi_session=" + long}, status: 401},
		{name: "API with a token that is not a JWT", method: "GET", path: "/api/deliberations", key: "jwt garbage", status: 401},
		{name: "API with an unsigned JWT", method: "GET", path: "/api/deliberations", key: "jwt none", status: 401},
		{name: "API with a huge token", method: "POST", path: "/api/deliberations", body: `{"question": "ok"}`, key: "jwt huge", status: 401},
		{name: "logout from another origin", method: "POST", path: "/auth/logout", header: []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, status: 403},
		{name: "create with a forged session from another origin", method: "POST", path: "/api/deliberations", body: `{"question": "ok"}`,
			header: []string{"Cookie", "magi_session=forged", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, status: 401},
		{name: "login by POST", method: "POST", path: "/auth/login", status: 405},
	}
}

var jwtCases = map[string]string{
	"jwt garbage": "Bearer a.b.c",
	"jwt none":    "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1LWFsaWNlIiwiaXNzIjoieCJ9.",
	"jwt huge":    "Bearer " + strings.Repeat("A", 6000),
}

// TestAbuse_SignIn sends signInAbuses() to a server with sign-in on, on
// each store: each gets its 4xx with SPEC's JSON error, no session is
// made, and nothing is stored.
func TestAbuse_SignIn(t *testing.T) {
	eachStore(t, func(t *testing.T, st keyStore) {
		ss := newSSOServer(t, signin.Config{}, privOptions{store: st}, "")
		before := fmt.Sprint(listAll(t, st))
		for _, a := range signInAbuses() {
			r := send(t, ss.url, a, a.path, jwtCases[a.key])
			checkAbuseAnswer(t, fmt.Sprintf("%s %.60s (%s)", a.method, a.path, a.name), r, a.status)
		}
		if n := ss.sessions.n.Load(); n != 0 {
			t.Errorf("%d sessions were made", n)
		}
		if after := fmt.Sprint(listAll(t, st)); after != before {
			t.Errorf("the store changed: %s, then %s", before, after)
		}
	})
}

// listAll is the ids of every deliberation st holds.
func listAll(t *testing.T, st keyStore) []string {
	t.Helper()
	page, err := st.List(t.Context(), magiListAll)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range page.Items {
		ids = append(ids, s.ID)
	}
	return ids
}
