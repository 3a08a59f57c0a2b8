package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
)

const councilsUsage = `Usage:
  magi councils list                 the built-in council (default) and the shared councils
  magi councils show NAME            a council, in the agents file's YAML
  magi councils save NAME FILE.yaml  check a council and save it, shared (replacing one of that name)
  magi councils rm NAME              delete a shared council

A council is a preset of the four agents — persona, provider, model,
temperature, max tokens, timeout, fallbacks — and a default rule and rounds,
written exactly as an agents file (docs/CONFIG.md) without prices, oidc or
allowed_models; an agent it leaves out keeps the server's. Use one with
magi ask --council NAME, "council": "NAME" in the API, or the web UI.

The CLI manages the shared councils: every caller of magi serve may use
them, only admins may change them through the API. A council is checked
against this machine's configuration (--config, MAGI_*, the providers with
credentials, the allow-lists of models): give it the configuration magi
serve runs with. save prints every problem and saves nothing if there is one.
Flags: --db PATH|postgres://URL (MAGI_DB), --config FILE (MAGI_CONFIG).
`

// councilCommands are the councils commands, by name.
var councilCommands = map[string]func(context.Context, *environment, *councilsCtx, []string) error{
	"list": councilsList, "show": councilsShow, "save": councilsSave, "rm": councilsRm,
}

// councilsCtx is what a councils command works with: the configuration
// councils are checked against, and the store.
type councilsCtx struct {
	cfg   *config.Config
	store magi.CouncilStore
}

// cmdCouncils manages the shared councils in the local store, as magi
// keys manages keys.
func cmdCouncils(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.stdout, councilsUsage)
		return nil
	}
	sub := councilCommands[args[0]]
	if sub == nil {
		err := fmt.Errorf("unknown councils command %q; use list, show, save or rm", args[0])
		fmt.Fprintf(env.stderr, "magi: %v\n\n%s", err, councilsUsage)
		return usageError{err}
	}
	fs, flags := newFlagSet("councils "+args[0], env)
	rest, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	cfg, err := config.Load(*flags, env.getenv)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DB, env.getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	cs, ok := st.(magi.CouncilStore)
	if !ok {
		return fmt.Errorf("the store %T cannot keep councils", st)
	}
	return sub(ctx, env, &councilsCtx{cfg: cfg, store: cs}, rest)
}

func councilsList(ctx context.Context, env *environment, c *councilsCtx, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("magi councils list takes no arguments")
	}
	saved, err := c.store.Councils(ctx, "")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRULE\tROUNDS\tAGENTS\tUPDATED")
	def := c.cfg.DefaultCouncil().Preset()
	fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", def.Name, def.Rule, def.Rounds, models(def), "built in: the agents file")
	for _, k := range saved {
		updated := k.UpdatedAt.Local().Format(time.DateTime)
		p, _, err := c.cfg.CheckCouncil(k.Doc, k.Name)
		if err != nil {
			fmt.Fprintf(tw, "%s\t\t\t%s\t%s\n", k.Name, "does not fit this configuration: magi councils show "+k.Name, updated)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", k.Name, p.Rule, p.Rounds, models(p), updated)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(saved) == 0 {
		fmt.Fprintln(env.stdout, "\nNo saved council yet. Save one from a YAML file: magi councils save NAME FILE.yaml")
	}
	return nil
}

// models is each agent's provider/model, in council order.
func models(p *magi.Preset) string {
	var out []string
	for _, a := range p.Agents {
		out = append(out, a.Provider+"/"+a.Model)
	}
	return strings.Join(out, " ")
}

func councilsShow(ctx context.Context, env *environment, c *councilsCtx, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("name the council: magi councils show NAME (see magi councils list)")
	}
	if args[0] == magi.DefaultCouncil {
		_, err := env.stdout.Write(c.cfg.DefaultCouncil().YAML())
		return err
	}
	k, err := c.store.CouncilByName(ctx, "", args[0])
	if err != nil {
		return err
	}
	council, err := c.cfg.ParseCouncil(k.Doc, k.Name)
	if err != nil {
		fmt.Fprintf(env.stderr, "magi: the council %s does not fit this configuration: %s\nAs stored:\n", k.Name, magi.ErrorMessage(err))
		_, err := fmt.Fprintf(env.stdout, "%s\n", k.Doc)
		return err
	}
	_, err = env.stdout.Write(council.YAML())
	return err
}

// councilsSave checks the council in the file args[1] and saves it as the
// shared council args[0], replacing one of that name.
func councilsSave(ctx context.Context, env *environment, c *councilsCtx, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("name the council and its file: magi councils save NAME FILE.yaml (- reads the standard input)")
	}
	name, path := args[0], args[1]
	data, err := readCouncilFile(env, path)
	if err != nil {
		return err
	}
	council, err := c.cfg.ReadCouncil(path, data, name)
	if err != nil {
		return err
	}
	k := magi.SavedCouncil{Name: council.Name(), Doc: council.JSON()}
	verb := "Saved"
	if err := c.store.CreateCouncil(ctx, k); magi.ErrorCode(err) == magi.ECONFLICT {
		verb = "Replaced"
		err = c.store.UpdateCouncil(ctx, k)
		if err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s the shared council %s: %s\n", verb, k.Name, models(council.Preset()))
	fmt.Fprintf(env.stdout, "Ask it: magi ask --council %s \"...\"; or pick it in the web UI, or send \"council\": %q to the API.\n", k.Name, k.Name)
	return nil
}

// readCouncilFile reads path, or the standard input for "-".
func readCouncilFile(env *environment, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(io.LimitReader(env.stdin, 1<<20))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, magi.Errorf(magi.EINVALID, "cannot read the council file %s: %v", path, err)
	}
	return data, nil
}

func councilsRm(ctx context.Context, env *environment, c *councilsCtx, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("name the council to delete: magi councils rm NAME")
	}
	if args[0] == magi.DefaultCouncil {
		return fmt.Errorf("the council default is built in: it is the agents file (--config, MAGI_CONFIG); edit that instead")
	}
	if err := c.store.DeleteCouncil(ctx, "", args[0]); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Deleted the shared council %s. Deliberations put to it keep what it was (their record's council).\n", args[0])
	return nil
}

// askPreset is the saved council name a question of magi ask is put to:
// a shared one (the CLI's own), checked against the configuration now;
// nil for "" and default.
func askPreset(ctx context.Context, a *app, name string, flags *config.Flags) (*magi.Preset, error) {
	if name == "" || name == magi.DefaultCouncil {
		return nil, nil
	}
	if flags.Provider != "" || flags.Model != "" {
		return nil, magi.Errorf(magi.EINVALID, "--council %s chooses the agents' providers and models: leave out --provider and --model", name)
	}
	if err := magi.CheckCouncilName(name); err != nil {
		return nil, err
	}
	cs, ok := a.store.(magi.CouncilStore)
	if !ok {
		return nil, fmt.Errorf("the store %T cannot keep councils", a.store)
	}
	k, err := cs.CouncilByName(ctx, "", name)
	if magi.ErrorCode(err) == magi.ENOTFOUND {
		return nil, magi.Errorf(magi.EINVALID, "no shared council named %q: see magi councils list", name)
	} else if err != nil {
		return nil, err
	}
	p, _, err := a.cfg.CheckCouncil(k.Doc, k.Name)
	if err != nil {
		return nil, fmt.Errorf("the council %s does not fit this configuration: %s", name, magi.ErrorMessage(err))
	}
	return p, nil
}
