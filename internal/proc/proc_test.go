package proc

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCPUTimeOfThisProcessGrowsWithWork(t *testing.T) {
	before := CPUTime(os.Getpid())
	deadline := time.Now().Add(10 * time.Second)
	x := 0
	for CPUTime(os.Getpid()) < before+20*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("CPU time stayed at %v after 10 s of spinning", before)
		}
		for i := range 1_000_000 {
			x += i
		}
	}
	_ = x
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
