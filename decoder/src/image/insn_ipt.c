/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86 instruction lengths from libipt, for blocks capstone cannot split
 * (capstone 4.0.2, Debian 12's, does not know most EVEX/AVX-512 and
 * AVX-512 mask instructions: glibc's *_evex string functions).  libipt
 * exports no instruction-length decoder of its own (pt_ild is internal),
 * so its instruction flow decoder walks the block's bytes: a PSB+ whose
 * FUP enables tracing at the block's first instruction, then not-taken
 * TNT bits for any conditional branch on the way (a block is contiguous:
 * none of its inner branches was taken).  Lengths are then exactly the
 * ones the trace's own decoder used.
 */
#include <intel-pt.h>
#include <stdlib.h>
#include <string.h>

#include "image/insn.h"
#include "core/flow.h"

struct code_mem {
	const uint8_t *code;
	size_t size;
	uint64_t ip;
};

static int read_code(uint8_t *buffer, size_t size, const struct pt_asid *asid,
		     uint64_t ip, void *context)
{
	const struct code_mem *m = context;
	size_t off, n;

	(void)asid;
	if (ip < m->ip || ip - m->ip >= m->size)
		return -pte_nomap;
	off = (size_t)(ip - m->ip);
	n = m->size - off < size ? m->size - off : size;
	memcpy(buffer, m->code + off, n);
	return (int)n;
}

/* PSB, MODE.Exec, FUP ip, PSBEND, then not-taken TNT bits enough for
 * ninsn conditional branches.  Returns the trace's size or negative. */
static int encode(uint8_t *buf, size_t cap, int isa, uint64_t ip,
		  uint32_t ninsn)
{
	struct pt_config cfg;
	struct pt_encoder *enc;
	struct pt_packet p;
	uint64_t off = 0;
	uint32_t bits;
	int rc = 0, len = -1;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.begin = buf;
	cfg.end = buf + cap;
	enc = pt_alloc_encoder(&cfg);
	if (!enc)
		return -1;
	memset(&p, 0, sizeof(p));
	p.type = ppt_psb;
	rc |= pt_enc_next(enc, &p) < 0;
	memset(&p, 0, sizeof(p));
	p.type = ppt_mode;
	p.payload.mode.leaf = pt_mol_exec;
	p.payload.mode.bits.exec.csl = isa == HWT_ISA_X86_64;
	p.payload.mode.bits.exec.csd = isa == HWT_ISA_X86_32;
	rc |= pt_enc_next(enc, &p) < 0;
	memset(&p, 0, sizeof(p));
	p.type = ppt_fup;
	p.payload.ip.ipc = pt_ipc_sext_48;
	p.payload.ip.ip = ip;
	rc |= pt_enc_next(enc, &p) < 0;
	memset(&p, 0, sizeof(p));
	p.type = ppt_psbend;
	rc |= pt_enc_next(enc, &p) < 0;
	for (bits = 0; !rc && bits < ninsn; bits += 47) {
		memset(&p, 0, sizeof(p));
		p.type = ppt_tnt_64;
		p.payload.tnt.bit_size = 47;
		p.payload.tnt.payload = 0;
		rc |= pt_enc_next(enc, &p) < 0;
	}
	if (!rc && pt_enc_get_offset(enc, &off) >= 0)
		len = (int)off;
	pt_free_encoder(enc);
	return len;
}

int hwt_insn_lengths_ipt(int isa, const uint8_t *code, size_t size,
			 uint64_t ip, uint64_t end_ip, uint32_t ninsn,
			 uint8_t *lens)
{
	struct code_mem m = { code, size, ip };
	struct pt_insn_decoder *dec;
	struct pt_config cfg;
	struct pt_image *img;
	uint64_t at = ip;
	size_t cap;
	uint8_t *trace;
	uint32_t i = 0;
	int len, status;

	if (isa != HWT_ISA_X86_16 && isa != HWT_ISA_X86_32 &&
	    isa != HWT_ISA_X86_64)
		return -1;
	if (!ninsn || end_ip < ip || end_ip - ip >= size || ninsn > 1u << 20)
		return -1;
	cap = 64 + 8 * ((size_t)ninsn / 47 + 1);
	trace = malloc(cap);
	if (!trace)
		return -1;
	len = encode(trace, cap, isa, ip, ninsn);
	if (len <= 0) {
		free(trace);
		return -1;
	}
	pt_config_init(&cfg);
	cfg.begin = trace;
	cfg.end = trace + len;
	dec = pt_insn_alloc_decoder(&cfg);
	if (!dec) {
		free(trace);
		return -1;
	}
	img = pt_insn_get_image(dec);
	status = img ? pt_image_set_callback(img, read_code, &m) : -1;
	if (status >= 0)
		status = pt_insn_sync_forward(dec);
	while (status >= 0 && i < ninsn) {
		struct pt_insn insn;

		while (status & pts_event_pending) {
			struct pt_event ev;

			status = pt_insn_event(dec, &ev, sizeof(ev));
			if (status < 0)
				break;
		}
		if (status < 0)
			break;
		memset(&insn, 0, sizeof(insn));
		status = pt_insn_next(dec, &insn, sizeof(insn));
		/* The last instruction: its length is known even where the
		 * made-up trace cannot say where it goes. */
		if (insn.ip != at || !insn.size)
			break;
		lens[i++] = insn.size;
		at += insn.size;
		if (at - insn.size == end_ip)
			break;
	}
	pt_insn_free_decoder(dec);
	free(trace);
	return i == ninsn && at - lens[ninsn - 1] == end_ip ? 0 : -1;
}
