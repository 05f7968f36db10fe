package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestPrecedenceFlagOverEnvOverDefault(t *testing.T) {
	var addr, topic string
	var n int
	var d time.Duration
	var on bool
	s := New("x")
	s.String(&addr, "addr", "X_ADDR", ":8080", "")
	s.String(&topic, "topic", "X_TOPIC", "belvo", "")
	s.Int(&n, "n", "X_N", 3, "")
	s.Duration(&d, "d", "X_D", time.Second, "")
	s.Bool(&on, "on", "X_ON", false, "")
	env := map[string]string{"X_ADDR": ":9000", "X_N": "7", "X_ON": "true"}
	rest, err := s.Parse([]string{"--addr", ":7000", "--d=250ms", "pos"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if addr != ":7000" || topic != "belvo" || n != 7 || d != 250*time.Millisecond || !on {
		t.Fatalf("got addr=%q topic=%q n=%d d=%v on=%v", addr, topic, n, d, on)
	}
	if len(rest) != 1 || rest[0] != "pos" {
		t.Fatalf("rest = %v", rest)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env: map[string]string{"X_N": "seven"}, want: "X_N: not an integer"},
		{args: []string{"--d", "5 parsecs"}, want: "-d"},
		{args: []string{"--nope"}, want: "nope"},
	}
	for _, c := range cases {
		var n int
		var d time.Duration
		s := New("x")
		s.Int(&n, "n", "X_N", 3, "")
		s.Duration(&d, "d", "X_D", time.Second, "")
		_, err := s.Parse(c.args, func(k string) string { return c.env[k] })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env=%v args=%v: err = %v, want it to mention %q", c.env, c.args, err, c.want)
		}
	}
}

func TestBareBoolFlagMeansTrue(t *testing.T) {
	var on bool
	s := New("x")
	s.Bool(&on, "once", "", false, "")
	if _, err := s.Parse([]string{"--once"}, func(string) string { return "" }); err != nil || !on {
		t.Fatalf("on=%v err=%v", on, err)
	}
}

func TestSplitList(t *testing.T) {
	got := SplitList(" a, ,b ,")
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("got %q", got)
	}
	if p := Invalid("KAFKA_BROKERS", "kafka-brokers", "must not be empty").Error(); p != "KAFKA_BROKERS (--kafka-brokers): must not be empty" {
		t.Fatalf("got %q", p)
	}
}

// A list flag given several times holds every occurrence's items; the
// first occurrence replaces the environment's list instead of adding to it,
// and a second Parse starts over.
func TestRepeatedListFlagAccumulates(t *testing.T) {
	var list []string
	s := New("x")
	s.Strings(&list, "l", "X_L", "d", "")
	env := func(k string) string { return map[string]string{"X_L": "e1,e2"}[k] }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "e1,e2"},
		{[]string{"--l", "a"}, "a"},
		{[]string{"--l", "a", "--l", "b,c", "-l=d"}, "a,b,c,d"},
		{[]string{"--l", "x"}, "x"},
	} {
		if _, err := s.Parse(tc.args, env); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(list, ","); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.args, got, tc.want)
		}
	}
}

// Pins a panic: PrintDefaults builds a zero flag.Value of each flag's type to
// tell defaults apart, and a bool flag's String must survive that.
func TestUsageListsEverySettingWithoutPanicking(t *testing.T) {
	var on bool
	var n int
	s := New("x")
	s.Bool(&on, "scenario", "X_SCENARIO", false, "run it")
	s.Int(&n, "n", "X_N", 3, "count")
	var b strings.Builder
	s.Usage(&b)
	out := b.String()
	for _, want := range []string{"-scenario", "X_SCENARIO", "-n", "X_N", "(default 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("usage lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "panic") {
		t.Fatalf("usage shows a panic:\n%s", out)
	}
}

func TestValidateKafkaNamesTheBadSetting(t *testing.T) {
	cases := []struct {
		brokers []string
		prefix  string
		want    string
	}{
		{nil, "belvo", "KAFKA_BROKERS"},
		{[]string{"nohostport"}, "belvo", "KAFKA_BROKERS"},
		{[]string{"k:9092"}, "", "TOPIC_PREFIX"},
		{[]string{"k:9092"}, "a/b", "TOPIC_PREFIX"},
	}
	for _, c := range cases {
		err := ValidateKafka(c.brokers, c.prefix)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want it to name %s", c, err, c.want)
		}
	}
	if err := ValidateKafka([]string{"127.0.0.1:9092"}, "belvo"); err != nil {
		t.Fatal(err)
	}
}

func TestLevelAndEnvOnlySettings(t *testing.T) {
	var l slog.Level
	s := New("x")
	s.Level(&l, "", "X_LOG_LEVEL", slog.LevelInfo, "level")
	if _, err := s.Parse(nil, func(string) string { return "warn" }); err != nil || l != slog.LevelWarn {
		t.Fatalf("level %v, err %v", l, err)
	}
	_, err := s.Parse(nil, func(string) string { return "chatty" })
	if err == nil || !strings.HasPrefix(err.Error(), "X_LOG_LEVEL: ") {
		t.Fatalf("err = %v, want it to start with the variable", err)
	}
	// An env-only setting has no flag to set.
	if _, err := s.Parse([]string{"--x-log-level", "debug"}, func(string) string { return "" }); err == nil {
		t.Fatal("an env-only setting was accepted as a flag")
	}
	if st := s.Settings()[0]; st.Flag != "" || st.Env != "X_LOG_LEVEL" || st.Default != "info" || st.Kind != KindLevel {
		t.Fatalf("setting %+v", st)
	}
}

func TestChangedShowsValuesAsWrittenAndRedactsSecrets(t *testing.T) {
	var (
		d          time.Duration
		list       []string
		pw, token  string
		dsn, plain string
		n          int
	)
	s := New("x")
	s.Duration(&d, "d", "X_D", time.Second, "")
	s.Strings(&list, "l", "X_L", "a,b", "")
	s.String(&pw, "p", "X_PASSWORD", "", "")
	s.String(&token, "bearer-token", "", "", "")
	s.String(&dsn, "dsn", "X_DSN", "", "")
	s.String(&plain, "plain", "X_PLAIN", "same", "")
	s.Int(&n, "n", "X_N", 3, "")
	env := map[string]string{"X_D": "1500ms", "X_L": " a , b ", "X_PASSWORD": "pw1", "X_DSN": "https://u:pw2@h:8443/db", "X_PLAIN": "same"}
	if _, err := s.Parse([]string{"--bearer-token", "tok3"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range s.Changed() {
		got[a.Key] = a.Value.String()
	}
	want := map[string]string{"X_D": "1.5s", "X_PASSWORD": "[REDACTED]", "--bearer-token": "[REDACTED]", "X_DSN": "https://u:xxxxx@h:8443/db"}
	if len(got) != len(want) {
		t.Fatalf("changed %v, want %v (an unchanged list, string and int are left out)", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestReferenceDocumentsSharedSettingsOnce(t *testing.T) {
	var a, b struct {
		brokers []string
		parts   int
		own     time.Duration
		pw      string
	}
	one, two := New("one"), New("two")
	one.Strings(&a.brokers, "kafka-brokers", "KAFKA_BROKERS", "127.0.0.1:9092", "brokers")
	one.Int(&a.parts, "topic-partitions", "TOPIC_PARTITIONS", 6, "partitions of one's topics")
	one.Duration(&a.own, "wait", "ONE_WAIT", 90*time.Second, "how long <one> waits | at most")
	two.Strings(&b.brokers, "kafka-brokers", "KAFKA_BROKERS", "127.0.0.1:9092", "brokers")
	two.Int(&b.parts, "partitions", "TOPIC_PARTITIONS", 1, "partitions of two's topics")
	two.String(&b.pw, "password", "TWO_PASSWORD", "", "the password")
	var global slog.Level
	g := New("all")
	g.Level(&global, "", "LOG_LEVEL", slog.LevelInfo, "log level")
	var out strings.Builder
	if err := WriteReference(&out, "# Ref\n", g, []Command{{Name: "one", Summary: "One.", Set: one}, {Name: "two", Summary: "Two.", Set: two}}); err != nil {
		t.Fatal(err)
	}
	doc := out.String()
	for _, want := range []string{
		"| `LOG_LEVEL` | — | `info` | level |",
		"| `KAFKA_BROKERS` | `--kafka-brokers` | `127.0.0.1:9092` | list | one, two | brokers |",
		"| `TOPIC_PARTITIONS` | `--topic-partitions`, `--partitions` | one: `6`<br>two: `1` | integer | one, two | one: partitions of one's topics<br>two: partitions of two's topics |",
		"| `ONE_WAIT` | `--wait` | `1m30s` | duration | how long &lt;one&gt; waits \\| at most |",
		"| `TWO_PASSWORD` | `--password` | *(empty)* | string | the password **secret** |",
		"Also reads the shared `KAFKA_BROKERS`, `TOPIC_PARTITIONS`.",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("reference lacks %q:\n%s", want, doc)
		}
	}
	if n := strings.Count(doc, "| `KAFKA_BROKERS` |"); n != 1 {
		t.Errorf("KAFKA_BROKERS in %d rows, want 1", n)
	}
}
