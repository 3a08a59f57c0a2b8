package term

import (
	"strings"
	"time"

	"github.com/magi-system/magi"
)

// texts are the sages' and SOLOMON's answers in the fixture.
var texts = map[magi.AgentID]string{
	magi.Melchior: "The evidence for a four-day week is encouraging but thin. Trials in Iceland and the UK " +
		"report stable output and lower burnout, yet most firms self-selected.\n\n" +
		"On balance the data supports a careful pilot with clear metrics.\n" +
		`{"decision": "APPROVED", "confidence": 0.82, "summary": "Pilot it.", "conditions": []}`,
	magi.Balthasar: "People come first: fewer days could mean more time with family and better health. " +
		"But shift workers and carers must not be left behind.\n" +
		`{"decision": "CONDITIONAL", "confidence": 0.7, "summary": "Only if nobody loses pay.", "conditions": ["no loss of pay"]}`,
	magi.Casper: "Feasible for the office teams within a quarter; support needs a rota. " +
		"Cost is neutral if meetings shrink.\n" +
		`{"decision": "REJECTED", "confidence": 0.6, "summary": "Not this year.", "conditions": []}`,
	magi.Solomon: "MELCHIOR-1 weighs the evidence well; BALTHASAR-2 names the people at risk; " +
		"CASPER-3 is right about support.\n" +
		`{"decision": "CONDITIONAL", "confidence": 0.74, "summary": "Run a pilot.", "scores": {"melchior": 80, "balthasar": 72, "casper": 65}}`,
}

// verdicts are the fixture's verdicts.
var verdicts = map[magi.AgentID]magi.Verdict{
	magi.Melchior:  {Decision: magi.Approved, Confidence: 0.82, Summary: "Pilot it.", Conditions: []string{}},
	magi.Balthasar: {Decision: magi.Conditional, Confidence: 0.7, Summary: "Only if nobody loses pay.", Conditions: []string{"no loss of pay"}},
	magi.Casper:    {Decision: magi.Rejected, Confidence: 0.6, Summary: "Not this year.", Conditions: []string{}},
	magi.Solomon: {Decision: magi.Conditional, Confidence: 0.74, Summary: "Run a pilot.", Conditions: []string{},
		Scores: map[magi.AgentID]int{magi.Melchior: 80, magi.Balthasar: 72, magi.Casper: 65}},
}

// fixture builds a deliberation's events: three sages interleaved chunk by
// chunk, their verdicts, SOLOMON, complete.
type fixture struct {
	events    []magi.Event
	simulated bool
	texts     map[magi.AgentID]string
	verdicts  map[magi.AgentID]magi.Verdict
	usage     *magi.Usage
}

func newFixture() *fixture {
	return &fixture{texts: texts, verdicts: verdicts}
}

func (f *fixture) add(e magi.Event) {
	e.DeliberationID = "d1"
	e.Seq = int64(len(f.events) + 1)
	e.Timestamp = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).Add(time.Duration(e.Seq) * 10 * time.Millisecond)
	f.events = append(f.events, e)
}

// chunks splits s into pieces of n runes.
func chunks(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}

func (f *fixture) build() []magi.Event {
	provider := "openai"
	if f.simulated {
		provider = "sim"
	}
	var agents []magi.AgentInfo
	for _, a := range magi.DefaultAgents() {
		agents = append(agents, magi.AgentInfo{ID: a.ID, Name: a.Name, Provider: provider, Model: "gpt-x"})
	}
	f.add(magi.Event{Type: magi.EventStart, Question: "Should we adopt a four-day work week?",
		Rule: magi.Majority, Agents: agents, Simulated: f.simulated})
	parts := map[magi.AgentID][]string{}
	for _, id := range magi.Sages {
		f.add(magi.Event{Type: magi.EventTrace, Agent: id, Stage: magi.StageAgentStart,
			Trace: &magi.Trace{Provider: provider, Model: "gpt-x", Attempt: 1}})
		parts[id] = chunks(f.texts[id], 7+len(id))
	}
	for i := 0; ; i++ {
		more := false
		for _, id := range magi.Sages {
			if i < len(parts[id]) {
				more = true
				f.add(magi.Event{Type: magi.EventChunk, Agent: id, Content: parts[id][i]})
			}
		}
		if !more {
			break
		}
	}
	for _, id := range magi.Sages {
		f.finish(id)
	}
	f.add(magi.Event{Type: magi.EventTrace, Agent: magi.Solomon, Stage: magi.StageAgentStart, Trace: &magi.Trace{Attempt: 1}})
	for _, c := range chunks(f.texts[magi.Solomon], 9) {
		f.add(magi.Event{Type: magi.EventChunk, Agent: magi.Solomon, Content: c})
	}
	f.finish(magi.Solomon)
	var sages []magi.Verdict
	for _, id := range magi.Sages {
		sages = append(sages, f.verdicts[id])
	}
	sol := f.verdicts[magi.Solomon]
	out := magi.Decide(magi.Majority, sages, &sol)
	f.add(magi.Event{Type: magi.EventComplete, Outcome: &out, Scores: sol.Scores, Usage: f.usage, DurationMS: 12345})
	return f.events
}

func (f *fixture) finish(id magi.AgentID) {
	v := f.verdicts[id]
	f.add(magi.Event{Type: magi.EventTrace, Agent: id, Stage: magi.StageFirstToken, Trace: &magi.Trace{LatencyMS: 420}})
	f.add(magi.Event{Type: magi.EventTrace, Agent: id, Stage: magi.StageAgentDone,
		Trace: &magi.Trace{DurationMS: 3000, Tokens: &magi.Usage{InputTokens: 1200, OutputTokens: 340}}})
	f.add(magi.Event{Type: magi.EventVerdict, Agent: id, Verdict: &v})
}

// clock is a fake time that moves on when told.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// run renders events with opts, moving the clock 30ms and ticking after
// each event, and returns the output.
func run(opts Options, events []magi.Event) string {
	var b strings.Builder
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	opts.Now = c.now
	r := New(&b, opts)
	for _, e := range events {
		r.Event(e)
		c.t = c.t.Add(30 * time.Millisecond)
		r.Tick()
	}
	if err := r.Close(); err != nil {
		panic(err)
	}
	return b.String()
}
