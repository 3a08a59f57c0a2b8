//go:build unix

package sqlite

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// instanceLock is a lock file held with flock while the store is open;
// the kernel releases it when the process dies, however it dies.
type instanceLock struct {
	f *os.File
}

func lockInstance(path string) (*instanceLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			_ = f.Close()
			return nil, err
		}
		// Another process's sweep may have removed the file between its
		// creation and the flock, taking it for a dead instance's: then
		// the lock is on a file no one can see, and it is taken again.
		if held, err := f.Stat(); err == nil {
			if now, err := os.Stat(path); err == nil && os.SameFile(held, now) {
				return &instanceLock{f: f}, nil
			}
		}
		_ = f.Close()
	}
}

// sweepLocks removes the lock files of dead instances in dir (those whose
// lock can be taken), but own's: a process killed while it ran nothing
// leaves its file, which no Recover would ever look at.
func sweepLocks(dir, own string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.Name() != own+".lock" && filepath.Ext(e.Name()) == ".lock" {
			lockHeld(filepath.Join(dir, e.Name())) // removes it if dead
		}
	}
}

// release removes the lock file, then unlocks it.
func (l *instanceLock) release() {
	name := l.f.Name()
	_ = os.Remove(name)
	_ = l.f.Close()
	_ = os.Remove(filepath.Dir(name)) // only if empty
}

// lockHeld reports whether a live process holds the lock file at path.
// A missing file, or one whose lock can be taken, means a dead instance;
// its stale file is removed.
func lockHeld(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true
	}
	_ = os.Remove(path)
	return false
}
