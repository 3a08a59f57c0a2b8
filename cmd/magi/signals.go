package main

import (
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals are the signals that stop magi as Ctrl-C does: a running
// `magi ask` ends its deliberation as cancelled, `magi serve` shuts down
// gracefully. SIGHUP (the terminal closed) is one of them unless it is
// ignored, as under nohup: handling it would undo the nohup.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// catchSIGPIPE keeps a write to a closed stdout pipe (magi ask … | head)
// from killing the process, as Go does by default: the write fails with
// EPIPE instead, so the deliberation can end as cancelled and be stored as
// such. SIGPIPE is not a stop signal: the providers' sockets raise it too.
// The returned function restores the default.
func catchSIGPIPE() (restore func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}

// outputWriter is the output of a command, which reports its first failed
// write (a closed pipe, a hung-up terminal) to failed.
type outputWriter struct {
	w      io.Writer
	once   sync.Once
	failed func(error)
}

// Write writes p, calling failed once on the first error.
func (o *outputWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		o.once.Do(func() { o.failed(err) })
	}
	return n, err
}
