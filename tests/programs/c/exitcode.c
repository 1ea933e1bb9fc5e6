/* exitcode: fails the plain way, with an exit status and a last line that
 * is no failure line of the list (the signature falls back to "exit status
 * 3: <last line>"). A corpus program. */
#include <stdio.h>

int main(void)
{
	for (int i = 1; i <= 3; i++)
		printf("exitcode: step %d of 3 at 0x%x\n", i, 0x1000 * i);
	printf("exitcode: 2 of 7 checks did not hold\n");
	return 3;
}
