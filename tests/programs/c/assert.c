/* assert: a C program whose assert fails ("Assertion `...' failed."), then
 * abort(): signal 6 natively; under qemu-user also "qemu: uncaught target
 * signal 6 (Aborted)". A corpus program (tests/corpus/signatures). */
#include <assert.h>
#include <stdio.h>

static int balance(int deposits, int withdrawals)
{
	return deposits - withdrawals;
}

int main(void)
{
	int b = balance(100, 120);
	printf("assert: balance is %d\n", b);
	fflush(stdout);
	assert(b >= 0);
	return 0;
}
