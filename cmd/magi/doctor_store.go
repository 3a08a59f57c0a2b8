package main

import (
	"context"
	"fmt"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	storecheck "github.com/magi-system/magi/store/check"
)

// doctorStore runs the store checker (package store/check) over the whole store
// of cfg and prints each violation with its deliberation id; it fails when
// there is any. It changes nothing: a deliberation left running by a dead
// process is reported, and marked interrupted by the next `magi serve`.
func doctorStore(ctx context.Context, env *environment, cfg *config.Config) error {
	st, err := openStore(ctx, cfg.DB, env.getenv)
	if err != nil {
		fmt.Fprintf(env.stdout, "✗ store: %s\n", magi.Redact(err.Error()))
		return exitError{err}
	}
	defer st.Close()
	cs, ok := st.(storecheck.Store)
	if !ok {
		return fmt.Errorf("the store %T cannot be checked", st)
	}
	rep, err := storecheck.Run(ctx, cs)
	if err != nil {
		fmt.Fprintf(env.stdout, "✗ store: %s\n", magi.Redact(err.Error()))
		return exitError{err}
	}
	for _, v := range rep.Violations {
		fmt.Fprintf(env.stdout, "✗ %s\n", v)
	}
	counts := fmt.Sprintf("%s (%d running), %s", plural(rep.Deliberations, "deliberation"), rep.Running, plural(int(rep.Events), "event"))
	if !rep.OK() {
		fmt.Fprintf(env.stdout, "✗ store: %d violation(s) in %s\n", len(rep.Violations), counts)
		return exitError{fmt.Errorf("%d violation(s)", len(rep.Violations))}
	}
	fmt.Fprintf(env.stdout, "✓ store: %s checked, no violation\n", counts)
	return nil
}

// plural is "1 event", "2 events".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
