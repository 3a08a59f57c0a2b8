package sim

import (
	"strings"

	"github.com/magi-system/magi"
)

// QuotedAnswers extracts, from a magi.JudgePrompt, each agent's quoted
// answer text by agent id: the simulated judge reads the sages' answers
// from its prompt, as a model would.
func QuotedAnswers(prompt string) map[magi.AgentID]string {
	out := map[magi.AgentID]string{}
	rest := prompt
	for {
		i := strings.Index(rest, "<<<ANSWER agent=\"")
		if i < 0 {
			return out
		}
		rest = rest[i+len("<<<ANSWER agent=\""):]
		j := strings.IndexByte(rest, '"')
		if j < 0 {
			return out
		}
		id := magi.AgentID(rest[:j])
		k := strings.Index(rest, ">>>\n")
		end := strings.Index(rest, "\n<<<END ")
		if k < 0 || end < k {
			return out
		}
		out[id] = rest[k+4 : end]
		rest = rest[end:]
	}
}
