package term

import (
	"fmt"
	"strings"

	"github.com/magi-system/magi"
)

// SGR colour codes.
const (
	sgrBold    = "1"
	sgrDim     = "2"
	sgrRed     = "31"
	sgrGreen   = "32"
	sgrAmber   = "33"
	sgrMagenta = "35"
	sgrCyan    = "36"
	sgrGrey    = "90"
	sgrBlue    = "94"
)

// style paints text with ANSI colours, or leaves it plain.
type style struct{ color bool }

// paint wraps s in the SGR codes, when colour is on.
func (st style) paint(s string, codes ...string) string {
	if !st.color || s == "" || len(codes) == 0 {
		return s
	}
	return "\x1b[" + strings.Join(codes, ";") + "m" + s + "\x1b[0m"
}

// agentColor is the colour of an agent, the same everywhere.
func agentColor(id magi.AgentID) string {
	switch id {
	case magi.Melchior:
		return sgrCyan
	case magi.Balthasar:
		return sgrAmber
	case magi.Casper:
		return sgrMagenta
	case magi.Solomon:
		return sgrBlue
	}
	return sgrGrey
}

// decisionColor is the colour of a vote or a resolution.
func decisionColor(d magi.Decision) string {
	switch d {
	case magi.Approved:
		return sgrGreen
	case magi.Rejected:
		return sgrRed
	case magi.Conditional:
		return sgrAmber
	}
	return sgrGrey
}

// kanji is the MAGI display's word for a decision.
func kanji(d magi.Decision) string {
	switch d {
	case magi.Approved:
		return "承認"
	case magi.Rejected:
		return "否決"
	case magi.Conditional:
		return "条件付"
	case magi.Abstained:
		return "棄権"
	}
	return "？"
}

// decisionLabel is a decision in the MAGI style, e.g. "承認 APPROVED".
func (st style) decisionLabel(d magi.Decision) string {
	name := string(d)
	if name == "" {
		name = "UNDECIDED"
	}
	return st.paint(kanji(d)+" "+name, sgrBold, decisionColor(d))
}

// defaultNames are the display names of SPEC, for events that come
// without a start event.
var defaultNames = map[magi.AgentID]string{
	magi.Melchior:  "MELCHIOR-1",
	magi.Balthasar: "BALTHASAR-2",
	magi.Casper:    "CASPER-3",
	magi.Solomon:   "SOLOMON",
}

// spinner frames, one per tick.
var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// simulatedBanner is shown whenever no model was called.
const simulatedBanner = "SIMULATED COUNCIL — no model was called. " +
	"Set OPENAI_BASE_URL / ANTHROPIC_API_KEY / AWS_REGION to use a real model."

// percent shows a 0..1 confidence as a whole percentage.
func percent(c float64) string {
	return fmt.Sprintf("%.0f%%", c*100)
}

// seconds shows a duration in milliseconds as seconds, e.g. "12.3s".
func seconds(ms int64) string {
	return fmt.Sprintf("%.1fs", float64(ms)/1000)
}

// count shows a number with thousands separators, e.g. "12,345".
func count(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// cost shows a price in USD, or says it is unknown: unknown is never $0.
func cost(c *float64) string {
	switch {
	case c == nil:
		return "cost unknown"
	case *c < 1:
		return fmt.Sprintf("$%.4f", *c)
	}
	return fmt.Sprintf("$%.2f", *c)
}
