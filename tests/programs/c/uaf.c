/* uaf: a heap use after free, for AddressSanitizer's report ("ERROR:
 * AddressSanitizer: heap-use-after-free"). A corpus program. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	int *counts = malloc(8 * sizeof *counts);
	for (int i = 0; i < 8; i++)
		counts[i] = i;
	free(counts);
	printf("uaf: counts[3] = %d\n", counts[3]);
	return 0;
}
