/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Keeping the recorder off the CPUs it traces.  In CPU mode every user
 * instruction on a traced CPU is traced, the recorder's own included:
 * a collector that runs there traces itself copying the trace, which
 * makes more trace to copy.  So the launched program runs on the traced
 * CPUs only, and hwt-collect, `hwt record` in-process and hwtd on the
 * others (all CPUs when no other is left).
 *
 * A CPU map is HWT_CPU_MAP_WORDS words: CPU c is bit c % 64 of word
 * c / 64 (include/hwt/hwt.h).
 */
#ifndef HWTD_CPUPIN_H
#define HWTD_CPUPIN_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Splits CPUs 0 .. ncpus - 1 between those any of the nmaps maps names
 * (*traced) and the rest (*others); CPUs at or past ncpus or
 * CPU_SETSIZE are in neither.
 * Returns the number of CPUs in *others.
 */
int hwtd_cpus_split(const uint64_t *const *maps, size_t nmaps, int ncpus,
		    cpu_set_t *traced, cpu_set_t *others);

/*
 * Pins pid (a launched program, not yet running) to the CPUs of map
 * and, if pin_self, the calling process to the other CPUs.
 * Returns 0 if done (pin_self with no other CPU left: the caller stays
 * where it is).
 * Returns -1 with a message in err if: map names no configured CPU, or
 * sched_setaffinity() fails (the message names whom and why).
 */
int hwtd_cpus_pin_launch(pid_t pid, const uint64_t *map, int pin_self,
			 char *err, size_t errlen);

/*
 * Moves the calling process (hwtd) off the CPUs of the nmaps maps (the
 * CPU-mode sessions recording), onto every configured CPU when nmaps
 * is 0 or no other CPU is left.
 * Returns the number of CPUs it may run on now.
 * Returns -1 with errno set if: sched_setaffinity() fails.
 */
int hwtd_cpus_avoid(const uint64_t *const *maps, size_t nmaps);

#endif /* HWTD_CPUPIN_H */
