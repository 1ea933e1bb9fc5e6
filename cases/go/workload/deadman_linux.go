// The dead man's switch: a kernel timer that sends this process SIGQUIT
// unless the watchdog goroutine keeps pushing it back. A runtime deadlocked
// in a spinlock may run no goroutine at all (on mips every 64-bit atomic
// shares one lock, and the scheduler takes it too), so nothing inside the Go
// scheduler can report that hang; the kernel still delivers the signal, to
// a thread that is not inside a signal handler, and the runtime answers
// SIGQUIT the way it always does: "SIGQUIT: quit", "PC=... m=N sigcode=-2"
// (-2 is SI_TIMER: this timer, not a kill from outside, which gives 0; the
// runtime prints it unsigned, 4294967294 on 32-bit arches and
// 18446744073709551614 on 64-bit ones), every
// goroutine's stack, exit status 2. A goroutine whose thread is stuck in the
// signal handler shows as "[running]: goroutine running on other thread;
// stack unavailable".

package main

import (
	"syscall"
	"time"
	"unsafe"
)

const (
	clockMonotonic = 1 // CLOCK_MONOTONIC
	sigevSignal    = 0 // SIGEV_SIGNAL: signal the process
)

// sigevent is struct sigevent of the Linux ABI: a pointer-sized sigev_value,
// then signo and notify, padded to 64 bytes, on every arch Go builds for.
type sigevent struct {
	value  uintptr
	signo  int32
	notify int32
	_      [64 - unsafe.Sizeof(uintptr(0)) - 8]byte
}

type deadman struct {
	timer int32
}

// newDeadman creates the timer, disarmed.
func newDeadman() (*deadman, error) {
	ev := sigevent{signo: int32(syscall.SIGQUIT), notify: sigevSignal}
	var id int32
	_, _, e := syscall.RawSyscall(syscall.SYS_TIMER_CREATE, clockMonotonic,
		uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&id)))
	if e != 0 {
		return nil, e
	}
	return &deadman{timer: id}, nil
}

// arm makes the timer fire once, after d from now; d == 0 disarms it.
func (dm *deadman) arm(d time.Duration) error {
	var spec [2]syscall.Timespec // it_interval (zero: one shot), it_value
	spec[1] = syscall.NsecToTimespec(int64(d))
	_, _, e := syscall.RawSyscall6(syscall.SYS_TIMER_SETTIME, uintptr(dm.timer), 0,
		uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
