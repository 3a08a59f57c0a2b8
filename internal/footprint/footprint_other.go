//go:build !linux

package footprint

func releaseExecutable() int64 { return 0 }
