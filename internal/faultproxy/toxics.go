package faultproxy

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/log"
)

// The toxics this package adds to toxiproxy's: toxiproxy's latency draws
// its jitter from the global generator, which no seed reaches.
const (
	latencyType    = "magi_latency"
	slowHeaderType = "magi_slow_header"
)

func init() {
	// toxiproxy's toxics log through zerolog's global logger: keep the
	// tests' output to the tests.
	log.Logger = zerolog.Nop()
	toxics.Register(latencyType, new(latencyToxic))
	toxics.Register(slowHeaderType, new(slowHeaderToxic))
}

// lockedRand is a seeded generator that toxics of many connections share.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed uint64) *lockedRand {
	return &lockedRand{r: rand.New(rand.NewPCG(seed, seed^0x5eed))}
}

// uint64 draws a number.
func (l *lockedRand) uint64() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Uint64()
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

// latencyToxic passes every chunk on Latency ± Jitter (milliseconds) after
// it arrived, in order. The jitter of all its connections is drawn from
// one generator seeded with Seed.
type latencyToxic struct {
	Latency int64  `json:"latency"`
	Jitter  int64  `json:"jitter"`
	Seed    uint64 `json:"seed"`
	once    sync.Once
	rand    *lockedRand
}

// delay draws the delay of the next chunk.
func (t *latencyToxic) delay() time.Duration {
	t.once.Do(func() { t.rand = newLockedRand(t.Seed) })
	return time.Duration(t.Latency)*time.Millisecond + t.rand.jitter(time.Duration(t.Jitter)*time.Millisecond)
}

// GetBufferSize lets chunks queue while one waits.
func (t *latencyToxic) GetBufferSize() int { return 1024 }

// Pipe delays each chunk.
func (t *latencyToxic) Pipe(stub *toxics.ToxicStub) {
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			timer := time.NewTimer(t.delay() - time.Since(c.Timestamp))
			select {
			case <-timer.C:
				stub.Output <- c
			case <-stub.Interrupt:
				timer.Stop()
				stub.Output <- c // nothing is dropped
				return
			}
		}
	}
}

// slowHeaderToxic holds the first chunk of each connection for Delay
// milliseconds, then passes everything on.
type slowHeaderToxic struct {
	Delay int64 `json:"delay"`
}

// slowHeaderState is one connection's: whether its first chunk passed.
type slowHeaderState struct{ passed bool }

// NewState starts a connection with its first chunk to hold.
func (t *slowHeaderToxic) NewState() any { return new(slowHeaderState) }

// Pipe holds the first chunk.
func (t *slowHeaderToxic) Pipe(stub *toxics.ToxicStub) {
	st := stub.State.(*slowHeaderState)
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			if !st.passed {
				st.passed = true
				timer := time.NewTimer(time.Duration(t.Delay) * time.Millisecond)
				select {
				case <-timer.C:
				case <-stub.Interrupt:
					timer.Stop()
					stub.Output <- c
					return
				}
			}
			stub.Output <- c
		}
	}
}
