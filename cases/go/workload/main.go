// Command workload: the real Go runtime's CPU profiler under torture.
//
// Goroutines hammer 64-bit and 32-bit sync/atomic operations and run plain
// code while CPU profiling runs at a high rate; profiling is stopped and
// restarted every cycle, and each cycle's profile is read back and checked:
// it must parse, its header must give the rate asked for, every sample's
// values must agree with the period, every label must name a worker, and
// (unless signals come from outside too) the sample count must fit the CPU
// time spent. A runtime that corrupts its profile buffer usually dies first,
// with its own "fatal error: ..." or a runtime/pprof panic.
//
// Output: a "workload: profiling on" line on stderr once the first profile
// runs; on success or on a failure the workload itself sees, one JSON line
// on stdout (the closing line, see result.go) and the exit status of its
// outcome: 0 pass, 1 corrupt, 3 deadlock, 4 vacuous (no samples at all),
// 99 setup error; 2 is a usage error (the flag package) -- and also what the
// runtime exits with when it throws, panics or dumps on SIGQUIT, with no
// closing line.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	duration   time.Duration
	goroutines int
	procs      int
	rate       int
	cycle      time.Duration
	mix        mix
	watchdog   time.Duration
	outside    bool
	verbose    bool
	protocol   bool
}

const maxRate = 1000000 // runtime.SetCPUProfileRate clamps above this

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("workload", flag.ContinueOnError)
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "how long to run; 0: one cycle that stops at once (the startup floor)")
	fs.IntVar(&c.goroutines, "goroutines", 4, "worker goroutines")
	fs.IntVar(&c.procs, "procs", 0, "GOMAXPROCS for the run (0: as the runtime chose, the CPU count or $GOMAXPROCS)")
	fs.IntVar(&c.rate, "rate", 1000, "CPU profiling rate in Hz (runtime.SetCPUProfileRate), 1.."+strconv.Itoa(maxRate))
	fs.DurationVar(&c.cycle, "cycle", 500*time.Millisecond, "profiling is stopped and restarted this often")
	mixText := fs.String("mix", "8:8:128", "one worker round: 64-bit atomics:32-bit atomics:plain iterations")
	fs.DurationVar(&c.watchdog, "watchdog", 5*time.Second, "a worker or the main loop without progress this long is a deadlock")
	fs.BoolVar(&c.outside, "outside-signals", false, "SIGPROF also comes from outside (a cannon): do not bound samples by CPU time")
	fs.BoolVar(&c.verbose, "v", false, "one line per cycle on stderr")
	fs.BoolVar(&c.protocol, "protocol", false, "print the outcome, counter and corruption names the output uses, as JSON, and exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (options only; see -help)", fs.Arg(0))
	}
	var err error
	if c.mix, err = parseMix(*mixText); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c config) validate() error {
	switch {
	case c.duration < 0:
		return errors.New("-duration must be 0 or more")
	case c.goroutines < 1 || c.goroutines > 4096:
		return errors.New("-goroutines must be 1..4096")
	case c.procs < 0 || c.procs > 1024:
		return errors.New("-procs must be 0..1024")
	case c.rate < 1 || c.rate > maxRate:
		return fmt.Errorf("-rate must be 1..%d Hz", maxRate)
	case c.cycle <= 0:
		return errors.New("-cycle must be more than 0")
	case c.watchdog < time.Second:
		// Under the race detector natively, 100ms fired the dead man's
		// switch on a healthy run: waking a sleeping goroutine can take
		// that long with every P busy.
		return errors.New("-watchdog must be at least 1s")
	}
	return nil
}

// parseMix reads "A64:A32:PLAIN", three counts that are not all zero.
func parseMix(s string) (mix, error) {
	parts := strings.Split(s, ":")
	bad := fmt.Errorf("-mix %q: want three counts 0..100000, not all 0, as 64-bit:32-bit:plain (e.g. 8:8:128)", s)
	if len(parts) != 3 {
		return mix{}, bad
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 100000 {
			return mix{}, bad
		}
		n[i] = v
	}
	if n[0]+n[1]+n[2] == 0 {
		return mix{}, bad
	}
	return mix{a64: n[0], a32: n[1], plain: n[2]}, nil
}

func main() {
	start := time.Now()
	cfg, err := parseFlags(os.Args[1:])
	if err == flag.ErrHelp {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "workload: %v\n", err)
		os.Exit(2)
	}
	if cfg.protocol {
		writeVocabulary()
		return
	}
	r := &run{cfg: cfg, start: start}
	r.setUp()
	r.loop()
	r.finish(r.verdict())
}

// run is one execution: its configuration, counters and first failure.
type run struct {
	cfg      config
	start    time.Time
	wd       *watchdog
	mainStep progress

	mu       sync.Mutex // the main loop writes these, the watchdog may read them
	cycles   int
	counts   cycleCounts
	cpu      time.Duration
	failure  error
	failedAt time.Duration
}

func (r *run) setUp() {
	if r.cfg.procs > 0 {
		runtime.GOMAXPROCS(r.cfg.procs)
	}
	workers := startWorkers(r.cfg.goroutines, r.cfg.mix)
	r.wd = &watchdog{limit: r.cfg.watchdog, workers: workers, main: &r.mainStep, cycle: r.cfg.cycle}
	dm, err := newDeadman()
	if err != nil {
		fmt.Fprintf(os.Stderr, "workload: no dead man's switch (timer_create: %v); a hang that stops every goroutine is left to the outside timeout\n", err)
	} else {
		r.wd.deadman = dm
		// Armed here, not only by the watchdog goroutine: with every P
		// busy, that goroutine may first run after the runtime has hung
		// (seen under qemu-mipsel with the unchecked runtime).
		r.wd.pushBack()
	}
	go r.wd.run(r.reportStall)
}

// loop runs cycles until the duration is used up (at least one cycle) or a
// profile fails its check.
func (r *run) loop() {
	for {
		left := r.cfg.duration - time.Since(r.start)
		length := r.cfg.cycle
		if left < length {
			length = left
		}
		if length < 0 || r.cfg.duration == 0 {
			length = 0
		}
		if err := r.oneCycle(length); err != nil {
			r.mu.Lock()
			r.failure, r.failedAt = err, time.Since(r.start)
			r.mu.Unlock()
			return
		}
		if time.Since(r.start) >= r.cfg.duration {
			return
		}
	}
}

// oneCycle profiles for length and checks the profile. The rate is set
// before pprof.StartCPUProfile, whose own SetCPUProfileRate(100) then fails
// and prints "runtime: cannot set cpu profile rate until previous profile
// has finished." (once per cycle, expected); the profile runs at our rate.
func (r *run) oneCycle(length time.Duration) error {
	var buf bytes.Buffer
	cpu0 := cpuTime()
	runtime.SetCPUProfileRate(r.cfg.rate)
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return fmt.Errorf("setup: pprof.StartCPUProfile: %v", err)
	}
	r.step()
	if r.cycles == 0 {
		fmt.Fprintf(os.Stderr, "workload: profiling on at %d Hz after %.3f s\n", r.cfg.rate, time.Since(r.start).Seconds())
	}
	time.Sleep(length)
	stopping := time.Now()
	pprof.StopCPUProfile()
	r.step()
	stopped := time.Now()
	cpu := cpuTime() - cpu0
	rules := profileRules{hz: r.cfg.rate, workers: r.cfg.goroutines, cpu: cpu}
	if r.cfg.outside {
		rules.cpu = 0
	}
	n, err := checkProfile(buf.Bytes(), rules)
	r.mu.Lock()
	r.cycles++
	r.counts.add(n)
	r.cpu += cpu
	r.mu.Unlock()
	if r.cfg.verbose {
		fmt.Fprintf(os.Stderr, "workload: cycle %d at %.3f s: %d samples, %d lost-atomic, %d overflow, %.3f s CPU; stop took %.3f s, check %.3f s\n",
			r.cycles, time.Since(r.start).Seconds(), n.samples, n.lostAtomic, n.overflow, cpu.Seconds(),
			stopped.Sub(stopping).Seconds(), time.Since(stopped).Seconds())
	}
	return err
}

// step records the main loop's progress, and pushes the dead man's switch
// back too.
func (r *run) step() {
	atomic.AddUint32(&r.mainStep.rounds, 1)
	r.wd.pushBack()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
