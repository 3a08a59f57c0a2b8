package feed

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// drain takes what s has and returns its seqs.
func drain(s *subscription) []int64 {
	xs, _ := s.take(nil)
	var seqs []int64
	for _, x := range xs {
		seqs = append(seqs, x.Event.Seq)
	}
	return seqs
}

// pub publishes the event of seq of id alone.
func pub(h *Hub, id string, seq int64) {
	h.publish(id, []magi.Encoded{{Event: magi.Event{DeliberationID: id, Seq: seq}}})
}

func TestHub_FanOut(t *testing.T) {
	h := NewHub(HubOptions{})
	a, b, other := h.sub("d1"), h.sub("d1"), h.sub("d2")
	if got := h.Subscriptions(); got != 3 {
		t.Fatalf("Subscriptions() = %d, want 3", got)
	}
	for i := int64(1); i <= 5; i++ {
		pub(h, "d1", i)
	}
	pub(h, "nobody", 1)
	for name, s := range map[string]*subscription{"a": a, "b": b} {
		select {
		case <-s.ready:
		default:
			t.Errorf("%s was not signalled", name)
		}
		if diff := cmp.Diff(seqRange(1, 5), drain(s)); diff != "" {
			t.Errorf("%s got (-want +got):\n%s", name, diff)
		}
	}
	if got := drain(other); len(got) != 0 {
		t.Errorf("subscriber of d2 got %v", got)
	}
	a.Close()
	a.Close()
	b.Close()
	other.Close()
	if got := h.Subscriptions(); got != 0 {
		t.Errorf("Subscriptions() after Close = %d, want 0", got)
	}
	if len(h.topics) != 0 {
		t.Errorf("topics left: %v", h.topics)
	}
}

func TestHub_DropsLaggingSubscriber(t *testing.T) {
	h := NewHub(HubOptions{Buffer: 3})
	slow, fast := h.sub("d"), h.sub("d")
	var fastGot []int64
	for i := int64(1); i <= 10; i++ {
		pub(h, "d", i)
		fastGot = append(fastGot, drain(fast)...)
	}
	if diff := cmp.Diff(seqRange(1, 10), fastGot); diff != "" {
		t.Errorf("fast subscriber (-want +got):\n%s", diff)
	}
	xs, lagged := slow.take(nil)
	if len(xs) != 0 || !lagged {
		t.Errorf("slow subscriber: %d events, lagged %v; want none (it catches up from the store), lagged", len(xs), lagged)
	}
	if _, lagged := fast.take(nil); lagged {
		t.Error("the fast subscriber is marked lagged")
	}
	if h.Dropped() != 1 || h.Subscriptions() != 1 {
		t.Errorf("Dropped() = %d, Subscriptions() = %d; want 1, 1", h.Dropped(), h.Subscriptions())
	}
	slow.Close() // after the drop: harmless
	fast.Close()
	if h.Subscriptions() != 0 {
		t.Errorf("Subscriptions() = %d, want 0", h.Subscriptions())
	}
}

func TestHub_IgnoresSeqAlreadyPublished(t *testing.T) {
	h := NewHub(HubOptions{})
	s := h.sub("d")
	defer s.Close()
	for _, seq := range []int64{1, 2, 2, 1, 3} {
		pub(h, "d", seq)
	}
	if diff := cmp.Diff([]int64{1, 2, 3}, drain(s)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestHub_FailureReachesLateSubscriber(t *testing.T) {
	h := NewHub(HubOptions{})
	h.addWriter("d")
	h.fail(magi.Encoded{Event: magi.Event{DeliberationID: "d", Seq: 4, Type: magi.EventError, Code: magi.ESTORE, Fatal: true}})
	h.removeWriter("d")
	s := h.sub("d")
	defer s.Close()
	if got := drain(s); !cmp.Equal(got, []int64{4}) {
		t.Errorf("late subscriber got %v, want the failure event [4]", got)
	}
}

func TestHub_Follow(t *testing.T) {
	h := NewHub(HubOptions{})
	if _, ok := h.follow("d"); ok {
		t.Error("follow without subscribers: ok")
	}
	s := h.sub("d")
	defer s.Close()
	pub(h, "d", 1)
	h.advance("d", 7)
	if after, ok := h.follow("d"); !ok || after != 7 {
		t.Errorf("follow = %d, %v; want 7, true", after, ok)
	}
	h.addWriter("d")
	if _, ok := h.follow("d"); ok {
		t.Error("follow with a local writer: ok")
	}
	h.removeWriter("d")
}
