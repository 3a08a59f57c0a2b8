package feed

import (
	"io"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// TestCursor_PullsStoredThenLive drives a stream by hand, as the server
// does: stored events come from Next without waiting, then Next has
// nothing until Ready is signalled, and after the terminal event every
// call returns io.EOF. It starts no goroutine.
func TestCursor_PullsStoredThenLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		defer w.Close(ctx)
		const n = 5
		for i := 1; i <= 3; i++ {
			w.Emit(event(i, n))
		}
		synctest.Wait() // stored

		s := NewFeed(store, hub).Follow("d", 1)
		defer s.Close()
		var got []int64
		for {
			x, ok, err := s.Next(ctx)
			if err != nil {
				t.Fatalf("Next: %v before the live events", err)
			}
			if !ok {
				break
			}
			got = append(got, x.Event.Seq)
		}
		if diff := cmp.Diff([]int64{2, 3}, got); diff != "" {
			t.Fatalf("stored events (-want +got):\n%s", diff)
		}
		w.Emit(event(4, n))
		w.Emit(event(5, n))
		for len(got) < 4 {
			<-s.Ready()
			for {
				x, ok, err := s.Next(ctx)
				if err != nil || !ok {
					break
				}
				got = append(got, x.Event.Seq)
			}
		}
		if diff := cmp.Diff([]int64{2, 3, 4, 5}, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		for range 2 {
			if _, ok, err := s.Next(ctx); ok || err != io.EOF {
				t.Errorf("Next after the terminal event = %v, %v; want io.EOF", ok, err)
			}
		}
		if s.Ready() != nil {
			t.Error("Ready after the end is not nil")
		}
	})
}

// TestCursor_ResumeAfterEndIsEOF checks a stream opened after the
// terminal event of a finished deliberation ends at once, without waiting.
func TestCursor_ResumeAfterEndIsEOF(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		for i := 1; i <= 3; i++ {
			w.Emit(event(i, 3))
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		s := NewFeed(store, hub).Follow("d", 3)
		defer s.Close()
		if x, ok, err := s.Next(ctx); ok || err != io.EOF {
			t.Errorf("Next = %+v, %v, %v; want io.EOF", x, ok, err)
		}
	})
}
