package feed

import (
	"context"
	"fmt"
	"testing"

	"github.com/magi-system/magi"
)

// BenchmarkHubPublish measures the fan-out of one event to every
// subscriber of a deliberation, receiving included.
func BenchmarkHubPublish(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h := NewHub(HubOptions{})
			subs := make([]*subscription, n)
			for i := range subs {
				subs[i] = h.subscribe("d")
			}
			e := magi.Event{Type: magi.EventChunk, DeliberationID: "d", Agent: magi.Melchior, Content: "token"}
			b.ReportAllocs()
			for b.Loop() {
				e.Seq++
				h.Publish(e)
				if e.Seq%DefaultBuffer == 0 {
					for _, s := range subs {
						for range DefaultBuffer {
							<-s.C
						}
					}
				}
			}
			b.StopTimer()
			if h.Dropped() != 0 || h.Subscriptions() != n {
				b.Fatalf("dropped %d, %d subscriptions open; want 0, %d", h.Dropped(), h.Subscriptions(), n)
			}
			for _, s := range subs {
				s.Close()
			}
		})
	}
}

// BenchmarkWriterEmit measures journaling an event, from Emit to its
// publication, with a store that takes no time.
func BenchmarkWriterEmit(b *testing.B) {
	store, hub := newFakeStore(), NewHub(HubOptions{})
	store.Discard = true
	w := openWriter(b, store, hub, "d")
	e := magi.Event{Type: magi.EventChunk, Agent: magi.Melchior, Content: "token"}
	b.ReportAllocs()
	for b.Loop() {
		w.Emit(e)
	}
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/float64(store.appends.Load()), "events/append")
}
