package magi

import (
	"strings"
	"testing"
)

// The decision word is read exactly: a negated, hedged or mixed word is
// never read as the vote it contains.
func TestParseDecision(t *testing.T) {
	tests := []struct {
		word string
		want Decision // "" when it must not be read
		why  string   // a word the reason must contain
	}{
		// Issue 11: these were read as their opposite.
		{"不承認", Rejected, ""},
		{"非承認", Rejected, ""},
		{"承認しない", Rejected, ""},
		{"賛成できない", Rejected, ""},
		{"反対しない", "", "negated"},
		{"UNCONDITIONAL APPROVAL", Approved, ""},
		{"NO CONDITIONS", "", "negated"},
		{"CONDITIONS NOT MET", "", "negated"},
		// Other negations.
		{"承認しません", Rejected, ""},
		{"承認できません。", Rejected, ""},
		{"賛成しないです", Rejected, ""},
		{"not approved", Rejected, ""},
		{"Do not approve", Rejected, ""},
		{"DISAPPROVED", Rejected, ""},
		{"NO-GO", Rejected, ""},
		{"未承認", "", "negated"},
		{"不承認ではない", "", "negated"},
		{"否決しない", "", "negated"},
		{"否決せず", "", "negated"},
		{"却下ではない", "", "negated"},
		{"NOT REJECTED", "", "negated"},
		{"NOT DISAPPROVED", "", "negated"},
		{"never approve", "", "negated"},
		{"cannot approve", "", "negated"},
		{"UNAPPROVED", "", "negated"},
		{"non-approval", "", "negated"},
		{"NOT CONDITIONAL", "", "negated"},
		{"無条件", "", "negated"},
		// Hedged and mixed.
		{"probably approve", "", "hedged"},
		{"Leaning REJECTED", "", "hedged"},
		{"たぶん承認", "", "hedged"},
		{"APPROVED/REJECTED", "", "more than one"},
		{"APPROVED OR CONDITIONAL", "", "more than one"},
		{"CONDITIONAL REJECTION", "", "more than one"},
		{"MAYBE", "", "unknown"},
		// What keeps working.
		{"APPROVED", Approved, ""},
		{" approve ", Approved, ""},
		{"**Approved**", Approved, ""},
		{"ＡＰＰＲＯＶＥＤ", Approved, ""},
		{"yes", Approved, ""},
		{"No", Rejected, ""},
		{"reject.", Rejected, ""},
		{"REJECTED!", Rejected, ""},
		{"CONDITIONAL", Conditional, ""},
		{"conditionally approved", Conditional, ""},
		{"Approved with conditions", Conditional, ""},
		{"APPROVED (WITH CONDITIONS)", Conditional, ""},
		{"CONDITIONAL_APPROVAL", Conditional, ""},
		{"承認", Approved, ""},
		{"承認します。", Approved, ""},
		{"賛成です", Approved, ""},
		{"否決", Rejected, ""},
		{"反対します", Rejected, ""},
		{"却下", Rejected, ""},
		{"条件付き承認", Conditional, ""},
		{"条件付承認", Conditional, ""},
		{"条件付", Conditional, ""},
		{"条件付きで賛成します", Conditional, ""},
		{"「条件付き承認」", Conditional, ""},
		{"無条件で承認", Approved, ""},
		{"棄権", Abstained, ""},
		{"ABSTAIN", Abstained, ""},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			got, why := parseDecision(tt.word)
			if got != tt.want {
				t.Fatalf("parseDecision(%q) = %q (%s), want %q", tt.word, got, why, tt.want)
			}
			if (got == "") != (why != "") || !strings.Contains(why, tt.why) {
				t.Errorf("parseDecision(%q) reason %q, want one containing %q", tt.word, why, tt.why)
			}
		})
	}
}
