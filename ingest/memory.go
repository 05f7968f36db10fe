package ingest

import (
	"bytes"
	"strconv"
)

// defaultMemoryLimit applies when no container says otherwise. It covers
// Go's heap, stacks and runtime only: the binary's mapped pages (about
// 20 MB resident) come on top of it, and a soft limit can be overshot. The
// live heap is about 30 MB once the dedup window holds its default bound of
// ids, so this leaves as much again for garbage and keeps the process,
// binary included, under 100 MB resident.
const defaultMemoryLimit = 60 << 20

// Files that hold the memory limit of the process's cgroup, v2 then v1.
var cgroupLimitFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// MemoryLimit is the soft memory limit for the Go runtime in bytes:
// INGEST_MEMORY_LIMIT_MIB when set, else 90% of the cgroup's memory limit
// (the rest for the binary's pages and the collector's overshoot), else
// defaultMemoryLimit. readFile reads a file (os.ReadFile outside tests).
//
// Ingest's garbage is per request and its live heap is bounded (the dedup
// window by INGEST_DEDUP_MAX_IDS, requests by connections times
// INGEST_MAX_BODY_BYTES), so a limit the live heap stays well under costs
// only more frequent, cheap collections; without one, GOGC lets the heap
// grow to three times the live heap whatever the container allows.
func (c Config) MemoryLimit(readFile func(string) ([]byte, error)) int64 {
	if c.MemoryLimitMiB > 0 {
		return int64(c.MemoryLimitMiB) << 20
	}
	for _, f := range cgroupLimitFiles {
		b, err := readFile(f)
		if err != nil {
			continue
		}
		// "max" (v2) or a huge number (v1) means no limit.
		n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
		if err == nil && n > 0 && n < 1<<50 {
			return n / 10 * 9
		}
		break
	}
	return defaultMemoryLimit
}
