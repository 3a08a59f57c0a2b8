package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
)

const keysUsage = `Usage:
  magi keys create NAME [--admin]   a new API key for magi serve (shown once)
  magi keys list                    every key: id, name, admin, created, revoked
  magi keys revoke ID               refuse a key from now on

Once any key exists, every /api/ request (and POST /invocations) to magi serve needs
"Authorization: Bearer <key>". An admin key sees every deliberation; any
other key sees only its own. Flags: --db PATH|postgres://URL (MAGI_DB).
`

// cmdKeys manages the API keys of magi serve.
func cmdKeys(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.stdout, keysUsage)
		return nil
	}
	sub := map[string]func(context.Context, *environment, magi.KeyStore, []string) error{
		"create": keysCreate, "list": keysList, "revoke": keysRevoke,
	}[args[0]]
	if sub == nil {
		err := fmt.Errorf("unknown keys command %q; use create, list or revoke", args[0])
		fmt.Fprintf(env.stderr, "magi: %v\n\n%s", err, keysUsage)
		return usageError{err}
	}
	fs, flags := newFlagSet("keys "+args[0], env)
	admin := fs.Bool("admin", false, "the key sees and manages every deliberation (create only)")
	rest, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if *admin && args[0] != "create" {
		return fmt.Errorf("--admin goes with magi keys create")
	}
	ks, closeStore, err := openKeyStore(ctx, env, flags)
	if err != nil {
		return err
	}
	defer closeStore()
	if args[0] == "create" {
		rest = append(rest, fmt.Sprint(*admin))
	}
	return sub(ctx, env, ks, rest)
}

// openKeyStore opens the configured store as a KeyStore.
func openKeyStore(ctx context.Context, env *environment, flags *config.Flags) (magi.KeyStore, func(), error) {
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg.DB, env.getenv)
	if err != nil {
		return nil, nil, err
	}
	ks, ok := st.(magi.KeyStore)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("the store %T cannot keep API keys", st)
	}
	return ks, func() { st.Close() }, nil
}

// keysCreate makes a key; args are NAME and whether it is an admin key.
func keysCreate(ctx context.Context, env *environment, ks magi.KeyStore, args []string) error {
	if len(args) != 2 || strings.TrimSpace(args[0]) == "" {
		return fmt.Errorf("name the key: magi keys create NAME [--admin]")
	}
	k, key := magi.NewKey(strings.TrimSpace(args[0]), args[1] == "true")
	if err := ks.CreateKey(ctx, k, magi.HashKey(key)); err != nil {
		return err
	}
	kind := "key"
	if k.Admin {
		kind = "admin key"
	}
	fmt.Fprintf(env.stdout, "Created %s %s (%s):\n\n  %s\n\n", kind, k.ID, k.Name, key)
	fmt.Fprintln(env.stdout, "Copy it now: it cannot be shown again (only its hash is stored).")
	fmt.Fprintln(env.stdout, `Send it as "Authorization: Bearer <key>". From now on every /api/ request and POST /invocations needs a key.`)
	return nil
}

func keysList(ctx context.Context, env *environment, ks magi.KeyStore, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("magi keys list takes no arguments")
	}
	keys, err := ks.Keys(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintln(env.stdout, "No API keys: the API of magi serve is open. Create one: magi keys create NAME")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tADMIN\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", k.ID, k.Name, k.Admin, k.CreatedAt.Local().Format(time.DateTime), revoked)
	}
	return tw.Flush()
}

func keysRevoke(ctx context.Context, env *environment, ks magi.KeyStore, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("name the key to revoke: magi keys revoke ID (see magi keys list)")
	}
	if err := ks.RevokeKey(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Revoked key %s: magi serve refuses it from now on.\n", args[0])
	return nil
}
