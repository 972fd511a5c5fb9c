// SPDX-License-Identifier: GPL-2.0
/*
 * Who may trace what.  Tracing a thread reveals everything it executes, so
 * it needs exactly the rights ptrace attach needs (including LSM policy such
 * as Yama).  ptrace_may_access() is not exported; its address is found once
 * through a kprobe (the documented way to resolve a kernel symbol from a
 * module since kallsyms_lookup_name() was unexported), and if that fails we
 * fall back to requiring CAP_SYS_PTRACE, never to allowing.
 */

#include <linux/capability.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#include "hwt_internal.h"

typedef bool (*ptrace_may_access_fn)(struct task_struct *task,
				     unsigned int mode);
static ptrace_may_access_fn hwt_ptrace_may_access;

int hwt_security_init(void)
{
	struct kprobe kp = { .symbol_name = "ptrace_may_access" };

	if (register_kprobe(&kp) == 0) {
		hwt_ptrace_may_access = (ptrace_may_access_fn)kp.addr;
		unregister_kprobe(&kp);
	} else {
		pr_warn("hwt: ptrace_may_access not found, tracing a pid needs CAP_SYS_PTRACE\n");
	}
	return 0;
}

bool hwt_may_trace_task(struct task_struct *task)
{
	if (hwt_ptrace_may_access)
		return hwt_ptrace_may_access(task,
					     PTRACE_MODE_ATTACH_REALCREDS);
	return capable(CAP_SYS_PTRACE);
}

bool hwt_may_trace_cpus(void)
{
	return capable(CAP_PERFMON) || capable(CAP_SYS_ADMIN);
}
