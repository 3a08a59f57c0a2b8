package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
)

// cmdDoctor checks every configured agent's provider: reachable,
// authenticated, model exists; and says what to fix. With --store it
// checks the whole store instead (doctorStore).
func cmdDoctor(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	flags := commonFlags(fs)
	store := fs.Bool("store", false, "check every deliberation of the store (and nothing else): finished or running in a live process, events complete, records agreeing with their events")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return noArguments(env, "doctor", pos)
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		fmt.Fprintf(env.stdout, "✗ configuration: %s\n", magi.Redact(err.Error()))
		return exitError{err}
	}
	if *store {
		return doctorStore(ctx, env, cfg)
	}
	if cfg.ProviderNote != "" {
		fmt.Fprintln(env.stdout, "! "+cfg.ProviderNote)
	}
	providers := map[string]magi.Provider{}
	perr := map[string]error{}
	failed := 0
	for _, a := range cfg.Agents {
		for i, ref := range a.Models() {
			role := "model"
			if i > 0 {
				role = fmt.Sprintf("fallback %d", i)
			}
			label := fmt.Sprintf("%-11s %-10s %s/%s", a.Name, role, ref.Provider, ref.Model)
			p, seen := providers[ref.Provider]
			if !seen && perr[ref.Provider] == nil {
				if p, err = newProvider(ctx, cfg, nil, ref.Provider); err != nil {
					perr[ref.Provider] = err
				}
				providers[ref.Provider] = p
			}
			if err := perr[ref.Provider]; err != nil {
				failed++
				fmt.Fprintf(env.stdout, "✗ %s: %s\n", label, magi.Redact(err.Error()))
				continue
			}
			if err := check(ctx, p, ref.Model); err != nil {
				failed++
				fmt.Fprintf(env.stdout, "✗ %s: %s\n", label, magi.Redact(err.Error()))
				continue
			}
			fmt.Fprintf(env.stdout, "✓ %s: %s\n", label, okText(p))
		}
	}
	st, err := openStore(ctx, cfg.DB, env.getenv)
	if err != nil {
		failed++
		fmt.Fprintf(env.stdout, "✗ store: %s\n", magi.Redact(err.Error()))
	} else {
		st.Close()
		fmt.Fprintln(env.stdout, "✓ store: opened")
	}
	if doctorSignIn(ctx, cfg, env.stdout) {
		failed++
	}
	if failed > 0 {
		return exitError{fmt.Errorf("%d check(s) failed", failed)}
	}
	fmt.Fprintln(env.stdout, "All checks passed.")
	return nil
}

// check asks a provider whether the model can be called; the simulated
// council has nothing to check.
func check(ctx context.Context, p magi.Provider, model string) error {
	c, ok := p.(providerChecker)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return c.Check(ctx, model)
}

func okText(p magi.Provider) string {
	if _, ok := p.(providerChecker); !ok {
		return "nothing to check (simulated)"
	}
	return "reachable, authenticated, model found"
}
