// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_soft, arm64 half: the backend over the arm64 stepper
 * (soft_step_a64.c), which single-steps each traced thread in user mode
 * (AArch64) and writes an ETE instruction trace stream (ete_enc.c) into
 * the thread's buffer, which OpenCSD decodes like hardware trace.  This
 * file is config, describe, and the framework's thread_start/stop/exit
 * mapped onto the stepper.  See docs/soft-backend.md, "arm64 half".
 */

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <hwt/hwt_soft.h>
#include "hwt_backend.h"
#include "ete_enc.h"
#include "soft_life.h"
#include "soft_step_a64.h"

/* TRCTRACEIDR of the emulated unit (any of 1 .. 0x6f). */
#define SOFT_TRACE_ID		0x10

struct soft_ctx {
	struct ete_soft_config cfg;
};

static struct hwt_backend soft_backend;

/* The record of current if this backend traces it.  Caller: RCU. */
static struct soft_thread *soft_backend_current(void)
{
	struct hwt_thread *thr = hwt_thread_current(NULL);

	if (!thr || hwt_thread_backend(thr) != &soft_backend)
		return NULL;
	return hwt_thread_priv(thr);
}

/* Returns false if the buffer had no room (counted by the framework). */
static bool soft_backend_write(struct soft_thread *t, const u8 *buf,
			       size_t len)
{
	struct hwt_buffer *hb = hwt_thread_buffer(soft_thread_owner(t));

	return !hb || hwt_buffer_write(hb, buf, len) >= 0;
}

static size_t soft_backend_space(struct soft_thread *t)
{
	struct hwt_buffer *hb = hwt_thread_buffer(soft_thread_owner(t));

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
	sc->cfg.trace_id = SOFT_TRACE_ID;
	hwt_context_set_priv(ctx, sc);
	return 0;
}

static void soft_deinit(struct hwt_context *ctx)
{
	kfree(hwt_context_priv(ctx));
}

/*
 * The x86 half's struct hwt_soft_config, validated the same way.
 * HWT_SOFT_TSC asks for timestamps (an instruction-count clock), the
 * PSB period is the sync period; RET_COMPRESSION and LONG_TNT are
 * Intel PT encodings with no ETE meaning and change nothing.  Address
 * ranges (inclusive, as on x86) become ViewInst include ranges, one
 * address range comparator pair each (ete_enc.h).
 * Returns 0 if the config was taken; -EINVAL if the version, size,
 * flags, reserved field, a range or the PSB period is wrong; -E2BIG if
 * more than HWT_SOFT_MAX_RANGES ranges.
 */
static int soft_configure(struct hwt_context *ctx, u32 version,
			  const void *data, u32 size)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	const struct hwt_soft_config *uc = data;
	struct ete_soft_config cfg = { .trace_id = SOFT_TRACE_ID };
	int ret = soft_config_check(version, data, size);
	u32 i;

	if (ret)
		return ret;
	if (uc->flags & HWT_SOFT_TSC)
		cfg.flags |= ETE_SOFT_TS;
	cfg.sync_period = uc->psb_period;
	cfg.nranges = uc->nranges;
	for (i = 0; i < uc->nranges; i++) {
		cfg.ranges[i].start = uc->ranges[i].start;
		cfg.ranges[i].end = uc->ranges[i].end;
	}
	if (ete_soft_config_check(&cfg))
		return -EINVAL;
	sc->cfg = cfg;
	return 0;
}

/*
 * HWT_IOC_DESCRIBE: the stream is raw ETE (or ETMv4) from one source,
 * decoded with the register set the emulated unit would show
 * (ete_soft_regs()), named as lowercase stream parameters; clock=insn
 * when its timestamps count instructions.
 */
static int soft_describe(struct hwt_context *ctx, char *buf, size_t len)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	int i, j, n, pos;

	n = ete_soft_regs(&sc->cfg, regs);
	pos = scnprintf(buf, len, "kind=%s\n%s",
			sc->cfg.flags & ETE_SOFT_ETMV4 ? "etm4" : "ete",
			sc->cfg.flags & ETE_SOFT_TS ? "clock=insn\n" : "");
	for (i = 0; i < n; i++) {
		for (j = 0; regs[i].name[j] && (size_t)pos + 1 < len; j++)
			buf[pos++] = tolower(regs[i].name[j]);
		pos += scnprintf(buf + pos, len - pos, "=0x%llx\n",
				 (unsigned long long)regs[i].value);
	}
	return pos;
}

/* In the traced thread (task_work), process context. */
static void soft_thread_start(struct hwt_context *ctx, struct hwt_thread *thr)
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

static void soft_backend_stop(struct hwt_context *ctx,
			      struct hwt_thread *thr)
{
	struct soft_thread *t = hwt_thread_priv(thr);

	if (!t)
		return;
	hwt_thread_set_priv(thr, NULL);
	soft_thread_stop(t);
}

/* The thread exits (atomic). */
static void soft_backend_exit(struct hwt_context *ctx,
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
	.thread_start = soft_thread_start,
	.thread_stop = soft_backend_stop,
	.thread_exit = soft_backend_exit,
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

	/* The emulated unit's TRCIDR4.NUMACPAIRS is what we offer. */
	BUILD_BUG_ON(HWT_SOFT_MAX_RANGES != ETE_SOFT_MAX_RANGES);
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
MODULE_DESCRIPTION("hwt soft backend: ETE from single-stepped threads");
