package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/server"
)

// abuse is one malformed request and the status it must get. In path,
// {id} is a deliberation of the caller's that exists.
type abuse struct {
	name         string
	method, path string
	header       []string // name, value pairs
	body         string
	key          string // "" the caller's own key; else one of keyCases
	status       int
}

// The routes that read a deliberation id, and the ones that read a body.
var (
	idRoutes    = [][2]string{{"GET", ""}, {"GET", "/events"}, {"GET", "/export"}, {"POST", "/cancel"}, {"DELETE", ""}}
	bodyRoutes  = []string{"/api/deliberations", "/invocations"}
	abuseRoutes = [][2]string{{"POST", "/api/deliberations"}, {"GET", "/api/deliberations"}, {"GET", "/api/deliberations/{id}"},
		{"GET", "/api/deliberations/{id}/events"}, {"GET", "/api/deliberations/{id}/export"},
		{"POST", "/api/deliberations/{id}/cancel"}, {"DELETE", "/api/deliberations/{id}"}, {"POST", "/invocations"}}
)

// keyCases are the credentials of the requests that must be refused 401.
var keyCases = map[string]string{
	"no key":        "",
	"unknown key":   "Bearer magi_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	"malformed key": "Bearer magi_zz",
	"basic auth":    "Basic YWxpY2U6c2VjcmV0",
	"bearer alone":  "Bearer",
	"latin-1 key":   "Bearer magi_\xff\xfe",
	"revoked key":   "revoked",
	"wrong secret":  "wrong secret",
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// abuses is the table: every route, methods, paths, ids, bodies, headers,
// content types, encodings, sizes, query parameters and keys.
func abuses() []abuse {
	var as []abuse
	add := func(a abuse) { as = append(as, a) }
	badIDs := []string{"x", "%00", "%ff", "%c3%28", "%ed%a0%80", "0", "-1", "null", "%20", "a%2Fb", "a%00b",
		"0123456789abcdef012345678", "0123456789abcdef01234567890", "0123456789ABCDEF0123456789", "0123456789abcdef012345678g",
		"ffffffffffffffffffffffffff", "{id}%00", "{id}x", strings.Repeat("a", 3000)}
	for _, id := range badIDs {
		for _, r := range idRoutes {
			add(abuse{name: "id " + id, method: r[0], path: "/api/deliberations/" + id + r[1], status: 404})
		}
	}
	for _, v := range []string{"abc", "-1", "1.5", "1e3", "0x10", "99999999999999999999", "1 2", "٣", strings.Repeat("9", 500)} {
		add(abuse{name: "Last-Event-ID " + v, method: "GET", path: "/api/deliberations/{id}/events", header: []string{"Last-Event-ID", v}, status: 400})
		add(abuse{name: "last_event_id " + v, method: "GET", path: "/api/deliberations/{id}/events?last_event_id=" + urlq(v), status: 400})
	}
	add(abuse{name: "last_event_id blank", method: "GET", path: "/api/deliberations/{id}/events?last_event_id=%20", status: 400})
	add(abuse{name: "last_event_id NUL", method: "GET", path: "/api/deliberations/{id}/events?last_event_id=%00", status: 400})
	for _, v := range []string{"0", "101", "-1", "abc", "1.5", "%205", "99999999999999999999", "1e2", "%00", "%ff"} {
		add(abuse{name: "limit " + v, method: "GET", path: "/api/deliberations?limit=" + v, status: 400})
	}
	for _, c := range []string{"!!", "%00", "%ff", b64("1/\x00"), b64("1/\xff\xfe"), b64("1/\xed\xa0\x80"), b64("1/not an id"),
		b64("x/0123456789abcdef0123456789"), b64("1/"), b64("/0123456789abcdef0123456789"), b64("1/0123456789ABCDEF0123456789"),
		"AAAA", "=", strings.Repeat("A", 3000)} {
		add(abuse{name: "cursor " + c, method: "GET", path: "/api/deliberations?cursor=" + c, status: 400})
	}
	for _, f := range []string{"xml", "MD", "md%00", "json%20", "html", "pdf", "md,json", "%ff", strings.Repeat("m", 500)} {
		add(abuse{name: "format " + f, method: "GET", path: "/api/deliberations/{id}/export?format=" + f, status: 400})
	}
	bodies := map[string]string{
		"empty": ``, "null": `null`, "array": `[]`, "empty object": `{}`, "string": `"q"`, "number question": `{"question": 1}`,
		"null question": `{"question": null}`, "array question": `{"question": ["a"]}`, "object question": `{"question": {"a": 1}}`,
		"blank question": `{"question": " \n\t "}`, "empty question": `{"question": ""}`, "no question": `{"rule": "majority"}`,
		"unknown rule": `{"question": "ok", "rule": "bogus"}`, "number rule": `{"question": "ok", "rule": 7}`,
		"NUL escape": `{"question": "a\u0000b"}`, "NUL escape in rule": `{"question": "ok", "rule": "majority\u0000"}`,
		"NUL escape in a key": `{"question": "ok", "x\u0000": 1}`, "lone high surrogate": `{"question": "\ud800"}`,
		"lone low surrogate": `{"question": "\udfff"}`, "two high surrogates": `{"question": "\ud800\ud800"}`,
		"surrogate then text": `{"question": "\ud800x"}`, "invalid UTF-8": "{\"question\": \"\xff\"}",
		"overlong UTF-8": "{\"question\": \"\xc0\xaf\"}", "UTF-8 surrogate": "{\"question\": \"\xed\xa0\x80\"}",
		"raw NUL": "{\"question\": \"a\x00b\"}", "raw control": "{\"question\": \"a\x01b\"}", "truncated": `{"question": "ok"`,
		"trailing garbage": `{"question": "ok"} x`, "two objects": `{"question": "a"}{"question": "b"}`,
		"byte order mark": "\xef\xbb\xbf{\"question\": \"ok\"}", "duplicate key, last empty": `{"question": "a", "question": ""}`,
		"huge number": `{"question": 1e999}`, "deep nesting": strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
		"question too long": `{"question": "` + strings.Repeat("x", 16<<10+1) + `"}`, "prompt NUL": `{"prompt": "\u0000"}`,
		"single quotes": `{'question': 'ok'}`, "UTF-16 body": "\xff\xfe{\x00\"\x00q\x00\"\x00}\x00",
	}
	for _, route := range bodyRoutes {
		for name, body := range bodies {
			add(abuse{name: "body " + name, method: "POST", path: route, body: body, status: 400})
		}
		add(abuse{name: "body too large", method: "POST", path: route, body: `{"question": "` + strings.Repeat("x", 40<<10) + `"}`, status: 413})
		add(abuse{name: "body too large, streaming", method: "POST", path: route, header: []string{"Accept", "text/event-stream"},
			body: `{"question": "` + strings.Repeat("x", 40<<10) + `"}`, status: 413})
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
			"application/json; charset=latin1", "application/json; charset=utf-16", ";;;", "application/", "json", strings.Repeat("z", 2000)} {
			add(abuse{name: "content type " + ct, method: "POST", path: route, header: []string{"Content-Type", ct}, body: `{"question": "ok"}`, status: 415})
		}
		for _, ce := range []string{"gzip", "deflate", "br", "x-custom"} {
			add(abuse{name: "content encoding " + ce, method: "POST", path: route, header: []string{"Content-Encoding", ce}, body: `{"question": "ok"}`, status: 415})
		}
	}
	for _, m := range [][3]string{
		{"PUT", "/api/deliberations", ""}, {"PATCH", "/api/deliberations", ""}, {"DELETE", "/api/deliberations", ""},
		{"POST", "/api/deliberations/{id}", ""}, {"PUT", "/api/deliberations/{id}", ""}, {"PATCH", "/api/deliberations/{id}", ""},
		{"POST", "/api/deliberations/{id}/events", ""}, {"DELETE", "/api/deliberations/{id}/events", ""},
		{"POST", "/api/deliberations/{id}/export", ""}, {"DELETE", "/api/deliberations/{id}/export", ""},
		{"GET", "/api/deliberations/{id}/cancel", ""}, {"DELETE", "/api/deliberations/{id}/cancel", ""},
		{"GET", "/invocations", ""}, {"PUT", "/invocations", ""}, {"DELETE", "/invocations", ""},
		{"POST", "/ping", ""}, {"DELETE", "/healthz", ""}, {"POST", "/metrics", ""}, {"PUT", "/", ""}, {"POST", "/d/{id}", ""},
	} {
		add(abuse{name: "method", method: m[0], path: m[1], status: 405})
	}
	for _, a := range [][3]string{ // sign-in is off here: /auth/* is unknown, whatever it is sent
		{"GET", "/auth/login?next=%00", "404"}, {"GET", "/auth/login?next=%ff%fe", "404"},
		{"GET", "/auth/callback?code=%00&state=%ff", "404"}, {"GET", "/auth/callback?error=" + strings.Repeat("x", 3000), "404"},
		{"POST", "/auth/logout", "404"}, {"POST", "/auth/login", "405"}, {"GET", "/auth/logout", "405"},
		{"DELETE", "/auth/me", "405"}, {"PUT", "/auth/callback", "405"},
	} {
		status := 404
		if a[2] == "405" {
			status = 405
		}
		add(abuse{name: "sign-in route", method: a[0], path: a[1], status: status})
	}
	for _, p := range []string{"/api/nope", "/api/deliberations/{id}/nope", "/api/deliberations/{id}/events/1", "/api/v2/deliberations",
		"/nonexistent.php", "/.env", "/wp-login.php", "/.git/config", "/index.html", "/js/nope.js", "/d/", "/%ff"} {
		add(abuse{name: "unknown path", method: "GET", path: p, status: 404})
	}
	for name := range keyCases {
		for _, r := range abuseRoutes {
			body := ""
			if r[0] == "POST" && !strings.HasSuffix(r[1], "/cancel") {
				body = `{"question": "ok"}`
			}
			add(abuse{name: name, method: r[0], path: r[1], body: body, key: name, status: 401})
		}
	}
	for _, r := range idRoutes { // another key's deliberation is one that does not exist
		add(abuse{name: "another key's", method: r[0], path: "/api/deliberations/{id}" + r[1], key: "bob", status: 404})
	}
	conversationAbuses(add, badIDs)
	return as
}

func urlq(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "+", "%2B", "&", "%26", "#", "%23").Replace(s)
}

// TestAbuse_MalformedRequests sends every request of abuses() to a server
// with API keys on each store: each gets its 4xx with SPEC's JSON error
// and a short message, and nothing is stored.
func TestAbuse_MalformedRequests(t *testing.T) {
	table := abuses()
	if len(table) < 200 {
		t.Fatalf("only %d malformed requests", len(table))
	}
	t.Logf("%d malformed requests", len(table))
	eachStore(t, func(t *testing.T, st keyStore) {
		ps := newPrivServer(t, privOptions{store: st, opts: server.Options{MaxQuestionBytes: 16 << 10}})
		_, alice := ps.addKey(t, "alice", false)
		_, bob := ps.addKey(t, "bob", false)
		revoked, revokedKey := ps.addKey(t, "revoked", false)
		if err := st.RevokeKey(t.Context(), revoked.ID); err != nil {
			t.Fatal(err)
		}
		id := ps.create(t, alice)
		ps.finish(t, alice, id)
		creds := map[string]string{"": "Bearer " + alice, "bob": "Bearer " + bob, "revoked": "Bearer " + revokedKey,
			"wrong secret": "Bearer " + alice[:len(alice)-4] + "AAAA"}
		before := snapshot(t, st, id)
		for _, a := range table {
			auth, ok := creds[a.key]
			if !ok {
				auth = keyCases[a.key]
			}
			r := send(t, ps.url, a, strings.ReplaceAll(a.path, "{id}", id), auth)
			what := fmt.Sprintf("%s %.80s (%s)", a.method, a.path, a.name)
			checkAbuseAnswer(t, what, r, a.status)
			if after := snapshot(t, st, id); after != before {
				t.Fatalf("%s changed the store: %s, then %s", what, before, after)
			}
		}
	})
}

// send makes one request of the table, with auth as its Authorization.
func send(t *testing.T, base string, a abuse, path, auth string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), a.method, base+path, strings.NewReader(a.body))
	if err != nil {
		t.Fatalf("%s %s: %v", a.method, path, err)
	}
	if a.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(a.header); i += 2 {
		req.Header.Set(a.header[i], a.header[i+1])
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %.80s: %v", a.method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// magiListAll lists up to 100 deliberations: every one of these tests.
var magiListAll = magi.ListFilter{Limit: 100}

// codes maps each 4xx of the table to SPEC's error code.
var codes = map[int]string{400: magi.EINVALID, 401: magi.EUNAUTHORIZED, 403: magi.EFORBIDDEN, 404: magi.ENOTFOUND, 405: magi.EMETHOD,
	413: magi.ETOOLARGE, 415: magi.EUNSUPPORTED}

// checkAbuseAnswer asserts status, SPEC's JSON error with its code and a
// message of at most 300 bytes.
func checkAbuseAnswer(t *testing.T, what string, r reply, status int) {
	t.Helper()
	var e struct {
		Error *struct{ Code, Message string } `json:"error"`
	}
	switch {
	case r.status != status:
		t.Errorf("%s: %d %.200s, want %d", what, r.status, r.body, status)
	case !strings.HasPrefix(r.header.Get("Content-Type"), "application/json"):
		t.Errorf("%s: Content-Type %q, want JSON", what, r.header.Get("Content-Type"))
	case json.Unmarshal([]byte(r.body), &e) != nil || e.Error == nil || e.Error.Message == "":
		t.Errorf("%s: body %.200s is not SPEC's error", what, r.body)
	case e.Error.Code != codes[status]:
		t.Errorf("%s: code %q, want %q", what, e.Error.Code, codes[status])
	case len(e.Error.Message) > 300:
		t.Errorf("%s: a message of %d bytes: %.100s…", what, len(e.Error.Message), e.Error.Message)
	}
}

// snapshot describes what the store holds: deliberations, the events of
// id, keys.
func snapshot(t *testing.T, st keyStore, id string) string {
	t.Helper()
	page, err := st.List(t.Context(), magi.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.Events(t.Context(), id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := st.Keys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sum, err := st.Summary(t.Context(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d deliberations, %d events, %d keys, status %s", len(page.Items), len(evs), len(keys), sum.Status)
}
