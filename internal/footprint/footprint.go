// Package footprint gives back, once a server has started, what its
// start-up used once and will not use again: the heap it left as garbage,
// and the pages of its own executable that package initialisation mapped.
//
// The second is most of an idle Go server's resident set. Each of the
// hundreds of packages linked into magi (the provider SDKs, gRPC, the
// OpenTelemetry SDK, SQLite) runs its init function at start-up, in its own
// part of the binary, and the kernel maps up to 64 KB of the file around
// each page touched (fault-around), so start-up leaves ~40 MB of the binary
// mapped though the running server uses a few. Those pages are clean
// copies of the file: unmapping them loses nothing (the kernel keeps them
// in its page cache, shared and reclaimable) and a page the server runs
// again is mapped back on its first use.
package footprint

import "runtime/debug"

// Release returns start-up's garbage to the operating system and unmaps
// the pages of the executable's code and read-only data. Where the second
// is not supported (not Linux) it only frees the heap.
func Release() {
	debug.FreeOSMemory()
	releaseExecutable()
}
