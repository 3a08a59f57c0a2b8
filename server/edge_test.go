package server_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/server"
)

// badInputs are requests whose id, cursor or question no store could
// keep or look up: NUL bytes, invalid UTF-8, lone surrogates. Each must be
// answered by the server, never reach a store, and never be a 500.
var badInputs = []struct {
	name, method, path, body string
	status                   int
}{
	{"id NUL", "GET", "/api/deliberations/%00", "", 404},
	{"id invalid UTF-8", "GET", "/api/deliberations/%ff%fe", "", 404},
	{"id NUL events", "GET", "/api/deliberations/a%00b/events", "", 404},
	{"id invalid UTF-8 events", "GET", "/api/deliberations/%c3%28/events", "", 404},
	{"id NUL export", "GET", "/api/deliberations/%00/export", "", 404},
	{"id NUL cancel", "POST", "/api/deliberations/%00/cancel", "", 404},
	{"id NUL delete", "DELETE", "/api/deliberations/%00", "", 404},
	{"id too long", "GET", "/api/deliberations/0123456789abcdef0123456789abcdef0123456789", "", 404},
	{"cursor NUL", "GET", "/api/deliberations?cursor=" + cursorOf("1/\x00"), "", 400},
	{"cursor invalid UTF-8", "GET", "/api/deliberations?cursor=" + cursorOf("1/\xff\xfe"), "", 400},
	{"cursor odd id", "GET", "/api/deliberations?cursor=" + cursorOf("1/not an id"), "", 400},
	{"question NUL escape", "POST", "/api/deliberations", `{"question": "a\u0000b"}`, 400},
	{"question raw invalid UTF-8", "POST", "/api/deliberations", "{\"question\": \"a\xff\xfeb\"}", 400},
	{"question lone high surrogate", "POST", "/api/deliberations", `{"question": "a\ud800b"}`, 400},
	{"question lone low surrogate", "POST", "/api/deliberations", `{"question": "\udc00"}`, 400},
	{"question reversed surrogates", "POST", "/api/deliberations", `{"question": "\udc00\ud800"}`, 400},
	{"rule NUL", "POST", "/api/deliberations", `{"question": "ok?", "rule": "majority\u0000"}`, 400},
	{"prompt NUL", "POST", "/invocations", `{"prompt": "\u0000"}`, 400},
	{"prompt invalid UTF-8", "POST", "/invocations", "{\"prompt\": \"\xc0\xaf\"}", 400},
}

func cursorOf(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestEdge_NoInputGivesA500(t *testing.T) {
	eachStore(t, func(t *testing.T, st keyStore) {
		ps := newPrivServer(t, privOptions{store: st})
		for _, tc := range badInputs {
			r := ps.do(t, tc.method, tc.path, "", tc.body)
			if r.status != tc.status || r.errorCode() == "" {
				t.Errorf("%s: %d %.200s, want %d with SPEC's JSON error", tc.name, r.status, r.body, tc.status)
			}
		}
		if page, err := st.List(t.Context(), magi.ListFilter{}); err != nil || len(page.Items) != 0 {
			t.Errorf("the store holds %d deliberations (%v); want none", len(page.Items), err)
		}
	})
}

// TestEdge_ErrorsQuoteOnlyAnExcerpt: an error message quotes at most a
// short excerpt of what the client sent, however long it was.
func TestEdge_ErrorsQuoteOnlyAnExcerpt(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	long := strings.Repeat("z", 3000)
	for _, tc := range []struct {
		name, method, path, body string
		header                   []string
	}{
		{"content type", "POST", "/api/deliberations", `{"question": "q"}`, []string{"Content-Type", "text/" + long}},
		{"charset", "POST", "/api/deliberations", `{"question": "q"}`, []string{"Content-Type", "application/json; charset=" + long}},
		{"content encoding", "POST", "/api/deliberations", `{"question": "q"}`, []string{"Content-Encoding", long}},
		{"Last-Event-ID", "GET", "/api/deliberations/0123456789abcdef0123456789/events", "", []string{"Last-Event-ID", long}},
		{"last_event_id", "GET", "/api/deliberations/0123456789abcdef0123456789/events?last_event_id=" + url.QueryEscape(long), "", nil},
		{"method", strings.Repeat("Z", 2000), "/api/deliberations", "", nil},
		{"rule", "POST", "/api/deliberations", `{"question": "q", "rule": "` + long + `"}`, nil},
		{"field type", "POST", "/api/deliberations", `{"question": "q", "` + long + `": 1, "rule": 5}`, nil},
	} {
		r := ps.do(t, tc.method, tc.path, "", tc.body, tc.header...)
		if r.status < 400 || r.status > 499 || r.errorCode() == "" {
			t.Errorf("%s: %d %.200s, want a 4xx JSON error", tc.name, r.status, r.body)
		}
		if msg := r.errorMessage(); len(msg) > 200 || strings.Contains(strings.ToLower(msg), strings.Repeat("z", 40)) {
			t.Errorf("%s: the message echoes the input: %.300s", tc.name, msg)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for in, want := range map[string]string{
		"abc":                          `"abc"`,
		"a\x00b\n":                     `"a\x00b\n"`,
		strings.Repeat("x", 40):        `"` + strings.Repeat("x", 32) + `"…`,
		strings.Repeat("x", 31) + "日本": `"` + strings.Repeat("x", 31) + `"…`,
		"\xff\xfe":                     `"\xff\xfe"`,
	} {
		if got := server.Excerpt(in); got != want {
			t.Errorf("excerpt(%q) = %s, want %s", in, got, want)
		}
	}
}
