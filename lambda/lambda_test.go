package lambda_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/magi-system/magi"
)

var sseRequest = map[string]string{"accept": "text/event-stream", "content-type": "application/json"}

// TestRun_StreamsEventsAsTheModelWrites proves the response is streamed,
// not buffered, by cause rather than timing: MELCHIOR's model writes its
// first words and then blocks until the test has read that chunk event
// from the body arriving at the Runtime API. Were the body held back
// anywhere until the handler finished, the model would never be released.
func TestRun_StreamsEventsAsTheModelWrites(t *testing.T) {
	rt := newFakeRuntime(t)
	startFunction(t, rt)
	rt.invoke("POST", "/api/deliberations", `{"question":"GATE: should we ship on Friday?"}`, sseRequest)

	var body []byte
	var firstAt time.Time
	deadline := time.After(15 * time.Second)
	for firstAt.IsZero() {
		select {
		case p := <-rt.pieces:
			body = append(body, p.data...)
			if _, rest, ok := bytes.Cut(body, make([]byte, 8)); ok && hasChunk(sse(rest), "FIRST") {
				firstAt = p.at
			}
		case res := <-rt.results:
			t.Fatalf("the whole response came before its first chunk was seen (%d bytes)", len(res.body))
		case <-deadline:
			t.Fatalf("MELCHIOR's first chunk did not reach the Runtime API while its model was blocked; got %q", body)
		}
	}
	_, rest, _ := bytes.Cut(body, make([]byte, 8))
	for _, e := range sse(rest) {
		if e.Terminal() || (e.Type == magi.EventVerdict && e.Agent == magi.Melchior) {
			t.Fatalf("saw %s of %s before the model was released", e.Type, e.Agent)
		}
	}
	released := time.Now()
	rt.open()

	res := rt.result(20 * time.Second)
	if res.kind != "response" || res.id != "req-1" {
		t.Fatalf("answer %s to %s, want response to req-1", res.kind, res.id)
	}
	if got := res.header.Get("Content-Type"); got != "application/vnd.awslambda.http-integration-response" {
		t.Errorf("Content-Type of the response POST = %q", got)
	}
	if !res.chunked {
		t.Error("the response POST is not chunked")
	}
	if !bytes.HasPrefix(res.body, body) {
		t.Fatal("the whole body does not begin with the pieces read live")
	}
	prelude, events := split(t, res.body)
	wantHeaders := map[string]string{"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
	for k, v := range wantHeaders {
		if prelude.Headers[k] != v {
			t.Errorf("prelude header %s = %q, want %q", k, prelude.Headers[k], v)
		}
	}
	if _, ok := prelude.Headers["Connection"]; ok {
		t.Error("the prelude carries the hop-by-hop Connection header")
	}
	if prelude.StatusCode != 200 {
		t.Errorf("prelude status %d, want 200", prelude.StatusCode)
	}
	assertWholeStream(t, events)
	if v := verdictAt(res.pieces, magi.Melchior); !v.After(released) || !firstAt.Before(released) {
		t.Errorf("first chunk at %v, release at %v, MELCHIOR's verdict at %v: want that order", firstAt, released, v)
	}
}

// TestRun_SubscriptionErrorEndsStream: a failure after the header is out
// becomes a fatal `error` event, the last of the stream, and the response
// completes normally.
func TestRun_SubscriptionErrorEndsStream(t *testing.T) {
	rt := newFakeRuntime(t)
	startFunction(t, rt)
	rt.invoke("POST", "/fail/api/deliberations", `{"question":"will it hold?"}`, sseRequest)
	res := rt.result(20 * time.Second)
	if res.kind != "response" {
		t.Fatalf("answer %s, want response", res.kind)
	}
	if got := res.trailer.Get("Lambda-Runtime-Function-Error-Type"); got != "" {
		t.Errorf("error trailer %q on a stream that ended with an error event", got)
	}
	_, events := split(t, res.body)
	if len(events) != 3 {
		t.Fatalf("got %d events, want two and the error: %+v", len(events), events)
	}
	if events[0].Type != magi.EventStart || events[0].Seq != 1 {
		t.Errorf("first event %s #%d, want start #1", events[0].Type, events[0].Seq)
	}
	last := events[2]
	if last.Type != magi.EventError || !last.Fatal || last.Code != magi.EUNAVAILABLE {
		t.Errorf("last event %+v, want a fatal unavailable error", last)
	}
}

// TestRun_Panic: MAGI's server whose stream panics after its header ends
// the stream with a fatal error event (the server writes it; Lambda writes
// no MAGI event of its own); any handler that panics after sending its
// header ends its body with the runtime's error trailer; one that panics
// before gets a JSON 500; the function lives on to serve the next
// invocation.
func TestRun_Panic(t *testing.T) {
	rt := newFakeRuntime(t)
	startFunction(t, rt)

	rt.invoke("POST", "/panicky/api/deliberations", `{"question":"will it hold?"}`, sseRequest)
	res := rt.result(20 * time.Second)
	prelude, events := split(t, res.body)
	if prelude.StatusCode != 200 || len(events) != 3 {
		t.Fatalf("status %d and %d events, want 200 and two events and the error", prelude.StatusCode, len(events))
	}
	if e := events[2]; e.Type != magi.EventError || !e.Fatal || e.Code != magi.EINTERNAL || strings.Contains(e.Message, "broke") {
		t.Errorf("last event %+v, want a fatal internal error without the panic's text", e)
	}

	rt.invoke("GET", "/panic", "", nil)
	res = rt.result(20 * time.Second)
	if got := res.trailer.Get("Lambda-Runtime-Function-Error-Type"); got != "Panic" {
		t.Errorf("Lambda-Runtime-Function-Error-Type = %q, want Panic", got)
	}
	if res.trailer.Get("Lambda-Runtime-Function-Error-Body") == "" {
		t.Error("no Lambda-Runtime-Function-Error-Body trailer")
	}
	prelude, rest := cutPrelude(t, res.body)
	if prelude.StatusCode != 200 || string(rest) != "id: 1\ndata: {\"type\":\"start\",\"seq\":1}\n\n" {
		t.Fatalf("status %d, body %q; want 200 and what the handler wrote, nothing more", prelude.StatusCode, rest)
	}

	rt.invoke("GET", "/panic-early", "", nil)
	res = rt.result(20 * time.Second)
	prelude, rest = cutPrelude(t, res.body)
	if prelude.StatusCode != 500 || prelude.Headers["Content-Type"] != "application/json" {
		t.Errorf("prelude %+v, want a JSON 500", prelude)
	}
	var e struct{ Error struct{ Code string } }
	if err := json.Unmarshal(rest, &e); err != nil || e.Error.Code != "internal" {
		t.Errorf("body %q, want the internal error document", rest)
	}

	rt.invoke("GET", "/healthz", "", nil)
	res = rt.result(20 * time.Second)
	if prelude, _ := cutPrelude(t, res.body); prelude.StatusCode != 200 {
		t.Errorf("after the panics, /healthz answered %d", prelude.StatusCode)
	}
}

// assertWholeStream checks a complete deliberation's events: seq 1, 2, …
// from start to complete, MELCHIOR's first words before its verdict.
func assertWholeStream(t *testing.T, events []magi.Event) {
	t.Helper()
	if len(events) < 2 {
		t.Fatalf("only %d events", len(events))
	}
	for i, e := range events {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
	}
	if events[0].Type != magi.EventStart || events[len(events)-1].Type != magi.EventComplete {
		t.Errorf("stream runs %s … %s, want start … complete", events[0].Type, events[len(events)-1].Type)
	}
	var order []string
	for _, e := range events {
		if e.Agent == magi.Melchior && (e.Type == magi.EventChunk || e.Type == magi.EventVerdict) {
			order = append(order, string(e.Type))
		}
	}
	if diff := cmp.Diff([]string{"chunk", "chunk", "verdict"}, order); diff != "" {
		t.Errorf("MELCHIOR's events (-want +got):\n%s", diff)
	}
}

// prelude is the JSON head of a streamed Function URL response.
type prelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// cutPrelude splits a response body at the eight NUL bytes after its
// prelude.
func cutPrelude(t *testing.T, body []byte) (prelude, []byte) {
	t.Helper()
	head, rest, ok := bytes.Cut(body, make([]byte, 8))
	if !ok {
		t.Fatalf("no prelude separator in %q", body)
	}
	var p prelude
	if err := json.Unmarshal(head, &p); err != nil {
		t.Fatalf("prelude %q: %v", head, err)
	}
	return p, rest
}

// split is cutPrelude with the rest read as an event stream.
func split(t *testing.T, body []byte) (prelude, []magi.Event) {
	p, rest := cutPrelude(t, body)
	if !bytes.HasSuffix(rest, []byte("\n\n")) {
		t.Errorf("the stream ends mid-event: %q", rest)
	}
	return p, sse(rest)
}

// sse parses the complete events of an event stream, ignoring comments.
func sse(b []byte) []magi.Event {
	var out []magi.Event
	for {
		block, rest, ok := bytes.Cut(b, []byte("\n\n"))
		if !ok {
			return out
		}
		b = rest
		for line := range strings.SplitSeq(string(block), "\n") {
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var e magi.Event
				if err := json.Unmarshal([]byte(data), &e); err == nil {
					out = append(out, e)
				}
			}
		}
	}
}

func hasChunk(events []magi.Event, text string) bool {
	for _, e := range events {
		if e.Type == magi.EventChunk && e.Agent == magi.Melchior && strings.Contains(e.Content, text) {
			return true
		}
	}
	return false
}

// verdictAt is when the piece holding agent's verdict arrived.
func verdictAt(pieces []piece, agent magi.AgentID) time.Time {
	var body []byte
	for _, p := range pieces {
		body = append(body, p.data...)
		if _, rest, ok := bytes.Cut(body, make([]byte, 8)); ok {
			for _, e := range sse(rest) {
				if e.Type == magi.EventVerdict && e.Agent == agent {
					return p.at
				}
			}
		}
	}
	return time.Time{}
}
