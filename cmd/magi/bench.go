package main

import (
	"context"

	"github.com/magi-system/magi"
)

// cmdBench says where the bench went: it is a command of its own,
// cmd/magi-bench, so that this binary links none of its test tooling.
func cmdBench(context.Context, *environment, []string) error {
	return magi.Errorf(magi.EINVALID, "the bench is a command of its own: from the source tree, run go run ./cmd/magi-bench (see docs/BENCHMARKS.md)")
}
