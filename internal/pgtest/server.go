package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running throwaway PostgreSQL server.
type Server struct {
	// Port is its TCP port on 127.0.0.1; it also listens on a unix
	// socket in Dir.
	Port int
	// Dir holds its data, socket and log; Stop removes it.
	Dir  string
	opts Options
	bin  string
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan error
	stop sync.Once
}

// Options tune a Server; the zero value is the fastest.
type Options struct {
	// Durable makes a commit wait for its WAL to reach the operating
	// system (synchronous_commit on), so that a server killed at once
	// (Restart(true)) loses no committed transaction. Without it, a commit
	// returns before; fsync stays off either way (the machine does not
	// crash in a test).
	Durable bool
}

// Start initializes a cluster in a new temporary directory and starts a
// server on it, as the postgres user when running as root (PostgreSQL
// refuses to run as root), with fsync off for speed.
func Start() (*Server, error) { return StartWith(Options{}) }

// StartWith is Start with options.
func StartWith(opts Options) (*Server, error) {
	bin, err := Binaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, opts: opts, bin: bin}
	if err := s.init(); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.launch(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// init creates the cluster and picks the port.
func (s *Server) init() error {
	cred, err := credential()
	if err != nil {
		return err
	}
	s.cred = cred
	if cred != nil {
		if err := os.Chown(s.Dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	initdb := exec.Command(filepath.Join(s.bin, "initdb"), "-D", filepath.Join(s.Dir, "data"), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = procAttr(cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	s.Port, err = freePort()
	return err
}

// launch starts the server on the cluster and waits until it is ready.
func (s *Server) launch() error {
	logPath := filepath.Join(s.Dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	sync := "off"
	if s.opts.Durable {
		sync = "on"
	}
	s.cmd = exec.Command(filepath.Join(s.bin, "postgres"), "-D", filepath.Join(s.Dir, "data"), "-k", s.Dir,
		"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port),
		"-c", "fsync=off", "-c", "synchronous_commit="+sync, "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=32MB")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = procAttr(s.cred)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	done := make(chan error, 1)
	s.done = done
	go func() { done <- s.cmd.Wait() }()
	return s.waitReady(logPath)
}

// waitReady waits until the server accepts connections.
func (s *Server) waitReady(logPath string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, s.url("postgres"))
		cancel()
		if err == nil {
			_ = c.Close(context.Background())
			return nil
		}
		select {
		case err := <-s.done:
			s.done <- err
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres exited: %v\n%s", err, log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("postgres did not accept connections within 60s")
}

// Stop shuts the server down at once and removes its directory. Later
// calls do nothing.
func (s *Server) Stop() { s.stop.Do(s.halt) }

func (s *Server) halt() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.Resume()                            // a paused server would not hear the signal
		_ = s.cmd.Process.Signal(syscall.SIGQUIT) // immediate shutdown: the data is thrown away
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	_ = os.RemoveAll(s.Dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
