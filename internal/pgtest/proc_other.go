//go:build !linux

package pgtest

import "syscall"

func credential() (*syscall.Credential, error) { return nil, nil }

func procAttr(*syscall.Credential) *syscall.SysProcAttr { return nil }
