// Package bydesign is a Go test binary (go test -c) with a test named as
// one a signal cannon fails by design, Go's runtime/pprof
// TestCPUProfileMultithreadMagnitude, failing here always, beside tests
// that pass: the go-exec wrappers' PROFTORTURE_SKIP_BY_DESIGN=1 must leave
// out the first and run the others.
package bydesign

import "testing"

func TestCPUProfileMultithreadMagnitude(t *testing.T) {
	t.Fatal("a cannon breaks me")
}

func TestKept(t *testing.T) {
	t.Run("sub", func(t *testing.T) {})
}

func TestKeptToo(t *testing.T) {}

func BenchmarkKept(b *testing.B) {
	for i := 0; i < b.N; i++ {
	}
}
