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
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Set is a group of settings for one subcommand.
type Set struct {
	fs       *flag.FlagSet
	settings []*setting
	lists    []*listValue // reset by Parse, so one Parse's flags never add to another's
}

type setting struct {
	Setting
	parse func(string) error
	show  func() string // the current value, as it would be written
}

// Kinds of settings, as docs/configuration.md names them.
const (
	KindString   = "string"
	KindList     = "list"
	KindInt      = "integer"
	KindNumber   = "number"
	KindDuration = "duration"
	KindBool     = "boolean"
	KindLevel    = "level"
)

// Setting describes a bound setting: its spellings, default (as written in
// a flag or env value) and meaning.
type Setting struct {
	Flag, Env      string // either may be empty, not both
	Default, Usage string
	Kind           string // one of the Kind constants
}

// New returns an empty Set for the subcommand name.
func New(name string) *Set {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &Set{fs: fs}
}

// Name is the subcommand the set belongs to.
func (s *Set) Name() string { return s.fs.Name() }

// FlagSet exposes the flags, for usage output.
func (s *Set) FlagSet() *flag.FlagSet { return s.fs }

// Settings lists the bound settings in the order they were bound.
func (s *Set) Settings() []Setting {
	out := make([]Setting, len(s.settings))
	for i, st := range s.settings {
		out[i] = st.Setting
	}
	return out
}

// add registers a setting. An empty flagName binds the env variable only
// (settings read before any subcommand parses its flags, like LOG_LEVEL).
func (s *Set) add(st Setting, parse func(string) error, show func() string, value flag.Value) {
	s.settings = append(s.settings, &setting{Setting: st, parse: parse, show: show})
	if st.Flag == "" {
		return
	}
	usage := st.Usage
	if st.Env != "" {
		usage = fmt.Sprintf("%s (env %s)", usage, st.Env)
	}
	if value != nil {
		s.fs.Var(value, st.Flag, usage)
	} else {
		s.fs.Func(st.Flag, usage, parse)
	}
	s.fs.Lookup(st.Flag).DefValue = st.Default
}

// String binds a string setting.
func (s *Set) String(p *string, flagName, env, def, usage string) {
	*p = def
	s.add(Setting{flagName, env, def, usage, KindString}, func(v string) error { *p = v; return nil },
		func() string { return *p }, nil)
}

// Strings binds a comma-separated list; empty items are dropped. The flag
// may also be repeated (--resource a --resource b,c, the form operators
// type): the first occurrence replaces the default or the environment's
// list, later ones add to it.
func (s *Set) Strings(p *[]string, flagName, env, def, usage string) {
	*p = SplitList(def)
	lv := &listValue{p: p}
	s.lists = append(s.lists, lv)
	s.add(Setting{flagName, env, def, usage, KindList}, func(v string) error { *p = SplitList(v); return nil },
		func() string { return strings.Join(*p, ",") }, lv)
}

// Int binds an integer setting.
func (s *Set) Int(p *int, flagName, env string, def int, usage string) {
	*p = def
	s.add(Setting{flagName, env, strconv.Itoa(def), usage, KindInt}, func(v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not an integer: %q", v)
		}
		*p = n
		return nil
	}, func() string { return strconv.Itoa(*p) }, nil)
}

// Float binds a floating-point setting.
func (s *Set) Float(p *float64, flagName, env string, def float64, usage string) {
	*p = def
	format := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	s.add(Setting{flagName, env, format(def), usage, KindNumber}, func(v string) error {
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", v)
		}
		*p = n
		return nil
	}, func() string { return format(*p) }, nil)
}

// Duration binds a duration setting ("250ms", "5s").
func (s *Set) Duration(p *time.Duration, flagName, env string, def time.Duration, usage string) {
	*p = def
	s.add(Setting{flagName, env, def.String(), usage, KindDuration}, func(v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not a duration (like 250ms or 5s): %q", v)
		}
		*p = d
		return nil
	}, func() string { return p.String() }, nil)
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
	s.add(Setting{flagName, env, strconv.FormatBool(def), usage, KindBool}, parse,
		func() string { return strconv.FormatBool(*p) }, &boolValue{p: p, parse: parse})
}

// Level binds a log level: debug, info, warn or error (slog's names, with
// an optional offset such as info+2).
func (s *Set) Level(p *slog.Level, flagName, env string, def slog.Level, usage string) {
	*p = def
	s.add(Setting{flagName, env, strings.ToLower(def.String()), usage, KindLevel}, func(v string) error {
		var l slog.Level
		if err := l.UnmarshalText([]byte(strings.TrimSpace(v))); err != nil {
			return fmt.Errorf("not a log level (debug, info, warn or error): %q", v)
		}
		*p = l
		return nil
	}, func() string { return strings.ToLower(p.String()) }, nil)
}

// listValue is a list flag: repeated occurrences accumulate. fromFlag
// records that the command line already gave part of the list, so the
// default or the environment's list is replaced once, not appended to.
// Its zero value must print (PrintDefaults makes one), hence the nil check.
type listValue struct {
	p        *[]string
	fromFlag bool
}

func (l *listValue) Set(v string) error {
	if !l.fromFlag {
		*l.p, l.fromFlag = nil, true
	}
	*l.p = append(*l.p, SplitList(v)...)
	return nil
}

func (l *listValue) String() string {
	if l == nil || l.p == nil {
		return ""
	}
	return strings.Join(*l.p, ",")
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
	for _, l := range s.lists {
		l.fromFlag = false
	}
	for _, st := range s.settings {
		if st.Env == "" {
			continue
		}
		if v := getenv(st.Env); v != "" {
			if err := st.parse(v); err != nil {
				return nil, fmt.Errorf("%s: %w", st.Env, err)
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
