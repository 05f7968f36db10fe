package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/finflow/belvo-pipeline/internal/config"
)

const committedReference = "../../docs/configuration.md"

// TestConfigurationReferenceIsCurrent is the drift check of
// docs/configuration.md: a setting added, removed or changed in any
// command's Bind without regenerating fails here.
func TestConfigurationReferenceIsCurrent(t *testing.T) {
	got, err := os.ReadFile(committedReference)
	if err != nil {
		t.Fatal(err)
	}
	want, err := reference()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run `make generate` (go generate ./cmd/belvo-pipeline) and commit it", committedReference)
	}
}

// The reference covers every command's every setting, each env variable
// once however many commands read it.
func TestReferenceListsEverySettingOnce(t *testing.T) {
	doc, err := reference()
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	cmds := referenceCommands()
	if len(cmds) < 7 {
		t.Fatalf("only %d commands in the reference", len(cmds))
	}
	for _, c := range cmds {
		if !strings.Contains(text, "\n## "+c.Name+"\n") {
			t.Errorf("no section for %s", c.Name)
		}
		for _, st := range c.Set.Settings() {
			if st.Env == "" {
				if !strings.Contains(text, "`--"+st.Flag+"`") {
					t.Errorf("%s: flag --%s missing", c.Name, st.Flag)
				}
				continue
			}
			if n := strings.Count(text, "| `"+st.Env+"` |"); n != 1 {
				t.Errorf("%s appears in %d table rows, want 1", st.Env, n)
			}
		}
	}
	for _, want := range []string{"| `LOG_LEVEL` |", "| `KAFKA_SASL_PASSWORD` |", "**secret**"} {
		if !strings.Contains(text, want) {
			t.Errorf("reference lacks %q", want)
		}
	}
}

func TestBadLogLevelIsRefusedNamingIt(t *testing.T) {
	var level slog.Level
	_, err := globalSettings(&level).Parse(nil, func(k string) string {
		if k == "LOG_LEVEL" {
			return "loud"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") || !strings.Contains(err.Error(), "loud") {
		t.Fatalf("err = %v, want it to name LOG_LEVEL and the value", err)
	}
	for v, want := range map[string]slog.Level{"debug": slog.LevelDebug, "WARN": slog.LevelWarn, "": slog.LevelInfo} {
		if _, err := globalSettings(&level).Parse(nil, func(string) string { return v }); err != nil || level != want {
			t.Errorf("LOG_LEVEL=%q: level %v, err %v; want %v", v, level, err, want)
		}
	}
	// The process exits at once, before any command runs.
	t.Setenv("LOG_LEVEL", "loud")
	if code := mainWithArgs([]string{"sink", "--help"}); code != 2 {
		t.Fatalf("exit code %d with LOG_LEVEL=loud, want 2", code)
	}
}

func TestLogsWriteDurationsAsConfigured(t *testing.T) {
	var b bytes.Buffer
	newLogger(&b, slog.LevelInfo).Info("x", "timeout", 30*time.Second, "n", 3)
	var line map[string]any
	if err := json.Unmarshal(b.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line["timeout"] != "30s" || line["n"] != float64(3) {
		t.Fatalf("got %s", b.String())
	}
}

// The start-up line says which build runs and how it was configured:
// changed settings only, durations readable, secrets redacted.
func TestStartupLogShowsBuildAndChangedSettings(t *testing.T) {
	var (
		d           time.Duration
		user, pw    string
		dsn, addr   string
		logs        bytes.Buffer
		unchangedOK = ":8080"
	)
	set := config.New("x")
	set.Duration(&d, "stall-timeout", "X_STALL_TIMEOUT", time.Minute, "")
	set.String(&user, "kafka-sasl-username", "KAFKA_SASL_USERNAME", "", "")
	set.String(&pw, "kafka-sasl-password", "KAFKA_SASL_PASSWORD", "", "")
	set.String(&dsn, "dsn", "CLICKHOUSE_DSN", "", "")
	set.String(&addr, "addr", "X_ADDR", unchangedOK, "")
	env := map[string]string{"X_STALL_TIMEOUT": "90s", "KAFKA_SASL_USERNAME": "belvo-sink", "KAFKA_SASL_PASSWORD": "hunter2",
		"CLICKHOUSE_DSN": "clickhouse://belvo:s3cret@ch:9000/belvo"}
	re := &runEnv{getenv: func(k string) string { return env[k] }, stdout: io.Discard, log: newLogger(&logs, slog.LevelInfo)}
	if _, err := parseOrUsage(set, nil, re); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Msg, Version, Revision string
		Settings               map[string]string
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	if line.Msg != "starting" || line.Version == "" || line.Revision == "" {
		t.Fatalf("got %s", logs.String())
	}
	want := map[string]string{"X_STALL_TIMEOUT": "1m30s", "KAFKA_SASL_USERNAME": "belvo-sink", "KAFKA_SASL_PASSWORD": "[REDACTED]",
		"CLICKHOUSE_DSN": "clickhouse://belvo:xxxxx@ch:9000/belvo"}
	if len(line.Settings) != len(want) {
		t.Errorf("settings %v, want %v", line.Settings, want)
	}
	for k, v := range want {
		if line.Settings[k] != v {
			t.Errorf("%s = %q, want %q", k, line.Settings[k], v)
		}
	}
	if strings.Contains(logs.String(), "hunter2") || strings.Contains(logs.String(), "s3cret") {
		t.Fatalf("a secret was logged: %s", logs.String())
	}
}

func TestBuildInfoMetric(t *testing.T) {
	b := build{Version: "v1.2.3", Revision: "abc", GoVersion: "go1.26.8"}
	reg := prometheus.NewRegistry()
	registerBuildInfo(reg, b)
	if got := buildInfoSeries(t, reg); len(got) != 1 || got[0] != "goversion=go1.26.8,revision=abc,version=v1.2.3 1" {
		t.Fatalf("belvo_build_info series %q", got)
	}
	// Every role's registry has it.
	if got := buildInfoSeries(t, newRegistry()); len(got) != 1 || !strings.HasSuffix(got[0], " 1") {
		t.Fatalf("newRegistry: belvo_build_info series %q", got)
	}
}

func buildInfoSeries(t *testing.T, reg *prometheus.Registry) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != "belvo_build_info" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out = append(out, fmt.Sprintf("%s %g", strings.Join(labels, ","), m.GetGauge().GetValue()))
		}
	}
	return out
}

// The version comes from -ldflags -X when the build sets it (make build,
// the Dockerfile); a plain build still names its commit.
func TestVersionFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := t.TempDir() + "/belvo-pipeline"
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7 -X main.revision=0123abc", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); !strings.HasPrefix(got, "belvo-pipeline v9.8.7 (revision 0123abc, go") {
		t.Fatalf("--version printed %q", got)
	}
	if b := buildInfo(); b.Version == "" || b.Revision == "" || !strings.HasPrefix(b.GoVersion, "go") {
		t.Fatalf("unlinked test binary: %+v", b)
	}

	// Without -X, the commit the toolchain stamps (vcs.revision).
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("no git checkout: %v", err)
	}
	rev := strings.TrimSpace(string(head))
	build = exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -buildvcs=true: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	// Go 1.24+ makes a pseudo-version of it (v0.0.0-<time>-<commit>[+dirty]).
	got := strings.TrimSpace(string(out))
	v, _, _ := strings.Cut(strings.TrimPrefix(got, "belvo-pipeline "), " ")
	if !strings.Contains(v, rev[:12]) || !strings.Contains(got, "(revision "+rev+",") {
		t.Fatalf("--version printed %q, want a version naming %s and revision %s", got, rev[:12], rev)
	}
}
