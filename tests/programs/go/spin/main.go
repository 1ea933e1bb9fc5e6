// spin livelocks the way golang/go#25785's runtime did, silently: four
// goroutines, each locked to its own thread with a P of its own, yield the
// CPU for ever (a raw system call: no preemption, no scheduler), and
// SIGQUIT is ignored, so the runtime prints no goroutine dump. All that
// says where it hangs under qemu is the guest-PC plugin's table
// (docs/stress.md, "Under qemu: each thread's guest function").
package main

import (
	"fmt"
	"os/signal"
	"runtime"
	"syscall"
)

func yieldForEver() {
	runtime.LockOSThread()
	for {
		syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
	}
}

func main() {
	signal.Ignore(syscall.SIGQUIT)
	runtime.GOMAXPROCS(4) // one P per yielder, whatever the host's CPUs
	for i := 0; i < 3; i++ {
		go yieldForEver()
	}
	fmt.Println("spin: four goroutines yielding for ever")
	yieldForEver()
}
