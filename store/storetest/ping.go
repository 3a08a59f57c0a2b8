package storetest

import (
	"testing"

	"github.com/magi-system/magi"
)

// testPing: an open store answers Ping; a closed one says EUNAVAILABLE.
func testPing(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping of an open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); magi.ErrorCode(err) != magi.EUNAVAILABLE {
		t.Errorf("Ping of a closed store: %v, want EUNAVAILABLE", err)
	}
}
