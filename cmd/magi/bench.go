package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/magi-system/magi/bench"
)

// cmdBench measures MAGI against its baselines: it starts this binary as
// `magi serve` and drives it with a fake model (see package bench).
func cmdBench(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	var opts bench.Options
	var asJSON bool
	fs.BoolVar(&opts.Quick, "quick", false, "small counts: a smoke test of seconds, not the figures")
	fs.StringVar(&opts.Only, "only", "", "run only these figures, comma-separated: ttfb, relay, parallel, streamed, scale, throughput, memory")
	fs.StringVar(&opts.PG, "pg", "", `also measure PostgreSQL: a postgres:// URL, or "auto" to start a throwaway server (MAGI_BENCH_PG)`)
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if opts.PG == "" {
		opts.PG = env.getenv("MAGI_BENCH_PG")
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: cannot find the magi binary to start: %w", err)
	}
	opts.Binary, opts.Log = bin, env.stderr
	rep, runErr := bench.Run(ctx, opts)
	if rep == nil {
		return runErr
	}
	if asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := rep.WriteTable(env.stdout); err != nil {
		return err
	}
	return runErr
}
