package main

import (
	"context"

	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/store/sqlite"
)

func cmdAgents(ctx context.Context, env *environment, args []string) error {
	fs, flags := newFlagSet("agents", env)
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return noArguments(env, "agents", pos)
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return err
	}
	if cfg.DB == "" { // show where the default database really is
		cfg.DB, cfg.Sources["db"] = sqlite.DefaultPath(env.getenv), "built-in: the user's data directory"
	}
	return cfg.Describe(env.stdout)
}
