// Package await lets a test wait for a condition that no event announces —
// a process answering on a port, a status changed by another process,
// goroutines ending after a connection closed — by asking again until it
// holds or a deadline passes. Where the code under test can tell the test
// (a channel, a callback) or runs under testing/synctest, wait on that
// instead.
package await

import "time"

// Interval is how often Until asks again.
const Interval = 10 * time.Millisecond

// Until reports whether cond holds, asking it again every Interval until
// it does or d has passed (then it asks a last time).
func Until(d time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(Interval)
	defer tick.Stop()
	for {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
			if cond() {
				return true
			}
		}
	}
}
