package feed

import (
	"context"
	"fmt"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/inmem"
)

// BenchmarkHubPublish measures the fan-out of one event to every
// subscriber of a deliberation, taking included.
func BenchmarkHubPublish(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h := NewHub(HubOptions{})
			subs := make([]*subscription, n)
			for i := range subs {
				subs[i] = h.sub("d")
			}
			x, _ := magi.Encode(magi.Event{Type: magi.EventChunk, DeliberationID: "d", Agent: magi.Melchior, Content: "token"})
			var taken []*magi.Encoded
			b.ReportAllocs()
			for b.Loop() {
				x.Event.Seq++
				h.publish("d", []magi.Encoded{x})
				if x.Event.Seq%DefaultBuffer == 0 {
					for _, s := range subs {
						taken, _ = s.take(taken[:0])
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

// discarding is a store whose writes store nothing and take no time.
type discarding struct{ magi.Store }

func (discarding) Write(context.Context, magi.Batch) (magi.Refused, error) {
	return magi.Refused{}, nil
}

// BenchmarkWriterEmit measures journaling an event, from Emit to its
// publication (numbering and encoding included), with a store that takes
// no time.
func BenchmarkWriterEmit(b *testing.B) {
	store := &testStore{Store: discarding{inmem.New()}}
	hub := NewHub(HubOptions{})
	j := NewJournal(store, hub)
	defer j.Close()
	w, err := j.Open(context.Background(), magi.NewDeliberation{ID: "d"})
	if err != nil {
		b.Fatal(err)
	}
	e := magi.Event{Type: magi.EventChunk, Agent: magi.Melchior, Content: "token"}
	b.ReportAllocs()
	for b.Loop() {
		w.Emit(e)
	}
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/float64(store.writes.Load()), "events/write")
}
