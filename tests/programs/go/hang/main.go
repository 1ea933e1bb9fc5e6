// hang deadlocks the way real programs do and the runtime cannot see: two
// goroutines take two mutexes in opposite order, while a ticker keeps a
// timer pending (so the runtime's "all goroutines are asleep" check never
// fires). It never exits; SIGQUIT makes the runtime print every goroutine's
// stack, which is what `proftorture stress --timeout` must keep.
package main

import (
	"fmt"
	"sync"
	"time"
)

func main() {
	var a, b sync.Mutex
	var wg sync.WaitGroup
	var both sync.WaitGroup
	both.Add(2)
	wg.Add(2)
	go func() { defer wg.Done(); lockBoth(&a, &b, &both) }()
	go func() { defer wg.Done(); lockBoth(&b, &a, &both) }()
	go func() {
		for range time.Tick(100 * time.Millisecond) {
		}
	}()
	fmt.Println("hang: two goroutines locking a and b in opposite order")
	wg.Wait()
	fmt.Println("hang: did not deadlock (cannot happen)")
}

func lockBoth(first, second *sync.Mutex, both *sync.WaitGroup) {
	first.Lock()
	both.Done()
	both.Wait() // each holds its first lock before taking the second
	second.Lock()
}
