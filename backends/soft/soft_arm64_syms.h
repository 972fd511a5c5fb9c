/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel functions the arm64 soft backend calls that Debian's 6.1 kernel
 * does not export: resolved once, at load, by soft_a64_resolve().
 */
#ifndef HWT_SOFT_ARM64_SYMS_H
#define HWT_SOFT_ARM64_SYMS_H

struct step_hook;
struct task_struct;

struct soft_a64_syms {
	void (*register_user_step_hook)(struct step_hook *hook);
	void (*unregister_user_step_hook)(struct step_hook *hook);
	void (*user_enable_single_step)(struct task_struct *task);
	void (*user_disable_single_step)(struct task_struct *task);
};

extern struct soft_a64_syms soft_a64;

/* 0, or -ENOENT after one line naming the missing symbol. */
int soft_a64_resolve(void);

#endif /* HWT_SOFT_ARM64_SYMS_H */
