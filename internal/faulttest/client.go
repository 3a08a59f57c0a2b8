package faulttest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/magi-system/magi"
)

// Clients make the requests of a test's clients: one transport, whose
// idle connections CloseIdle drops (so that MAGI's end of them closes too
// before its descriptors are counted).
type Clients struct {
	http *http.Client
}

// NewClients returns the clients of one test.
func NewClients() *Clients {
	return &Clients{http: &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 256}}}
}

// CloseIdle closes the idle connections to MAGI.
func (cs *Clients) CloseIdle() { cs.http.CloseIdleConnections() }

// Client reads one deliberation's event stream as a browser's EventSource
// does: when its connection is cut before the stream's end, it connects
// again with Last-Event-ID, until it reads a terminal event.
type Client struct {
	cs   *Clients
	base string
	// alts are the servers to try in turn when base does not answer
	// (base among them); empty: base only.
	alts []string
	// After is the Last-Event-ID it started from (0: the whole stream).
	After int64

	// Set by Run, read after it returned.
	id string
	// Got are the events read, in order, over every connection.
	Got []Got
	// Conns is the number of connections that answered 200.
	Conns int
	// Refused is set when the POST that was to start the deliberation
	// was answered with an error: nothing started.
	Refused *Refusal
	// Err says why the client stopped without the stream's end.
	Err error

	started  chan struct{}
	startOne sync.Once
	progress atomic.Int64 // the seq of the last event read
}

// Got is one event as a client read it.
type Got struct {
	Event magi.Event
	Data  string
}

// Refusal is an error answer to a request.
type Refusal struct {
	Status int
	Body   string
}

// Start returns a client that starts a deliberation of question with
// POST /api/deliberations (Accept: text/event-stream) on base.
func (cs *Clients) Start(base, question string) *Client {
	c := &Client{cs: cs, base: base, started: make(chan struct{})}
	c.id = "?" + question // not known until the first event
	return c
}

// Follow returns a client that reads deliberation id from base after seq
// after (GET …/events with Last-Event-ID).
func (cs *Clients) Follow(base, id string, after int64) *Client {
	c := &Client{cs: cs, base: base, id: id, After: after, started: make(chan struct{})}
	c.startOne.Do(func() { close(c.started) })
	return c
}

// Started is closed once the deliberation's id is known (or the start
// was refused, or failed).
func (c *Client) Started() <-chan struct{} { return c.started }

// ID is the deliberation's id, "" when it never started.
func (c *Client) ID() string {
	if strings.HasPrefix(c.id, "?") {
		return ""
	}
	return c.id
}

// Last is the seq of the last event read (After if none).
func (c *Client) Last() int64 {
	if len(c.Got) == 0 {
		return c.After
	}
	return c.Got[len(c.Got)-1].Event.Seq
}

// Progress is the seq of the last event read so far; safe while Run runs.
func (c *Client) Progress() int64 { return c.progress.Load() }

// End returns the terminal event the client read, if it did.
func (c *Client) End() (magi.Event, bool) {
	if !c.Ended() {
		return magi.Event{}, false
	}
	return c.Got[len(c.Got)-1].Event, true
}

// Ended reports whether the client read a terminal event.
func (c *Client) Ended() bool { return len(c.Got) > 0 && c.Got[len(c.Got)-1].Event.Terminal() }

// Run reads the stream to its end, reconnecting as needed, until ctx ends.
func (c *Client) Run(ctx context.Context) {
	defer c.startOne.Do(func() { close(c.started) })
	wait := 50 * time.Millisecond
	for first := true; !c.Ended() && c.Refused == nil; first = false {
		err := c.connect(ctx, first && c.ID() == "")
		switch {
		case c.Ended() || c.Refused != nil:
			return
		case ctx.Err() != nil:
			c.Err = fmt.Errorf("no end after %d events and %d connections: %w (last: %v)", len(c.Got), c.Conns, ctx.Err(), err)
			return
		case c.ID() == "":
			c.Err = fmt.Errorf("the start request failed: %w", err)
			return
		}
		if len(c.alts) > 1 { // behind a load balancer: the next server
			c.base = c.alts[(slices.Index(c.alts, c.base)+1)%len(c.alts)]
		}
		select { // the server is restarting or its store is down: back off
		case <-time.After(wait):
		case <-ctx.Done():
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// connect makes one request, POST (start) or GET, and reads its stream.
func (c *Client) connect(ctx context.Context, start bool) error {
	var req *http.Request
	if start {
		body := fmt.Sprintf(`{"question": %q}`, strings.TrimPrefix(c.id, "?"))
		req, _ = http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/deliberations", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/deliberations/"+c.id+"/events", nil)
		if last := c.Last(); last > 0 {
			req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
		}
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.cs.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if start {
			c.Refused = &Refusal{Status: resp.StatusCode, Body: string(b)}
		}
		return fmt.Errorf("%s: %d %s", req.URL.Path, resp.StatusCode, b)
	}
	c.Conns++
	return c.read(bufio.NewReader(resp.Body))
}

// read appends the events of one stream until its end or its cut.
func (c *Client) read(r *bufio.Reader) error {
	var data []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if err == io.EOF && len(data) > 0 {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		case line == "" && len(data) > 0:
			g := Got{Data: strings.Join(data, "\n")}
			data = data[:0]
			if err := json.Unmarshal([]byte(g.Data), &g.Event); err != nil {
				return fmt.Errorf("event %q: %w", g.Data, err)
			}
			if g.Event.Terminal() && g.Event.Seq == 0 && g.Event.Code == magi.ESHUTDOWN {
				return io.ErrUnexpectedEOF // "reconnect to resume"
			}
			c.Got = append(c.Got, g)
			c.progress.Store(g.Event.Seq)
			if c.ID() == "" && g.Event.DeliberationID != "" {
				c.id = g.Event.DeliberationID
				c.startOne.Do(func() { close(c.started) })
			}
			if g.Event.Terminal() {
				return nil
			}
		}
	}
}
