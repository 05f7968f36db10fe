// Package privacy rewrites Belvo records so that personal data never
// reaches Kafka in plain text: at each protected dotted JSON path the value
// is replaced by a keyed hash (HMAC-SHA-256, so equal values still join) or
// by null. Arrays on the way are transparent: a path applies to every
// element, at any depth. The policy itself lives in schemas.Privacy; this
// package only applies one.
package privacy

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"strings"
	"sync"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
)

// Action is what becomes of the value at a protected path.
type Action uint8

const (
	// Keep leaves the value as Belvo sent it (an override that lifts a
	// default rule).
	Keep Action = iota
	// Hash replaces a string or number by "<key id>:<64 hex digits>" of
	// HMAC-SHA-256 over its exact text; inside an object or array every
	// string and number is hashed. true, false and null stay.
	Hash
	// Drop replaces the value, whatever it is, by null.
	Drop
)

// String is the spelling of the action in settings and docs.
func (a Action) String() string {
	switch a {
	case Keep:
		return "keep"
	case Hash:
		return "hash"
	case Drop:
		return "drop"
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// ParseAction reads keep, hash or drop.
func ParseAction(s string) (Action, error) {
	for _, a := range []Action{Keep, Hash, Drop} {
		if s == a.String() {
			return a, nil
		}
	}
	return 0, fmt.Errorf("action %q: want hash, drop or keep", s)
}

// Rule protects one dotted JSON path of a record.
type Rule struct {
	Path   string
	Action Action
}

// maxDepth is encoding/json's nesting limit, which the Belvo client's
// validation of every page already enforced.
const maxDepth = 10000

// KeyIDPattern is what a key id may look like: it prefixes every hash, so
// it is short and never holds the ':' that separates it.
var KeyIDPattern = regexp.MustCompile(`^[a-z0-9_-]{1,16}$`)

// MinKeyBytes is the shortest key accepted: HMAC-SHA-256 is only as strong
// as a key of the hash's size.
const MinKeyBytes = 32

// Protector applies rules per resource. It is safe for concurrent use.
type Protector struct {
	keyID string
	macs  sync.Pool // of hash.Hash keyed with the key
	trees map[string]*node
}

// node is one step of the protected paths of a resource: either an action
// (a leaf) or the members below it.
type node struct {
	action   Action
	children map[string]*node
}

// New builds a Protector hashing with key under keyID; rules are by
// resource name. Rules whose action is Keep are left out, so an override
// can lift a default; a path under another protected path is refused (the
// outer action already covers it).
func New(key []byte, keyID string, rules map[string][]Rule) (*Protector, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("key has %d bytes, want at least %d", len(key), MinKeyBytes)
	}
	if !KeyIDPattern.MatchString(keyID) {
		return nil, fmt.Errorf("key id %q: want 1-16 of a-z, 0-9, _ and -", keyID)
	}
	k := append([]byte(nil), key...)
	p := &Protector{keyID: keyID, trees: map[string]*node{}}
	p.macs.New = func() any { return hmac.New(sha256.New, k) }
	for resource, rs := range rules {
		root := &node{}
		for _, r := range rs {
			if r.Action == Keep {
				continue
			}
			if err := root.add(r); err != nil {
				return nil, fmt.Errorf("%s: %w", resource, err)
			}
		}
		if len(root.children) > 0 {
			p.trees[resource] = root
		}
	}
	return p, nil
}

func (n *node) add(r Rule) error {
	segs := strings.Split(r.Path, ".")
	for _, s := range segs {
		if s == "" {
			return fmt.Errorf("path %q is malformed", r.Path)
		}
	}
	cur := n
	for i, s := range segs {
		if cur.action != Keep {
			return fmt.Errorf("path %q lies under %s, already protected", r.Path, strings.Join(segs[:i], "."))
		}
		if cur.children == nil {
			cur.children = map[string]*node{}
		}
		next := cur.children[s]
		if next == nil {
			next = &node{}
			cur.children[s] = next
		}
		cur = next
	}
	if cur.action != Keep && cur.action != r.Action {
		return fmt.Errorf("path %q has two actions", r.Path)
	}
	if len(cur.children) > 0 {
		return fmt.Errorf("path %q is above other protected paths", r.Path)
	}
	cur.action = r.Action
	return nil
}

// KeyID is the id every hash is prefixed with.
func (p *Protector) KeyID() string { return p.keyID }

// Covers reports whether resource has protected paths.
func (p *Protector) Covers(resource string) bool { return p != nil && p.trees[resource] != nil }

// Token is the hash Hash writes for value: what an analyst computes to
// look a known value up or to join another source with the tables.
func (p *Protector) Token(value []byte) string {
	return string(p.appendToken(nil, value))
}

func (p *Protector) appendToken(dst, value []byte) []byte {
	m := p.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(value)
	var sum [sha256.Size]byte
	m.Sum(sum[:0])
	p.macs.Put(m)
	dst = append(dst, p.keyID...)
	dst = append(dst, ':')
	return hex.AppendEncode(dst, sum[:])
}

// Record returns raw with resource's protected paths rewritten; raw itself
// when the resource has none or none occurs in it. raw is never written
// to. It must be one JSON value (the Belvo client validated every page); an
// error means it was not.
func (p *Protector) Record(resource string, raw []byte) ([]byte, error) {
	root := p.trees[resource]
	if root == nil {
		return raw, nil
	}
	w := rewriter{p: p, data: raw}
	if _, err := w.walk(jsontext.SkipSpace(raw, 0), root, 1); err != nil {
		return nil, err
	}
	if w.out == nil {
		return raw, nil
	}
	return append(w.out, raw[w.last:]...), nil
}

// rewriter copies data into out with splices: out holds data[:last] with
// every protected value replaced so far, so text outside the protected
// values (spacing, member order, number spelling) is kept byte for byte.
type rewriter struct {
	p    *Protector
	data []byte
	out  []byte
	last int
}

func (w *rewriter) splice(start, end int, repl []byte) {
	if w.out == nil {
		w.out = make([]byte, 0, len(w.data)+len(w.data)/4)
	}
	w.out = append(w.out, w.data[w.last:start]...)
	w.out = append(w.out, repl...)
	w.last = end
}

var errTruncated = errors.New("privacy: record ends early")

// walk visits the value at i under n and returns the index after it;
// depth is the containers open around it, for the nesting limit.
func (w *rewriter) walk(i int, n *node, depth int) (int, error) {
	if i >= len(w.data) {
		return i, errTruncated
	}
	switch n.action {
	case Drop:
		end, err := jsontext.Skip(w.data, i, maxDepth-depth)
		if err != nil {
			return end, err
		}
		if w.data[i] != 'n' {
			w.splice(i, end, []byte("null"))
		}
		return end, nil
	case Hash:
		return w.hash(i, depth)
	}
	switch w.data[i] {
	case '{':
		return w.members(i, depth, func(name []byte, v int) (int, error) {
			if child := n.children[string(name)]; child != nil {
				return w.walk(v, child, depth+1)
			}
			return jsontext.Skip(w.data, v, maxDepth-depth-1)
		})
	case '[':
		// Arrays are transparent: n applies to each element.
		return w.elements(i, depth, func(v int) (int, error) { return w.walk(v, n, depth+1) })
	}
	return jsontext.Skip(w.data, i, maxDepth-depth)
}

// hash replaces the string or number at i, or every one inside the
// object or array at i, by its token.
func (w *rewriter) hash(i, depth int) (int, error) {
	switch c := w.data[i]; {
	case c == '"':
		end, escaped, err := jsontext.String(w.data, i)
		if err != nil {
			return end, err
		}
		value := w.data[i+1 : end-1]
		if escaped {
			value = jsontext.AppendUnquoted(nil, value)
		}
		w.splice(i, end, w.quotedToken(value))
		return end, nil
	case c == '-' || c >= '0' && c <= '9':
		end, err := jsontext.Skip(w.data, i, 0)
		if err != nil {
			return end, err
		}
		w.splice(i, end, w.quotedToken(w.data[i:end]))
		return end, nil
	case c == '{':
		return w.members(i, depth, func(_ []byte, v int) (int, error) { return w.hash(v, depth+1) })
	case c == '[':
		return w.elements(i, depth, func(v int) (int, error) { return w.hash(v, depth+1) })
	}
	return jsontext.Skip(w.data, i, 0) // true, false, null
}

func (w *rewriter) quotedToken(value []byte) []byte {
	b := make([]byte, 0, len(w.p.keyID)+2+2*sha256.Size+1)
	b = append(b, '"')
	b = w.p.appendToken(b, value)
	return append(b, '"')
}

// members calls fn with each member's unquoted name and the index of its
// value, in the object at i; fn returns the index after the value.
func (w *rewriter) members(i, depth int, fn func(name []byte, value int) (int, error)) (int, error) {
	return w.items(i, depth, '}', func(j int) (int, error) {
		name, escaped, v, err := jsontext.Member(w.data, j)
		if err != nil {
			return v, err
		}
		if escaped {
			name = jsontext.AppendUnquoted(nil, name)
		}
		return fn(name, v)
	})
}

// elements calls fn with the index of each element of the array at i.
func (w *rewriter) elements(i, depth int, fn func(value int) (int, error)) (int, error) {
	return w.items(i, depth, ']', fn)
}

// items walks the object or array at i, which closes with end: fn reads
// the item (a member or an element) starting at its index and returns the
// index after it.
func (w *rewriter) items(i, depth int, end byte, fn func(item int) (int, error)) (int, error) {
	if depth >= maxDepth {
		return i, fmt.Errorf("privacy: record nested too deeply")
	}
	j := jsontext.SkipSpace(w.data, i+1)
	if j < len(w.data) && w.data[j] == end {
		return j + 1, nil
	}
	for {
		var err error
		if j, err = fn(jsontext.SkipSpace(w.data, j)); err != nil {
			return j, err
		}
		j = jsontext.SkipSpace(w.data, j)
		if j >= len(w.data) {
			return j, errTruncated
		}
		switch w.data[j] {
		case ',':
			j = jsontext.SkipSpace(w.data, j+1)
		case end:
			return j + 1, nil
		default:
			return j, fmt.Errorf("privacy: expected ',' or '%c' at %d", end, j)
		}
	}
}

// Values returns the strings and numbers (as text) at path in the JSON
// value raw, arrays crossed and everything below the path included: what a
// rule on path protects. For checks that no such value was left in plain
// text anywhere downstream.
func Values(raw []byte, path string) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil
	}
	var out []string
	var walk func(v any, segs []string)
	walk = func(v any, segs []string) {
		switch v := v.(type) {
		case map[string]any:
			if len(segs) == 0 {
				for _, c := range v {
					walk(c, nil)
				}
			} else if c, ok := v[segs[0]]; ok {
				walk(c, segs[1:])
			}
		case []any:
			for _, c := range v {
				walk(c, segs)
			}
		case string:
			if len(segs) == 0 {
				out = append(out, v)
			}
		case json.Number:
			if len(segs) == 0 {
				out = append(out, v.String())
			}
		}
	}
	walk(v, strings.Split(path, "."))
	return out
}
