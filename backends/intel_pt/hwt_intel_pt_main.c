// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_intel_pt: the Intel PT backend's kernel glue (skeleton).
 *
 * What it does today: reads CPUID through the backend's ops table,
 * refuses to load without usable Intel PT (-ENODEV, one dmesg line), and
 * otherwise registers the "intel_pt" backend (thread mode) whose
 * SET_CONFIG is checked against this CPU's capabilities by the pure
 * pt_config code.  START is refused (-EOPNOTSUPP) until the output, MSR
 * and PMI parts land; see docs/intel-pt.md.
 *
 * All MSR and CPUID access goes through struct pt_hw_ops, so that the
 * emulated trace unit (hwt_pt_emu) can stand in for the hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <asm/processor.h>

#include "hwt_backend.h"
#include "pt_caps.h"
#include "pt_config.h"

struct pt_hw_ops {
	void (*cpuid)(u32 leaf, u32 subleaf, u32 regs[4]);
};

static void pt_native_cpuid(u32 leaf, u32 subleaf, u32 regs[4])
{
	cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]);
}

static const struct pt_hw_ops pt_native_ops = {
	.cpuid = pt_native_cpuid,
};

static const struct pt_hw_ops *pt_hw = &pt_native_ops;
static struct pt_caps pt_caps;

/* The raw CPUID pt_caps_parse() reads (SDM Vol. 3C 33.3.1). */
static void pt_read_cpuid(struct pt_cpuid *id)
{
	u32 r[4];

	memset(id, 0, sizeof(*id));
	pt_hw->cpuid(0, 0, r);
	id->max_leaf = r[0];
	if (id->max_leaf >= 7) {
		pt_hw->cpuid(7, 0, r);
		id->leaf7_ebx = r[1];
	}
	if (id->max_leaf >= 0x14) {
		pt_hw->cpuid(0x14, 0, id->leaf14[0]);
		if (id->leaf14[0][0] >= 1)
			pt_hw->cpuid(0x14, 1, id->leaf14[1]);
	}
	if (id->max_leaf >= 0x15)
		pt_hw->cpuid(0x15, 0, id->leaf15);
	pt_hw->cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000008) {
		pt_hw->cpuid(0x80000008, 0, r);
		id->ext8_eax = r[0];
	}
}

struct pt_ctx {
	struct hwt_intel_pt_config cfg;
};

static int pt_init(struct hwt_context *ctx)
{
	struct pt_ctx *pc = kzalloc(sizeof(*pc), GFP_KERNEL);

	if (!pc)
		return -ENOMEM;
	pt_config_default(&pc->cfg);
	hwt_context_set_priv(ctx, pc);
	return 0;
}

static void pt_deinit(struct hwt_context *ctx)
{
	kfree(hwt_context_priv(ctx));
}

/* Thread mode only for now: kernel tracing is refused (EINVAL). */
static int pt_configure(struct hwt_context *ctx, u32 version,
			const void *data, u32 size)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	struct hwt_intel_pt_config cfg;
	int ret;

	ret = pt_config_parse(&pt_caps, version, data, size, PT_MODE_THREAD,
			      &cfg);
	if (ret)
		return pt_errno(ret);
	pc->cfg = cfg;
	return 0;
}

static int pt_start(struct hwt_context *ctx)
{
	pr_notice_once("tracing is not implemented yet (docs/intel-pt.md)\n");
	return -EOPNOTSUPP;
}

static const struct hwt_backend_ops pt_ops = {
	.init = pt_init,
	.deinit = pt_deinit,
	.configure = pt_configure,
	.start = pt_start,
};

static struct hwt_backend pt_backend = {
	.name = HWT_INTEL_PT_BACKEND_NAME,
	.owner = THIS_MODULE,
	.ops = &pt_ops,
	.modes = HWT_BACKEND_THREAD,
};

static int __init hwt_intel_pt_init(void)
{
	struct pt_cpuid id;
	int ret;

	pt_read_cpuid(&id);
	ret = pt_caps_parse(&id, &pt_caps);
	if (ret) {
		pr_info("no usable Intel PT on this CPU (CPUID.(EAX=7,ECX=0):EBX[25]=%u, CPUID.(EAX=14H,ECX=0):ECX=%#x): not loading\n",
			!!(id.leaf7_ebx & PT_CPUID7_EBX_PT),
			id.max_leaf >= 0x14 ? id.leaf14[0][2] : 0);
		return pt_errno(ret);
	}
	pt_backend.max_ranges = pt_caps.max_ranges;
	return hwt_backend_register(&pt_backend);
}

static void __exit hwt_intel_pt_exit(void)
{
	hwt_backend_unregister(&pt_backend);
}

module_init(hwt_intel_pt_init);
module_exit(hwt_intel_pt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt Intel PT backend (skeleton: capabilities and config)");
