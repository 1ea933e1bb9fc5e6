/* race: two threads increment one plain int, for ThreadSanitizer's report
 * ("WARNING: ThreadSanitizer: data race"). A corpus program. */
#include <pthread.h>
#include <stdio.h>

static int hits;

static void *count(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++)
		hits++;
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, count, NULL);
	pthread_create(&b, NULL, count, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("race: %d hits\n", hits);
	return 0;
}
