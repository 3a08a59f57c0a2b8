package fakellm_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
)

// chunk is the part of a chat.completion.chunk the tests read.
type chunk struct {
	Object  string `json:"object"`
	Choices []struct {
		Delta struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		Prompt     int `json:"prompt_tokens"`
		Completion int `json:"completion_tokens"`
	} `json:"usage"`
}

// post sends a chat request as the given agent.
func post(ctx context.Context, t *testing.T, url, system string, stream bool) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"model": "m1", "stream": stream, "stream_options": map[string]any{"include_usage": true},
		"messages": []any{map[string]any{"role": "system", "content": system}, map[string]any{"role": "user", "content": "Should we?"}},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/chat/completions", strings.NewReader(string(body)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// readEvents returns the data lines of an SSE body and the read error.
func readEvents(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			out = append(out, d)
		}
	}
	return out, sc.Err()
}

func TestServer_Streams(t *testing.T) {
	fake := fakellm.New(fakellm.Config{Words: 5})
	srv := httptest.NewServer(fake)
	defer srv.Close()

	res := post(t.Context(), t, srv.URL, "You are SOLOMON, the judge.", true)
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	events, err := readEvents(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if events[len(events)-1] != "[DONE]" {
		t.Fatalf("last event = %q, want [DONE]", events[len(events)-1])
	}
	var text strings.Builder
	var finish string
	var usage *chunk
	for i, e := range events[:len(events)-1] {
		var c chunk
		if err := json.Unmarshal([]byte(e), &c); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if c.Object != "chat.completion.chunk" {
			t.Errorf("event %d object = %q", i, c.Object)
		}
		if i == 0 && (len(c.Choices) != 1 || c.Choices[0].Delta.Role != "assistant") {
			t.Errorf("first chunk has no assistant role: %s", e)
		}
		if c.Usage != nil {
			usage = &c
			continue
		}
		text.WriteString(c.Choices[0].Delta.Content)
		if fr := c.Choices[0].FinishReason; fr != nil {
			finish = *fr
		}
	}
	want := fakellm.DefaultText(magi.Solomon, 5, "APPROVED")
	if diff := cmp.Diff(want, text.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	if !strings.Contains(want, `"scores"`) {
		t.Errorf("SOLOMON's default answer has no scores: %s", want)
	}
	if finish != "stop" {
		t.Errorf("finish_reason = %q, want stop", finish)
	}
	if usage == nil || len(usage.Choices) != 0 || usage.Usage.Completion != len(fakellm.Split(want)) {
		t.Errorf("usage chunk = %+v", usage)
	}
	if err := fake.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Request.Agent != magi.Solomon || calls[0].Outcome != fakellm.Completed {
		t.Errorf("calls = %+v", calls)
	}
}

func TestServer_NonStreaming(t *testing.T) {
	srv := httptest.NewServer(fakellm.New(fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Text: "just this"}
	}}))
	defer srv.Close()
	res := post(t.Context(), t, srv.URL, "", false)
	defer res.Body.Close()
	var got struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Choices[0].Message.Content != "just this" {
		t.Errorf("got %+v", got)
	}
}

func TestServer_ErrorStatus(t *testing.T) {
	srv := httptest.NewServer(fakellm.New(fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Status: 429, RetryAfter: 3 * time.Second, Message: "slow down"}
	}}))
	defer srv.Close()
	res := post(t.Context(), t, srv.URL, "", true)
	defer res.Body.Close()
	var body struct {
		Error struct{ Message, Type string } `json:"error"`
	}
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "3" || body.Error.Message != "slow down" || body.Error.Type != "rate_limit_error" {
		t.Errorf("status %d, Retry-After %q, body %+v", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
}

func TestServer_Cut(t *testing.T) {
	fake := fakellm.New(fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Tokens: []string{"a", "b", "c"}, Cut: true, CutAfter: 2}
	}})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	res := post(t.Context(), t, srv.URL, "", true)
	defer res.Body.Close()
	events, err := readEvents(res.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error = %v, want unexpected EOF", err)
	}
	if len(events) != 3 { // role chunk and two tokens
		t.Errorf("events = %q", events)
	}
	if err := fake.WaitIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if c := fake.Calls(); len(c) != 1 || c[0].Outcome != fakellm.Cut || c[0].Tokens != 2 {
		t.Errorf("calls = %+v", c)
	}
}

func TestServer_HangUntilClientGoes(t *testing.T) {
	fake := fakellm.New(fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Tokens: []string{"a", "b"}, Hang: true, HangAfter: 1}
	}})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	res := post(ctx, t, srv.URL, "", true)
	defer res.Body.Close()
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: ") {
		t.Fatalf("first line %q, %v", line, err)
	}
	if fake.Open() != 1 {
		t.Fatalf("Open = %d, want 1", fake.Open())
	}
	cancel()
	wait, stop := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer stop()
	if err := fake.WaitIdle(wait); err != nil {
		t.Fatalf("upstream still open 100ms after cancel: %v", err)
	}
	if c := fake.Calls(); c[0].Outcome != fakellm.ClientGone {
		t.Errorf("outcome = %s, want client_gone", c[0].Outcome)
	}
}

func TestServer_StreamError(t *testing.T) {
	srv := httptest.NewServer(fakellm.New(fakellm.Config{Script: func(fakellm.Request) fakellm.Reply {
		return fakellm.Reply{Tokens: []string{"a", "b"}, StreamError: "overloaded", ErrorAfter: 1}
	}}))
	defer srv.Close()
	res := post(t.Context(), t, srv.URL, "", true)
	defer res.Body.Close()
	events, _ := readEvents(res.Body)
	if len(events) != 3 || !strings.Contains(events[2], `"error"`) {
		t.Errorf("events = %q", events)
	}
}

func TestServer_FailureRateAndAuth(t *testing.T) {
	srv := httptest.NewServer(fakellm.New(fakellm.Config{FailureRate: 1}))
	defer srv.Close()
	res := post(t.Context(), t, srv.URL, "", true)
	res.Body.Close()
	if res.StatusCode != 500 {
		t.Errorf("status = %d, want 500", res.StatusCode)
	}
	auth := httptest.NewServer(fakellm.New(fakellm.Config{APIKey: "sk-right"}))
	defer auth.Close()
	res = post(t.Context(), t, auth.URL, "", true)
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("status without key = %d, want 401", res.StatusCode)
	}
}

func TestServer_Models(t *testing.T) {
	fake := fakellm.New(fakellm.Config{Models: []string{"a", "b"}})
	url, stop, err := fake.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	res, err := http.Get(url + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list struct {
		Object string
		Data   []struct{ ID string }
	}
	_ = json.NewDecoder(res.Body).Decode(&list)
	if list.Object != "list" || len(list.Data) != 2 || list.Data[1].ID != "b" {
		t.Errorf("list = %+v", list)
	}
}

func TestDetectAgent(t *testing.T) {
	for system, want := range map[string]magi.AgentID{
		"You are MELCHIOR-1, the scientist.":            magi.Melchior,
		"You are BALTHASAR-2.":                          magi.Balthasar,
		"You are CASPER-3, unlike MELCHIOR-1.":          magi.Casper,
		"You are SOLOMON. Judge MELCHIOR-1 and others.": magi.Solomon,
		"You are a helpful assistant.":                  "",
	} {
		if got := fakellm.DetectAgent(system); got != want {
			t.Errorf("DetectAgent(%q) = %q, want %q", system, got, want)
		}
	}
	for _, a := range magi.DefaultAgents() {
		if got := fakellm.DetectAgent(a.Persona); got != a.ID {
			t.Errorf("default persona of %s detected as %q", a.ID, got)
		}
	}
}
