package minutes

import (
	"fmt"
	"strings"

	"github.com/magi-system/magi"
)

// debated reports whether r ran, or could run, more than one round.
func debated(r magi.Record) bool {
	return len(r.Rounds) > 1 || r.MaxRounds > 1
}

// roundsRun says how many rounds ran, of how many the deliberation could.
func roundsRun(r magi.Record) string {
	switch {
	case r.MaxRounds > len(r.Rounds) && r.Status == magi.StatusCompleted:
		return fmt.Sprintf("%d of up to %d (the sages agreed)", len(r.Rounds), r.MaxRounds)
	case r.MaxRounds > 0:
		return fmt.Sprintf("%d of %d", len(r.Rounds), r.MaxRounds)
	}
	return fmt.Sprint(len(r.Rounds))
}

// writeRounds writes how the votes moved, then each round's answers, then
// SOLOMON's judgement and the usage of every call.
func writeRounds(b *strings.Builder, r magi.Record, down string) {
	writeMoves(b, r, down)
	for _, round := range r.Rounds {
		fmt.Fprintf(b, "%s## Round %d\n\n", down, round.Round)
		for _, a := range round.Agents {
			writeAgent(b, down+"###", a, nil)
		}
	}
	for _, a := range r.Agents {
		if a.ID == magi.Solomon {
			writeAgent(b, down+"##", a, r.Scores)
		}
	}
	b.WriteString(down + "## Usage\n\n| agent | round | provider | model | input tokens | output tokens | cost |\n|---|---|---|---|---|---|---|\n")
	row := func(a magi.AgentRecord, round string) {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d | %d | %s |\n", a.Name, round, a.Provider, a.Model,
			a.Usage.InputTokens, a.Usage.OutputTokens, FormatCost(a.Usage.CostUSD))
	}
	for _, round := range r.Rounds {
		for _, a := range round.Agents {
			row(a, fmt.Sprint(round.Round))
		}
	}
	for _, a := range r.Agents {
		if a.ID == magi.Solomon {
			row(a, "judge")
		}
	}
	fmt.Fprintf(b, "| **total** | | | | %d | %d | %s |\n", r.Usage.InputTokens, r.Usage.OutputTokens, FormatCost(r.Usage.CostUSD))
}

// writeMoves writes a table of each sage's vote in each round, a changed
// vote shown as the change, and SOLOMON's score.
func writeMoves(b *strings.Builder, r magi.Record, down string) {
	if len(r.Rounds) == 0 {
		return
	}
	b.WriteString(down + "## How the votes moved\n\n| sage |")
	for _, round := range r.Rounds {
		fmt.Fprintf(b, " round %d |", round.Round)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(r.Rounds)) + "\n")
	for i, a := range r.Rounds[0].Agents {
		fmt.Fprintf(b, "| %s |", a.Name)
		for _, round := range r.Rounds {
			if i >= len(round.Agents) || round.Agents[i].Verdict == nil {
				b.WriteString(" — |")
				continue
			}
			v := round.Agents[i].Verdict
			if v.ChangedFrom != "" {
				fmt.Fprintf(b, " %s → **%s** |", MAGIStyle(v.ChangedFrom), MAGIStyle(v.Decision))
			} else {
				fmt.Fprintf(b, " %s |", MAGIStyle(v.Decision))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}
