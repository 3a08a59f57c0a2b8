package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/magi-system/magi"
)

// direct is one streaming chat request sent by the bench straight to the
// fake model, as a baseline: what a client could get with no MAGI between.
type direct struct {
	Start, First, End time.Time
	Relay             []time.Duration
	Err               error
}

// systemOf names agent in a system prompt so the fake answers as it.
var systemOf = map[magi.AgentID]string{
	magi.Melchior: "You are MELCHIOR-1.", magi.Balthasar: "You are BALTHASAR-2.",
	magi.Casper: "You are CASPER-3.", magi.Solomon: "You are SOLOMON.",
}

// ask sends question to the fake model at modelURL (ending in /v1) as
// agent, streaming, and reads the whole answer.
func (c *client) ask(ctx context.Context, modelURL string, agent magi.AgentID, question string) *direct {
	d := &direct{Start: time.Now()}
	body, _ := json.Marshal(map[string]any{
		"model": "fake-model", "stream": true,
		"messages": []map[string]string{{"role": "system", "content": systemOf[agent]}, {"role": "user", "content": question}},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, modelURL+"/chat/completions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		d.Err = err
		return d
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		d.Err = fmt.Errorf("fake model: %s", res.Status)
		return d
	}
	d.Err = d.read(res.Body)
	return d
}

// read parses chat.completion.chunk events until [DONE].
func (d *direct) read(r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		now := time.Now()
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
			data = bytes.TrimSpace(data)
			if string(data) == "[DONE]" {
				d.End = now
				return nil
			}
			var c struct {
				Choices []struct {
					Delta struct {
						Content string `json:"content"`
					} `json:"delta"`
				} `json:"choices"`
			}
			if err := json.Unmarshal(data, &c); err != nil {
				return err
			}
			for _, ch := range c.Choices {
				if ch.Delta.Content == "" {
					continue
				}
				if d.First.IsZero() {
					d.First = now
				}
				for _, t := range stamps(ch.Delta.Content) {
					d.Relay = append(d.Relay, time.Duration(now.UnixNano()-t))
				}
			}
		}
		if err != nil {
			return fmt.Errorf("fake model stream ended without [DONE]: %w", err)
		}
	}
}
