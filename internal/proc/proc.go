// Package proc reads what Linux says about a process, for benchmarks and
// load generators that share a small host with the services they measure:
// CPU time per unit of work is steadier than throughput there.
package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPUTime is the user+system CPU time of process pid, from /proc/pid/stat
// (fields 14 and 15, in USER_HZ ticks, 100 a second on Linux); 0 when
// unknown.
func CPUTime(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields count from after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100)
}

// Memory is the resident set size and its high-water mark of process pid,
// as /proc/pid/status prints them ("123kB"), or "?".
func Memory(pid int) (rss, hwm string) {
	rss, hwm = "?", "?"
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return rss, hwm
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			rss = f[1] + "kB"
		}
		if len(f) >= 2 && f[0] == "VmHWM:" {
			hwm = f[1] + "kB"
		}
	}
	return rss, hwm
}

// PIDFile reads the process id a start script wrote to path; 0 when there
// is none.
func PIDFile(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// HostCPU is the CPU time the whole host spent busy (every state of the
// first line of /proc/stat but idle and iowait) and in all, summed over its
// cores; zeros when unknown. Two readings around a run say how much of the
// machine every process together used, and how much stayed idle.
func HostCPU() (busy, total time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0
	}
	// user nice system idle iowait irq softirq steal; guest time is already
	// counted in user.
	var ticks [8]int64
	for i := range ticks {
		ticks[i], _ = strconv.ParseInt(f[i+1], 10, 64)
	}
	var all int64
	for _, t := range ticks {
		all += t
	}
	idle := ticks[3] + ticks[4]
	return time.Duration(all-idle) * (time.Second / 100), time.Duration(all) * (time.Second / 100)
}

// IdlePct is the share of the host's cores left idle between two HostCPU
// readings, in percent; ok is false when the readings say nothing (no
// time passed, or /proc/stat was unreadable).
func IdlePct(busy0, total0, busy1, total1 time.Duration) (pct float64, ok bool) {
	total := total1 - total0
	if total <= 0 {
		return 0, false
	}
	return 100 * float64(total-(busy1-busy0)) / float64(total), true
}

// SelfAndChildrenCPU is the user+system CPU time of this process and of its
// children that were waited for, such as a load generator it ran.
func SelfAndChildrenCPU() time.Duration {
	var sum time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			sum += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return sum
}
