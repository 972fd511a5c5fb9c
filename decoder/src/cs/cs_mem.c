/* SPDX-License-Identifier: BSD-2-Clause */
/* Snapshot memory: sorted, non-overlapping file-backed regions. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <opencsd/ocsd_if_types.h>

#include "cs/cs_mem.h"
#include "core/util.h"

struct hwt_cs_region {
	uint64_t start, end;	/* [start, end) */
	const uint8_t *data;
	char *path;
	uint64_t offset;
	uint32_t space;
};

struct hwt_cs_file {
	const uint8_t *map;
	size_t size;
};

struct hwt_cs_mem {
	struct hwt_cs_region *r;	/* sorted by start */
	size_t n;
	struct hwt_cs_file *files;
	size_t nfiles;
	size_t last;		/* region of the last hit: code is local */
	int overlaps;		/* regions of disjoint spaces overlap */
};

struct hwt_cs_mem *hwt_cs_mem_alloc(void)
{
	struct hwt_cs_mem *m = hwt_xrealloc(NULL, sizeof(*m));

	memset(m, 0, sizeof(*m));
	return m;
}

void hwt_cs_mem_free(struct hwt_cs_mem *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->r[i].path);
	for (i = 0; i < m->nfiles; i++)
		if (m->files[i].size)
			munmap((void *)m->files[i].map, m->files[i].size);
	free(m->r);
	free(m->files);
	free(m);
}

int hwt_cs_mem_add_file(struct hwt_cs_mem *m, const char *path, uint64_t addr,
			uint64_t offset, uint64_t length, uint32_t space,
			char *err, size_t errlen)
{
	const uint8_t *map;
	struct hwt_cs_region nr;
	size_t size, i, pos;

	for (i = 0; i < m->n; i++)
		if (m->r[i].start == addr && m->r[i].offset == offset &&
		    m->r[i].space == space && !strcmp(m->r[i].path, path) &&
		    (!length || m->r[i].end - m->r[i].start == length))
			return 1;
	map = hwt_map_file(path, &size, err, errlen);
	if (!map)
		return -1;
	if (offset >= size) {
		hwt_errf(err, errlen,
			   "%s: dump offset 0x%llx is past the end of the file (%zu bytes)",
			   path, (unsigned long long)offset, size);
		goto fail;
	}
	if (!length || length > size - offset)
		length = size - offset;
	if (addr + length < addr) {
		hwt_errf(err, errlen,
			   "%s: dump at 0x%llx + 0x%llx wraps the address space",
			   path, (unsigned long long)addr,
			   (unsigned long long)length);
		goto fail;
	}
	nr.start = addr;
	nr.end = addr + length;
	nr.data = map + offset;
	nr.offset = offset;
	nr.space = space;
	for (i = 0; i < m->n; i++) {
		const struct hwt_cs_region *o = &m->r[i];

		if (o->start >= nr.end || nr.start >= o->end)
			continue;
		if (o->space & space) {
			hwt_errf(err, errlen,
				   "%s: dump 0x%llx-0x%llx overlaps %s at 0x%llx-0x%llx",
				   path, (unsigned long long)nr.start,
				   (unsigned long long)nr.end, o->path,
				   (unsigned long long)o->start,
				   (unsigned long long)o->end);
			goto fail;
		}
		m->overlaps = 1;
	}
	for (pos = 0; pos < m->n && m->r[pos].start < nr.start; pos++)
		;
	nr.path = hwt_xstrdup(path);
	m->r = hwt_xrealloc(m->r, (m->n + 1) * sizeof(*m->r));
	memmove(&m->r[pos + 1], &m->r[pos], (m->n - pos) * sizeof(*m->r));
	m->r[pos] = nr;
	m->n++;
	m->files = hwt_xrealloc(m->files, (m->nfiles + 1) * sizeof(*m->files));
	m->files[m->nfiles].map = map;
	m->files[m->nfiles].size = size;
	m->nfiles++;
	return 0;
fail:
	if (size)
		munmap((void *)map, size);
	return -1;
}

int hwt_cs_mem_read_space(struct hwt_cs_mem *m, uint64_t addr, uint32_t space,
			  void *buf, size_t size)
{
	const struct hwt_cs_region *r = NULL;
	size_t lo = 0, hi = m->n, n;

	if (m->last < m->n && addr >= m->r[m->last].start &&
	    addr < m->r[m->last].end && (m->r[m->last].space & space)) {
		r = &m->r[m->last];
	} else if (m->overlaps) {
		/* Rare (secure/non-secure images at one address): scan. */
		for (lo = 0; lo < m->n; lo++)
			if (addr >= m->r[lo].start && addr < m->r[lo].end &&
			    (m->r[lo].space & space)) {
				r = &m->r[lo];
				m->last = lo;
				break;
			}
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (addr < m->r[mid].start)
				hi = mid;
			else if (addr >= m->r[mid].end)
				lo = mid + 1;
			else {
				if (m->r[mid].space & space) {
					r = &m->r[mid];
					m->last = mid;
				}
				break;
			}
		}
	}
	if (!r)
		return -1;
	n = r->end - addr < size ? (size_t)(r->end - addr) : size;
	if (n > INT32_MAX)
		n = INT32_MAX;
	memcpy(buf, r->data + (addr - r->start), n);
	return (int)n;
}

int hwt_cs_mem_read(void *arg, uint64_t addr, void *buf, size_t size)
{
	return hwt_cs_mem_read_space(arg, addr, OCSD_MEM_SPACE_ANY, buf, size);
}

uint32_t hwt_cs_mem_space(const char *name)
{
	static const struct {
		const char *name;
		uint32_t bits;
	} map[] = {
		{ "EL1S", OCSD_MEM_SPACE_EL1S },
		{ "EL1N", OCSD_MEM_SPACE_EL1N },
		{ "EL2", OCSD_MEM_SPACE_EL2 },	/* EL2 NS, old name */
		{ "EL2N", OCSD_MEM_SPACE_EL2 },
		{ "EL3", OCSD_MEM_SPACE_EL3 },
		{ "EL2S", OCSD_MEM_SPACE_EL2S },
		{ "S", OCSD_MEM_SPACE_S },
		{ "N", OCSD_MEM_SPACE_N },
		{ "ANY", OCSD_MEM_SPACE_ANY },
		{ "H", OCSD_MEM_SPACE_EL2 },	/* older names */
		{ "P", OCSD_MEM_SPACE_EL1N },
		{ "NP", OCSD_MEM_SPACE_EL1N },
		{ "SP", OCSD_MEM_SPACE_EL1S },
	};
	size_t i;

	for (i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			return map[i].bits;
	return OCSD_MEM_SPACE_ANY;
}
