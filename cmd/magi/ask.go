package main

import (
	"context"
	"encoding/json"
	"errors"
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

const askUsage = `Usage: magi ask [flags] "question" [flags]

Flags go before or after the question; "--" ends them, for a question that
starts with a dash: magi ask --json -- "-5°C tomorrow: cancel the picnic?"

`

func cmdAsk(ctx context.Context, env *environment, args []string) error {
	fs, flags := newFlagSet("ask", env)
	rule := fs.String("rule", "", "decision rule: majority, unanimous or judge (default: the agents file's rule:, else majority)")
	rounds := fs.Int("rounds", 0, fmt.Sprintf("most rounds of debate, 1 to %d (default: the agents file's rounds:, else %d)", magi.MaxRounds, magi.DefaultRounds))
	asJSON := fs.Bool("json", false, "print the final record as JSON instead of the live view")
	plain := fs.Bool("plain", false, "plain labelled lines, no colours or panes")
	followRef := fs.String("follow", "", "a follow-up: continue the conversation of deliberation `ID` (last: the newest deliberation)")
	councilName := fs.String("council", "", "the saved council to ask (magi councils list; default: the agents file's)")
	fs.StringVar(&flags.Provider, "provider", "", "provider for every agent (MAGI_PROVIDER)")
	fs.StringVar(&flags.Model, "model", "", "model for every agent (MAGI_MODEL)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), askUsage)
		fs.PrintDefaults()
	}
	defer catchSIGPIPE()()
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(words, " "))
	if question == "" {
		return magi.Errorf(magi.EINVALID, `no question: magi ask "Should we adopt a four-day work week?"`)
	}
	q := magi.Question{ID: magi.NewID(), Text: question}
	if *rule != "" {
		r, err := magi.ParseRule(*rule)
		if err != nil {
			return err
		}
		q.Rule = r
	}
	if flagSet(fs, "rounds") {
		if err := magi.CheckRounds(*rounds); err != nil {
			return magi.Errorf(magi.EINVALID, "--rounds %d: use a number of rounds from 1 to %d (1: no debate)", *rounds, magi.MaxRounds)
		}
		q.Rounds = *rounds
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
	if q.Preset, err = askPreset(ctx, a, *councilName, flags); err != nil {
		return err
	}
	var follows *magi.Turn
	if *followRef != "" {
		if q, follows, err = followUp(ctx, a.store, q, *followRef); err != nil {
			return err
		}
	}

	if err := a.runner.Start(context.WithoutCancel(ctx), q); err != nil {
		return err
	}
	// A closed output (magi ask … | head, a closed terminal) stops the
	// deliberation as an interrupt does: it ends cancelled, stored so.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	out := &outputWriter{w: env.stdout, failed: stop}
	render, tick, done := askView(env, out, *asJSON, *plain, follows)
	last, err := follow(ctx, a, q.ID, render, tick)
	done()
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printRecord(context.WithoutCancel(ctx), a, q.ID, out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "\nThe whole record: magi show %s\n", q.ID)
		if q.ParentID != "" {
			fmt.Fprintf(out, "The conversation: magi show %s --conversation\n", q.ID)
		}
		fmt.Fprintf(out, "Follow it up:     magi ask --follow %s \"…\"\n", q.ID)
	}
	return askEnd(ctx, env, last, q.ID, *asJSON)
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// askEnd is how `magi ask` ends: nil when the deliberation completed,
// otherwise its error, said on stderr unless the live view already showed
// it on the terminal.
func askEnd(ctx context.Context, env *environment, last magi.Event, id string, asJSON bool) error {
	if last.Type == magi.EventComplete {
		return nil
	}
	err := fmt.Errorf("%s: %s", last.Code, last.Message)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = fmt.Errorf("the output was closed (%v), so deliberation %s was cancelled: magi show %s", cause, id, id)
	} else if !asJSON && isTerminal(env.stdout) {
		return exitError{err}
	}
	fmt.Fprintln(env.stderr, "magi:", err)
	return exitError{err}
}

// askView returns the callbacks that show a deliberation on out as it
// runs: the terminal renderer, or nothing at all with --json. follows is
// the turn a follow-up follows, nil for a first question.
func askView(env *environment, out io.Writer, asJSON, plain bool, follows *magi.Turn) (render func(magi.Event), tick, done func()) {
	if asJSON {
		return func(magi.Event) {}, func() {}, func() {}
	}
	opts := term.Options{Mode: term.Plain}
	if f, ok := env.stdout.(*os.File); ok && !plain {
		opts = term.Detect(f, env.getenv)
	}
	opts.Follows = follows
	rd := term.New(out, opts)
	return rd.Event, rd.Tick, func() { _ = rd.Close() }
}

// printRecord writes the stored record of deliberation id to w as indented
// JSON.
func printRecord(ctx context.Context, a *app, id string, w io.Writer) error {
	rec, err := a.store.Deliberation(ctx, id, "")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rec)
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
// its `cancelled` end. It reads the stream in this goroutine.
func follow(ctx context.Context, a *app, id string, render func(magi.Event), tick func()) (magi.Event, error) {
	s := a.feed.Follow(id, 0)
	defer s.Close()
	read := context.WithoutCancel(ctx)
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	interrupt := ctx.Done()
	var last magi.Event
	for {
		x, ok, err := s.Next(read)
		switch {
		case err == io.EOF:
			return last, nil
		case err != nil:
			return last, err
		case ok:
			last = x.Event
			render(x.Event)
		}
		more := s.Ready()
		if ok {
			more = ready // there may be more at once: only look at the clock and the interrupt
		}
		select {
		case <-more:
		case <-ticker.C:
			tick()
		case <-interrupt:
			interrupt = nil
			a.runner.Cancel(id)
		}
	}
}

// ready is a channel that is always ready.
var ready = func() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()
