package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves the Go runtime profiles (net/http/pprof under
// /debug/pprof/) on the loopback address in MAGI_PPROF, e.g.
// MAGI_PPROF=127.0.0.1:6060, for as long as `magi serve` runs. Unset, it
// does nothing. Only loopback addresses are accepted: the profiles reveal
// memory contents, so they are never served on the API's listener nor on a
// public interface. A refused address is logged, and serve goes on without
// profiles. It returns the function that stops the profile server.
func servePprof(getenv func(string) string, log *slog.Logger) (stop func()) {
	addr := getenv("MAGI_PPROF")
	if addr == "" {
		return func() {}
	}
	ln, err := pprofListen(addr)
	if err != nil {
		log.Error("MAGI_PPROF: profiles not served", "err", err)
		return func() {}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	log.Info("serving Go profiles", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() {
		_ = hs.Close()
		<-done
	}
}

// pprofListen listens on addr if its host is a loopback address.
func pprofListen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, errors.New("not a loopback address: " + addr + " (use e.g. 127.0.0.1:6060)")
	}
	return net.Listen("tcp", addr)
}
