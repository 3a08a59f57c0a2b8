package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/magi-system/magi"
)

// The fuzz targets of the request decoding: their seed corpora are in
// testdata/fuzz and run with every `go test`; `go test -fuzz FuzzX` looks
// for more. Each asserts what a store relies on: whatever is accepted is
// valid UTF-8 without NUL, and whatever is refused is a 4xx with a short
// message, never a panic or an internal error.

// checkRefusal asserts that err is a user error with a 4xx status and a
// message that quotes at most an excerpt of the input.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	status := statusOf(magi.ErrorCode(err))
	if status < 400 || status > 499 {
		t.Fatalf("refused with %v (status %d), want a 4xx", err, status)
	}
	if msg := magi.ErrorMessage(err); len(msg) > 200 || !utf8.ValidString(msg) {
		t.Fatalf("message of %d bytes, valid UTF-8 %v: %q", len(msg), utf8.ValidString(msg), msg)
	}
}

// clean reports whether s is text every store keeps as it is.
func clean(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func FuzzReadQuestion(f *testing.F) {
	f.Add([]byte(`{"question": "Adopt a four-day week?", "rule": "majority"}`), "application/json")
	f.Add([]byte(`{"prompt": "q"}`), "")
	f.Add([]byte(`{"question": "a\u0000b"}`), "application/json")
	f.Add([]byte(`{"question": "\ud800"}`), "application/json; charset=utf-8")
	f.Add([]byte(`{"question": "\ud83d\ude00 ok"}`), "application/vnd.magi+json")
	f.Add([]byte("{\"question\": \"\xff\"}"), "application/json")
	const max = 64
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		s := New(nil, nil, nil, nil, nil, Options{MaxQuestionBytes: max})
		r := httptest.NewRequest(http.MethodPost, "/api/deliberations", bytes.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		q, err := s.readQuestion(httptest.NewRecorder(), r)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		switch {
		case !clean(q.Text):
			t.Fatalf("accepted a question no store keeps: %q", q.Text)
		case q.Text == "" || len(q.Text) > max || q.Text != strings.TrimSpace(q.Text):
			t.Fatalf("accepted question %q: empty, too long or untrimmed", q.Text)
		case strings.ContainsRune(q.Text, utf8.RuneError) && !bytes.Contains(body, []byte("\uFFFD")) &&
			!bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)):
			t.Fatalf("the decoder made up a U+FFFD: body %q, question %q", body, q.Text)
		}
		if _, err := magi.ParseRule(string(q.Rule)); err != nil {
			t.Fatalf("accepted rule %q: %v", q.Rule, err)
		}
	})
}

func FuzzCursor(f *testing.F) {
	f.Add(magi.Cursor{CreatedAt: 1764072000123456789, ID: magi.NewID()}.String(), "20")
	f.Add("", "")
	f.Add(magi.Cursor{CreatedAt: 1, ID: "a\x00b"}.String(), "1")
	f.Add(magi.Cursor{CreatedAt: -1, ID: "\xff"}.String(), "100")
	f.Add("!!", "0")
	f.Fuzz(func(t *testing.T, cursor, limit string) {
		r := httptest.NewRequest(http.MethodGet, "/api/deliberations?"+url.Values{"cursor": {cursor}, "limit": {limit}}.Encode(), nil)
		lf, err := listFilter(r)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if lf.Limit < 1 || lf.Limit > 100 {
			t.Fatalf("accepted limit %d", lf.Limit)
		}
		if lf.Cursor == "" {
			return
		}
		c, err := magi.ParseCursor(lf.Cursor)
		if err != nil || !magi.ValidID(c.ID) || !clean(c.ID) {
			t.Fatalf("accepted cursor %q: %+v, %v", lf.Cursor, c, err)
		}
		if again, err := magi.ParseCursor(c.String()); err != nil || again != c {
			t.Fatalf("cursor %+v does not round-trip: %+v, %v", c, again, err)
		}
	})
}

func FuzzLastEventID(f *testing.F) {
	f.Add("7", "")
	f.Add("", "12")
	f.Add("-1", "")
	f.Add("9223372036854775808", "")
	f.Add(" 3 ", "x\x00")
	f.Fuzz(func(t *testing.T, header, query string) {
		r := httptest.NewRequest(http.MethodGet, "/api/deliberations/x/events?"+url.Values{"last_event_id": {query}}.Encode(), nil)
		r.Header.Set("Last-Event-ID", header)
		n, err := lastEventID(r)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		v := header
		if query != "" {
			v = query
		}
		want := int64(0)
		if v != "" {
			want, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
		if n < 0 || n != want {
			t.Fatalf("Last-Event-ID %q (query %q) read as %d", header, query, n)
		}
	})
}
