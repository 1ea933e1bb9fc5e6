// What one profile must satisfy, and what it counted.

package main

import (
	"fmt"
	"strconv"
	"time"
)

// The leaf functions of the runtime's synthetic records (runtime/cpuprof.go,
// runtime/pprof/proto.go).
const (
	funcLostAtomic = "runtime._LostSIGPROFDuringAtomic64"
	funcLostExtra  = "runtime._LostExternalCode"
	funcOverflow   = "runtime/pprof.lostProfileEvent"
)

// workerLabel is the pprof label each worker goroutine carries; a sample's
// label must name a worker that exists (a stale or crossed tag does not).
const workerLabel = "worker"

// cycleCounts is what one profile counted.
type cycleCounts struct {
	samples    int64 // every sample's count, the synthetic records included
	lostAtomic int64 // signals dropped inside runtime/internal/atomic
	lostExtra  int64
	overflow   int64 // records the profBuf dropped when full
	labelled   int64 // samples carrying a worker label
}

func (c *cycleCounts) add(o cycleCounts) {
	c.samples += o.samples
	c.lostAtomic += o.lostAtomic
	c.lostExtra += o.lostExtra
	c.overflow += o.overflow
	c.labelled += o.labelled
}

// The kinds of corruption the check reports, from the protocol's corruption
// table (protocol_gen.go): malformed-profile (it does not parse, or a
// reference dangles), bad-header (sample types or period are not what the
// rate gives), bad-count (a sample's values disagree, or too many samples),
// bad-tag (a label that names no worker).
var corruptionKinds = []string{kindMalformedProfile, kindBadHeader, kindBadCount, kindBadTag}

// corruption is a profile that breaks a rule.
type corruption struct {
	kind   string
	detail string
}

func (c *corruption) Error() string { return c.kind + ": " + c.detail }

// profileRules is what a profile of one cycle is checked against.
type profileRules struct {
	hz      int
	workers int
	// cpu is the process's CPU time over the cycle; zero turns the bound on
	// the number of samples off (signals from outside are not paced by it).
	cpu time.Duration
}

// maxSamples bounds the samples a cycle may hold: the runtime's timers fire
// at most once per 1/hz of a thread's CPU time, so hz*cpu, doubled for the
// lost-atomic count, which is "updated racily" (a stale increment can count
// the same signals twice), plus a constant for timer rounding.
func (r profileRules) maxSamples() int64 {
	return 2*int64(r.cpu.Seconds()*float64(r.hz)) + 100
}

// checkProfile parses one cycle's profile and applies the rules.
func checkProfile(data []byte, r profileRules) (cycleCounts, error) {
	var n cycleCounts
	p, err := parseProfile(data)
	if err != nil {
		return n, &corruption{kindMalformedProfile, err.Error()}
	}
	if err := checkHeader(p, r.hz); err != nil {
		return n, err
	}
	for _, s := range p.samples {
		if err := n.count(p, s, r.workers); err != nil {
			return n, err
		}
	}
	if r.cpu > 0 && n.samples > r.maxSamples() {
		return n, &corruption{kindBadCount, fmt.Sprintf("%d samples in %.3f s of CPU at %d Hz (at most %d)",
			n.samples, r.cpu.Seconds(), r.hz, r.maxSamples())}
	}
	return n, nil
}

// checkHeader: two sample types (samples/count, cpu/nanoseconds) and the
// period the header record's rate gives.
func checkHeader(p *profile, hz int) error {
	want := [][2]string{{"samples", "count"}, {"cpu", "nanoseconds"}}
	if len(p.sampleTypes) != len(want) {
		return &corruption{kindBadHeader, fmt.Sprintf("%d sample types, want 2", len(p.sampleTypes))}
	}
	for i, vt := range p.sampleTypes {
		got := [2]string{p.strings[vt[0]], p.strings[vt[1]]}
		if got != want[i] {
			return &corruption{kindBadHeader, fmt.Sprintf("sample type %d is %s/%s, want %s/%s", i, got[0], got[1], want[i][0], want[i][1])}
		}
	}
	if wantPeriod := int64(1e9 / hz); p.period != wantPeriod {
		return &corruption{kindBadHeader, fmt.Sprintf("period %d ns, want %d (rate %d Hz)", p.period, wantPeriod, hz)}
	}
	return nil
}

// count adds one sample: its count must be positive, its CPU value count
// times the period, its label (if any) a worker's.
func (n *cycleCounts) count(p *profile, s sample, workers int) error {
	count, nanos := s.values[0], s.values[1]
	if count <= 0 || nanos != count*p.period {
		return &corruption{kindBadCount, fmt.Sprintf("sample at %s: count %d, cpu %d ns (period %d)", p.leafFunction(s), count, nanos, p.period)}
	}
	for _, l := range s.labels {
		key, val := p.strings[l[0]], p.strings[l[1]]
		id, err := strconv.Atoi(val)
		if key != workerLabel || err != nil || id < 0 || id >= workers {
			return &corruption{kindBadTag, fmt.Sprintf("sample at %s has label %q=%q", p.leafFunction(s), key, val)}
		}
		n.labelled += count
	}
	n.samples += count
	switch p.leafFunction(s) {
	case funcLostAtomic:
		n.lostAtomic += count
	case funcLostExtra:
		n.lostExtra += count
	case funcOverflow:
		n.overflow += count
	}
	return nil
}
