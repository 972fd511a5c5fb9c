// SPDX-License-Identifier: GPL-2.0
/*
 * Resolve the unexported single-step functions of arm64 through a kprobe
 * on each symbol name (kallsyms_lookup_name is not exported either).
 * register_kprobe() fills kp.addr from the name before it checks whether
 * the address may be probed, so it returns -EINVAL for the functions
 * marked NOKPROBE_SYMBOL (user_enable_single_step) but the address is
 * still the function's: measured on Debian's 6.1 arm64 kernel, also with
 * PAC and BTI (issue 16).  The probe itself is never kept.
 */

#include <linux/kprobes.h>
#include <linux/printk.h>
#include <asm/debug-monitors.h>

#include "soft_arm64_syms.h"

struct soft_a64_syms soft_a64;

static void *soft_a64_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	void *addr;

	if (register_kprobe(&kp) == 0) {
		addr = kp.addr;
		unregister_kprobe(&kp);
	} else {
		addr = kp.addr;
	}
	return addr;
}

int soft_a64_resolve(void)
{
	static const char *const names[] = {
		"register_user_step_hook",
		"unregister_user_step_hook",
		"user_enable_single_step",
		"user_disable_single_step",
	};
	void *addr[ARRAY_SIZE(names)];
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		addr[i] = soft_a64_lookup(names[i]);
		if (!addr[i]) {
			pr_err("hwt_soft: kernel symbol %s not found: not loading\n",
			       names[i]);
			return -ENOENT;
		}
	}
	soft_a64.register_user_step_hook = addr[0];
	soft_a64.unregister_user_step_hook = addr[1];
	soft_a64.user_enable_single_step = addr[2];
	soft_a64.user_disable_single_step = addr[3];
	return 0;
}
