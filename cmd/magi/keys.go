package main

import (
	"context"
	"fmt"
	"slices"
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
  magi keys adopt ID                give the deliberations that belong to no key to key ID
  magi keys reset --yes             delete every key: the API is open again (local use)

While no key exists, the API of magi serve is open: for local use. Once any
key exists, every /api/ request (and POST /invocations) needs
"Authorization: Bearer <key>"; revoking every key does not open it again,
only magi keys reset does. An admin key sees every deliberation, the ones
from before keys existed included; any other key sees only its own.
The magi CLI reads the store directly and is not affected by keys.
Flags: --db PATH|postgres://URL (MAGI_DB).
`

// keyFlags are the flags of the keys commands.
type keyFlags struct {
	admin bool // create: an admin key
	yes   bool // reset: go ahead
}

// keyCommands are the keys commands, by name.
var keyCommands = map[string]func(context.Context, *environment, magi.KeyStore, []string, keyFlags) error{
	"create": keysCreate, "list": keysList, "revoke": keysRevoke, "adopt": keysAdopt, "reset": keysReset,
}

// cmdKeys manages the API keys of magi serve.
func cmdKeys(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.stdout, keysUsage)
		return nil
	}
	sub := keyCommands[args[0]]
	if sub == nil {
		err := fmt.Errorf("unknown keys command %q; use create, list, revoke, adopt or reset", args[0])
		fmt.Fprintf(env.stderr, "magi: %v\n\n%s", err, keysUsage)
		return usageError{err}
	}
	fs, flags := newFlagSet("keys "+args[0], env)
	var kf keyFlags
	fs.BoolVar(&kf.admin, "admin", false, "the key sees and manages every deliberation (create only)")
	fs.BoolVar(&kf.yes, "yes", false, "delete every key and open the API (reset only)")
	rest, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if kf.admin && args[0] != "create" {
		return fmt.Errorf("--admin goes with magi keys create")
	}
	if kf.yes && args[0] != "reset" {
		return fmt.Errorf("--yes goes with magi keys reset")
	}
	ks, closeStore, err := openKeyStore(ctx, env, flags)
	if err != nil {
		return err
	}
	defer closeStore()
	return sub(ctx, env, ks, rest, kf)
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

// keysCreate makes a key named args[0]. The first key changes how magi
// serve answers: it says what changes and what to do about the
// deliberations made before.
func keysCreate(ctx context.Context, env *environment, ks magi.KeyStore, args []string, kf keyFlags) error {
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return fmt.Errorf("name the key: magi keys create NAME [--admin]")
	}
	had, err := ks.HasKeys(ctx)
	if err != nil {
		return err
	}
	k, key := magi.NewKey(strings.TrimSpace(args[0]), kf.admin)
	if err := ks.CreateKey(ctx, k, magi.HashKey(key)); err != nil {
		return err
	}
	kind := "key"
	if k.Admin {
		kind = "admin key"
	}
	fmt.Fprintf(env.stdout, "Created %s %s (%s):\n\n  %s\n\n", kind, k.ID, k.Name, key)
	fmt.Fprintln(env.stdout, "Copy it now: it cannot be shown again (only its hash is stored).")
	fmt.Fprintln(env.stdout, `Send it as "Authorization: Bearer <key>"; the web UI asks for it.`)
	if !had {
		fmt.Fprint(env.stdout, firstKeyNote(k))
	}
	return nil
}

// firstKeyNote tells the operator what the first key changes.
func firstKeyNote(k magi.APIKey) string {
	earlier := fmt.Sprintf(`no key: admin keys see them, this key does not. To give them to it:

  magi keys adopt %s
`, k.ID)
	if k.Admin {
		earlier = `no key: this admin key sees them, as it sees every deliberation; a key that
is not an admin sees only its own (magi keys adopt ID gives them to one).
`
	}
	return `
This is the first API key. From now on (within 3 s, no restart) magi serve
needs a key for every /api/ request and POST /invocations; the magi CLI on
this machine is not affected. The deliberations asked before now belong to
` + earlier + `
Revoking every key keeps the API closed; to return to the open local mode,
delete them all: magi keys reset --yes
`
}

func keysList(ctx context.Context, env *environment, ks magi.KeyStore, args []string, _ keyFlags) error {
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

// keysRevoke revokes key args[0]; after the last key in use it says the
// API stays closed, and how to go on.
func keysRevoke(ctx context.Context, env *environment, ks magi.KeyStore, args []string, _ keyFlags) error {
	if len(args) != 1 {
		return fmt.Errorf("name the key to revoke: magi keys revoke ID (see magi keys list)")
	}
	if err := ks.RevokeKey(ctx, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Revoked key %s: magi serve refuses it from now on.\n", args[0])
	keys, err := ks.Keys(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(keys, func(k magi.APIKey) bool { return !k.Revoked() }) {
		fmt.Fprint(env.stdout, `
No key is in use now: magi serve refuses every API request, the web UI's
too (a revoked key never opens the API again). Create a key: magi keys
create NAME; or, on a server nobody else can reach, return to the open
local mode by deleting every key: magi keys reset --yes
`)
	}
	return nil
}

// keysAdopt gives the deliberations that belong to no key (asked before
// keys existed, or from the CLI) to key args[0].
func keysAdopt(ctx context.Context, env *environment, ks magi.KeyStore, args []string, _ keyFlags) error {
	if len(args) != 1 {
		return fmt.Errorf("name the key that takes them: magi keys adopt ID (see magi keys list)")
	}
	n, err := ks.AdoptOwnerless(ctx, args[0])
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(env.stdout, "No deliberation belongs to no key: nothing to adopt.")
		return nil
	}
	fmt.Fprintf(env.stdout, "Key %s now owns %d deliberation(s) that belonged to no key.\n", args[0], n)
	return nil
}

// keysReset deletes every key, which opens the API of magi serve again;
// without --yes it only says what it would do.
func keysReset(ctx context.Context, env *environment, ks magi.KeyStore, args []string, kf keyFlags) error {
	if len(args) != 0 {
		return fmt.Errorf("magi keys reset takes no arguments, only --yes")
	}
	keys, err := ks.Keys(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintln(env.stdout, "No API keys: the API of magi serve is already open.")
		return nil
	}
	if !kf.yes {
		return fmt.Errorf("magi keys reset deletes all %d API key(s), revoked ones too, and opens the API of magi serve "+
			"to anyone who can reach it, as an admin. On a server others can reach, create a key instead. "+
			"To go ahead: magi keys reset --yes", len(keys))
	}
	n, err := ks.DeleteKeys(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Deleted %d API key(s): the API of magi serve is open again within 3 s, "+
		"every caller an admin who sees every deliberation.\n", n)
	return nil
}
