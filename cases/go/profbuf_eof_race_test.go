// Copyright 2026 The proftorture Authors. Offered to the Go project under
// the Go license (BSD-style) as part of a bug report.

// A test of package runtime, kept outside GOROOT: ci/go-build adds it to
// the installed GOROOT's runtime package with `go test -overlay` (and
// -vet=off: vet does not see files an overlay adds). It uses the profBuf
// exports of export_test.go.

package runtime_test

import (
	"flag"
	"fmt"
	. "runtime"
	"sync/atomic"
	"testing"
	"time"
)

var (
	profBufEOFRaceTime  = flag.Duration("profbuf-eof-race-time", time.Second, "TestProfBufEOFRace: how long each reader mode runs")
	profBufEOFRaceIters = flag.Int("profbuf-eof-race-iters", 0, "TestProfBufEOFRace: stop each reader mode after this many iterations (0: the time limit only)")
)

// TestProfBufEOFRace checks that a reader that reads until eof sees every
// record written before Close. The writer writes K = 1..3 records and then
// calls Close while a reader goroutine is inside Read. A record committed
// after Read has loaded b.w and found nothing, and before Close, is lost if
// Read then returns eof without looking at b.w again; one more read after eof
// finds it still in the buffer ("stranded").
func TestProfBufEOFRace(t *testing.T) {
	for _, mode := range []struct {
		name     string
		blocking bool
	}{{"blocking", true}, {"nonblocking", false}} {
		t.Run(mode.name, func(t *testing.T) {
			c := runEOFRace(mode.blocking, *profBufEOFRaceTime, *profBufEOFRaceIters)
			// One line for scripts (proftorture's repro-go-eof).
			t.Logf("profbuf-eof-race: mode=%s iterations=%d lossy=%d lost=%d stranded=%d",
				mode.name, c.iterations, c.lossy, c.lost, c.stranded)
			if c.lost > 0 {
				t.Errorf("%d of %d iterations lost records at eof (%d records, %d of them still in the buffer after eof)",
					c.lossy, c.iterations, c.lost, c.stranded)
			}
		})
	}
}

type eofRaceCounts struct {
	iterations, lossy, lost, stranded int
}

func runEOFRace(blocking bool, limit time.Duration, maxIters int) eofRaceCounts {
	var c eofRaceCounts
	start := time.Now()
	for maxIters == 0 || c.iterations < maxIters {
		if c.iterations%64 == 0 && time.Since(start) >= limit {
			break
		}
		k := 1 + c.iterations%3
		read, stranded := eofRaceIteration(blocking, k)
		c.iterations++
		if read < k {
			c.lossy++
			c.lost += k - read
			c.stranded += stranded
		}
	}
	return c
}

// eofRaceIteration writes k records and closes while a reader reads until
// eof (blocking, or polling with non-blocking reads); it returns how many
// records the reader got before eof, and how many non-blocking reads after
// eof still found.
func eofRaceIteration(blocking bool, k int) (read, stranded int) {
	b := NewProfBuf(1, 256, 16)
	done := make(chan [2]int)
	var started uint32
	go func() {
		atomic.StoreUint32(&started, 1)
		n := 0
		for {
			var data []uint64
			var eof bool
			if blocking {
				data, _, eof = b.Read(ProfBufBlocking)
			} else {
				data, _, eof = b.Read(ProfBufNonBlocking)
			}
			n += countProfBufRecords(data)
			if eof {
				break
			}
		}
		left := 0
		for {
			data, _, eof := b.Read(ProfBufNonBlocking)
			if eof || len(data) == 0 {
				break
			}
			left += countProfBufRecords(data)
		}
		done <- [2]int{n, left}
	}()
	// Write only once the reader runs, on another thread if there is one:
	// otherwise it would find everything written and closed.
	for atomic.LoadUint32(&started) == 0 {
		Gosched()
	}
	for i := 0; i < k; i++ {
		b.Write(nil, int64(i+1), []uint64{uint64(i)}, []uintptr{uintptr(i + 1)})
	}
	b.Close()
	r := <-done
	return r[0], r[1]
}

// countProfBufRecords counts the records in data: each starts with its
// length in words.
func countProfBufRecords(data []uint64) int {
	n := 0
	for len(data) > 0 {
		if data[0] == 0 || data[0] > uint64(len(data)) {
			panic(fmt.Sprintf("bad record length %d with %d words left", data[0], len(data)))
		}
		data = data[data[0]:]
		n++
	}
	return n
}
