package journal

import (
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
	evs := []magi.Event{chunk("a", 4)}
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
