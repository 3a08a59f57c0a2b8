package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/magi-system/magi"
)

// stream writes the events of id after seq `after` to w as Server-Sent
// Events until the terminal event, the client leaving, or a shutdown. A
// client that leaves does not stop the deliberation.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, id string, after int64) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	events := make(chan magi.Event, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(events)
		for e, err := range s.feed.Subscribe(ctx, id, after) {
			if err != nil {
				errc <- err
				return
			}
			select {
			case events <- e:
			case <-ctx.Done():
				return
			}
		}
	}()

	sse := newSSE(w)
	s.metrics.streamOpened()
	defer s.metrics.streamClosed()
	ping := time.NewTicker(s.opts.Heartbeat)
	defer ping.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				s.streamFailed(sse, r, errc)
				return
			}
			if err := sse.Event(e); err != nil {
				return // the client went away; the deliberation goes on
			}
			if e.Terminal() {
				return
			}
			ping.Reset(s.opts.Heartbeat)
		case <-ping.C:
			if err := sse.Ping(); err != nil {
				return
			}
		case <-s.closing:
			s.endStream(sse, magi.Event{Type: magi.EventError, DeliberationID: id, Code: magi.ESHUTDOWN,
				Message: "the server is shutting down; reconnect to resume", Fatal: true})
			return
		case <-ctx.Done():
			return
		}
	}
}

// streamFailed ends a stream whose subscription failed with a fatal error
// event, unless the client is gone.
func (s *Server) streamFailed(sse *sseWriter, r *http.Request, errc chan error) {
	select {
	case err := <-errc:
		if r.Context().Err() != nil {
			return
		}
		logger(r).Warn("event stream failed", "err", err)
		s.endStream(sse, magi.Event{Type: magi.EventError, Code: magi.ErrorCode(err),
			Message: magi.ErrorMessage(err), Fatal: true})
	default:
	}
}

// endStream writes a final event that is not part of the stored stream: it
// has no id, so a client resuming later skips nothing.
func (s *Server) endStream(sse *sseWriter, e magi.Event) {
	e.Timestamp = time.Now().UTC()
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	if _, err := sse.w.Write(append(append([]byte("data: "), data...), "\n\n"...)); err == nil {
		_ = sse.flush()
	}
}
