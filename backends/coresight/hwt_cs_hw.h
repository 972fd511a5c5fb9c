/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace unit as the coresight backend sees it: the ETE and TRBE
 * system registers and the barriers, through one table of operations
 * (kernel only).  Registers are named by the numbers of cs_pure.h: the
 * ETMv4 memory-mapped offsets (ETE system registers use the same
 * numbers, ETMv4 7.1 / ETE "System register interface") and CS_TRB* for
 * the TRBE.
 *
 * On hardware they are the MRS/MSR accessors of hwt_coresight_main.c.
 * The emulated unit hwt_cs_emu (backends/coresight/emu) exports its own
 * table as hwt_cs_emu_hw_ops: hwt_coresight picks it up at load with
 * symbol_get() when hwt_cs_emu is loaded first, and holds that module
 * until it unloads itself.  A software unit also single-steps the
 * threads it traces, so it gets the thread's lifecycle (thread_attach
 * after tracing was enabled in the thread, thread_detach before it is
 * disabled for good); hardware leaves them NULL.
 *
 * An ETMv4 unit is memory-mapped, and so is its sink, a TMC (ETR or
 * ETF; cs_tmc.h): read/write reach the ETMv4's registers by the same
 * offsets, tmc_read/tmc_write the TMC's.  On hardware both are found in
 * the device tree (arm,coresight-etm4x, arm,coresight-tmc) or, booted
 * with ACPI, in the namespace (ARMHC500, ARMHC97C, ... and their _DSD
 * graphs: hwt_cs_acpi.c, cs_acpi.c) and ioremapped by hwt_cs_mmio.c,
 * whose table (the current CPU's ETMv4, the TMC every CPU shares, the
 * funnels and replicators between) is the native one where there is no
 * ETE + TRBE.
 */
#ifndef HWT_CS_HW_H
#define HWT_CS_HW_H

#include <linux/types.h>

#include "cs_seq.h"
#include "cs_topo.h"

struct hwt_thread;
struct task_struct;

struct cs_hw_ops {
	const char *name;
	/* ID_AA64DFR0_EL1 (Arm ARM D19): TraceVer 7:4, TraceBuffer 47:44. */
	u64 (*dfr0)(void);
	/*
	 * On the current CPU, IRQs or preemption off.  0, or -EIO if the
	 * access was refused (an emulated rule) or names no register.
	 */
	int (*read)(u32 reg, u64 *val);
	int (*write)(u32 reg, u64 val);
	/* CS_OP_ISB, CS_OP_DSB or CS_OP_TSB on the current CPU. */
	void (*order)(enum cs_op_kind kind);
	/*
	 * Software units only.  In the traced thread: attach in process
	 * context, with the register values the backend programs at the
	 * thread's runs (regs: what a unit enabled there would hold);
	 * detach in process context or (exiting) from its exit hook,
	 * atomic.
	 */
	void (*thread_attach)(struct hwt_thread *thr,
			      const struct cs_regs *regs);
	void (*thread_detach)(struct hwt_thread *thr, bool exiting);
	/*
	 * Software units only, CPU mode.  cpu_switch: a context switch on
	 * a CPU whose unit is on (scheduler, IRQs off), before the backend
	 * drains and re-enables the unit there.  cpu_start: START's IPI
	 * just enabled the unit on this CPU (IRQs off): the task it
	 * interrupted is traced from here, which no switch announces.
	 */
	void (*cpu_switch)(struct task_struct *prev, struct task_struct *next);
	void (*cpu_start)(void);
	/*
	 * ETMv4 + TMC.  The current CPU's TMC: its DEVID and (ETF) RSZ, 0,
	 * or -ENODEV if it has none.  Register access on the current CPU's
	 * TMC, as read/write: 0 or -EIO.
	 */
	int (*tmc_probe)(u32 *devid, u32 *rsz);
	int (*tmc_read)(u32 reg, u64 *val);
	int (*tmc_write)(u32 reg, u64 val);
	/*
	 * ETMv4 + TMC behind links.  topology: the device tree of a unit
	 * that brings its own (the emulated one, cs_emu_topo.h), read
	 * through *ops with *ctx from *root as hwt_cs_of reads the booted
	 * tree: 0, or -ENODEV if it has none (each CPU then has its own
	 * TMC, tmc_probe's).  When the tree's ETMs all reach one TMC, that
	 * is the TMC tmc_read/tmc_write reach from every CPU.
	 * link_read/link_write: the registers of the funnel or replicator
	 * whose reg (base address in the tree) is base, from any CPU: 0,
	 * or -EIO if refused or no link is there.
	 */
	int (*topology)(const struct cs_dt_ops **ops, void **ctx,
			uintptr_t *root);
	int (*link_read)(u64 base, u32 reg, u64 *val);
	int (*link_write)(u64 base, u32 reg, u64 val);
	/*
	 * ETE + TRBE: the TRBE's maintenance interrupt (Arm ARM D10.3,
	 * TRBSR_EL1.IRQ), a per-CPU interrupt (percpu_devid, as a PPI),
	 * raised on the CPU whose TRBE set IRQ while the driver has it
	 * enabled there (enable_percpu_irq), and asserted as long as
	 * TRBSR_EL1.IRQ is 1.  Returns its Linux irq number, or -ENODEV
	 * if the unit has none.  Hardware leaves it NULL: the backend
	 * looks in the firmware tables.
	 */
	int (*trbe_irq)(void);
};

/* hwt_cs_emu's table (a weak reference: see symbol_get()). */
extern const struct cs_hw_ops hwt_cs_emu_hw_ops;

#endif /* HWT_CS_HW_H */
