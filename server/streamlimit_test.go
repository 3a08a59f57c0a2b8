package server_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/server"
)

// openStream opens the event stream of id as key, with extra header
// pairs; a stream that opened is closed when the test ends. A refusal is
// read whole. The reply's body of an open stream is its client's address.
func (ps *privServer) openStream(t *testing.T, key, id string, header ...string) (*http.Response, reply) {
	t.Helper()
	var local string
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) { local = i.Conn.LocalAddr().String() }})
	req, err := http.NewRequestWithContext(ctx, "GET", ps.url+"/api/deliberations/"+id+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req) // a connection of its own
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK {
		t.Cleanup(func() { resp.Body.Close() })
		return resp, reply{status: resp.StatusCode, header: resp.Header, body: local}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return nil, reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// wantStreamLimit asserts a 429 rate_limited answer, with Retry-After,
// whose message has every one of parts.
func wantStreamLimit(t *testing.T, r reply, parts ...string) {
	t.Helper()
	if r.status != http.StatusTooManyRequests || r.errorCode() != magi.ERATELIMIT {
		t.Fatalf("%d %s, want 429 rate_limited", r.status, r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	for _, p := range parts {
		if !strings.Contains(r.errorMessage(), p) {
			t.Errorf("message %q does not say %q", r.errorMessage(), p)
		}
	}
}

// closedConns reports each connection the server closes, by the client's
// address, so a test can wait until a stream's handler has returned.
func closedConns(closed chan<- string) func(ts *httptest.Server) {
	return func(ts *httptest.Server) {
		ts.Config.ConnState = func(c net.Conn, s http.ConnState) {
			if s == http.StateClosed {
				select { // never hold up the server; the buffer is far larger than a test's connections
				case closed <- c.RemoteAddr().String():
				default:
				}
			}
		}
	}
}

// TestStreams_PerKeyLimit: a key may hold StreamsPerKey streams open at
// once; one more, by GET or by a streaming POST, is a 429 naming the limit,
// the key and the setting, and starts nothing; other keys are not
// counted with it; closing a stream frees its place.
func TestStreams_PerKeyLimit(t *testing.T) {
	closed := make(chan string, 256)
	ps := newPrivServer(t, privOptions{held: true, opts: server.Options{StreamsPerKey: 2}, http: closedConns(closed)})
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)
	id := ps.create(t, alice)
	first, firstAddr := ps.openStream(t, alice, id)
	ps.openStream(t, alice, id)

	_, r := ps.openStream(t, alice, id)
	wantStreamLimit(t, r, "2 open event streams", "key alice (", "MAGI_STREAMS_PER_KEY")
	r = ps.do(t, "POST", "/api/deliberations", alice, `{"question": "Streamed?"}`, "Accept", "text/event-stream")
	wantStreamLimit(t, r, "MAGI_STREAMS_PER_KEY")
	if got := len(ps.list(t, alice)); got != 1 {
		t.Errorf("alice has %d deliberations; the refused streaming POST must start none", got)
	}
	bobs := ps.create(t, bob)
	if _, r := ps.openStream(t, bob, bobs); r.status != http.StatusOK {
		t.Errorf("bob's stream: %d %s; limits are per key", r.status, r.body)
	}

	first.Body.Close()
	for a := <-closed; a != firstAddr.body; a = <-closed { // until the server has ended that stream
	}
	if _, r := ps.openStream(t, alice, id); r.status != http.StatusOK {
		t.Errorf("after one of alice's streams closed: %d %s", r.status, r.body)
	}
}

// TestStreams_PerAddrLimit: one client address may hold StreamsPerAddr
// streams open at once, whatever keys it uses; behind a proxy on this
// host, the address is the last one the proxy put in X-Forwarded-For.
func TestStreams_PerAddrLimit(t *testing.T) {
	ps := newPrivServer(t, privOptions{held: true, opts: server.Options{StreamsPerAddr: 2}})
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", true)
	id := ps.create(t, alice)
	ps.openStream(t, alice, id)
	ps.openStream(t, bob, id)
	_, r := ps.openStream(t, bob, id)
	wantStreamLimit(t, r, "2 open event streams", "from 127.0.0.1", "MAGI_STREAMS_PER_ADDR")

	ps.openStream(t, alice, id, "X-Forwarded-For", "203.0.113.7")
	ps.openStream(t, alice, id, "X-Forwarded-For", "198.51.100.1, 203.0.113.7")
	_, r = ps.openStream(t, alice, id, "X-Forwarded-For", "203.0.113.7")
	wantStreamLimit(t, r, "from 203.0.113.7", "MAGI_STREAMS_PER_ADDR")
	if _, r := ps.openStream(t, alice, id, "X-Forwarded-For", "203.0.113.8"); r.status != http.StatusOK {
		t.Errorf("another address behind the proxy: %d %s", r.status, r.body)
	}
}

// TestStreams_RevokedKeyEndsItsStreams: revoking a key in the store (as
// `magi keys revoke` does, from any process) ends that key's open streams
// with an unstored fatal unauthorized event; other keys' streams go on.
func TestStreams_RevokedKeyEndsItsStreams(t *testing.T) {
	ps := newPrivServer(t, privOptions{held: true, opts: server.Options{RevocationCheck: 20 * time.Millisecond}})
	ak, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", true)
	id := ps.create(t, alice)
	as, _ := ps.openStream(t, alice, id)
	bs, _ := ps.openStream(t, bob, id)
	if err := ps.store.RevokeKey(t.Context(), ak.ID); err != nil {
		t.Fatal(err)
	}

	ended := make(chan string, 1)
	go func() { b, _ := io.ReadAll(as.Body); ended <- string(b) }()
	var body string
	select {
	case body = <-ended:
	case <-time.After(20 * time.Second): // a failure guard; the end is the event waited for
		t.Fatal("the stream of a revoked key is still open 20 s later")
	}
	frames := strings.Split(strings.TrimSpace(body), "\n\n")
	last := frames[len(frames)-1]
	var e magi.Event
	if data, ok := strings.CutPrefix(last, "data: "); !ok || json.Unmarshal([]byte(data), &e) != nil {
		t.Fatalf("the last frame %q is not an event without an id", last)
	}
	if e.Type != magi.EventError || !e.Fatal || e.Code != magi.EUNAUTHORIZED || !strings.Contains(e.Message, "revoked") || e.Seq != 0 {
		t.Errorf("last event %+v, want an unstored fatal unauthorized error saying the key was revoked", e)
	}

	ps.release()
	rest, _ := io.ReadAll(bs.Body)
	if !strings.Contains(string(rest), `"type":"complete"`) {
		t.Errorf("bob's stream did not go on to the complete event: %q", rest)
	}
	evs, err := ps.store.Events(t.Context(), id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Code == magi.EUNAUTHORIZED {
			t.Errorf("the revocation's end was stored: %+v", e)
		}
	}
}
