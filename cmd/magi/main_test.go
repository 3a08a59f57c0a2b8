package main

import (
	"os"
	"testing"

	"github.com/magi-system/magi/internal/magitest"
	"github.com/magi-system/magi/internal/pgtest"
)

// TestMain runs the tests, then removes the magi binary magitest built for
// the tests that run real processes and stops the throwaway PostgreSQL
// server if a test started one.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	defer pgtest.Stop()
	return magitest.Main(m)
}
