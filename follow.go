package magi

import "context"

// Encoded is an event beside its JSON (Event.AppendJSON), encoded once,
// when the journal gave the event its seq: the store keeps these bytes and
// every stream sends them. Neither changes once encoded; an Encoded is
// shared read-only.
type Encoded struct {
	Event Event
	JSON  []byte
}

// Encode returns e beside its JSON.
func Encode(e Event) (Encoded, error) {
	b, err := e.AppendJSON(nil)
	return Encoded{Event: e, JSON: b}, err
}

// Follower follows deliberations: feed.Feed, the one implementation,
// serves the SSE handler (and Lambda through it), `magi ask` and
// `magi replay`.
type Follower interface {
	// Follow opens the Stream of deliberation id after seq after.
	Follow(id string, after int64) Stream
}

// Stream is the events of one deliberation after a seq, as a reader
// receives them: the stored ones first, then the live ones, each exactly
// once and in seq order, ending with the terminal event. Its reader drives
// it from its own goroutine — a Stream starts none — so that it can wait
// for other things too (a heartbeat, a shutdown):
//
//	s := f.Follow(id, after)
//	defer s.Close()
//	for {
//		e, ok, err := s.Next(ctx)
//		if err != nil {
//			return err // io.EOF: the stream is over
//		}
//		if ok {
//			send(e)
//			continue
//		}
//		select {
//		case <-s.Ready():
//		case <-ctx.Done():
//			return ctx.Err()
//		}
//	}
//
// A Stream is not safe for concurrent use.
type Stream interface {
	// Next returns the next event with ok true when one is ready, ok false
	// when none is yet (wait for Ready, then call Next again). A non-nil
	// error ends the stream and is returned again by every later call:
	// io.EOF after the terminal event (or when nothing more will come),
	// ENOTFOUND for an unknown id, else the failure that cut the stream.
	Next(ctx context.Context) (e Encoded, ok bool, err error)
	// Ready is signalled when Next may have more to return. It is nil once
	// the stream has ended.
	Ready() <-chan struct{}
	// Close releases the stream. It may be called more than once.
	Close()
}
