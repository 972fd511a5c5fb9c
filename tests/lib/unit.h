/* SPDX-License-Identifier: BSD-2-Clause */
/* Minimal unit-test harness: PASS:/FAIL: lines, first failure reported. */
#ifndef HWT_UNIT_H
#define HWT_UNIT_H
#include <stdio.h>

static int unit_cur_failed, unit_failed;

#define UNIT_CHECK(c) do {						\
	if (!(c) && !unit_cur_failed++)					\
		printf("  %s:%d: %s\n", __FILE__, __LINE__, #c);	\
} while (0)

#define UNIT_RUN(call, name) do {					\
	unit_cur_failed = 0;						\
	call;								\
	printf("%s: %s\n", unit_cur_failed ? "FAIL" : "PASS", name);	\
	unit_failed += !!unit_cur_failed;				\
} while (0)
#endif
