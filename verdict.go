package magi

// Decision is a vote or a resolution.
type Decision string

// The decisions. ABSTAINED is only ever a vote: a sage with no valid verdict.
const (
	Approved    Decision = "APPROVED"
	Rejected    Decision = "REJECTED"
	Conditional Decision = "CONDITIONAL"
	Abstained   Decision = "ABSTAINED"
)

// For reports whether d counts for the question.
func (d Decision) For() bool { return d == Approved || d == Conditional }

// Verdict is what an agent decided, parsed from the end of its answer.
type Verdict struct {
	Decision   Decision `json:"decision"`
	Confidence float64  `json:"confidence"`
	Summary    string   `json:"summary"`
	Conditions []string `json:"conditions"`
	// Reason says why a verdict is ABSTAINED; empty otherwise.
	Reason string `json:"reason"`
	// Scores are SOLOMON's 0–100 marks for each sage; nil for a sage.
	Scores map[AgentID]int `json:"scores,omitempty"`
	// ChangedFrom is the sage's vote of the round before, when this
	// round's vote differs from it (both real votes, not abstentions).
	ChangedFrom Decision `json:"changed_from,omitempty"`
}

// Abstain returns an ABSTAINED verdict with the reason.
func Abstain(reason string) Verdict {
	return Verdict{Decision: Abstained, Conditions: []string{}, Reason: reason}
}
