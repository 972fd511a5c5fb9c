// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_coresight: the CoreSight backend's kernel glue, ETE + TRBE, thread
 * mode (docs/coresight-backend.md).
 *
 * Every register access goes through one table of operations (struct
 * cs_hw_ops, hwt_cs_hw.h): the ETE and TRBE system registers on
 * hardware, or the emulated unit hwt_cs_emu when it is loaded first.
 *
 * At load (on the CPU it runs on; the other CPUs are assumed alike):
 * ID_AA64DFR0_EL1.TraceVer (7:4) and TraceBuffer (47:44) first (Arm ARM
 * D19): without both, the trace and TRBE registers are UNDEFINED and
 * the module refuses to load (-ENODEV, one line).  Then TRBIDR_EL1
 * (P: owned by a higher EL), TRCIDR0-13 and TRCDEVARCH into cs_caps.
 *
 * Thread mode, per thread:
 *  - thread_start (in the thread): the hwt buffer's pages mapped
 *    contiguous (vmap: the TRBE writes through a virtual address,
 *    TRBLIMITR.nVM = 0, Arm ARM D10.2), cs_config's register values;
 *  - switch_in: cs_seq_start (claim, OS Lock, TRCPRGCTLR = 0, wait IDLE,
 *    program, TRBE base/pointer/limit with E, TRCPRGCTLR = 1, wait
 *    !IDLE) with the TRBE pointer at the thread's byte offset;
 *  - switch_out: cs_seq_stop (disable, wait IDLE, TSB CSYNC, DSB, TRBE
 *    off, TRBPTR and TRBSR read back, TRBSR cleared, claim released); the
 *    pointer becomes the framework's head (cs_trbe_offset), kept with the
 *    thread for the next switch_in on whichever CPU;
 *  - streaming: Fill mode over the whole buffer (D10.3): at its end the
 *    TRBE stops (TRBSR.S, BSC FULL) and what the unit traces until it is
 *    restarted at the base is lost: a gap record, never silent.  Ring
 *    mode (flight recorder): the pointer wraps; Wrap mode (an interrupt
 *    at each wrap, each lap counted) with the TRBE interrupt, Circular
 *    Buffer mode without.
 *  - the TRBE interrupt (D10.3, TRBSR.IRQ), a per-CPU interrupt from the
 *    ops table (the emulated unit's), the device tree
 *    (arm,trace-buffer-extension) or ACPI's MADT (the GICC TRBE
 *    Interrupt, hwt_cs_acpi), requested with request_percpu_irq and
 *    enabled on every
 *    CPU: its handler decodes TRBSR (cs_trbe_irq_action), drains and
 *    publishes as a switch_out does, and restarts a full (Fill) or
 *    wrapped (Wrap) TRBE; any other event is a counted error and the
 *    output's trace stays off.  Without one (QEMU virt's tables have
 *    none) a per-CPU hrtimer (poll_ms) restarts a stopped TRBE; with
 *    one, it only publishes the pointer.  The load line says which.
 *    Every switch_out drains either way.
 * CPU mode, ETE + TRBE (a buffer per traced CPU; docs/coresight-backend.md):
 *  - START: the claim check on every CPU, then an output over each traced
 *    CPU's buffer and, by IPI on that CPU, the same start sequence as a
 *    thread's switch_in (claim, OS Lock, program, TRBE with E, then
 *    TRCPRGCTLR.EN); the unit stays on across context switches, its
 *    exception-level filter (TRCVICTLR.EXLEVEL_NS) deciding what is
 *    traced, the context ID (TRCCONFIGR.CID) naming the thread;
 *  - cpu_switch: the stop sequence (TRCPRGCTLR = 0, wait IDLE, TSB CSYNC,
 *    DSB, TRBE off, TRBPTR_EL1 read back: Arm ARM D10.8) publishes the
 *    head between the framework's SWITCH_OUT and SWITCH_IN records, so
 *    SWITCH_IN's buf_head is the exact byte where the next task's part
 *    of the stream begins; then the start sequence again, whose enable
 *    makes the unit emit a trace synchronization (A-sync, Trace Info)
 *    before anything of the next task: each run decodes on its own;
 *  - STOP: by IPI, the stop sequence and the last head published.
 * CPU mode, ETMv4 + TMC: the same, each CPU's own TMC (as on SoCs with
 * a per-core ETR or ETF) over that CPU's buffer: an ETR's
 * scatter-gather table built at START.  cpu_switch disables the ETMv4
 * (TRCPRGCTLR = 0, wait TRCSTATR.IDLE, ETMv4 3.4.3 / 7.3.66), flushes
 * and stops the TMC (FFCR.StopOnFl + FlushMan, wait FlushMan clear and
 * STS.TMCReady, TMC 3.3.20) and reads RWP back: every frame is 16
 * bytes and the flush completes the one in progress, so SWITCH_IN's
 * buf_head is the frame boundary where the next task's frames begin;
 * the TMC is then started at that offset and the ETMv4 enabled, which
 * emits A-sync + Trace Info first (ETMv4 "trace unit enabling").  The
 * flush and stop take the TMC's formatter to a frame boundary (it is
 * always on: cs_tmc_program sets FFCR.EnFt).
 *
 * CPU mode, one ETR shared behind funnels by every CPU (the Juno shape,
 * from the topology the ops table brings: cs_topo_load): one buffer for
 * all CPUs (HWT_BACKEND_CPU_SHARED), CPU c's ETMv4 with trace ID
 * CS_TRACE_ID + c; the ETR started by the first CPU, each CPU's path
 * through the funnels opened before its unit (cs_link_hop: SoC-400
 * Funnel Control EnS<port>, claimed by the first user), closed at STOP,
 * the ETR stopped by the last.  cpu_switch disables the ETMv4 and makes
 * a manual flush that leaves capture running for the other CPUs
 * (FFCR.FlushMan without StopOnFl, TMC 3.3.20): RWP is then a frame
 * boundary after every byte this CPU's unit sent, published as the
 * head of SWITCH_IN.
 * Thread mode there (perf's semantics: the ETR writes one buffer): a
 * thread switching in takes the sink if it is free, the ETR started
 * over that thread's buffer at its offset, the CPU's funnel path
 * opened, the ETMv4 enabled with trace ID CS_TRACE_ID + CPU; at
 * switch_out the ETMv4 disabled, the TMC flushed and stopped, the head
 * published, the path closed, the sink released.  A thread that
 * switches in while the sink is held runs untraced: a gap record at its
 * head, counted (sink_busy).
 *
 * A unit another agent has claimed (TRCCLAIMCLR not 0: Linux's
 * coresight-etm4x or an external debugger, CoreSight B2.4) refuses START
 * with -EBUSY, nothing written; a switch_in that finds it claimed
 * leaves it alone (counted).
 *
 * ETMv4 + TMC (no ETE: ID_AA64DFR0_EL1.TraceVer 0, when the ops table
 * offers a memory-mapped ETMv4 and a TMC, tmc_probe): the same thread
 * mode with the TMC as the sink, started before the unit and flushed and
 * stopped after it (cs_seq_tmc_start/stop), writing TMC frames (trace ID
 * CS_TRACE_ID) into the hwt buffer: an ETR through a scatter-gather
 * table over the buffer's pages, or directly into a physically
 * contiguous buffer when it has no scatter-gather (DEVID.NOSCAT); an ETF
 * into its RAM, drained through RRD at every stop.  The TMC runs in
 * Circular Buffer mode: STS.Full (the pointer crossed the top) is a gap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/barrier.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>

#include <hwt/hwt_coresight.h>
#include "hwt_backend.h"
#include "hwt_cs_hw.h"
#include "cs_caps.h"
#include "cs_config.h"
#include "cs_link.h"
#include "cs_seq.h"
#include "cs_tmc.h"
#include "cs_trbe.h"
#include "hwt_cs_acpi.h"
#include "hwt_cs_mmio.h"
#include "hwt_cs_of.h"

/*
 * ATB trace ID of the unit (1 .. 0x6f): one source per TRBE stream or
 * per-CPU TMC; CS_TRACE_ID + CPU where the CPUs share a TMC.
 */
#define CS_TRACE_ID	0x10

/*
 * The system register of an ETE trace register by its ETMv4 offset
 * (ETE: op0 2, op1 1, CRn = n[9:7], CRm = n[3:0], op2 = n[6:4], n the
 * offset / 4; as Linux's coresight-etm4x.h ETM4x_REG_NUM_TO_SYSREG).
 */
#define CS_SYS(off)	sys_reg(2, 1, (((off) >> 2) >> 7) & 7, \
				((off) >> 2) & 0xf, (((off) >> 2) >> 4) & 7)

/*
 * An accessor pair per register: MRS/MSR take the encoding as an
 * immediate.  Read-only registers get no writer.
 */
#define CS_RO(name, off)						\
static u64 cs_rd_##name(void)						\
{									\
	return read_sysreg_s(CS_SYS(off));				\
}

#define CS_RW(name, off)						\
CS_RO(name, off)							\
static void cs_wr_##name(u64 val)					\
{									\
	write_sysreg_s(val, CS_SYS(off));				\
}

CS_RO(statr, TRCSTATR)
CS_RO(oslsr, TRCOSLSR)
CS_RO(devarch, TRCDEVARCH)
CS_RO(idr0, 0x1e0)
CS_RO(idr1, 0x1e4)
CS_RO(idr2, 0x1e8)
CS_RO(idr3, 0x1ec)
CS_RO(idr4, 0x1f0)
CS_RO(idr5, 0x1f4)
CS_RO(idr8, 0x180)
CS_RO(idr9, 0x184)
CS_RO(idr10, 0x188)
CS_RO(idr11, 0x18c)
CS_RO(idr12, 0x190)
CS_RO(idr13, 0x194)
CS_RW(prgctlr, TRCPRGCTLR)
CS_RW(configr, TRCCONFIGR)
CS_RW(eventctl0r, TRCEVENTCTL0R)
CS_RW(eventctl1r, TRCEVENTCTL1R)
CS_RW(stallctlr, TRCSTALLCTLR)
CS_RW(tsctlr, TRCTSCTLR)
CS_RW(syncpr, TRCSYNCPR)
CS_RW(ccctlr, TRCCCCTLR)
CS_RW(bbctlr, TRCBBCTLR)
CS_RW(traceidr, TRCTRACEIDR)
CS_RW(victlr, TRCVICTLR)
CS_RW(viiectlr, TRCVIIECTLR)
CS_RW(vissctlr, TRCVISSCTLR)
CS_RW(claimset, TRCCLAIMSET)
CS_RW(claimclr, TRCCLAIMCLR)
CS_RW(acvr0, TRCACVR(0))
CS_RW(acatr0, TRCACATR(0))
CS_RW(acvr1, TRCACVR(1))
CS_RW(acatr1, TRCACATR(1))
CS_RW(acvr2, TRCACVR(2))
CS_RW(acatr2, TRCACATR(2))
CS_RW(acvr3, TRCACVR(3))
CS_RW(acatr3, TRCACATR(3))
CS_RW(acvr4, TRCACVR(4))
CS_RW(acatr4, TRCACATR(4))
CS_RW(acvr5, TRCACVR(5))
CS_RW(acatr5, TRCACATR(5))
CS_RW(acvr6, TRCACVR(6))
CS_RW(acatr6, TRCACATR(6))
CS_RW(acvr7, TRCACVR(7))
CS_RW(acatr7, TRCACATR(7))
CS_RW(acvr8, TRCACVR(8))
CS_RW(acatr8, TRCACATR(8))
CS_RW(acvr9, TRCACVR(9))
CS_RW(acatr9, TRCACATR(9))
CS_RW(acvr10, TRCACVR(10))
CS_RW(acatr10, TRCACATR(10))
CS_RW(acvr11, TRCACVR(11))
CS_RW(acatr11, TRCACATR(11))
CS_RW(acvr12, TRCACVR(12))
CS_RW(acatr12, TRCACATR(12))
CS_RW(acvr13, TRCACVR(13))
CS_RW(acatr13, TRCACATR(13))
CS_RW(acvr14, TRCACVR(14))
CS_RW(acatr14, TRCACATR(14))
CS_RW(acvr15, TRCACVR(15))
CS_RW(acatr15, TRCACATR(15))

struct cs_sysreg {
	u32 off;
	u64 (*rd)(void);
	void (*wr)(u64 val);
};

#define CS_ENT_RO(name, off)	{ (off), cs_rd_##name, NULL }
#define CS_ENT_RW(name, off)	{ (off), cs_rd_##name, cs_wr_##name }

/* TRCIDR0-5 at 0x1e0, TRCIDR8-13 at 0x180 (ETMv4 7.3.17-7.3.30). */
static const struct cs_sysreg cs_sysregs[] = {
	CS_ENT_RO(statr, TRCSTATR),
	CS_ENT_RO(oslsr, TRCOSLSR),
	CS_ENT_RO(devarch, TRCDEVARCH),
	CS_ENT_RO(idr0, 0x1e0),
	CS_ENT_RO(idr1, 0x1e4),
	CS_ENT_RO(idr2, 0x1e8),
	CS_ENT_RO(idr3, 0x1ec),
	CS_ENT_RO(idr4, 0x1f0),
	CS_ENT_RO(idr5, 0x1f4),
	CS_ENT_RO(idr8, 0x180),
	CS_ENT_RO(idr9, 0x184),
	CS_ENT_RO(idr10, 0x188),
	CS_ENT_RO(idr11, 0x18c),
	CS_ENT_RO(idr12, 0x190),
	CS_ENT_RO(idr13, 0x194),
	CS_ENT_RW(prgctlr, TRCPRGCTLR),
	CS_ENT_RW(configr, TRCCONFIGR),
	CS_ENT_RW(eventctl0r, TRCEVENTCTL0R),
	CS_ENT_RW(eventctl1r, TRCEVENTCTL1R),
	CS_ENT_RW(stallctlr, TRCSTALLCTLR),
	CS_ENT_RW(tsctlr, TRCTSCTLR),
	CS_ENT_RW(syncpr, TRCSYNCPR),
	CS_ENT_RW(ccctlr, TRCCCCTLR),
	CS_ENT_RW(bbctlr, TRCBBCTLR),
	CS_ENT_RW(traceidr, TRCTRACEIDR),
	CS_ENT_RW(victlr, TRCVICTLR),
	CS_ENT_RW(viiectlr, TRCVIIECTLR),
	CS_ENT_RW(vissctlr, TRCVISSCTLR),
	CS_ENT_RW(claimset, TRCCLAIMSET),
	CS_ENT_RW(claimclr, TRCCLAIMCLR),
	CS_ENT_RW(acvr0, TRCACVR(0)),
	CS_ENT_RW(acatr0, TRCACATR(0)),
	CS_ENT_RW(acvr1, TRCACVR(1)),
	CS_ENT_RW(acatr1, TRCACATR(1)),
	CS_ENT_RW(acvr2, TRCACVR(2)),
	CS_ENT_RW(acatr2, TRCACATR(2)),
	CS_ENT_RW(acvr3, TRCACVR(3)),
	CS_ENT_RW(acatr3, TRCACATR(3)),
	CS_ENT_RW(acvr4, TRCACVR(4)),
	CS_ENT_RW(acatr4, TRCACATR(4)),
	CS_ENT_RW(acvr5, TRCACVR(5)),
	CS_ENT_RW(acatr5, TRCACATR(5)),
	CS_ENT_RW(acvr6, TRCACVR(6)),
	CS_ENT_RW(acatr6, TRCACATR(6)),
	CS_ENT_RW(acvr7, TRCACVR(7)),
	CS_ENT_RW(acatr7, TRCACATR(7)),
	CS_ENT_RW(acvr8, TRCACVR(8)),
	CS_ENT_RW(acatr8, TRCACATR(8)),
	CS_ENT_RW(acvr9, TRCACVR(9)),
	CS_ENT_RW(acatr9, TRCACATR(9)),
	CS_ENT_RW(acvr10, TRCACVR(10)),
	CS_ENT_RW(acatr10, TRCACATR(10)),
	CS_ENT_RW(acvr11, TRCACVR(11)),
	CS_ENT_RW(acatr11, TRCACATR(11)),
	CS_ENT_RW(acvr12, TRCACVR(12)),
	CS_ENT_RW(acatr12, TRCACATR(12)),
	CS_ENT_RW(acvr13, TRCACVR(13)),
	CS_ENT_RW(acatr13, TRCACATR(13)),
	CS_ENT_RW(acvr14, TRCACVR(14)),
	CS_ENT_RW(acatr14, TRCACATR(14)),
	CS_ENT_RW(acvr15, TRCACVR(15)),
	CS_ENT_RW(acatr15, TRCACATR(15)),
};

static const struct cs_sysreg *cs_sysreg_of(u32 reg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cs_sysregs); i++)
		if (cs_sysregs[i].off == reg)
			return &cs_sysregs[i];
	return NULL;
}

static u64 cs_native_dfr0(void)
{
	return read_sysreg_s(SYS_ID_AA64DFR0_EL1);
}

/* Returns 0, or -EIO if reg is none the backend reads. */
static int cs_native_read(u32 reg, u64 *val)
{
	const struct cs_sysreg *r = cs_sysreg_of(reg);

	if (r) {
		*val = r->rd();
		return 0;
	}
	switch (reg) {
	case CS_TRBLIMITR:
		*val = read_sysreg_s(SYS_TRBLIMITR_EL1);
		break;
	case CS_TRBPTR:
		*val = read_sysreg_s(SYS_TRBPTR_EL1);
		break;
	case CS_TRBBASER:
		*val = read_sysreg_s(SYS_TRBBASER_EL1);
		break;
	case CS_TRBSR:
		*val = read_sysreg_s(SYS_TRBSR_EL1);
		break;
	case CS_TRBIDR:
		*val = read_sysreg_s(SYS_TRBIDR_EL1);
		break;
	default:
		return -EIO;
	}
	return 0;
}

/* Returns 0, or -EIO if reg is none the backend writes. */
static int cs_native_write(u32 reg, u64 val)
{
	const struct cs_sysreg *r = cs_sysreg_of(reg);

	if (r && r->wr) {
		r->wr(val);
		return 0;
	}
	switch (reg) {
	case TRCOSLAR:
		/*
		 * ETE has no trace OS Lock: TRCOSLSR.OSLM = 0b100, the unit
		 * follows the PE's OS Lock, OSLAR_EL1 (ETE "OS Lock"; as
		 * Linux's etm_write_os_lock() for ETM_OSLOCK_PE).
		 */
		write_sysreg_s(val, SYS_OSLAR_EL1);
		break;
	case CS_TRBLIMITR:
		write_sysreg_s(val, SYS_TRBLIMITR_EL1);
		break;
	case CS_TRBPTR:
		write_sysreg_s(val, SYS_TRBPTR_EL1);
		break;
	case CS_TRBBASER:
		write_sysreg_s(val, SYS_TRBBASER_EL1);
		break;
	case CS_TRBSR:
		write_sysreg_s(val, SYS_TRBSR_EL1);
		break;
	default:
		return -EIO;
	}
	return 0;
}

static void cs_native_order(enum cs_op_kind kind)
{
	switch (kind) {
	case CS_OP_ISB:
		isb();
		break;
	case CS_OP_DSB:
		dsb(nsh);
		break;
	case CS_OP_TSB:
		tsb_csync();
		break;
	default:
		break;
	}
}

static const struct cs_hw_ops cs_native_ops = {
	.name = "hardware",
	.dfr0 = cs_native_dfr0,
	.read = cs_native_read,
	.write = cs_native_write,
	.order = cs_native_order,
};

static const struct cs_hw_ops *cs_hw = &cs_native_ops;
static bool cs_hw_emulated;
static struct cs_idregs cs_id;
static struct cs_caps cs_caps;
/* ETMv4 + TMC (memory-mapped) instead of ETE + TRBE. */
static bool cs_etm4;
static struct cs_tmc_caps cs_tmc;
/*
 * ETMv4 + TMC: the topology (cs_topo_load), when the ops table brings
 * one whose CPUs' ETMs all reach one TMC through funnels (and
 * replicators): each online CPU's path at load (nhop 0: none), and who
 * uses each link (cs_link_hop), under cs_sink_lock with the TMC itself.
 */
static bool cs_shared;
static struct cs_topo *cs_topo;
static struct cs_path *cs_cpu_path;
static struct cs_link_use *cs_use;
static DEFINE_RAW_SPINLOCK(cs_sink_lock);
static unsigned int cs_sink_users;
static struct cs_thr *cs_sink_owner;	/* the output it writes into */

static int cs_io_read(void *ctx, uint32_t reg, uint64_t *val)
{
	return cs_hw->read(reg, val) ? -1 : 0;
}

static int cs_io_write(void *ctx, uint32_t reg, uint64_t val)
{
	return cs_hw->write(reg, val) ? -1 : 0;
}

static void cs_io_order(void *ctx, enum cs_op_kind kind)
{
	cs_hw->order(kind);
}

static const struct cs_io cs_io = {
	.read = cs_io_read,
	.write = cs_io_write,
	.order = cs_io_order,
};

static int cs_tmc_io_read(void *ctx, uint32_t reg, uint64_t *val)
{
	return cs_hw->tmc_read(reg, val) ? -1 : 0;
}

static int cs_tmc_io_write(void *ctx, uint32_t reg, uint64_t val)
{
	return cs_hw->tmc_write(reg, val) ? -1 : 0;
}

/* Memory-mapped: device accesses are ordered (no barrier ops). */
static void cs_tmc_io_order(void *ctx, enum cs_op_kind kind)
{
}

static const struct cs_io cs_tmc_io = {
	.read = cs_tmc_io_read,
	.write = cs_tmc_io_write,
	.order = cs_tmc_io_order,
};

/* TRCIDRn's offset (ETMv4 7.3.17-7.3.30): 0-7 at 0x1e0, 8-13 at 0x180. */
static u32 cs_idr_off(int n)
{
	return n < 8 ? 0x1e0 + 4 * n : 0x180 + 4 * (n - 8);
}

/*
 * The ID registers of this CPU's unit.  Only where DFR0 says the
 * registers exist (else MRS of them is UNDEFINED).
 * Returns 0, or -ENODEV after one line saying what is missing.
 */
static int cs_read_id(struct cs_idregs *id)
{
	u32 devid = 0, rsz = 0;
	u64 v;
	int n;

	memset(id, 0, sizeof(*id));
	id->dfr0 = cs_hw->dfr0();
	if (!((id->dfr0 >> 4) & 0xf) || !((id->dfr0 >> 44) & 0xf)) {
		/* A memory-mapped ETMv4 with a TMC, if one was found. */
		if (!cs_hw->tmc_probe || cs_hw->tmc_probe(&devid, &rsz)) {
			char dt[160];

			hwt_cs_of_describe(dt, sizeof(dt));
			pr_info("no ETE with a TRBE on this CPU (ID_AA64DFR0_EL1 %#llx: TraceVer %llu, TraceBuffer %llu), and no memory-mapped ETMv4 + TMC offered (%s): not loading\n",
				id->dfr0, (id->dfr0 >> 4) & 0xf,
				(id->dfr0 >> 44) & 0xf, dt);
			return -ENODEV;
		}
		if (cs_tmc_parse(devid, rsz, &cs_tmc)) {
			pr_info("the TMC (DEVID %#x, RSZ %#x) is no ETR or ETF this backend drives: not loading\n",
				devid, rsz);
			return -ENODEV;
		}
		cs_etm4 = true;
		id->sinks = 1u << (cs_tmc.kind == CS_TMC_ETR ?
				   HWT_CORESIGHT_SINK_ETR :
				   HWT_CORESIGHT_SINK_ETF);
	} else {
		if (cs_hw->read(CS_TRBIDR, &v))
			goto unreadable;
		id->trbidr = v;
	}
	for (n = 0; n < 14; n++) {
		if (n == 6 || n == 7)
			continue;
		if (cs_hw->read(cs_idr_off(n), &v))
			goto unreadable;
		id->trcidr[n] = v;
	}
	if (cs_hw->read(TRCDEVARCH, &v))
		goto unreadable;
	id->trcdevarch = v;
	return 0;
unreadable:
	pr_info("the trace unit's ID registers cannot be read: not loading\n");
	return -ENODEV;
}

/*
 * One traced thread or CPU: its buffer, mapped for the TRBE, and its
 * position.
 */
struct cs_thr;

struct cs_ctx {
	struct hwt_coresight_config cfg;
	/* CPU mode, from START: each traced CPU's output, else NULL. */
	struct cs_thr **cpu;
	/* CPU mode through a shared TMC: the output over the one buffer. */
	struct cs_thr *sink;
};

struct cs_thr {
	struct llist_node free_link;
	struct hwt_thread *thr;		/* NULL: a CPU's (CPU mode) */
	struct hwt_context *ctx;
	struct hwt_buffer *buf;
	struct cs_regs regs;
	struct page **pages;
	void *vaddr;			/* the buffer, contiguous (vmap) */
	u64 size;
	u64 off;			/* byte offset the unit writes next */
	u64 pos;			/* absolute position (framework head) */
	unsigned int fill;		/* TRB_FM_FILL or TRB_FM_CIRCULAR */
	int cpu;			/* enabled by us there, or -1 */
	bool on;			/* between thread_start and stop/exit */
	bool started;			/* CPU mode: START's IPI enabled it */
	bool gap;			/* the TRBE stopped: record pending */
	bool faulted;			/* a fatal TRBE interrupt: untraced */
	/* ETMv4 + TMC */
	u64 *pa;			/* bus address of each page */
	struct page **tpages;		/* ETR scatter-gather table */
	u32 ntab;
	u64 dba;			/* ETR: table or buffer address */
	struct cs_tmc_regs tregs;	/* as the TMC was started */
	/* A TMC shared behind funnels (CPU mode, cs_shared) */
	struct cs_thr *sink;		/* a CPU's: the shared output */
	int home;			/* a CPU's: that CPU */
	bool linked;			/* a CPU's: its path's links on */
	bool full_seen;			/* the sink's: STS.Full once seen */
	u32 busy;			/* switch-ins that found it claimed */
	u32 sink_busy;			/* switch-ins: shared sink held */
	bool untraced;			/* a load failed: gap recorded */
	u32 errors;			/* refused accesses, bad status */
	u32 stops;			/* sink stops: TRBE full, TMC wrap */
	u32 timeouts;			/* a start sequence's poll gave up */
};

static void cs_thr_free(struct cs_thr *ct)
{
	u32 i;

	if (ct->vaddr)
		vunmap(ct->vaddr);
	for (i = 0; ct->tpages && i < ct->ntab; i++)
		if (ct->tpages[i])
			__free_page(ct->tpages[i]);
	kvfree(ct->tpages);
	kvfree(ct->pa);
	kvfree(ct->pages);
	kfree(ct);
}

/* thread_exit is atomic: vunmap() may sleep, so free from a work item. */
static LLIST_HEAD(cs_free_list);

static void cs_free_fn(struct work_struct *w)
{
	struct llist_node *n = llist_del_all(&cs_free_list);
	struct cs_thr *ct, *tmp;

	llist_for_each_entry_safe(ct, tmp, n, free_link)
		cs_thr_free(ct);
}

static DECLARE_WORK(cs_free_work, cs_free_fn);

static unsigned int poll_ms = 10;
module_param(poll_ms, uint, 0644);
MODULE_PARM_DESC(poll_ms, "Poll of a tracing CPU's TRBE, ms (0: off)");

/*
 * The thread we enabled the unit for on this CPU: the poll's and the
 * TRBE interrupt's.
 */
static DEFINE_PER_CPU(struct cs_thr *, cs_cur);
static DEFINE_PER_CPU(struct hrtimer, cs_poll_timer);
static atomic64_t cs_poll_count, cs_busy_count, cs_stop_count;
static atomic64_t cs_sink_busy_count;
/*
 * ETE + TRBE: the TRBE's maintenance interrupt, when the unit or the
 * device tree gives one (cs_trbe_irq_setup), else 0: the poll then
 * restarts a stopped TRBE.  cs_irq_cookie: request_percpu_irq's per-CPU
 * dev_id (unused: the handler reads cs_cur).
 */
static int cs_trbe_irq;
static int __percpu *cs_irq_cookie;
static DEFINE_PER_CPU(bool, cs_irq_here);	/* enabled on this CPU */
static atomic64_t cs_irq_count, cs_irq_none_count, cs_irq_fatal_count;

/*
 * The TRBE's fill mode for a context (Arm ARM D10.3): streaming, Fill
 * mode (it stops at the end: a gap until it is restarted).  Ring mode
 * (flight recorder): with the interrupt, Wrap mode, which raises it at
 * every wrap and goes on, so the handler counts each lap; without,
 * Circular Buffer mode, which wraps silently (the poll counts a lap
 * while it is the only one).
 */
static unsigned int cs_fill_mode(struct hwt_context *ctx)
{
	if (!hwt_context_ring_mode(ctx))
		return TRB_FM_FILL;
	return cs_trbe_irq ? TRB_FM_WRAP : TRB_FM_CIRCULAR;
}

/*
 * Move the thread's position by what the TRBE wrote since its last
 * drain, from the pointer and status read back (cs_trbe_advance(): D10.3;
 * a Fill-mode stop, an abort or EA is a gap).  Returns 0, or -EINVAL if
 * the pointer or status is no state the TRBE can be in.
 */
static int cs_advance(struct cs_thr *ct, u64 ptr, u64 trbsr)
{
	struct cs_trbe_regs tr = {
		.baser = (uintptr_t)ct->vaddr,
		.limitr = (uintptr_t)ct->vaddr + ct->size,
	};
	struct cs_trbe_adv adv;

	if (cs_trbe_advance(&tr, ct->off, ct->fill, ptr, trbsr, &adv))
		return -EINVAL;
	ct->pos += adv.bytes;
	ct->off = adv.off;
	if (adv.gap) {
		ct->gap = true;
		ct->stops++;
	}
	if (adv.error)
		ct->errors++;
	return 0;
}

/* ETE's Ignore packet header: a byte the decoder skips (ETE, ETMv4 6.4). */
#define CS_IGNORE_BYTE	0x70

/*
 * TRBPTR_EL1 must be aligned to 2^TRBIDR_EL1.Align (Arm ARM D19
 * "TRBPTR_EL1"); a drain leaves the thread's offset anywhere.  Pad up to
 * the next aligned offset with Ignore packets, as Linux's coresight-trbe
 * does, and count them as output.
 */
static void cs_align(struct cs_thr *ct)
{
	u64 pad = cs_trbe_pad(&cs_caps, ct->off);

	if (!pad)
		return;
	memset(ct->vaddr + ct->off, CS_IGNORE_BYTE, pad);
	ct->off += pad;
	ct->pos += pad;
	if (ct->off == ct->size)
		ct->off = 0;
}

/*
 * A start sequence's answer, counted.
 * Returns 0 if ret is 0.
 * Returns -1 if another agent claimed the unit (ret -CS_EBUSY) or an
 * access was refused.
 */
static int cs_started(struct cs_thr *ct, int ret)
{
	if (ret == -CS_EBUSY) {
		ct->busy++;
		atomic64_inc(&cs_busy_count);
		return -1;
	}
	if (ret) {
		ct->errors++;
		pr_warn_ratelimited("cpu %d: the start sequence was refused\n",
				    smp_processor_id());
		return -1;
	}
	return 0;
}

/*
 * ETE + TRBE: cs_seq_start with the TRBE pointer at the thread's offset.
 * Returns 0 if the unit traces, -1 if not (counted).
 */
static int cs_start_trbe(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_trbe_regs trbe;
	int n;

	cs_align(ct);
	if (cs_trbe_program(&cs_caps, (uintptr_t)ct->vaddr, ct->size,
			    ct->fill, TRB_TM_IGNORE, ct->off, &trbe)) {
		ct->errors++;
		return -1;
	}
	n = cs_seq_start(&cs_caps, &ct->regs, &trbe, ops);
	if (n < 0) {
		ct->errors++;
		return -1;
	}
	return cs_started(ct, cs_seq_run(ops, n, &cs_io, NULL, 0));
}

/*
 * Flush and stop the TMC; res: RWP, RWPHI (ETF: RSZ), STS.
 * Returns 0, or -1 if the sequence was refused.
 */
static int cs_tmc_stop(struct cs_thr *ct, u64 *res)
{
	struct cs_op ops[CS_SEQ_MAX];
	int n = cs_seq_tmc_stop(&ct->tregs, ops);

	return n < 0 || cs_seq_run(ops, n, &cs_tmc_io, res, 3) ? -1 : 0;
}

static void cs_tmc_release(void)
{
	struct cs_op ops[CS_SEQ_MAX];
	int n = cs_seq_tmc_release(ops);

	cs_seq_run(ops, n, &cs_tmc_io, NULL, 0);
}

/*
 * The TMC programmed over ct's buffer and started (cs_seq_tmc_start: the
 * ETR's RWP at ct's offset, the ETF's at 0 of its RAM).
 * Returns 0 if it captures.
 * Returns -CS_EBUSY if another agent claimed it, -CS_EINVAL if the
 * values do not fit it or an access was refused.
 */
static int cs_tmc_begin(struct cs_thr *ct, struct cs_op *ops)
{
	enum cs_tmc_buf kind = CS_TMC_BUF_RAM;
	u64 rwp = 0, size = cs_tmc.ram, off = 0;
	int n;

	if (cs_tmc.kind == CS_TMC_ETR) {
		kind = cs_tmc.sg ? CS_TMC_BUF_SG : CS_TMC_BUF_FLAT;
		size = ct->size;
		off = ct->off;
		rwp = ct->dba + off;
		if (cs_tmc.sg && cs_tmc_sg_addr(ct->pa, ct->size / CS_TMC_PAGE,
						off, &rwp))
			rwp = ~0ull;
	}
	if (cs_tmc_program(&cs_tmc, kind, ct->dba, size, off, rwp,
			   &ct->tregs))
		return -CS_EINVAL;
	n = cs_seq_tmc_start(&ct->tregs, ops);
	return n < 0 ? -CS_EINVAL : cs_seq_run(ops, n, &cs_tmc_io, NULL, 0);
}

/*
 * ETMv4 + TMC: the sink first (cs_tmc_begin), then the unit.  A unit
 * that will not start leaves the TMC stopped and released again.
 * Returns 0 if the unit traces, -1 if not (counted).
 */
static int cs_start_tmc(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];
	u64 res[3];
	int n, ret;

	if (cs_started(ct, cs_tmc_begin(ct, ops)))
		return -1;
	n = cs_seq_start(&cs_caps, &ct->regs, NULL, ops);
	ret = n < 0 ? -CS_EINVAL : cs_seq_run(ops, n, &cs_io, NULL, 0);
	if (!cs_started(ct, ret))
		return 0;
	if (!cs_tmc_stop(ct, res))
		cs_tmc_release();
	return -1;
}

/* A link's registers by its base address (the ops' link_read/write). */
static int cs_link_io_read(void *ctx, uint32_t reg, uint64_t *val)
{
	return cs_hw->link_read(*(const u64 *)ctx, reg, val) ? -1 : 0;
}

static int cs_link_io_write(void *ctx, uint32_t reg, uint64_t val)
{
	return cs_hw->link_write(*(const u64 *)ctx, reg, val) ? -1 : 0;
}

/* Memory-mapped: device accesses are ordered (no barrier ops). */
static void cs_link_io_order(void *ctx, enum cs_op_kind kind)
{
}

/*
 * Runs hop i of ct's CPU's path's n ops on its registers (cs_link_run_fn).
 * Returns 0 if they completed, or cs_seq_run's error.
 */
static int cs_link_run(void *ctx, unsigned int i, const struct cs_op *ops,
		       int n)
{
	const struct cs_path *p = ctx;
	u64 base = cs_topo->comp[p->hop[i].comp].base, res[4];
	struct cs_io io = {
		.read = cs_link_io_read,
		.write = cs_link_io_write,
		.order = cs_link_io_order,
		.ctx = &base,
	};

	return cs_seq_run(ops, n, &io, res, ARRAY_SIZE(res));
}

/*
 * The links of ct's CPU's path for its trace ID, enabled from the sink
 * toward the source or disabled from the source toward the sink, each
 * claimed by its first user and released by its last, a funnel's EnS
 * bit (SoC-400 Funnel Control) or a replicator's ID filter (IDFILTERn)
 * held while a source needs it (cs_link_path: a failed enable closes
 * the path again, a disable goes past a failed hop).
 * cs_sink_lock held.
 * Returns 0, or -1 if a hop's ops could not be made or were refused.
 */
static int cs_links(struct cs_thr *ct, int enable, struct cs_op *ops)
{
	struct cs_path *p = &cs_cpu_path[ct->home];

	lockdep_assert_held(&cs_sink_lock);
	return cs_link_path(cs_topo, p, (u8)ct->regs.traceidr, enable,
			    cs_use, cs_link_run, p, ops) ? -1 : 0;
}

/*
 * The shared sink's position from RWP and STS read now
 * (cs_tmc_advance(), TMC 2.x Circular Buffer mode), published as the
 * buffer's head.  Capture runs on across the flushes at each switch,
 * so STS.Full, once set, stays set: after the first wrap a pointer
 * behind the last one read is a lap.  A wrap or MemErr is a gap record.
 * cs_sink_lock held.
 */
static void cs_sink_advance(struct cs_thr *s, u64 rwp, u64 sts)
{
	bool full = sts & TMC_STS_FULL;
	u32 st = (u32)sts & ~TMC_STS_FULL;
	struct cs_tmc_adv adv;
	u64 now;

	lockdep_assert_held(&cs_sink_lock);
	now = rwp - s->dba;
	if (cs_tmc.sg ? cs_tmc_sg_offset(s->pa, s->size / CS_TMC_PAGE, rwp,
					 &now) : now >= s->size) {
		s->errors++;
		return;
	}
	if (full && s->full_seen)
		full = now < s->off;
	if (full) {
		s->full_seen = true;
		st |= TMC_STS_FULL;
	}
	if (cs_tmc_advance(s->size, s->off, now, st, &adv)) {
		s->errors++;
		return;
	}
	s->pos += adv.bytes;
	s->off = adv.off;
	if (adv.error)
		s->errors++;
	hwt_buffer_produced(s->buf, s->pos);
	if (adv.gap) {
		s->stops++;
		atomic64_inc(&cs_stop_count);
		hwt_buffer_gap(s->buf);
	}
}

/*
 * The shared TMC started over s's buffer by its first user.
 * cs_sink_lock held.
 * Returns 0; -CS_EBUSY if another context's output has it or another
 * agent claimed it; -CS_EINVAL as cs_tmc_begin().
 */
static int cs_sink_get(struct cs_thr *s, struct cs_op *ops)
{
	int ret;

	lockdep_assert_held(&cs_sink_lock);
	if (cs_sink_users) {
		if (cs_sink_owner != s)
			return -CS_EBUSY;
		cs_sink_users++;
		return 0;
	}
	ret = cs_tmc_begin(s, ops);
	if (ret)
		return ret;
	cs_sink_users = 1;
	cs_sink_owner = s;
	return 0;
}

/* Its last user flushes and stops it, the last bytes published. */
static void cs_sink_put(struct cs_thr *s)
{
	u64 res[3] = { 0, 0, 0 };

	lockdep_assert_held(&cs_sink_lock);
	if (!cs_sink_users || cs_sink_owner != s || --cs_sink_users)
		return;
	cs_sink_owner = NULL;
	if (cs_tmc_stop(s, res)) {
		s->errors++;
		hwt_buffer_gap(s->buf);
	} else {
		cs_sink_advance(s, res[0] | res[1] << 32, res[2]);
	}
	cs_tmc_release();
}

/* The device tree name of hop i of CPU cpu's path (i < 0: from its end). */
static const char *cs_hop_name(int cpu, int i, const char *none)
{
	const struct cs_path *p;

	if (!cs_topo || !cs_cpu_path || cpu < 0 || cpu >= (int)nr_cpu_ids)
		return none;
	p = &cs_cpu_path[cpu];
	if (i < 0)
		i += p->nhop;
	return i >= 0 && i < (int)p->nhop ? cs_topo->comp[p->hop[i].comp].name :
	       none;
}

/* A register a start sequence polls, by name. */
static const char *cs_reg_name(u32 reg)
{
	switch (reg) {
	case TRCSTATR:
		return "TRCSTATR";
	case TRCPDSR:
		return "TRCPDSR";
	default:
		return "register";
	}
}

/*
 * The unit's start sequence failed past its claim (a poll that timed
 * out, a refused access): say where, then disable the unit and release
 * our claim, best effort (no wait: it may never answer), so that it is
 * left as START found it (TRCPRGCTLR 0, ETMv4 3.4.3; CLAIMCLR,
 * CoreSight B2.4).  The software lock is opened for it and closed.
 */
static void cs_unit_abort(struct cs_thr *ct, const struct cs_op *ops, int n,
			  int at)
{
	int cpu = smp_processor_id();
	const struct cs_op *o = at < n ? &ops[at] : NULL;

	if (o && o->kind == CS_OP_POLL) {
		ct->timeouts++;
		pr_warn_ratelimited("cpu %d: %s: timed out: %s (%#x) & %#llx never read %#llx in %d reads; the unit is disabled again\n",
				    cpu, cs_hop_name(cpu, 0, "the ETMv4"),
				    cs_reg_name(o->reg), o->reg, o->mask, o->val,
				    CS_POLL_MAX);
	} else {
		pr_warn_ratelimited("cpu %d: %s: start sequence failed at step %d of %d; the unit is disabled again\n",
				    cpu, cs_hop_name(cpu, 0, "the ETMv4"), at, n);
	}
	cs_hw->write(TRCLAR, CS_LAR_UNLOCK);
	cs_hw->write(TRCPRGCTLR, 0);
	cs_hw->write(TRCCLAIMCLR, CS_CLAIM_SELF_HOSTED);
	cs_hw->write(TRCLAR, 0);
}

/*
 * A TMC shared behind funnels: the sink started by its first user and
 * this CPU's path opened (once, until STOP), then the unit, with this
 * CPU's trace ID (cs_seq_start).  A unit that will not start is
 * disabled again (cs_unit_abort); its path and the sink are closed by
 * STOP's cs_release_shared, which START's failure runs.  IRQs off.
 * Returns 0 if the unit traces, -1 if not (counted).
 */
static int cs_start_shared(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];
	int n, at = 0, ret = 0;

	if (!ct->linked) {
		raw_spin_lock(&cs_sink_lock);
		ret = cs_sink_get(ct->sink, ops);
		if (!ret && cs_links(ct, 1, ops)) {
			cs_sink_put(ct->sink);
			ret = -CS_EINVAL;
		}
		raw_spin_unlock(&cs_sink_lock);
		if (cs_started(ct, ret))
			return -1;
		ct->linked = true;
	}
	n = cs_seq_start(&cs_caps, &ct->regs, NULL, ops);
	ret = n < 0 ? -CS_EINVAL : cs_seq_run_at(ops, n, &cs_io, NULL, 0, &at);
	if (n >= 0 && ret && ret != -CS_EBUSY)
		cs_unit_abort(ct, ops, n, at);
	return cs_started(ct, ret);
}

/*
 * Thread mode through a TMC shared behind funnels, perf's semantics: the
 * ETR writes one buffer, so a thread switching in takes it if nobody
 * holds it (another thread of any context, or a CPU-mode context): the
 * ETR started over this thread's buffer at its offset (cs_tmc_begin:
 * claim, TMCReady, RWP, CTL.TraceCaptEn; TMC 3.3), this CPU's path
 * through the funnels opened from the sink toward the source (SoC-400
 * Funnel Control EnS<port>, cs_links), then the ETMv4 programmed with
 * this CPU's trace ID and enabled (cs_seq_start: ETMv4 3.4.3, 7.3.66).
 * A thread that finds the sink held runs untraced: cs_load records the
 * gap.  IRQs off.
 * Returns 0 if the unit traces.
 * Returns -1 if: the sink is held (counted in sink_busy); this CPU has
 * no path to it; a unit was claimed or a sequence refused (counted),
 * the sink then stopped and released again.
 */
static int cs_start_thread_shared(struct cs_thr *ct)
{
	unsigned int cpu = smp_processor_id();
	struct cs_op ops[CS_SEQ_MAX];
	int n, ret;
	u64 res[3];

	raw_spin_lock(&cs_sink_lock);
	if (cs_sink_users) {
		raw_spin_unlock(&cs_sink_lock);
		ct->sink_busy++;
		atomic64_inc(&cs_sink_busy_count);
		return -1;
	}
	if (!cs_cpu_path[cpu].nhop) {
		raw_spin_unlock(&cs_sink_lock);
		ct->errors++;
		return -1;
	}
	ct->home = cpu;
	if (ct->regs.traceidr)
		ct->regs.traceidr = CS_TRACE_ID + cpu;
	ret = cs_tmc_begin(ct, ops);
	if (ret) {
		raw_spin_unlock(&cs_sink_lock);
		return cs_started(ct, ret);
	}
	cs_sink_users = 1;
	cs_sink_owner = ct;
	if (cs_links(ct, 1, ops)) {
		ret = -CS_EINVAL;
		goto stop_sink;
	}
	n = cs_seq_start(&cs_caps, &ct->regs, NULL, ops);
	ret = n < 0 ? -CS_EINVAL : cs_seq_run(ops, n, &cs_io, NULL, 0);
	if (!ret) {
		raw_spin_unlock(&cs_sink_lock);
		return 0;
	}
	cs_links(ct, 0, ops);
stop_sink:
	if (!cs_tmc_stop(ct, res))
		cs_tmc_release();
	cs_sink_users = 0;
	cs_sink_owner = NULL;
	raw_spin_unlock(&cs_sink_lock);
	return cs_started(ct, ret);
}

/*
 * A CPU's unit off with its trace in memory: the unit disabled (wait
 * TRCSTATR.IDLE + PMSTABLE, ETMv4 3.4.3), then a manual flush of the
 * shared TMC that leaves the other CPUs' trace running
 * (cs_seq_tmc_flush, TMC 3.3.20): RWP is then a frame boundary after
 * every byte this unit sent, published as the buffer's head.  IRQs off.
 */
static void cs_stop_shared(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_thr *s = ct->sink;
	u64 res[3] = { 0, 0, 0 };
	int n;

	n = cs_seq_stop(&cs_caps, 0, ops);
	if (n < 0 || cs_seq_run(ops, n, &cs_io, NULL, 0)) {
		ct->errors++;
		pr_warn_ratelimited("cpu %d: ETMv4 stop sequence failed\n",
				    smp_processor_id());
	}
	raw_spin_lock(&cs_sink_lock);
	n = cs_seq_tmc_flush(&s->tregs, ops);
	if (n < 0 || cs_seq_run(ops, n, &cs_tmc_io, res, 3)) {
		s->errors++;
		hwt_buffer_gap(s->buf);
	} else {
		cs_sink_advance(s, res[0] | res[1] << 32, res[2]);
	}
	raw_spin_unlock(&cs_sink_lock);
}

/* STOP: the CPU's path closed, the sink stopped by its last user. */
static void cs_release_shared(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];
	unsigned long flags;

	if (!ct->sink || !ct->linked)
		return;
	raw_spin_lock_irqsave(&cs_sink_lock, flags);
	if (cs_links(ct, 0, ops))
		ct->errors++;
	cs_sink_put(ct->sink);
	raw_spin_unlock_irqrestore(&cs_sink_lock, flags);
	ct->linked = false;
}

/* The poll of a shared sink: RWP published while capture runs on. */
static void cs_poll_shared(struct cs_thr *ct)
{
	u64 sts, lo, hi;

	raw_spin_lock(&cs_sink_lock);
	if (cs_sink_owner == ct->sink && !cs_hw->tmc_read(TMC_STS, &sts) &&
	    !cs_hw->tmc_read(TMC_RWP, &lo) && !cs_hw->tmc_read(TMC_RWPHI, &hi))
		cs_sink_advance(ct->sink, lo | hi << 32, sts);
	raw_spin_unlock(&cs_sink_lock);
}

/*
 * The thread runs untraced on this CPU, and its trace would just go on
 * at its next run as after any switch: record a gap, once per stretch
 * of such runs.
 */
static void cs_untraced(struct cs_thr *ct)
{
	if (ct->untraced)
		return;
	ct->untraced = true;
	hwt_buffer_gap(ct->buf);
}

/*
 * Enable tracing of the thread on this CPU.  IRQs off.  A unit another
 * agent claimed is left alone (counted); a refused access leaves the
 * unit disabled (counted); either way the run is untraced, which a
 * BUFFER record with HWT_BUFREC_GAP at the head says.
 */
static void cs_load(struct cs_thr *ct)
{
	struct hrtimer *timer = this_cpu_ptr(&cs_poll_timer);
	unsigned int ms;

	lockdep_assert_irqs_disabled();
	if (ct->cpu >= 0)
		return;
	if (ct->faulted) {
		cs_untraced(ct);
		return;
	}
	if (!cs_etm4 ? cs_start_trbe(ct) :
	    ct->sink ? cs_start_shared(ct) :
	    cs_shared ? cs_start_thread_shared(ct) : cs_start_tmc(ct)) {
		cs_untraced(ct);
		return;
	}
	ct->untraced = false;
	ct->cpu = smp_processor_id();
	this_cpu_write(cs_cur, ct);
	ms = READ_ONCE(poll_ms);
	if (ms && !hrtimer_active(timer))
		hrtimer_start(timer, ms_to_ktime(ms),
			      HRTIMER_MODE_REL_PINNED_HARD);
}

/* ETE + TRBE off (the trace flushed to memory first, D10.8). */
static void cs_stop_trbe(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];
	u64 res[2] = { 0, 0 };
	int n;

	n = cs_seq_stop(&cs_caps, 1, ops);
	if (n < 0 || cs_seq_run(ops, n, &cs_io, res, 2) ||
	    cs_advance(ct, res[0], res[1])) {
		ct->errors++;
		ct->gap = true;
		pr_warn_ratelimited("cpu %d: stop sequence or read-back failed (TRBPTR %#llx, TRBSR %#llx)\n",
				    smp_processor_id(), res[0], res[1]);
	}
}

/*
 * The ETF's RAM (a circular buffer: with STS.Full the oldest byte is at
 * RWP, so RRP goes there first) drained through RRD into the hwt buffer
 * at the thread's offset.  Returns 0, or -1 if refused.
 */
static int cs_etf_drain(struct cs_thr *ct, u64 rwp, u32 sts,
			struct cs_tmc_adv *adv)
{
	u64 got;

	memset(adv, 0, sizeof(*adv));
	if ((sts & TMC_STS_FULL) && cs_hw->tmc_write(TMC_RRP, rwp))
		return -1;
	if (cs_tmc_drain(&cs_tmc_io, ct->vaddr, ct->size, ct->off, &got))
		return -1;
	adv->bytes = got;
	adv->off = (ct->off + got) % ct->size;
	/* The ETF wrapped, or the drain lapped the hwt buffer. */
	adv->gap = (sts & TMC_STS_FULL) || got > ct->size;
	return 0;
}

/* ETMv4 + TMC off: the unit, then the TMC flushed and stopped. */
static void cs_stop_tmc(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_tmc_adv adv;
	u64 res[3] = { 0, 0, 0 }, rwp, now = 0;
	int n, bad;

	n = cs_seq_stop(&cs_caps, 0, ops);
	bad = n < 0 || cs_seq_run(ops, n, &cs_io, NULL, 0);
	bad |= cs_tmc_stop(ct, res);
	if (bad)
		goto fail;
	if (cs_tmc.kind == CS_TMC_ETF) {
		bad = cs_etf_drain(ct, res[0], res[2], &adv);
	} else {
		rwp = res[0] | res[1] << 32;
		if (cs_tmc.sg)
			bad = cs_tmc_sg_offset(ct->pa, ct->size / CS_TMC_PAGE,
					       rwp, &now);
		else
			now = rwp - ct->dba;
		bad = bad || cs_tmc_advance(ct->size, ct->off, now, res[2],
					    &adv);
	}
	cs_tmc_release();
	if (bad)
		goto fail;
	ct->pos += adv.bytes;
	ct->off = adv.off;
	if (adv.gap) {
		ct->gap = true;
		ct->stops++;
	}
	if (adv.error)
		ct->errors++;
	return;
fail:
	ct->errors++;
	ct->gap = true;
	pr_warn_ratelimited("cpu %d: ETMv4/TMC stop sequence or read-back failed (RWP %#llx:%llx, STS %#llx)\n",
			    smp_processor_id(), res[1], res[0], res[2]);
}

/*
 * Thread mode through a shared TMC, the thread leaving this CPU: the
 * ETMv4 disabled (TRCPRGCTLR = 0, wait TRCSTATR.IDLE + PMSTABLE, ETMv4
 * 3.4.3), the TMC flushed and stopped (FFCR.StopOnFl + FlushMan, wait
 * FlushMan clear and STS.TMCReady, TMC 3.3.20: the flush drains the
 * funnels, which stay open until it is done), RWP read back into the
 * thread's position and the TMC released (cs_stop_tmc); then the path
 * closed from the source toward the sink (EnS cleared) and the sink
 * freed for the next thread.  IRQs off; ct holds the sink.
 */
static void cs_stop_thread_shared(struct cs_thr *ct)
{
	struct cs_op ops[CS_SEQ_MAX];

	raw_spin_lock(&cs_sink_lock);
	cs_stop_tmc(ct);
	if (cs_links(ct, 0, ops))
		ct->errors++;
	if (!WARN_ON_ONCE(cs_sink_owner != ct)) {
		cs_sink_users = 0;
		cs_sink_owner = NULL;
	}
	raw_spin_unlock(&cs_sink_lock);
}

/*
 * Disable tracing on this CPU and publish the position.  IRQs off, on
 * the CPU where ct traces.
 */
static void cs_unload(struct cs_thr *ct)
{
	lockdep_assert_irqs_disabled();
	if (ct->cpu < 0)
		return;
	WARN_ON_ONCE(ct->cpu != smp_processor_id());
	this_cpu_write(cs_cur, NULL);
	ct->cpu = -1;
	if (ct->sink) {
		cs_stop_shared(ct);	/* publishes the shared head */
		return;
	}
	if (cs_shared)
		cs_stop_thread_shared(ct);
	else if (cs_etm4)
		cs_stop_tmc(ct);
	else
		cs_stop_trbe(ct);
	hwt_buffer_produced(ct->buf, ct->pos);
	if (ct->gap) {
		ct->gap = false;
		hwt_buffer_gap(ct->buf);
	}
}

/*
 * A stopped or wrapped sink handled: drained (the head published, a
 * gap recorded as cs_unload says), counted in stops, started again at
 * the base.  IRQs off, on ct's CPU.
 */
static void cs_restart(struct cs_thr *ct)
{
	cs_unload(ct);
	atomic64_inc(&cs_stop_count);
	cs_load(ct);
}

/*
 * The poll of an ETMv4 + TMC: an ETR's RWP published while it has not
 * wrapped; STS.Full, or an ETF (whose trace is in its RAM), drained and
 * restarted.
 */
static void cs_poll_tmc(struct cs_thr *ct)
{
	u64 sts, lo, hi = 0, now, pos;

	if (cs_hw->tmc_read(TMC_STS, &sts) || cs_hw->tmc_read(TMC_RWP, &lo) ||
	    (cs_tmc.kind == CS_TMC_ETR && cs_hw->tmc_read(TMC_RWPHI, &hi)))
		return;
	if (cs_tmc.kind == CS_TMC_ETF || (sts & TMC_STS_FULL)) {
		cs_restart(ct);
		return;
	}
	lo |= hi << 32;
	if (cs_tmc.sg ? cs_tmc_sg_offset(ct->pa, ct->size / CS_TMC_PAGE, lo,
					 &now) : (now = lo - ct->dba) >= ct->size)
		return;
	if (now < ct->off)
		return;
	pos = ct->pos + now - ct->off;
	if (pos != hwt_buffer_head(ct->buf)) {
		atomic64_inc(&cs_poll_count);
		hwt_buffer_produced(ct->buf, pos);
	}
}

/*
 * Every poll_ms on a CPU that traces for us: publish where the TRBE
 * writes (TRBPTR_EL1 reads while enabled, D10.2); without the TRBE
 * interrupt, if it stopped (Fill mode, full: TRBSR.S) or wrapped
 * (Circular Buffer mode: each lap is counted while it is the only one),
 * drain and start again; with it, that is the handler's.
 */
static enum hrtimer_restart cs_poll_fn(struct hrtimer *t)
{
	struct cs_thr *ct = this_cpu_read(cs_cur);
	unsigned int ms = READ_ONCE(poll_ms);
	u64 ptr, sr, pos;

	if (!ct || !ms)
		return HRTIMER_NORESTART;
	if (cs_etm4) {
		if (ct->sink)
			cs_poll_shared(ct);
		else
			cs_poll_tmc(ct);
		if (!this_cpu_read(cs_cur))
			return HRTIMER_NORESTART;
		goto next;
	}
	if (cs_hw->read(CS_TRBSR, &sr) || cs_hw->read(CS_TRBPTR, &ptr))
		goto next;
	/* With the interrupt, its handler drains and restarts. */
	if (this_cpu_read(cs_irq_here) &&
	    (sr & (TRBSR_S | TRBSR_IRQ | TRBSR_WRAP)))
		goto next;
	if (sr & (TRBSR_S | TRBSR_IRQ | TRBSR_WRAP)) {
		cs_restart(ct);
		if (!this_cpu_read(cs_cur))
			return HRTIMER_NORESTART;
	} else if (ptr >= (uintptr_t)ct->vaddr + ct->off &&
		   ptr < (uintptr_t)ct->vaddr + ct->size) {
		pos = ct->pos + ptr - ((uintptr_t)ct->vaddr + ct->off);
		if (pos != hwt_buffer_head(ct->buf)) {
			atomic64_inc(&cs_poll_count);
			hwt_buffer_produced(ct->buf, pos);
		}
	}
next:
	hrtimer_forward_now(t, ms_to_ktime(ms));
	return HRTIMER_RESTART;
}

/*
 * The TRBE's maintenance interrupt, on the CPU whose TRBE raised it
 * (hard IRQ, IRQs off), as Linux's arm_trbe_irq_handler: TRBSR_EL1 read,
 * its action decided (cs_trbe_irq_action: Arm ARM D10.3); then, for the
 * output enabled here, the stop sequence (drain: TSB CSYNC, DSB, TRBE
 * off, TRBPTR and TRBSR read back, TRBSR cleared, which clears IRQ and
 * deasserts the interrupt) publishes the head and records the gap of a
 * Fill-mode stop (cs_unload, as a switch_out and the poll do); a full
 * buffer or a wrap restarts it at the base (cs_load); anything else is a
 * counted error and the output's trace stays off (faulted: its later
 * runs are gaps).
 * Returns IRQ_NONE if TRBSR.IRQ is clear (a switch drained it first)
 * or no output of ours is enabled here; IRQ_HANDLED otherwise.
 */
static irqreturn_t cs_trbe_irq_fn(int irq, void *dev_id)
{
	struct cs_thr *ct = this_cpu_read(cs_cur);
	enum cs_trbe_act act;
	u64 sr;

	if (!ct || cs_hw->read(CS_TRBSR, &sr)) {
		atomic64_inc(&cs_irq_none_count);
		return IRQ_NONE;
	}
	act = cs_trbe_irq_action(sr, ct->fill);
	if (act == CS_TRBE_ACT_NONE) {
		atomic64_inc(&cs_irq_none_count);
		return IRQ_NONE;
	}
	atomic64_inc(&cs_irq_count);
	if (act == CS_TRBE_ACT_FATAL) {
		/* One gap record, at the head cs_unload publishes. */
		ct->errors++;
		ct->faulted = true;
		ct->gap = true;
		atomic64_inc(&cs_irq_fatal_count);
		pr_warn_ratelimited("cpu %d: TRBE interrupt with TRBSR_EL1 %#llx: no full buffer or wrap (an abort, EA, trigger or IMPDEF event): its trace stays off\n",
				    smp_processor_id(), sr);
		cs_unload(ct);
		return IRQ_HANDLED;
	}
	cs_restart(ct);
	return IRQ_HANDLED;
}

/*
 * The TRBE interrupt the device tree gives: the first interrupt of the
 * node compatible "arm,trace-buffer-extension" (Linux's binding,
 * Documentation/devicetree/bindings/arm/arm,trbe.yaml: one PPI, the same
 * on every CPU), mapped.  (ACPI puts it in the MADT's GICC entries:
 * hwt_cs_acpi_trbe_irq.)
 * Returns the Linux irq number, or 0 if the tree has none.
 */
static int cs_trbe_irq_of(void)
{
	struct device_node *np;
	int irq;

	np = of_find_compatible_node(NULL, NULL, "arm,trace-buffer-extension");
	if (!np)
		return 0;
	irq = irq_of_parse_and_map(np, 0);
	of_node_put(np);
	return irq;
}

static void cs_irq_on(void *arg)
{
	enable_percpu_irq(cs_trbe_irq, IRQ_TYPE_NONE);
	this_cpu_write(cs_irq_here, true);
}

static void cs_irq_off(void *arg)
{
	this_cpu_write(cs_irq_here, false);
	disable_percpu_irq(cs_trbe_irq);
}

/*
 * ETE + TRBE: the TRBE's maintenance interrupt, from the unit (the
 * ops' trbe_irq: the emulated one's) or the device tree, requested as a
 * per-CPU interrupt and enabled on every online CPU (as Linux's
 * arm_trbe_probe_irq and arm_trbe_enable_cpu).  Without one (QEMU virt,
 * a machine whose tables have none, Linux's coresight-trbe holding it),
 * the poll restarts a stopped TRBE; one line says which.  A CPU that
 * comes online later has it disabled: its poll restarts its TRBE.
 */
static void cs_trbe_irq_setup(void)
{
	const char *from = "the device tree or ACPI's MADT";
	int irq = 0, ret;

	if (cs_etm4)
		return;
	if (cs_hw->trbe_irq) {
		from = cs_hw->name;
		irq = cs_hw->trbe_irq();
	} else if (!cs_hw_emulated) {
		irq = cs_trbe_irq_of();
		if (irq > 0) {
			from = "the device tree";
		} else {
			irq = hwt_cs_acpi_trbe_irq();
			from = irq > 0 ? "ACPI's MADT" : from;
		}
	}
	if (irq <= 0) {
		pr_info("no TRBE interrupt offered (%s has none): every %u ms a poll restarts a stopped TRBE\n",
			from, poll_ms);
		return;
	}
	if (!irq_is_percpu_devid(irq)) {
		pr_info("TRBE interrupt %d (%s) is no per-CPU interrupt: every %u ms a poll restarts a stopped TRBE\n",
			irq, from, poll_ms);
		hwt_cs_acpi_trbe_put();
		return;
	}
	cs_irq_cookie = alloc_percpu(int);
	if (!cs_irq_cookie) {
		hwt_cs_acpi_trbe_put();
		return;
	}
	ret = request_percpu_irq(irq, cs_trbe_irq_fn, "hwt_coresight_trbe",
				 cs_irq_cookie);
	if (ret) {
		pr_info("TRBE interrupt %d (%s): request_percpu_irq %d (held by Linux's coresight-trbe? unload it): every %u ms a poll restarts a stopped TRBE\n",
			irq, from, ret, poll_ms);
		free_percpu(cs_irq_cookie);
		cs_irq_cookie = NULL;
		hwt_cs_acpi_trbe_put();
		return;
	}
	cs_trbe_irq = irq;
	on_each_cpu(cs_irq_on, NULL, 1);
	pr_info("TRBE interrupt %d (%s) on CPUs %*pbl: it drains and restarts the TRBE; the poll (%u ms) only publishes the pointer\n",
		irq, from, cpumask_pr_args(cpu_online_mask), poll_ms);
}

static void cs_trbe_irq_teardown(void)
{
	if (!cs_trbe_irq)
		return;
	on_each_cpu(cs_irq_off, NULL, 1);
	free_percpu_irq(cs_trbe_irq, cs_irq_cookie);
	free_percpu(cs_irq_cookie);
	cs_irq_cookie = NULL;
	cs_trbe_irq = 0;
	hwt_cs_acpi_trbe_put();
}

static struct cs_thr *cs_thr_of(struct hwt_thread *thr)
{
	struct cs_thr *ct = hwt_thread_priv(thr);

	return ct && ct->on ? ct : NULL;
}

static void cs_switch_in(struct hwt_context *ctx, struct hwt_thread *thr,
			 int cpu)
{
	struct cs_thr *ct = cs_thr_of(thr);

	lockdep_assert_irqs_disabled();
	if (ct)
		cs_load(ct);
}

static void cs_switch_out(struct hwt_context *ctx, struct hwt_thread *thr,
			  int cpu)
{
	struct cs_thr *ct = cs_thr_of(thr);

	lockdep_assert_irqs_disabled();
	if (ct)
		cs_unload(ct);
}

static int cs_init(struct hwt_context *ctx)
{
	struct cs_ctx *cc = kzalloc(sizeof(*cc), GFP_KERNEL);

	if (!cc)
		return -ENOMEM;
	cs_config_default(&cc->cfg);
	hwt_context_set_priv(ctx, cc);
	return 0;
}

static enum cs_mode cs_mode_of(struct hwt_context *ctx)
{
	return hwt_context_cpu_mode(ctx) ? CS_MODE_CPU : CS_MODE_THREAD;
}

/*
 * CPU mode: the outputs of the last START (tracing is off on all).  The
 * scheduler hook may still be reading them: unpublished first, freed
 * after a grace period (the hook runs with preemption off).  Process
 * context.
 */
static void cs_cpu_free(struct cs_ctx *cc)
{
	struct cs_thr **cpu = cc->cpu;
	unsigned int c;

	if (!cpu)
		return;
	WRITE_ONCE(cc->cpu, NULL);
	synchronize_rcu();
	for (c = 0; c < nr_cpu_ids; c++)
		if (cpu[c])
			cs_thr_free(cpu[c]);
	kfree(cpu);
	if (cc->sink)
		cs_thr_free(cc->sink);
	cc->sink = NULL;
}

static void cs_deinit(struct hwt_context *ctx)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);

	cs_cpu_free(cc);
	kfree(cc);
}

/*
 * SET_CONFIG: cs_config_parse in the context's mode; a refused config
 * leaves the old one.  Kernel tracing (CPU mode only) shows everything
 * the kernel runs there: like perf's, it needs CAP_PERFMON or
 * CAP_SYS_ADMIN of the caller.
 * Returns 0; -EPERM for KERNEL without it; the cs_config_parse errors.
 */
static int cs_configure(struct hwt_context *ctx, u32 version,
			const void *data, u32 size)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);
	struct hwt_coresight_config cfg;
	int ret;

	ret = cs_config_parse(&cs_caps, version, data, size, cs_mode_of(ctx),
			      &cfg);
	if (ret)
		return cs_errno(ret);
	if ((cfg.flags & HWT_CORESIGHT_KERNEL) && !perfmon_capable())
		return -EPERM;
	cc->cfg = cfg;
	return 0;
}

struct cs_desc_reg {
	const char *name;
	u64 value;
};

/*
 * HWT_IOC_DESCRIBE: kind=ete (kind=etm4 and formatted=1 for an ETMv4
 * through a TMC) and the registers OpenCSD decodes with
 * (lowercase names, as the CoreSight front end reads stream_params):
 * the unit's ID registers and the values cs_config programs.
 * Returns the bytes written, or -EINVAL if the config does not give
 * register values.
 */
static int cs_describe(struct hwt_context *ctx, char *buf, size_t len)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);
	struct cs_regs r;
	struct cs_desc_reg d[] = {
		{ "trcconfigr", 0 }, { "trctraceidr", 0 },
		{ "trcvictlr", 0 }, { "trcviiectlr", 0 },
		{ "trcidr0", cs_id.trcidr[0] }, { "trcidr1", cs_id.trcidr[1] },
		{ "trcidr2", cs_id.trcidr[2] }, { "trcidr3", cs_id.trcidr[3] },
		{ "trcidr4", cs_id.trcidr[4] }, { "trcidr5", cs_id.trcidr[5] },
		{ "trcidr8", cs_id.trcidr[8] }, { "trcidr9", cs_id.trcidr[9] },
		{ "trcidr10", cs_id.trcidr[10] },
		{ "trcidr11", cs_id.trcidr[11] },
		{ "trcidr12", cs_id.trcidr[12] },
		{ "trcidr13", cs_id.trcidr[13] },
		{ "trcdevarch", cs_id.trcdevarch },
	};
	int pos, ret;
	size_t i;
	u32 n;

	ret = cs_config_regs(&cs_caps, &cc->cfg, cs_mode_of(ctx), CS_TRACE_ID,
			     &r);
	if (ret)
		return cs_errno(ret);
	d[0].value = r.configr;
	d[1].value = r.traceidr;
	d[2].value = r.victlr;
	d[3].value = r.viiectlr;
	/* ETMv4 through a TMC: 16-byte frames (the decoder's
	 * deformatter takes this unit's trace ID from trctraceidr). */
	pos = scnprintf(buf, len, "kind=%s\n", cs_etm4 ? "etm4" : "ete");
	if (cs_etm4)
		pos += scnprintf(buf + pos, len - pos, "formatted=1\n");
	/* One TMC for every CPU: CPU c's unit has trace ID base + c. */
	if (cs_shared)
		pos += scnprintf(buf + pos, len - pos,
				 "shared_sink=1\ntraceid_base=0x%x\n",
				 CS_TRACE_ID);
	for (i = 0; i < ARRAY_SIZE(d); i++)
		pos += scnprintf(buf + pos, len - pos, "%s=0x%llx\n",
				 d[i].name, d[i].value);
	for (n = 0; n < r.nac; n++)
		pos += scnprintf(buf + pos, len - pos,
				 "trcacvr%u=0x%llx\ntrcacatr%u=0x%llx\n",
				 n, r.acvr[n], n, r.acatr[n]);
	return pos;
}

/*
 * A shared TMC's claim tag is ours while a thread or CPU of any of our
 * contexts holds the sink: no other agent's, so no reason to refuse a
 * START.  Returns true if claim is only our self-hosted tag and we hold
 * the sink.
 */
static bool cs_sink_ours(u64 claim)
{
	unsigned long flags;
	bool ours;

	if (!cs_shared || claim != CS_CLAIM_SELF_HOSTED)
		return false;
	raw_spin_lock_irqsave(&cs_sink_lock, flags);
	ours = cs_sink_users != 0;
	raw_spin_unlock_irqrestore(&cs_sink_lock, flags);
	return ours;
}

/*
 * The claim tags START checks on this CPU (CoreSight B2.4): its unit,
 * its TMC and, through a shared TMC, the programmable links of its
 * path, each named as the device tree names it where there is one.
 * A tag set counts in *arg, with one line.
 */
static void cs_claimed_cpu(void *arg)
{
	int cpu = smp_processor_id();
	const struct cs_path *p;
	atomic_t *busy = arg;
	unsigned int i;
	u64 claim;

	if (cs_hw->read(TRCCLAIMCLR, &claim) || claim) {
		atomic_inc(busy);
		pr_info_ratelimited("cpu %d: %s is claimed by another agent (TRCCLAIMCLR %#llx): Linux's coresight-etm4x/ete while it traces (end that perf or sysfs session) or an external debugger (detach it)\n",
				    cpu, cs_hop_name(cpu, 0, "the trace unit"),
				    claim);
		return;
	}
	if (cs_etm4 && (cs_hw->tmc_read(TMC_CLAIMCLR, &claim) ||
			(claim && !cs_sink_ours(claim)))) {
		atomic_inc(busy);
		pr_info_ratelimited("cpu %d: %s is claimed by another agent (CLAIMCLR %#llx): Linux's coresight-tmc while it traces (end that session) or an external debugger (detach it)\n",
				    cpu, cs_hop_name(cpu, -1, "the TMC"), claim);
		return;
	}
	if (!cs_shared || cpu >= (int)nr_cpu_ids)
		return;
	p = &cs_cpu_path[cpu];
	for (i = 1; i + 1 < p->nhop; i++) {
		const struct cs_comp *l = &cs_topo->comp[p->hop[i].comp];

		if (l->flags & CS_COMP_STATIC)
			continue;
		if (cs_hw->link_read(l->base, CS_LINK_CLAIMCLR, &claim) ||
		    claim) {
			atomic_inc(busy);
			pr_info_ratelimited("cpu %d: %s on its path is claimed by another agent (CLAIMCLR %#llx): Linux's CoreSight drivers while they trace (end that session) or an external debugger (detach it)\n",
					    cpu, l->name, claim);
			return;
		}
	}
}

static int cs_cpu_start(struct hwt_context *ctx);

/*
 * START: the unit must be free on every CPU the thread may run on (claim
 * tags, CoreSight B2.4): one claimed -> -EBUSY, nothing written.  CPU
 * mode then starts the traced CPUs (cs_cpu_start).
 * Returns 0; -EBUSY; the cs_cpu_start errors.
 */
static int cs_start(struct hwt_context *ctx)
{
	atomic_t busy = ATOMIC_INIT(0);

	on_each_cpu(cs_claimed_cpu, &busy, 1);
	if (atomic_read(&busy))
		return -EBUSY;
	return hwt_context_cpu_mode(ctx) ? cs_cpu_start(ctx) : 0;
}

/* The buffer's pages, contiguous in the kernel's address space. */
static int cs_thr_map(struct cs_thr *ct)
{
	unsigned long i, n = ct->size >> PAGE_SHIFT;

	ct->pages = kvcalloc(n, sizeof(*ct->pages), GFP_KERNEL);
	if (!ct->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ct->pages[i] = hwt_buffer_page(ct->buf, i);
		if (!ct->pages[i])
			return -EINVAL;
	}
	ct->vaddr = vmap(ct->pages, n, VM_MAP, PAGE_KERNEL);
	return ct->vaddr ? 0 : -ENOMEM;
}

/*
 * An ETR's view of the buffer: its pages' bus addresses (physical: no
 * IOMMU is set up; an ETR behind an SMMU would need dma_map_page() with
 * the TMC's device from the firmware tables, hardware only), then the
 * scatter-gather table over them (cs_tmc_sg_build: SoC-600 TMC-ETR table
 * format) or, without scatter-gather, the check that they are one
 * physically contiguous block (HWT_BACKEND_CONTIG asks the framework for
 * one).  Returns 0, -ENOMEM, or -EINVAL if the ETR cannot write there.
 */
static int cs_thr_tmc(struct cs_thr *ct)
{
	u64 i, n = ct->size >> PAGE_SHIFT, *tpa;
	u32 *tab, t;
	int ret = -ENOMEM;

	if (cs_tmc.kind != CS_TMC_ETR)
		return 0;
	/* SG entries and the flat buffer are 4 KiB pages (cs_tmc.h). */
	if (PAGE_SIZE != CS_TMC_PAGE)
		return -EINVAL;
	ct->pa = kvcalloc(n, sizeof(*ct->pa), GFP_KERNEL);
	if (!ct->pa)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ct->pa[i] = page_to_phys(ct->pages[i]);
	if (!cs_tmc.sg) {
		for (i = 1; i < n; i++)
			if (ct->pa[i] != ct->pa[0] + i * PAGE_SIZE)
				return -EINVAL;
		ct->dba = ct->pa[0];
		return 0;
	}
	ct->ntab = cs_tmc_sg_ntables(n);
	ct->tpages = kvcalloc(ct->ntab, sizeof(*ct->tpages), GFP_KERNEL);
	tpa = kvcalloc(ct->ntab, sizeof(*tpa), GFP_KERNEL);
	tab = kvcalloc(ct->ntab, CS_TMC_PAGE, GFP_KERNEL);
	if (!ct->tpages || !tpa || !tab)
		goto out;
	for (t = 0; t < ct->ntab; t++) {
		ct->tpages[t] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!ct->tpages[t])
			goto out;
		tpa[t] = page_to_phys(ct->tpages[t]);
	}
	ret = -EINVAL;
	if (cs_tmc_sg_build(ct->pa, n, tpa, ct->ntab, tab))
		goto out;
	for (t = 0; t < ct->ntab; t++)
		memcpy(page_address(ct->tpages[t]),
		       tab + t * CS_TMC_SG_ENTRIES, CS_TMC_PAGE);
	ct->dba = tpa[0];
	ret = 0;
out:
	kvfree(tab);
	kvfree(tpa);
	return ret;
}

/*
 * The output of one CPU (CPU mode) into buf: the buffer mapped for the
 * TRBE (ETMv4: an ETR's view of it, cs_thr_tmc), the register values of
 * the config, the position at the buffer's head.  Process context.
 * Returns the new output, or an ERR_PTR: -ENOMEM, -EINVAL (the buffer's
 * pages, or a config that gives no register values).
 */
static struct cs_thr *cs_out_new(struct hwt_context *ctx,
				 struct hwt_buffer *buf)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);
	struct cs_thr *ct;
	u64 off;
	int ret;

	ct = kzalloc(sizeof(*ct), GFP_KERNEL);
	if (!ct)
		return ERR_PTR(-ENOMEM);
	ct->ctx = ctx;
	ct->buf = buf;
	ct->size = hwt_buffer_size(buf);
	ct->cpu = -1;
	ct->fill = cs_fill_mode(ctx);
	ret = cs_thr_map(ct);
	if (!ret && cs_etm4)
		ret = cs_thr_tmc(ct);
	if (!ret)
		ret = cs_errno(cs_config_regs(&cs_caps, &cc->cfg, CS_MODE_CPU,
					      CS_TRACE_ID, &ct->regs));
	if (ret) {
		cs_thr_free(ct);
		return ERR_PTR(ret);
	}
	ct->pos = hwt_buffer_head(buf);
	off = ct->pos;
	ct->off = do_div(off, (u32)ct->size);
	return ct;
}

/*
 * CPU mode through a shared TMC: CPU c's output, whose unit has trace ID
 * CS_TRACE_ID + c and writes through the context's one sink output over
 * buf (made with the first CPU's, cs_out_new).  Process context.
 * Returns it, or an ERR_PTR: the cs_out_new errors; -ENOMEM; -ENODEV if
 * CPU c's ETM has no path to the TMC (the CPU was offline at load).
 */
static struct cs_thr *cs_cpu_out(struct hwt_context *ctx,
				 struct hwt_buffer *buf, unsigned int c)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);
	struct cs_thr *ct;
	int ret;

	if (!cs_cpu_path[c].nhop)
		return ERR_PTR(-ENODEV);
	if (!cc->sink) {
		ct = cs_out_new(ctx, buf);
		if (IS_ERR(ct))
			return ct;
		cc->sink = ct;
	}
	ct = kzalloc(sizeof(*ct), GFP_KERNEL);
	if (!ct)
		return ERR_PTR(-ENOMEM);
	ct->ctx = ctx;
	ct->buf = buf;
	ct->size = cc->sink->size;
	ct->cpu = -1;
	ct->home = c;
	ct->sink = cc->sink;
	ret = cs_errno(cs_config_regs(&cs_caps, &cc->cfg, CS_MODE_CPU,
				      CS_TRACE_ID + c, &ct->regs));
	if (ret) {
		kfree(ct);
		return ERR_PTR(ret);
	}
	return ct;
}

/*
 * CPU mode, by IPI on the CPU of ct: the start sequence (cs_load).  The
 * task the IPI interrupted is traced from here on (the unit follows its
 * filters, not context switches), but no switch announces it: a
 * SWITCH_IN record for it at the head, in the same IRQs-off section, so
 * its bytes are placed; and a software unit is told, so that it steps
 * that task.
 */
static void cs_cpu_on(void *arg)
{
	struct cs_thr *ct = arg;

	WRITE_ONCE(ct->on, true);
	cs_load(ct);
	/*
	 * The answer START reads, taken here: once this IPI returns, a
	 * context switch on this CPU may be between its unload (ct->cpu
	 * -1) and load while START looks at ct->cpu from another CPU.
	 */
	ct->started = ct->cpu == smp_processor_id();
	if (!ct->started)
		return;
	hwt_cpu_record_current(ct->ctx);
	if (cs_hw->cpu_start)
		cs_hw->cpu_start();
}

/*
 * CPU mode, by IPI: the stop sequence, the head published (cs_unload);
 * through a shared TMC, the CPU's path closed and the TMC stopped by the
 * last CPU.
 */
static void cs_cpu_off(void *arg)
{
	struct cs_thr *ct = arg;

	cs_unload(ct);
	cs_release_shared(ct);
	WRITE_ONCE(ct->on, false);
}

/* CPU mode: tracing off on every CPU of the context; ctx->mutex held. */
static void cs_cpu_stop(struct cs_ctx *cc)
{
	unsigned int c;

	if (!cc->cpu)
		return;
	cpus_read_lock();
	for (c = 0; c < nr_cpu_ids; c++)
		if (cc->cpu[c] && smp_call_function_single(c, cs_cpu_off,
							   cc->cpu[c], 1)) {
			/* offline: its links and the sink from here */
			WRITE_ONCE(cc->cpu[c]->on, false);
			cs_release_shared(cc->cpu[c]);
		}
	cpus_read_unlock();
}

/*
 * CPU mode START: an output over each traced CPU's buffer, then, by IPI
 * on each of those CPUs, the start sequence (cs_seq_start, as a
 * thread's switch_in).  The unit then stays on across context switches;
 * cs_cpu_switch drains and re-enables it at each one.
 * Returns 0; -EBUSY if a CPU's unit was claimed meanwhile or a write
 * was refused (tracing is then off everywhere again); the cs_out_new
 * errors; -ENXIO if a traced CPU went offline.
 */
static int cs_cpu_start(struct hwt_context *ctx)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);
	struct cs_thr **cpu;
	unsigned int c;
	int ret = 0;

	cs_cpu_free(cc);
	cpu = kcalloc(nr_cpu_ids, sizeof(*cpu), GFP_KERNEL);
	if (!cpu)
		return -ENOMEM;
	for (c = 0; c < nr_cpu_ids && !ret; c++) {
		struct hwt_buffer *buf = hwt_cpu_buffer(ctx, c);

		if (!buf)
			continue;
		cpu[c] = cs_shared ? cs_cpu_out(ctx, buf, c) :
			 cs_out_new(ctx, buf);
		if (IS_ERR(cpu[c])) {
			ret = PTR_ERR(cpu[c]);
			cpu[c] = NULL;
			pr_info_ratelimited("cpu %u: no output over its buffer (%d)\n",
					    c, ret);
		}
	}
	/* The scheduler hook reads it once the context runs. */
	smp_store_release(&cc->cpu, cpu);
	cpus_read_lock();
	for (c = 0; c < nr_cpu_ids && !ret; c++) {
		if (!cpu[c])
			continue;
		ret = smp_call_function_single(c, cs_cpu_on, cpu[c], 1);
		/* Written by the IPI, which has returned (wait = 1). */
		if (!ret && !cpu[c]->started) {
			/* timed out, claimed, or refused: counted */
			ret = cpu[c]->timeouts ? -ETIMEDOUT : -EBUSY;
			pr_info_ratelimited("cpu %u: the unit did not start (%u claimed, %u timed out, %u refused or bad values)\n",
					    c, cpu[c]->busy, cpu[c]->timeouts,
					    cpu[c]->errors);
		}
	}
	cpus_read_unlock();
	if (ret) {
		cs_cpu_stop(cc);
		cs_cpu_free(cc);
	}
	return ret;
}

static void cs_stop(struct hwt_context *ctx)
{
	cs_cpu_stop(hwt_context_priv(ctx));
}

/*
 * CPU mode: a context switch on a traced CPU, between the framework's
 * SWITCH_OUT and SWITCH_IN records.  A software unit is told first (it
 * writes prev's last packets, and steps per task); then the stop
 * sequence drains the TRBE (TRCPRGCTLR = 0, wait IDLE, TSB CSYNC, DSB,
 * TRBLIMITR.E = 0, TRBPTR_EL1 read: Arm ARM D10.8) and publishes the
 * head, so that SWITCH_IN's buf_head is the exact byte where next's part
 * of the stream begins; then the start sequence again: the enable
 * (TRCPRGCTLR.EN 0 -> 1) makes the unit emit a trace synchronization,
 * A-sync and Trace Info (ETE / ETMv4 "trace unit enabling"), before
 * anything of next, so that next's run decodes from its first byte.
 * Scheduler: IRQs off, runqueue lock held.
 */
static void cs_cpu_switch(struct hwt_context *ctx, int cpu,
			  struct task_struct *prev, struct task_struct *next)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);
	/* Pairs with cs_cpu_start's smp_store_release: outputs built. */
	struct cs_thr **cpus = smp_load_acquire(&cc->cpu);
	struct cs_thr *ct = cpus ? cpus[cpu] : NULL;

	lockdep_assert_irqs_disabled();
	if (!ct || !READ_ONCE(ct->on) || ct->cpu != cpu)
		return;
	if (cs_hw->cpu_switch)
		cs_hw->cpu_switch(prev, next);
	cs_unload(ct);
	cs_load(ct);
}

/* In the traced thread (task_work), process context. */
static void cs_thread_start(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct cs_ctx *cc = hwt_context_priv(ctx);
	unsigned long flags;
	struct cs_thr *ct;
	u64 off;
	int ret;

	if (hwt_thread_priv(thr) || !hwt_thread_buffer(thr))
		return;
	ct = kzalloc(sizeof(*ct), GFP_KERNEL);
	if (!ct)
		return;
	ct->thr = thr;
	ct->buf = hwt_thread_buffer(thr);
	ct->size = hwt_buffer_size(ct->buf);
	ct->cpu = -1;
	ct->fill = cs_fill_mode(ctx);
	ret = cs_thr_map(ct);
	if (!ret && cs_etm4)
		ret = cs_thr_tmc(ct);
	if (!ret)
		ret = cs_errno(cs_config_regs(&cs_caps, &cc->cfg,
					      CS_MODE_THREAD, CS_TRACE_ID,
					      &ct->regs));
	if (ret) {
		pr_info_ratelimited("tid %d not traced (%d)\n",
				    task_pid_nr(current), ret);
		cs_thr_free(ct);
		return;
	}
	ct->pos = hwt_buffer_head(ct->buf);
	off = ct->pos;
	ct->off = do_div(off, (u32)ct->size);
	hwt_thread_set_priv(thr, ct);
	/* IRQs off: the poll must not find this CPU half programmed. */
	local_irq_save(flags);
	ct->on = true;
	cs_load(ct);
	local_irq_restore(flags);
	if (cs_hw->thread_attach)
		cs_hw->thread_attach(thr, &ct->regs);
}

/* Tracing of the thread ends for good (stop, or its exit: atomic). */
static void cs_thread_end(struct hwt_thread *thr, bool exiting)
{
	struct cs_thr *ct = hwt_thread_priv(thr);
	unsigned long flags;

	if (!ct)
		return;
	/* A software unit flushes what it still holds while enabled. */
	if (cs_hw->thread_detach)
		cs_hw->thread_detach(thr, exiting);
	local_irq_save(flags);
	cs_unload(ct);
	WRITE_ONCE(ct->on, false);
	local_irq_restore(flags);
	hwt_thread_set_priv(thr, NULL);
	if (ct->busy || ct->errors || ct->stops || ct->sink_busy)
		pr_info_ratelimited("tid %d: %u switch-ins found the unit claimed, %u the shared sink held (untraced runs), %u refused accesses or bad status, %u sink stops or wraps\n",
				    task_pid_nr(current), ct->busy,
				    ct->sink_busy, ct->errors, ct->stops);
	if (exiting) {
		llist_add(&ct->free_link, &cs_free_list);
		schedule_work(&cs_free_work);
	} else {
		cs_thr_free(ct);
	}
}

static void cs_thread_stop(struct hwt_context *ctx, struct hwt_thread *thr)
{
	cs_thread_end(thr, false);
}

static void cs_thread_exit(struct hwt_context *ctx, struct hwt_thread *thr)
{
	cs_thread_end(thr, true);
}

/* Read-only counters for the tests (docs/coresight-backend.md). */
static int cs_get_counter(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(kp->arg));
}

static const struct kernel_param_ops cs_counter_ops = {
	.get = cs_get_counter,
};

module_param_cb(polls, &cs_counter_ops, &cs_poll_count, 0444);
MODULE_PARM_DESC(polls, "polls that published new output");
module_param_cb(claimed, &cs_counter_ops, &cs_busy_count, 0444);
MODULE_PARM_DESC(claimed, "switch-ins that found the unit claimed");
module_param_cb(sink_busy, &cs_counter_ops, &cs_sink_busy_count, 0444);
MODULE_PARM_DESC(sink_busy, "thread mode: switch-ins that found the shared sink held (each run untraced, a gap)");
module_param_cb(stops, &cs_counter_ops, &cs_stop_count, 0444);
MODULE_PARM_DESC(stops, "TRBE stops or interrupts, TMC wraps or ETF drains, the poll handled");
module_param_cb(irqs, &cs_counter_ops, &cs_irq_count, 0444);
MODULE_PARM_DESC(irqs, "TRBE interrupts handled (a full buffer, a wrap, or a fatal event)");
module_param_cb(irqs_none, &cs_counter_ops, &cs_irq_none_count, 0444);
MODULE_PARM_DESC(irqs_none, "TRBE interrupts with nothing pending (a switch drained it first)");
module_param_cb(irqs_fatal, &cs_counter_ops, &cs_irq_fatal_count, 0444);
MODULE_PARM_DESC(irqs_fatal, "TRBE interrupts for an abort, EA, trigger or IMPDEF event (trace off)");

static const struct hwt_backend_ops cs_ops = {
	.init = cs_init,
	.deinit = cs_deinit,
	.configure = cs_configure,
	.describe = cs_describe,
	.start = cs_start,
	.stop = cs_stop,
	.cpu_switch = cs_cpu_switch,
	.thread_start = cs_thread_start,
	.thread_stop = cs_thread_stop,
	.thread_exit = cs_thread_exit,
	.switch_in = cs_switch_in,
	.switch_out = cs_switch_out,
};

static struct hwt_backend cs_backend = {
	.name = HWT_CORESIGHT_BACKEND_NAME,
	.owner = THIS_MODULE,
	.ops = &cs_ops,
	.modes = HWT_BACKEND_THREAD | HWT_BACKEND_CPU,
};

/* This CPU's MPIDR affinity, as /cpus reg holds it (Arm ARM D19). */
static void cs_mpidr_fn(void *arg)
{
	u64 *mpidr = arg;

	mpidr[smp_processor_id()] = read_cpuid_mpidr() & MPIDR_HWID_BITMASK;
}

static void cs_topo_free(void)
{
	kvfree(cs_topo);
	kfree(cs_cpu_path);
	kfree(cs_use);
	cs_topo = NULL;
	cs_cpu_path = NULL;
	cs_use = NULL;
	cs_shared = false;
}

/*
 * Whether TMC l, a link on a CPU's path, is an ETF: DEVID.CONFIGTYPE 2
 * (TMC 3.3.27), read through the ops' link_read, which maps it.
 * Returns true if it is, false if not or if DEVID cannot be read.
 */
static bool cs_etf_link_ok(const struct cs_comp *l)
{
	u64 devid;

	if (cs_hw->link_read(l->base, TMC_DEVID, &devid))
		return false;
	return ((devid >> TMC_DEVID_CONFIG_SHIFT) & 3) == CS_TMC_ETF;
}

/*
 * The links of path p from its first ETF on, each followed by " -> "
 * ("etf@20010000 (ETF, hardware FIFO) -> funnel@20150000 -> "), into
 * buf; empty if it has no ETF.  So the load line names the ETF and the
 * replicator in front of the ETR.
 */
static void cs_tail_name(const struct cs_path *p, char *buf, size_t len)
{
	unsigned int i;
	size_t at = 0;
	bool etf = false;

	buf[0] = 0;
	for (i = 1; i + 1 < p->nhop && at < len; i++) {
		const struct cs_comp *l = &cs_topo->comp[p->hop[i].comp];

		etf |= l->kind == CS_COMP_TMC;
		if (etf)
			at += scnprintf(buf + at, len - at, "%s%s -> ",
					l->name, l->kind == CS_COMP_TMC ?
					" (ETF, hardware FIFO)" : "");
	}
}

/*
 * ETMv4 + TMC: the topology the ops table brings (the emulated unit's
 * device tree; a real board's is hwt_cs_of's, not programmed yet), read
 * with cs_topo_parse as the booted tree is.  Each online CPU's ETM (by
 * its MPIDR), the sink its trace is collected in (cs_topo_collector:
 * the ETR behind an ETF, as on Juno, HiKey and the DragonBoard 410c),
 * and the path there; when every CPU reaches one TMC through funnels,
 * replicators and ETFs (each TMC on the way must say CONFIGTYPE ETF in
 * its DEVID, TMC 3.3.27: it is driven as a link in Hardware FIFO mode,
 * cs_link.h), the CPUs share it (cs_shared): CPU mode writes all their
 * trace, trace ID CS_TRACE_ID + CPU, into one buffer.
 * Returns 0 (cs_shared set, or no topology: each CPU's own TMC);
 * -ENOMEM; -ENODEV after one line saying what the tree lacks.
 */
static int cs_topo_load(void)
{
	char tail[160];
	const struct cs_dt_ops *ops;
	uintptr_t root;
	void *ctx;
	u16 sink;
	int c, e, n, first = -1, ret = -ENOMEM;
	unsigned int i;
	u64 *mpidr;

	if (!cs_hw->topology || cs_hw->topology(&ops, &ctx, &root))
		return 0;
	cs_topo = kvzalloc(sizeof(*cs_topo), GFP_KERNEL);
	cs_cpu_path = kcalloc(nr_cpu_ids, sizeof(*cs_cpu_path), GFP_KERNEL);
	cs_use = kcalloc(CS_TOPO_MAX_COMP, sizeof(*cs_use), GFP_KERNEL);
	mpidr = kcalloc(nr_cpu_ids, sizeof(*mpidr), GFP_KERNEL);
	if (!cs_topo || !cs_cpu_path || !cs_use || !mpidr)
		goto out;
	ret = -ENODEV;
	if (cs_topo_parse(cs_topo, ops, ctx, root)) {
		pr_info("the trace unit's device tree is malformed or too large: not loading\n");
		goto out;
	}
	on_each_cpu(cs_mpidr_fn, mpidr, 1);
	for_each_online_cpu(c) {
		e = cs_topo_etm_of(cs_topo, mpidr[c]);
		n = e < 0 ? -1 : cs_topo_collector(cs_topo, e);
		if (n < 0 && e >= 0 &&
		    cs_topo_sinks(cs_topo, e, &sink, 1) > 0) {
			pr_info("cpu %d: %s -> %s: only one TMC shared by every CPU is driven: not loading\n",
				c, cs_topo->comp[e].name,
				cs_topo->comp[sink].name);
			goto out;
		}
		if (n < 0) {
			pr_info("cpu %d (MPIDR %#llx): %s: not loading\n", c,
				mpidr[c], e < 0 ? "no ETMv4 in the device tree" :
				"its ETMv4 reaches no sink");
			goto out;
		}
		sink = n;
		if (first >= 0 && sink != first) {
			pr_info("cpu %d: %s -> %s: only one TMC shared by every CPU is driven: not loading\n",
				c, cs_topo->comp[e].name,
				cs_topo->comp[sink].name);
			goto out;
		}
		first = sink;
		if (cs_topo_path(cs_topo, e, sink, &cs_cpu_path[c]))
			goto out;
		for (i = 1; i + 1 < cs_cpu_path[c].nhop; i++) {
			const struct cs_comp *l =
				&cs_topo->comp[cs_cpu_path[c].hop[i].comp];

			if (l->kind == CS_COMP_TMC && cs_hw->link_read &&
			    !cs_etf_link_ok(l)) {
				pr_info("cpu %d: %s on the way to %s is a TMC whose DEVID says no ETF (one that can pass trace on in Hardware FIFO mode): not loading\n",
					c, l->name, cs_topo->comp[sink].name);
				goto out;
			}
			if (l->kind != CS_COMP_FUNNEL &&
			    l->kind != CS_COMP_REPLICATOR &&
			    l->kind != CS_COMP_TMC) {
				pr_info("cpu %d: %s on the way to %s is no funnel, replicator or ETF: not loading\n",
					c, l->name, cs_topo->comp[sink].name);
				goto out;
			}
		}
	}
	if (first < 0 || !cs_hw->link_read || !cs_hw->link_write)
		goto out;
	cs_shared = true;
	cs_tail_name(&cs_cpu_path[cpumask_first(cpu_online_mask)], tail,
		     sizeof(tail));
	pr_info("CPUs %*pbl: ETMv4 -> funnels -> %s%s, one sink shared (trace ID %#x + CPU)\n",
		cpumask_pr_args(cpu_online_mask), tail,
		cs_topo->comp[first].name, CS_TRACE_ID);
	ret = 0;
out:
	kfree(mpidr);
	if (ret)
		cs_topo_free();
	return ret;
}

static int __init hwt_coresight_init(void)
{
	const struct cs_hw_ops *emu = symbol_get(hwt_cs_emu_hw_ops);
	int ret, c;

	/* The emulated unit, if it is loaded (docs/coresight-backend.md). */
	if (emu) {
		cs_hw = emu;
		cs_hw_emulated = true;
	} else if (!((cs_native_dfr0() >> 4) & 0xf) ||
		   !((cs_native_dfr0() >> 44) & 0xf)) {
		/*
		 * No ETE + TRBE: memory-mapped ETMv4s from the device tree
		 * (hwt_cs_mmio), if it has any; else the refusal below
		 * describes the tree.
		 */
		ret = hwt_cs_mmio_open(&cs_hw);
		if (ret && ret != -ENOENT)
			return ret;
	}
	preempt_disable();
	ret = cs_read_id(&cs_id);
	preempt_enable();
	if (ret)
		goto fail;
	ret = cs_errno(cs_caps_parse(&cs_id, &cs_caps));
	if (!cs_etm4 && (ret || cs_caps.arch != CS_ARCH_ETE || !cs_caps.trbe)) {
		pr_info("no usable ETE + TRBE (TRCDEVARCH %#x, TRBIDR_EL1 %#llx, %d): not loading\n",
			cs_id.trcdevarch, cs_id.trbidr, ret);
		ret = -ENODEV;
		goto fail;
	}
	if (cs_etm4 && (ret || cs_caps.arch != CS_ARCH_ETMV4)) {
		pr_info("the memory-mapped unit is no usable ETMv4 (TRCIDR1 %#x, TRCDEVARCH %#x, %d): not loading\n",
			cs_id.trcidr[1], cs_id.trcdevarch, ret);
		ret = -ENODEV;
		goto fail;
	}
	/* An ETR without scatter-gather writes one contiguous block. */
	if (cs_etm4 && cs_tmc.kind == CS_TMC_ETR && !cs_tmc.sg)
		cs_backend.modes |= HWT_BACKEND_CONTIG;
	if (cs_etm4) {
		ret = cs_topo_load();
		if (ret)
			goto fail;
	}
	/*
	 * One TMC for every CPU: CPU mode, one buffer; thread mode, the
	 * TMC taken by one thread at a time over its own buffer
	 * (cs_start_thread_shared), the others' runs meanwhile untraced
	 * and recorded as gaps.
	 */
	if (cs_shared) {
		if (cs_tmc.kind != CS_TMC_ETR) {
			pr_info("the shared TMC is no ETR (an ETF's RAM is drained stopped, which would stop every CPU's trace): not loading\n");
			ret = -ENODEV;
			goto fail;
		}
		cs_backend.modes = HWT_BACKEND_THREAD | HWT_BACKEND_CPU |
				   HWT_BACKEND_CPU_SHARED;
	}
	cs_backend.max_ranges = cs_caps.max_ranges;
	for_each_possible_cpu(c) {
		struct hrtimer *t = per_cpu_ptr(&cs_poll_timer, c);

		hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
		t->function = cs_poll_fn;
	}
	cs_trbe_irq_setup();
	ret = hwt_backend_register(&cs_backend);
	if (ret) {
		cs_trbe_irq_teardown();
		goto fail;
	}
	if (cs_hw_emulated)
		pr_info("using the trace unit of %s\n", cs_hw->name);
	if (cs_etm4)
		pr_info("ETMv4 %u.%u with an %s%s\n", cs_caps.arch_major,
			cs_caps.arch_minor,
			cs_tmc.kind == CS_TMC_ETR ? "ETR" : "ETF",
			cs_tmc.kind != CS_TMC_ETR ? "" :
			cs_tmc.sg ? " (scatter-gather)" : " (contiguous)");
	return 0;
fail:
	cs_topo_free();
	hwt_cs_mmio_close();
	if (cs_hw_emulated)
		symbol_put(hwt_cs_emu_hw_ops);
	return ret;
}

static void __exit hwt_coresight_exit(void)
{
	int c;

	hwt_backend_unregister(&cs_backend);
	flush_work(&cs_free_work);
	for_each_possible_cpu(c)
		hrtimer_cancel(per_cpu_ptr(&cs_poll_timer, c));
	cs_trbe_irq_teardown();
	cs_topo_free();
	hwt_cs_mmio_close();
	if (cs_hw_emulated)
		symbol_put(hwt_cs_emu_hw_ops);
}

module_init(hwt_coresight_init);
module_exit(hwt_coresight_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt CoreSight backend: ETE + TRBE, ETMv4 + TMC (thread and CPU mode)");
