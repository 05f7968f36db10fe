// Package config binds each setting of a stage to a command-line flag and an
// environment variable, so that a Kubernetes ConfigMap (env) and a developer's
// shell (flags) configure the same thing. Precedence: flag, then env, then
// the default. Every error names the setting by both spellings.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Set is a group of settings for one subcommand.
type Set struct {
	fs       *flag.FlagSet
	settings []*setting
}

type setting struct {
	flag, env string
	parse     func(string) error
}

// New returns an empty Set for the subcommand name.
func New(name string) *Set {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &Set{fs: fs}
}

// FlagSet exposes the flags, for usage output.
func (s *Set) FlagSet() *flag.FlagSet { return s.fs }

func (s *Set) add(flagName, env, usage string, def string, parse func(string) error) {
	if env != "" {
		usage = fmt.Sprintf("%s (env %s)", usage, env)
	}
	s.settings = append(s.settings, &setting{flag: flagName, env: env, parse: parse})
	s.fs.Func(flagName, usage, parse)
	if f := s.fs.Lookup(flagName); f != nil {
		f.DefValue = def
	}
}

// String binds a string setting.
func (s *Set) String(p *string, flagName, env, def, usage string) {
	*p = def
	s.add(flagName, env, usage, def, func(v string) error { *p = v; return nil })
}

// Strings binds a comma-separated list; empty items are dropped.
func (s *Set) Strings(p *[]string, flagName, env, def, usage string) {
	*p = SplitList(def)
	s.add(flagName, env, usage, def, func(v string) error { *p = SplitList(v); return nil })
}

// Int binds an integer setting.
func (s *Set) Int(p *int, flagName, env string, def int, usage string) {
	*p = def
	s.add(flagName, env, usage, strconv.Itoa(def), func(v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not an integer: %q", v)
		}
		*p = n
		return nil
	})
}

// Float binds a floating-point setting.
func (s *Set) Float(p *float64, flagName, env string, def float64, usage string) {
	*p = def
	s.add(flagName, env, usage, strconv.FormatFloat(def, 'g', -1, 64), func(v string) error {
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		*p = n
		return nil
	})
}

// Duration binds a duration setting ("250ms", "5s").
func (s *Set) Duration(p *time.Duration, flagName, env string, def time.Duration, usage string) {
	*p = def
	s.add(flagName, env, usage, def.String(), func(v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not a duration (like 250ms or 5s): %q", v)
		}
		*p = d
		return nil
	})
}

// Bool binds a boolean setting; a bare --flag means true.
func (s *Set) Bool(p *bool, flagName, env string, def bool, usage string) {
	*p = def
	parse := func(v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not a boolean: %q", v)
		}
		*p = b
		return nil
	}
	if env != "" {
		usage = fmt.Sprintf("%s (env %s)", usage, env)
	}
	s.settings = append(s.settings, &setting{flag: flagName, env: env, parse: parse})
	s.fs.Var(&boolValue{p: p, parse: parse}, flagName, usage)
	s.fs.Lookup(flagName).DefValue = strconv.FormatBool(def)
}

// boolValue is a flag.Value that the flag package treats as a bool flag.
// Its zero value must print (PrintDefaults makes one), hence the nil check.
type boolValue struct {
	p     *bool
	parse func(string) error
}

func (b *boolValue) Set(v string) error { return b.parse(v) }
func (b *boolValue) IsBoolFlag() bool   { return true }
func (b *boolValue) String() string {
	if b == nil || b.p == nil {
		return "false"
	}
	return strconv.FormatBool(*b.p)
}

// Parse applies the environment (looked up by getenv) and then args. It
// returns the remaining positional arguments.
func (s *Set) Parse(args []string, getenv func(string) string) ([]string, error) {
	for _, st := range s.settings {
		if st.env == "" {
			continue
		}
		if v := getenv(st.env); v != "" {
			if err := st.parse(v); err != nil {
				return nil, fmt.Errorf("%s: %w", st.env, err)
			}
		}
	}
	if err := s.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", s.fs.Name(), err)
	}
	return s.fs.Args(), nil
}

// Usage writes the settings of the set to w.
func (s *Set) Usage(w io.Writer) {
	s.fs.SetOutput(w)
	s.fs.PrintDefaults()
	s.fs.SetOutput(io.Discard)
}

// SplitList splits a comma-separated list, trimming blanks.
func SplitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Problem is a setting's invalid value, named by its env and flag spellings.
type Problem struct {
	Env, Flag string
	Msg       string
}

func (p *Problem) Error() string {
	switch {
	case p.Env != "" && p.Flag != "":
		return fmt.Sprintf("%s (--%s): %s", p.Env, p.Flag, p.Msg)
	case p.Env != "":
		return p.Env + ": " + p.Msg
	default:
		return "--" + p.Flag + ": " + p.Msg
	}
}

// Invalid builds a Problem for use in a stage's Config.Validate.
func Invalid(env, flagName, format string, args ...any) error {
	return &Problem{Env: env, Flag: flagName, Msg: fmt.Sprintf(format, args...)}
}

// ValidateKafka checks the settings every Kafka-using role shares:
// KAFKA_BROKERS and TOPIC_PREFIX. The registry's (SCHEMA_REGISTRY_*) are
// registry.Settings', validated by it.
func ValidateKafka(brokers []string, prefix string) error {
	if len(brokers) == 0 {
		return Invalid("KAFKA_BROKERS", "kafka-brokers", "must list at least one host:port")
	}
	for _, b := range brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			return Invalid("KAFKA_BROKERS", "kafka-brokers", "%q is not host:port", b)
		}
	}
	if prefix == "" || strings.ContainsAny(prefix, " /\\") {
		return Invalid("TOPIC_PREFIX", "topic-prefix", "must be a non-empty topic-name prefix, got %q", prefix)
	}
	return nil
}
