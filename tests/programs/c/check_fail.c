/* check_fail: a Check test binary with one failing and one erroring test
 * (Check's "file:line:F:..." and "file:line:E:..." lines). A corpus program. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>

START_TEST(test_sum)
{
	int parts[] = { 2, 2, 3 };
	int sum = 0;
	for (int i = 0; i < 3; i++)
		sum += parts[i];
	ck_assert_int_eq(sum, 6);
}
END_TEST

START_TEST(test_ok)
{
	ck_assert(1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("check_fail");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_sum);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
