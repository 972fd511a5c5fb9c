/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_tmc: the Trace Memory Controller sinks of an ETMv4 system, as pure
 * logic: the TMC's capabilities from DEVID, register values for the
 * ETR (scatter-gather and contiguous) and the ETF (circular buffer,
 * drained through RRD), the ETR scatter-gather table over the hwt
 * buffer's pages, the write pointer turned into a byte offset and what a
 * drain adds, and the formatter that wraps each source's bytes in 16-byte
 * frames with its trace ID.
 *
 * "TMC" below is the CoreSight Trace Memory Controller TRM (DDI 0461B,
 * r0p1) chapter 3 "Programmers model" (register pages by name) and
 * chapter 2 "Functional description" (formatter, modes, flush); "SoC-600"
 * the CoreSight SoC-600 TRM's TMC-ETR pages (100806), which add the
 * scatter-gather table format this file builds; "CoreSight D4" the
 * CoreSight Architecture Specification v3.0 chapter D4 "Trace
 * Formatter" (the frame); "CoreSight B2" its management registers (LAR,
 * LSR, CLAIM, DEVID).  The texts were not at hand: section names are as
 * recalled, the bit positions were checked against Linux's
 * coresight-tmc.h and coresight-tmc-etr.c (table entry format, RRP/RWP
 * in scatter-gather mode), which follow the same TRMs.
 */
#ifndef HWT_CS_TMC_H
#define HWT_CS_TMC_H

#include "cs_pure.h"

/* TMC registers by byte offset (TMC 3.1 "Register summary"). */
#define TMC_RSZ		0x004	/* RAM size, 32-bit words */
#define TMC_STS		0x00c
#define TMC_RRD		0x010	/* RAM read data */
#define TMC_RRP		0x014	/* RAM read pointer, bits 31:0 */
#define TMC_RWP		0x018	/* RAM write pointer, bits 31:0 */
#define TMC_TRG		0x01c
#define TMC_CTL		0x020
#define TMC_MODE	0x028
#define TMC_BUFWM	0x034	/* buffer level water mark (ETF) */
#define TMC_RRPHI	0x038
#define TMC_RWPHI	0x03c
#define TMC_AXICTL	0x110	/* ETR only */
#define TMC_DBALO	0x118	/* ETR only: data buffer address */
#define TMC_DBAHI	0x11c
#define TMC_FFSR	0x300
#define TMC_FFCR	0x304
#define TMC_CLAIMSET	0xfa0
#define TMC_CLAIMCLR	0xfa4
#define TMC_LAR		0xfb0	/* CoreSight B2: software lock */
#define TMC_LSR		0xfb4
#define TMC_DEVID	0xfc8

/* STS (TMC 3.3.3). */
#define TMC_STS_FULL		(1u << 0)
#define TMC_STS_TRIGGERED	(1u << 1)
#define TMC_STS_TMCREADY	(1u << 2)
#define TMC_STS_FTEMPTY		(1u << 3)
#define TMC_STS_EMPTY		(1u << 4)
#define TMC_STS_MEMERR		(1u << 5)
/* CTL.TraceCaptEn (TMC 3.3.8). */
#define TMC_CTL_CAPTEN		(1u << 0)
/* MODE (TMC 3.3.10). */
#define TMC_MODE_CB		0u	/* circular buffer */
#define TMC_MODE_SWFIFO		1u
#define TMC_MODE_HWFIFO		2u	/* ETF only */
/* AXICTL (TMC 3.3.16, ETR). */
#define TMC_AXICTL_PROT_MASK	0x3u		/* 1:0 */
#define TMC_AXICTL_PROT_NS	(1u << 1)	/* non-secure access */
#define TMC_AXICTL_CACHE_MASK	(0xfu << 2)	/* 5:2 */
#define TMC_AXICTL_SG		(1u << 7)	/* ScatterGatherMode */
#define TMC_AXICTL_BURST_SHIFT	8		/* 11:8, beats - 1 */
#define TMC_AXICTL_DEFINED	0xfbfu
/* FFSR (TMC 3.3.19) and FFCR (3.3.20). */
#define TMC_FFSR_FLINPROG	(1u << 0)
#define TMC_FFSR_FTSTOPPED	(1u << 1)
#define TMC_FFCR_ENFT		(1u << 0)	/* formatting on */
#define TMC_FFCR_ENTI		(1u << 1)	/* trigger insertion */
#define TMC_FFCR_FONFLIN	(1u << 4)	/* flush on FLUSHIN */
#define TMC_FFCR_FONTRIG	(1u << 5)	/* flush on trigger event */
#define TMC_FFCR_FLUSHMAN	(1u << 6)	/* manual flush, self-clearing */
#define TMC_FFCR_TRIGONTRIGIN	(1u << 8)
#define TMC_FFCR_TRIGONTRIGEVT	(1u << 9)
#define TMC_FFCR_TRIGONFL	(1u << 10)
#define TMC_FFCR_STOPONFL	(1u << 12)	/* stop after a flush */
#define TMC_FFCR_STOPONTRIG	(1u << 13)
#define TMC_FFCR_DEFINED	0x3773u
/* DEVID (TMC 3.3.27; Linux coresight-tmc.h). */
#define TMC_DEVID_CONFIG_SHIFT	6		/* 7:6: 0 ETB, 1 ETR, 2 ETF */
#define TMC_DEVID_MEMWIDTH_SHIFT 8		/* 10:8: 2 = 32 bits .. 5 */
#define TMC_DEVID_AXIAW_VALID	(1u << 16)
#define TMC_DEVID_AXIAW_SHIFT	17		/* 23:17 address bits */
#define TMC_DEVID_NOSCAT	(1u << 24)	/* no scatter-gather */

/* Scatter-gather table (SoC-600 TMC-ETR "Scatter-gather table";
 * Linux coresight-tmc-etr.c): 4 KiB table pages of 1024 32-bit entries,
 * each bits 31:4 = address bits 39:12 of a 4 KiB page, 3:2 SBZ, 1:0 the
 * type.  The last entry of a table page that is not the last is a LINK
 * to the next table page; the last data page's entry is LAST; after it
 * the ETR goes back to the first entry at DBA (and sets STS.Full). */
#define CS_TMC_PAGE		4096ull
#define CS_TMC_SG_ENTRIES	1024u
#define CS_TMC_SG_RESERVED	0u
#define CS_TMC_SG_LAST		1u
#define CS_TMC_SG_NORMAL	2u
#define CS_TMC_SG_LINK		3u
#define CS_TMC_SG_ADDR_BITS	40	/* entries hold address bits 39:12 */

/* Formatter frame (CoreSight D4, TMC 2.x "Formatter"). */
#define CS_FRAME		16u
#define CS_FRAME_ID_NULL	0x00u	/* no source: padding */

enum cs_tmc_kind {
	CS_TMC_ETB = 0,		/* DEVID.CONFIGTYPE */
	CS_TMC_ETR = 1,
	CS_TMC_ETF = 2,
};

struct cs_tmc_caps {
	enum cs_tmc_kind kind;
	uint8_t memwidth;	/* bytes per RAM / AXI beat: 4..32 */
	uint8_t sg;		/* ETR with scatter-gather */
	uint8_t addr_bits;	/* ETR AXI address width; 40 if not given */
	uint32_t ram;		/* ETF/ETB RAM in bytes (RSZ * 4) */
};

/*
 * cs_tmc_parse() - the TMC from DEVID and, for an ETF/ETB, its RSZ.
 *
 * Returns 0 and fills caps.
 * Returns -CS_ENODEV if CONFIGTYPE is 3 (reserved) or the TMC is an ETB
 * (a buffer hwt does not drive).
 * Returns -CS_EINVAL if MEMWIDTH is not 2..5, an ETF's RSZ is 0 or not
 * a multiple of the memory width, or AXIAW is valid but below 32 or
 * above 64 bits.
 */
int cs_tmc_parse(uint32_t devid, uint32_t rsz, struct cs_tmc_caps *caps);

/* How the ETR addresses the hwt buffer. */
enum cs_tmc_buf {
	CS_TMC_BUF_SG,		/* ETR: scatter-gather table at dba */
	CS_TMC_BUF_FLAT,	/* ETR: physically contiguous at dba */
	CS_TMC_BUF_RAM,		/* ETF: its own RAM, drained to the buffer */
};

/* Register values to program a TMC with (cs_seq_tmc_start()). */
struct cs_tmc_regs {
	uint8_t kind;		/* enum cs_tmc_kind */
	uint8_t buf;		/* enum cs_tmc_buf */
	uint32_t rsz;		/* RSZ (ETR; an ETF's is read-only) */
	uint32_t mode;		/* MODE */
	uint32_t axictl;	/* AXICTL (ETR) */
	uint64_t dba;		/* DBALO/DBAHI (ETR) */
	uint64_t rwp, rrp;	/* RWP(HI), RRP(HI) */
	uint32_t ffcr;		/* FFCR */
};

/*
 * cs_tmc_program() - register values for a TMC writing formatted trace
 * into a circular buffer of size bytes, starting at offset off.
 * @dba:	ETR: the first table page (SG) or the buffer (FLAT), a bus
 *		address; ignored for the ETF
 * @rwp:	ETR: the address off maps to (cs_tmc_sg_addr() for SG, dba +
 *		off for FLAT); ETF: off
 *
 * MODE is Circular Buffer (TMC 2.x: the ETR/ETF overwrite and set
 * STS.Full when the pointer wraps); FFCR sets EnFt (formatting, needed
 * for more than one source or a trace ID, CoreSight D4), EnTI, FOnFlIn
 * and FOnTrigEvt, as Linux's coresight-tmc-etr.c does; RRP = RWP.
 *
 * Returns 0 and fills regs.
 * Returns -CS_EINVAL if buf does not fit the TMC (SG without
 * caps->sg, RAM for an ETR, SG/FLAT for an ETF), size is 0, not a
 * multiple of 4 KiB (ETR) or not the ETF's RAM size, off is not below
 * size or not aligned to a frame and the memory width, dba is not 4 KiB
 * aligned or dba + size is beyond the AXI address width.
 */
int cs_tmc_program(const struct cs_tmc_caps *caps, enum cs_tmc_buf buf,
		   uint64_t dba, uint64_t size, uint64_t off, uint64_t rwp,
		   struct cs_tmc_regs *regs);

/* Table pages needed for npages data pages (0 if npages is 0). */
uint32_t cs_tmc_sg_ntables(uint64_t npages);

/*
 * cs_tmc_sg_build() - the ETR scatter-gather table: data page i at entry
 * i in order, 1023 data entries and a LINK per table page but the last,
 * which holds up to 1024; the last data entry LAST.
 * @data:	bus addresses of the npages 4 KiB data pages, in buffer order
 * @tpa:	bus addresses of the ntables table pages
 * @tables:	ntables * CS_TMC_SG_ENTRIES entries, filled (unused: 0)
 *
 * Returns 0.
 * Returns -CS_EINVAL if npages is 0, ntables is not
 * cs_tmc_sg_ntables(npages), or an address is not 4 KiB aligned or not
 * below 2^40 (an entry holds bits 39:12).
 */
int cs_tmc_sg_build(const uint64_t *data, uint64_t npages,
		    const uint64_t *tpa, uint32_t ntables, uint32_t *tables);

/*
 * cs_tmc_sg_offset() - the byte offset in the buffer that an SG-mode
 * RWP/RRP (a data page's bus address plus the offset in it, as Linux's
 * tmc_etr_sync_sg_buf() reads them) names.
 *
 * Returns 0 and sets *off.
 * Returns -CS_EINVAL if no data page holds ptr.
 */
int cs_tmc_sg_offset(const uint64_t *data, uint64_t npages, uint64_t ptr,
		     uint64_t *off);

/*
 * cs_tmc_sg_addr() - the RWP for byte offset off of an SG buffer.
 * Returns 0 and sets *ptr; -CS_EINVAL if off is beyond the buffer.
 */
int cs_tmc_sg_addr(const uint64_t *data, uint64_t npages, uint64_t off,
		   uint64_t *ptr);

/* What a drain adds (cs_tmc_advance()). */
struct cs_tmc_adv {
	uint64_t bytes;		/* written since the start */
	uint64_t off;		/* where the TMC writes next */
	uint8_t wrapped;	/* STS.Full: the pointer crossed the top */
	uint8_t gap;		/* trace may have been overwritten */
	uint8_t error;		/* STS.MemErr: a write failed */
};

/*
 * cs_tmc_advance() - the output of a TMC that started at offset start of
 * a size-byte circular buffer, from the offset of RWP and STS read after
 * flush and stop (TMC 2.x Circular Buffer mode: the pointer wraps to the
 * base at the top and sets STS.Full; Full is one bit and the TMC keeps
 * no lap count).  Without Full: now - start bytes.  With Full the pointer
 * crossed the top at least once: bytes counts one lap ending at now
 * ((now - start) mod size, plus size if now >= start: then it certainly
 * overtook start), and gap is set either way, since more laps cannot be
 * ruled out: a loss is never silent.  MemErr (an AXI write error, ETR)
 * sets error and gap, bytes 0.
 *
 * Returns 0 and fills adv.
 * Returns -CS_EINVAL if start or now is not below size, or without Full
 * now is below start (the pointer cannot go back without wrapping).
 */
int cs_tmc_advance(uint64_t size, uint64_t start, uint64_t now,
		   uint32_t sts, struct cs_tmc_adv *adv);

/*
 * A formatter names the current ID again in the eighth frame after one
 * that named an ID, unchanged or not (CoreSight Components TRM, DDI
 * 0314H 8.12.1: "If the trace source has not changed in eight formatter
 * frames, an ID change is indicated"; Juno r1's ETF in ../shared/corpus
 * never writes more than 7 frames in a row without one).  A wrapped
 * buffer's oldest frames are then one source's again after 8 frames at
 * most: without it, no byte of a single source after its first frame
 * could be attributed once the buffer wrapped.
 */
#define CS_FMT_QUIET_MAX	7u

/* The formatter of one TMC: frames in progress and the current ID. */
struct cs_fmt {
	uint8_t frame[CS_FRAME];
	uint8_t pos;		/* next byte, 0..14 */
	uint8_t id;		/* ID of the data being written; 0xff none */
	uint8_t has_id;		/* the frame in progress names an ID */
	uint8_t quiet;		/* frames since the last one naming an ID */
};

void cs_fmt_init(struct cs_fmt *f);

/*
 * cs_fmt_put() - format len bytes of source id (1..0x6f, CoreSight D4:
 * 0 is the null ID, 0x70-0x7f reserved) into out.  Complete frames are
 * appended at out (out_cap bytes); an unfinished one stays in f.  An ID
 * change at an odd byte uses the delayed form: the ID takes the even
 * byte before it and its flag bit says the byte after is the old ID's.
 * A frame begun after CS_FMT_QUIET_MAX frames without an ID opens with
 * the current one.
 *
 * Returns the bytes appended (a multiple of 16).
 * Returns -CS_EINVAL if id is reserved.
 * Returns -CS_E2BIG if out_cap is below what len bytes can need
 * (cs_fmt_room(len)); nothing is consumed.
 */
int cs_fmt_put(struct cs_fmt *f, uint8_t id, const uint8_t *data,
	       size_t len, uint8_t *out, size_t out_cap);

/* Most output cs_fmt_put() can make for len bytes. */
size_t cs_fmt_room(size_t len);

/*
 * cs_fmt_flush() - complete the unfinished frame with null-ID padding
 * (what the TMC's formatter does on a flush, TMC 2.x "Flush"), into out
 * (16 bytes).  Returns 16, or 0 if no frame was started.
 */
int cs_fmt_flush(struct cs_fmt *f, uint8_t *out);

#endif /* HWT_CS_TMC_H */
