package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/magi-system/magi/internal/pgtest"
)

// magiBin is the magi binary TestMain builds once, for the tests that run
// real processes (helpers_test.go).
var magiBin string

// TestMain builds the binary into a temporary directory, runs the tests,
// then stops the throwaway PostgreSQL server if a test started one.
func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "magi-cmd-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	magiBin = filepath.Join(dir, "magi")
	build := exec.Command("go", "build", "-o", magiBin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/magi: %v\n%s", err, out)
		return 1
	}
	defer pgtest.Stop()
	return m.Run()
}
