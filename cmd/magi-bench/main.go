// Command magi-bench measures MAGI against its baselines: it starts a magi
// binary as `magi serve` and drives it with a fake model (see package
// bench and docs/BENCHMARKS.md). It is kept apart from the magi command,
// as litestream keeps cmd/litestream-test, so that the shipped binary
// links none of its test tooling (the fake model, the PostgreSQL launcher).
//
//	go run ./cmd/magi-bench                # builds ./cmd/magi, then measures it
//	go run ./cmd/magi-bench --magi ./magi  # measures a binary already built
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/magi-system/magi/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "magi-bench:", err)
		}
		os.Exit(1)
	}
}

// run is the whole command: it reads no global state.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("magi-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts bench.Options
	var asJSON bool
	fs.StringVar(&opts.Binary, "magi", "", "the magi binary to measure (default: build ./cmd/magi of this module)")
	fs.BoolVar(&opts.Quick, "quick", false, "small counts: a smoke test of seconds, not the figures")
	fs.StringVar(&opts.Only, "only", "", "run only these figures, comma-separated: idle, ttfb, relay, parallel, streamed, scale, throughput, memory, stalled, tracing")
	fs.StringVar(&opts.PG, "pg", "", `also measure PostgreSQL: a postgres:// URL, or "auto" to start a throwaway server (MAGI_BENCH_PG)`)
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if opts.PG == "" {
		opts.PG = getenv("MAGI_BENCH_PG")
	}
	if opts.Binary == "" {
		bin, cleanup, err := buildMagi(ctx, stderr)
		if err != nil {
			return err
		}
		defer cleanup()
		opts.Binary = bin
	}
	opts.Log = stderr
	rep, runErr := bench.Run(ctx, opts)
	if rep == nil {
		return runErr
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	return runErr
}

// buildMagi builds the magi command of this module into a temporary
// directory, as the user would ship it.
func buildMagi(ctx context.Context, log io.Writer) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "magi-bench-bin-")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "magi")
	fmt.Fprintln(log, "bench: building ./cmd/magi")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/magi-system/magi/cmd/magi")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build magi (or pass --magi PATH): %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}
