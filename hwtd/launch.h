/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Launching a program to trace, stopped at its exec (as FreeBSD hwt
 * does): the child asks to be ptraced and execs; the kernel stops it
 * right after the exec, before the new program's first instruction.  The
 * recorder then attaches (the kernel reports the new image's mappings,
 * which place address filters, PIE or not), starts tracing and releases
 * it: the trace begins exactly at the program's entry, with nothing of
 * the launcher in it.  Used by hwt record and hwt-collect.
 */
#ifndef HWTD_LAUNCH_H
#define HWTD_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

/* Fork and exec argv (PATH searched), return the child stopped after the
 * exec; -1 with a message in err (exec failure included). */
pid_t hwt_launch_stopped(char **argv, char *err, size_t errlen);

/* Let it run (detach).  0 or -1. */
int hwt_launch_release(pid_t pid);

#endif /* HWTD_LAUNCH_H */
