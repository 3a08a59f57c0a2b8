package openai

import (
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

func TestStatusOfStreamError(t *testing.T) {
	for data, want := range map[string]int{
		`{"error":{"type":"server_error","message":"x"}}`:               503,
		`{"error":{"type":"requests","code":"rate_limit_exceeded"}}`:    429,
		`{"error":{"type":"invalid_request_error","code":null}}`:        400,
		`{"error":{"type":"authentication_error"}}`:                     401,
		`{"error":{"code":"model_not_found","type":"invalid_request"}}`: 404,
		`{"error":{"type":"weird"}}`:                                    0,
		`not json`:                                                      0,
	} {
		if got := statusOfStreamError([]byte(data)); got != want {
			t.Errorf("statusOfStreamError(%s) = %d, want %d", data, got, want)
		}
	}
}

// TestBody: the request body MAGI encodes asks for a stream with usage,
// names the token limit as each kind of server knows it, and keeps the
// prompt's text as written.
func TestBody(t *testing.T) {
	temp := 0.5
	req := magi.Request{Model: "m", System: "You are <MELCHIOR-1> & co.", Prompt: "Q?", Temperature: &temp, MaxTokens: 7}
	for _, c := range []struct {
		base, want string
	}{
		{DefaultBaseURL, `{"model":"m","messages":[{"role":"system","content":"You are <MELCHIOR-1> & co."},{"role":"user","content":"Q?"}],"stream":true,"stream_options":{"include_usage":true},"temperature":0.5,"max_completion_tokens":7}`},
		{"http://127.0.0.1:11434/v1", `{"model":"m","messages":[{"role":"system","content":"You are <MELCHIOR-1> & co."},{"role":"user","content":"Q?"}],"stream":true,"stream_options":{"include_usage":true},"temperature":0.5,"max_tokens":7}`},
	} {
		got, err := New(Config{BaseURL: c.base}).body(req)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(got)) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.base, got, c.want)
		}
	}
	got, _ := New(Config{}).body(magi.Request{Model: "m", Prompt: "Q?"})
	if want := `{"model":"m","messages":[{"role":"user","content":"Q?"}],"stream":true,"stream_options":{"include_usage":true}}`; strings.TrimSpace(string(got)) != want {
		t.Errorf("no system prompt, temperature or limit:\n got %s\nwant %s", got, want)
	}
}
