// A reader for the parts of a pprof profile (profile.proto, gzipped) that the
// workload checks: sample types, samples with their locations, values and
// labels, locations' functions, function names, the period. Standard library
// only: a small protobuf decoder, not a vendored one.

package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// profile holds what checkProfile needs; every id and string index is
// checked against the tables when the profile is parsed.
type profile struct {
	sampleTypes [][2]int64 // (type, unit) string indexes
	samples     []sample
	locations   map[uint64][]uint64 // location id -> function ids, leaf first
	functions   map[uint64]int64    // function id -> name string index
	strings     []string
	period      int64
	duration    int64 // nanoseconds
}

type sample struct {
	locations []uint64
	values    []int64
	labels    [][2]int64 // (key, str) string indexes; numeric labels are refused
}

// Field numbers of profile.proto.
const (
	fProfileSampleType = 1
	fProfileSample     = 2
	fProfileLocation   = 4
	fProfileFunction   = 5
	fProfileStrings    = 6
	fProfileDuration   = 10
	fProfilePeriod     = 12

	fSampleLocation = 1
	fSampleValue    = 2
	fSampleLabel    = 3

	fLocationID   = 1
	fLocationLine = 4
	fLineFunction = 1
	fFunctionID   = 1
	fFunctionName = 2
	fLabelKey     = 1
	fLabelStr     = 2
	fLabelNum     = 3
	fValueType    = 1
	fValueUnit    = 2
)

// Protobuf wire types.
const (
	wireVarint = 0
	wire64     = 1
	wireBytes  = 2
	wire32     = 5
)

// pbuf decodes one protobuf message; the first error sticks.
type pbuf struct {
	data []byte
	err  error
}

var errTruncated = errors.New("truncated protobuf")

func (b *pbuf) varint() uint64 {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if len(b.data) == 0 {
			b.fail(errTruncated)
			return 0
		}
		c := b.data[0]
		b.data = b.data[1:]
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
	b.fail(errors.New("varint longer than 10 bytes"))
	return 0
}

func (b *pbuf) fail(err error) {
	if b.err == nil {
		b.err = err
	}
	b.data = nil
}

// next returns the next field's number and wire type; ok is false at the
// end of the message or after an error.
func (b *pbuf) next() (field int, wire int, ok bool) {
	if b.err != nil || len(b.data) == 0 {
		return 0, 0, false
	}
	key := b.varint()
	if key>>3 == 0 || key>>3 > 1<<29 {
		b.fail(fmt.Errorf("bad field key %#x", key))
		return 0, 0, false
	}
	return int(key >> 3), int(key & 7), b.err == nil
}

func (b *pbuf) bytes() []byte {
	n := b.varint()
	if b.err != nil {
		return nil
	}
	if n > uint64(len(b.data)) {
		b.fail(errTruncated)
		return nil
	}
	v := b.data[:n]
	b.data = b.data[n:]
	return v
}

// skip passes over a field of the given wire type.
func (b *pbuf) skip(wire int) {
	switch wire {
	case wireVarint:
		b.varint()
	case wireBytes:
		b.bytes()
	case wire64, wire32:
		n := 8
		if wire == wire32 {
			n = 4
		}
		if len(b.data) < n {
			b.fail(errTruncated)
			return
		}
		b.data = b.data[n:]
	default:
		b.fail(fmt.Errorf("unsupported wire type %d", wire))
	}
}

// uints appends a repeated integer field, packed or not.
func (b *pbuf) uints(wire int, to []uint64) []uint64 {
	if wire == wireVarint {
		return append(to, b.varint())
	}
	if wire != wireBytes {
		b.fail(fmt.Errorf("repeated integer with wire type %d", wire))
		return to
	}
	packed := pbuf{data: b.bytes()}
	for len(packed.data) > 0 && packed.err == nil {
		to = append(to, packed.varint())
	}
	if packed.err != nil {
		b.fail(packed.err)
	}
	return to
}

// message returns the sub-decoder of a length-delimited field.
func (b *pbuf) message(wire int) *pbuf {
	if wire != wireBytes {
		b.fail(fmt.Errorf("message with wire type %d", wire))
		return &pbuf{}
	}
	return &pbuf{data: b.bytes()}
}

// parseProfile decodes a gzipped pprof profile and checks that every
// reference in it resolves.
func parseProfile(gz []byte) (*profile, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("decompressing profile: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompressing profile: %v", err)
	}
	p := &profile{locations: map[uint64][]uint64{}, functions: map[uint64]int64{}}
	b := &pbuf{data: raw}
	for {
		field, wire, ok := b.next()
		if !ok {
			break
		}
		p.decodeField(b, field, wire)
	}
	if b.err != nil {
		return nil, fmt.Errorf("parsing profile: %v", b.err)
	}
	return p, p.resolve()
}

func (p *profile) decodeField(b *pbuf, field, wire int) {
	switch field {
	case fProfileSampleType:
		p.sampleTypes = append(p.sampleTypes, decodeValueType(b, b.message(wire)))
	case fProfileSample:
		p.samples = append(p.samples, decodeSample(b, b.message(wire)))
	case fProfileLocation:
		p.decodeLocation(b, b.message(wire))
	case fProfileFunction:
		p.decodeFunction(b, b.message(wire))
	case fProfileStrings:
		if wire != wireBytes {
			b.fail(fmt.Errorf("string with wire type %d", wire))
			return
		}
		p.strings = append(p.strings, string(b.bytes()))
	case fProfileDuration:
		p.duration = int64(b.varint())
	case fProfilePeriod:
		p.period = int64(b.varint())
	default:
		b.skip(wire)
	}
}

// eachField calls f on every field of the sub-message m (f skips the
// fields it does not want), then passes m's error, if any, on to outer.
func eachField(outer, m *pbuf, what string, f func(field, wire int)) {
	for field, wire, ok := m.next(); ok; field, wire, ok = m.next() {
		f(field, wire)
	}
	if m.err != nil {
		outer.fail(fmt.Errorf("%s: %v", what, m.err))
	}
}

func decodeValueType(outer, m *pbuf) [2]int64 {
	var vt [2]int64
	eachField(outer, m, "sample type", func(field, wire int) {
		switch field {
		case fValueType:
			vt[0] = int64(m.varint())
		case fValueUnit:
			vt[1] = int64(m.varint())
		default:
			m.skip(wire)
		}
	})
	return vt
}

func decodeSample(outer, m *pbuf) sample {
	var s sample
	eachField(outer, m, "sample", func(field, wire int) {
		switch field {
		case fSampleLocation:
			s.locations = m.uints(wire, s.locations)
		case fSampleValue:
			for _, v := range m.uints(wire, nil) {
				s.values = append(s.values, int64(v))
			}
		case fSampleLabel:
			s.labels = append(s.labels, decodeLabel(m, m.message(wire)))
		default:
			m.skip(wire)
		}
	})
	return s
}

// decodeLabel returns (key, str); a numeric label gets str -1, which
// resolve refuses: the CPU profiler writes only string labels.
func decodeLabel(outer, m *pbuf) [2]int64 {
	l := [2]int64{0, 0}
	eachField(outer, m, "label", func(field, wire int) {
		switch field {
		case fLabelKey:
			l[0] = int64(m.varint())
		case fLabelStr:
			l[1] = int64(m.varint())
		case fLabelNum:
			m.varint()
			l[1] = -1
		default:
			m.skip(wire)
		}
	})
	return l
}

func (p *profile) decodeLocation(outer, m *pbuf) {
	var id uint64
	var funcs []uint64
	eachField(outer, m, "location", func(field, wire int) {
		switch field {
		case fLocationID:
			id = m.varint()
		case fLocationLine:
			line := m.message(wire)
			eachField(m, line, "line", func(f, w int) {
				if f == fLineFunction {
					funcs = append(funcs, line.varint())
				} else {
					line.skip(w)
				}
			})
		default:
			m.skip(wire)
		}
	})
	if _, dup := p.locations[id]; dup || id == 0 {
		outer.fail(fmt.Errorf("location id %d reserved or repeated", id))
	}
	p.locations[id] = funcs
}

func (p *profile) decodeFunction(outer, m *pbuf) {
	var id uint64
	var name int64
	eachField(outer, m, "function", func(field, wire int) {
		switch field {
		case fFunctionID:
			id = m.varint()
		case fFunctionName:
			name = int64(m.varint())
		default:
			m.skip(wire)
		}
	})
	if _, dup := p.functions[id]; dup || id == 0 {
		outer.fail(fmt.Errorf("function id %d reserved or repeated", id))
	}
	p.functions[id] = name
}

// resolve checks every cross reference: string indexes, location and
// function ids, one value per sample type.
func (p *profile) resolve() error {
	str := func(i int64) bool { return i >= 0 && i < int64(len(p.strings)) }
	if len(p.strings) == 0 || p.strings[0] != "" {
		return errors.New("string table does not start with \"\"")
	}
	for _, vt := range p.sampleTypes {
		if !str(vt[0]) || !str(vt[1]) {
			return errors.New("sample type names a string out of range")
		}
	}
	for id, name := range p.functions {
		if !str(name) {
			return fmt.Errorf("function %d names string %d of %d", id, name, len(p.strings))
		}
	}
	for id, funcs := range p.locations {
		for _, f := range funcs {
			if _, ok := p.functions[f]; !ok {
				return fmt.Errorf("location %d names unknown function %d", id, f)
			}
		}
	}
	return p.resolveSamples(str)
}

func (p *profile) resolveSamples(str func(int64) bool) error {
	for i, s := range p.samples {
		if len(s.values) != len(p.sampleTypes) {
			return fmt.Errorf("sample %d has %d values for %d sample types", i, len(s.values), len(p.sampleTypes))
		}
		for _, l := range s.locations {
			if _, ok := p.locations[l]; !ok {
				return fmt.Errorf("sample %d names unknown location %d", i, l)
			}
		}
		for _, l := range s.labels {
			if !str(l[0]) || !str(l[1]) {
				return fmt.Errorf("sample %d has a label that is not a string pair", i)
			}
		}
	}
	return nil
}

// leafFunction is the name of the innermost function of sample s, or "".
func (p *profile) leafFunction(s sample) string {
	if len(s.locations) == 0 {
		return ""
	}
	funcs := p.locations[s.locations[0]]
	if len(funcs) == 0 {
		return ""
	}
	return p.strings[p.functions[funcs[0]]]
}
