// crash2 crashes deliberately with one of two different runtime fatal
// errors, chosen at random, while several goroutines are alive (so the
// runtime prints every goroutine's stack after the "fatal error:" line):
//
//	fatal error: sync: unlock of unlocked mutex
//	fatal error: all goroutines are asleep - deadlock!
//
// or, a third of the time, exits 0. It is the signature test of
// `proftorture stress` (docs/stress.md: "Signatures that name the failure"): the
// last line of each crash is some goroutine's stack frame, different from
// run to run; only the fatal error line names the failure.
package main

import (
	"fmt"
	"math/rand"
	"os"
	"sync"
	"time"
)

func main() {
	rand.Seed(time.Now().UnixNano() ^ int64(os.Getpid())<<20)
	choice := rand.Intn(3)
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &choice)
	}
	block := make(chan int)
	var ready sync.WaitGroup
	for i := 0; i < 4; i++ {
		ready.Add(1)
		go waiter(i, block, &ready)
	}
	ready.Wait()
	fmt.Printf("crash2: %d goroutines waiting, choice %d\n", 4, choice)
	switch choice {
	case 0:
		var mu sync.Mutex
		mu.Unlock() // fatal error: sync: unlock of unlocked mutex
	case 1:
		<-block // every goroutine blocked: fatal error: all goroutines are asleep - deadlock!
	default:
		fmt.Println("crash2: no crash this time")
	}
}

// waiter parks on the channel at a depth that varies per goroutine, so the
// goroutines' stack dumps differ in length and order.
func waiter(depth int, block chan int, ready *sync.WaitGroup) {
	if depth > 0 {
		waiter(depth-1, block, ready)
		return
	}
	ready.Done()
	<-block
}
