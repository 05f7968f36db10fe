package testenv

import (
	"fmt"
	"slices"
	"testing"
)

func TestTailWriterKeepsTheLastLinesInOrder(t *testing.T) {
	w := &tailWriter{keep: 3}
	for i := range 5 {
		fmt.Fprintf(w, "line %d\n", i)
	}
	fmt.Fprintf(w, "a\nb\n")
	lines, dropped := w.lines()
	if want := []string{"line 4", "a", "b"}; !slices.Equal(lines, want) || dropped != 4 {
		t.Fatalf("lines %q dropped %d, want %q dropped 4", lines, dropped, want)
	}
}
