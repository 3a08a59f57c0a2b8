// Package fakebedrock is a fake Amazon Bedrock runtime for tests. It speaks
// the real wire format over real sockets — ConverseStream's binary event
// stream (application/vnd.amazon.eventstream), exception frames mid-stream,
// AWS JSON errors with x-amzn-ErrorType, and Converse's JSON — so the AWS
// SDK's own code runs against it.
//
//	fake := fakebedrock.New(fakebedrock.Config{})
//	srv := httptest.NewServer(fake)
//	defer srv.Close()
//	// AWS_ENDPOINT_URL_BEDROCK_RUNTIME=srv.URL
//
// A Config.Script decides the reply to each request; without one, every
// agent answers with a plain text and a verdict (fakellm.DefaultText).
package fakebedrock

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeconn"
	"github.com/magi-system/magi/internal/fakellm"
)

// Config shapes the fake's default behaviour.
type Config struct {
	// AccessKeyID, when set, is the only access key whose signature is
	// accepted; others get 403 UnrecognizedClientException. (The
	// signature itself is not verified.)
	AccessKeyID string
	// Models, when set, are the only model ids that exist; others get 400
	// ValidationException "The provided model identifier is invalid."
	Models []string
	// Words is the length of the default answer, 30 when 0.
	Words int
	// Decision is the default verdict of every agent, APPROVED when empty.
	Decision string
	// Gap is the default delay between tokens.
	Gap time.Duration
	// Script, when set, decides the reply to each Converse(Stream) call.
	Script func(Request) Reply
}

// Request is a parsed Converse or ConverseStream call.
type Request struct {
	// N is the 1-based number of the request at this server.
	N int
	// Op is "converse-stream" or "converse".
	Op          string
	Model       string
	System      string
	User        string
	Agent       magi.AgentID
	MaxTokens   int
	Temperature *float64
	// Region is the region the call was signed for.
	Region string
}

// Reply is what the fake does with one call. The zero Reply streams the
// default answer.
type Reply struct {
	// Status, when not 0 or 200, refuses the call with an AWS JSON error
	// of Code (by status when empty) and Message.
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
	// Tokens are the text deltas; when nil, Text is split into words, and
	// when both are empty the default answer is sent.
	Tokens []string
	Text   string
	Gap    time.Duration
	// Exception, when set, is an exception frame (like
	// "throttlingException") sent after ExceptionAfter tokens, carrying
	// Message, instead of finishing.
	Exception      string
	ExceptionAfter int
	// Cut drops the connection after CutAfter tokens.
	Cut      bool
	CutAfter int
	// Hang stops answering after HangAfter tokens until the client goes
	// away; with HangAfter 0 not even the headers are sent.
	Hang      bool
	HangAfter int
	// Usage is reported in the metadata frame; by default words of the
	// prompt in and tokens out.
	Usage *magi.Usage
}

// Server is the fake; create it with New.
type Server struct {
	cfg Config
	// Tracker counts requests: Requests, WaitIdle.
	fakeconn.Tracker
}

// New returns a fake configured by cfg.
func New(cfg Config) *Server {
	if cfg.Words <= 0 {
		cfg.Words = 30
	}
	if cfg.Decision == "" {
		cfg.Decision = "APPROVED"
	}
	return &Server{cfg: cfg}
}

// ServeHTTP serves POST /model/{id}/converse-stream and /converse.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.Begin()
	defer s.End()
	data, err := io.ReadAll(r.Body) // reading it all lets the server notice the client leaving
	model, op := ModelOf(r)
	if r.Method != http.MethodPost || (op != "converse-stream" && op != "converse") {
		WriteError(w, http.StatusNotFound, "UnknownOperationException", "unknown operation "+r.Method+" "+r.URL.Path)
		return
	}
	req, perr := parse(n, model, op, data)
	if err != nil || perr != nil {
		WriteError(w, http.StatusBadRequest, "SerializationException", "invalid JSON body")
		return
	}
	req.Region = signedRegion(r)
	if s.cfg.AccessKeyID != "" && !strings.Contains(r.Header.Get("Authorization"), "Credential="+s.cfg.AccessKeyID+"/") {
		WriteError(w, http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	}
	if len(s.cfg.Models) > 0 && !slices.Contains(s.cfg.Models, model) {
		WriteError(w, http.StatusBadRequest, "ValidationException", "The provided model identifier is invalid.")
		return
	}
	rep := s.reply(req)
	if rep.Status != 0 && rep.Status != http.StatusOK {
		writeReplyError(w, rep)
		return
	}
	if op == "converse" {
		converse(w, rep)
		return
	}
	stream(r.Context(), w, rep)
}

// reply asks the Script, then fills in the defaults.
func (s *Server) reply(req Request) Reply {
	var rep Reply
	if s.cfg.Script != nil {
		rep = s.cfg.Script(req)
	}
	rep.Tokens = fakellm.Tokens(rep.Tokens, rep.Text, req.Agent, s.cfg.Words, s.cfg.Decision)
	if rep.Gap == 0 {
		rep.Gap = s.cfg.Gap
	}
	if rep.Usage == nil {
		u := fakellm.CountUsage(req.System, req.User, rep.Tokens)
		rep.Usage = &u
	}
	return rep
}

// parse decodes the part of a Converse body a Script needs.
func parse(n int, model, op string, data []byte) (Request, error) {
	var b struct {
		Messages []struct {
			Role    string `json:"role"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"messages"`
		System []struct {
			Text string `json:"text"`
		} `json:"system"`
		InferenceConfig struct {
			MaxTokens   int      `json:"maxTokens"`
			Temperature *float64 `json:"temperature"`
		} `json:"inferenceConfig"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return Request{}, err
	}
	req := Request{N: n, Op: op, Model: model, MaxTokens: b.InferenceConfig.MaxTokens, Temperature: b.InferenceConfig.Temperature}
	for _, s := range b.System {
		req.System += s.Text
	}
	for _, m := range b.Messages {
		for _, c := range m.Content {
			if m.Role == "user" {
				req.User += c.Text
			}
		}
	}
	req.Agent = fakellm.DetectAgent(req.System)
	return req, nil
}

// signedRegion reads the region of a SigV4 Authorization header:
// Credential=AKID/20250101/us-east-1/bedrock/aws4_request.
func signedRegion(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}
