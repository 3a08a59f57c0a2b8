package feed

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCursor_PullsStoredThenLive drives a Cursor by hand, as the server
// does: stored events come from Next without waiting, then Next has
// nothing until a live event is received, and after the terminal event
// every call returns io.EOF. It starts no goroutine.
func TestCursor_PullsStoredThenLive(t *testing.T) {
	checkLeaks(t)
	ctx := context.Background()
	store, hub := newFakeStore(), NewHub(HubOptions{})
	w := openWriter(t, store, hub, "d")
	defer w.Close(ctx)
	const n = 5
	for i := 1; i <= 3; i++ {
		w.Emit(event(i, n))
	}
	waitStored(t, store, 3)

	c := NewFeed(store, hub).Open("d", 1)
	defer c.Close()
	var got []int64
	for {
		e, ok, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("Next: %v before the live events", err)
		}
		if !ok {
			break
		}
		got = append(got, e.Seq)
	}
	if diff := cmp.Diff([]int64{2, 3}, got); diff != "" {
		t.Fatalf("stored events (-want +got):\n%s", diff)
	}
	w.Emit(event(4, n))
	w.Emit(event(5, n))
	for len(got) < 4 {
		p, open := <-c.Live()
		c.Receive(p, open)
		for {
			e, ok, err := c.Next(ctx)
			if err != nil || !ok {
				break
			}
			got = append(got, e.Seq)
		}
	}
	if diff := cmp.Diff([]int64{2, 3, 4, 5}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	for range 2 {
		if _, ok, err := c.Next(ctx); ok || err != io.EOF {
			t.Errorf("Next after the terminal event = %v, %v; want io.EOF", ok, err)
		}
	}
	if c.Live() != nil {
		t.Error("Live after the end is not nil")
	}
}

// TestCursor_ResumeAfterEndIsEOF checks a Cursor opened after the terminal
// event of a finished deliberation ends at once, without waiting.
func TestCursor_ResumeAfterEndIsEOF(t *testing.T) {
	ctx := context.Background()
	store, hub := newFakeStore(), NewHub(HubOptions{})
	w := openWriter(t, store, hub, "d")
	for i := 1; i <= 3; i++ {
		w.Emit(event(i, 3))
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	c := NewFeed(store, hub).Open("d", 3)
	defer c.Close()
	if e, ok, err := c.Next(ctx); ok || err != io.EOF {
		t.Errorf("Next = %+v, %v, %v; want io.EOF", e, ok, err)
	}
}

// waitStored waits until n events of "d" are stored.
func waitStored(t *testing.T, store *fakeStore, n int) {
	t.Helper()
	for range 1000 {
		if len(store.stored("d")) >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("only %d events stored", len(store.stored("d")))
}
