package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestCPUTimeOfThisProcessGrowsWithWork(t *testing.T) {
	before := CPUTime(os.Getpid())
	spin(t, before+20*time.Millisecond)
	if CPUTime(0) != 0 || CPUTime(-1) != 0 {
		t.Fatal("an unknown process has CPU time")
	}
}

func TestMemoryAndPIDFile(t *testing.T) {
	if rss, hwm := Memory(os.Getpid()); rss == "?" || hwm == "?" {
		t.Fatalf("rss %s hwm %s", rss, hwm)
	}
	path := filepath.Join(t.TempDir(), "x.pid")
	if err := os.WriteFile(path, []byte("1234\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := PIDFile(path); got != 1234 {
		t.Fatalf("PIDFile = %d", got)
	}
	if got := PIDFile(path + ".missing"); got != 0 {
		t.Fatalf("missing PIDFile = %d", got)
	}
}

func TestHostCPUCountsThisProcessSpinning(t *testing.T) {
	busy0, total0 := HostCPU()
	if busy0 <= 0 || total0 < busy0 {
		t.Fatalf("HostCPU = %v busy of %v", busy0, total0)
	}
	mine := CPUTime(os.Getpid())
	spin(t, mine+50*time.Millisecond)
	busy1, total1 := HostCPU()
	if pct, ok := IdlePct(busy0, total0, busy1, total1); !ok || pct < 0 || pct > 100 {
		t.Fatalf("IdlePct = %v, %v", pct, ok)
	}
	if _, ok := IdlePct(busy1, total1, busy1, total1); ok {
		t.Fatal("IdlePct of no time passed claims a share")
	}
	// The host was busy at least while this process ran; ticks are 10 ms.
	if busy1-busy0 < CPUTime(os.Getpid())-mine-20*time.Millisecond || total1-total0 < busy1-busy0 {
		t.Fatalf("host busy %v of %v while this process used %v", busy1-busy0, total1-total0, CPUTime(os.Getpid())-mine)
	}
}

func TestSelfAndChildrenCPUIncludesAWaitedChild(t *testing.T) {
	before := SelfAndChildrenCPU()
	cmd := exec.Command("sh", "-c", `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done`)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	child := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if child <= 0 {
		t.Skip("the child's CPU time was not measurable")
	}
	if got := SelfAndChildrenCPU() - before; got < child {
		t.Fatalf("grew by %v, the child alone used %v", got, child)
	}
}

// spin burns CPU until this process has used until, or fails after 10 s.
func spin(t *testing.T, until time.Duration) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	x := 0
	for CPUTime(os.Getpid()) < until {
		if time.Now().After(deadline) {
			t.Fatalf("CPU time stayed under %v after 10 s of spinning", until)
		}
		for i := range 1_000_000 {
			x += i
		}
	}
	_ = x
}
