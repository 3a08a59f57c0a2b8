package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/store/storetest"
)

// storeLong stores a finished deliberation of n chunks of size bytes of
// text each and returns its id.
func storeLong(t *testing.T, st magi.Store, n, size int) string {
	t.Helper()
	id, now := magi.NewID(), time.Now().UTC()
	if err := storetest.Create(t.Context(), st, magi.NewDeliberation{ID: id, Question: "Long?", Rule: magi.Majority, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	evs := []magi.Event{{Type: magi.EventStart, DeliberationID: id, Seq: 1, Timestamp: now, Question: "Long?", Rule: magi.Majority}}
	text := strings.Repeat("x", size)
	for i := range n {
		evs = append(evs, magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: int64(i + 2), Timestamp: now,
			Agent: magi.Melchior, Content: text})
	}
	evs = append(evs, magi.Event{Type: magi.EventComplete, DeliberationID: id, Seq: int64(n + 2), Timestamp: now,
		Outcome: &magi.Outcome{Decision: magi.Approved, Rule: magi.Majority, Votes: magi.Votes{Approved: 3}, Summary: "yes"}})
	for len(evs) > 0 {
		k := min(len(evs), 64)
		if err := storetest.Append(t.Context(), st, evs[:k]...); err != nil {
			t.Fatal(err)
		}
		evs = evs[k:]
	}
	return id
}

// smallBuffers makes the server's sockets hold little, so that its writes
// to a client that does not read block soon; closed receives every
// connection the server closes.
func smallBuffers(closed chan<- string) func(ts *httptest.Server) {
	return func(ts *httptest.Server) {
		ts.Listener = smallListener{ts.Listener}
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

type smallListener struct{ net.Listener }

func (l smallListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// stall opens the event stream of id at url on a connection that sends the
// request and never reads; it returns the connection's local address.
func stall(t *testing.T, url, id string) string {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := io.WriteString(c, "GET /api/deliberations/"+id+"/events HTTP/1.1\r\nHost: magi\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	return c.LocalAddr().String()
}

// TestStream_StalledClientDropped: a client that sends its request and
// then stops reading is dropped once a write has waited
// StreamWriteTimeout, while a client that reads gets the whole stream
// under the same timeout.
func TestStream_StalledClientDropped(t *testing.T) {
	closed := make(chan string, 256)
	ps := newPrivServer(t, privOptions{opts: server.Options{StreamWriteTimeout: time.Second},
		http: smallBuffers(closed)})
	id := storeLong(t, ps.store, 300, 16<<10) // ~5 MB: far more than the sockets hold

	addr := stall(t, ps.url, id)
	guard := time.After(20 * time.Second) // a failure guard, not a wait: the drop is an event
	for dropped := false; !dropped; {
		select {
		case a := <-closed:
			dropped = a == addr
		case <-guard:
			t.Fatal("the server still holds a client that stopped reading, 20 s after its writes began to wait")
		}
	}

	r := ps.do(t, "GET", "/api/deliberations/"+id+"/events", "", "")
	if r.status != http.StatusOK || strings.Count(r.body, `"type":"chunk"`) != 300 || !strings.Contains(r.body, `"type":"complete"`) {
		t.Errorf("a client that reads: %d, %d chunks, complete %v; want 200, 300 chunks and the complete event",
			r.status, strings.Count(r.body, `"type":"chunk"`), strings.Contains(r.body, `"type":"complete"`))
	}
}

// TestStream_IdleStreamOutlivesWriteTimeout: the write timeout is per
// write, not per stream: a stream that waits longer than it for its next
// event, with pings in between, still gets the rest.
func TestStream_IdleStreamOutlivesWriteTimeout(t *testing.T) {
	ps := newPrivServer(t, privOptions{held: true,
		opts: server.Options{StreamWriteTimeout: 20 * time.Millisecond, Heartbeat: 50 * time.Millisecond}})
	id := ps.create(t, "")
	req, _ := http.NewRequestWithContext(t.Context(), "GET", ps.url+"/api/deliberations/"+id+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for pings := 0; pings < 4; { // each ping comes after an idle heartbeat, well past the write timeout
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("the idle stream ended after %d pings: %v", pings, err)
		}
		if line == ": ping\n" {
			pings++
		}
	}
	ps.release()
	rest, err := io.ReadAll(br)
	if err != nil || !strings.Contains(string(rest), `"type":"complete"`) {
		t.Errorf("after the pings: %v, complete event %v", err, strings.Contains(string(rest), `"type":"complete"`))
	}
}
