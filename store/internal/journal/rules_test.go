package journal

import (
	"slices"
	"testing"

	"github.com/magi-system/magi"
)

func TestPageSize(t *testing.T) {
	for in, want := range map[int]int{0: 20, -5: 20, 1: 1, 100: 100, 101: 100} {
		if got := PageSize(in); got != want {
			t.Errorf("PageSize(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestContinue(t *testing.T) {
	evs := []magi.Encoded{{Event: chunk("a", 4)}}
	for _, tc := range []struct {
		last   int64
		status magi.Status
		code   string
	}{
		{3, magi.StatusRunning, ""},
		{2, magi.StatusRunning, magi.EINVALID},
		{4, magi.StatusRunning, magi.EINVALID},
		{3, magi.StatusCompleted, magi.ECONFLICT},
	} {
		if got := magi.ErrorCode(Continue(evs, tc.last, tc.status)); got != tc.code {
			t.Errorf("Continue(last %d, %s) = %q, want %q", tc.last, tc.status, got, tc.code)
		}
	}
}

func chunk(id string, seq int64) magi.Event {
	return magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: seq, Agent: magi.Melchior, Content: "x"}
}

func TestCheck(t *testing.T) {
	enc := func(e magi.Event) magi.Encoded {
		x, err := magi.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	b := magi.Batch{
		Create: []magi.NewDeliberation{{ID: "a"}, {}},
		Append: [][]magi.Encoded{
			{enc(chunk("a", 1)), enc(chunk("a", 2))},
			{enc(chunk("a", 1)), enc(chunk("a", 3))},
			{enc(chunk("a", 1)), enc(chunk("b", 2))},
			{{Event: chunk("a", 1)}},
			nil,
		},
	}
	r := Check(b)
	var got []string
	for _, err := range append(r.Create, r.Append...) {
		got = append(got, magi.ErrorCode(err))
	}
	want := []string{"", magi.EINVALID, "", magi.EINVALID, magi.EINVALID, magi.EINVALID, magi.EINVALID}
	if !slices.Equal(got, want) {
		t.Errorf("Check refusals %q, want %q", got, want)
	}
}
