/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_trbe: Trace Buffer Extension programming values over a buffer, the
 * write pointer turned into a byte offset, and TRBSR_EL1 decoded.  Rules:
 * Arm ARM (DDI 0487) D10 "The Trace Buffer Extension" (D10.2 "The trace
 * buffer": base, limit and write pointer; D10.3 "Trace buffer
 * management": fill modes, trigger, buffer management events) and the
 * register pages TRBBASER_EL1, TRBLIMITR_EL1, TRBPTR_EL1, TRBSR_EL1,
 * TRBIDR_EL1 (D19).
 */
#ifndef HWT_CS_TRBE_H
#define HWT_CS_TRBE_H

#include "cs_pure.h"
#include "cs_caps.h"

#define CS_TRBE_PAGE	4096ull	/* TRBBASER/TRBLIMITR granule: 63:12 */

struct cs_trbe_regs {
	uint64_t baser;		/* TRBBASER_EL1 */
	uint64_t limitr;	/* TRBLIMITR_EL1 with E set */
	uint64_t ptr;		/* TRBPTR_EL1 */
};

/*
 * cs_trbe_program() - TRBE register values for a buffer.
 * @base:	virtual address of the buffer (TRBLIMITR.nVM = 0)
 * @size:	its size in bytes
 * @fill:	TRB_FM_FILL, TRB_FM_WRAP or TRB_FM_CIRCULAR
 * @trig:	TRB_TM_STOP, TRB_TM_IRQ or TRB_TM_IGNORE
 * @offset:	where the write pointer starts, from base
 *
 * Returns 0 and fills regs.
 * Returns -CS_EOPNOTSUPP if the CPU has no TRBE it can program
 * (caps->trbe).
 * Returns -CS_EINVAL if base or size is not 4K aligned (BASE and LIMIT
 * are 63:12, D10.2), size is 0 or base + size overflows, fill or trig is
 * a reserved encoding (0b10) or out of range, or offset is not below
 * size or not aligned to 2^TRBIDR_EL1.Align.
 */
int cs_trbe_program(const struct cs_caps *caps, uint64_t base,
		    uint64_t size, unsigned int fill, unsigned int trig,
		    uint64_t offset, struct cs_trbe_regs *regs);

/*
 * cs_trbe_offset() - the write pointer as a byte offset into the buffer.
 *
 * Returns 0 and sets *off to ptr - base (size when a filled buffer has
 * ptr == limit).
 * Returns -CS_EINVAL if ptr is outside [base, limit] (a pointer the unit
 * can never hold: the buffer was reprogrammed or the read is wrong).
 */
int cs_trbe_offset(const struct cs_trbe_regs *regs, uint64_t ptr,
		   uint64_t *off);

enum cs_trbe_why {
	CS_TRBE_RUNNING,	/* S == 0: not stopped */
	CS_TRBE_STOP_NONE,	/* stopped, EC 0 / BSC 0: by software */
	CS_TRBE_FULL,		/* buffer full in fill mode (BSC 1) */
	CS_TRBE_TRIGGER,	/* stop on trigger (BSC 2) */
	CS_TRBE_ABORT_S1,	/* data abort on write, stage 1 (EC 0x24) */
	CS_TRBE_ABORT_S2,	/* stage 2 (EC 0x25) */
	CS_TRBE_GPC,		/* granule protection check (EC 0x1e) */
	CS_TRBE_IMPDEF,		/* IMPLEMENTATION DEFINED event (0x1f) */
};

struct cs_trbe_status {
	enum cs_trbe_why why;
	uint8_t irq;		/* TRBSR.IRQ: the management interrupt */
	uint8_t wrapped;	/* TRBSR.WRAP: the pointer wrapped */
	uint8_t triggered;	/* TRBSR.TRG */
	uint8_t ext_abort;	/* TRBSR.EA */
	uint8_t stopped;	/* TRBSR.S */
	uint8_t ec, bsc;
	uint16_t mss;		/* syndrome: BSC or FSC, 15:0 */
};

/*
 * cs_trbe_status() - decode TRBSR_EL1.
 *
 * Returns 0 and fills st.
 * Returns -CS_EINVAL if EC is a value the TRBE does not define
 * (anything but 0, 0x1e, 0x1f, 0x24, 0x25), or EC is 0 with BSC not 0,
 * 1 or 2, or a RES0 bit (16, 19, 25:23, 63:32) is set.
 */
int cs_trbe_status(uint64_t trbsr, struct cs_trbe_status *st);

/* What the TRBE's management interrupt asks of its handler. */
enum cs_trbe_act {
	CS_TRBE_ACT_NONE,	/* TRBSR.IRQ clear: nothing pending (a drain
				 * at a switch got there first): IRQ_NONE */
	CS_TRBE_ACT_FULL,	/* Fill mode, buffer full: stopped at the
				 * base; drain (a gap), restart */
	CS_TRBE_ACT_WRAP,	/* Wrap mode, the pointer wrapped and
				 * collection goes on: drain a lap, restart */
	CS_TRBE_ACT_FATAL,	/* anything else: an error, trace stays off */
};

/*
 * cs_trbe_irq_action() - what to do for TRBSR_EL1 (trbsr) read in the
 * TRBE's maintenance interrupt handler, the TRBE programmed in fill mode
 * fill with the trigger ignored (TRB_TM_IGNORE).  Arm ARM D10.3 "Trace
 * buffer management events": at the limit the pointer wraps to the base
 * with TRBSR.WRAP set; in Fill mode collection stops (S, EC 0, BSC
 * FULL) and TRBSR.IRQ is set; in Wrap mode IRQ is set and collection
 * goes on; in Circular Buffer mode no event and no interrupt.  As
 * Linux's coresight-trbe.c trbe_get_fault_act(): a trigger, an external
 * abort (EA) or a data abort is fatal.
 *
 * Returns CS_TRBE_ACT_NONE if IRQ is clear and the value is one the TRBE
 * defines; CS_TRBE_ACT_FULL if fill is TRB_FM_FILL and TRBSR says WRAP,
 * S, EC 0 with BSC FULL, no EA or TRG; CS_TRBE_ACT_WRAP if fill is
 * TRB_FM_WRAP and TRBSR says WRAP, EC 0 with BSC 0, no S, EA or TRG;
 * CS_TRBE_ACT_FATAL for any other value with IRQ set (an abort, EA, a
 * GPC fault, an IMPDEF event, a trigger, an event Circular Buffer mode
 * never raises, a stop without a full buffer) and for a value the TRBE
 * does not define (cs_trbe_status()) or a fill that is no fill mode.
 */
enum cs_trbe_act cs_trbe_irq_action(uint64_t trbsr, unsigned int fill);

/* What the driver may copy out after the unit stopped or was stopped. */
struct cs_trbe_span {
	uint64_t off;		/* first byte, from base */
	uint64_t len;		/* bytes; may wrap past the end */
	uint8_t lost;		/* older trace was overwritten (wrap) */
	uint8_t full;		/* Fill mode stopped at the limit: trace
				 * after it is lost */
};

/*
 * cs_trbe_collect() - the valid bytes of a buffer from where the pointer
 * started (start), where it is now (now, an offset from cs_trbe_offset),
 * the fill mode and TRBSR.WRAP.  At the limit the write pointer returns
 * to the base and WRAP is set in every mode (D10.3; Linux's
 * coresight-trbe.c: "If the TRBE has wrapped around the write pointer has
 * wrapped and should be treated as limit", and a Fill-mode stop is WRAP
 * with EC 0, BSC FILLED).  So:
 *   no wrap:                 [start, now);
 *   Fill mode with wrap:     [start, size), full set (the unit stopped);
 *   Wrap/Circular with wrap: the whole buffer, oldest byte at now, lost
 *                            set (older trace may have been overwritten).
 *
 * Returns 0 and fills span.
 * Returns -CS_EINVAL if start or now exceeds size, fill is not a fill
 * mode, without wrap now is below start, or in Fill mode with wrap now is
 * not 0 (the pointer stops at the base).
 */
int cs_trbe_collect(uint64_t size, uint64_t start, uint64_t now,
		    unsigned int fill, int wrapped, struct cs_trbe_span *span);

/* Where a thread's trace got to between two drains (cs_trbe_advance). */
struct cs_trbe_adv {
	uint64_t bytes;		/* written since the drain before */
	uint64_t off;		/* where the unit writes next, from base */
	uint8_t gap;		/* trace was lost: the TRBE stopped (Fill
				 * mode, full) or could not write */
	uint8_t error;		/* an abort, EA, or an IMPDEF event */
};

/*
 * cs_trbe_advance() - the output of a TRBE that started writing at
 * offset off of the buffer in regs (base to limit) in fill mode fill,
 * from the TRBPTR_EL1 (ptr) and TRBSR_EL1 (trbsr) read back after it was
 * disabled (D10.3, cs_trbe_collect()): without WRAP, ptr - off bytes;
 * with WRAP, the rest of the buffer and ptr's offset (in Fill mode the
 * TRBE then stopped at the base: what the unit traced until it is
 * restarted is lost, gap; in Wrap and Circular Buffer mode it went on,
 * at least once round: bytes counts one lap).  A data abort, external
 * abort, GPC fault or IMPDEF event stopped it too: gap and error.
 *
 * Returns 0 and fills adv.
 * Returns -CS_EINVAL if off is not below the buffer's size, ptr is
 * outside [base, limit], trbsr is not a value the TRBE defines
 * (cs_trbe_status()), without WRAP ptr is below off, or a Fill-mode WRAP
 * left the pointer anywhere but the base.
 */
int cs_trbe_advance(const struct cs_trbe_regs *regs, uint64_t off,
		    unsigned int fill, uint64_t ptr, uint64_t trbsr,
		    struct cs_trbe_adv *adv);

/*
 * cs_trbe_pad() - bytes from off to the next offset TRBPTR_EL1 may hold
 * (aligned to 2^TRBIDR_EL1.Align, D19 "TRBPTR_EL1"; the driver fills them
 * with Ignore packets).  Returns them (0 if off is aligned).
 */
uint64_t cs_trbe_pad(const struct cs_caps *caps, uint64_t off);

#endif /* HWT_CS_TRBE_H */
