package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/finflow/belvo-pipeline/internal/backoff"
)

// role is one `belvo-pipeline <role>` process, supervised as Kubernetes
// would: a process that exits without being told to is started again
// (after a short backoff) and counted, so the run goes on and the report
// says so.
type role struct {
	name  string
	bin   string
	env   []string
	admin string // host:port serving /readyz and /metrics
	logf  *os.File
	say   func(format string, args ...any)

	mu        sync.Mutex
	cmd       *exec.Cmd
	done      chan struct{} // closed when cmd exited
	expected  bool          // the running process's exit is ours (kill, stop)
	stopped   bool          // no restarts any more
	startedAt time.Time
	logAt     int64 // size of the log when the running process started
	starts    int
	unplanned []string // exits nobody asked for: when and how
}

func newRole(name, bin, logDir, admin string, env []string, say func(string, ...any)) (*role, error) {
	f, err := os.OpenFile(logDir+"/"+name+".log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &role{name: name, bin: bin, env: env, admin: admin, logf: f, say: say}, nil
}

// start runs a new process of the role; the previous one must have exited.
func (r *role) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.startLocked()
}

func (r *role) startLocked() error {
	if r.stopped {
		return fmt.Errorf("%s: stopped", r.name)
	}
	cmd := exec.Command(r.bin, r.name)
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = r.logf, r.logf
	// Its own process group: a Ctrl-C of the driver reaches the driver,
	// which stops the roles in order, not every process at once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if st, err := r.logf.Stat(); err == nil {
		r.logAt = st.Size()
	}
	fmt.Fprintf(r.logf, "\n===== chaos: %s start #%d at %s =====\n", r.name, r.starts+1, time.Now().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", r.name, err)
	}
	r.cmd, r.done, r.expected = cmd, make(chan struct{}), false
	r.startedAt = time.Now()
	r.starts++
	go r.wait(cmd, r.done)
	return nil
}

// wait reaps cmd and restarts the role when the exit was nobody's doing.
func (r *role) wait(cmd *exec.Cmd, done chan struct{}) {
	err := cmd.Wait()
	close(done)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != cmd || r.expected || r.stopped {
		return
	}
	ran := time.Since(r.startedAt).Round(100 * time.Millisecond)
	what := fmt.Sprintf("%s exited by itself after %v (%v)", r.name, ran, err)
	r.unplanned = append(r.unplanned, what)
	r.say("%s; starting it again", what)
	// Kubernetes' crash-loop backoff, shortened: a role that exits at once
	// must not spin.
	backoff := min(time.Duration(len(r.unplanned))*time.Second, 10*time.Second)
	go func() {
		time.Sleep(backoff)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.cmd == cmd && !r.stopped {
			if err := r.startLocked(); err != nil {
				r.say("%v", err)
			}
		}
	}()
}

// kill sends SIGKILL to the running process, waits for it to exit, leaves
// the role down for down (a replacement pod is not instant) and starts a
// new one.
func (r *role) kill(ctx context.Context, down time.Duration) error {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.expected = true
	r.mu.Unlock()
	if cmd == nil {
		return fmt.Errorf("%s is not running", r.name)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill -9 %s (pid %d): %w", r.name, cmd.Process.Pid, err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := backoff.Sleep(ctx, down); err != nil {
		return err
	}
	return r.start()
}

// stop ends the role for good: SIGTERM, then SIGKILL after grace.
func (r *role) stop(grace time.Duration) {
	r.mu.Lock()
	r.stopped, r.expected = true, true
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(grace):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
		}
	}
	r.logf.Close()
}

// pid is the running process's id, 0 when none.
func (r *role) pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil || r.cmd.Process == nil {
		return 0
	}
	select {
	case <-r.done:
		return 0
	default:
		return r.cmd.Process.Pid
	}
}

// since is when the running process started.
func (r *role) since() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.startedAt
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

// readyz returns the status of /readyz, 0 when nothing answers.
func (r *role) readyz(ctx context.Context) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.admin+"/readyz", nil)
	if err != nil {
		return 0
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// waitReady polls /readyz until it answers 200 or within has passed.
func (r *role) waitReady(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	last := 0
	for {
		if last = r.readyz(ctx); last == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %v (last /readyz answer %d; log %s)", r.name, within, last, r.logf.Name())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// metrics sums every sample of each metric family /metrics serves.
func (r *role) metrics(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.admin+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s /metrics: %s", r.name, res.Status)
	}
	return parseMetrics(res.Body)
}

// parseMetrics reads Prometheus' text format: `name{labels} value` lines,
// summed per name (histogram series keep their _bucket/_sum/_count names).
func parseMetrics(rd io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name := line
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		rest := line[len(name):]
		if strings.HasPrefix(rest, "{") {
			// Label values may hold spaces: the value follows the last '}'.
			j := strings.LastIndexByte(rest, '}')
			if j < 0 {
				return nil, fmt.Errorf("metrics: unterminated labels in %q", line)
			}
			rest = rest[j+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("metrics: no value in %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: value of %q: %w", line, err)
		}
		out[name] += v
	}
	return out, sc.Err()
}

// logLines returns the lines of the running process's log (since its
// start) that contain substr, and how many there were; at most keep of
// them, the last ones.
func (r *role) logLines(substr string, keep int) ([]string, int) {
	r.mu.Lock()
	name, from := r.logf.Name(), r.logAt
	r.mu.Unlock()
	f, err := os.Open(name)
	if err != nil {
		return nil, 0
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil, 0
	}
	var last []string
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			n++
			last = append(last, sc.Text())
			if len(last) > keep {
				last = last[1:]
			}
		}
	}
	return last, n
}

// freePort returns a loopback address nothing listens on right now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
