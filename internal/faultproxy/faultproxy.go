// Package faultproxy puts a TCP proxy that injects network faults between
// MAGI and one of its dependencies (the model, PostgreSQL), inside the
// test's process. It is Shopify's toxiproxy (github.com/Shopify/toxiproxy/v2)
// used as a library, with no toxiproxy server and no HTTP API: each Proxy
// is a toxiproxy.Proxy whose toxics are added and removed in process.
//
//	p, err := faultproxy.Start("127.0.0.1:5432", seed)
//	heal, err := p.Inject(faultproxy.Fault{Kind: faultproxy.HalfOpen})
//	…
//	heal()
//
// Every random draw of its own toxics (the latency's jitter) comes from
// the seed given to Start; toxiproxy's own toxics are used at toxicity 1,
// so that they draw nothing.
package faultproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
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
	// Reset cuts each connection Fault.After its next bytes from the
	// dependency: mid-stream. A connection opened while the fault holds is
	// reset (TCP RST); one already open is closed.
	Reset Kind = "reset"
	// HalfOpen stops every byte in both directions without closing
	// anything: the dependency seems alive and says nothing.
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
	tp   *toxiproxy.Proxy
	rand *lockedRand

	mu       sync.Mutex
	n        int // toxics added so far, for their names
	refusing int // Refuse faults not yet healed
}

// Start starts a proxy to upstream (host:port) on a free port of
// 127.0.0.1. Its toxics draw from seed. Close stops it.
func Start(upstream string, seed uint64) (*Proxy, error) {
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	tp := toxiproxy.NewProxy(srv, "magi-"+upstream, "127.0.0.1:0", upstream)
	nop := zerolog.Nop()
	tp.Logger = &nop
	if err := tp.Start(); err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	return &Proxy{tp: tp, rand: newLockedRand(seed)}, nil
}

// Addr is where to connect instead of the upstream: 127.0.0.1:PORT.
func (p *Proxy) Addr() string { return p.tp.Listen }

// Close stops the proxy and closes every connection through it.
func (p *Proxy) Close() { p.tp.Stop() }

// Inject adds f to every connection through p, open or to come, until
// heal is called (heal may be called more than once).
func (p *Proxy) Inject(f Fault) (heal func(), err error) {
	if f.Kind == Refuse {
		return p.refuse(), nil
	}
	var names []string
	for _, t := range p.toxicsOf(f) {
		name, err := p.add(t)
		if err != nil {
			p.remove(names)
			return nil, fmt.Errorf("faultproxy: %s: %w", f, err)
		}
		names = append(names, name)
	}
	var once sync.Once
	return func() { once.Do(func() { p.remove(names) }) }, nil
}

// toxic is one toxiproxy toxic as its JSON wants it.
type toxic struct {
	Type       string `json:"type"`
	Stream     string `json:"stream"`
	Attributes any    `json:"attributes"`
}

// toxicsOf returns the toxics that make f.
func (p *Proxy) toxicsOf(f Fault) []toxic {
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	switch f.Kind {
	case Latency:
		a := func() map[string]any {
			return map[string]any{"latency": ms(f.Latency), "jitter": ms(f.Jitter), "seed": p.rand.uint64()}
		}
		return []toxic{{latencyType, "downstream", a()}, {latencyType, "upstream", a()}}
	case Bandwidth:
		return []toxic{{"bandwidth", "downstream", map[string]int64{"rate": max(f.Rate, 1)}}}
	case Reset:
		return []toxic{{"reset_peer", "downstream", map[string]int64{"timeout": ms(f.After)}}}
	case HalfOpen:
		a := map[string]int64{"timeout": 0}
		return []toxic{{"timeout", "downstream", a}, {"timeout", "upstream", a}}
	case SlowHeader:
		return []toxic{{slowHeaderType, "downstream", map[string]int64{"delay": ms(f.Delay)}}}
	}
	return nil
}

// add adds t under a new name and returns the name.
func (p *Proxy) add(t toxic) (string, error) {
	p.mu.Lock()
	p.n++
	name := fmt.Sprintf("%s_%s_%d", t.Type, t.Stream, p.n)
	p.mu.Unlock()
	body, err := json.Marshal(struct {
		toxic
		Name     string  `json:"name"`
		Toxicity float32 `json:"toxicity"`
	}{t, name, 1})
	if err != nil {
		return "", err
	}
	_, err = p.tp.Toxics.AddToxicJson(bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	return name, nil
}

func (p *Proxy) remove(names []string) {
	for _, name := range names {
		_ = p.tp.Toxics.RemoveToxic(context.Background(), name)
	}
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
