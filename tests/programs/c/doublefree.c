/* doublefree: frees one block twice; glibc's tcache check aborts with
 * "free(): double free detected in tcache 2". A corpus program. */
#include <stdio.h>
#include <stdlib.h>

static void release(char *p)
{
	free(p);
}

int main(void)
{
	char *name = malloc(32);
	snprintf(name, 32, "worker-%d", 7);
	printf("doublefree: releasing %s\n", name);
	fflush(stdout);
	char *volatile again = name; /* hides the bug from gcc's -Wuse-after-free */
	release(name);
	release(again);
	return 0;
}
