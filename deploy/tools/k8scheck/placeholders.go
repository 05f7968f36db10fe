package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var (
	placeholder = regexp.MustCompile(`PLACEHOLDER(\(([a-z0-9-]+)\))?`)
	// A row of the README's placeholder table: | `id` | ...
	readmeRow = regexp.MustCompile("^\\|\\s*`([a-z0-9-]+)`\\s*\\|")
)

// checkPlaceholders: every value an installer must change is marked
// PLACEHOLDER(id) in deploy/k8s, and deploy/k8s/README.md's table has a row
// for each id, and none for an id no manifest marks.
func checkPlaceholders(root string) []string {
	var p problems
	dir := filepath.Join(root, "deploy", "k8s")
	marked := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range placeholder.FindAllStringSubmatch(line, -1) {
				if m[2] == "" {
					p.add("%s:%d: PLACEHOLDER without an id: write PLACEHOLDER(<id>) and explain <id> in deploy/k8s/README.md", rel, i+1)
					continue
				}
				marked[m[2]] = append(marked[m[2]], fmt.Sprintf("%s:%d", rel, i+1))
			}
		}
		return nil
	})
	if err != nil {
		return append(p, err.Error())
	}
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return append(p, err.Error())
	}
	// The table whose header starts with "| placeholder |".
	listed := map[string]bool{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "| placeholder |"):
			in = true
		case in && !strings.HasPrefix(line, "|"):
			in = false
		case in:
			if m := readmeRow.FindStringSubmatch(line); m != nil {
				listed[m[1]] = true
			}
		}
	}
	if len(listed) == 0 {
		p.add("deploy/k8s/README.md has no table starting with | placeholder |")
	}
	var ids []string
	for id := range marked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !listed[id] {
			p.add("PLACEHOLDER(%s) (%s) has no row in deploy/k8s/README.md", id, strings.Join(marked[id], ", "))
		}
	}
	for id := range listed {
		if marked[id] == nil {
			p.add("deploy/k8s/README.md lists %q, which no manifest marks PLACEHOLDER(%s)", id, id)
		}
	}
	return p
}
