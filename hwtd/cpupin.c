// SPDX-License-Identifier: BSD-2-Clause
/* The recorder off the CPUs it traces (cpupin.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "cpupin.h"
#include "hwt_err.h"
#include "hwt/hwt.h"

int hwtd_cpus_split(const uint64_t *const *maps, size_t nmaps, int ncpus,
		    cpu_set_t *traced, cpu_set_t *others)
{
	int c, nout = 0;
	size_t i;

	CPU_ZERO(traced);
	CPU_ZERO(others);
	for (c = 0; c < ncpus && c < CPU_SETSIZE &&
	     c < 64 * HWT_CPU_MAP_WORDS; c++) {
		int in = 0;

		for (i = 0; i < nmaps && !in; i++)
			in = maps[i][c / 64] >> (c % 64) & 1;
		if (in) {
			CPU_SET(c, traced);
		} else {
			CPU_SET(c, others);
			nout++;
		}
	}
	return nout;
}

int hwtd_cpus_pin_launch(pid_t pid, const uint64_t *map, int pin_self,
			 char *err, size_t errlen)
{
	cpu_set_t traced, others;
	int nout;

	nout = hwtd_cpus_split(&map, 1, get_nprocs_conf(), &traced, &others);
	if (!CPU_COUNT(&traced))
		return hwt_errf(err, errlen, "the CPU list names no CPU of"
				" this machine (%d configured)",
				get_nprocs_conf());
	if (sched_setaffinity(pid, sizeof(traced), &traced))
		return hwt_errf(err, errlen, "cannot run process %d on the"
				" traced CPUs: %s", (int)pid, strerror(errno));
	if (pin_self && nout && sched_setaffinity(0, sizeof(others), &others))
		return hwt_errf(err, errlen, "cannot move the recorder off"
				" the traced CPUs: %s", strerror(errno));
	return 0;
}

int hwtd_cpus_avoid(const uint64_t *const *maps, size_t nmaps)
{
	cpu_set_t traced, others;
	int nout;

	nout = hwtd_cpus_split(maps, nmaps, get_nprocs_conf(), &traced,
			       &others);
	if (!nout) {	/* every CPU traced (or none): run anywhere */
		CPU_OR(&others, &others, &traced);
		nout = CPU_COUNT(&others);
	}
	if (sched_setaffinity(0, sizeof(others), &others))
		return -1;
	return nout;
}
