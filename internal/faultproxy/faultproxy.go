// Package faultproxy puts a TCP proxy that injects network faults between
// MAGI and one of its dependencies (the model, PostgreSQL), inside the
// test's process. It is Shopify's toxiproxy (github.com/Shopify/toxiproxy/v2)
// used as a library, with no toxiproxy server and no HTTP API: each Proxy
// is a toxiproxy.Proxy, and its faults are toxics.
//
//	p, err := faultproxy.Start("127.0.0.1:5432", seed)
//	heal, err := p.Inject(faultproxy.Fault{Kind: faultproxy.HalfOpen})
//	…
//	heal()
//
// Toxics are never added to or removed from connections in use: in
// toxiproxy 2.5 removing one can deadlock the proxy when a connection
// died under it (Shopify/toxiproxy#558, #427). So each Proxy gets its
// toxics once, before any connection — one of this package's in each
// direction, which passes everything through until a fault is switched
// on, and toxiproxy's reset_peer at toxicity 0, which only makes every
// connection close with a TCP RST — and Inject switches faults on and off.
//
// Every random draw (the latency's jitter) comes from the seed given to
// Start.
package faultproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Kind names a fault.
type Kind string

// The faults a Proxy injects.
const (
	// Latency delays every chunk of data, in both directions, by
	// Fault.Latency ± Fault.Jitter.
	Latency Kind = "latency"
	// Bandwidth limits what the dependency sends to Fault.Rate KB/s.
	Bandwidth Kind = "bandwidth"
	// Reset cuts each connection (TCP RST) Fault.After its next bytes
	// from the dependency: mid-stream.
	Reset Kind = "reset"
	// HalfOpen stops every byte in both directions without closing
	// anything: the dependency seems alive and says nothing. When it is
	// healed, the connections whose bytes it dropped are cut (what they
	// carry is no longer whole).
	HalfOpen Kind = "half_open"
	// SlowHeader holds the first bytes the dependency sends on each
	// connection (a response's header) for Fault.Delay.
	SlowHeader Kind = "slow_header"
	// Refuse closes the proxy's listener and every connection through it:
	// new connections are refused until the fault is healed.
	Refuse Kind = "refuse"
)

// Kinds are all the faults, in a fixed order (for seeded choices).
var Kinds = []Kind{Latency, Bandwidth, Reset, HalfOpen, SlowHeader, Refuse}

// Fault is one fault and its parameters.
type Fault struct {
	Kind Kind
	// Latency and Jitter: Latency.
	Latency, Jitter time.Duration
	// Rate: Bandwidth, in KB/s.
	Rate int64
	// After: Reset.
	After time.Duration
	// Delay: SlowHeader.
	Delay time.Duration
}

// String describes f with its parameters, e.g. "latency 80ms±30ms".
func (f Fault) String() string {
	switch f.Kind {
	case Latency:
		return fmt.Sprintf("latency %v±%v", f.Latency, f.Jitter)
	case Bandwidth:
		return fmt.Sprintf("bandwidth %d KB/s", f.Rate)
	case Reset:
		return fmt.Sprintf("reset after %v", f.After)
	case SlowHeader:
		return fmt.Sprintf("slow header %v", f.Delay)
	}
	return string(f.Kind)
}

// Proxy forwards the connections made to Addr to its upstream, through the
// faults injected.
type Proxy struct {
	tp    *toxiproxy.Proxy
	board *board

	mu       sync.Mutex
	refusing int // Refuse faults not yet healed
}

// boards are the switchboards of the proxies, by id, for their toxics to
// find (toxiproxy makes each toxic from its JSON).
var (
	boards  sync.Map // string → *board
	boardID atomic.Int64
)

// Start starts a proxy to upstream (host:port) on a free port of
// 127.0.0.1. Its jitter draws from seed. Close stops it.
func Start(upstream string, seed uint64) (*Proxy, error) {
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	tp := toxiproxy.NewProxy(srv, "magi-"+upstream, "127.0.0.1:0", upstream)
	nop := zerolog.Nop()
	tp.Logger = &nop
	p := &Proxy{tp: tp, board: newBoard(fmt.Sprint(boardID.Add(1)), seed)}
	boards.Store(p.board.id, p.board)
	for _, t := range []struct {
		typ, stream string
		toxicity    float32
		attrs       any
	}{
		{"reset_peer", "downstream", 0, map[string]int64{"timeout": 0}}, // only for its RST on close
		{faultType, "downstream", 1, map[string]any{"board": p.board.id, "down": true}},
		{faultType, "upstream", 1, map[string]any{"board": p.board.id, "down": false}},
	} {
		body, _ := json.Marshal(map[string]any{"name": t.typ + "_" + t.stream, "type": t.typ, "stream": t.stream,
			"toxicity": t.toxicity, "attributes": t.attrs})
		if _, err := tp.Toxics.AddToxicJson(bytes.NewReader(body)); err != nil {
			return nil, fmt.Errorf("faultproxy: %w", err)
		}
	}
	if err := tp.Start(); err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	return p, nil
}

// Addr is where to connect instead of the upstream: 127.0.0.1:PORT.
func (p *Proxy) Addr() string { return p.tp.Listen }

// Close stops the proxy and closes every connection through it.
func (p *Proxy) Close() {
	p.tp.Stop()
	boards.Delete(p.board.id)
}

// Inject switches f on for every connection through p, open or to come,
// until heal is called (heal may be called more than once).
func (p *Proxy) Inject(f Fault) (heal func(), err error) {
	if f.Kind == Refuse {
		return p.refuse(), nil
	}
	switch f.Kind {
	case Latency, Bandwidth, Reset, HalfOpen, SlowHeader:
	default:
		return nil, fmt.Errorf("faultproxy: unknown fault %q", f.Kind)
	}
	id := p.board.on(f)
	var once sync.Once
	return func() { once.Do(func() { p.board.off(id) }) }, nil
}

// refuse stops the listener (closing every connection) until the last
// Refuse fault is healed.
func (p *Proxy) refuse() func() {
	p.mu.Lock()
	if p.refusing++; p.refusing == 1 {
		p.tp.Stop()
	}
	p.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.refusing--; p.refusing == 0 {
				_ = p.tp.Start() // on the same port: Listen holds it
			}
		})
	}
}
