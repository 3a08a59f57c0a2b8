package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// orphaner is what the store checker (store/check) asks of every store
// beside magi.Store.
type orphaner interface {
	Orphans(ctx context.Context) ([]string, error)
}

// testOrphans: Orphans names the running deliberations of a store that is
// gone, and writes nothing; Recover then interrupts exactly those.
func testOrphans(t *testing.T, open func(*testing.T) magi.Store) {
	dying, live := open(t), open(t)
	o, ok := live.(orphaner)
	if !ok {
		t.Fatalf("%T has no Orphans method", live)
	}
	lost, finished, kept := magi.NewID(), magi.NewID(), magi.NewID()
	begin(t, dying, lost, t0, "")
	begin(t, dying, finished, t0, "")
	mustAppend(t, dying, completeEvent(finished, 2, magi.Approved))
	begin(t, live, kept, t0, "")
	if ids, err := o.Orphans(ctx(t)); err != nil || len(ids) != 0 {
		t.Fatalf("Orphans with both alive: %v, %v; want none", ids, err)
	}
	if err := dying.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 { // twice: the first wrote nothing
		ids, err := o.Orphans(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{lost}, ids); diff != "" {
			t.Fatalf("orphans (-want +got):\n%s", diff)
		}
	}
	if s, err := live.Summary(ctx(t), lost, ""); err != nil || s.Status != magi.StatusRunning || s.LastSeq != 1 {
		t.Errorf("after Orphans: %+v, %v; want it untouched, running at seq 1", s, err)
	}
	if ids, err := live.Recover(ctx(t)); err != nil || !cmp.Equal(ids, []string{lost}) {
		t.Errorf("Recover: %v, %v; want the orphan %s", ids, err, lost)
	}
	if ids, err := o.Orphans(ctx(t)); err != nil || len(ids) != 0 {
		t.Errorf("Orphans after Recover: %v, %v; want none", ids, err)
	}
}
