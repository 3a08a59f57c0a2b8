package main

import (
	"context"
	"flag"

	"github.com/magi-system/magi/config"
)

func cmdAgents(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("agents", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	flags := commonFlags(fs)
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return noArguments(env, "agents", pos)
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return err
	}
	return cfg.Describe(env.stdout)
}
