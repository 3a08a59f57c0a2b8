package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// sseWriter writes one event stream: `id:` and one `data:` line per event,
// no `event:` line, flushed after every burst of events (see Event). It
// needs no http.Flusher: the Lambda response writer streams without one.
//
// Each write and its flush must be done within timeout: the deadline is
// set afresh before each, so a client that reads is never cut, however
// long the stream or its pauses, and one that stops reading is dropped
// once a write has waited timeout (the Lambda response writer has no
// deadline; Lambda bounds the invocation itself). The last deadline also
// bounds net/http's end of the response, which then clears it, so the
// next request on a kept-alive connection starts without one.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	until   time.Time // the deadline set last
}

// maxPooled is the largest buffer put back in frameBufs: a rare huge event
// does not stay in memory.
const maxPooled = 64 << 10

// frameBufs holds the buffers events are framed in, shared by every
// stream: an open stream that waits holds none.
var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeFrame writes one event of a stream to w, in one Write: `id: seq`
// when seq is not 0 (an event of the stored stream, which a client may
// resume after), then `data: ` and the event's JSON, then the blank line
// that ends it. It is the one writer of an SSE frame: stored events, the
// unstored end of a stream (shutdown, failure) and the end of a handler
// that panicked all go through it.
func writeFrame(w io.Writer, seq int64, data []byte) error {
	bp := frameBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	if seq != 0 {
		buf = append(buf, "id: "...)
		buf = strconv.AppendInt(buf, seq, 10)
		buf = append(buf, '\n')
	}
	buf = append(buf, "data: "...)
	buf = append(buf, data...)
	buf = append(buf, "\n\n"...)
	_, err := w.Write(buf)
	if cap(buf) <= maxPooled {
		*bp = buf
		frameBufs.Put(bp)
	}
	return err
}

// newSSE sends the stream's headers, within timeout. From then on each
// write has its own deadline, so no server WriteTimeout can cut a long
// stream.
func newSSE(w http.ResponseWriter, timeout time.Duration) *sseWriter {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "keep-alive")
	h.Del("Content-Length")
	s := &sseWriter{w: w, rc: http.NewResponseController(w), timeout: timeout}
	s.deadline()
	w.WriteHeader(http.StatusOK)
	s.flush()
	return s
}

// deadline gives the next write and flush timeout to be done. While the
// deadline set last is still nearly that far ahead (a busy stream), it
// stands: a write then has at least 7/8 of timeout, and a stream setting
// a deadline for each of thousands of events a second does not.
func (s *sseWriter) deadline() {
	now := time.Now()
	if s.until.Sub(now) > s.timeout-s.timeout/8 {
		return
	}
	s.until = now.Add(s.timeout)
	_ = s.rc.SetWriteDeadline(s.until)
}

// Event writes the stored event of seq, data its JSON, without flushing
// it: the caller writes every event it has ready, then calls Flush, so a
// burst of events leaves in one system call rather than one each.
func (s *sseWriter) Event(seq int64, data []byte) error {
	s.deadline()
	return writeFrame(s.w, seq, data)
}

// Flush sends what Event wrote.
func (s *sseWriter) Flush() error {
	s.deadline()
	return s.flush()
}

// End writes e, a final event that is not part of the stored stream: it
// has no id, so a client resuming later skips nothing.
func (s *sseWriter) End(e magi.Event) {
	s.deadline()
	endStream(s.w, e)
	_ = s.flush()
}

// endStream writes e, stamped now, as the unstored last event of the
// stream on w.
func endStream(w io.Writer, e magi.Event) {
	e.Timestamp = time.Now().UTC()
	if data, err := e.AppendJSON(nil); err == nil {
		_ = writeFrame(w, 0, data)
	}
}

// Ping writes a comment that keeps proxies and clients from timing out.
func (s *sseWriter) Ping() error {
	s.deadline()
	if _, err := s.w.Write([]byte(": ping\n\n")); err != nil {
		return err
	}
	return s.flush()
}

func (s *sseWriter) flush() error {
	if err := s.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}
