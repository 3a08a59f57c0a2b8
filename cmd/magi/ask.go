package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/term"
	xterm "golang.org/x/term"
)

func cmdAsk(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	flags := commonFlags(fs)
	rule := fs.String("rule", "majority", "decision rule: majority, unanimous or judge")
	asJSON := fs.Bool("json", false, "print the final record as JSON instead of the live view")
	plain := fs.Bool("plain", false, "plain labelled lines, no colours or panes")
	fs.StringVar(&flags.Provider, "provider", "", "provider for every agent (MAGI_PROVIDER)")
	fs.StringVar(&flags.Model, "model", "", "model for every agent (MAGI_MODEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if question == "" {
		return magi.Errorf(magi.EINVALID, `no question: magi ask "Should we adopt a four-day work week?"`)
	}
	r, err := magi.ParseRule(*rule)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return err
	}
	if cfg.ProviderNote != "" && !*asJSON {
		fmt.Fprintln(env.stderr, cfg.ProviderNote)
	}
	a, err := openApp(ctx, cfg, env.getenv, newLogger(cfg, env))
	if err != nil {
		return err
	}
	defer a.Close()

	q := magi.Question{ID: magi.NewID(), Text: question, Rule: r}
	if err := a.runner.Start(context.WithoutCancel(ctx), q); err != nil {
		return err
	}
	var render func(magi.Event)
	var tick, done func()
	if *asJSON {
		render, tick, done = func(magi.Event) {}, func() {}, func() {}
	} else {
		opts := term.Options{Mode: term.Plain}
		if f, ok := env.stdout.(*os.File); ok && !*plain {
			opts = term.Detect(f)
		}
		rd := term.New(env.stdout, opts)
		render, tick, done = rd.Event, rd.Tick, func() { _ = rd.Close() }
	}
	last, err := follow(ctx, a, q.ID, render, tick)
	done()
	if err != nil {
		return err
	}
	if *asJSON {
		rec, err := a.store.Deliberation(context.WithoutCancel(ctx), q.ID, "")
		if err != nil {
			return err
		}
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	if last.Type != magi.EventComplete {
		if *asJSON || !isTerminal(env.stdout) {
			fmt.Fprintf(env.stderr, "magi: %s: %s\n", last.Code, last.Message)
		}
		return exitError{fmt.Errorf("%s: %s", last.Code, last.Message)}
	}
	return nil
}

// isTerminal reports whether w is a terminal, where the live view has
// already shown the error that ended a deliberation; elsewhere (a pipe, a
// file) stderr must say it.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && xterm.IsTerminal(int(f.Fd()))
}

// follow renders the deliberation id until its terminal event, ticking the
// display; an interrupt (ctx) cancels the deliberation and follows it to
// its `cancelled` end.
func follow(ctx context.Context, a *app, id string, render func(magi.Event), tick func()) (magi.Event, error) {
	sub, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	events := make(chan magi.Event, 256)
	errs := make(chan error, 1)
	go func() {
		defer close(events)
		for e, err := range a.feed.Subscribe(sub, id, 0) {
			if err != nil {
				errs <- err
				return
			}
			events <- e
		}
	}()
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	interrupt := ctx.Done()
	var last magi.Event
	for {
		select {
		case e, ok := <-events:
			if !ok {
				select {
				case err := <-errs:
					return last, err
				default:
					return last, nil
				}
			}
			last = e
			render(e)
		case <-ticker.C:
			tick()
		case <-interrupt:
			interrupt = nil
			a.runner.Cancel(id)
		}
	}
}
