package fakeconn

import (
	"context"
	"testing"
	"time"
)

func TestTracker(t *testing.T) {
	var tr Tracker
	if n := tr.Begin(); n != 1 {
		t.Fatalf("first Begin = %d", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := tr.WaitIdle(ctx); err == nil {
		t.Error("WaitIdle returned while a request was open")
	}
	tr.End()
	if err := tr.WaitIdle(context.Background()); err != nil || tr.Requests() != 1 {
		t.Errorf("WaitIdle = %v, Requests = %d; want idle after 1", err, tr.Requests())
	}
}
