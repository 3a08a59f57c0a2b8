package magi

import (
	"encoding/json"
	"slices"
)

// MarshalJSON writes the event in SPEC's shape (see AppendJSON).
func (e Event) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(make([]byte, 0, 256+len(e.Content)))
}

// AppendJSON appends the event's JSON to b, in SPEC's shape: type,
// deliberation_id, seq, timestamp (UTC, milliseconds), then the fields of
// its type, the verdict and the outcome flattened into the event.
// Confidence and conditions are always present on a verdict, fatal on an
// error, and scores, usage and duration_ms on complete. It is the one
// encoding of an event: what is stored, sent and replayed.
//
// A new field of Event (a round, a tally's votes) is added to Event with
// its JSON name, which UnmarshalJSON then reads, and written here in one
// line; TestEvent_AppendJSONWritesEveryField fails until it is.
func (e Event) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: b}
	w.open('{')
	w.str("type", string(e.Type))
	w.str("deliberation_id", e.DeliberationID)
	w.num("seq", e.Seq)
	w.key("timestamp")
	w.b = append(w.b, '"')
	w.b = e.Timestamp.UTC().AppendFormat(w.b, TimestampFormat)
	w.b = append(w.b, '"')
	w.optStr("agent", string(e.Agent))
	w.optStr("question", e.Question)
	rule := e.Rule
	if e.Type == EventComplete && e.Outcome != nil {
		rule = e.Outcome.Rule
	}
	w.optStr("rule", string(rule))
	if len(e.Agents) > 0 {
		w.agents(e.Agents)
	}
	if e.Simulated {
		w.boolean("simulated", true)
	}
	w.optNum("max_rounds", int64(e.MaxRounds))
	w.optStr("conversation_id", e.ConversationID)
	w.optStr("parent_id", e.ParentID)
	w.optNum("turn", int64(e.Turn))
	if e.Council != nil {
		w.council(e.Council)
	}
	w.optNum("round", int64(e.Round))
	w.optStr("content", e.Content)
	w.optStr("stage", e.Stage)
	if e.Trace != nil {
		w.trace(e.Trace)
	}
	switch e.Type {
	case EventVerdict:
		w.verdict(e)
	case EventComplete:
		w.complete(e)
	case EventRound:
		w.str("reason", e.Reason)
	case EventTally:
		w.tally(e.Tally)
	default:
		w.scores(e.Scores, false)
	}
	if e.Type != EventComplete {
		if e.Usage != nil {
			w.usage("usage", *e.Usage)
		}
		w.optNum("duration_ms", e.DurationMS)
	}
	w.optNum("rounds", int64(e.Rounds)) // set on complete
	w.optStr("code", e.Code)
	w.optStr("message", e.Message)
	if e.Type == EventError {
		w.boolean("fatal", e.Fatal)
	}
	w.close('}')
	return w.b, w.err
}

func (w *jsonWriter) verdict(e Event) {
	v := e.Verdict
	if v == nil {
		w.scores(e.Scores, false)
		return
	}
	w.optStr("decision", string(v.Decision))
	w.float("confidence", v.Confidence)
	w.str("summary", v.Summary)
	w.strs("conditions", v.Conditions)
	w.str("reason", v.Reason)
	w.optStr("changed_from", string(v.ChangedFrom))
	if len(v.Scores) > 0 {
		w.scores(v.Scores, false)
	} else {
		w.scores(e.Scores, false)
	}
}

func (w *jsonWriter) complete(e Event) {
	if o := e.Outcome; o != nil {
		w.optStr("decision", string(o.Decision))
		w.float("confidence", o.Confidence)
		w.str("summary", o.Summary)
		w.strs("conditions", o.Conditions)
		w.votes(o.Votes)
		if o.TieBreak {
			w.boolean("tie_break", true)
		}
		w.optStr("note", o.Note)
	}
	w.scores(e.Scores, true)
	u := Usage{}
	if e.Usage != nil {
		u = *e.Usage
	}
	w.usage("usage", u)
	w.num("duration_ms", e.DurationMS)
}

// council writes the snapshot of the council that deliberates, in
// encoding/json's form: start events are few, so it need not be fast.
func (w *jsonWriter) council(c *CouncilSnapshot) {
	b, err := json.Marshal(c)
	if err != nil {
		w.err = err
		return
	}
	w.key("council")
	w.b = append(w.b, b...)
}

// tally writes the votes and the decision, or that it awaits SOLOMON.
func (w *jsonWriter) tally(t *Tally) {
	if t == nil {
		return
	}
	w.votes(t.Votes)
	if t.Decision == "" {
		w.str("awaiting", AwaitingSolomon)
		return
	}
	w.str("decision", string(t.Decision))
	w.strs("conditions", t.Conditions)
}

func (w *jsonWriter) votes(v Votes) {
	w.key("votes")
	w.open('{')
	w.num("approved", int64(v.Approved))
	w.num("rejected", int64(v.Rejected))
	w.num("conditional", int64(v.Conditional))
	w.num("abstained", int64(v.Abstained))
	w.close('}')
}

func (w *jsonWriter) agents(agents []AgentInfo) {
	w.key("agents")
	w.b = append(w.b, '[')
	for i, a := range agents {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.open('{')
		w.str("id", string(a.ID))
		w.str("name", a.Name)
		w.str("provider", a.Provider)
		w.str("model", a.Model)
		w.close('}')
	}
	w.b = append(w.b, ']')
}

func (w *jsonWriter) trace(t *Trace) {
	w.key("trace")
	w.open('{')
	w.optStr("provider", t.Provider)
	w.optStr("model", t.Model)
	w.optNum("attempt", int64(t.Attempt))
	w.optNum("latency_ms", t.LatencyMS)
	w.optNum("duration_ms", t.DurationMS)
	w.optNum("delay_ms", t.DelayMS)
	if t.Tokens != nil {
		w.usage("tokens", *t.Tokens)
	}
	w.optStr("error", t.Error)
	w.optStr("error_kind", string(t.ErrorKind))
	w.close('}')
}

func (w *jsonWriter) usage(key string, u Usage) {
	w.key(key)
	w.open('{')
	w.num("input_tokens", u.InputTokens)
	w.num("output_tokens", u.OutputTokens)
	if u.CostUSD == nil {
		w.key("cost_usd")
		w.b = append(w.b, "null"...)
	} else {
		w.float("cost_usd", *u.CostUSD)
	}
	w.close('}')
}

// scores writes the scores, in key order; empty ones only when always.
func (w *jsonWriter) scores(s map[AgentID]int, always bool) {
	if len(s) == 0 && !always {
		return
	}
	ids := make([]AgentID, 0, len(s))
	for id := range s {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	w.key("scores")
	w.open('{')
	for _, id := range ids {
		w.num(string(id), int64(s[id]))
	}
	w.close('}')
}

// UnmarshalJSON reads what AppendJSON wrote.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w struct {
		eventAlias
		Decision   Decision        `json:"decision"`
		Confidence float64         `json:"confidence"`
		Summary    string          `json:"summary"`
		Conditions []string        `json:"conditions"`
		Reason     string          `json:"reason"`
		Changed    Decision        `json:"changed_from"`
		Votes      Votes           `json:"votes"`
		TieBreak   bool            `json:"tie_break"`
		Note       string          `json:"note"`
		Fatal      bool            `json:"fatal"`
		Scores     map[AgentID]int `json:"scores"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Event(w.eventAlias)
	e.Fatal = w.Fatal
	switch e.Type {
	case EventVerdict:
		e.Verdict = &Verdict{Decision: w.Decision, Confidence: w.Confidence, Summary: w.Summary,
			Conditions: nonNil(w.Conditions), Reason: w.Reason, Scores: w.Scores, ChangedFrom: w.Changed}
		e.Scores = nil
	case EventComplete:
		e.Outcome = &Outcome{Decision: w.Decision, Rule: w.Rule, Votes: w.Votes, Confidence: w.Confidence,
			Summary: w.Summary, Conditions: nonNil(w.Conditions), TieBreak: w.TieBreak, Note: w.Note}
		e.Scores = w.Scores
	case EventRound:
		e.Reason = w.Reason
	case EventTally:
		e.Tally = &Tally{Votes: w.Votes, Decision: w.Decision}
		if w.Decision != "" {
			e.Tally.Conditions = nonNil(w.Conditions)
		}
	}
	return nil
}

// eventAlias is Event without its methods, for decoding its plain fields.
type eventAlias Event

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
