// SPDX-License-Identifier: BSD-2-Clause
/* /proc/PID/maps lines (procmaps.h): the fields of real lines, and every
 * malformed field refused.  Against this process's own maps too: its
 * executable mapping of this very program is found with the address of a
 * function in it. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../procmaps.h"
#include "../../tests/lib/unit.h"

static void test_lines(void)
{
	char a[] = "00400000-00452000 r-xp 00001000 08:02 173521"
		   "      /usr/bin/dbus-daemon\n";
	char b[] = "7ffd3b1e0000-7ffd3b201000 rw-p 00000000 00:00 0"
		   "                          [stack]";
	char c[] = "7f00aa000000-7f00aa001000 rwxs 0002a000 fd:01 99"
		   " /tmp/x (deleted)\n";
	char d[] = "7f00aa000000-7f00aa001000 ---p 00000000 00:00 0\n";
	static const char *const bad[] = {
		"", "00400000", "00400000-00300000 r-xp 0 08:02 1 /a",
		"00400000-00452000 r-xq 0 08:02 1 /a",
		"00400000-00452000 rx-p 0 08:02 1 /a",
		"00400000-00452000 r-xp zz 08:02 1 /a",
		"00400000-00452000 r-xp 0 0802 1 /a",
		"00400000-00452000 r-xp 0 08:02 /a",
		"0040000g-00452000 r-xp 0 08:02 1 /a",
		"ffffffffffffffffff-1 r-xp 0 08:02 1 /a",
	};
	struct hwtd_procmap m;
	char buf[128];
	size_t i;

	UNIT_CHECK(hwtd_procmap_parse(a, &m) == 0 && m.start == 0x400000 &&
		   m.end == 0x452000 && m.offset == 0x1000 &&
		   m.prot == (PROT_READ | PROT_EXEC) && !m.shared &&
		   !strcmp(m.path, "/usr/bin/dbus-daemon"));
	UNIT_CHECK(hwtd_procmap_parse(b, &m) == 0 &&
		   m.prot == (PROT_READ | PROT_WRITE) &&
		   !strcmp(m.path, "[stack]"));
	UNIT_CHECK(hwtd_procmap_parse(c, &m) == 0 && m.shared &&
		   m.prot == (PROT_READ | PROT_WRITE | PROT_EXEC) &&
		   m.offset == 0x2a000 && !strcmp(m.path, "/tmp/x"));
	UNIT_CHECK(hwtd_procmap_parse(d, &m) == 0 && m.prot == 0 &&
		   !strcmp(m.path, ""));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		UNIT_CHECK(hwtd_procmap_parse(buf, &m) == -1);
	}
}

static void test_self(void)
{
	char line[PATH_MAX + 128], exe[PATH_MAX];
	uintptr_t here = (uintptr_t)test_self;
	struct hwtd_procmap m;
	FILE *f = fopen("/proc/self/maps", "r");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int found = 0, lines = 0;

	UNIT_CHECK(f && n > 0);
	if (!f || n <= 0)
		return;
	exe[n] = 0;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (hwtd_procmap_parse(line, &m)) {
			UNIT_CHECK(!"a line of /proc/self/maps refused");
			continue;
		}
		if (here >= m.start && here < m.end)
			found = (m.prot & PROT_EXEC) && !strcmp(m.path, exe);
	}
	fclose(f);
	UNIT_CHECK(lines > 3 && found);
}

int main(void)
{
	UNIT_RUN(test_lines(), "hwtd/procmaps-fields-and-malformed-lines");
	UNIT_RUN(test_self(), "hwtd/procmaps-own-text-mapping");
	return unit_failed ? 1 : 0;
}
