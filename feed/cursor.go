package feed

import (
	"context"
	"io"

	"github.com/magi-system/magi"
)

// Cursor reads the stream of one deliberation exactly as Subscribe yields
// it — stored events first, then live ones, each once and in order — but
// in its caller's goroutine: it starts none of its own, so a server that
// holds thousands of open streams keeps one goroutine stack per stream,
// not two. Subscribe is a Cursor driven by a loop.
//
// The caller alternates Next, which returns what is ready (reading the
// store when it must), and a wait on Live, whose receipts it hands to
// Receive, so that it can wait for other things too (a heartbeat, a
// shutdown):
//
//	c := f.Open(id, after)
//	defer c.Close()
//	for {
//		e, ok, err := c.Next(ctx)
//		if err != nil {
//			return err // io.EOF: the stream is over
//		}
//		if ok {
//			use(e)
//			continue
//		}
//		select {
//		case p, open := <-c.Live():
//			c.Receive(p, open)
//		case <-ctx.Done():
//			return ctx.Err()
//		}
//	}
//
// A Cursor is not safe for concurrent use.
type Cursor struct {
	feed *Feed
	id   string
	// last is the seq of the last event returned.
	last int64
	sub  *subscription
	// page holds stored events read and not yet returned.
	page []magi.Event
	// reading: the store has more to read before going on (a resume or
	// a gap); settle: the reading is done, its end is not yet handled.
	reading, settle bool
	// resuming: the reading is a resume, which began after seq before.
	resuming bool
	before   int64
	// held is a live event received and not yet handled; filled, that
	// the gap before it was read from the store already.
	held   *magi.Event
	filled bool
	// dropped: the Hub dropped the subscription for lagging.
	dropped bool
	// end, once set, is what Next returns from then on.
	end error
}

// Open subscribes to the live events of deliberation id and returns a
// Cursor at seq after (see Subscribe for the order and the errors). Close
// releases it.
func (f *Feed) Open(id string, after int64) *Cursor {
	c := &Cursor{feed: f, id: id, last: after}
	c.sub = f.hub.subscribe(id)
	c.resume()
	return c
}

// Close releases the Cursor's subscription. It may be called more than
// once.
func (c *Cursor) Close() { c.sub.Close() }

// Live returns the channel the next live event arrives on; hand what a
// receive from it gives to Receive. It changes when the Hub drops the
// subscription, so call Live again after each Receive.
func (c *Cursor) Live() <-chan *magi.Event {
	if c.end != nil {
		return nil
	}
	return c.sub.C
}

// Receive takes what a receive from Live gave: an event, or open false
// when the subscription was dropped (Next then reads the store again).
func (c *Cursor) Receive(p *magi.Event, open bool) {
	if !open {
		c.dropped = true
		return
	}
	c.held = p
}

// Next returns the next event of the stream with ok true when one is
// ready; with ok false and a nil error when none is yet: wait on Live. A
// non-nil error ends the stream and is returned again by every later call:
// io.EOF after the terminal event or when nothing more will come, else the
// error Subscribe would yield (the store's, a gap it cannot fill).
func (c *Cursor) Next(ctx context.Context) (e magi.Event, ok bool, err error) {
	for c.end == nil {
		switch {
		case len(c.page) > 0:
			e = c.page[0]
			c.page[0] = magi.Event{}
			if c.page = c.page[1:]; len(c.page) == 0 {
				c.page = nil
			}
			if c.accept(e) {
				return e, true, nil
			}
		case c.reading:
			c.read(ctx)
		case c.settle:
			c.settled(ctx)
		case c.held != nil:
			if e, ok = c.handleLive(); ok {
				return e, true, nil
			}
		case c.dropped: // start over from the store
			c.dropped = false
			c.sub = c.feed.hub.subscribe(c.id)
			c.resume()
		default:
			select {
			case p, open := <-c.sub.C:
				c.Receive(p, open)
			default:
				return magi.Event{}, false, nil
			}
		}
	}
	return magi.Event{}, false, c.end
}

// resume starts, on a new subscription, reading the store after last.
func (c *Cursor) resume() {
	c.reading, c.resuming, c.before = true, true, c.last
}

// read reads the next page of stored events after last.
func (c *Cursor) read(ctx context.Context) {
	page, err := c.feed.store.Events(ctx, c.id, c.last, pageSize)
	if err != nil {
		c.end = err
		return
	}
	c.page = page
	if len(page) < pageSize {
		c.reading, c.settle = false, true
	}
}

// settled ends a reading of the store, once its events are returned: it
// records how far the store was read, and, when a resume found nothing
// stored after last, checks the deliberation has not ended (the terminal
// event may be behind).
func (c *Cursor) settled(ctx context.Context) {
	c.settle = false
	c.feed.hub.advance(c.id, c.last)
	if !c.resuming {
		return
	}
	c.resuming = false
	if c.last == c.before && c.before != 0 {
		c.over(ctx)
	}
}

// over ends the stream if the deliberation has ended with no event after
// last (or the store failed): a client resuming after the terminal event,
// or beyond the stored head of a finished deliberation, gets nothing more.
// Events stored since the store was read are on their way through the
// subscription.
func (c *Cursor) over(ctx context.Context) {
	sum, err := c.feed.store.Summary(ctx, c.id, "")
	switch {
	case err != nil:
		c.end = err
	case sum.Status != magi.StatusRunning && sum.LastSeq <= c.last:
		c.end = io.EOF
	}
}

// handleLive returns the held live event if it is the one to return,
// first reading from the store any it skips.
func (c *Cursor) handleLive() (magi.Event, bool) {
	if c.held.Seq > c.last+1 && !c.filled {
		c.filled, c.reading = true, true
		return magi.Event{}, false
	}
	e := *c.held
	c.held, c.filled = nil, false
	return e, c.accept(e)
}

// accept reports whether e is the event after last, to be returned: one
// already returned is skipped (a skipped terminal event still ends the
// stream: the client resumed after it), and one further on is a gap that
// ends the stream with an error. Returning the terminal event ends the
// stream after it.
func (c *Cursor) accept(e magi.Event) bool {
	switch {
	case e.Seq <= c.last:
		if e.Terminal() {
			c.end = io.EOF
		}
		return false
	case e.Seq > c.last+1:
		c.end = magi.Errorf(magi.EINTERNAL, "feed: events %d to %d of %s are missing", c.last+1, e.Seq-1, c.id)
		return false
	}
	c.last = e.Seq
	if e.Terminal() {
		c.end = io.EOF
	}
	return true
}
