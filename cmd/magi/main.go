// Command magi is the MAGI decision system: three AI sages deliberate on a
// question in parallel, SOLOMON judges, and code counts the votes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/magi-system/magi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	defer stop()
	args := os.Args[1:]
	if filepath.Base(os.Args[0]) == "bootstrap" && os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		args = append([]string{"lambda"}, args...)
	}
	err := run(ctx, args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	var exit exitError
	var usage usageError
	switch {
	case errors.As(err, &usage):
		os.Exit(2)
	case !errors.As(err, &exit):
		fmt.Fprintln(os.Stderr, "magi:", magi.Redact(err.Error()))
	}
	os.Exit(1)
}

// exitError is a failure already reported to the user.
type exitError struct{ error }

const usage = `magi — the MAGI decision system

Usage:
  magi serve              HTTP API and web UI (default 127.0.0.1:8080)
  magi ask "question"     one deliberation, streamed live in the terminal
  magi history            past deliberations, newest first
  magi show ID            the record of a deliberation
  magi replay ID          re-play a stored deliberation (--fast: no pauses)
  magi export ID          minutes as Markdown (--format md) or JSON (--format json)
  magi rm ID              delete a deliberation
  magi agents             the effective council, default (secrets masked)
  magi councils list|show|save|rm   saved councils: presets of the agents
  magi doctor             check every agent's provider and model
  magi keys create|list|revoke|adopt|reset   API keys for magi serve
  magi lambda             the HTTP handler as an AWS Lambda Function URL (response streaming)

Common flags: --db PATH|postgres://URL (MAGI_DB), --config FILE (MAGI_CONFIG).
Run "magi COMMAND -h" for a command's flags.
`

// run is the whole program, testable: it reads no global state.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{errors.New("no command given")}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	env := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmds := map[string]func(context.Context, *environment, []string) error{
		"ask": cmdAsk, "serve": cmdServe, "history": cmdHistory, "show": cmdShow,
		"replay": cmdReplay, "export": cmdExport, "rm": cmdRm, "agents": cmdAgents,
		"doctor": cmdDoctor, "keys": cmdKeys, "lambda": cmdLambda, "bench": cmdBench, "councils": cmdCouncils,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "magi: unknown command %q\n\n%s", args[0], usage)
		return usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	if err := cmd(ctx, env, args[1:]); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil // -h printed the command's flags
}

// environment is what a command may touch of the outside world.
type environment struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}
