package feed

import (
	"context"
	"io"
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
		c := f.Open(id, after)
		defer c.Close()
		for {
			e, ok, err := c.Next(ctx)
			switch {
			case ok:
				if !yield(e, nil) {
					return
				}
				continue
			case err == io.EOF:
				return
			case err != nil:
				yield(magi.Event{}, err)
				return
			}
			select {
			case p, open := <-c.Live():
				c.Receive(p, open)
			case <-ctx.Done():
				yield(magi.Event{}, ctx.Err())
				return
			}
		}
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
