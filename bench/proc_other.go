//go:build !linux

package bench

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }

// raiseFileLimit is a no-op here: the scale figure is measured on Linux.
func raiseFileLimit() uint64 { return 0 }

// smallReceiveBuffer leaves the socket as it is: the stalled figure is
// measured on Linux.
func smallReceiveBuffer(_, _ string, _ syscall.RawConn) error { return nil }
