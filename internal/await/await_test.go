package await

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		n := 0
		if !Until(time.Second, func() bool { n++; return n == 5 }) {
			t.Fatal("Until gave up on a condition that held on the fifth ask")
		}
		if got, want := time.Since(start), 4*Interval; got != want {
			t.Errorf("the fifth ask came after %v, want %v", got, want)
		}
		start = time.Now()
		if Until(time.Second, func() bool { return false }) {
			t.Fatal("Until reported a condition that never held")
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("Until gave up after %v, want 1s", got)
		}
	})
}
