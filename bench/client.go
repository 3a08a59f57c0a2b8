package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// client speaks to MAGI's HTTP API and to the fake model directly. One
// Transport with no per-host limit serves every stream.
type client struct {
	http *http.Client
	base string // MAGI, e.g. http://127.0.0.1:1234
}

func newClient(base string) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxConnsPerHost:     0,
		MaxIdleConns:        20000,
		MaxIdleConnsPerHost: 20000,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &client{http: &http.Client{Transport: tr}, base: base}
}

// close drops the idle connections.
func (c *client) close() { c.http.CloseIdleConnections() }

// event is the part of a MAGI event the bench reads.
type event struct {
	Type    string `json:"type"`
	ID      string `json:"deliberation_id"`
	Seq     int64  `json:"seq"`
	Agent   string `json:"agent"`
	Content string `json:"content"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Fatal   bool   `json:"fatal"`
	// DurationMS is the deliberation's own time, on its complete event.
	DurationMS int64 `json:"duration_ms"`
}

// stream is what a client saw of one event stream.
type stream struct {
	ID         string
	Start      time.Time // request sent
	Open       time.Time // response headers received
	FirstChunk time.Time
	// Round and Tally are when the last round event and the tally event
	// were received.
	Round, Tally time.Time
	End          time.Time // terminal event received
	// Took is the deliberation's own duration, from its complete event.
	Took     time.Duration
	Events   int
	Bytes    int64
	Last     int64 // seq of the last event
	Terminal string
	Relay    []time.Duration // receive time − emit stamp, per stamp
	Err      error
}

// ok reports whether every event arrived: seq 1…Last without a gap and a
// complete event at the end.
func (s *stream) ok() bool { return s.Err == nil && s.Terminal == "complete" }

// deliberate asks question with Accept: text/event-stream and reads the
// whole stream.
func (c *client) deliberate(ctx context.Context, question string) *stream {
	s := &stream{Start: time.Now()}
	body, _ := json.Marshal(map[string]string{"question": question})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/deliberations", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	c.read(req, s, nil)
	return s
}

// start asks question without streaming and returns the new id.
func (c *client) start(ctx context.Context, question string) (string, error) {
	body, _ := json.Marshal(map[string]string{"question": question})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/deliberations", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	if res.StatusCode != http.StatusAccepted {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return "", fmt.Errorf("POST /api/deliberations: %s: %s", res.Status, msg)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// follow reads the event stream of id from its first event; opened, when
// set, is called once the response headers have arrived.
func (c *client) follow(ctx context.Context, id string, opened func()) *stream {
	s := &stream{ID: id, Start: time.Now()}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/deliberations/"+id+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	c.read(req, s, opened)
	return s
}

// read sends req and reads its event stream into s.
func (c *client) read(req *http.Request, s *stream, opened func()) {
	res, err := c.http.Do(req)
	if err != nil {
		s.Err = err
		return
	}
	defer res.Body.Close()
	s.Open = time.Now()
	if opened != nil {
		opened()
	}
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		s.Err = fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, res.Status, strings.TrimSpace(string(msg)))
		return
	}
	s.Err = readEvents(res.Body, s)
}

// readEvents parses an SSE body into s, checking that seq goes 1, 2, 3 …
// and that the stream ends with a terminal event.
func readEvents(r io.Reader, s *stream) error {
	br := bufio.NewReaderSize(r, 8192)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Copy the slice before reading on: the next read reuses its buffer.
			head := append([]byte(nil), line...)
			rest, err2 := br.ReadBytes('\n')
			line, err = append(head, rest...), err2
		}
		now := time.Now()
		s.Bytes += int64(len(line))
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
			if done, perr := s.take(data, now); perr != nil || done {
				return perr
			}
		}
		if err == io.EOF {
			return fmt.Errorf("stream of %s ended after seq %d without a terminal event", s.ID, s.Last)
		} else if err != nil {
			return err
		}
	}
}

// take records one event; done reports the terminal event.
func (s *stream) take(data []byte, now time.Time) (done bool, err error) {
	var e event
	if err := json.Unmarshal(data, &e); err != nil {
		return true, fmt.Errorf("bad event: %v", err)
	}
	if e.Type == "error" && e.Fatal {
		s.Terminal, s.End = "error", now
		return true, fmt.Errorf("deliberation %s failed: %s: %s", e.ID, e.Code, e.Message)
	}
	if e.Seq != s.Last+1 {
		return true, fmt.Errorf("stream of %s: seq %d after %d: an event was lost or repeated", e.ID, e.Seq, s.Last)
	}
	s.ID, s.Last = e.ID, e.Seq
	s.Events++
	if e.Type == "chunk" {
		if s.FirstChunk.IsZero() && e.Content != "" {
			s.FirstChunk = now
		}
		for _, t := range stamps(e.Content) {
			s.Relay = append(s.Relay, time.Duration(now.UnixNano()-t))
		}
	}
	switch e.Type {
	case "round":
		s.Round = now
	case "tally":
		s.Tally = now
	case "complete":
		s.Terminal, s.End, s.Took = "complete", now, time.Duration(e.DurationMS)*time.Millisecond
		return true, nil
	}
	return false, nil
}
