package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/magi-system/magi"
)

// CouncilChecker checks council documents against the server's
// configuration: its providers, its allow-lists of models, a council's
// limits (config.Config).
type CouncilChecker interface {
	// CheckCouncil parses and checks the council document doc (JSON),
	// named name ("": the document names itself). It returns the council
	// resolved over the server's agents and the document to keep, or an
	// EINVALID error listing every problem with its field.
	CheckCouncil(doc []byte, name string) (*magi.Preset, []byte, error)
	// DefaultCouncilDoc is the built-in council and its document.
	DefaultCouncilDoc() (*magi.Preset, []byte)
	// Offer lists the providers a council may choose, and their models.
	Offer() []magi.ProviderOffer
}

// Councils are the saved councils of the API: where they are kept and
// what checks them.
type Councils struct {
	Store   magi.CouncilStore
	Checker CouncilChecker
}

// Limits of the councils API.
const (
	// maxCouncilBody bounds a council document: four personas of 8 KB,
	// JSON-escaped, and the rest.
	maxCouncilBody = 128 << 10
	// maxCouncilsPerOwner bounds the councils one owner may keep.
	maxCouncilsPerOwner = 100
)

var errNoCouncils = magi.Errorf(magi.ENOTFOUND, "this server keeps no saved councils")

// pathCouncil returns the {name} of r's path: ENOTFOUND, without asking
// the store, when it cannot name a council (bad characters, NUL, invalid
// UTF-8, too long).
func pathCouncil(r *http.Request) (string, error) {
	name := r.PathValue("name")
	if magi.CheckCouncilName(name) != nil {
		return "", magi.Errorf(magi.ENOTFOUND, "no such council: a council's name is 1 to %d characters of a-z, 0-9 and -", magi.MaxCouncilName)
	}
	return name, nil
}

// scope is the owner of the councils p makes: "" (shared) for an admin,
// else p's own.
func scope(p Principal) string {
	if p.Admin {
		return ""
	}
	return p.ID()
}

// find returns the council name that p may use: p's own, else a shared
// one. Another owner's council is ENOTFOUND, as if it did not exist.
func (c *Councils) find(ctx context.Context, p Principal, name string) (magi.SavedCouncil, error) {
	if own := scope(p); own != "" {
		k, err := c.Store.CouncilByName(ctx, own, name)
		if magi.ErrorCode(err) != magi.ENOTFOUND {
			return k, err
		}
	}
	return c.Store.CouncilByName(ctx, "", name)
}

// editable reports whether p may change k: its own, or a shared one when
// p is an admin.
func editable(p Principal, k magi.SavedCouncil) bool {
	return k.Owner == scope(p)
}

// councilItem is one council of GET /api/councils.
type councilItem struct {
	Name      string `json:"name"`
	Builtin   bool   `json:"builtin,omitempty"`
	Shared    bool   `json:"shared"`
	Editable  bool   `json:"editable"`
	CreatedAt string `json:"created_at,omitempty"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

func itemOf(p Principal, k magi.SavedCouncil) councilItem {
	return councilItem{Name: k.Name, Shared: k.Shared(), Editable: editable(p, k),
		CreatedAt: k.CreatedAt.UTC().Format(magi.TimestampFormat), UpdatedAt: k.UpdatedAt.UTC().Format(magi.TimestampFormat)}
}

func (s *Server) handleCouncils() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Councils == nil {
			writeError(w, r, errNoCouncils)
			return
		}
		p := principalOf(r.Context())
		saved, err := s.Councils.Store.Councils(r.Context(), scope(p))
		if err != nil {
			writeError(w, r, err)
			return
		}
		items := []councilItem{{Name: magi.DefaultCouncil, Builtin: true, Shared: true}}
		for _, k := range saved {
			items = append(items, itemOf(p, k))
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
	})
}

func (s *Server) handleCouncil() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Councils == nil {
			writeError(w, r, errNoCouncils)
			return
		}
		name, err := pathCouncil(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		p := principalOf(r.Context())
		if name == magi.DefaultCouncil {
			preset, doc := s.Councils.Checker.DefaultCouncilDoc()
			writeCouncil(w, http.StatusOK, doc, councilItem{Name: name, Builtin: true, Shared: true}, preset, nil)
			return
		}
		k, err := s.Councils.find(r.Context(), p, name)
		if err != nil {
			writeError(w, r, err)
			return
		}
		// A council saved under an older configuration may no longer fit
		// it: say so, rather than hide it.
		preset, _, err := s.Councils.Checker.CheckCouncil(k.Doc, k.Name)
		writeCouncil(w, http.StatusOK, k.Doc, itemOf(p, k), preset, err)
	})
}

func (s *Server) handleCreateCouncil() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Councils == nil {
			writeError(w, r, errNoCouncils)
			return
		}
		body, err := readBody(w, r, maxCouncilBody)
		if err != nil {
			writeError(w, r, err)
			return
		}
		preset, doc, err := s.Councils.Checker.CheckCouncil(body, "")
		if err != nil {
			writeError(w, r, err)
			return
		}
		p := principalOf(r.Context())
		k := magi.SavedCouncil{Name: preset.Name, Owner: scope(p), CreatedBy: p.ID(), Doc: doc}
		if err := s.Councils.create(r.Context(), k); err != nil {
			writeError(w, r, err)
			return
		}
		k.CreatedAt = time.Now()
		k.UpdatedAt = k.CreatedAt
		logger(r).Info("council saved", "name", k.Name, "shared", k.Shared())
		w.Header().Set("Location", "/api/councils/"+k.Name)
		writeCouncil(w, http.StatusCreated, doc, itemOf(p, k), preset, nil)
	})
}

// create stores k, within its owner's limit, and refuses to shadow a
// shared council with a private one of the same name.
func (c *Councils) create(ctx context.Context, k magi.SavedCouncil) error {
	saved, err := c.Store.Councils(ctx, k.Owner)
	if err != nil {
		return err
	}
	own := 0
	for _, x := range saved {
		if x.Owner == k.Owner {
			own++
		}
		if x.Name == k.Name && x.Shared() && !k.Shared() {
			return magi.Errorf(magi.ECONFLICT, "a shared council is named %q already: choose another name", k.Name)
		}
	}
	if own >= maxCouncilsPerOwner {
		return magi.Errorf(magi.ECONFLICT, "there are %d councils of yours already, the most one may keep: delete one first", own)
	}
	return c.Store.CreateCouncil(ctx, k)
}

func (s *Server) handleUpdateCouncil() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := s.changeable(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		body, err := readBody(w, r, maxCouncilBody)
		if err != nil {
			writeError(w, r, err)
			return
		}
		preset, doc, err := s.Councils.Checker.CheckCouncil(body, k.Name)
		if err != nil {
			writeError(w, r, err)
			return
		}
		k.Doc, k.UpdatedAt = doc, time.Now()
		if err := s.Councils.Store.UpdateCouncil(r.Context(), k); err != nil {
			writeError(w, r, err)
			return
		}
		logger(r).Info("council changed", "name", k.Name, "shared", k.Shared())
		writeCouncil(w, http.StatusOK, doc, itemOf(principalOf(r.Context()), k), preset, nil)
	})
}

func (s *Server) handleDeleteCouncil() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := s.changeable(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.Councils.Store.DeleteCouncil(r.Context(), k.Owner, k.Name); err != nil {
			writeError(w, r, err)
			return
		}
		logger(r).Info("council deleted", "name", k.Name, "shared", k.Shared())
		w.WriteHeader(http.StatusNoContent)
	})
}

// changeable returns the council of r's path if its caller may change
// it: not the built-in one (403), not a shared one unless an admin asks
// (403), not another owner's (404).
func (s *Server) changeable(r *http.Request) (magi.SavedCouncil, error) {
	if s.Councils == nil {
		return magi.SavedCouncil{}, errNoCouncils
	}
	name, err := pathCouncil(r)
	if err != nil {
		return magi.SavedCouncil{}, err
	}
	p := principalOf(r.Context())
	if name == magi.DefaultCouncil {
		return magi.SavedCouncil{}, magi.Errorf(magi.EFORBIDDEN,
			"the council default is built in: it is the server's agents file, and cannot be changed or deleted here; save a council of another name")
	}
	k, err := s.Councils.find(r.Context(), p, name)
	if err != nil {
		return k, err
	}
	if !editable(p, k) {
		return k, magi.Errorf(magi.EFORBIDDEN, "the council %q is shared: only an admin may change or delete it", name)
	}
	return k, nil
}

func (s *Server) handleProviders() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Councils == nil {
			writeError(w, r, errNoCouncils)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"providers": s.Councils.Checker.Offer()})
	})
}

// writeCouncil answers with a council: its document, what the list says
// of it, the snapshot it deliberates with (persona hashes included), or
// the problems that keep it from deliberating now.
func writeCouncil(w http.ResponseWriter, status int, doc []byte, it councilItem, preset *magi.Preset, problem error) {
	out := map[string]any{}
	if err := json.Unmarshal(doc, &out); err != nil {
		out = map[string]any{}
	}
	out["name"], out["shared"], out["editable"] = it.Name, it.Shared, it.Editable
	if it.Builtin {
		out["builtin"] = true
	}
	if it.CreatedAt != "" {
		out["created_at"], out["updated_at"] = it.CreatedAt, it.UpdatedAt
	}
	var e *magi.Error
	switch {
	case problem == nil && preset != nil:
		out["snapshot"] = magi.Snapshot(preset.Name, preset.Agents)
	case errors.As(problem, &e):
		out["problems"] = e.Fields
	}
	writeJSON(w, status, out)
}

// readBody reads a JSON request body of at most limit bytes, checked at
// the edge as a question's is (checkContentType, checkJSONText).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if err := checkContentType(r.Header); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, magi.Errorf(magi.ETOOLARGE, "the request body is over %d bytes", limit)
	case err != nil:
		return nil, readError(err)
	}
	return body, checkJSONText(body)
}

// preset is the saved council name a question is put to, as its caller
// may use it, checked against the server's configuration now; nil for the
// built-in council. Any problem is EINVALID.
func (s *Server) preset(ctx context.Context, name string) (*magi.Preset, error) {
	if err := magi.CheckCouncilName(name); err != nil {
		return nil, err
	}
	if name == magi.DefaultCouncil {
		return nil, nil
	}
	if s.Councils == nil {
		return nil, magi.Errorf(magi.EINVALID, "this server keeps no saved councils: leave council out, or use %q", magi.DefaultCouncil)
	}
	k, err := s.Councils.find(ctx, principalOf(ctx), name)
	if magi.ErrorCode(err) == magi.ENOTFOUND {
		return nil, magi.Errorf(magi.EINVALID, "no council named %q: see GET /api/councils", name)
	} else if err != nil {
		return nil, err
	}
	p, _, err := s.Councils.Checker.CheckCouncil(k.Doc, k.Name)
	var e *magi.Error
	if errors.As(err, &e) {
		return nil, &magi.Error{Code: magi.EINVALID, Fields: e.Fields,
			Message: "the council " + name + " no longer fits this server's configuration: " + e.Message}
	}
	return p, err
}
