// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The TRBE interrupt in the MADT (see cs_madt.h).
 */
#include "cs_madt.h"

/* Little-endian fields of the table (ACPI 5.2: every field is). */
static uint32_t le(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* A PPI or an extended PPI (GICv3.1): per CPU, as the TRBE's is. */
static int is_ppi(uint32_t gsiv)
{
	return (gsiv >= 16 && gsiv <= 31) || (gsiv >= 1056 && gsiv <= 1119);
}

int cs_madt_trbe_gsiv(const uint8_t *madt, size_t len)
{
	size_t off, tlen;
	int seen = 0;
	uint32_t gsiv = 0;

	if (len < CS_MADT_HDR)
		return -CS_EINVAL;
	tlen = le(madt + 4, 4);		/* the header's Length */
	if (tlen < CS_MADT_HDR || tlen > len)
		return -CS_EINVAL;
	for (off = CS_MADT_HDR; off < tlen; ) {
		const uint8_t *s = madt + off;
		uint32_t slen, flags, this;

		if (tlen - off < 2)
			return -CS_EINVAL;
		slen = s[1];
		if (slen < 2 || slen > tlen - off)
			return -CS_EINVAL;
		off += slen;
		if (s[0] != CS_MADT_GICC)
			continue;
		if (slen < CS_MADT_GICC_TRBE)
			return -CS_EINVAL;
		flags = le(s + CS_MADT_GICC_FLAGS, 4);
		if (!(flags & (CS_MADT_GICC_ENABLED | CS_MADT_GICC_ONLINE_CAP)))
			continue;
		this = slen >= CS_MADT_GICC_LEN_TRBE ?
		       le(s + CS_MADT_GICC_TRBE, 2) : 0;
		if (seen && this != gsiv)
			return -CS_EINVAL;
		seen = 1;
		gsiv = this;
	}
	if (gsiv && !is_ppi(gsiv))
		return -CS_EINVAL;
	return (int)gsiv;
}
