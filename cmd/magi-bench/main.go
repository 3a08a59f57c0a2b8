// Command magi-bench measures MAGI against its baselines: it starts a magi
// binary as `magi serve` and drives it with a fake model (see package
// bench and docs/BENCHMARKS.md). It is kept apart from the magi command,
// as litestream keeps cmd/litestream-test, so that the shipped binary
// links none of its test tooling (the fake model, the PostgreSQL launcher).
//
//	go run ./cmd/magi-bench                # builds ./cmd/magi, then measures it
//	go run ./cmd/magi-bench --magi ./magi  # measures a binary already built
//	go run ./cmd/magi-bench --soak 30m     # a soak: the slopes of RSS, goroutines, descriptors
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
	var soak bench.SoakOptions
	fs.DurationVar(&soak.Duration, "soak", 0, "instead of the figures, soak: a steady load for this long (e.g. 30m), reporting the slope of the server's RSS, goroutines and open descriptors")
	fs.IntVar(&soak.Deliberations, "soak-deliberations", 200, "with --soak: deliberations at once, each read by 2 streams")
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
	if soak.Duration > 0 {
		soak.Binary, soak.PG, soak.Log = opts.Binary, opts.PG, stderr
		rep, err := bench.Soak(ctx, soak)
		if rep == nil {
			return err
		}
		return errors.Join(write(stdout, rep, asJSON), err)
	}
	rep, runErr := bench.Run(ctx, opts)
	if rep == nil {
		return runErr
	}
	return errors.Join(write(stdout, rep, asJSON), runErr)
}

// write prints a report as JSON or as a table.
func write(w io.Writer, rep interface{ WriteTable(io.Writer) error }, asJSON bool) error {
	if !asJSON {
		return rep.WriteTable(w)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
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
