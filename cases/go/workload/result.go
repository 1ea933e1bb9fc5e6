// The closing line and the exit status.

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// The closing line's name and version, the outcomes with their exit
// statuses, the corruption kinds and the counters are protocol/protocol.h's,
// in protocol_gen.go: ci/gen-go-protocol generates it from `torture
// --protocol`, and make check fails while the two differ.

// closing is held by whoever writes the closing line; the other waits for
// the exit. The writer also holds run.mu from then on: the counters it
// prints stay put.
var closing sync.Mutex

type result struct {
	Result        string           `json:"result"`
	Version       int              `json:"version"`
	Outcome       string           `json:"outcome"`
	ElapsedS      float64          `json:"elapsed_s"`
	FirstFailureS *float64         `json:"first_failure_s"`
	Config        map[string]any   `json:"config"`
	Counters      map[string]int64 `json:"counters"`
	CPUS          float64          `json:"cpu_s"`
	Detail        string           `json:"detail"`
}

// verdict is the outcome of a run that ended by itself.
func (r *run) verdict() string {
	var c *corruption
	switch {
	case errors.As(r.failure, &c):
		fmt.Fprintf(os.Stderr, "workload: CORRUPT !!! cycle %d: %v\n", r.cycles, c)
		return outcomeCorrupt
	case r.failure != nil:
		fmt.Fprintf(os.Stderr, "workload: %v\n", r.failure)
		return outcomeError
	case r.counts.samples == 0 && r.cfg.duration > 0:
		return outcomeVacuous
	}
	return outcomePass
}

// finish writes the closing line and exits with the outcome's status.
func (r *run) finish(outcome string) {
	closing.Lock()
	r.mu.Lock()
	if r.wd.deadman != nil {
		r.wd.deadman.arm(0)
	}
	r.writeResult(outcome, r.detail(outcome))
	os.Exit(outcomes[outcome])
}

// reportStall is the watchdog's report: the stall, the closing line, then
// every goroutine's stack; exit as a deadlock.
func (r *run) reportStall(s stall, progress string) {
	closing.Lock()
	r.mu.Lock()
	fmt.Fprintf(os.Stderr, "workload: DEADLOCK !!! %s made no progress for %.1f s (watchdog %.1f s)\n%s",
		s.who, s.idle.Seconds(), r.cfg.watchdog.Seconds(), progress)
	r.failedAt = time.Since(r.start) - s.idle
	r.writeResult(outcomeDeadlock, fmt.Sprintf("%s made no progress for %.1f s", s.who, s.idle.Seconds()))
	r.wd.dumpGoroutines()
	os.Exit(outcomes[outcomeDeadlock])
}

func (r *run) detail(outcome string) string {
	switch outcome {
	case outcomePass:
		if r.cfg.duration == 0 {
			return "one cycle stopped at once (the startup floor)"
		}
		return fmt.Sprintf("%d profiles read back and checked", r.cycles)
	case outcomeVacuous:
		return "no samples in any profile"
	}
	return r.failure.Error()
}

func (r *run) writeResult(outcome, detail string) {
	res := result{
		Result: resultName, Version: resultVersion, Outcome: outcome,
		ElapsedS: time.Since(r.start).Seconds(), Config: r.configJSON(),
		Counters: r.countersJSON(), CPUS: r.cpu.Seconds(), Detail: detail,
	}
	if outcome != outcomePass && outcome != outcomeVacuous {
		t := r.failedAt.Seconds()
		res.FirstFailureS = &t
	}
	line, err := json.Marshal(res)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(line, '\n'))
}

// countersJSON: the closing line's counters, named as the protocol's
// counters (protocol/protocol.h) that mean the same: sessions are profiling
// cycles, iterations worker rounds, the rest what the profiles held.
func (r *run) countersJSON() map[string]int64 {
	var rounds int64
	if r.wd != nil {
		for _, p := range r.wd.workers {
			rounds += int64(atomic.LoadUint32(&p.rounds))
		}
	}
	return map[string]int64{
		counterSessions:       int64(r.cycles),
		counterSamples:        r.counts.samples,
		counterLostAtomicRead: r.counts.lostAtomic,
		counterLostExtraRead:  r.counts.lostExtra,
		counterOverflow:       r.counts.overflow,
		counterIterations:     rounds,
	}
}

// writeVocabulary prints every name the workload's output uses that the
// protocol also defines (-protocol), for `make check-go`.
func writeVocabulary() {
	var counters []string
	for name := range (&run{}).countersJSON() {
		counters = append(counters, name)
	}
	sort.Strings(counters)
	v := map[string]any{
		"result": resultName, "version": resultVersion, "outcomes": outcomes,
		"counters": counters, "corruptions": corruptionKinds,
	}
	line, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(line, '\n'))
}

// configJSON: the flags, and how the binary was built (GOARCH, GOARM or
// GOMIPS, the Go version).
func (r *run) configJSON() map[string]any {
	m := r.cfg.mix
	c := map[string]any{
		"duration_s": r.cfg.duration.Seconds(), "goroutines": r.cfg.goroutines,
		"rate_hz": r.cfg.rate, "cycle_s": r.cfg.cycle.Seconds(),
		"mix":        fmt.Sprintf("%d:%d:%d", m.a64, m.a32, m.plain),
		"watchdog_s": r.cfg.watchdog.Seconds(), "outside_signals": r.cfg.outside,
		"procs_flag": r.cfg.procs,
		"go_version": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0),
		"goarch": runtime.GOARCH,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOARM" || s.Key == "GOMIPS" {
				c[s.Key] = s.Value
			}
		}
	}
	return c
}
