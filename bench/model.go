package bench

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
)

// A question carries its scenario's model timings to the fake model as a
// directive, so one server and one fake serve every scenario:
//
//	[[bench ttft=20ms gap=5ms n=10 size=0 stamp=1 gate=0 melchior=100ms …]]
//
// The fake reads it from the first user message it finds it in (SOLOMON's
// prompt quotes the question first).
var directiveRE = regexp.MustCompile(`\[\[bench ([^\]]*)\]\]`)

// stampHole is written by the fake in place of a token's emit time; the
// stamping writer overwrites it with the wall-clock UnixNano at the moment
// the token is written to the socket.
const (
	stampHole = "⟨t=0000000000000000000⟩"
	gateMark  = "⟨gate⟩"
)

// stampRE finds emit stamps in chunk contents.
var stampRE = regexp.MustCompile(`⟨t=(\d{19})⟩`)

// shape is the model behaviour of one scenario.
type shape struct {
	TTFT, Gap time.Duration
	// Tokens is the number of prose tokens of each answer before its
	// verdict.
	Tokens int
	// Size, when > 0, makes melchior's prose that many bytes, in tokens of
	// Block bytes (default 4 KiB: the flat-memory figure).
	Size, Block int
	// Stamp puts an emit stamp in every prose token.
	Stamp bool
	// Gate holds every answer after its first token until the bench opens
	// the gate (the scale figure).
	Gate bool
	// Agent overrides TTFT per agent (the parallelism figure).
	Agent map[magi.AgentID]time.Duration
	// Split makes CASPER reject in round 1 and approve in round 2, so the
	// sages debate a second round (the rounds figures).
	Split bool
}

// question renders s as a question with its directive.
func (s shape) question(tag string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[[bench ttft=%s gap=%s n=%d size=%d block=%d stamp=%t gate=%t split=%t", s.TTFT, s.Gap, s.Tokens, s.Size, s.Block, s.Stamp, s.Gate, s.Split)
	for _, id := range []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Casper, magi.Solomon} {
		if d, ok := s.Agent[id]; ok {
			fmt.Fprintf(&b, " %s=%s", id, d)
		}
	}
	fmt.Fprintf(&b, "]] Should the bench run %s?", tag)
	return b.String()
}

// parseShape reads the directive of a request, ok false when it has none.
func parseShape(text string) (shape, bool) {
	m := directiveRE.FindStringSubmatch(text)
	if m == nil {
		return shape{}, false
	}
	s := shape{Agent: map[magi.AgentID]time.Duration{}}
	for _, kv := range strings.Fields(m[1]) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "ttft":
			s.TTFT, _ = time.ParseDuration(v)
		case "gap":
			s.Gap, _ = time.ParseDuration(v)
		case "n":
			s.Tokens, _ = strconv.Atoi(v)
		case "size":
			s.Size, _ = strconv.Atoi(v)
		case "block":
			s.Block, _ = strconv.Atoi(v)
		case "stamp":
			s.Stamp = v == "true"
		case "gate":
			s.Gate = v == "true"
		case "split":
			s.Split = v == "true"
		default:
			s.Agent[magi.AgentID(k)], _ = time.ParseDuration(v)
		}
	}
	return s, true
}

// script is the fake's Script: the tokens and timings of a request's
// directive, ending with the agent's verdict.
func script(req fakellm.Request) fakellm.Reply {
	s, ok := parseShape(req.User)
	if !ok {
		return fakellm.Reply{}
	}
	rep := fakellm.Reply{TTFT: s.TTFT, Gap: s.Gap}
	if d, ok := s.Agent[req.Agent]; ok {
		rep.TTFT = d
	}
	rep.TTFT, rep.Gap = nonZero(rep.TTFT), nonZero(rep.Gap)
	rep.Tokens = prose(s, req.Agent)
	against := s.Split && req.Agent == magi.Casper && !strings.Contains(req.User, "this is round 2")
	rep.Tokens = append(rep.Tokens, fakellm.Split(" "+verdictTail(req.Agent, against))...)
	return rep
}

// nonZero turns 0 into the shortest delay: fakellm reads 0 as "the
// Config's", and the Config's are 0 too.
func nonZero(d time.Duration) time.Duration {
	if d == 0 {
		return time.Nanosecond
	}
	return d
}

// prose returns the tokens before the verdict.
func prose(s shape, agent magi.AgentID) []string {
	var toks []string
	if s.Size > 0 && agent == magi.Melchior {
		size := s.Block
		if size <= 0 {
			size = 4096
		}
		block := strings.Repeat("lorem ipsum dolor sit amet ", size/27) + "\n"
		for n := 0; n < s.Size; n += len(block) {
			toks = append(toks, block)
		}
		return toks
	}
	for i := range s.Tokens {
		t := " word"
		if s.Stamp {
			t = " " + stampHole
		}
		if s.Gate && i == 1 {
			t = gateMark + t
		}
		toks = append(toks, t)
	}
	return toks
}

// verdictTail is the JSON object an agent ends its answer with: an
// approval, or a rejection when against.
func verdictTail(agent magi.AgentID, against bool) string {
	switch {
	case agent == magi.Solomon:
		return `{"decision": "APPROVED", "confidence": 0.8, "summary": "bench", "scores": {"melchior": 80, "balthasar": 70, "casper": 75}}`
	case against:
		return `{"decision": "REJECTED", "confidence": 0.8, "summary": "bench", "conditions": []}`
	}
	return `{"decision": "APPROVED", "confidence": 0.8, "summary": "bench", "conditions": []}`
}

// gate holds the answers that reach a gate mark until it is opened.
type gate struct {
	mu   sync.Mutex
	open chan struct{}
}

func newGate() *gate {
	g := &gate{open: make(chan struct{})}
	close(g.open)
	return g
}

// close makes the answers that reach a gate mark wait.
func (g *gate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

// release lets every waiting answer go on.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

func (g *gate) wait(r *http.Request) {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	select {
	case <-ch:
	case <-r.Context().Done():
	}
}

// stamping wraps the fake's handler: each write has its stamp holes
// filled with the time of the write, and waits at a gate mark.
func stamping(next http.Handler, g *gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&stampWriter{ResponseWriter: w, gate: g, r: r}, r)
	})
}

// stampWriter is the ResponseWriter of stamping. Unwrap lets
// http.ResponseController reach the real Flusher.
type stampWriter struct {
	http.ResponseWriter
	gate *gate
	r    *http.Request
}

func (s *stampWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *stampWriter) Write(p []byte) (int, error) {
	n := len(p)
	if bytes.Contains(p, []byte(gateMark)) {
		s.gate.wait(s.r)
		p = bytes.ReplaceAll(p, []byte(gateMark), nil)
	}
	if bytes.Contains(p, []byte(stampHole)) {
		now := strconv.AppendInt(nil, time.Now().UnixNano(), 10)
		p = bytes.ReplaceAll(p, []byte(stampHole), []byte("⟨t="+string(now)+"⟩"))
	}
	_, err := s.ResponseWriter.Write(p)
	return n, err
}

// stamps returns the emit times found in a chunk's content.
func stamps(content string) []int64 {
	var out []int64
	for _, m := range stampRE.FindAllStringSubmatch(content, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil {
			out = append(out, n)
		}
	}
	return out
}
