package storetest

import (
	"testing"

	"github.com/magi-system/magi"
)

// testTraceID stores a deliberation whose start event carries its trace id
// and reads it back, from another store on the same database: in the
// record, and in the replayed start event.
func testTraceID(t *testing.T, open func(*testing.T) magi.Store) {
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	s := open(t)
	if err := Create(ctx(t), s, newDelib("traced", t0, "")); err != nil {
		t.Fatal(err)
	}
	start := startEvent("traced", t0)
	start.TraceID = trace
	mustAppend(t, s, start)
	other := open(t)
	r, err := other.Deliberation(ctx(t), "traced", "")
	if err != nil || r.TraceID != trace {
		t.Fatalf("record trace id = %q, %v; want %s", r.TraceID, err, trace)
	}
	evs, err := other.Events(ctx(t), "traced", 0, 0)
	if err != nil || len(evs) != 1 || evs[0].TraceID != trace {
		t.Fatalf("replayed start = %+v, %v; want trace id %s", evs, err, trace)
	}
	begin(t, s, "untraced", t0, "")
	if r, err := other.Deliberation(ctx(t), "untraced", ""); err != nil || r.TraceID != "" {
		t.Errorf("an untraced record: trace id %q, %v", r.TraceID, err)
	}
}
