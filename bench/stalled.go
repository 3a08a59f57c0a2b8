package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// stalledBlock is the size of the stalled figure's chunks: the largest a
// coalesced chunk gets (feed's maxMerged).
const stalledBlock = 16 << 10

// stalled measures what clients that stop reading cost the server. It
// stores a large deliberation (chunks of 16 KiB), then opens
// r.size.stalled raw connections on its event stream that send the
// request and never read a byte, and samples the server's resident memory
// until it has dropped them all or the window ends. Then it runs a live
// deliberation twice, alone and followed by as many stalled clients, and
// compares the two: a stalled client must not slow the deliberation.
func (r *run) stalled(ctx context.Context) error {
	sh := shape{Tokens: 3, Size: r.size.stalledAnswer, Block: stalledBlock}
	s := r.api.deliberate(ctx, sh.question("stalled stored"))
	if !s.ok() {
		return fmt.Errorf("%w: %v", errLost, s.Err)
	}
	before, _, err := r.srv.rss()
	if err != nil {
		return err
	}
	w, err := r.stall(ctx, s.ID, r.size.stalled)
	if err != nil {
		return err
	}
	r.add(Result{Figure: "stalled", ID: "stalled.rss", Label: "server RSS growth per stalled client", Unit: "KB",
		Value: float64(w.peak-before) / 1024 / float64(r.size.stalled), Measure: Plain, Target: "<= 1024",
		Note: fmt.Sprintf("%d clients that never read, on a stored %.0f MB answer in %d events; VmRSS %.0f MB before, peak %.0f MB",
			r.size.stalled, mb(int64(r.size.stalledAnswer)), s.Events, mb(before), mb(w.peak))})
	r.add(w.result("stalled.dropped", "stored"))
	return r.stalledLive(ctx, sh)
}

// stalledLive runs the live half of the stalled figure.
func (r *run) stalledLive(ctx context.Context, sh shape) error {
	sh.Gap = time.Millisecond
	alone := r.api.deliberate(ctx, sh.question("stalled alone"))
	if !alone.ok() {
		return fmt.Errorf("%w: %v", errLost, alone.Err)
	}
	id, err := r.api.start(ctx, sh.question("stalled live"))
	if err != nil {
		return err
	}
	began := time.Now()
	done := make(chan *stream, 1)
	go func() { done <- r.api.follow(ctx, id, nil) }()
	w, err := r.stall(ctx, id, r.size.stalled)
	if err != nil {
		return err
	}
	live := <-done
	if !live.ok() {
		return fmt.Errorf("%w: %v", errLost, live.Err)
	}
	r.add(Result{Figure: "stalled", ID: "stalled.live", Label: "deliberation followed by stalled clients ÷ alone",
		Unit: "ms", Value: ms(live.Took), Baseline: ms(alone.Took), Measure: Ratio, Target: "<= 1.1",
		Note: fmt.Sprintf("its own duration (duration_ms): a %.0f MB answer, with and without %d clients that never read", mb(int64(sh.Size)), r.size.stalled)})
	r.add(Result{Figure: "stalled", ID: "stalled.reader", Label: "a reader beside stalled clients ÷ alone",
		Unit: "ms", Value: ms(live.End.Sub(began)), Baseline: ms(alone.End.Sub(alone.Start)), Measure: Ratio,
		Note: "request to complete event, for one client that reads; the stalled clients share its CPU until their sockets fill"})
	r.add(w.result("stalled.dropped.live", "live"))
	return nil
}

// stallWatch is what stall saw.
type stallWatch struct {
	n      int
	peak   int64         // VmRSS, bytes
	took   time.Duration // until the server had dropped every client
	window time.Duration
	open   float64 // streams still open when the window ended
}

func (w stallWatch) result(id, what string) Result {
	res := Result{Figure: "stalled", ID: id, Label: "seconds until the server dropped every stalled client (" + what + ")",
		Unit: "s", Value: w.took.Seconds(), Measure: Plain, Target: "<= 15",
		Note: fmt.Sprintf("%d clients that never read", w.n)}
	if w.open > 0 {
		res.Note += fmt.Sprintf("; %.0f still open at the end of the %.0f s window", w.open, w.window.Seconds())
	}
	return res
}

// stall opens n connections on the event stream of id that send the
// request and never read, then samples the server's memory and its open
// streams until none is open (or the window ends); it closes the
// connections before it returns.
func (r *run) stall(ctx context.Context, id string, n int) (stallWatch, error) {
	w := stallWatch{n: n, window: r.size.stallWindow}
	u, err := url.Parse(r.srv.URL)
	if err != nil {
		return w, err
	}
	req := "GET /api/deliberations/" + id + "/events HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept: text/event-stream\r\n\r\n"
	d := net.Dialer{Control: smallReceiveBuffer}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := d.DialContext(ctx, "tcp", u.Host)
		if err != nil {
			return w, err
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, req); err != nil {
			return w, err
		}
	}
	began := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for opened := false; ; {
		now, hwm, err := r.srv.rss()
		if err != nil {
			return w, err
		}
		w.peak = max(w.peak, now, hwm)
		open, err := r.openStreams(ctx)
		if err != nil {
			return w, err
		}
		opened = opened || open > 0
		w.took, w.open = time.Since(began), open
		if (opened && open == 0) || w.took > w.window {
			return w, nil
		}
		select {
		case <-ctx.Done():
			return w, ctx.Err()
		case <-tick.C:
		}
	}
}

// openStreams reads magi_open_streams from the server's /metrics.
func (r *run) openStreams(ctx context.Context) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.srv.URL+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	res, err := r.api.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "magi_open_streams "); ok {
			var f float64
			_, err := fmt.Sscan(v, &f)
			return f, err
		}
	}
	return 0, fmt.Errorf("/metrics has no magi_open_streams")
}
