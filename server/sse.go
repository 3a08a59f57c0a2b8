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
// no `event:` line, flushed after every event. It needs no http.Flusher:
// the Lambda response writer streams without one.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
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

// newSSE sends the stream's headers. It clears the write deadline so no
// server WriteTimeout can cut a long stream.
func newSSE(w http.ResponseWriter) *sseWriter {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "keep-alive")
	h.Del("Content-Length")
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	s := &sseWriter{w: w, rc: rc}
	s.flush()
	return s
}

// Event writes the stored event of seq, data its JSON, and flushes it.
func (s *sseWriter) Event(seq int64, data []byte) error {
	if err := writeFrame(s.w, seq, data); err != nil {
		return err
	}
	return s.flush()
}

// End writes e, a final event that is not part of the stored stream: it
// has no id, so a client resuming later skips nothing.
func (s *sseWriter) End(e magi.Event) {
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
