// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_soft: a trace backend with no trace hardware.  It single-steps each
 * traced thread in user mode (x86-64) and writes a genuine Intel PT packet
 * stream into the thread's buffer, which libipt decodes like hardware
 * trace.  See docs/soft-backend.md.
 *
 * The stepping itself (traps, syscall and signal passes, signal frames,
 * the per-thread record's lifecycle) is soft_step.c, shared with the
 * emulated Intel PT unit; this file is the backend: config, and the
 * framework's thread_start/stop/exit mapped onto the stepper, whose
 * packets go into the thread's hwt buffer.
 */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <hwt/hwt_soft.h>
#include "hwt_backend.h"
#include "soft_life.h"
#include "soft_step.h"

struct soft_ctx {
	struct pt_soft_config cfg;
};

static struct hwt_backend soft_backend;

/*
 * The record of current if this backend traces it, or NULL.  Caller: RCU
 * or preemption off.
 */
static struct soft_thread *soft_backend_current(void)
{
	struct hwt_thread *thr = hwt_thread_current(NULL);

	if (!thr || hwt_thread_backend(thr) != &soft_backend)
		return NULL;
	return hwt_thread_priv(thr);
}

static bool soft_backend_write(struct soft_thread *t, const u8 *buf,
			       size_t len)
{
	struct hwt_buffer *hb = hwt_thread_buffer(t->owner);

	return !hb || hwt_buffer_write(hb, buf, len) >= 0;
}

static size_t soft_backend_space(struct soft_thread *t)
{
	struct hwt_buffer *hb = hwt_thread_buffer(t->owner);

	return hb ? hwt_buffer_space(hb) : 0;
}

static const struct soft_step_ops soft_step_ops = {
	.lookup = soft_backend_current,
	.write = soft_backend_write,
	.space = soft_backend_space,
};

static int soft_init(struct hwt_context *ctx)
{
	struct soft_ctx *sc = kzalloc(sizeof(*sc), GFP_KERNEL);

	if (!sc)
		return -ENOMEM;
	hwt_context_set_priv(ctx, sc);
	return 0;
}

static void soft_deinit(struct hwt_context *ctx)
{
	kfree(hwt_context_priv(ctx));
}

static int soft_configure(struct hwt_context *ctx, u32 version,
			  const void *data, u32 size)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	const struct hwt_soft_config *uc = data;
	struct pt_soft_config cfg = { };
	int ret = soft_config_check(version, data, size);
	u32 i;

	if (ret)
		return ret;
	cfg.flags = uc->flags;
	/* A stepped thread's TSC says nothing: count instructions. */
	if (cfg.flags & PT_SOFT_TSC)
		cfg.flags |= PT_SOFT_INSN_CLOCK;
	cfg.psb_period = uc->psb_period;
	cfg.nranges = uc->nranges;
	cfg.reserved = uc->reserved;
	for (i = 0; i < uc->nranges; i++) {
		cfg.ranges[i].start = uc->ranges[i].start;
		cfg.ranges[i].end = uc->ranges[i].end;
	}
	if (pt_soft_config_check(&cfg))
		return -EINVAL;
	sc->cfg = cfg;
	return 0;
}

/*
 * HWT_IOC_DESCRIBE: Intel PT of no particular CPU (no errata apply),
 * the clock its TSC packets count (clock=insn: instructions), and the
 * address filter the config set, inclusive as ADDRn_A/B.
 */
static int soft_describe(struct hwt_context *ctx, char *buf, size_t len)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	int pos;
	u32 i;

	pos = scnprintf(buf, len, "kind=intel_pt\ncpu=0/0/0\n%s",
			sc->cfg.flags & PT_SOFT_INSN_CLOCK ? "clock=insn\n" :
			"");
	for (i = 0; i < sc->cfg.nranges; i++)
		pos += scnprintf(buf + pos, len - pos, "%s%llx-%llx%s",
				 i ? "," : "addr_filter=",
				 (unsigned long long)sc->cfg.ranges[i].start,
				 (unsigned long long)sc->cfg.ranges[i].end,
				 i + 1 == sc->cfg.nranges ? "\n" : "");
	return pos;
}

/* In the traced thread (task_work), process context. */
static void soft_be_thread_start(struct hwt_context *ctx,
				 struct hwt_thread *thr)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	struct soft_thread *t;

	if (hwt_thread_priv(thr))
		return;
	t = soft_thread_new(&sc->cfg, thr);
	if (!t)
		return;
	hwt_thread_set_priv(thr, t);
	soft_thread_arm(t);
}

static void soft_be_thread_stop(struct hwt_context *ctx,
				struct hwt_thread *thr)
{
	struct soft_thread *t = hwt_thread_priv(thr);

	if (!t)
		return;
	hwt_thread_set_priv(thr, NULL);
	soft_thread_stop(t);
}

/* The thread exits (atomic; its mm may be gone: use the predecode). */
static void soft_be_thread_exit(struct hwt_context *ctx,
				struct hwt_thread *thr)
{
	struct soft_thread *t = hwt_thread_priv(thr);

	if (!t)
		return;
	hwt_thread_set_priv(thr, NULL);
	soft_thread_exit(t);
}

static const struct hwt_backend_ops soft_ops = {
	.init = soft_init,
	.deinit = soft_deinit,
	.configure = soft_configure,
	.describe = soft_describe,
	.thread_start = soft_be_thread_start,
	.thread_stop = soft_be_thread_stop,
	.thread_exit = soft_be_thread_exit,
};

static struct hwt_backend soft_backend = {
	.name = HWT_SOFT_BACKEND_NAME,
	.owner = THIS_MODULE,
	.ops = &soft_ops,
	.modes = HWT_BACKEND_THREAD,
	.max_ranges = HWT_SOFT_MAX_RANGES,
};

static int __init hwt_soft_init(void)
{
	int ret;

	BUILD_BUG_ON(HWT_SOFT_MAX_RANGES != PT_SOFT_MAX_RANGES);
	/* The user's flags are the encoder's; the clock is ours to set. */
	BUILD_BUG_ON(HWT_SOFT_FLAGS_ALL !=
		     (PT_SOFT_FLAGS_ALL & ~PT_SOFT_INSN_CLOCK));

	ret = soft_step_init(&soft_step_ops);
	if (ret)
		return ret;
	ret = hwt_backend_register(&soft_backend);
	if (ret)
		soft_step_exit();
	return ret;
}

static void __exit hwt_soft_exit(void)
{
	hwt_backend_unregister(&soft_backend);
	soft_step_exit();
}

module_init(hwt_soft_init);
module_exit(hwt_soft_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt soft backend: Intel PT from single-stepped threads");
