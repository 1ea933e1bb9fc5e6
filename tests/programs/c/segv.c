/* segv: a C program that writes through a NULL pointer after a few lines of
 * output: under qemu-user the last line is qemu's "uncaught target signal
 * 11". A corpus program (tests/corpus/signatures). */
#include <stdio.h>

struct node {
	struct node *next;
	int value;
};

int main(void)
{
	struct node tail = { NULL, 2 }, head = { &tail, 1 };
	for (struct node *n = &head;; n = n->next) {
		printf("segv: node %d\n", n->value);
		fflush(stdout);
		n->next->value++; /* the last node's next is NULL */
	}
}
