package feed

import (
	"sync"
	"sync/atomic"

	"github.com/magi-system/magi"
)

// DefaultBuffer is the number of events a subscriber may fall behind
// before the Hub drops it; DefaultBufferBytes how much of their JSON (256
// coalesced chunks of 16 KiB: a reader that falls behind for a moment is
// not sent to the store, where the reads of every catching-up stream
// queue).
const (
	DefaultBuffer      = 256
	DefaultBufferBytes = 4 << 20
)

// maxFailed bounds how many failure events the Hub remembers for late
// subscribers.
const maxFailed = 1024

// HubOptions configures a Hub.
type HubOptions struct {
	// Buffer is the number of events each subscriber may have pending
	// (default DefaultBuffer).
	Buffer int
	// BufferBytes is how much of their JSON each subscriber may have
	// pending (default DefaultBufferBytes); a subscriber with nothing
	// pending takes any one publish, however large.
	BufferBytes int
}

// Hub fans the events of each deliberation out to the subscribers of this
// process. Publishing never blocks: it appends each event to each
// subscriber's bounded buffer and signals it; a subscriber whose buffer is
// full is dropped, lets go of the events it had not taken, and catches up
// from the store. The zero Hub is not usable; call NewHub.
type Hub struct {
	buffer, bufferBytes int

	mu     sync.Mutex
	topics map[string]*topic
	// failed holds the unstored fatal event of each writer that lost its
	// store, so that a subscriber arriving later still sees its stream end.
	failed map[string]*magi.Encoded

	open    atomic.Int64
	dropped atomic.Int64
}

// topic is the state of one deliberation id in the Hub, alive while it has
// subscribers or a local writer.
type topic struct {
	subs    []*subscription
	writers int
	// head is the highest seq published while the topic lived; ended is
	// set once a terminal event was.
	head  int64
	ended bool
	// known is the highest seq a subscriber has read from the store; it
	// lets the Feed start its reads for a notice there.
	known int64
}

// subscription receives the events of one deliberation, in seq order.
type subscription struct {
	hub *Hub
	id  string
	// ready is signalled when events arrive or the Hub drops s.
	ready chan struct{}

	mu sync.Mutex
	// buf holds the events published and not yet taken, bytes their
	// JSON; lagged is set when the Hub dropped s for falling behind.
	buf    []*magi.Encoded
	bytes  int
	lagged bool
	closed bool // guarded by hub.mu
}

// NewHub returns an empty Hub.
func NewHub(opts HubOptions) *Hub {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	if opts.BufferBytes <= 0 {
		opts.BufferBytes = DefaultBufferBytes
	}
	return &Hub{buffer: opts.Buffer, bufferBytes: opts.BufferBytes, topics: map[string]*topic{}, failed: map[string]*magi.Encoded{}}
}

// Subscriptions returns the number of open subscriptions, for metrics.
func (h *Hub) Subscriptions() int { return int(h.open.Load()) }

// Dropped returns how many subscriptions were dropped for lagging behind,
// for metrics.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }

// publish hands events, consecutive events of deliberation id, to every
// subscriber of id without blocking; they are shared read-only. Events
// must be published in seq order; those whose seq is not above the
// highest already published for id are skipped, so republishing what a
// store read returned is harmless.
func (h *Hub) publish(id string, events []magi.Encoded) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.topics[id]
	if t == nil {
		return
	}
	for len(events) > 0 && events[0].Event.Seq <= t.head {
		events = events[1:]
	}
	if len(events) == 0 {
		return
	}
	t.head = events[len(events)-1].Event.Seq
	t.ended = t.ended || events[len(events)-1].Event.Terminal()
	for i := 0; i < len(t.subs); {
		if t.subs[i].push(events, h.buffer, h.bufferBytes) {
			i++
			continue
		}
		h.dropped.Add(1)
		h.removeLocked(t, i)
	}
}

// push appends events to s's buffer and signals s; it reports false, and
// marks s lagged, when they do not fit: more than buffer events pending,
// or more than maxBytes of JSON (unless nothing was). A lagged s lets go of
// what it had not taken.
func (s *subscription) push(events []magi.Encoded, buffer, maxBytes int) bool {
	n := 0
	for i := range events {
		n += len(events[i].JSON)
	}
	s.mu.Lock()
	fits := len(s.buf)+len(events) <= buffer && (s.bytes == 0 || s.bytes+n <= maxBytes)
	if fits {
		for i := range events {
			s.buf = append(s.buf, &events[i])
		}
		s.bytes += n
	} else {
		s.lagged = true
		clear(s.buf)
		s.buf, s.bytes = nil, 0
	}
	s.mu.Unlock()
	s.signal()
	return fits
}

func (s *subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// take returns the events published to s since the last take, appended
// to into, and whether the Hub has dropped s (after those events).
func (s *subscription) take(into []*magi.Encoded) ([]*magi.Encoded, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	into = append(into, s.buf...)
	clear(s.buf)
	s.buf, s.bytes = s.buf[:0], 0
	if cap(s.buf) > 64 {
		s.buf = nil // a burst's room is not kept by a waiting stream
	}
	return into, s.lagged
}

// subscribe returns a subscription to the events of id published from now
// on (and the failure event of its writer, if it already failed). live
// reports that every event of id after seq after will come through it:
// this process writes id (its writer created it, so each of its events is
// published here once stored), has published none after after, and its
// end is still to come. The store then has nothing to read that the
// subscription will not bring.
func (h *Hub) subscribe(id string, after int64) (s *subscription, live bool) {
	s = &subscription{hub: h, id: id, ready: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.topicLocked(id)
	t.subs = append(t.subs, s)
	h.open.Add(1)
	x, failed := h.failed[id]
	if failed {
		s.buf, s.bytes = append(s.buf, x), len(x.JSON)
		s.signal()
	}
	return s, t.writers > 0 && t.head <= after && !t.ended && !failed
}

// Close ends s. It may be called more than once, and after the Hub
// dropped s.
func (s *subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closed {
		return
	}
	t := h.topics[s.id]
	for i, x := range t.subs {
		if x == s {
			h.removeLocked(t, i)
			return
		}
	}
}

// removeLocked removes the i-th subscription of t, and t too when nothing
// holds it any more.
func (h *Hub) removeLocked(t *topic, i int) {
	s := t.subs[i]
	s.closed = true
	h.open.Add(-1)
	last := len(t.subs) - 1
	t.subs[i] = t.subs[last]
	t.subs[last] = nil
	t.subs = t.subs[:last]
	h.releaseLocked(s.id, t)
}

func (h *Hub) topicLocked(id string) *topic {
	t := h.topics[id]
	if t == nil {
		t = &topic{}
		h.topics[id] = t
	}
	return t
}

func (h *Hub) releaseLocked(id string, t *topic) {
	if len(t.subs) == 0 && t.writers == 0 {
		delete(h.topics, id)
	}
}

// addWriter records that this process writes id, so that the Feed does not
// republish its events from store notices.
func (h *Hub) addWriter(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.topicLocked(id).writers++
}

// removeWriter undoes addWriter.
func (h *Hub) removeWriter(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.topics[id]; t != nil {
		t.writers--
		h.releaseLocked(id, t)
	}
}

// fail publishes x, the unstored fatal event of a writer that lost its
// store, and keeps it for subscribers that come later.
func (h *Hub) fail(x magi.Encoded) {
	h.mu.Lock()
	if len(h.failed) >= maxFailed {
		for id := range h.failed {
			delete(h.failed, id)
			break
		}
	}
	h.failed[x.Event.DeliberationID] = &x
	h.mu.Unlock()
	h.publish(x.Event.DeliberationID, []magi.Encoded{x})
}

// settled publishes the stored end of a deliberation whose writer failed,
// and forgets its unstored failure event: from now on the store has the
// whole stream.
func (h *Hub) settled(id string, end []magi.Encoded) {
	h.mu.Lock()
	delete(h.failed, id)
	h.mu.Unlock()
	h.publish(id, end)
}

// follow reports where the Feed should read from to republish a store
// notice for id: ok is false when id has no local subscriber or has a local
// writer; otherwise after is the highest seq published for id here, or
// read from the store by one of its subscribers.
func (h *Hub) follow(id string) (after int64, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.topics[id]
	if t == nil || len(t.subs) == 0 || t.writers > 0 {
		return 0, false
	}
	return max(t.head, t.known), true
}

// followed appends to into the ids that Feed.Poll must follow: those with
// a subscriber here and no local writer.
func (h *Hub) followed(into []string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, t := range h.topics {
		if len(t.subs) > 0 && t.writers == 0 {
			into = append(into, id)
		}
	}
	return into
}

// advance records that a subscriber of id has read the store up to seq.
func (h *Hub) advance(id string, seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.topics[id]; t != nil && seq > t.known {
		t.known = seq
	}
}
