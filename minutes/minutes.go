// Package minutes writes the minutes of a deliberation as Markdown: what
// `magi show`, `magi export` and the API's export give.
package minutes

import (
	"fmt"
	"strings"

	"github.com/magi-system/magi"
)

// MAGIStyle is the display form of a decision: 承認 APPROVED, 否決 REJECTED,
// 条件付 CONDITIONAL, 棄権 ABSTAINED.
func MAGIStyle(d magi.Decision) string {
	switch d {
	case magi.Approved:
		return "承認 APPROVED"
	case magi.Rejected:
		return "否決 REJECTED"
	case magi.Conditional:
		return "条件付 CONDITIONAL"
	case magi.Abstained:
		return "棄権 ABSTAINED"
	}
	return string(d)
}

// FormatCost writes a cost in USD, or "unknown" when it is not known.
func FormatCost(c *float64) string {
	if c == nil {
		return "unknown"
	}
	return fmt.Sprintf("$%.4f", *c)
}

// Markdown writes the minutes of deliberation r: the question, each sage's
// reasoning and verdict, SOLOMON's judgement, the decision and the usage.
// After a debate it shows each round, how the votes moved, and every
// changed vote as the change; a deliberation of one round reads as it
// always did.
func Markdown(r magi.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# MAGI deliberation %s\n\n", r.ID)
	if r.Simulated {
		b.WriteString("> **SIMULATED** — produced by the built-in `sim` council; no model was called.\n\n")
	}
	fmt.Fprintf(&b, "- **Question:** %s\n- **Rule:** %s\n", oneLine(r.Question), r.Rule)
	writeCouncil(&b, r.Council)
	if debated(r) {
		fmt.Fprintf(&b, "- **Rounds:** %s\n", roundsRun(r))
	}
	fmt.Fprintf(&b, "- **Status:** %s\n- **Asked:** %s\n- **Duration:** %.1f s\n\n",
		r.Status, r.CreatedAt.Format("2006-01-02 15:04:05 MST"), float64(r.DurationMS)/1000)
	if r.Decision != "" {
		fmt.Fprintf(&b, "## Decision: %s\n\n", MAGIStyle(r.Decision))
		fmt.Fprintf(&b, "%s\n\n", r.Summary)
		v := r.Votes
		fmt.Fprintf(&b, "Votes: %d approved, %d conditional, %d rejected, %d abstained. Confidence %.0f%%.\n\n",
			v.Approved, v.Conditional, v.Rejected, v.Abstained, r.Confidence*100)
		writeConditions(&b, r.Conditions)
		if r.Note != "" {
			fmt.Fprintf(&b, "Note: %s\n\n", r.Note)
		}
	}
	if r.Error != nil {
		fmt.Fprintf(&b, "## Ended with an error: %s\n\n%s\n\n", r.Error.Code, r.Error.Message)
	}
	if debated(r) {
		writeRounds(&b, r)
		return b.String()
	}
	for _, a := range r.Agents {
		writeAgent(&b, "##", a, r.Scores)
	}
	b.WriteString("## Usage\n\n| agent | provider | model | input tokens | output tokens | cost |\n|---|---|---|---|---|---|\n")
	for _, a := range r.Agents {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %s |\n", a.Name, a.Provider, a.Model,
			a.Usage.InputTokens, a.Usage.OutputTokens, FormatCost(a.Usage.CostUSD))
	}
	fmt.Fprintf(&b, "| **total** | | | %d | %d | %s |\n", r.Usage.InputTokens, r.Usage.OutputTokens, FormatCost(r.Usage.CostUSD))
	return b.String()
}

func writeAgent(b *strings.Builder, level string, a magi.AgentRecord, scores map[magi.AgentID]int) {
	fmt.Fprintf(b, "%s %s (%s/%s)\n\n", level, a.Name, a.Provider, a.Model)
	if a.Text != "" {
		b.WriteString(a.Text)
		b.WriteString("\n\n")
	}
	if a.Error != "" {
		fmt.Fprintf(b, "> Error: %s\n\n", oneLine(a.Error))
	}
	if v := a.Verdict; v != nil {
		decision := MAGIStyle(v.Decision)
		if v.ChangedFrom != "" {
			decision = MAGIStyle(v.ChangedFrom) + " → " + decision + " (changed)"
		}
		fmt.Fprintf(b, "**Verdict:** %s, confidence %.0f%%", decision, v.Confidence*100)
		if s, ok := scores[a.ID]; ok && a.ID != magi.Solomon {
			fmt.Fprintf(b, ", SOLOMON's score %d/100", s)
		}
		b.WriteString("\n\n")
		if v.Reason != "" {
			fmt.Fprintf(b, "Abstained: %s\n\n", oneLine(v.Reason))
		}
		writeConditions(b, v.Conditions)
	}
}

func writeConditions(b *strings.Builder, conds []string) {
	if len(conds) == 0 {
		return
	}
	b.WriteString("Conditions:\n\n")
	for _, c := range conds {
		fmt.Fprintf(b, "- %s\n", oneLine(c))
	}
	b.WriteString("\n")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// writeCouncil names the council that deliberated and, for a saved one,
// each agent's model and the hash of its persona as it was then (the
// council may have changed since).
func writeCouncil(b *strings.Builder, c *magi.CouncilSnapshot) {
	if c == nil {
		return
	}
	fmt.Fprintf(b, "- **Council:** %s\n", c.Name)
	if c.Name == magi.DefaultCouncil {
		return
	}
	for _, a := range c.Agents {
		fmt.Fprintf(b, "  - %s: %s/%s, persona sha256 %s\n", a.ID, a.Provider, a.Model, a.PersonaSHA256)
	}
}
