package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/magi-system/magi"
)

// sseWriter writes one event stream: `id:` and one `data:` line per event,
// no `event:` line, flushed after every event. It needs no http.Flusher:
// the Lambda response writer streams without one.
type sseWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf []byte
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
	s := &sseWriter{w: w, rc: rc, buf: make([]byte, 0, 512)}
	s.flush()
	return s
}

// Event writes e and flushes it.
func (s *sseWriter) Event(e magi.Event) error {
	data := e.Encoded
	if len(data) == 0 {
		var err error
		if data, err = json.Marshal(e); err != nil {
			return err
		}
	}
	s.buf = append(s.buf[:0], "id: "...)
	s.buf = strconv.AppendInt(s.buf, e.Seq, 10)
	s.buf = append(s.buf, "\ndata: "...)
	s.buf = append(s.buf, data...)
	s.buf = append(s.buf, "\n\n"...)
	if _, err := s.w.Write(s.buf); err != nil {
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
