package journal

import (
	"errors"
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

// TestWrap: a driver error is named by backend and operation, an
// unavailable one becomes EUNAVAILABLE, a *magi.Error passes unchanged.
func TestWrap(t *testing.T) {
	down := errors.New("disk full")
	isDown := func(err error) bool { return errors.Is(err, down) }
	if err := Wrap("sqlite", isDown, "read", nil); err != nil {
		t.Errorf("Wrap(nil) = %v", err)
	}
	if err := Wrap("sqlite", isDown, "read", errors.New("syntax")); err == nil || err.Error() != "sqlite: read: syntax" {
		t.Errorf("Wrap(syntax) = %v, want sqlite: read: syntax", err)
	}
	var me *magi.Error
	if err := Wrap("postgres", isDown, "append", down); !errors.As(err, &me) || me.Code != magi.EUNAVAILABLE || !errors.Is(err, down) {
		t.Errorf("Wrap(down) = %v, want EUNAVAILABLE wrapping it", err)
	}
	nf := KeyNotFound("k1")
	if err := Wrap("postgres", isDown, "read key", nf); err != nf || !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("Wrap(not found) = %v, want it unchanged", err)
	}
}
