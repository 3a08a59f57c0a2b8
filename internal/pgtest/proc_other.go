//go:build !linux

package pgtest

import (
	"errors"
	"syscall"
)

func credential() (*syscall.Credential, error) { return nil, nil }

func procAttr(*syscall.Credential) *syscall.SysProcAttr { return nil }

func children(int) ([]int, error) {
	return nil, errors.New("pgtest: pausing a server needs Linux's /proc")
}
