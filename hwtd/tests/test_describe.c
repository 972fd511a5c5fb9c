// SPDX-License-Identifier: BSD-2-Clause
/*
 * describe.c: every rule of the description grammar (include/hwt/hwt.h,
 * HWT_IOC_DESCRIBE) refuses what breaks it, and a well-formed text (the
 * ones our backends write) parses into exactly its lines.
 */
#include <string.h>

#include "../describe.h"
#include "../../tests/lib/unit.h"

static struct hwt_desc d;
static char err[256];

static int parses(const char *text)
{
	err[0] = 0;
	return hwt_desc_parse(text, &d, err, sizeof(err)) == 0;
}

static void test_good(void)
{
	UNIT_CHECK(parses("kind=intel_pt\ncpu=6/158/9\ncpuid_15_eax=2\n"
			  "addr_filter=401000-4010ff,402000-402fff\n"));
	UNIT_CHECK(!strcmp(d.kind, "intel_pt") && d.nparams == 3);
	UNIT_CHECK(!strcmp(d.params[0].key, "cpu") &&
		   !strcmp(d.params[0].value, "6/158/9"));
	UNIT_CHECK(!strcmp(d.params[2].value, "401000-4010ff,402000-402fff"));
	UNIT_CHECK(parses("kind=null\n") && d.nparams == 0);
	/* Values may hold '=' and spaces; an empty value is a value. */
	UNIT_CHECK(parses("kind=ete\nnote=a=b c\nempty=\n") &&
		   !strcmp(d.params[0].value, "a=b c") &&
		   d.params[1].value[0] == 0);
}

static void test_bad(void)
{
	char big[600];

	UNIT_CHECK(!parses(""));
	UNIT_CHECK(!parses("cpu=1\nkind=ete\n"));	/* kind not first */
	UNIT_CHECK(!parses("kind=\n"));			/* empty kind */
	UNIT_CHECK(!parses("kind=e te\n"));		/* kind not a key */
	UNIT_CHECK(!parses("kind=ete"));		/* no newline */
	UNIT_CHECK(!parses("kind=ete\ncpu\n"));		/* no '=' */
	UNIT_CHECK(!parses("kind=ete\n=1\n"));		/* empty key */
	UNIT_CHECK(!parses("kind=ete\nTRCIDR0=1\n"));	/* upper case */
	UNIT_CHECK(!parses("kind=ete\na/b=1\n"));
	UNIT_CHECK(!parses("kind=ete\na=\x01\n"));	/* control byte */
	UNIT_CHECK(!parses("kind=ete\na=\xc3\xa9\n"));	/* not ASCII */
	UNIT_CHECK(!parses("kind=ete\na=1\na=2\n"));	/* twice */
	UNIT_CHECK(!parses("kind=ete\nkind=etm4\n"));
	UNIT_CHECK(!parses("kind=ete\n"
			   "abcdefghijabcdefghijabcdefghij12=1\n")); /* 32 */
	UNIT_CHECK(parses("kind=ete\n"
			  "abcdefghijabcdefghijabcdefghij1=1\n"));  /* 31 */
	memset(big, 'v', sizeof(big));
	memcpy(big, "kind=x\nk=", 9);
	big[9 + 256] = '\n';
	big[9 + 257] = 0;
	UNIT_CHECK(!parses(big));			/* value 256 */
	big[9 + 255] = '\n';
	big[9 + 256] = 0;
	UNIT_CHECK(parses(big));			/* value 255 */
	UNIT_CHECK(err[0] == 0);
	UNIT_CHECK(!parses("kind=ete\nx\n") && strstr(err, "line 2"));
}

static void test_many(void)
{
	char text[HWT_DESC_MAX_PARAMS * 16 + 64];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "kind=ete\n");
	for (i = 0; i < HWT_DESC_MAX_PARAMS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "k%d=1\n", i);
	UNIT_CHECK(parses(text) && d.nparams == HWT_DESC_MAX_PARAMS);
	snprintf(text + n, sizeof(text) - n, "one_more=1\n");
	UNIT_CHECK(!parses(text));
}

int main(void)
{
	UNIT_RUN(test_good(), "hwtd/describe/good");
	UNIT_RUN(test_bad(), "hwtd/describe/bad (each rule)");
	UNIT_RUN(test_many(), "hwtd/describe/at-most-64-params");
	return unit_failed ? 1 : 0;
}
