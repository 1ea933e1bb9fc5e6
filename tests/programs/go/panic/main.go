// panic dereferences a nil pointer from a goroutine while others are
// alive: "panic: runtime error: invalid memory address or nil pointer
// dereference" then "[signal SIGSEGV: ...]" and the stacks.
package main

import (
	"fmt"
	"time"
)

type node struct{ next *node }

func main() {
	for i := 0; i < 3; i++ {
		go func() { time.Sleep(time.Hour) }()
	}
	done := make(chan int)
	go func() {
		var n *node
		fmt.Println("nilderef: walking a list")
		done <- len(fmt.Sprint(n.next))
	}()
	<-done
}
