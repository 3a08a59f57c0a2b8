// Package fakeconn counts the requests a fake model server answers, so
// that tests can see how many were made and wait until none is open (a
// cancelled call must close its upstream connection).
package fakeconn

import (
	"context"
	"sync"
	"time"
)

// Tracker counts requests. The zero value is ready; embed it in a fake.
type Tracker struct {
	mu   sync.Mutex
	n    int
	open int
}

// Begin records a request being answered and returns its 1-based number.
func (t *Tracker) Begin() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	t.open++
	return t.n
}

// End records that a request begun with Begin is over.
func (t *Tracker) End() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.open--
}

// Requests returns the number of requests received.
func (t *Tracker) Requests() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// WaitIdle returns once no request is being answered, or with ctx's error.
func (t *Tracker) WaitIdle(ctx context.Context) error {
	for {
		t.mu.Lock()
		open := t.open
		t.mu.Unlock()
		if open == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}
