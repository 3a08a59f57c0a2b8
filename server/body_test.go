package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi/server"
)

// guard bounds how long a test waits for an answer that must come at
// once: far longer than the server takes, short enough to fail a test
// whose server would wait forever.
const guard = 10 * time.Second

// rawRequest sends head (request line and headers) and the start of a
// body, then stalls: it neither finishes the body nor closes. It returns
// the response the server sends meanwhile, and whether the server then
// closed the connection.
func rawRequest(t *testing.T, base, head, partial string) (*http.Response, bool) {
	t.Helper()
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(head + "\r\n" + partial)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(guard))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer while the body stalls: %v", err)
	}
	body := make([]byte, 4096)
	n, _ := br.Read(body)
	resp.Body = nil
	resp.Header.Set("X-Test-Body", string(body[:n]))
	_, err = br.ReadByte() // the server closes the connection
	return resp, err != nil && !isTimeout(err)
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestBody_StalledBodyIsCutOff: a client that sends part of a body and
// stalls gets 408 within the body timeout, and its connection is closed.
func TestBody_StalledBodyIsCutOff(t *testing.T) {
	ps := newPrivServer(t, privOptions{opts: server.Options{BodyTimeout: 100 * time.Millisecond}})
	for _, tc := range []struct{ name, head, partial string }{
		{"content-length", "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", `{"question": "Shall`},
		{"chunked", "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n", "5\r\n{\"que\r\n"},
		{"invocations", "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", `{"prompt": "Sh`},
		{"no body read by the route", "DELETE /api/deliberations/0123456789abcdef0123456789 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n", `{`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, closed := rawRequest(t, ps.url, tc.head, tc.partial)
			if resp.StatusCode < 400 || resp.StatusCode > 499 {
				t.Errorf("status %d, want a 4xx", resp.StatusCode)
			}
			if !closed {
				t.Error("the connection is still open")
			}
		})
	}
	resp, _ := rawRequest(t, ps.url, "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n", `{`)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(resp.Header.Get("X-Test-Body"), `"code":"timeout"`) {
		t.Errorf("a body cut off: %d %s, want 408 timeout", resp.StatusCode, resp.Header.Get("X-Test-Body"))
	}
}

// TestBody_NoKeyIsRefusedBeforeTheBody: once keys exist, a request without
// a valid key is answered 401 at once, whatever body it announces, and its
// connection is closed instead of being held for the body.
func TestBody_NoKeyIsRefusedBeforeTheBody(t *testing.T) {
	// A body timeout far beyond guard: only a refusal that does not wait
	// for the body passes.
	ps := newPrivServer(t, privOptions{opts: server.Options{BodyTimeout: time.Hour}})
	ps.addKey(t, "alice", false)
	for _, tc := range []struct{ name, head, partial string }{
		{"small body", "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", `{"q`},
		{"huge body", "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n", `{"q`},
		{"chunked", "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n", ""},
		{"wrong key", "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer magi_00000000_AAAA\r\nContent-Length: 100\r\n", ""},
		{"invocations", "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n", `{`},
		{"expect continue", "POST /api/deliberations HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, closed := rawRequest(t, ps.url, tc.head, tc.partial)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
			if !closed {
				t.Error("the connection is held open for the body")
			}
		})
	}
}

// TestBody_DeadlineDoesNotCutTheStream: the body deadline is lifted once
// the body is in, so a stream answering the POST outlives it.
func TestBody_DeadlineDoesNotCutTheStream(t *testing.T) {
	const timeout = 50 * time.Millisecond
	for _, path := range []string{"/api/deliberations", "/invocations"} {
		ps := newPrivServer(t, privOptions{held: true, opts: server.Options{BodyTimeout: timeout}})
		req, _ := http.NewRequestWithContext(t.Context(), "POST", ps.url+path, strings.NewReader(`{"question": "Long?"}`))
		req.Header.Set("Accept", "text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(resp.Body)
		if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "id: 1") {
			t.Fatalf("%s: first line %q, %v", path, line, err)
		}
		<-time.After(3 * timeout) // the body deadline is long past
		ps.release()
		rest, err := io.ReadAll(br)
		resp.Body.Close()
		if err != nil || !strings.Contains(string(rest), `"type":"complete"`) {
			t.Errorf("%s: the stream ended early (%v):\n%.500s", path, err, rest)
		}
	}
}
