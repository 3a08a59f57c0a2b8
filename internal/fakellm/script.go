package fakellm

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/magi-system/magi"
)

// Request is a parsed chat request, as a Script sees it.
type Request struct {
	// N is the 1-based number of the request at this server.
	N        int
	Model    string
	Messages []Message
	// System and User are the contents of the system and user messages.
	System string
	User   string
	// Agent is the MAGI agent that asked, detected from the system prompt;
	// empty when none is recognised.
	Agent        magi.AgentID
	Stream       bool
	IncludeUsage bool
	Temperature  *float64
	MaxTokens    int
	// Traceparent is the request's W3C trace context header, if any.
	Traceparent string
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Reply is what the fake does with one request. The zero Reply sends the
// default answer.
type Reply struct {
	// Status, when not 0 or 200, refuses the request before streaming with
	// an OpenAI-style JSON error body.
	Status int
	// Message is the error message for Status.
	Message string
	// Body, when set, replaces the JSON error body for Status (for servers
	// that answer errors in plain text).
	Body string
	// RetryAfter sets the Retry-After header (whole seconds) for Status.
	RetryAfter time.Duration
	// Tokens are the content deltas to stream. When nil, Text is split
	// into words; when both are empty, the default answer is sent.
	Tokens []string
	Text   string
	// Cut drops the connection after CutAfter tokens, without a finish
	// chunk or [DONE].
	Cut      bool
	CutAfter int
	// Hang stops answering after HangAfter tokens until the client goes
	// away. With HangAfter 0 not even the response headers are sent.
	Hang      bool
	HangAfter int
	// StreamError sends an error event with this message after
	// ErrorAfter tokens instead of finishing.
	StreamError string
	ErrorAfter  int
	// TTFT and Gap override the Config's when not 0.
	TTFT, Gap time.Duration
	// Usage overrides the counted token usage.
	Usage *magi.Usage
	// FinishReason is "stop" when empty.
	FinishReason string
}

// chatBody is the part of a chat-completions request body the fake reads.
type chatBody struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Temperature         *float64 `json:"temperature"`
	MaxTokens           int      `json:"max_tokens"`
	MaxCompletionTokens int      `json:"max_completion_tokens"`
}

// parseRequest decodes a chat request body.
func parseRequest(n int, data []byte) (Request, error) {
	var b chatBody
	if err := json.Unmarshal(data, &b); err != nil {
		return Request{}, err
	}
	req := Request{N: n, Model: b.Model, Stream: b.Stream, Temperature: b.Temperature, MaxTokens: b.MaxTokens}
	if b.MaxCompletionTokens > 0 {
		req.MaxTokens = b.MaxCompletionTokens
	}
	req.IncludeUsage = b.StreamOptions != nil && b.StreamOptions.IncludeUsage
	for _, m := range b.Messages {
		msg := Message{Role: m.Role, Content: contentText(m.Content)}
		req.Messages = append(req.Messages, msg)
		switch m.Role {
		case "system", "developer":
			req.System += msg.Content
		case "user":
			req.User += msg.Content
		}
	}
	req.Agent = DetectAgent(req.System)
	return req, nil
}

// contentText reads a message content given as a string or as an array of
// text parts.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &parts)
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// agentNames are the names DetectAgent looks for.
var agentNames = []struct {
	name string
	id   magi.AgentID
}{{"MELCHIOR-1", magi.Melchior}, {"BALTHASAR-2", magi.Balthasar}, {"CASPER-3", magi.Casper}, {"SOLOMON", magi.Solomon}}

// DetectAgent returns the agent whose name appears first in a system
// prompt, or "" when none does.
func DetectAgent(system string) magi.AgentID {
	best, at := magi.AgentID(""), len(system)+1
	for _, a := range agentNames {
		if i := strings.Index(system, a.name); i >= 0 && i < at {
			best, at = a.id, i
		}
	}
	return best
}

// vocabulary feeds the default answer.
var vocabulary = strings.Fields(`the proposal weighs evidence cost and risk against what people need
data suggests a careful plan could work if the timeline holds and the budget is watched
safety matters and the long term value seems real though some doubts remain`)

// DefaultText is the default answer of agent: words words of neutral prose,
// then a fenced JSON verdict with decision (SOLOMON adds scores).
func DefaultText(agent magi.AgentID, words int, decision string) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[i%len(vocabulary)])
	}
	b.WriteString(".\n\n```json\n")
	conds := "[]"
	if decision == "CONDITIONAL" {
		conds = `["the budget is reviewed monthly"]`
	}
	fmt.Fprintf(&b, `{"decision": %q, "confidence": 0.8, "summary": "A fake answer from %s.", "conditions": %s`, decision, agentLabel(agent), conds)
	if agent == magi.Solomon {
		b.WriteString(`, "scores": {"melchior": 80, "balthasar": 70, "casper": 75}`)
	}
	b.WriteString("}\n```")
	return b.String()
}

func agentLabel(a magi.AgentID) string {
	if a == "" {
		return "an unknown agent"
	}
	return string(a)
}

// Split cuts text into word tokens, each keeping its leading space, so
// that joining them gives text back.
func Split(text string) []string {
	var out []string
	start := 0
	for i := 1; i < len(text); i++ {
		if text[i] == ' ' || text[i] == '\n' {
			if text[i-1] != ' ' && text[i-1] != '\n' {
				out = append(out, text[start:i])
				start = i
			}
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// Tokens are the tokens of a scripted reply: tokens as given, else text
// cut into words, else the default answer of agent. The other fakes share
// it so that every wire format answers alike.
func Tokens(tokens []string, text string, agent magi.AgentID, words int, decision string) []string {
	if tokens != nil {
		return tokens
	}
	if text == "" {
		text = DefaultText(agent, words, decision)
	}
	return Split(text)
}

// CountUsage is the usage a fake reports when its script sets none: the
// words of the prompt in, the tokens out.
func CountUsage(system, user string, tokens []string) magi.Usage {
	return magi.Usage{InputTokens: int64(len(strings.Fields(system + " " + user))), OutputTokens: int64(len(tokens))}
}
