package config

import (
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
