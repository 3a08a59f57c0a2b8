//go:build !unix

package sqlite

import (
	"os"
	"path/filepath"
)

// instanceLock is a lock file that exists while the store is open. Without
// flock, a crashed process's file stays, so its deliberations are never
// taken for dead: Recover errs on the side of leaving them.
type instanceLock struct {
	f *os.File
}

func lockInstance(path string) (*instanceLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return &instanceLock{f: f}, nil
}

func (l *instanceLock) release() {
	name := l.f.Name()
	_ = l.f.Close()
	_ = os.Remove(name)
}

// lockHeld reports whether the lock file at path exists.
func lockHeld(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sweepLocks does nothing: without flock a dead instance's file cannot be
// told from a live one's.
func sweepLocks(dir, own string) {}
