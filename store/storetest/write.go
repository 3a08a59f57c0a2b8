package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// testWriteBatch writes one batch of creates and appends of several
// deliberations, some refused, and checks that exactly the others were
// stored, each refusal at its item.
func testWriteBatch(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	old, done := magi.NewID(), magi.NewID()
	begin(t, s, old, t0, "")
	begin(t, s, done, t0, "")
	mustAppend(t, s, completeEvent(done, 2, magi.Approved))
	fresh, other := magi.NewID(), magi.NewID()
	b := magi.Batch{
		Create: []magi.NewDeliberation{newDelib(fresh, t0, "k"), newDelib(old, t0, ""), newDelib("", t0, ""), newDelib(other, t0, "")},
		Append: [][]magi.Encoded{
			Encode(startEvent(fresh, t0), chunkEvent(fresh, 2, magi.Casper, "new")), // created in the same batch
			Encode(chunkEvent(old, 2, magi.Melchior, "a"), chunkEvent(old, 3, magi.Melchior, "b")),
			Encode(chunkEvent(old, 4, magi.Melchior, "c")), // continues the item before it
			Encode(chunkEvent(old, 9, magi.Melchior, "gap")),
			Encode(chunkEvent(done, 3, magi.Melchior, "after the end")),
			Encode(chunkEvent(magi.NewID(), 1, magi.Melchior, "unknown")),
			Encode(startEvent(other, t0)),
		},
	}
	refused, err := s.Write(ctx(t), b)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	var got []string
	for _, err := range append(refused.Create, refused.Append...) {
		got = append(got, magi.ErrorCode(err))
	}
	want := []string{"", magi.ECONFLICT, magi.EINVALID, "", "", "", "", magi.EINVALID, magi.ECONFLICT, magi.ENOTFOUND, ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("refusals, creates then appends (-want +got):\n%s", diff)
	}
	for id, wantEvs := range map[string][]magi.Event{
		fresh: {startEvent(fresh, t0), chunkEvent(fresh, 2, magi.Casper, "new")},
		old: {startEvent(old, t0), chunkEvent(old, 2, magi.Melchior, "a"), chunkEvent(old, 3, magi.Melchior, "b"),
			chunkEvent(old, 4, magi.Melchior, "c")},
		other: {startEvent(other, t0)},
	} {
		evs, err := s.Events(ctx(t), id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wire(t, wantEvs), wire(t, evs)); diff != "" {
			t.Errorf("events of %s (-want +got):\n%s", id, diff)
		}
	}
	if sum, err := s.Summary(ctx(t), fresh, "k"); err != nil || sum.Status != magi.StatusRunning || sum.LastSeq != 2 {
		t.Errorf("Summary of the deliberation created in the batch: %+v, %v", sum, err)
	}
	if refused, err := s.Write(ctx(t), magi.Batch{}); err != nil || refused.Err() != nil {
		t.Errorf("Write of an empty batch: %v, %v", refused.Err(), err)
	}
}
