package feed

import (
	"context"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// How many stored events a stream reads at a time: as many as make about
// pageBytes (judged by the page before; firstPage before any), between 1
// and maxPage. A stream holds one page at most, so that a stream whose
// client does not read holds little, however large the deliberation.
const (
	firstPage = 16
	maxPage   = 512
	pageBytes = 256 << 10
)

// Feed is the read side: it gives each reader the whole, ordered stream
// of a deliberation, stored events first, then live ones (Follow).
type Feed struct {
	store magi.Store
	hub   *Hub
	// mu serializes the handling of store notices.
	mu sync.Mutex
}

var _ magi.Follower = (*Feed)(nil)

// NewFeed returns a Feed that reads from store and follows hub.
func NewFeed(store magi.Store, hub *Hub) *Feed {
	return &Feed{store: store, hub: hub}
}

// Watch follows the events other processes write to a shared store: for
// each notice of an id that has subscribers here and no local writer, it
// reads the new events from the store once and publishes them to the Hub.
// It returns when ctx ends, with the Watcher's error.
func (f *Feed) Watch(ctx context.Context, w magi.Watcher) error {
	return w.Watch(ctx, func(id string, seq int64) { f.notice(ctx, id, seq) })
}

// Poll follows the events other processes write to a shared store that
// tells of none (SQLite): every interval, while deliberations that have
// subscribers here and no local writer exist, it asks p whether the store
// changed and, if so, how far each of them has got, and republishes what
// is new, as Watch does for a notice. It returns ctx's error when ctx
// ends; a failed poll is left to the next.
func (f *Feed) Poll(ctx context.Context, p magi.Poller, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	var ids []string
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if ids = f.hub.followed(ids[:0]); len(ids) == 0 {
			continue
		}
		if changed, err := p.Changed(ctx); err != nil || !changed {
			continue
		}
		heads, err := p.Heads(ctx, ids)
		if err != nil {
			continue
		}
		for id, seq := range heads {
			f.notice(ctx, id, seq)
		}
	}
}

// notice republishes the events of id up to seq that this process has not
// published yet. A failed read is left to the next notice; streams that
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
	encoded := make([]magi.Encoded, 0, len(events))
	for _, e := range events {
		x, err := magi.Encode(e)
		if err != nil {
			break
		}
		encoded = append(encoded, x)
	}
	f.hub.publish(id, encoded)
}
