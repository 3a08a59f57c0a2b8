// Package web is MAGI's browser UI: static files embedded in the binary and
// the handler that serves them. It speaks to the server only through the
// HTTP API and event stream of SPEC; it imports nothing of the project.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// ContentSecurityPolicy is the policy the server sends with every page of
// the UI. The UI has no inline scripts or styles and loads nothing from
// another origin; model output is never turned into markup, so even a
// rendering bug cannot run a script or fetch an image elsewhere.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

//go:embed static
var static embed.FS

// contentTypes maps the extensions the UI ships to their media types, so
// the answer does not depend on the host's MIME tables.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
}

// asset is one embedded file, read once, with its gzip form when that is
// smaller (compressed once, at start-up).
type asset struct {
	body        []byte
	contentType string
	etag        string
	gz          []byte // nil: sent as it is
	gzETag      string // the gzip form is another representation: its own ETag
}

// Handler serves the UI: index.html for "/" and for the deep links
// "/d/{id}" that name a deliberation, and the static assets (css/, js/, …)
// by path. Every response is revalidated (Cache-Control: no-cache with a
// strong ETag made from the content), so a new binary's UI is picked up at
// once while unchanged files cost a 304. Text is sent gzipped to a client
// that accepts it. Anything else is 404.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	return handler(sub)
}

// handler is Handler over the files of fsys (index.html at its root).
func handler(fsys fs.FS) http.Handler {
	assets := load(fsys)
	index := assets["index.html"]
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", serve(index))
	mux.Handle("GET /d/{id}", serve(index))
	mux.HandleFunc("GET /{path...}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("path")
		a, ok := assets[name]
		if !ok || name == "index.html" {
			http.NotFound(w, r)
			return
		}
		serve(a).ServeHTTP(w, r)
	})
	return mux
}

// load reads every embedded file into memory with its type and ETag.
func load(fsys fs.FS) map[string]*asset {
	assets := map[string]*asset{}
	gz := newGzipper()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		if compressible(ct) {
			if z := gz.gzipped(body); len(z) < len(body) {
				a.gz, a.gzETag = z, `"`+hex.EncodeToString(sum[:12])+`-gz"`
			}
		}
		assets[name] = a
		return nil
	})
	if err != nil {
		panic(err) // embedded files are always readable
	}
	return assets
}

// serve writes one asset with its headers, gzipped when the client accepts
// it; http.ServeContent answers If-None-Match and Range.
func serve(a *asset) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "no-cache")
		body, etag := a.body, a.etag
		if a.gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r.Header.Get("Accept-Encoding")) {
				body, etag = a.gz, a.gzETag
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		if strings.HasPrefix(a.contentType, "text/html") {
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}
