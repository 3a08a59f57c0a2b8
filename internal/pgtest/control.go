package pgtest

import (
	"fmt"
	"syscall"
	"time"
)

// The faults a server can be put through (the fault-injection suite's,
// see docs/RELIABILITY.md). Each applies to a server of one's own, from
// Start or StartWith, not to the shared one of URL.

// Restart stops the server and starts it again on the same port and data.
// With crash, the stop is immediate (SIGQUIT: no checkpoint, connections
// dropped, recovery from the WAL at start), as after a crash; otherwise it
// is PostgreSQL's fast shutdown (SIGINT: sessions ended, a checkpoint).
func (s *Server) Restart(crash bool) error {
	sig := syscall.SIGINT
	if crash {
		sig = syscall.SIGQUIT
	}
	_ = s.Resume() // a paused server would not hear it
	if err := s.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("pgtest: restart: %w", err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("pgtest: restart: postgres did not stop within 30s of %v", sig)
	}
	return s.launch()
}

// Pause stops every process of the server (SIGSTOP of the postmaster,
// then of each of its children): connections stay open and nothing
// answers, until Resume.
func (s *Server) Pause() error { return s.signalAll(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() error { return s.signalAll(syscall.SIGCONT) }

// signalAll sends sig to the postmaster, then to each of its children
// (each backend is a session of its own: no process group holds them
// all). A stopped postmaster forks no new child meanwhile.
func (s *Server) signalAll(sig syscall.Signal) error {
	if s.cmd == nil || s.cmd.Process == nil {
		return fmt.Errorf("pgtest: the server is not running")
	}
	pid := s.cmd.Process.Pid
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("pgtest: %v: %w", sig, err)
	}
	kids, err := children(pid)
	for _, k := range kids {
		_ = syscall.Kill(k, sig) // one may have just exited
	}
	return err
}

// URLOf is the URL of the database name on s (see CreateDatabase).
func (s *Server) URLOf(name string) string { return s.url(name) }
