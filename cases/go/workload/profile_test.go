package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

// A real profile of this process, at 500 Hz, of a labelled busy goroutine,
// passes every rule and holds samples.
func TestRealProfilePasses(t *testing.T) {
	const hz = 500
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(workerLabel, "0")))
		x := uint64(1)
		for {
			select {
			case <-stop:
				return
			default:
				x = plain(x, 1000)
			}
		}
	}()
	for try := 0; try < 10; try++ {
		var buf bytes.Buffer
		cpu0 := cpuTime()
		runtime.SetCPUProfileRate(hz)
		if err := pprof.StartCPUProfile(&buf); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		pprof.StopCPUProfile()
		n, err := checkProfile(buf.Bytes(), profileRules{hz: hz, workers: 1, cpu: cpuTime() - cpu0})
		if err != nil {
			t.Fatalf("a real profile failed the check: %v", err)
		}
		if n.labelled > 0 {
			return
		}
	}
	t.Fatal("no labelled sample in 10 profiles of a busy goroutine")
}

// pb is a protobuf encoder for building test profiles.
type pb struct{ b []byte }

func (e *pb) varint(x uint64) *pb {
	for x >= 0x80 {
		e.b = append(e.b, byte(x)|0x80)
		x >>= 7
	}
	e.b = append(e.b, byte(x))
	return e
}

func (e *pb) uint(field int, x uint64) *pb { return e.varint(uint64(field)<<3 | wireVarint).varint(x) }

func (e *pb) bytes(field int, b []byte) *pb {
	e.varint(uint64(field)<<3 | wireBytes).varint(uint64(len(b)))
	e.b = append(e.b, b...)
	return e
}

func (e *pb) msg(field int, m *pb) *pb { return e.bytes(field, m.b) }

// testProfile is a valid one-sample profile at 100 Hz whose sample is
// labelled worker=label, with count samples and cpu nanoseconds; leaf names
// its function.
type testProfile struct {
	count, cpu, period int64
	label, leaf        string
	location           uint64 // the location the sample names
}

func goodProfile() testProfile {
	return testProfile{count: 3, cpu: 3e7, period: 1e7, label: "1", leaf: "main.work", location: 1}
}

func (tp testProfile) encode() []byte {
	strs := []string{"", "samples", "count", "cpu", "nanoseconds", workerLabel, tp.label, tp.leaf}
	p := &pb{}
	p.msg(fProfileSampleType, (&pb{}).uint(fValueType, 1).uint(fValueUnit, 2))
	p.msg(fProfileSampleType, (&pb{}).uint(fValueType, 3).uint(fValueUnit, 4))
	values := (&pb{}).varint(uint64(tp.count)).varint(uint64(tp.cpu))
	sample := (&pb{}).uint(fSampleLocation, tp.location).bytes(fSampleValue, values.b)
	sample.msg(fSampleLabel, (&pb{}).uint(fLabelKey, 5).uint(fLabelStr, 6))
	p.msg(fProfileSample, sample)
	p.msg(fProfileLocation, (&pb{}).uint(fLocationID, 1).msg(fLocationLine, (&pb{}).uint(fLineFunction, 1)))
	p.msg(fProfileFunction, (&pb{}).uint(fFunctionID, 1).uint(fFunctionName, 7))
	for _, s := range strs {
		p.bytes(fProfileStrings, []byte(s))
	}
	p.uint(fProfilePeriod, uint64(tp.period))
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(p.b)
	w.Close()
	return z.Bytes()
}

func TestCheckProfileRules(t *testing.T) {
	rules := profileRules{hz: 100, workers: 2, cpu: time.Second}
	for _, tc := range []struct {
		name   string
		mutate func(*testProfile)
		rules  profileRules
		kind   string // "" = passes
	}{
		{"good", func(*testProfile) {}, rules, ""},
		{"wrong period", func(p *testProfile) { p.period = 12345 }, rules, kindBadHeader},
		{"cpu disagrees with count", func(p *testProfile) { p.cpu = 1 }, rules, kindBadCount},
		{"zero count", func(p *testProfile) { p.count, p.cpu = 0, 0 }, rules, kindBadCount},
		{"label names no worker", func(p *testProfile) { p.label = "2" }, rules, kindBadTag},
		{"label not a number", func(p *testProfile) { p.label = "x" }, rules, kindBadTag},
		{"dangling location", func(p *testProfile) { p.location = 9 }, rules, kindMalformedProfile},
		{"more samples than CPU time allows", func(p *testProfile) { p.count, p.cpu = 301, 301e7 }, rules, kindBadCount},
		{"no bound with outside signals", func(p *testProfile) { p.count, p.cpu = 301, 301e7 },
			profileRules{hz: 100, workers: 2}, ""},
	} {
		tp := goodProfile()
		tc.mutate(&tp)
		_, err := checkProfile(tp.encode(), tc.rules)
		if got := kindOf(err); got != tc.kind {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.kind)
		}
	}
}

func kindOf(err error) string {
	var c *corruption
	if errors.As(err, &c) {
		return c.kind
	}
	if err != nil {
		return "not a corruption: " + err.Error()
	}
	return ""
}

// Every prefix of a valid profile's protobuf fails to parse or fails a rule;
// none panics.
func TestTruncatedProfiles(t *testing.T) {
	full := goodProfile().encode()
	zr, err := gzip.NewReader(bytes.NewReader(full))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	raw.ReadFrom(zr)
	for n := 0; n < raw.Len(); n++ {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(raw.Bytes()[:n])
		w.Close()
		if _, err := checkProfile(z.Bytes(), profileRules{hz: 100, workers: 2}); err == nil {
			t.Errorf("the first %d of %d bytes passed", n, raw.Len())
		}
	}
	if _, err := checkProfile(full[:len(full)/2], profileRules{hz: 100, workers: 2}); kindOf(err) != kindMalformedProfile {
		t.Errorf("half a gzip stream: %v", err)
	}
}

func TestParseMix(t *testing.T) {
	if m, err := parseMix("8:0:128"); err != nil || m != (mix{8, 0, 128}) {
		t.Errorf("8:0:128 -> %v, %v", m, err)
	}
	for _, bad := range []string{"", "8:128", "0:0:0", "1:2:x", "-1:2:3", "1:2:3:4", "200000:0:0"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The watchdog calls a stall only past the limit: a worker idle for the
// limit, the main loop for a cycle plus mainLoopLimits limits.
func TestWatchdogStalled(t *testing.T) {
	wd := &watchdog{limit: 5 * time.Second, workers: make([]*progress, 2), cycle: time.Second}
	now := time.Now()
	ago := func(d ...time.Duration) []time.Time {
		var ts []time.Time
		for _, x := range d {
			ts = append(ts, now.Add(-x))
		}
		return ts
	}
	for _, tc := range []struct {
		seen []time.Time
		who  string // "" = no stall
	}{
		{ago(0, 4*time.Second, 15*time.Second), ""},
		{ago(0, 5*time.Second, 0), "worker 1"},
		{ago(0, 0, 16*time.Second), "main loop"},
	} {
		s, stalled := wd.stalled(now, tc.seen)
		if stalled != (tc.who != "") || s.who != tc.who {
			t.Errorf("seen %v ago: got %+v %v, want %q", tc.seen, s, stalled, tc.who)
		}
	}
}
