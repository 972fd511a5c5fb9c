// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_caps_parse() against the hand decodes of cs_cpus.h, and its refusal
 * of ID values that are not a usable ETMv4/ETE.
 */
#include "cs_unit.h"
#include "cs_cpus.h"

static void test_cpu(const struct cs_cpu *c)
{
	struct cs_caps k;
	int ret = cs_caps_parse(&c->id, &k);

	CHECKF(ret == 0, "%s: cs_caps_parse() = %d", c->name, ret);
	if (ret)
		return;
	CHECK((k.arch == CS_ARCH_ETE) == c->want.ete);
	CHECKF(k.arch_major == c->want.major && k.arch_minor == c->want.minor,
	       "%s: version %u.%u", c->name, k.arch_major, k.arch_minor);
	CHECK(k.revision == c->want.rev);
	CHECK(k.bb == c->want.bb);
	CHECK(k.cci == c->want.cci);
	CHECK(k.retstack == c->want.rs);
	CHECK(k.ts_bits == c->want.ts_bits);
	CHECK(k.cid_bits == c->want.cid_bits);
	CHECK(k.vmid_bits == c->want.vmid_bits);
	CHECK(k.ia_bits == c->want.ia_bits);
	CHECK(k.ccitmin == c->want.ccitmin);
	CHECK(k.exlevel_s == c->want.exl_s);
	CHECK(k.exlevel_ns == c->want.exl_ns);
	CHECK(k.sync_fixed == c->want.sync_fixed);
	CHECK(k.num_ac_pairs == c->want.pairs);
	CHECK(k.max_ranges == c->want.pairs);
	CHECK(k.num_rs_pairs == c->want.rs_pairs);
	CHECK(k.traceid_bits == c->want.traceid_bits);
	CHECK(k.trbe == c->want.trbe);
	CHECK(k.trbe_align == c->want.align);
	CHECKF(k.sinks == c->want.sinks, "%s: sinks %#x", c->name, k.sinks);
}

/* Each mutation of a real row's registers and the answer it must get. */
static void test_bad(void)
{
	const struct cs_idregs a53 = cs_cpus[0].id, ete = cs_cpus[2].id;
	struct cs_idregs r;
	struct cs_caps k;

	r = a53;
	r.trcidr[0] &= ~1u;			/* RES1 bit 0 clear */
	CHECK(cs_caps_parse(&r, &k) == -CS_EINVAL);
	r = a53;
	r.trcidr[1] &= ~0xf000u;		/* RES1 15:12 clear */
	CHECK(cs_caps_parse(&r, &k) == -CS_EINVAL);
	r = a53;
	r.trcidr[1] = 0x4100F300;		/* ETMv3.x */
	CHECK(cs_caps_parse(&r, &k) == -CS_ENODEV);
	r = a53;
	r.trcidr[2] = (r.trcidr[2] & ~0x1fu) | 5;	/* IASIZE reserved */
	CHECK(cs_caps_parse(&r, &k) == -CS_EINVAL);
	r = a53;
	r.trcidr[4] = (r.trcidr[4] & ~0xfu) | 9;	/* 9 pairs */
	CHECK(cs_caps_parse(&r, &k) == -CS_EINVAL);
	r = a53;
	r.trcidr[0] = (r.trcidr[0] & ~(0x1fu << 24)) | 7u << 24; /* TSSIZE */
	CHECK(cs_caps_parse(&r, &k) == -CS_EINVAL);
	r = a53;
	r.trcidr[5] = (r.trcidr[5] & ~(0x3fu << 16)) | 4u << 16;
	CHECK(cs_caps_parse(&r, &k) == -CS_EINVAL);
	r = ete;
	r.dfr0 &= ~0xf0ull;			/* no TraceVer: no sysregs */
	CHECK(cs_caps_parse(&r, &k) == -CS_ENODEV);
	r = ete;
	r.trcdevarch = 0x47705a14;		/* another ARCHPART */
	CHECK(cs_caps_parse(&r, &k) == -CS_ENODEV);
	r = ete;
	r.trcdevarch = 0x4b705a13;		/* another ARCHITECT */
	CHECK(cs_caps_parse(&r, &k) == -CS_ENODEV);
	r = ete;
	r.trbidr |= TRBIDR_P;			/* TRBE owned by EL2/EL3 */
	CHECK(cs_caps_parse(&r, &k) == 0 && !k.trbe && !k.sinks);
	r = ete;
	r.dfr0 &= ~(0xfull << 44);		/* no FEAT_TRBE */
	CHECK(cs_caps_parse(&r, &k) == 0 && !k.trbe);
	/* A failed parse leaves nothing behind. */
	r = a53;
	r.trcidr[0] = 0;
	memset(&k, 0xa5, sizeof(k));
	CHECK(cs_caps_parse(&r, &k) == -CS_EINVAL && k.ts_bits == 0 &&
	      k.sinks == 0);
}

int main(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cs_cpus); i++)
		RUN(test_cpu(&cs_cpus[i]), "caps %s", cs_cpus[i].name);
	RUN(test_bad(), "caps refuses bad ID values");
	return unit_failed ? 1 : 0;
}
