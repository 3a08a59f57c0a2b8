package server

import (
	"io"
	"net/http"
	"time"

	"github.com/magi-system/magi"
)

// stream writes the events of id after seq `after` to w as Server-Sent
// Events until the terminal event, the client leaving, a shutdown, or the
// revocation of the caller's API key; then it gives slot back. A client
// that leaves does not stop the deliberation.
//
// The handler's goroutine drives the stream itself (see magi.Stream) and
// waits here with a small frame: events are handled in send, whose frame
// is gone while the stream waits, so that the runtime can shrink the
// stack of each of thousands of idle streams.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, slot *streamSlot, id string, after int64) {
	defer slot.release()
	ctx := r.Context()
	st := &streamState{r: r, id: id, src: s.follow.Follow(id, after)}
	defer st.src.Close()
	defer endStreamSpan(s.streamSpan(r, id, after), st)
	st.sse = newSSE(w, s.opts.StreamWriteTimeout)
	s.metrics.streamOpened()
	defer s.metrics.streamClosed()
	st.ping = time.NewTicker(s.opts.Heartbeat)
	defer st.ping.Stop()
	for s.send(st) {
		select {
		case <-st.src.Ready():
		case <-st.ping.C:
			if err := st.sse.Ping(); err != nil {
				st.ended = "write_failed"
				return
			}
		case <-s.closing:
			s.endShutdown(st)
			return
		case <-slot.revoked():
			endRevoked(st)
			return
		case <-ctx.Done():
			return
		}
	}
}

// streamState is one stream being written.
type streamState struct {
	r    *http.Request
	id   string
	src  magi.Stream
	sse  *sseWriter
	ping *time.Ticker
	// events and bytes count what was sent; ended says why the stream
	// ended when it knows (its span tells them).
	events, bytes int64
	ended         string
}

// send writes every event st's source has ready, flushes them together,
// and reports whether the stream goes on (and must wait for more).
func (s *Server) send(st *streamState) bool {
	for {
		x, ok, err := st.src.Next(st.r.Context())
		switch {
		case err == io.EOF:
			_ = st.sse.Flush()
			return false
		case err != nil:
			s.streamFailed(st, err) // flushes what was written, then the error
			return false
		case !ok:
			if err := st.sse.Flush(); err != nil {
				st.ended = "write_failed"
				return false
			}
			return true
		}
		if err := st.sse.Event(x.Event.Seq, x.JSON); err != nil {
			st.ended = "write_failed"
			return false // the client went away or stopped reading; the deliberation goes on
		}
		st.events++
		st.bytes += int64(len(x.JSON))
		if x.Event.Terminal() {
			st.ended = "terminal"
			_ = st.sse.Flush()
			return false
		}
		st.ping.Reset(s.opts.Heartbeat)
	}
}

// shutdownDrain bounds how long a stream being closed by a shutdown waits
// for events already on their way to it.
const shutdownDrain = 250 * time.Millisecond

// endShutdown ends a stream because the server is shutting down. The
// deliberations of this process have journaled their end by then (the
// runner shuts down before the streams close), so it first delivers what is
// on its way, the stored terminal event included; a stream still without
// one then ends with an unstored `shutdown` error. It is not inlined: its
// event would take room in the frame of a waiting stream.
//
//go:noinline
func (s *Server) endShutdown(st *streamState) {
	drain := time.NewTimer(shutdownDrain)
	defer drain.Stop()
	for s.send(st) {
		select {
		case <-st.src.Ready():
		case <-drain.C:
			st.ended = "shutdown"
			st.sse.End(magi.Event{Type: magi.EventError, DeliberationID: st.id, Code: magi.ESHUTDOWN,
				Message: "the server is shutting down; reconnect to resume", Fatal: true})
			return
		case <-st.r.Context().Done():
			return
		}
	}
}

// endRevoked ends a stream whose API key was revoked with an unstored
// fatal `unauthorized` error event.
//
//go:noinline
func endRevoked(st *streamState) {
	st.ended = "revoked"
	st.sse.End(magi.Event{Type: magi.EventError, DeliberationID: st.id, Code: magi.EUNAUTHORIZED,
		Message: "this API key was revoked; the stream is closed", Fatal: true})
}

// streamFailed ends a stream whose source failed with a fatal error event
// naming its deliberation (a client that started it by the POST may not
// know its id yet), unless the client is gone.
func (s *Server) streamFailed(st *streamState, err error) {
	if st.r.Context().Err() != nil {
		return
	}
	logger(st.r).Warn("event stream failed", "err", err)
	st.sse.End(magi.Event{Type: magi.EventError, DeliberationID: st.id, Code: magi.ErrorCode(err), Message: magi.ErrorMessage(err), Fatal: true})
}
