package faultproxy

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/log"
)

// faultType is this package's toxic: the faults of a board, switched on
// and off while connections flow.
const faultType = "magi_fault"

func init() {
	// toxiproxy's toxics log through zerolog's global logger: keep the
	// tests' output to the tests.
	log.Logger = zerolog.Nop()
	toxics.Register(faultType, new(faultToxic))
}

// board holds the faults switched on for one proxy.
type board struct {
	id   string
	rand *lockedRand

	mu      sync.Mutex
	next    int
	faults  map[int]Fault
	changed chan struct{} // closed and replaced whenever faults change
}

func newBoard(id string, seed uint64) *board {
	return &board{id: id, rand: newLockedRand(seed), faults: map[int]Fault{}, changed: make(chan struct{})}
}

// on switches f on and returns its id for off.
func (b *board) on(f Fault) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	b.faults[b.next] = f
	b.changedLocked()
	return b.next
}

// off switches the fault id off.
func (b *board) off(id int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.faults, id)
	b.changedLocked()
}

func (b *board) changedLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// now returns the faults on, and a channel closed when they change.
func (b *board) now() ([]Fault, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fs := make([]Fault, 0, len(b.faults))
	for _, f := range b.faults {
		fs = append(fs, f)
	}
	return fs, b.changed
}

// faultToxic applies its board's faults to one direction of every
// connection: Down is the dependency's.
type faultToxic struct {
	Board string `json:"board"`
	Down  bool   `json:"down"`
}

// conn is the state of one connection in one direction.
type conn struct {
	// headerPassed: the first chunk went through; dropped: a half-open
	// fault dropped bytes of it.
	headerPassed, dropped bool
}

// NewState is the state of a new connection.
func (t *faultToxic) NewState() any { return new(conn) }

// GetBufferSize lets chunks queue while one is held.
func (t *faultToxic) GetBufferSize() int { return 1024 }

// Pipe passes every chunk through the faults on, until the connection
// ends or is cut.
func (t *faultToxic) Pipe(stub *toxics.ToxicStub) {
	v, ok := boards.Load(t.Board)
	if !ok {
		new(toxics.NoopToxic).Pipe(stub)
		return
	}
	b, st := v.(*board), stub.State.(*conn)
	for {
		faults, changed := b.now()
		if st.dropped && !has(faults, HalfOpen) {
			stub.Close() // what it carried is no longer whole
			return
		}
		select {
		case <-stub.Interrupt:
			return
		case <-changed:
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			if !t.pass(stub, st, b, c, faults) {
				return
			}
		}
	}
}

// pass applies faults to chunk c; false when the connection was cut or
// the toxic interrupted.
func (t *faultToxic) pass(stub *toxics.ToxicStub, st *conn, b *board, c *stream.StreamChunk, faults []Fault) bool {
	if has(faults, HalfOpen) {
		st.dropped = true
		return true
	}
	var delay time.Duration
	for _, f := range faults {
		switch {
		case f.Kind == Reset && t.Down:
			if wait(stub, f.After) {
				stub.Close()
			}
			return false
		case f.Kind == SlowHeader && t.Down && !st.headerPassed:
			delay += f.Delay
		case f.Kind == Latency:
			delay += f.Latency + b.rand.jitter(f.Jitter)
		case f.Kind == Bandwidth && t.Down:
			delay += time.Duration(len(c.Data)) * time.Second / time.Duration(max(f.Rate, 1)<<10)
		}
	}
	st.headerPassed = true
	interrupted := !wait(stub, delay-time.Since(c.Timestamp))
	select {
	case stub.Output <- c:
	case <-stub.Interrupt:
		stub.Output <- c // nothing is dropped
		return false
	}
	return !interrupted
}

// has reports whether a fault of kind is on.
func has(faults []Fault, kind Kind) bool {
	return slices.ContainsFunc(faults, func(f Fault) bool { return f.Kind == kind })
}

// wait waits d; false when the toxic was interrupted first.
func wait(stub *toxics.ToxicStub, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stub.Interrupt:
		return false
	}
}

// lockedRand is a seeded generator that the connections of a proxy share.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed uint64) *lockedRand {
	return &lockedRand{r: rand.New(rand.NewPCG(seed, seed^0x5eed))}
}

// jitter returns a duration in [-j, j].
func (l *lockedRand) jitter(j time.Duration) time.Duration {
	if j <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.r.Int64N(int64(2*j)+1)) - j
}
