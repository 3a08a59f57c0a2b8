package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/magi-system/magi"
)

// A request body has Options.BodyTimeout to arrive, counted from the end
// of its headers: a client that stalls mid-body is cut off, whichever
// route it called, and cannot hold a connection. net/http lifts the
// deadline itself once the body has been read to its end (it then watches
// the connection for the client leaving), so a stream answering a POST
// (Accept: text/event-stream, /invocations) is not cut by it. Unlike
// http.Server.ReadTimeout, it applies to any server the handler runs in.

// requestBody is a request body under its read deadline.
type requestBody struct {
	io.ReadCloser
	done atomic.Bool // read to its end
}

// Read reads the body and notes its end.
func (b *requestBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done.Store(true)
	}
	return n, err
}

// limitBody puts r's body, if it has one, under the body deadline.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request) *http.Request {
	if r.Body == nil || r.Body == http.NoBody {
		return r
	}
	// ErrNotSupported (Lambda: the body has arrived whole): nothing to do.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opts.BodyTimeout))
	r.Body = &requestBody{ReadCloser: r.Body}
	return r
}

// refuseBody makes an answer sent before r's body was read go out at
// once and end the connection: the server neither waits for the body
// nor reads it (net/http otherwise reads up to 256 KiB of it first, for
// as long as the client takes).
func refuseBody(w http.ResponseWriter, r *http.Request) {
	b, ok := r.Body.(*requestBody)
	if !ok || b.done.Load() {
		return
	}
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// readError is the error of a body that could not be read.
func readError(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return magi.Errorf(magi.ETIMEOUT, "the request body did not arrive in time; send it whole, at once")
	}
	return magi.Errorf(magi.EINVALID, "could not read the request body")
}
