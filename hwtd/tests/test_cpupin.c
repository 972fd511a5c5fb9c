// SPDX-License-Identifier: BSD-2-Clause
/* cpupin.c: the launched program on the traced CPUs, the recorder (and
 * hwtd) on the others, every CPU when none is left. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cpupin.h"
#include "hwt/hwt.h"
#include "../../tests/lib/unit.h"

static void test_split(void)
{
	uint64_t a[HWT_CPU_MAP_WORDS] = { 0x5 }, b[HWT_CPU_MAP_WORDS] = { 0 };
	const uint64_t *maps[2] = { a, b };
	cpu_set_t in, out;

	b[1] = 1;		/* CPU 64 */
	/* 8 CPUs: 0 and 2 traced, 64 past the end. */
	UNIT_CHECK(hwtd_cpus_split(maps, 2, 8, &in, &out) == 6);
	UNIT_CHECK(CPU_COUNT(&in) == 2 && CPU_ISSET(0, &in) &&
		   CPU_ISSET(2, &in) && !CPU_ISSET(1, &in));
	UNIT_CHECK(CPU_ISSET(1, &out) && CPU_ISSET(7, &out) &&
		   !CPU_ISSET(8, &out) && !CPU_ISSET(0, &out));
	/* 70 CPUs: the second map's CPU 64 is traced too. */
	UNIT_CHECK(hwtd_cpus_split(maps, 2, 70, &in, &out) == 67);
	UNIT_CHECK(CPU_ISSET(64, &in) && CPU_ISSET(69, &out));
	/* No map: every CPU is another. */
	UNIT_CHECK(hwtd_cpus_split(maps, 0, 4, &in, &out) == 4);
	UNIT_CHECK(!CPU_COUNT(&in));
}

/* This process may run on CPUs 0 and 1 (else the pin tests skip). */
static int two_cpus(void)
{
	cpu_set_t s;

	return get_nprocs_conf() >= 2 && !sched_getaffinity(0, sizeof(s), &s) &&
	       CPU_ISSET(0, &s) && CPU_ISSET(1, &s);
}

static void test_pin_launch(void)
{
	uint64_t map[HWT_CPU_MAP_WORDS] = { 0x2 };	/* CPU 1 */
	uint64_t none[HWT_CPU_MAP_WORDS] = { 0 };
	cpu_set_t all, s;
	char err[256] = "";
	pid_t pid;
	int st;

	UNIT_CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	UNIT_CHECK(pid > 0);
	UNIT_CHECK(hwtd_cpus_pin_launch(pid, map, 1, err, sizeof(err)) == 0);
	UNIT_CHECK(sched_getaffinity(pid, sizeof(s), &s) == 0 &&
		   CPU_COUNT(&s) == 1 && CPU_ISSET(1, &s));
	UNIT_CHECK(sched_getaffinity(0, sizeof(s), &s) == 0 &&
		   !CPU_ISSET(1, &s) && CPU_ISSET(0, &s));
	UNIT_CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
	/* Without pin_self the caller stays where it is. */
	UNIT_CHECK(hwtd_cpus_pin_launch(pid, map, 0, err, sizeof(err)) == 0);
	UNIT_CHECK(sched_getaffinity(0, sizeof(s), &s) == 0 &&
		   CPU_EQUAL(&s, &all));
	/* A list of no CPU here: a clear error, nothing moved. */
	UNIT_CHECK(hwtd_cpus_pin_launch(pid, none, 1, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "names no CPU") != NULL);
	kill(pid, SIGKILL);
	UNIT_CHECK(waitpid(pid, &st, 0) == pid);
	/* A process that is gone: the error names it. */
	UNIT_CHECK(hwtd_cpus_pin_launch(pid, map, 1, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "cannot run process") != NULL);
}

static void test_avoid(void)
{
	uint64_t one[HWT_CPU_MAP_WORDS] = { 0x2 }, every[HWT_CPU_MAP_WORDS];
	const uint64_t *maps[1] = { one };
	cpu_set_t all, s;

	memset(every, 0xff, sizeof(every));
	UNIT_CHECK(sched_getaffinity(0, sizeof(all), &all) == 0);
	UNIT_CHECK(hwtd_cpus_avoid(maps, 1) == get_nprocs_conf() - 1);
	UNIT_CHECK(sched_getaffinity(0, sizeof(s), &s) == 0 &&
		   !CPU_ISSET(1, &s) && CPU_ISSET(0, &s));
	/* Every CPU traced: anywhere, rather than nowhere. */
	maps[0] = every;
	UNIT_CHECK(hwtd_cpus_avoid(maps, 1) == get_nprocs_conf());
	UNIT_CHECK(sched_getaffinity(0, sizeof(s), &s) == 0 &&
		   CPU_ISSET(0, &s) && CPU_ISSET(1, &s));
	/* The last session ended: back on every CPU. */
	UNIT_CHECK(hwtd_cpus_avoid(maps, 0) == get_nprocs_conf());
	UNIT_CHECK(sched_setaffinity(0, sizeof(all), &all) == 0);
}

int main(void)
{
	UNIT_RUN(test_split(), "hwtd/cpupin-split");
	if (!two_cpus()) {
		printf("SKIP: hwtd/cpupin-pin (fewer than 2 CPUs here)\n");
		return unit_failed ? 1 : 0;
	}
	UNIT_RUN(test_pin_launch(), "hwtd/cpupin-pin-launch");
	UNIT_RUN(test_avoid(), "hwtd/cpupin-avoid");
	return unit_failed ? 1 : 0;
}
