package lambda_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// fakeRuntime is the Lambda Runtime API (2018-06-01) as a custom runtime
// sees it: /next hands out the invocations the test queues, /response and
// /error take the function's answer. Response bodies are read as they
// arrive, each read reported to the test at once with its arrival time. It
// also serves GET /gate, which blocks until the test opens the gate: the
// fake model in the function process waits there.
type fakeRuntime struct {
	t   *testing.T
	srv *httptest.Server

	invocations chan []byte
	pieces      chan piece // the current response's body, read by read
	results     chan result
	closing     chan struct{}

	gate     chan struct{}
	gateOnce sync.Once
	n        atomic.Int64 // invocations handed out
}

// piece is one read of a streamed response body.
type piece struct {
	at   time.Time
	data []byte
}

// result is a whole answer of the function to one invocation.
type result struct {
	kind    string // "response" or "error"
	id      string
	header  http.Header
	chunked bool
	body    []byte
	pieces  []piece
	trailer http.Header
}

func newFakeRuntime(t *testing.T) *fakeRuntime {
	f := &fakeRuntime{t: t, invocations: make(chan []byte, 8), pieces: make(chan piece, 4096),
		results: make(chan result, 8), closing: make(chan struct{}), gate: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", f.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", f.answer("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", f.answer("error"))
	mux.HandleFunc("GET /gate", f.wait)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(f.closing)
		f.srv.Close()
	})
	return f
}

// address is what AWS_LAMBDA_RUNTIME_API holds: host:port.
func (f *fakeRuntime) address() string { return strings.TrimPrefix(f.srv.URL, "http://") }

// open lets the fake model go on.
func (f *fakeRuntime) open() { f.gateOnce.Do(func() { close(f.gate) }) }

func (f *fakeRuntime) next(w http.ResponseWriter, r *http.Request) {
	select {
	case payload := <-f.invocations:
		n := f.n.Add(1)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", fmt.Sprintf("req-%d", n))
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:magi")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		_, _ = w.Write(payload)
	case <-r.Context().Done(): // the function process is gone
	case <-f.closing:
		w.WriteHeader(http.StatusGone)
	}
}

// answer reads a response or error body as it streams in.
func (f *fakeRuntime) answer(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res := result{kind: kind, id: r.PathValue("id"), header: r.Header.Clone(),
			chunked: len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"}
		buf := make([]byte, 64<<10)
		for {
			n, err := r.Body.Read(buf)
			if n > 0 {
				p := piece{at: time.Now(), data: bytes.Clone(buf[:n])}
				res.body = append(res.body, p.data...)
				res.pieces = append(res.pieces, p)
				f.pieces <- p
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				f.t.Errorf("fake runtime: reading the %s body: %v", kind, err)
				break
			}
		}
		res.trailer = r.Trailer.Clone()
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
		f.results <- res
	}
}

func (f *fakeRuntime) wait(w http.ResponseWriter, r *http.Request) {
	select {
	case <-f.gate:
		w.WriteHeader(http.StatusOK)
	case <-time.After(30 * time.Second):
		w.WriteHeader(http.StatusGatewayTimeout)
	case <-r.Context().Done():
	case <-f.closing:
		w.WriteHeader(http.StatusGone)
	}
}

// invoke queues a Function URL invocation.
func (f *fakeRuntime) invoke(method, path, body string, headers map[string]string) {
	f.t.Helper()
	e := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: path, Headers: headers, Body: body,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID: "123456789012", RequestID: "url-req", APIID: "abc123",
			DomainName: "abc123.lambda-url.us-east-1.on.aws", DomainPrefix: "abc123",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: "test"},
		},
	}
	payload, err := json.Marshal(e)
	if err != nil {
		f.t.Fatal(err)
	}
	f.invocations <- payload
}

// result waits for the function's answer to the current invocation.
func (f *fakeRuntime) result(timeout time.Duration) result {
	f.t.Helper()
	select {
	case res := <-f.results:
		f.drain()
		return res
	case <-time.After(timeout):
		f.t.Fatalf("no answer from the function within %v", timeout)
		return result{}
	}
}

// drain drops the pieces of an answer already taken whole.
func (f *fakeRuntime) drain() {
	for {
		select {
		case <-f.pieces:
		default:
			return
		}
	}
}
