// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Load/store-exclusive sequences (see a64_excl.h).  Encodings: Arm ARM
 * DDI 0487, C4.1.4 "Loads and Stores", "Load/store exclusive register"
 * and "Load/store exclusive pair": size 001000 o2 L o1 Rs o0 Rt2 Rn Rt.
 */
#include "a64_excl.h"

int a64_excl_class(uint32_t insn)
{
	/* bits 29:24 = 001000, o2 (bit 23) = 0: exclusive or CASP */
	if ((insn & 0x3f800000) != 0x08000000)
		return A64_EXCL_NONE;
	/* o1 (bit 21) = 1 is a pair (LDXP, STXP) only for size 1x */
	if ((insn & (1u << 21)) && !(insn >> 31))
		return A64_EXCL_NONE;	/* CASP (FEAT_LSE) */
	return insn & (1u << 22) ? A64_EXCL_LOAD : A64_EXCL_STORE;
}

int a64_excl_scan(const uint32_t *words, uint32_t nwords, uint64_t ip,
		  struct a64_excl_seq *seq)
{
	struct a64_insn_info in;
	uint64_t end;
	uint32_t i, n = 0, k;

	if (!nwords || a64_excl_class(words[0]) != A64_EXCL_LOAD)
		return -1;
	seq->start = ip;
	seq->insn[0] = words[0];
	for (i = 1; i < nwords && i < A64_EXCL_MAX_INSNS; i++) {
		seq->insn[i] = words[i];
		if (a64_excl_class(words[i]) == A64_EXCL_STORE) {
			n = i + 1;
			break;
		}
		a64_insn_decode(words[i], ip + 4 * i, &in);
		if (in.br != A64_BR_NONE && !a64_br_is_cond(in.br))
			return -1;
	}
	if (!n)
		return -1;
	seq->n = n;
	end = ip + 4 * (n - 1);		/* the store-exclusive */
	seq->exit[0] = end + 4;
	seq->br[0] = 0;
	seq->nexits = 1;
	seq->loop = 0;
	if (n < nwords) {
		a64_insn_decode(words[n], end + 4, &in);
		seq->loop = a64_br_is_cond(in.br) && in.target == ip;
	}
	for (i = 1; i + 1 < n; i++) {
		a64_insn_decode(seq->insn[i], ip + 4 * i, &in);
		if (!a64_br_is_cond(in.br))
			continue;
		/* Into the sequence or onto exit 0: shown not taken. */
		if (in.target >= ip && in.target <= end + 4)
			continue;
		for (k = 1; k < seq->nexits; k++)
			if (seq->exit[k] == in.target)
				break;
		if (k < seq->nexits)
			continue;	/* the first branch there is shown */
		if (seq->nexits == A64_EXCL_MAX_EXITS)
			return -1;
		seq->exit[seq->nexits] = in.target;
		seq->br[seq->nexits] = (uint8_t)i;
		seq->nexits++;
	}
	return 0;
}

int a64_excl_path(const struct a64_excl_seq *seq, uint32_t k,
		  uint64_t ip[A64_EXCL_MAX_INSNS],
		  uint64_t next[A64_EXCL_MAX_INSNS])
{
	uint32_t i, n;

	if (k >= seq->nexits)
		return -1;
	n = k ? seq->br[k] + 1u : seq->n;
	for (i = 0; i < n; i++) {
		ip[i] = seq->start + 4 * i;
		next[i] = ip[i] + 4;
	}
	if (k)
		next[n - 1] = seq->exit[k];
	return (int)n;
}

int a64_excl_retry(const struct a64_excl_seq *seq, uint32_t k, uint64_t pc)
{
	return k == 0 && seq->loop && pc == seq->start;
}

int a64_excl_exit_at(const struct a64_excl_seq *seq, uint64_t addr)
{
	uint32_t k;

	for (k = 0; k < seq->nexits; k++)
		if (seq->exit[k] == addr)
			return (int)k;
	return -1;
}
