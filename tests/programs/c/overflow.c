/* overflow: a signed integer overflow, for UBSan ("runtime error: signed
 * integer overflow"). A corpus program. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int total = INT_MAX - 5;
	int step = argc > 1 ? atoi(argv[1]) : 10;
	printf("overflow: adding %d to %d\n", step, total);
	total += step;
	printf("overflow: total %d\n", total);
	return 0;
}
