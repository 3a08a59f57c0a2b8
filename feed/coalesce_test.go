package feed

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

func TestCoalesce(t *testing.T) {
	chunk := func(a magi.AgentID, s string) magi.Event {
		return magi.Event{Type: magi.EventChunk, Agent: a, Content: s}
	}
	verdict := func(a magi.AgentID) magi.Event { return magi.Event{Type: magi.EventVerdict, Agent: a} }
	m, b := magi.Melchior, magi.Balthasar
	tests := []struct {
		name    string
		in, out []magi.Event
	}{
		{"one event is left alone", []magi.Event{chunk(m, "a")}, []magi.Event{chunk(m, "a")}},
		{"interleaved agents merge per agent",
			[]magi.Event{chunk(m, "a"), chunk(b, "x"), chunk(m, "b"), chunk(b, "y"), chunk(m, "c")},
			[]magi.Event{chunk(m, "abc"), chunk(b, "xy")}},
		{"an agent's own event is a barrier for it only",
			[]magi.Event{chunk(m, "a"), chunk(b, "x"), verdict(m), chunk(m, "b"), chunk(b, "y")},
			[]magi.Event{chunk(m, "a"), chunk(b, "xy"), verdict(m), chunk(m, "b")}},
		{"a council event is a barrier for all",
			[]magi.Event{chunk(m, "a"), {Type: magi.EventComplete}, chunk(m, "b")},
			[]magi.Event{chunk(m, "a"), {Type: magi.EventComplete}, chunk(m, "b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.out, coalesce(tt.in)); diff != "" {
				t.Errorf("coalesce (-want +got):\n%s", diff)
			}
		})
	}
	big := strings.Repeat("x", maxMerged)
	if got := coalesce([]magi.Event{chunk(m, big), chunk(m, "y")}); len(got) != 2 {
		t.Errorf("merged past maxMerged: %d events", len(got))
	}
}

// A store that falls behind gets the queued chunks of an agent as one
// event; the text and its order are unchanged.
func TestWriter_CoalescesChunksWhileTheStoreIsBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		store.delay = 20 * time.Millisecond
		var want strings.Builder
		for i := range 200 {
			s := fmt.Sprintf("%d ", i)
			want.WriteString(s)
			w.Emit(magi.Event{Type: magi.EventChunk, Agent: magi.Melchior, Content: s})
		}
		if err := w.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		stored, _ := store.Events(t.Context(), "d", 0, 0)
		var got strings.Builder
		for i, e := range stored {
			if e.Seq != int64(i+1) {
				t.Fatalf("stored[%d] has seq %d", i, e.Seq)
			}
			got.WriteString(e.Content)
		}
		if got.String() != want.String() {
			t.Errorf("text = %q, want %q", got.String(), want.String())
		}
		if len(stored) >= 200 {
			t.Errorf("stored %d events for 200 chunks: nothing was coalesced while the store was behind", len(stored))
		}
	})
}
