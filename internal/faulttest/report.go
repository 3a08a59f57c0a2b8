package faulttest

import (
	"testing"

	"github.com/magi-system/magi"
)

// Tally counts what a test did, for its summary line (the figures of
// docs/RELIABILITY.md are these lines of the last run).
type Tally struct {
	Runs, Faults, Deliberations, Clients, Refused int
	// Outcomes counts the deliberations by final status.
	Outcomes map[magi.Status]int
}

// AddClients adds the clients of a run.
func (t *Tally) AddClients(cs []*Client) {
	for _, c := range cs {
		t.Clients++
		if c.Refused != nil {
			t.Refused++
		}
	}
}

// Outcome counts a deliberation's final status.
func (t *Tally) Outcome(s magi.Status) {
	if t.Outcomes == nil {
		t.Outcomes = map[magi.Status]int{}
	}
	t.Outcomes[s]++
}

// Log writes the summary line of tb:
//
//	FAULTS TestX: runs 8, faults 11, deliberations 48, clients 144 (refused 0), outcomes map[…], violations 0
func (t *Tally) Log(tb testing.TB, v *Violations) {
	tb.Helper()
	tb.Logf("FAULTS %s: runs %d, faults %d, deliberations %d, clients %d (refused %d), outcomes %v, violations %d",
		tb.Name(), t.Runs, t.Faults, t.Deliberations, t.Clients, t.Refused, t.Outcomes, v.N())
}
