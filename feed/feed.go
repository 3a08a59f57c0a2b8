package feed

import (
	"context"
	"iter"
	"sync"

	"github.com/magi-system/magi"
)

// pageSize is how many stored events a subscriber reads at a time.
const pageSize = 512

// Feed is the read side: it gives each subscriber the whole, ordered
// stream of a deliberation, stored events first, then live ones.
type Feed struct {
	store magi.Store
	hub   *Hub
	// mu serializes the handling of store notices.
	mu sync.Mutex
}

// NewFeed returns a Feed that reads from store and follows hub.
func NewFeed(store magi.Store, hub *Hub) *Feed {
	return &Feed{store: store, hub: hub}
}

// Subscribe yields every event of deliberation id whose seq is above after,
// exactly once and in order, and ends after the terminal event. Stored
// events come first, then live ones. An unknown id yields the store's
// ENOTFOUND error; a failed store read, or a gap the store cannot fill,
// yields an error; the end of ctx yields ctx.Err(). Each error is yielded at
// most once, last. Stopping the iteration releases the subscription.
func (f *Feed) Subscribe(ctx context.Context, id string, after int64) iter.Seq2[magi.Event, error] {
	return func(yield func(magi.Event, error) bool) {
		c := &cursor{feed: f, id: id, last: after, yield: yield}
		c.run(ctx)
	}
}

// Watch follows the events other processes append to a shared store: for
// each notice of an id that has subscribers here and no local writer, it
// reads the new events from the store once and publishes them to the Hub.
// It returns when ctx ends, with the Watcher's error.
func (f *Feed) Watch(ctx context.Context, w magi.Watcher) error {
	return w.Watch(ctx, func(id string, seq int64) { f.notice(ctx, id, seq) })
}

// notice republishes the events of id up to seq that this process has not
// published yet. A failed read is left to the next notice; subscribers that
// see a gap read the store themselves.
func (f *Feed) notice(ctx context.Context, id string, seq int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	after, ok := f.hub.follow(id)
	if !ok || seq <= after {
		return
	}
	events, err := f.store.Events(ctx, id, after, 0)
	if err != nil {
		return
	}
	for i := range events {
		f.hub.Publish(events[i])
	}
}

// cursor is one run of Subscribe: where it stands and how to yield.
type cursor struct {
	feed  *Feed
	id    string
	last  int64
	yield func(magi.Event, error) bool
	sub   *subscription
}

// run is the resume order: subscribe to the Hub first, then read the store
// after last, then go on with live events, dropping what was already
// yielded and filling gaps from the store.
func (c *cursor) run(ctx context.Context) {
	c.sub = c.feed.hub.subscribe(c.id)
	defer func() { c.sub.Close() }()
	if !c.resume(ctx) {
		return
	}
	for {
		select {
		case p, ok := <-c.sub.C:
			if !ok { // dropped for lagging: start over from the store
				c.sub = c.feed.hub.subscribe(c.id)
				if !c.resume(ctx) {
					return
				}
				continue
			}
			if !c.live(ctx, *p) {
				return
			}
		case <-ctx.Done():
			c.yield(magi.Event{}, ctx.Err())
			return
		}
	}
}

// resume runs, on a new subscription, catchUp and reports whether to go
// on. When the store has nothing after last, the terminal event may be
// behind: it checks the deliberation has not ended.
func (c *cursor) resume(ctx context.Context) bool {
	before := c.last
	if !c.catchUp(ctx) {
		return false
	}
	return c.last != before || before == 0 || !c.over(ctx)
}

// catchUp yields the stored events after last, a page at a time, and
// reports whether to go on.
func (c *cursor) catchUp(ctx context.Context) bool {
	for {
		page, err := c.feed.store.Events(ctx, c.id, c.last, pageSize)
		if err != nil {
			c.yield(magi.Event{}, err)
			return false
		}
		for i := range page {
			if !c.next(page[i]) {
				return false
			}
		}
		if len(page) < pageSize {
			c.feed.hub.advance(c.id, c.last)
			return true
		}
	}
}

// over reports whether the deliberation has ended with no event after last
// (or the store failed, which it yields): a client resuming after the
// terminal event, or beyond the stored head of a finished deliberation,
// gets nothing more. Events stored since catchUp read are on their way
// through the subscription.
func (c *cursor) over(ctx context.Context) bool {
	rec, err := c.feed.store.Deliberation(ctx, c.id, "")
	if err != nil {
		c.yield(magi.Event{}, err)
		return true
	}
	return rec.Status != magi.StatusRunning && rec.LastSeq <= c.last
}

// live yields a live event, first reading from the store any it skips.
func (c *cursor) live(ctx context.Context, e magi.Event) bool {
	if e.Seq > c.last+1 && !c.catchUp(ctx) {
		return false
	}
	return c.next(e)
}

// next yields e if it is the one after last, skips it if already yielded,
// and reports whether to go on. A skipped terminal event still ends the
// stream: the client resumed after it.
func (c *cursor) next(e magi.Event) bool {
	switch {
	case e.Seq <= c.last:
		return !e.Terminal()
	case e.Seq > c.last+1:
		c.yield(magi.Event{}, magi.Errorf(magi.EINTERNAL, "feed: events %d to %d of %s are missing", c.last+1, e.Seq-1, c.id))
		return false
	}
	c.last = e.Seq
	return c.yield(e, nil) && !e.Terminal()
}
