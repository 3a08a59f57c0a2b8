package main

import (
	"context"
	"flag"
	"os"
	"strings"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/lambda"
)

// errLambdaDisk is why magi lambda refuses a SQLite store.
var errLambdaDisk = magi.Errorf(magi.ECONFIG,
	"magi lambda needs MAGI_DB=postgres://…: Lambda's local disk is not durable, so deliberations would be lost; see docs/DEPLOY.md")

// lambdaShutdownGrace is how long running deliberations get when Lambda
// sends SIGTERM: it kills the process soon after.
const lambdaShutdownGrace = 300 * time.Millisecond

// cmdLambda serves the HTTP API as an AWS Lambda Function URL handler in
// RESPONSE_STREAM mode. main runs it when the binary is named bootstrap
// and AWS_LAMBDA_RUNTIME_API is set.
func cmdLambda(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("lambda", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	flags := commonFlags(fs)
	fs.StringVar(&flags.Provider, "provider", "", "provider for every agent (MAGI_PROVIDER)")
	fs.StringVar(&flags.Model, "model", "", "model for every agent (MAGI_MODEL)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(cfg.DB, "postgres://") && !strings.HasPrefix(cfg.DB, "postgresql://") {
		return errLambdaDisk
	}
	if env.getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return magi.Errorf(magi.ECONFIG, "magi lambda runs only inside AWS Lambda (AWS_LAMBDA_RUNTIME_API is not set); elsewhere use magi serve")
	}
	log := newLogger(cfg, env)
	if cfg.ProviderNote != "" {
		log.Warn(cfg.ProviderNote)
	}
	a, err := openApp(ctx, cfg, env.getenv, log)
	if err != nil {
		return err
	}
	defer a.Close()
	srv, err := a.server()
	if err != nil {
		return err
	}
	go exitOnSignal(ctx, a, srv, log)
	return lambda.Run(ctx, srv.Handler(), log)
}

// exitOnSignal ends the process when ctx ends (SIGTERM, which Lambda sends
// before it stops an environment that has extensions): running
// deliberations are stopped and stored as ended by a shutdown, then the
// process exits, as lambda.Run never returns.
func exitOnSignal(ctx context.Context, a *app, srv interface{ CloseStreams() }, log interface{ Info(string, ...any) }) {
	<-ctx.Done()
	log.Info("lambda: shutting down", "running", a.runner.Running())
	gctx, cancel := context.WithTimeout(context.Background(), lambdaShutdownGrace)
	defer cancel()
	_ = a.runner.Shutdown(gctx)
	srv.CloseStreams()
	_ = a.Close()
	os.Exit(0)
}
