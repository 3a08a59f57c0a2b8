package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/feed"
)

// stream writes the events of id after seq `after` to w as Server-Sent
// Events until the terminal event, the client leaving, or a shutdown. A
// client that leaves does not stop the deliberation.
//
// The handler's goroutine drives the stream itself (see feed.Cursor) and
// waits here with a small frame: events are handled in send, whose frame
// is gone while the stream waits, so that the runtime can shrink the
// stack of each of thousands of idle streams.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, id string, after int64) {
	ctx := r.Context()
	st := &streamState{r: r, id: id, src: s.open(ctx, id, after)}
	defer st.src.Close()
	st.sse = newSSE(w)
	s.metrics.streamOpened()
	defer s.metrics.streamClosed()
	st.ping = time.NewTicker(s.opts.Heartbeat)
	defer st.ping.Stop()
	for s.send(st) {
		select {
		case p, open := <-st.src.Live():
			st.src.Receive(p, open)
		case <-st.ping.C:
			if err := st.sse.Ping(); err != nil {
				return
			}
		case <-s.closing:
			s.endShutdown(st)
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
	src  source
	sse  *sseWriter
	ping *time.Ticker
}

// send writes every event st's source has ready, and reports whether the
// stream goes on (and must wait for more).
func (s *Server) send(st *streamState) bool {
	for {
		e, ok, err := st.src.Next(st.r.Context())
		switch {
		case err == io.EOF:
			return false
		case err != nil:
			s.streamFailed(st.sse, st.r, err)
			return false
		case !ok:
			return true
		}
		if err := st.sse.Event(e); err != nil {
			return false // the client went away; the deliberation goes on
		}
		if e.Terminal() {
			return false
		}
		st.ping.Reset(s.opts.Heartbeat)
	}
}

// source is the event stream of one deliberation as the handler reads it:
// a *feed.Cursor, driven by the handler's own goroutine (see
// feed.Cursor), or any other Subscriber run on a goroutine of its own.
type source interface {
	Next(ctx context.Context) (e magi.Event, ok bool, err error)
	Live() <-chan *magi.Event
	Receive(p *magi.Event, open bool)
	Close()
}

// opener is a Subscriber that also gives pull-style cursors (*feed.Feed).
type opener interface {
	Open(id string, after int64) *feed.Cursor
}

// open returns the source of the events of id after seq after.
func (s *Server) open(ctx context.Context, id string, after int64) source {
	if f, ok := s.feed.(opener); ok {
		return f.Open(id, after)
	}
	return subscribeGo(ctx, s.feed, id, after)
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
		case p, open := <-st.src.Live():
			st.src.Receive(p, open)
		case <-drain.C:
			s.endStream(st.sse, magi.Event{Type: magi.EventError, DeliberationID: st.id, Code: magi.ESHUTDOWN,
				Message: "the server is shutting down; reconnect to resume", Fatal: true})
			return
		case <-st.r.Context().Done():
			return
		}
	}
}

// streamFailed ends a stream whose subscription failed with a fatal error
// event, unless the client is gone.
func (s *Server) streamFailed(sse *sseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return
	}
	logger(r).Warn("event stream failed", "err", err)
	s.endStream(sse, magi.Event{Type: magi.EventError, Code: magi.ErrorCode(err),
		Message: magi.ErrorMessage(err), Fatal: true})
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

// goSource runs the iteration of a Subscriber that is not a *feed.Feed on
// a goroutine of its own, and hands its events over a channel.
type goSource struct {
	events chan *magi.Event
	errc   chan error
	cancel context.CancelFunc
	held   *magi.Event
	over   bool
}

func subscribeGo(ctx context.Context, sub Subscriber, id string, after int64) *goSource {
	ctx, cancel := context.WithCancel(ctx)
	g := &goSource{events: make(chan *magi.Event, 8), errc: make(chan error, 1), cancel: cancel}
	go func() {
		defer close(g.events)
		for e, err := range sub.Subscribe(ctx, id, after) {
			if err != nil {
				g.errc <- err
				return
			}
			select {
			case g.events <- &e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return g
}

func (g *goSource) Next(context.Context) (magi.Event, bool, error) {
	switch {
	case g.held != nil:
		e := *g.held
		g.held = nil
		return e, true, nil
	case !g.over:
		return magi.Event{}, false, nil
	}
	select {
	case err := <-g.errc:
		g.errc <- err // for every later call
		return magi.Event{}, false, err
	default:
		return magi.Event{}, false, io.EOF
	}
}

func (g *goSource) Live() <-chan *magi.Event {
	if g.over {
		return nil
	}
	return g.events
}

func (g *goSource) Receive(p *magi.Event, open bool) {
	if !open {
		g.over = true
		return
	}
	g.held = p
}

func (g *goSource) Close() { g.cancel() }
