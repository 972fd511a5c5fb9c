/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Programming cs_model through cs_seq, for the coresight unit tests. */
#ifndef CS_RUN_H
#define CS_RUN_H

#include "../cs_model.h"
#include "../cs_seq.h"

/* A TRBE buffer at a made-up VA: the model only moves pointers. */
#define RUN_BUF_BASE	0xffff000010000000ull
#define RUN_BUF_SIZE	0x10000ull

/*
 * Claim, program and enable m for regs (with the TRBE over the test
 * buffer from offset when regs->sink is TRBE).  Returns cs_seq_run()'s
 * answer; refusals are counted in m.
 */
static inline int run_start(struct csm *m, const struct cs_caps *k,
			    const struct cs_regs *regs, uint64_t offset,
			    unsigned int fill, struct cs_trbe_regs *trbe)
{
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;
	int n, is_trbe = regs->sink == HWT_CORESIGHT_SINK_TRBE;

	if (is_trbe && cs_trbe_program(k, RUN_BUF_BASE, RUN_BUF_SIZE, fill,
				       TRB_TM_IGNORE, offset, trbe))
		return -100;
	n = cs_seq_start(k, regs, is_trbe ? trbe : NULL, ops);
	if (n < 0 || n > CS_SEQ_MAX)
		return -101;
	csm_io(m, &io);
	return cs_seq_run(ops, n, &io, NULL, 0);
}

/* Disable; res[0] = TRBPTR_EL1, res[1] = TRBSR_EL1 with a TRBE. */
static inline int run_stop(struct csm *m, const struct cs_caps *k,
			   int trbe, uint64_t res[2])
{
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;
	int n = cs_seq_stop(k, trbe, ops);

	if (n < 0 || n > CS_SEQ_MAX)
		return -101;
	csm_io(m, &io);
	return cs_seq_run(ops, n, &io, res, 2);
}

#endif /* CS_RUN_H */
