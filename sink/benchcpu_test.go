package sink

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuMeter reads the CPU time spent by the three processes a load runs on:
// this one (the sink, or the client of the engine), the ClickHouse engine and
// the Kafka broker. The two services are found by the port they listen on:
// the pid files of `make up` are missing when a server of another checkout
// is reused.
type cpuMeter struct {
	engine, broker int // pids; 0 when not found (the column is then left out)
}

// cpuSample is the CPU time used so far by each of the three.
type cpuSample struct{ self, engine, broker time.Duration }

func newCPUMeter(tb testing.TB, engineURL string, brokers []string) *cpuMeter {
	tb.Helper()
	m := &cpuMeter{}
	if u, err := url.Parse(engineURL); err == nil {
		m.engine = listenerPID(u.Port())
	}
	if len(brokers) > 0 {
		if i := strings.LastIndexByte(brokers[0], ':'); i >= 0 {
			m.broker = listenerPID(brokers[0][i+1:])
		}
	}
	if m.engine == 0 {
		tb.Logf("no process of ours listens on the ClickHouse port: engine CPU not measured")
	}
	return m
}

func (m *cpuMeter) sample() cpuSample {
	return cpuSample{self: selfCPU(), engine: pidCPU(m.engine), broker: pidCPU(m.broker)}
}

func (s cpuSample) sub(o cpuSample) cpuSample {
	return cpuSample{self: s.self - o.self, engine: s.engine - o.engine, broker: s.broker - o.broker}
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every
// Linux the kernel ABI has shipped for x86 and arm64 (sysconf is cgo's).
const clockTicks = 100

// pidCPU is the user and system time of pid, 0 when it cannot be read.
func pidCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces and parentheses: fields count from
	// the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 15 {
		return 0
	}
	var ticks int64
	for _, i := range []int{11, 12} { // utime, stime (fields 14 and 15 of proc(5))
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// listenerPID returns the pid of the process with a socket listening on
// TCP port on any address, 0 when none is found (or it is not readable).
func listenerPID(port string) int {
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return 0
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st ... inode
			cols := strings.Fields(sc.Text())
			if len(cols) < 10 || cols[3] != "0A" { // 0A: LISTEN
				continue
			}
			if i := strings.LastIndexByte(cols[1], ':'); i >= 0 && cols[1][i+1:] == fmt.Sprintf("%04X", p) {
				inodes["socket:["+cols[9]+"]"] = true
			}
		}
		f.Close()
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, fd := range procs {
		links, err := os.ReadDir(fd)
		if err != nil {
			continue
		}
		for _, l := range links {
			if target, err := os.Readlink(filepath.Join(fd, l.Name())); err == nil && inodes[target] {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(fd)))
				return pid
			}
		}
	}
	return 0
}
