// selfprof profiles itself with runtime/pprof at a high rate while its
// goroutines burn CPU, then counts the samples its own profile holds and
// prints
//
//	selfprof: N samples in S s of work (R/s), asked for H Hz, T goroutines
//
// It is the measurement program of `proftorture stress --signal-rate`: a
// SIGPROF sent from outside (tgkill, si_code SI_TKILL) is a sample like one
// from the profiling timer (runtime.validSIGPROF processes every SIGPROF
// that no profiling timer of the runtime sent), so the cannon raises the
// rate past the kernel tick that caps the timer. With -report DIR it also
// writes the count to DIR/selfprof.<pid> for scripts.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

func main() {
	hz := flag.Int("hz", 10000, "profiling rate to ask the runtime for (it may not get it)")
	seconds := flag.Float64("seconds", 3, "how long the goroutines work")
	threads := flag.Int("threads", 2, "busy goroutines")
	report := flag.String("report", "", "also write the sample count to DIR/selfprof.<pid>")
	flag.Parse()

	var buf bytes.Buffer
	runtime.SetCPUProfileRate(*hz) // before StartCPUProfile, which would set 100 Hz
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fmt.Fprintln(os.Stderr, "selfprof:", err)
		os.Exit(1)
	}
	start := time.Now()
	work(*threads, time.Duration(*seconds*float64(time.Second)))
	elapsed := time.Since(start).Seconds()
	pprof.StopCPUProfile()

	n, err := countSamples(buf.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "selfprof: cannot read my own profile:", err)
		os.Exit(1)
	}
	fmt.Printf("selfprof: %d samples in %.2f s of work (%.0f/s), asked for %d Hz, %d goroutines\n",
		n, elapsed, float64(n)/elapsed, *hz, *threads)
	if *report != "" {
		name := filepath.Join(*report, fmt.Sprintf("selfprof.%d", os.Getpid()))
		if err := os.WriteFile(name, []byte(fmt.Sprintf("%d\n", n)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "selfprof:", err)
			os.Exit(1)
		}
	}
}

var sink uint64

func work(threads int, d time.Duration) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	deadline := time.Now().Add(d)
	for i := 0; i < threads; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			x := seed
			for time.Now().Before(deadline) {
				for k := 0; k < 10000; k++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
			}
			mu.Lock()
			sink += x
			mu.Unlock()
		}(uint64(i) + 1)
	}
	wg.Wait()
}

// countSamples sums the first value (the sample count) of every Sample in a
// gzipped profile.proto: Profile.sample is field 2, Sample.value field 2
// (varints, packed or not).
func countSamples(gz []byte) (int64, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return 0, err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return 0, err
	}
	var total int64
	err = fields(raw, func(num int, wire int, v uint64, sub []byte) error {
		if num != 2 || wire != 2 {
			return nil
		}
		first := true
		return fields(sub, func(num int, wire int, v uint64, packed []byte) error {
			if num != 2 || !first {
				return nil
			}
			first = false
			if wire == 2 { // packed: the first varint is the count
				c, _, err := varint(packed)
				total += int64(c)
				return err
			}
			total += int64(v)
			return nil
		})
	})
	return total, err
}

// fields walks a protobuf message, calling f with each field's number, wire
// type and value (varints) or bytes (length-delimited).
func fields(b []byte, f func(num, wire int, v uint64, sub []byte) error) error {
	for len(b) > 0 {
		key, n, err := varint(b)
		if err != nil {
			return err
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var sub []byte
		switch wire {
		case 0:
			v, n, err = varint(b)
		case 1:
			n = 8
		case 2:
			var l uint64
			l, n, err = varint(b)
			if err == nil && uint64(len(b)-n) < l {
				err = io.ErrUnexpectedEOF
			}
			if err == nil {
				sub = b[n : n+int(l)]
				n += int(l)
			}
		case 5:
			n = 4
		default:
			err = fmt.Errorf("wire type %d", wire)
		}
		if err != nil || n > len(b) {
			return fmt.Errorf("malformed profile: %v", err)
		}
		b = b[n:]
		if err := f(num, wire, v, sub); err != nil {
			return err
		}
	}
	return nil
}

func varint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, io.ErrUnexpectedEOF
}
