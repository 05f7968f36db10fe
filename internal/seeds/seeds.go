// Package seeds reads the JSON examples out of Belvo's documentation pages
// kept in ../shared/seeds, for tests that must accept exactly what Belvo
// documents. The pages were flattened to one line, so the documentation's
// `//` comments no longer end at a newline: a comment here runs until the
// next character that can start or end a JSON member, and a comma left
// dangling before a closing bracket is dropped.
package seeds

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Example is one JSON example of a documentation page.
type Example struct {
	File  string
	Index int    // position among the page's examples
	Title string // the words after ```json, if any
	JSON  []byte // comments stripped; valid JSON
}

// Examples returns every ```json block of the page at path whose content is
// a JSON object.
func Examples(path string) ([]Example, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text := string(b)
	var out []Example
	for i := 0; ; i++ {
		at := strings.Index(text, "```json")
		if at < 0 {
			break
		}
		text = text[at+len("```json"):]
		end := strings.Index(text, "```")
		if end < 0 {
			end = len(text)
		}
		block := text[:end]
		text = text[end:]
		open := strings.IndexByte(block, '{')
		if open < 0 {
			continue
		}
		obj, err := stripComments(block[open:])
		if err != nil {
			return nil, fmt.Errorf("%s example %d: %w", filepath.Base(path), i, err)
		}
		out = append(out, Example{File: filepath.Base(path), Index: i, Title: strings.TrimSpace(block[:open]), JSON: obj})
	}
	return out, nil
}

// Webhooks returns the examples that are webhook payloads (they carry a
// webhook_id), from every page in dir whose name starts with one of prefixes.
func Webhooks(dir string, prefixes ...string) ([]Example, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Example
	for _, e := range entries {
		for _, p := range prefixes {
			if !strings.HasPrefix(e.Name(), p) {
				continue
			}
			exs, err := Examples(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			for _, ex := range exs {
				var top map[string]json.RawMessage
				if json.Unmarshal(ex.JSON, &top) == nil && top["webhook_id"] != nil {
					out = append(out, ex)
				}
			}
		}
	}
	return out, nil
}

func dropTrailingComma(out []byte) []byte {
	i := len(out) - 1
	for i >= 0 && (out[i] == ' ' || out[i] == '\t' || out[i] == '\n' || out[i] == '\r') {
		i--
	}
	if i >= 0 && out[i] == ',' {
		return append(out[:i], out[i+1:]...)
	}
	return out
}

// stripComments returns the first balanced JSON object of s with comments
// removed, and checks that it is valid JSON.
func stripComments(s string) ([]byte, error) {
	var out []byte
	depth := 0
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i+1 < len(s) && !strings.ContainsRune(`"{}[]`, rune(s[i+1])) {
				i++
			}
			continue
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			// The pages also leave a trailing comma where a commented last
			// member ended a line; Belvo's real payloads have none.
			out = dropTrailingComma(out)
		}
		out = append(out, c)
		if depth == 0 {
			if !json.Valid(out) {
				return nil, fmt.Errorf("not valid JSON after stripping comments: %.200s", out)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("unbalanced JSON object: %.200s", s)
}
