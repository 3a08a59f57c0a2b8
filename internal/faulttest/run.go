package faulttest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/magi-system/magi/internal/faultproxy"
)

// Step is one fault of a run: applied At after the run starts, healed
// For later.
type Step struct {
	At, For time.Duration
	// Name says what it is, for logs: "model: latency 80ms±30ms".
	Name string
	// Apply injects the fault and returns what heals it.
	Apply func() (heal func(), err error)
	// During, when set, runs once the fault is applied (it checks what
	// the fault should cause); the fault is healed once it returned and
	// For has passed.
	During func(ctx context.Context)
}

// String is "Name at At for For".
func (s Step) String() string { return fmt.Sprintf("%s at %v for %v", s.Name, s.At, s.For) }

// ProxyStep is a step that injects f into p, named target.
func ProxyStep(target string, p *faultproxy.Proxy, f faultproxy.Fault, at, dur time.Duration) Step {
	return Step{At: at, For: dur, Name: target + ": " + f.String(), Apply: func() (func(), error) { return p.Inject(f) }}
}

// RandomFault draws a fault of kind and its parameters: mild enough that
// a dependency that only slows down lets a deliberation finish.
func RandomFault(r *Rand, kind faultproxy.Kind) faultproxy.Fault {
	f := faultproxy.Fault{Kind: kind}
	switch kind {
	case faultproxy.Latency:
		f.Latency = r.Duration(5*time.Millisecond, 150*time.Millisecond)
		f.Jitter = r.Duration(0, f.Latency/2)
	case faultproxy.Bandwidth:
		f.Rate = 1 + r.Int64N(16)
	case faultproxy.Reset:
		f.After = r.Duration(0, 300*time.Millisecond)
	case faultproxy.SlowHeader:
		f.Delay = r.Duration(200*time.Millisecond, 3*time.Second)
	}
	return f
}

// Schedule applies steps, each at its time from now, and heals each after
// its duration. wait blocks until every step is healed and returns the
// first error of an Apply.
func Schedule(ctx context.Context, steps []Step) (wait func() error) {
	var wg sync.WaitGroup
	errs := make(chan error, len(steps))
	began := time.Now()
	for _, s := range steps {
		wg.Go(func() {
			if !sleepUntil(ctx, began.Add(s.At)) {
				return
			}
			heal, err := s.Apply()
			if err != nil {
				errs <- fmt.Errorf("%s: %w", s, err)
				return
			}
			until := time.Now().Add(s.For)
			if s.During != nil {
				s.During(ctx)
			}
			sleepUntil(ctx, until)
			heal()
		})
	}
	return func() error {
		wg.Wait()
		close(errs)
		return <-errs
	}
}

// sleepUntil waits until t, or ctx's end (false).
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Load is the work of one run: Deliberations started at once, each read
// by its starter and by Watchers more clients joining at random moments,
// half of them resuming from a random event.
type Load struct {
	Deliberations, Watchers int
	// Question prefixes each question.
	Question string
	// Join is the latest a watcher joins after its deliberation started.
	Join time.Duration
}

// Drive runs load on base and returns every client once each has read
// its stream's end, or ctx has ended. Every random choice comes from r.
func Drive(ctx context.Context, cs *Clients, base string, r *Rand, load Load) []*Client {
	return Begin(ctx, cs, []string{base}, r, load).Wait()
}

// Driving is a load under way (Begin).
type Driving struct {
	mu       sync.Mutex
	clients  []*Client
	starters []*Client
	wg       sync.WaitGroup
}

// Begin starts load on the first of bases (the others are where clients
// go when it stops answering, as behind a load balancer), and returns at
// once. Every random choice comes from r.
func Begin(ctx context.Context, cs *Clients, bases []string, r *Rand, load Load) *Driving {
	d := &Driving{}
	for i := range load.Deliberations {
		starter := cs.Start(bases[0], fmt.Sprintf("%s %d: should we ship it?", load.Question, i))
		starter.alts = bases
		d.starters = append(d.starters, starter)
		d.add(ctx, starter)
		type join struct {
			wait   time.Duration
			resume bool
			frac   float64
			base   int
		}
		joins := make([]join, load.Watchers)
		for k := range joins { // drawn now, in order: the draws do not depend on timing
			joins[k] = join{r.Duration(0, load.Join), r.IntN(2) == 0, r.Float64(), r.IntN(len(bases))}
		}
		d.wg.Go(func() {
			select {
			case <-starter.Started():
			case <-ctx.Done():
				return
			}
			id := starter.ID()
			if id == "" {
				return
			}
			for _, j := range joins {
				if !sleepUntil(ctx, time.Now().Add(j.wait)) {
					return
				}
				after := int64(0)
				if j.resume {
					after = int64(j.frac * float64(starter.Progress()))
				}
				w := cs.Follow(bases[j.base], id, after)
				w.alts = slices.Concat(bases[j.base:], bases[:j.base])
				d.add(ctx, w)
			}
		})
	}
	return d
}

func (d *Driving) add(ctx context.Context, c *Client) {
	d.mu.Lock()
	d.clients = append(d.clients, c)
	d.mu.Unlock()
	d.wg.Go(func() { c.Run(ctx) })
}

// Started waits until every deliberation has started (its starter knows
// its id) or failed to, or ctx ends.
func (d *Driving) Started(ctx context.Context) {
	for _, s := range d.starters {
		select {
		case <-s.Started():
		case <-ctx.Done():
			return
		}
	}
}

// Wait waits for every client to end and returns them all.
func (d *Driving) Wait() []*Client {
	d.wg.Wait()
	return d.clients
}
