package footprint

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseExecutable advises the kernel that the read-only mappings of the
// executable (code, read-only data) are not needed: their pages are
// unmapped, and come back from the page cache when touched. Only a mapping
// with no anonymous page is released — one that holds nothing but the
// file's bytes; a position-independent build's relocated read-only data
// (copied on write, then made read-only) is kept. It returns how many
// bytes of mappings it released.
func releaseExecutable() int64 {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0
	}
	defer f.Close()
	var released int64
	var start, end uint64 // the executable's read-only mapping being read, if any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			// A mapping: start-end perms offset dev inode [path]
			start, end = 0, 0
			if len(fields) == 6 && fields[5] == exe && (fields[1] == "r-xp" || fields[1] == "r--p") {
				start, end = parseRange(fields[0])
			}
			continue
		}
		v, ok := strings.CutPrefix(line, "Anonymous:")
		if !ok || end <= start {
			continue
		}
		if strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")) == "0" {
			if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED); errno == 0 {
				released += int64(end - start)
			}
		}
		start, end = 0, 0
	}
	return released
}

// parseRange reads "start-end" in hexadecimal; 0, 0 when it cannot.
func parseRange(s string) (start, end uint64) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0
	}
	start, err1 := strconv.ParseUint(from, 16, 64)
	end, err2 := strconv.ParseUint(to, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return start, end
}
