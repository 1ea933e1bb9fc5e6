// The workers: goroutines that hammer 64-bit and 32-bit sync/atomic
// operations and run plain code, forever, so that profiling signals land
// inside runtime/internal/atomic often (on arm and mips that is where the
// runtime drops a signal and counts it as lost-atomic, the count the #24991
// flush wrote without the lock) and outside it too (ordinary samples).

package main

import (
	"context"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
)

// words64 is how many 64-bit words each worker cycles through: more than
// the 57 lock stripes of GOARM<7's emulated 64-bit atomics, so some worker
// is always inside every stripe, the one the profile buffer's words hash to
// included (that sharing is the #20146 deadlock of the unchecked runtime).
const words64 = 64

// mix is one round of a worker: a64 64-bit atomic operations (add, load,
// compare-and-swap, store in turn), a32 32-bit ones, plain iterations of
// arithmetic.
type mix struct {
	a64, a32, plain int
}

// progress is a worker's round count, alone on its cache line; the watchdog
// reads it.
type progress struct {
	rounds uint32
	_      [60]byte
}

type worker struct {
	id       int
	w64      []uint64 // first word of an allocated slice: 64-bit aligned on 32-bit arches
	w32      []uint32
	progress *progress
	sink     uint64
}

func startWorkers(n int, m mix) []*progress {
	prog := make([]progress, n)
	out := make([]*progress, n)
	for i := range prog {
		out[i] = &prog[i]
		w := &worker{id: i, w64: make([]uint64, words64), w32: make([]uint32, 16), progress: &prog[i]}
		go w.run(m)
	}
	return out
}

// run labels the goroutine (the profile's tags are then checked, see
// check.go) and loops for ever. (Deeper stacks, hence longer profBuf
// records, did not make the regressed runtime crash sooner: 0 of 10 runs
// with 40 more frames against 3 of 10 without, under qemu-mipsel.)
func (w *worker) run(m mix) {
	ctx := pprof.WithLabels(context.Background(), pprof.Labels(workerLabel, strconv.Itoa(w.id)))
	pprof.SetGoroutineLabels(ctx)
	x := uint64(w.id)*0x9e3779b97f4a7c15 + 1
	for round := 0; ; round++ {
		w.atomics64(m.a64, round)
		w.atomics32(m.a32, round)
		x = plain(x, m.plain)
		w.sink += x
		atomic.AddUint32(&w.progress.rounds, 1)
	}
}

func (w *worker) atomics64(n, round int) {
	for i := 0; i < n; i++ {
		p := &w.w64[(round*n+i)%words64]
		switch i % 4 {
		case 0:
			atomic.AddUint64(p, 1)
		case 1:
			w.sink += atomic.LoadUint64(p)
		case 2:
			v := atomic.LoadUint64(p)
			atomic.CompareAndSwapUint64(p, v, v+1)
		case 3:
			atomic.StoreUint64(p, uint64(round))
		}
	}
}

func (w *worker) atomics32(n, round int) {
	for i := 0; i < n; i++ {
		p := &w.w32[i%len(w.w32)]
		if i%2 == 0 {
			atomic.AddUint32(p, 1)
		} else {
			v := atomic.LoadUint32(p)
			atomic.CompareAndSwapUint32(p, v, v^uint32(round))
		}
	}
}

// plain runs n rounds of xorshift64: code with no atomics and no calls.
func plain(x uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
