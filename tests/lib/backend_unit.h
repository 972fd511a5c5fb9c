/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * PASS:/FAIL: lines for the backends' user-space unit tests (first failure
 * shown), each named UNIT_PREFIX + the RUN's name: the including header
 * defines UNIT_PREFIX ("intel_pt/", "coresight/").
 */
#ifndef HWT_BACKEND_UNIT_H
#define HWT_BACKEND_UNIT_H

#ifndef UNIT_PREFIX
#error "define UNIT_PREFIX before including backend_unit.h"
#endif

#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static int unit_cur_failed, unit_failed, unit_passed;

#define CHECK(c) do {							\
	if (!(c) && !unit_cur_failed++)					\
		printf("  %s:%d: %s\n", __FILE__, __LINE__, #c);	\
} while (0)

/* Like CHECK, with a printf-style explanation of the first failure. */
#define CHECKF(c, ...) do {						\
	if (!(c) && !unit_cur_failed++) {				\
		printf("  %s:%d: %s: ", __FILE__, __LINE__, #c);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

#define RUN(call, ...) do {						\
	unit_cur_failed = 0;						\
	call;								\
	printf("%s: " UNIT_PREFIX, unit_cur_failed ? "FAIL" : "PASS");	\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (unit_cur_failed)						\
		unit_failed++;						\
	else								\
		unit_passed++;						\
} while (0)

#endif /* HWT_BACKEND_UNIT_H */
