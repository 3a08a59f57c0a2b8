package storetest

import (
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// testSummary: the history line of one deliberation follows its appends,
// is hidden from another owner and names unknown ids not found.
func testSummary(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	begin(t, s, "sum1", at, "alice")
	mustAppend(t, s, chunkEvent("sum1", 2, magi.Casper, "hello"))
	got, err := s.Summary(ctx(t), "sum1", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "sum1" || got.Status != magi.StatusRunning || got.LastSeq != 2 || !got.CreatedAt.Equal(at) {
		t.Errorf("Summary while running = %+v, want running with last seq 2", got)
	}
	mustAppend(t, s, completeEvent("sum1", 3, magi.Approved))
	if got, err = s.Summary(ctx(t), "sum1", ""); err != nil || got.Status != magi.StatusCompleted ||
		got.Decision != magi.Approved || got.LastSeq != 3 {
		t.Errorf("Summary after complete = %+v, %v; want completed APPROVED, last seq 3", got, err)
	}
	_, err = s.Summary(ctx(t), "sum1", "bob")
	wantCode(t, "Summary of another owner's deliberation", err, magi.ENOTFOUND)
	_, err = s.Summary(ctx(t), "nope", "")
	wantCode(t, "Summary of an unknown id", err, magi.ENOTFOUND)
}
