package magi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// DefaultCouncil is the name of the built-in council: the server's own
// agents (its agents file, environment and flags). It cannot be changed or
// deleted through the API.
const DefaultCouncil = "default"

// MaxCouncilName is the longest name of a council, in bytes.
const MaxCouncilName = 64

// CheckCouncilName returns an EINVALID error unless name can name a
// council: 1 to MaxCouncilName characters of a-z, 0-9 and '-'.
func CheckCouncilName(name string) error {
	if name == "" || len(name) > MaxCouncilName {
		return Errorf(EINVALID, "a council name is 1 to %d characters of a-z, 0-9 and -, not %d", MaxCouncilName, len(name))
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return Errorf(EINVALID, "the council name %q may only use a-z, 0-9 and -", truncated(name, MaxCouncilName))
		}
	}
	return nil
}

func truncated(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// SavedCouncil is a council preset as a store keeps it: its document (the
// agents file's settings in JSON, with the name, already checked) and who
// may use it.
type SavedCouncil struct {
	Name string
	// Owner is the owner that may use and change it (an API key's id or a
	// signed-in user's "oidc:<sub>"); "" for a shared council, which every
	// caller may use and only admins may change.
	Owner string
	// CreatedBy is the owner of the principal that created it, kept for
	// the record ("" for the CLI and the open API).
	CreatedBy string
	// Doc is the council document, JSON.
	Doc       []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Shared reports whether every caller may use the council.
func (c SavedCouncil) Shared() bool { return c.Owner == "" }

// CouncilStore keeps saved councils. A council is identified by its owner
// ("" for a shared one) and its name. store/sqlite, store/postgres and
// store/inmem implement it; all pass storetest.RunCouncils.
type CouncilStore interface {
	// CreateCouncil stores c: ECONFLICT if its owner has a council of that
	// name.
	CreateCouncil(ctx context.Context, c SavedCouncil) error
	// UpdateCouncil replaces the document of the council of c's owner and
	// name, and its UpdatedAt: ENOTFOUND if there is none. CreatedAt and
	// CreatedBy stay as they were.
	UpdateCouncil(ctx context.Context, c SavedCouncil) error
	// CouncilByName returns the council of owner named name: ENOTFOUND if
	// there is none.
	CouncilByName(ctx context.Context, owner, name string) (SavedCouncil, error)
	// Councils lists owner's councils and the shared ones, shared first,
	// each by name (owner "": the shared ones only).
	Councils(ctx context.Context, owner string) ([]SavedCouncil, error)
	// DeleteCouncil removes the council of owner named name: ENOTFOUND if
	// there is none.
	DeleteCouncil(ctx context.Context, owner, name string) error
}

// Preset is a saved council resolved for one deliberation: its four
// agents (the server's default agent for any it leaves out), and its
// default rule and rounds for a question that names none.
type Preset struct {
	Name   string
	Agents []Agent
	Rule   Rule
	Rounds int
}

// CouncilSnapshot is what the start event and the record keep of the
// council that deliberated, so that an old deliberation stays explainable
// after its council is edited or deleted.
type CouncilSnapshot struct {
	Name   string          `json:"name"`
	Agents []AgentSnapshot `json:"agents"`
}

// AgentSnapshot is one agent of a CouncilSnapshot: its model and
// parameters, and a hash of its persona (the persona itself may be long
// and is the council owner's; the hash tells whether it changed).
type AgentSnapshot struct {
	ID            AgentID    `json:"id"`
	Provider      string     `json:"provider"`
	Model         string     `json:"model"`
	PersonaSHA256 string     `json:"persona_sha256"`
	Temperature   *float64   `json:"temperature,omitempty"`
	MaxTokens     int        `json:"max_tokens,omitempty"`
	TimeoutMS     int64      `json:"timeout_ms,omitempty"`
	Fallbacks     []ModelRef `json:"fallbacks,omitempty"`
}

// Snapshot returns the snapshot of the council name of agents, in council
// order.
func Snapshot(name string, agents []Agent) *CouncilSnapshot {
	s := &CouncilSnapshot{Name: name, Agents: make([]AgentSnapshot, 0, len(agents))}
	for _, a := range agents {
		s.Agents = append(s.Agents, AgentSnapshot{ID: a.ID, Provider: a.Provider, Model: a.Model,
			PersonaSHA256: PersonaHash(a.Persona), Temperature: a.Temperature, MaxTokens: a.MaxTokens,
			TimeoutMS: a.Timeout.Milliseconds(), Fallbacks: a.Fallbacks})
	}
	return s
}

// PersonaHash is the hash a snapshot keeps of a persona (the system
// prompt as sent): the first 16 hex digits of its SHA-256.
func PersonaHash(persona string) string {
	sum := sha256.Sum256([]byte(persona))
	return hex.EncodeToString(sum[:8])
}

// ProviderOffer is a provider a council may choose, and its models: when
// Restricted, the operator's allow-list, the only models allowed; else
// suggestions (the models the server's own agents use), any model id
// being allowed.
type ProviderOffer struct {
	Name         string   `json:"name"`
	Models       []string `json:"models"`
	Restricted   bool     `json:"restricted"`
	DefaultModel string   `json:"default_model"`
}

// FieldError is one problem of an input document, at the path of its
// field, like agents.casper.model.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}
