package feed

import (
	"context"
	"io"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/magi-system/magi"
)

// storeChunks stores deliberation id: a start, n chunks of size bytes, a
// complete.
func storeChunks(t *testing.T, store magi.Store, hub *Hub, id string, n, size int) {
	t.Helper()
	w := openWriter(t, store, hub, id)
	w.Emit(magi.Event{Type: magi.EventStart, Question: "q"})
	text := strings.Repeat("x", size)
	agents := []magi.AgentID{magi.Melchior, magi.Balthasar}
	for i := range n { // alternating agents: no two chunks merge
		w.Emit(magi.Event{Type: magi.EventChunk, Agent: agents[i%2], Content: text})
	}
	w.Emit(magi.Event{Type: magi.EventComplete, Outcome: &magi.Outcome{Decision: magi.Approved}})
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// held is the text of the stored events a cursor holds, read and not yet
// returned.
func held(c *cursor) int {
	n := 0
	for _, e := range c.page {
		n += len(e.Content)
	}
	return n
}

// readAll drives s to its end and returns how many events it gave and the
// most text its cursor held at once.
func readAll(t *testing.T, s magi.Stream) (events, most int) {
	t.Helper()
	c := s.(*cursor)
	for {
		_, ok, err := s.Next(context.Background())
		most = max(most, held(c))
		switch {
		case err == io.EOF:
			return events, most
		case err != nil:
			t.Fatal(err)
		case !ok:
			t.Fatal("a finished deliberation's stream waits")
		}
		events++
	}
}

// TestCursor_PageBoundedByBytes: a stream of a long stored deliberation
// holds at most pageBytes of its events at once, however large they are,
// and still reads small events maxPage at a time.
func TestCursor_PageBoundedByBytes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		storeChunks(t, store, hub, "big", 600, 16<<10)
		w := openWriter(t, store, hub, "small")
		for i := 1; i <= 3002; i++ {
			w.Emit(event(i, 3002))
		}
		if err := w.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		feed := NewFeed(store, hub)

		events, most := readAll(t, feed.Follow("big", 0))
		if events != 602 || most > pageBytes {
			t.Errorf("16 KiB chunks: %d events, up to %d KiB held at once; want 602, at most %d KiB", events, most>>10, pageBytes>>10)
		}
		before := store.reads.Load()
		if events, _ := readAll(t, feed.Follow("small", 0)); events != 3002 {
			t.Errorf("small events: %d events, want 3002", events)
		}
		if reads := store.reads.Load() - before; reads > 3002/maxPage+3 {
			t.Errorf("small events: %d reads of the store, want at most %d", reads, 3002/maxPage+3)
		}
	})
}

// TestHub_LaggingSubscriberReleasesItsEvents: a subscriber dropped for
// falling behind holds none of the events it did not take: it catches up
// from the store.
func TestHub_LaggingSubscriberReleasesItsEvents(t *testing.T) {
	h := NewHub(HubOptions{Buffer: 3})
	s := h.sub("d")
	defer s.Close()
	for i := int64(1); i <= 4; i++ {
		pub(h, "d", i)
	}
	s.mu.Lock()
	kept := len(s.buf)
	s.mu.Unlock()
	if xs, lagged := s.take(nil); kept != 0 || len(xs) != 0 || !lagged {
		t.Errorf("dropped subscriber holds %d events, takes %d, lagged %v; want 0, 0, lagged", kept, len(xs), lagged)
	}
}

// TestHub_BufferBoundedByBytes: a subscriber is dropped once the events
// it has not taken pass BufferBytes, however few; one that keeps up takes
// any batch, even one larger than that.
func TestHub_BufferBoundedByBytes(t *testing.T) {
	h := NewHub(HubOptions{BufferBytes: 1 << 20})
	slow, fast := h.sub("d"), h.sub("d")
	defer slow.Close()
	defer fast.Close()
	big := func(seq int64) magi.Encoded {
		return magi.Encoded{Event: magi.Event{DeliberationID: "d", Seq: seq}, JSON: make([]byte, 16<<10)}
	}
	var batch []magi.Encoded
	for seq := int64(1); seq <= 80; seq++ { // 1.25 MiB in one batch
		batch = append(batch, big(seq))
	}
	h.publish("d", batch)
	if xs, lagged := fast.take(nil); len(xs) != 80 || lagged {
		t.Errorf("one batch of 1.25 MiB: took %d, lagged %v; want 80, not lagged", len(xs), lagged)
	}
	for seq := int64(81); seq <= 100; seq++ { // 20 × 16 KiB more, one at a time
		h.publish("d", []magi.Encoded{big(seq)})
		fast.take(nil)
	}
	if _, lagged := slow.take(nil); !lagged {
		t.Errorf("a subscriber %d KiB behind is not dropped", (100*16<<10)>>10)
	}
	if _, lagged := fast.take(nil); lagged {
		t.Error("a subscriber that keeps up was dropped")
	}
}
