package config

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

// secretWords mark a setting whose value must never be logged: passwords,
// tokens, user:password pairs, and the exact Authorization header value.
var secretWords = []string{"PASSWORD", "SECRET", "TOKEN", "AUTHORIZATION", "USER_INFO", "CREDENTIAL"}

// Secret reports whether st holds a credential, by its name.
func (st Setting) Secret() bool {
	name := strings.ToUpper(st.Env + " " + strings.ReplaceAll(st.Flag, "-", "_"))
	for _, w := range secretWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// Name is the env spelling, or --flag for a flag-only setting.
func (st Setting) Name() string {
	if st.Env != "" {
		return st.Env
	}
	return "--" + st.Flag
}

// redact hides a secret's value, and the password of a URL with user
// information (CLICKHOUSE_DSN, a registry URL).
func redact(st Setting, v string) string {
	if v == "" {
		return v
	}
	if st.Secret() {
		return "[REDACTED]"
	}
	if strings.Contains(v, "@") && strings.Contains(v, "://") {
		if u, err := url.Parse(v); err == nil && u.User != nil {
			return u.Redacted()
		}
	}
	return v
}

// Changed returns the settings whose value differs from the default, as
// slog attributes named like the env variables, secrets redacted: a start-up
// log line says how a process was configured, in the units the settings are
// written in (durations as "30s").
func (s *Set) Changed() []slog.Attr {
	var out []slog.Attr
	for _, st := range s.settings {
		if v := st.show(); v != st.Default {
			out = append(out, slog.String(st.Name(), redact(st.Setting, v)))
		}
	}
	return out
}

// Command is a subcommand and the settings it reads, for the reference.
type Command struct {
	Name, Summary string
	// Notes is Markdown added under the command's heading.
	Notes string
	Set   *Set
}

// kindDoc explains how each kind of value is written.
var kindDoc = []struct{ kind, how string }{
	{KindDuration, "a Go duration: `250ms`, `30s`, `5m`, `1h30m`"},
	{KindInt, "a whole number; sizes are in the unit the name says (`_BYTES`, `_ROWS`, `_DAYS`)"},
	{KindNumber, "a decimal number (fractions are 0 to 1)"},
	{KindBool, "`true` or `false` (`1`, `0`, `t`, `f` too); a bare `--flag` means true"},
	{KindList, "comma-separated; blanks around items are dropped; a flag given again adds its items (`--resource a --resource b,c`)"},
	{KindLevel, "`debug`, `info`, `warn` or `error`"},
	{KindString, "text, used as is"},
}

// WriteReference writes the Markdown configuration reference of cmds:
// global settings (read before any command), settings several commands
// share, once, with the commands that read them, then each command's own.
// The output depends only on the bindings, so a committed copy can be
// compared with it (a drift test).
func WriteReference(w io.Writer, header string, global *Set, cmds []Command) error {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\nValues are written as follows:\n\n| type | how |\n|---|---|\n")
	for _, k := range kindDoc {
		fmt.Fprintf(&b, "| %s | %s |\n", k.kind, k.how)
	}
	b.WriteString("\nSettings marked **secret** are never logged; at start every command logs the settings that differ\nfrom their defaults, secrets redacted.\n")

	if global != nil && len(global.settings) > 0 {
		b.WriteString("\n## Every command\n\n")
		table(&b, global.Settings())
	}

	// An env variable read by several commands is documented once.
	readers := map[string][]string{}
	var order []string
	for _, c := range cmds {
		for _, st := range c.Set.settings {
			if st.Env == "" || slices.Contains(readers[st.Env], c.Name) {
				continue
			}
			if readers[st.Env] == nil {
				order = append(order, st.Env)
			}
			readers[st.Env] = append(readers[st.Env], c.Name)
		}
	}
	var shared []string
	for _, env := range order {
		if len(readers[env]) > 1 {
			shared = append(shared, env)
		}
	}
	if len(shared) > 0 {
		b.WriteString("\n## Shared settings\n\nRead by several commands, with the same meaning; a command's section lists only its own.\n\n")
		b.WriteString("| env | flag | default | type | read by | meaning |\n|---|---|---|---|---|---|\n")
		for _, env := range shared {
			var flags, defaults, usages []string
			var kind string
			var secret bool
			type variant struct{ cmds []string }
			defBy, useBy := map[string]*variant{}, map[string]*variant{}
			for _, c := range cmds {
				for _, st := range c.Set.settings {
					if st.Env != env {
						continue
					}
					kind, secret = st.Kind, st.Secret()
					if st.Flag != "" && !slices.Contains(flags, "--"+st.Flag) {
						flags = append(flags, "--"+st.Flag)
					}
					if defBy[st.Default] == nil {
						defBy[st.Default] = &variant{}
						defaults = append(defaults, st.Default)
					}
					defBy[st.Default].cmds = append(defBy[st.Default].cmds, c.Name)
					if useBy[st.Usage] == nil {
						useBy[st.Usage] = &variant{}
						usages = append(usages, st.Usage)
					}
					useBy[st.Usage].cmds = append(useBy[st.Usage].cmds, c.Name)
					break
				}
			}
			def := code(defaults[0])
			if len(defaults) > 1 {
				var parts []string
				for _, d := range defaults {
					parts = append(parts, strings.Join(defBy[d].cmds, ", ")+": "+code(d))
				}
				def = strings.Join(parts, "<br>")
			}
			use := cell(usages[0])
			if len(usages) > 1 {
				var parts []string
				for _, u := range usages {
					parts = append(parts, strings.Join(useBy[u].cmds, ", ")+": "+cell(u))
				}
				use = strings.Join(parts, "<br>")
			}
			if secret {
				use += " **secret**"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", env, codes(flags), def, kind,
				strings.Join(readers[env], ", "), use)
		}
	}

	for _, c := range cmds {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", c.Name, c.Summary)
		if c.Notes != "" {
			fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Notes))
		}
		var own []Setting
		for _, st := range c.Set.Settings() {
			if !slices.Contains(shared, st.Env) {
				own = append(own, st)
			}
		}
		var sharedHere []string
		for _, env := range shared {
			if slices.Contains(readers[env], c.Name) {
				sharedHere = append(sharedHere, "`"+env+"`")
			}
		}
		if len(sharedHere) > 0 {
			fmt.Fprintf(&b, "\nAlso reads the shared %s.\n", strings.Join(sharedHere, ", "))
		}
		b.WriteString("\n")
		if len(own) == 0 {
			b.WriteString("No settings of its own.\n")
			continue
		}
		table(&b, own)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func table(b *strings.Builder, sts []Setting) {
	b.WriteString("| env | flag | default | type | meaning |\n|---|---|---|---|---|\n")
	for _, st := range sts {
		env, flagName := "—", "—"
		if st.Env != "" {
			env = "`" + st.Env + "`"
		}
		if st.Flag != "" {
			flagName = "`--" + st.Flag + "`"
		}
		use := st.Usage
		if st.Secret() {
			use += " **secret**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", env, flagName, code(st.Default), st.Kind, cell(use))
	}
}

// code shows a default; an empty one says so.
func code(v string) string {
	if v == "" {
		return "*(empty)*"
	}
	return "`" + strings.ReplaceAll(v, "|", `\|`) + "`"
}

func codes(vs []string) string {
	if len(vs) == 0 {
		return "—"
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}

// cell escapes what would end a table cell or read as HTML (<link id>).
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
