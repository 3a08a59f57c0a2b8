package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/magi-system/magi"
)

// scale opens many event streams on running deliberations, all held open
// at once by the model's gate, and reports how many got every event and
// the server's resident memory per stream.
func (r *run) scale(ctx context.Context) error {
	n, per := r.size.streams, r.size.perDelib
	ids, err := r.gatedDeliberations(ctx, n/per)
	defer r.model.gate.release()
	if err != nil {
		return err
	}
	before, _, err := r.srv.rss()
	if err != nil {
		return err
	}
	var opened atomic.Int64
	all := make(chan struct{})
	streams := make([]*stream, n)
	sem := make(chan struct{}, 128) // connections being set up at once
	var wg sync.WaitGroup
	began := time.Now()
	var settled atomic.Int64 // streams opened, or failed before opening
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			var once sync.Once
			settle := func(open bool) {
				once.Do(func() {
					<-sem
					if open {
						opened.Add(1)
					}
					if settled.Add(1) == int64(n) {
						close(all)
					}
				})
			}
			streams[i] = r.api.follow(ctx, ids[i/per], func() { settle(true) })
			settle(false)
		})
	}
	held := r.waitOpen(ctx, all, &opened, n)
	openTook := time.Since(began)
	time.Sleep(500 * time.Millisecond)
	after, _, err := r.srv.rss()
	r.model.gate.release()
	wg.Wait()
	if err != nil {
		return err
	}
	ok, first := countOK(streams)
	r.add(Result{Figure: "scale", ID: "scale.streams", Label: "open streams, every event delivered", Unit: "streams",
		Value: float64(ok), Baseline: float64(n), Measure: Plain, Target: ">= 10000",
		Note: fmt.Sprintf("%d deliberations × %d streams, %d open at once (opened in %.1fs), all held until the model resumed", n/per, per, held, openTook.Seconds())})
	r.add(Result{Figure: "scale", ID: "scale.rss", Label: "server RSS per open stream", Unit: "KB",
		Value: float64(after-before) / 1024 / float64(n), Measure: Plain, Target: "< 40",
		Note: fmt.Sprintf("VmRSS %.0f MB before, %.0f MB with %d streams open", mb(before), mb(after), n)})
	if ok != n {
		return fmt.Errorf("%w: %d of %d streams did not get every event; first: %v", errLost, n-ok, n, first)
	}
	return nil
}

// gatedDeliberations starts k deliberations whose sages stop after their
// first token until the gate opens, and waits until all are held.
func (r *run) gatedDeliberations(ctx context.Context, k int) ([]string, error) {
	r.model.gate.close()
	base := r.model.fake.Open()
	q := shape{Gap: time.Millisecond, Tokens: 4, Gate: true}.question("scale")
	ids := make([]string, k)
	for i := range ids {
		id, err := r.api.start(ctx, q)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	deadline := time.Now().Add(60 * time.Second)
	for r.model.fake.Open()-base < k*len(sages) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("only %d of %d model calls arrived within 60s", r.model.fake.Open()-base, k*len(sages))
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the first tokens land and the heap settle
	return ids, nil
}

// waitOpen waits until every stream has its headers or has failed, or
// 120 s, and returns how many are open.
func (r *run) waitOpen(ctx context.Context, all chan struct{}, opened *atomic.Int64, n int) int {
	select {
	case <-all:
	case <-time.After(120 * time.Second):
		r.logf("only %d of %d streams opened within 120s", opened.Load(), n)
	case <-ctx.Done():
	}
	return int(opened.Load())
}

// countOK counts the streams that got every event, and returns the first
// error of the others.
func countOK(streams []*stream) (int, error) {
	ok := 0
	var first error
	for _, s := range streams {
		if s != nil && s.ok() {
			ok++
		} else if first == nil && s != nil {
			first = s.Err
		}
	}
	return ok, first
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// throughput runs deliberations back to back from several clients with a
// zero-latency model, against the same calls made to the model directly.
func (r *run) throughput(ctx context.Context) error {
	q := shape{Tokens: 20}.question("throughput")
	n, k := r.size.deliberate, r.size.workers
	var failed atomic.Value
	base := drive(n, k, func() {
		g := make([]*direct, len(sages))
		together(len(sages), func(i int) { g[i] = r.api.ask(ctx, r.model.url, sages[i], q) })
		j := r.api.ask(ctx, r.model.url, magi.Solomon, q)
		for _, d := range append(g, j) {
			if d.Err != nil {
				failed.Store(d.Err)
			}
		}
	})
	through := drive(n, k, func() {
		if s := r.api.deliberate(ctx, q); !s.ok() {
			failed.Store(fmt.Errorf("%w: %v", errLost, s.Err))
		}
	})
	if err, _ := failed.Load().(error); err != nil {
		return err
	}
	r.add(Result{Figure: "throughput", ID: "throughput", Label: "deliberations per second, zero-latency model", Unit: "/s",
		Value: float64(n) / through.Seconds(), Baseline: float64(n) / base.Seconds(), Measure: Ratio,
		Note: fmt.Sprintf("%d deliberations, %d clients, every stream read to the end; baseline: the same 4 model calls each, made directly", n, k)})
	return nil
}

// drive runs fn n times from k goroutines and returns the wall time.
func drive(n, k int, fn func()) time.Duration {
	var next atomic.Int64
	began := time.Now()
	together(k, func(int) {
		for next.Add(1) <= int64(n) {
			fn()
		}
	})
	return time.Since(began)
}

// memory streams one very long answer and reports how much the server's
// resident memory grew at its peak, against the answer's size.
func (r *run) memory(ctx context.Context) error {
	size := r.size.answer
	before, _, err := r.srv.rss()
	if err != nil {
		return err
	}
	done := make(chan struct{})
	var s *stream
	go func() {
		defer close(done)
		s = r.api.deliberate(ctx, shape{Tokens: 3, Size: size}.question("memory"))
	}()
	peak := before
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for sampling := true; sampling; {
		select {
		case <-done:
			sampling = false
		case <-tick.C:
		}
		now, hwm, err := r.srv.rss()
		if err != nil {
			return err
		}
		peak = max(peak, now, hwm)
	}
	if !s.ok() {
		return fmt.Errorf("%w: %v", errLost, s.Err)
	}
	if s.Bytes < int64(size) {
		return errors.New("the long answer did not arrive whole")
	}
	r.add(Result{Figure: "memory", ID: "memory.peak", Label: "server RSS growth ÷ answer size", Unit: "MB",
		Value: mb(peak - before), Baseline: mb(int64(size)), Measure: Ratio, Target: "<= 1",
		Note: fmt.Sprintf("one %.0f MB answer in %d chunks, streamed and stored; VmRSS %.0f MB before, peak %.0f MB (VmHWM)", mb(int64(size)), s.Events, mb(before), mb(peak))})
	return nil
}
