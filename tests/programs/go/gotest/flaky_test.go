// Package gotest is a Go test binary that fails (go test -c): its
// TestDivision reports an error, then "--- FAIL: TestDivision".
package gotest

import (
	"fmt"
	"os"
	"testing"
)

func TestAddition(t *testing.T) {
	if 2+2 != 4 {
		t.Fatal("arithmetic is broken")
	}
}

func TestDivision(t *testing.T) {
	fmt.Fprintln(os.Stderr, "gotest: dividing on stderr")
	got, want := 7/2, 4
	if got != want {
		t.Errorf("7/2 = %d, want %d", got, want)
	}
}
