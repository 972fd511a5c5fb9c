// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * TMC sinks: capabilities, register values, the ETR scatter-gather
 * table, pointers and the formatter (see cs_tmc.h).
 */
#include "cs_tmc.h"

static uint32_t tbits(uint32_t v, unsigned int lo, unsigned int n)
{
	return (v >> lo) & ((1u << n) - 1);
}

int cs_tmc_parse(uint32_t devid, uint32_t rsz, struct cs_tmc_caps *caps)
{
	uint32_t type = tbits(devid, 6, 2), mw = tbits(devid, 8, 3);
	uint32_t aw = tbits(devid, 17, 7);

	memset(caps, 0, sizeof(*caps));
	if (type == 3 || type == CS_TMC_ETB)
		return -CS_ENODEV;
	/* DEVID.MEMWIDTH (TMC 3.3.27): 2 = 32 bits .. 5 = 256 bits. */
	if (mw < 2 || mw > 5)
		return -CS_EINVAL;
	caps->kind = type;
	caps->memwidth = 1u << mw;
	if (type == CS_TMC_ETR) {
		caps->sg = !(devid & TMC_DEVID_NOSCAT);
		caps->addr_bits = 40;
		if (devid & TMC_DEVID_AXIAW_VALID) {
			if (aw < 32 || aw > 64)
				return -CS_EINVAL;
			caps->addr_bits = aw;
		}
		return 0;
	}
	/* ETF: RSZ is read-only, the RAM size in 32-bit words (3.3.2). */
	if (!rsz || rsz > 0x7fffffffu || (4ull * rsz) % caps->memwidth)
		return -CS_EINVAL;
	caps->ram = 4 * rsz;
	return 0;
}

int cs_tmc_program(const struct cs_tmc_caps *caps, enum cs_tmc_buf buf,
		   uint64_t dba, uint64_t size, uint64_t off, uint64_t rwp,
		   struct cs_tmc_regs *regs)
{
	uint64_t align = caps->memwidth > CS_FRAME ? caps->memwidth : CS_FRAME;
	struct cs_tmc_regs r;

	memset(regs, 0, sizeof(*regs));
	memset(&r, 0, sizeof(r));
	if (!size || off >= size || off % align)
		return -CS_EINVAL;
	r.kind = caps->kind;
	r.buf = buf;
	r.mode = TMC_MODE_CB;
	r.ffcr = TMC_FFCR_ENFT | TMC_FFCR_ENTI | TMC_FFCR_FONFLIN |
		 TMC_FFCR_FONTRIG;
	if (caps->kind == CS_TMC_ETF) {
		if (buf != CS_TMC_BUF_RAM || size != caps->ram)
			return -CS_EINVAL;
		r.rwp = r.rrp = off;
		*regs = r;
		return 0;
	}
	if (caps->kind != CS_TMC_ETR || buf == CS_TMC_BUF_RAM ||
	    (buf == CS_TMC_BUF_SG && !caps->sg))
		return -CS_EINVAL;
	/* RSZ holds 31 bits of words (3.3.2); SG entries name 4K pages. */
	if (size % CS_TMC_PAGE || size / 4 > 0x7fffffffull ||
	    dba % CS_TMC_PAGE)
		return -CS_EINVAL;
	if (caps->addr_bits < 64 &&
	    (dba >> caps->addr_bits || (buf == CS_TMC_BUF_FLAT &&
	     (dba + size - 1) >> caps->addr_bits) ||
	     rwp >> caps->addr_bits))
		return -CS_EINVAL;
	if (buf == CS_TMC_BUF_FLAT && rwp != dba + off)
		return -CS_EINVAL;
	if (rwp % align)
		return -CS_EINVAL;
	r.rsz = size / 4;
	/* AXICTL (3.3.16): non-secure, 16-beat bursts, as Linux. */
	r.axictl = TMC_AXICTL_PROT_NS | 0xfu << TMC_AXICTL_BURST_SHIFT;
	if (buf == CS_TMC_BUF_SG)
		r.axictl |= TMC_AXICTL_SG;
	r.dba = dba;
	r.rwp = r.rrp = rwp;
	*regs = r;
	return 0;
}

uint32_t cs_tmc_sg_ntables(uint64_t npages)
{
	uint64_t t = 1;

	if (!npages)
		return 0;
	/* Every page but the last gives one entry to the LINK. */
	while ((CS_TMC_SG_ENTRIES - 1) * (t - 1) + CS_TMC_SG_ENTRIES < npages)
		t++;
	return (uint32_t)t;
}

static uint32_t sg_entry(uint64_t pa, uint32_t type)
{
	return (uint32_t)((pa >> 12) << 4) | type;
}

int cs_tmc_sg_build(const uint64_t *data, uint64_t npages,
		    const uint64_t *tpa, uint32_t ntables, uint32_t *tables)
{
	uint64_t i, e = 0;
	uint32_t t;

	if (!npages || ntables != cs_tmc_sg_ntables(npages))
		return -CS_EINVAL;
	for (t = 0; t < ntables; t++)
		if (tpa[t] % CS_TMC_PAGE || tpa[t] >> CS_TMC_SG_ADDR_BITS)
			return -CS_EINVAL;
	for (i = 0; i < npages; i++)
		if (data[i] % CS_TMC_PAGE || data[i] >> CS_TMC_SG_ADDR_BITS)
			return -CS_EINVAL;
	memset(tables, 0, (size_t)ntables * CS_TMC_SG_ENTRIES * 4);
	for (i = 0; i < npages; i++, e++) {
		t = (uint32_t)(e / CS_TMC_SG_ENTRIES);
		/* The last slot of a table page that is not the last. */
		if (e % CS_TMC_SG_ENTRIES == CS_TMC_SG_ENTRIES - 1 &&
		    t + 1 < ntables) {
			tables[e] = sg_entry(tpa[t + 1], CS_TMC_SG_LINK);
			e++;
		}
		tables[e] = sg_entry(data[i], i + 1 == npages ?
				     CS_TMC_SG_LAST : CS_TMC_SG_NORMAL);
	}
	return 0;
}

int cs_tmc_sg_offset(const uint64_t *data, uint64_t npages, uint64_t ptr,
		     uint64_t *off)
{
	uint64_t i;

	for (i = 0; i < npages; i++)
		if (ptr >= data[i] && ptr - data[i] < CS_TMC_PAGE) {
			*off = i * CS_TMC_PAGE + (ptr - data[i]);
			return 0;
		}
	return -CS_EINVAL;
}

int cs_tmc_sg_addr(const uint64_t *data, uint64_t npages, uint64_t off,
		   uint64_t *ptr)
{
	if (off / CS_TMC_PAGE >= npages)
		return -CS_EINVAL;
	*ptr = data[off / CS_TMC_PAGE] + off % CS_TMC_PAGE;
	return 0;
}

int cs_tmc_advance(uint64_t size, uint64_t start, uint64_t now,
		   uint32_t sts, struct cs_tmc_adv *adv)
{
	memset(adv, 0, sizeof(*adv));
	if (start >= size || now >= size)
		return -CS_EINVAL;
	adv->off = now;
	if (sts & TMC_STS_MEMERR) {
		adv->error = adv->gap = 1;
		return 0;
	}
	if (!(sts & TMC_STS_FULL)) {
		if (now < start)
			return -CS_EINVAL;
		adv->bytes = now - start;
		return 0;
	}
	adv->wrapped = adv->gap = 1;
	adv->bytes = now >= start ? size + now - start : size - start + now;
	return 0;
}

void cs_fmt_init(struct cs_fmt *f)
{
	memset(f, 0, sizeof(*f));
	f->id = 0xff;
}

size_t cs_fmt_room(size_t len)
{
	/* One ID byte at most per 8 frames (119 data bytes) besides the
	 * change's, and a frame in progress. */
	return (len + len / 119 + 3) / 15 * CS_FRAME + 2 * CS_FRAME;
}

/* Byte 15 holds the flag bit of each even byte 2i as its bit i. */
static void fmt_aux(struct cs_fmt *f, unsigned int pos, unsigned int bit)
{
	f->frame[15] &= ~(1u << (pos / 2));
	f->frame[15] |= bit << (pos / 2);
}

/* One byte at f->pos; a complete frame goes to out.  Returns 16 or 0. */
static int fmt_byte(struct cs_fmt *f, uint8_t b, int is_id, uint8_t *out)
{
	unsigned int p = f->pos;

	if (is_id) {
		/* ID byte: bit 0 set, ID in 7:1; flag 0: the next byte is
		 * the new ID's (CoreSight D4). */
		f->frame[p] = (uint8_t)(b << 1 | 1);
		fmt_aux(f, p, 0);
		f->has_id = 1;
	} else if (!(p & 1)) {
		/* Even data byte: bit 0 clear, its bit 0 in the flag. */
		f->frame[p] = b & 0xfe;
		fmt_aux(f, p, b & 1);
	} else {
		f->frame[p] = b;
	}
	if (++f->pos < 15)
		return 0;
	memcpy(out, f->frame, CS_FRAME);
	memset(f->frame, 0, CS_FRAME);
	f->pos = 0;
	f->quiet = f->has_id ? 0 : f->quiet + 1;
	f->has_id = 0;
	return CS_FRAME;
}

/* Switch to id before the next data byte (see cs_fmt_put()). */
static int fmt_id(struct cs_fmt *f, uint8_t id, uint8_t *out)
{
	unsigned int p = f->pos;
	uint8_t d;

	f->id = id;
	if (!(p & 1))
		return fmt_byte(f, id, 1, out);
	/* Odd byte: the even byte before it holds old-ID data d.  The ID
	 * takes its place with flag 1 (the byte after it is the old ID's)
	 * and d moves to the odd byte, whole. */
	d = f->frame[p - 1] | ((f->frame[15] >> ((p - 1) / 2)) & 1);
	f->frame[p - 1] = (uint8_t)(id << 1 | 1);
	fmt_aux(f, p - 1, 1);
	f->has_id = 1;
	f->frame[p] = d;
	f->pos++;
	return 0;
}

int cs_fmt_put(struct cs_fmt *f, uint8_t id, const uint8_t *data,
	       size_t len, uint8_t *out, size_t out_cap)
{
	size_t i, n = 0;

	if (!id || id >= 0x70)
		return -CS_EINVAL;
	if (out_cap < cs_fmt_room(len))
		return -CS_E2BIG;
	if (!len)
		return 0;
	if (f->id != id)
		n += fmt_id(f, id, out + n);
	for (i = 0; i < len; i++) {
		if (!f->pos && f->quiet >= CS_FMT_QUIET_MAX)
			fmt_byte(f, id, 1, out + n);	/* pos 0: no frame */
		n += fmt_byte(f, data[i], 0, out + n);
	}
	return (int)n;
}

int cs_fmt_flush(struct cs_fmt *f, uint8_t *out)
{
	int n = 0;

	if (!f->pos)
		return 0;
	/* The rest of the frame is null-ID padding. */
	if (f->id != CS_FRAME_ID_NULL)
		n = fmt_id(f, CS_FRAME_ID_NULL, out);
	while (!n)
		n = fmt_byte(f, 0, 0, out);
	return n;
}
