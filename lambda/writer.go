package lambda

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// head is what the prelude of a streamed response says: status, headers
// and cookies.
type head struct {
	status  int
	headers map[string]string
	cookies []string
}

// responseWriter is the http.ResponseWriter of one invocation. It holds
// nothing back: Write hands its bytes to the pipe the runtime reads the
// response body from and returns once the runtime has taken them, and the
// runtime sends each read as its own chunk. Like net/http, it sends the
// header at the first Write or Flush, not at WriteHeader, and fills in a
// missing Content-Type from the first bytes.
type responseWriter struct {
	header http.Header
	body   *io.PipeWriter
	ready  chan head // receives the head, once

	status int         // set by WriteHeader
	frozen http.Header // the header as of WriteHeader
	sent   bool        // the head went to ready
}

func newResponseWriter(body *io.PipeWriter) *responseWriter {
	return &responseWriter{header: http.Header{}, body: body, ready: make(chan head, 1)}
}

// Header is the response's header map.
func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader records the status; informational codes are ignored, as the
// prelude cannot carry them.
func (w *responseWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		return
	}
	w.status, w.frozen = code, w.header.Clone()
}

// Write sends the head if it is not out yet, then p.
func (w *responseWriter) Write(p []byte) (int, error) {
	w.send(p)
	if len(p) == 0 {
		return 0, nil
	}
	return w.body.Write(p)
}

// Flush sends the head if it is not out yet. The body needs no flushing:
// Write returns only once the runtime has read the bytes.
func (w *responseWriter) Flush() { w.send(nil) }

// send hands the head to the runtime, once; first is the body's first
// bytes, for sniffing a missing Content-Type.
func (w *responseWriter) send(first []byte) {
	if w.sent {
		return
	}
	w.sent = true
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.frozen.Get("Content-Type") == "" && len(first) > 0 {
		w.frozen.Set("Content-Type", http.DetectContentType(first))
	}
	w.ready <- prelude(w.status, w.frozen)
}

// notInPrelude are the headers of one HTTP connection, not of the
// response: the Function URL frames the body to the client itself.
var notInPrelude = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Upgrade": true, "Trailer": true, "Te": true, "Content-Length": true,
}

func prelude(status int, h http.Header) head {
	hd := head{status: status, headers: make(map[string]string, len(h))}
	for k, v := range h {
		switch {
		case k == "Set-Cookie":
			hd.cookies = v
		case notInPrelude[k] || len(v) == 0:
		default:
			hd.headers[k] = strings.Join(v, ",")
		}
	}
	return hd
}

// serve runs h and ends the body: normally when h returns; after a panic,
// with a JSON 500 if nothing was sent yet, otherwise with a body error,
// which the runtime reports in its Lambda-Runtime-Function-Error-Type
// trailer. (MAGI's server recovers its own panics and ends an event stream
// with its last event; a panic reaches here only from outside it.)
func serve(h http.Handler, w *responseWriter, r *http.Request, log *slog.Logger) {
	defer func() {
		v := recover()
		if v == nil {
			w.send(nil)
			w.body.Close()
			return
		}
		if v != http.ErrAbortHandler {
			log.Error("panic serving a Lambda invocation", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
		}
		w.fail(v)
	}()
	h.ServeHTTP(w, r)
}

// internalError is the body of a response whose handler panicked before
// it sent anything.
const internalError = `{"error":{"code":"internal","message":"internal error"}}` + "\n"

func (w *responseWriter) fail(v any) {
	if !w.sent {
		w.header = http.Header{"Content-Type": {"application/json"}}
		w.status, w.frozen = http.StatusInternalServerError, w.header
		w.send(nil)
		_, _ = w.body.Write([]byte(internalError))
		w.body.Close()
		return
	}
	w.body.CloseWithError(messages.InvokeResponse_Error{Type: "Panic", Message: fmt.Sprint(v)})
}
