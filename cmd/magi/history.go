package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/feed"
	"github.com/magi-system/magi/minutes"
	"github.com/magi-system/magi/term"
)

// openStoreOnly opens the configured store for the history commands.
func openStoreOnly(ctx context.Context, env *environment, fs *flag.FlagSet, flags *config.Flags, args []string) (magi.Store, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if err := fs.Parse(append([]string{"--"}, pos...)); err != nil { // fs.Args() are pos
		return nil, err
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return nil, err
	}
	return openStore(ctx, cfg.DB, env.getenv)
}

func cmdHistory(ctx context.Context, env *environment, args []string) error {
	fs, flags := newFlagSet("history", env)
	limit := fs.Int("n", 20, "how many per page")
	cursor := fs.String("cursor", "", "the page after this cursor (printed at the end of a page)")
	st, err := openStoreOnly(ctx, env, fs, flags, args)
	if err != nil {
		return err
	}
	defer st.Close()
	page, err := st.List(ctx, magi.ListFilter{Limit: *limit, Cursor: *cursor})
	if err != nil {
		return err
	}
	if len(page.Items) == 0 {
		fmt.Fprintln(env.stdout, `No deliberations yet. Ask one: magi ask "Should we adopt a four-day work week?"`)
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tASKED\tSTATUS\tDECISION\tQUESTION")
	for _, s := range page.Items {
		q := truncate(s.Question, 60)
		if s.Simulated {
			q = "[sim] " + q
		}
		if s.Council != "" && s.Council != magi.DefaultCouncil {
			q = "[council " + s.Council + "] " + q
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.CreatedAt.Local().Format("2006-01-02 15:04"), s.Status, s.Decision, q)
	}
	tw.Flush()
	if page.NextCursor != "" {
		fmt.Fprintf(env.stdout, "\nMore: magi history --cursor %s\n", page.NextCursor)
	}
	return nil
}

func cmdShow(ctx context.Context, env *environment, args []string) error {
	fs, flags := newFlagSet("show", env)
	asJSON := fs.Bool("json", false, "print the record as JSON")
	whole := fs.Bool("conversation", false, "the whole conversation of the deliberation, every turn in order")
	st, err := openStoreOnly(ctx, env, fs, flags, args)
	if err != nil {
		return err
	}
	defer st.Close()
	if *whole {
		c, err := conversationOf(ctx, st, fs.Args())
		if err != nil {
			return err
		}
		return writeConversation(env, c, *asJSON)
	}
	rec, err := record(ctx, st, fs.Args())
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, rec)
	}
	fmt.Fprint(env.stdout, minutes.Markdown(rec))
	return nil
}

func cmdExport(ctx context.Context, env *environment, args []string) error {
	fs, flags := newFlagSet("export", env)
	format := fs.String("format", "md", "md (Markdown minutes) or json (the record)")
	whole := fs.Bool("conversation", false, "the whole conversation of the deliberation, every turn in order")
	st, err := openStoreOnly(ctx, env, fs, flags, args)
	if err != nil {
		return err
	}
	defer st.Close()
	if *format != "md" && *format != "json" {
		return magi.Errorf(magi.EINVALID, "unknown format %q: use md or json", *format)
	}
	if *whole {
		c, err := conversationOf(ctx, st, fs.Args())
		if err != nil {
			return err
		}
		return writeConversation(env, c, *format == "json")
	}
	rec, err := record(ctx, st, fs.Args())
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env, rec)
	}
	fmt.Fprint(env.stdout, minutes.Markdown(rec))
	return nil
}

func cmdRm(ctx context.Context, env *environment, args []string) error {
	fs, flags := newFlagSet("rm", env)
	whole := fs.Bool("conversation", false, "delete the whole conversation of the deliberation, every turn")
	st, err := openStoreOnly(ctx, env, fs, flags, args)
	if err != nil {
		return err
	}
	defer st.Close()
	if fs.NArg() != 1 {
		return magi.Errorf(magi.EINVALID, "usage: magi rm [--conversation] ID")
	}
	id := fs.Arg(0)
	if *whole {
		return rmConversation(ctx, env, st, id)
	}
	err = st.Delete(ctx, id, "")
	if magi.ErrorCode(err) == magi.ECONFLICT {
		err = deleteStale(ctx, env, st, id, err)
	}
	if err != nil {
		return named(err, id)
	}
	fmt.Fprintf(env.stdout, "deleted %s\n", id)
	return nil
}

// deleteStale deletes deliberation id, whose deletion failed with the
// conflict refused: when it is running in a process that is gone (killed,
// crashed), it is marked interrupted first; when that process is alive,
// the error says how to stop it.
func deleteStale(ctx context.Context, env *environment, st magi.Store, id string, refused error) error {
	if s, err := st.Summary(ctx, id, ""); err != nil || s.Status != magi.StatusRunning {
		return refused
	}
	ids, err := st.Recover(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, id) {
		return magi.Errorf(magi.ECONFLICT, "deliberation %s is still running in a live magi process: "+
			"stop it first (Ctrl-C in its magi ask, or POST /api/deliberations/%s/cancel to its magi serve), then magi rm %s", id, id, id)
	}
	fmt.Fprintf(env.stdout, "%s was left running by a magi process that stopped: marked interrupted\n", id)
	return st.Delete(ctx, id, "")
}

func cmdReplay(ctx context.Context, env *environment, args []string) error {
	fs, flags := newFlagSet("replay", env)
	fast := fs.Bool("fast", false, "no pauses: print the stored stream at once")
	plain := fs.Bool("plain", false, "plain labelled lines, no colours or panes")
	st, err := openStoreOnly(ctx, env, fs, flags, args)
	if err != nil {
		return err
	}
	defer st.Close()
	if fs.NArg() != 1 {
		return magi.Errorf(magi.EINVALID, "usage: magi replay [--fast] ID")
	}
	sum, err := st.Summary(ctx, fs.Arg(0), "")
	if err != nil {
		return named(err, fs.Arg(0)) // before the renderer draws anything
	}
	opts := term.Options{Mode: term.Plain}
	if f, ok := env.stdout.(*os.File); ok && !*plain {
		opts = term.Detect(f, env.getenv)
	}
	opts.Follows = parentOf(ctx, st, sum)
	rd := term.New(env.stdout, opts)
	defer rd.Close()
	return replay(ctx, st, fs.Arg(0), *fast, rd)
}

// replay shows deliberation id's stored stream on rd, at its original
// pace unless fast (a pause is at most 5 s): the stream the one follower
// gives, to its end, or of a deliberation still running in another
// process, as far as it is stored.
func replay(ctx context.Context, st magi.Store, id string, fast bool, rd *term.Renderer) error {
	s := feed.NewFeed(st, feed.NewHub(feed.HubOptions{})).Follow(id, 0)
	defer s.Close()
	var prev time.Time
	for {
		x, ok, err := s.Next(ctx)
		switch {
		case err == io.EOF || (err == nil && !ok):
			return nil
		case err != nil:
			return named(err, id)
		}
		e := x.Event
		if !prev.IsZero() && !fast {
			select {
			case <-time.After(min(e.Timestamp.Sub(prev), 5*time.Second)):
			case <-ctx.Done():
				return ctx.Err()
			}
			rd.Tick()
		}
		prev = e.Timestamp
		rd.Event(e)
	}
}

func record(ctx context.Context, st magi.Store, args []string) (magi.Record, error) {
	if len(args) != 1 {
		return magi.Record{}, magi.Errorf(magi.EINVALID, "name one deliberation id (see magi history)")
	}
	rec, err := st.Deliberation(ctx, args[0], "")
	return rec, named(err, args[0])
}

// named says which id was not found.
func named(err error, id string) error {
	if magi.ErrorCode(err) == magi.ENOTFOUND {
		return magi.Errorf(magi.ENOTFOUND, "deliberation %q not found: magi history lists the ids", id)
	}
	return err
}

func writeJSON(env *environment, v any) error {
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
