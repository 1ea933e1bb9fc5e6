// The watchdog: every worker and the main loop must make progress within the
// limit. Two layers, because a hung runtime may not schedule this goroutine:
// the goroutine notices a stalled worker or main loop and reports a deadlock
// itself (exit 3); each time it runs it also pushes the dead man's switch
// (deadman_linux.go) back by the limit, so when no goroutine runs at all the
// kernel's SIGQUIT makes the runtime dump every goroutine.

package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

type watchdog struct {
	limit   time.Duration
	workers []*progress
	main    *progress // the main loop's steps (start, stop, check of a cycle)
	cycle   time.Duration
	deadman *deadman // nil if the kernel timer could not be made
}

// stall is what the watchdog saw stop.
type stall struct {
	who  string
	idle time.Duration
}

// run checks every limit/10 until the process exits.
func (wd *watchdog) run(report func(stall, string)) {
	tick := wd.limit / 10
	last := make([]uint32, len(wd.workers)+1)
	seen := make([]time.Time, len(last))
	for i := range seen {
		seen[i] = time.Now()
	}
	for {
		wd.pushBack()
		time.Sleep(tick)
		now := time.Now()
		for i := range last {
			if r := atomic.LoadUint32(&wd.counter(i).rounds); r != last[i] {
				last[i], seen[i] = r, now
			}
		}
		if s, stalled := wd.stalled(now, seen); stalled {
			report(s, wd.describe(now, last, seen))
			return
		}
	}
}

// pushBack re-arms the dead man's switch to fire a limit from now.
func (wd *watchdog) pushBack() {
	if wd.deadman != nil {
		wd.deadman.arm(wd.limit)
	}
}

// counter i is worker i, or the main loop after the workers.
func (wd *watchdog) counter(i int) *progress {
	if i < len(wd.workers) {
		return wd.workers[i]
	}
	return wd.main
}

func (wd *watchdog) name(i int) string {
	if i < len(wd.workers) {
		return fmt.Sprintf("worker %d", i)
	}
	return "main loop"
}

// mainLoopLimits is how many watchdog limits the main loop may take on top
// of a cycle: it sleeps through the cycle, then StopCPUProfile waits for
// runtime/pprof's writer (which polls every 100 ms) to build and gzip the
// profile, and the check may start a GC; under qemu on a loaded machine
// that stretched to over 5 s (16 goroutines, GOMAXPROCS=16, load 19), where
// the workers never stopped.
const mainLoopLimits = 3

// stalled: a worker idle for the limit, or the main loop for a cycle plus
// mainLoopLimits limits.
func (wd *watchdog) stalled(now time.Time, seen []time.Time) (stall, bool) {
	for i, t := range seen {
		limit := wd.limit
		if i == len(wd.workers) {
			limit = wd.cycle + mainLoopLimits*wd.limit
		}
		if idle := now.Sub(t); idle >= limit {
			return stall{wd.name(i), idle}, true
		}
	}
	return stall{}, false
}

func (wd *watchdog) describe(now time.Time, last []uint32, seen []time.Time) string {
	var b strings.Builder
	for i := range last {
		fmt.Fprintf(&b, "  %s: %d steps, last progress %.2f s ago\n", wd.name(i), last[i], now.Sub(seen[i]).Seconds())
	}
	return b.String()
}

// dumpGoroutines writes every goroutine's stack to stderr. runtime.Stack
// stops the world, which a thread spinning inside a signal handler never
// lets happen; the dead man's switch, re-armed first, turns that second hang
// into the runtime's own SIGQUIT dump.
func (wd *watchdog) dumpGoroutines() {
	wd.pushBack()
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	os.Stderr.Write(buf[:n])
}
