package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/magi-system/magi/config"
)

// commonFlags adds the flags every command shares.
func commonFlags(fs *flag.FlagSet) *config.Flags {
	f := &config.Flags{}
	fs.StringVar(&f.DB, "db", "", "store: a SQLite file path or a postgres:// URL (MAGI_DB)")
	fs.StringVar(&f.ConfigPath, "config", "", "agents YAML file (MAGI_CONFIG)")
	return f
}

// newFlagSet is a command's flag set, reporting to stderr, with the
// common flags.
func newFlagSet(name string, env *environment) (*flag.FlagSet, *config.Flags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	return fs, commonFlags(fs)
}

// usageError is a command line magi cannot run, already reported with the
// usage (the flag package prints its own errors): main prints nothing more
// and exits 2, as flag.ExitOnError would.
type usageError struct{ error }

// parseFlags parses fs's flags before, between and after the positional
// arguments, which it returns in order (magi export ID --format md, magi
// ask "question" --json). A literal "--" ends the flags: everything after
// it is positional, so a question may start with a dash. A bad flag is a
// usageError; -h is flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// noArguments reports the arguments of a command that takes none.
func noArguments(env *environment, cmd string, args []string) error {
	err := fmt.Errorf("the %s command takes no arguments, only flags (got %q): see magi %s -h", cmd, args[0], cmd)
	fmt.Fprintln(env.stderr, "magi:", err)
	return usageError{err}
}
