package magi

import (
	"fmt"
	"strings"
)

// Bounds of the rounds of debate a question may ask for.
const (
	// DefaultRounds is the rounds a question gets when neither it nor the
	// configuration says.
	DefaultRounds = 2
	// MaxRounds is the most rounds a deliberation may run.
	MaxRounds = 5
)

// AwaitingSolomon is the tally event's "awaiting" when the rule cannot
// decide without SOLOMON.
const AwaitingSolomon = "solomon"

// CheckRounds returns an EINVALID error unless n is a number of rounds a
// deliberation may run: 1 to MaxRounds.
func CheckRounds(n int) error {
	if n < 1 || n > MaxRounds {
		return Errorf(EINVALID, "rounds must be from 1 to %d, not %d", MaxRounds, n)
	}
	return nil
}

// Tally is the count of the final round's votes and, when the rule reaches
// a decision from them alone, that decision and its conditions. Decision is
// empty when the rule awaits SOLOMON: a majority tie, or the judge rule.
type Tally struct {
	Votes      Votes
	Decision   Decision
	Conditions []string
}

// TallyVotes counts sages under rule: the decision Decide will reach whatever
// SOLOMON says, or none when it depends on SOLOMON.
func TallyVotes(rule Rule, sages []Verdict) Tally {
	t := Tally{Votes: Count(sages)}
	pro, con := t.Votes.Approved+t.Votes.Conditional, t.Votes.Rejected
	if rule == Judge || (rule != Unanimous && pro == con) {
		return t
	}
	o := Decide(rule, sages, nil)
	t.Decision, t.Conditions = o.Decision, o.Conditions
	return t
}

// Split reports whether the sages' votes are not all the same, so another
// round of debate may move them.
func Split(sages []Verdict) bool {
	for _, s := range sages[min(1, len(sages)):] {
		if s.Decision != sages[0].Decision {
			return true
		}
	}
	return false
}

// SplitReason is the reason of the round event that follows a split round,
// e.g. "round 1 split 1 approved, 1 conditional, 1 rejected: the sages read
// each other's answers and vote again".
func SplitReason(round int, sages []Verdict) string {
	return fmt.Sprintf("round %d split %s: the sages read each other's answers and vote again",
		round, votesPhrase(Count(sages)))
}

// votesPhrase lists the non-zero counts of v, e.g. "2 approved, 1 rejected".
func votesPhrase(v Votes) string {
	var parts []string
	for _, c := range []struct {
		n    int
		word string
	}{{v.Approved, "approved"}, {v.Conditional, "conditional"}, {v.Rejected, "rejected"}, {v.Abstained, "abstained"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.word))
		}
	}
	return strings.Join(parts, ", ")
}

// VoteChange is a sage's vote that changed from one round to the next.
type VoteChange struct {
	// Name is the sage's display name.
	Name     string
	Round    int
	From, To Decision
}

// ChangeNote says which votes changed, e.g. "CASPER-3 changed REJECTED →
// CONDITIONAL in round 2"; empty when none did.
func ChangeNote(changes []VoteChange) string {
	parts := make([]string, len(changes))
	for i, c := range changes {
		parts[i] = fmt.Sprintf("%s changed %s → %s in round %d", c.Name, c.From, c.To, c.Round)
	}
	return strings.Join(parts, "; ")
}

// Changed returns the vote a sage changed from between two of its
// verdicts, or "" when it kept it or either round was an abstention (a
// failure, not a change of mind).
func Changed(before, after Decision) Decision {
	if before == after || before == Abstained || after == Abstained || before == "" || after == "" {
		return ""
	}
	return before
}
