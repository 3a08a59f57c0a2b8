// Package storetest is the one behaviour suite every magi.Store passes:
// store/sqlite and store/postgres run it against a real database.
package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// Run runs the suite. open returns a store on the database of t: the first
// call for a t makes a fresh database, later calls with the same t open
// another store (as another process would) on that same database. open
// closes its stores when t ends; the suite may close them earlier.
func Run(t *testing.T, open func(t *testing.T) magi.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) magi.Store)
	}{
		{"CreateAppendEvents", testCreateAppendEvents},
		{"CreateDuplicate", testCreateDuplicate},
		{"AppendSeqRules", testAppendSeqRules},
		{"TerminalStatus", testTerminalStatus},
		{"DeliberationFolds", testDeliberationFolds},
		{"DeliberationOwner", testDeliberationOwner},
		{"Summary", testSummary},
		{"ListPages", testListPages},
		{"ListOwnerAndLimits", testListOwnerAndLimits},
		{"Delete", testDelete},
		{"UnknownID", testUnknownID},
		{"WriteBatch", testWriteBatch},
		{"ConcurrentAppends", testConcurrentAppends},
		{"RecoverDeadInstance", testRecoverDeadInstance},
		{"Orphans", testOrphans},
		{"Ping", testPing},
		{"TwoRounds", testTwoRounds},
		{"StoredBeforeRounds", testStoredBeforeRounds},
		{"FirstQuestionIsAConversation", testFirstQuestionIsAConversation},
		{"Conversation", testConversation},
		{"DeleteLastTurn", testDeleteLastTurn},
		{"FollowUpRefused", testFollowUpRefused},
		{"CouncilInHistory", testCouncilInHistory},
		{"TraceID", testTraceID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// PerTest adapts a backend to Run's contract: fresh makes a new database
// and returns its address, connect opens a store on an address.
func PerTest(fresh func(t *testing.T) string, connect func(t *testing.T, addr string) magi.Store) func(t *testing.T) magi.Store {
	var mu sync.Mutex
	addrs := map[*testing.T]string{}
	return func(t *testing.T) magi.Store {
		t.Helper()
		mu.Lock()
		addr, ok := addrs[t]
		if !ok {
			addr = fresh(t)
			addrs[t] = addr
			t.Cleanup(func() {
				mu.Lock()
				delete(addrs, t)
				mu.Unlock()
			})
		}
		mu.Unlock()
		return connect(t, addr)
	}
}

// t0 is the time of the suite's events: fixed, with nanoseconds, in UTC.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 123000000, time.UTC) // events keep milliseconds

var agents = []magi.AgentInfo{
	{ID: magi.Melchior, Name: "MELCHIOR-1", Provider: "sim", Model: "m1"},
	{ID: magi.Balthasar, Name: "BALTHASAR-2", Provider: "sim", Model: "m2"},
	{ID: magi.Casper, Name: "CASPER-3", Provider: "sim", Model: "m3"},
	{ID: magi.Solomon, Name: "SOLOMON", Provider: "sim", Model: "m4"},
}

func newDelib(id string, at time.Time, owner string) magi.NewDeliberation {
	return magi.NewDeliberation{ID: id, Question: "question of " + id, Rule: magi.Majority, Owner: owner, CreatedAt: at}
}

func startEvent(id string, at time.Time) magi.Event {
	return magi.Event{Type: magi.EventStart, DeliberationID: id, Seq: 1, Timestamp: at,
		Question: "question of " + id, Rule: magi.Majority, Agents: agents}
}

func chunkEvent(id string, seq int64, agent magi.AgentID, text string) magi.Event {
	return magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: seq,
		Timestamp: t0.Add(time.Duration(seq) * time.Millisecond), Agent: agent, Content: text}
}

func verdictEvent(id string, seq int64, agent magi.AgentID, d magi.Decision) magi.Event {
	return magi.Event{Type: magi.EventVerdict, DeliberationID: id, Seq: seq, Timestamp: t0, Agent: agent,
		Verdict: &magi.Verdict{Decision: d, Confidence: 0.8, Summary: "because", Conditions: []string{}}}
}

func completeEvent(id string, seq int64, d magi.Decision) magi.Event {
	return magi.Event{Type: magi.EventComplete, DeliberationID: id, Seq: seq, Timestamp: t0.Add(time.Second),
		Outcome: &magi.Outcome{Decision: d, Rule: magi.Majority, Votes: magi.Votes{Approved: 2, Rejected: 1},
			Confidence: 0.7, Summary: "decided", Conditions: []string{}}, DurationMS: 1000}
}

func errorEvent(id string, seq int64, code string, fatal bool) magi.Event {
	return magi.Event{Type: magi.EventError, DeliberationID: id, Seq: seq, Timestamp: t0.Add(time.Second),
		Code: code, Message: "it went wrong: " + code, Fatal: fatal}
}

// begin creates id at at and appends its start event.
func begin(t *testing.T, s magi.Store, id string, at time.Time, owner string) {
	t.Helper()
	if err := Create(ctx(t), s, newDelib(id, at, owner)); err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
	mustAppend(t, s, startEvent(id, at))
}

func mustAppend(t *testing.T, s magi.Store, evs ...magi.Event) {
	t.Helper()
	if err := Append(ctx(t), s, evs...); err != nil {
		t.Fatalf("append %s seq %d..: %v", evs[0].DeliberationID, evs[0].Seq, err)
	}
}

// Create writes a batch of one new deliberation and returns its refusal,
// or the failure of the write.
func Create(ctx context.Context, s magi.Store, d magi.NewDeliberation) error {
	r, err := s.Write(ctx, magi.Batch{Create: []magi.NewDeliberation{d}})
	if err != nil {
		return err
	}
	return r.Err()
}

// Append writes a batch of one run of events, encoded, and returns its
// refusal, or the failure of the write.
func Append(ctx context.Context, s magi.Store, evs ...magi.Event) error {
	r, err := s.Write(ctx, magi.Batch{Append: [][]magi.Encoded{Encode(evs...)}})
	if err != nil {
		return err
	}
	return r.Err()
}

// Encode pairs each event with its JSON.
func Encode(evs ...magi.Event) []magi.Encoded {
	out := make([]magi.Encoded, len(evs))
	for i, e := range evs {
		x, err := magi.Encode(e)
		if err != nil {
			panic(err)
		}
		out[i] = x
	}
	return out
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := magi.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// wire is events as the wire shows them, for comparison.
func wire(t *testing.T, evs []magi.Event) []string {
	t.Helper()
	out := make([]string, len(evs))
	for i, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

func ctx(t *testing.T) context.Context { return t.Context() }
