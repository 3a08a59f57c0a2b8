// Package pgtest starts a throwaway PostgreSQL server for tests, from
// Debian's binaries (/usr/lib/postgresql/*/bin): one server per test
// binary, a fresh database per test.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestX(t *testing.T) { url := pgtest.URL(t) … }
package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	once   sync.Once
	shared *Server
	errRun error
	serial atomic.Int64
)

// URL returns the URL of a new, empty database on the shared server,
// starting the server on first use; the database is dropped when t ends.
// Without PostgreSQL's binaries the test is skipped, or fails when CI=true.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { shared, errRun = Start() })
	if errRun != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: %v", errRun)
		}
		t.Skipf("pgtest: %v", errRun)
	}
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), serial.Add(1))
	url, err := shared.CreateDatabase(t.Context(), name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = shared.exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return url
}

// Main runs the tests of m, stops the shared server and exits: the
// TestMain of a package that uses URL.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the shared server, if it was started, and removes its files.
func Stop() {
	if shared != nil {
		shared.Stop()
	}
}

// Binaries returns the directory of the newest installed PostgreSQL's
// initdb and postgres, or an error saying they are missing.
func Binaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)")
}

func version(binDir string) int {
	var v int
	_, _ = fmt.Sscanf(filepath.Base(filepath.Dir(binDir)), "%d", &v)
	return v
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// exec runs one statement on the server's postgres database.
func (s *Server) exec(ctx context.Context, sql string) error {
	c, err := pgx.Connect(ctx, s.url("postgres"))
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(context.Background()) }()
	_, err = c.Exec(ctx, sql)
	return err
}

// CreateDatabase creates the database name and returns its URL.
func (s *Server) CreateDatabase(ctx context.Context, name string) (string, error) {
	if err := s.exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return s.url(name), nil
}

func (s *Server) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}
