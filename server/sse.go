package server

import (
	"encoding/json"
	"errors"
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

// maxPooled is the largest buffer put back in sseBufs: a rare huge event
// does not stay in memory.
const maxPooled = 64 << 10

// sseBufs holds the buffers events are framed in, shared by every stream:
// an open stream that waits holds none.
var sseBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

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

// Event writes e and flushes it.
func (s *sseWriter) Event(e magi.Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	bp := sseBufs.Get().(*[]byte)
	buf := append((*bp)[:0], "id: "...)
	buf = strconv.AppendInt(buf, e.Seq, 10)
	buf = append(buf, "\ndata: "...)
	buf = append(buf, data...)
	buf = append(buf, "\n\n"...)
	_, err = s.w.Write(buf)
	if cap(buf) <= maxPooled {
		*bp = buf
		sseBufs.Put(bp)
	}
	if err != nil {
		return err
	}
	return s.flush()
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
