// Package minutes writes the minutes of a deliberation as Markdown: what
// `magi show`, `magi export` and the API's export give.
package minutes

import (
	"fmt"
	"html"
	"regexp"
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
	write(&b, r, "", 0)
	return inert(b.String())
}

// write writes the minutes of r to b, every heading one level deeper for
// each '#' of down; turn, when not 0, is r's place in its conversation.
func write(b *strings.Builder, r magi.Record, down string, turn int) {
	if turn > 0 {
		fmt.Fprintf(b, "%s# Turn %d: deliberation %s\n\n", down, turn, r.ID)
	} else {
		fmt.Fprintf(b, "%s# MAGI deliberation %s\n\n", down, r.ID)
	}
	if r.Simulated {
		b.WriteString("> **SIMULATED** — produced by the built-in `sim` council; no model was called.\n\n")
	}
	fmt.Fprintf(b, "- **Question:** %s\n- **Rule:** %s\n", oneLine(r.Question), r.Rule)
	writeCouncil(b, r.Council)
	if r.ParentID != "" {
		fmt.Fprintf(b, "- **Follows:** deliberation %s (turn %d of conversation %s)\n", r.ParentID, r.Turn, r.ConversationID)
	}
	if debated(r) {
		fmt.Fprintf(b, "- **Rounds:** %s\n", roundsRun(r))
	}
	fmt.Fprintf(b, "- **Status:** %s\n- **Asked:** %s\n- **Duration:** %.1f s\n\n",
		r.Status, r.CreatedAt.Format("2006-01-02 15:04:05 MST"), float64(r.DurationMS)/1000)
	if r.Decision != "" {
		fmt.Fprintf(b, "%s## Decision: %s\n\n", down, MAGIStyle(r.Decision))
		fmt.Fprintf(b, "%s\n\n", r.Summary)
		v := r.Votes
		fmt.Fprintf(b, "Votes: %d approved, %d conditional, %d rejected, %d abstained. Confidence %.0f%%.\n\n",
			v.Approved, v.Conditional, v.Rejected, v.Abstained, r.Confidence*100)
		writeConditions(b, r.Conditions)
		if r.Note != "" {
			fmt.Fprintf(b, "Note: %s\n\n", r.Note)
		}
	}
	if r.Error != nil {
		fmt.Fprintf(b, "%s## Ended with an error: %s\n\n%s\n\n", down, r.Error.Code, r.Error.Message)
	}
	if debated(r) {
		writeRounds(b, r, down)
		return
	}
	for _, a := range r.Agents {
		writeAgent(b, down+"##", a, r.Scores)
	}
	b.WriteString(down + "## Usage\n\n| agent | provider | model | input tokens | output tokens | cost |\n|---|---|---|---|---|---|\n")
	for _, a := range r.Agents {
		fmt.Fprintf(b, "| %s | %s | %s | %d | %d | %s |\n", a.Name, a.Provider, a.Model,
			a.Usage.InputTokens, a.Usage.OutputTokens, FormatCost(a.Usage.CostUSD))
	}
	fmt.Fprintf(b, "| **total** | | | %d | %d | %s |\n", r.Usage.InputTokens, r.Usage.OutputTokens, FormatCost(r.Usage.CostUSD))
}

func writeAgent(b *strings.Builder, level string, a magi.AgentRecord, scores map[magi.AgentID]int) {
	fmt.Fprintf(b, "%s %s (%s/%s)\n\n", level, a.Name, a.Provider, a.Model)
	if a.Text != "" {
		b.WriteString(inert(a.Text))
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

// Conversation writes the minutes of a conversation: the list of its
// turns, then each turn's minutes in order, its decision and note
// included, one heading level down; made inert as Markdown's are.
func Conversation(turns []magi.Record) string {
	var b strings.Builder
	if len(turns) == 0 {
		return "# MAGI conversation\n\nNo turns.\n"
	}
	fmt.Fprintf(&b, "# MAGI conversation %s\n\n", turns[0].ConversationID)
	fmt.Fprintf(&b, "%d turns, asked from %s to %s.\n\n", len(turns),
		turns[0].CreatedAt.Format("2006-01-02 15:04:05 MST"), turns[len(turns)-1].CreatedAt.Format("2006-01-02 15:04:05 MST"))
	for i, r := range turns {
		fmt.Fprintf(&b, "%d. %s — %s\n", i+1, oneLine(r.Question), orStatus(r))
	}
	b.WriteString("\n")
	for i, r := range turns {
		write(&b, r, "#", i+1)
	}
	return inert(b.String())
}

// orStatus is a record's decision in the MAGI style, or its status when
// it has none.
func orStatus(r magi.Record) string {
	if r.Decision != "" {
		return MAGIStyle(r.Decision)
	}
	return string(r.Status)
}

// inert makes Markdown that models (or users) wrote safe to paste where
// Markdown is rendered — a wiki, an issue tracker — and still readable:
// outside fenced code blocks, which renderers show as they are, every "<"
// becomes "&lt;" (no raw HTML, comment or autolink survives), every image
// "![" becomes the text "!\[", and a link or link definition to a
// javascript:, vbscript: or data: URL becomes text. A code block left open
// is closed, so it cannot swallow what follows. Only a fence at the start
// of a line opens a block (what every renderer agrees on), and any fence
// line closes it, so text is never taken for code that a renderer would
// not show as code. Applying it twice changes nothing more.
func inert(md string) string {
	md = strings.ReplaceAll(strings.ReplaceAll(md, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	var fence string // the fence of the open code block; "" outside one
	var prose []string
	flush := func() {
		b.WriteString(inertProse(strings.Join(prose, "")))
		prose = prose[:0]
	}
	for _, line := range strings.SplitAfter(md, "\n") {
		switch {
		case fence != "":
			b.WriteString(line)
			if closesFence(line, fence) {
				fence = ""
			}
		case opensFence(line) != "":
			flush()
			fence = opensFence(line)
			b.WriteString(line)
		default:
			prose = append(prose, line)
		}
	}
	flush()
	if fence != "" {
		if !strings.HasSuffix(md, "\n") {
			b.WriteString("\n")
		}
		b.WriteString(fence + "\n")
	}
	return b.String()
}

// opensFence returns the fence (``` or ~~~, or longer) that line opens at
// its very start, or "".
func opensFence(line string) string {
	if len(line) < 3 || (line[0] != '`' && line[0] != '~') {
		return ""
	}
	n := 0
	for n < len(line) && line[n] == line[0] {
		n++
	}
	if n < 3 || (line[0] == '`' && strings.Contains(line[n:], "`")) {
		return ""
	}
	return line[:n]
}

// closesFence reports whether line may close a block opened by fence:
// indented or not, at least as long, nothing but spaces after it.
func closesFence(line, fence string) bool {
	rest := strings.TrimLeft(line, " \t")
	n := 0
	for n < len(rest) && rest[n] == fence[0] {
		n++
	}
	return n >= len(fence) && strings.TrimSpace(rest[n:]) == ""
}

// dangerousLink finds the "](" of an inline link and the "]:" of a link
// definition, with what follows up to where a destination could end.
var dangerousLink = regexp.MustCompile(`\]([(:])([^)\]]{0,200})`)

// inertProse neutralises text outside code blocks (see inert).
func inertProse(s string) string {
	s = strings.ReplaceAll(s, "<", "&lt;")
	s = strings.ReplaceAll(s, "![", "!\\[")
	return dangerousLink.ReplaceAllStringFunc(s, func(m string) string {
		dest := strings.ToLower(strings.ReplaceAll(html.UnescapeString(m[2:]), "\\", ""))
		dest = strings.TrimLeft(dest, " \t\n<") // html.UnescapeString made "&lt;" a "<" again
		for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
			if strings.HasPrefix(dest, scheme) {
				return "]\\" + m[1:] // "]\(" or "]\:": text, not a link
			}
		}
		return m
	})
}
