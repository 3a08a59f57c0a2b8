package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/magi-system/magi/config"
)

// cmdDoctor checks every configured agent's provider: reachable,
// authenticated, model exists; and says what to fix.
func cmdDoctor(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	flags := commonFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		fmt.Fprintf(env.stdout, "✗ configuration: %v\n", err)
		return exitError{err}
	}
	if cfg.ProviderNote != "" {
		fmt.Fprintln(env.stdout, "! "+cfg.ProviderNote)
	}
	c, err := newCouncil(ctx, cfg)
	if err != nil {
		fmt.Fprintf(env.stdout, "✗ providers: %v\n", err)
		return exitError{err}
	}
	failed := 0
	for _, a := range cfg.Agents {
		for i, ref := range a.Models() {
			role := "model"
			if i > 0 {
				role = fmt.Sprintf("fallback %d", i)
			}
			label := fmt.Sprintf("%-11s %-10s %s/%s", a.Name, role, ref.Provider, ref.Model)
			checker, ok := c.Providers[ref.Provider].(providerChecker)
			if !ok {
				fmt.Fprintf(env.stdout, "✓ %s: nothing to check (simulated)\n", label)
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := checker.Check(cctx, ref.Model)
			cancel()
			if err != nil {
				failed++
				fmt.Fprintf(env.stdout, "✗ %s: %v\n", label, err)
				continue
			}
			fmt.Fprintf(env.stdout, "✓ %s: reachable, authenticated, model found\n", label)
		}
	}
	st, err := openStore(ctx, cfg.DB, env.getenv)
	if err != nil {
		failed++
		fmt.Fprintf(env.stdout, "✗ store: %v\n", err)
	} else {
		st.Close()
		fmt.Fprintln(env.stdout, "✓ store: opened")
	}
	if failed > 0 {
		return exitError{fmt.Errorf("%d check(s) failed", failed)}
	}
	fmt.Fprintln(env.stdout, "All checks passed.")
	return nil
}
