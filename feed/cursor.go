package feed

import (
	"context"
	"io"

	"github.com/magi-system/magi"
)

// cursor is the magi.Stream of Feed.Follow: the one implementation of
// "follow a deliberation from seq N". It reads the store and the Hub in
// its caller's goroutine and starts none of its own, so a server that
// holds thousands of open streams keeps one goroutine per stream.
type cursor struct {
	feed *Feed
	id   string
	// last is the seq of the last event returned.
	last int64
	sub  *subscription
	// page holds stored events read and not yet returned; limit is how
	// many the next read asks for.
	page  []magi.Event
	limit int
	// reading: the store has more to read before going on (a resume or
	// a gap); settle: the reading is done, its end is not yet handled.
	reading, settle bool
	// resuming: the reading is a resume, which began after seq before.
	resuming bool
	before   int64
	// live holds the events taken from the subscription and not yet
	// handled, from index next on; filled: the gap before live[next] was
	// read from the store already.
	live   []*magi.Encoded
	next   int
	filled bool
	// dropped: the Hub dropped the subscription for lagging.
	dropped bool
	// end, once set, is what Next returns from then on.
	end error
}

var _ magi.Stream = (*cursor)(nil)

// Follow opens the stream of deliberation id after seq after: it
// subscribes to the Hub first, then reads the store after seq after, then
// goes on with the live events, skipping any seq already returned (see
// the package documentation). A deliberation this process writes, with
// nothing published after seq after yet (the stream a POST opens on the
// deliberation it starts), is followed from the Hub alone: the store has
// nothing the subscription will not bring. Close releases it.
func (f *Feed) Follow(id string, after int64) magi.Stream {
	c := &cursor{feed: f, id: id, last: after, limit: firstPage}
	c.subscribe()
	return c
}

// Close releases the subscription.
func (c *cursor) Close() { c.sub.Close() }

// Ready is signalled when live events arrive or the subscription was
// dropped; nil once the stream has ended.
func (c *cursor) Ready() <-chan struct{} {
	if c.end != nil {
		return nil
	}
	return c.sub.ready
}

// Next returns the next event of the stream when one is ready.
func (c *cursor) Next(ctx context.Context) (magi.Encoded, bool, error) {
	for c.end == nil {
		switch {
		case len(c.page) > 0:
			e := c.page[0]
			c.page[0] = magi.Event{}
			if c.page = c.page[1:]; len(c.page) == 0 {
				c.page = nil
			}
			if c.accept(e.Seq, e.Terminal()) {
				x, err := magi.Encode(e)
				if err != nil {
					c.end = err
					break
				}
				return x, true, nil
			}
		case c.reading:
			c.read(ctx)
		case c.settle:
			c.settled(ctx)
		case c.next < len(c.live):
			if x, ok := c.handleLive(); ok {
				return x, true, nil
			}
		case c.dropped: // start over from the store
			c.dropped = false
			c.subscribe()
		default:
			clear(c.live)
			c.live, c.next = c.live[:0], 0
			if cap(c.live) > 64 {
				c.live = nil
			}
			c.live, c.dropped = c.sub.take(c.live)
			if len(c.live) == 0 && !c.dropped {
				return magi.Encoded{}, false, nil
			}
		}
	}
	return magi.Encoded{}, false, c.end
}

// subscribe subscribes to the Hub and, unless the subscription brings
// every event after last, starts reading the store after last.
func (c *cursor) subscribe() {
	var live bool
	c.sub, live = c.feed.hub.subscribe(c.id, c.last)
	if !live {
		c.reading, c.resuming, c.before = true, true, c.last
	}
}

// read reads the next page of stored events after last.
func (c *cursor) read(ctx context.Context) {
	page, err := c.feed.store.Events(ctx, c.id, c.last, c.limit)
	if err != nil {
		c.end = err
		return
	}
	c.page = page
	if len(page) < c.limit {
		c.reading, c.settle = false, true
	}
	c.limit = pageLimit(page)
}

// pageLimit is how many events to read after page: about pageBytes of
// events of its size, from 1 to maxPage.
func pageLimit(page []magi.Event) int {
	n := 0
	for i := range page {
		n += eventSize(&page[i])
	}
	if n == 0 {
		return firstPage
	}
	return max(1, min(maxPage, pageBytes*len(page)/n))
}

// eventSize is about the memory of an event read from the store: its
// texts and an allowance for the rest.
func eventSize(e *magi.Event) int {
	return 256 + len(e.Content) + len(e.Question) + len(e.Message)
}

// settled ends a reading of the store, once its events are returned: it
// records how far the store was read, and, when a resume found nothing
// stored after last, checks the deliberation has not ended (the terminal
// event may be behind).
func (c *cursor) settled(ctx context.Context) {
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
func (c *cursor) over(ctx context.Context) {
	sum, err := c.feed.store.Summary(ctx, c.id, "")
	switch {
	case err != nil:
		c.end = err
	case sum.Status != magi.StatusRunning && sum.LastSeq <= c.last:
		c.end = io.EOF
	}
}

// handleLive returns the next live event if it is the one to return,
// first reading from the store any it skips.
func (c *cursor) handleLive() (magi.Encoded, bool) {
	x := c.live[c.next]
	if x.Event.Seq > c.last+1 && !c.filled {
		c.filled, c.reading = true, true
		return magi.Encoded{}, false
	}
	c.live[c.next] = nil
	c.next++
	c.filled = false
	return *x, c.accept(x.Event.Seq, x.Event.Terminal())
}

// accept reports whether the event of seq is the one after last, to be
// returned: one already returned is skipped (a skipped terminal event
// still ends the stream: the client resumed after it), and one further on
// is a gap that ends the stream with an error. Returning the terminal
// event ends the stream after it.
func (c *cursor) accept(seq int64, terminal bool) bool {
	switch {
	case seq <= c.last:
		if terminal {
			c.end = io.EOF
		}
		return false
	case seq > c.last+1:
		c.end = magi.Errorf(magi.EINTERNAL, "feed: events %d to %d of %s are missing", c.last+1, seq-1, c.id)
		return false
	}
	c.last = seq
	if terminal {
		c.end = io.EOF
	}
	return true
}
