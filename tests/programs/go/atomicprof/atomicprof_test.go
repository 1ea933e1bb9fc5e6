// Package atomicprof is a Go test that profiles itself while goroutines
// hammer 64-bit atomics. On mips, mipsle and arm the runtime emulates
// those with a spinlock in runtime/internal/atomic, and a SIGPROF that
// lands inside one is counted as a lost-atomic sample: the count whose
// unlocked flush was golang/go#24991. Go's own runtime/pprof tests burn
// plain arithmetic and rarely take such a sample; this one takes many.
// Under a runtime that flushes without prof.signalLock
// (cases/go/patches/regressed.patch) and a SIGPROF cannon it dies with
// "fatal error: runtime: malformed profBuf buffer"; a correct runtime
// passes. docs/go-exec.md runs it through the go_linux_<goarch>_exec
// wrappers.
package atomicprof

import (
	"bytes"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// duration is how long one profile is taken; a test binary flag would
// need -args, so the environment sets it (ATOMICPROF_DURATION, a Go
// duration).
func duration(t *testing.T) time.Duration {
	d := 2 * time.Second
	if s := os.Getenv("ATOMICPROF_DURATION"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("ATOMICPROF_DURATION: %v", err)
		}
	}
	return d
}

// One worker on eight Ps, as ci/go-tune found for the project's workload
// (docs/go-runtime.md): the idle threads are what the cannon wakes into
// the handler beside the busy one, so two handlers run at once.
func TestProfileWhileAtomics(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	var words [64]uint64 // more than arm's lock stripes
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 1; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for k := range words {
					atomic.AddUint64(&words[k], 1)
				}
			}
		}()
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Fatal(err)
	}
	time.Sleep(duration(t))
	pprof.StopCPUProfile()
	close(stop)
	wg.Wait()
	if buf.Len() == 0 {
		t.Fatal("the profile is empty")
	}
}
