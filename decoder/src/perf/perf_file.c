/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf.data reader (file and pipe mode): perf_file.h.  Section names in comments
 * are those of tools/perf/Documentation/perf.data-file-format.txt
 * ("format.txt") and of uapi linux/perf_event.h ("uapi").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hwt_err.h"
#include "core/util.h"
#include "perf/perf_file.h"

/* format.txt "The file header": magic, size, attr_size, attrs, data,
 * event_types (3 sections of {offset, size}), adds_features (256 bits). */
#define HDR_SIZE	104
#define FEAT_BITS	256
/* format.txt "Header feature sections" */
#define FEAT_BUILD_ID	2
#define FEAT_NRCPUS	7
#define FEAT_CPUID	9
#define FEAT_AUXTRACE	18
/* uapi struct perf_event_attr: sample_type at 24, flags word at 40
 * (sample_id_all is bit 18); PERF_ATTR_SIZE_VER0 = 64. */
#define ATTR_VER0	64
#define ATTR_SAMPLE_ID_ALL (1ull << 18)
/* uapi enum perf_event_sample_format */
#define S_IP		(1ull << 0)
#define S_TID		(1ull << 1)
#define S_TIME		(1ull << 2)
#define S_ADDR		(1ull << 3)
#define S_ID		(1ull << 6)
#define S_CPU		(1ull << 7)
#define S_PERIOD	(1ull << 8)
#define S_STREAM_ID	(1ull << 9)
#define S_IDENTIFIER	(1ull << 16)

struct hwt_perf_file {
	const uint8_t *p;
	size_t size;
	int mapped;
	uint64_t data_off, data_size;
	struct hwt_perf_attr *attrs;
	const uint8_t **ids;	/* per attr: its nids u64 ids in the file */
	size_t nattrs;
	struct hwt_perf_build_id *bids;
	size_t nbids;
	uint32_t nrcpus;
	const char *cpuid;	/* HEADER_CPUID, NULL if absent */
	size_t nindex;
	uint64_t id_sample_type;	/* attr 0's: IDENTIFIER in use? */
	int cut;		/* data section past the end: clipped */
	int pipe;		/* pipe mode: attrs, features as records */
	char warning[512];
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

uint64_t hwt_perf_u64(const uint8_t *p, size_t i)
{
	return rd64(p + 8 * i);
}

/* [off, off + len) inside a file of size: no overflow. */
static int in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

const char *hwt_perf_rec_name(uint32_t type)
{
	switch (type) {
	case HWT_PERF_RECORD_MMAP: return "MMAP";
	case HWT_PERF_RECORD_LOST: return "LOST";
	case HWT_PERF_RECORD_COMM: return "COMM";
	case HWT_PERF_RECORD_EXIT: return "EXIT";
	case HWT_PERF_RECORD_THROTTLE: return "THROTTLE";
	case HWT_PERF_RECORD_UNTHROTTLE: return "UNTHROTTLE";
	case HWT_PERF_RECORD_FORK: return "FORK";
	case HWT_PERF_RECORD_SAMPLE: return "SAMPLE";
	case HWT_PERF_RECORD_LOST_SAMPLES: return "LOST_SAMPLES";
	case HWT_PERF_RECORD_SWITCH: return "SWITCH";
	case HWT_PERF_RECORD_SWITCH_CPU_WIDE: return "SWITCH_CPU_WIDE";
	case HWT_PERF_RECORD_FINISHED_ROUND: return "FINISHED_ROUND";
	case HWT_PERF_RECORD_MMAP2: return "MMAP2";
	case HWT_PERF_RECORD_AUX: return "AUX";
	case HWT_PERF_RECORD_ITRACE_START: return "ITRACE_START";
	case HWT_PERF_RECORD_AUX_OUTPUT_HW_ID: return "AUX_OUTPUT_HW_ID";
	case HWT_PERF_RECORD_AUXTRACE_INFO: return "AUXTRACE_INFO";
	case HWT_PERF_RECORD_AUXTRACE: return "AUXTRACE";
	case HWT_PERF_RECORD_TIME_CONV: return "TIME_CONV";
	case HWT_PERF_RECORD_HEADER_ATTR: return "HEADER_ATTR";
	case HWT_PERF_RECORD_HEADER_BUILD_ID: return "HEADER_BUILD_ID";
	case HWT_PERF_RECORD_HEADER_FEATURE: return "HEADER_FEATURE";
	}
	return "record";
}

/*
 * format.txt "HEADER_BUILD_ID": a sequence of struct build_id_event
 * { perf_event_header; pid; build_id[24]; filename[] } up to the section's
 * size; with misc PERF_RECORD_MISC_BUILD_ID_SIZE (1 << 15) the byte after
 * the 20-byte id is its size.
 * Returns 0 if: every entry lies inside the section.
 * Returns -1 with err set if: an entry is shorter than its fixed part,
 * runs past the section or its filename is not terminated.
 */
static int read_build_ids(struct hwt_perf_file *f, uint64_t off,
			  uint64_t size, char *err, size_t errlen)
{
	uint64_t pos = off, end = off + size;

	while (pos < end) {
		const uint8_t *e = f->p + pos;
		struct hwt_perf_build_id *b;
		uint16_t esz, misc;
		size_t n, i;

		if (end - pos < 36)
			return hwt_errf(err, errlen, "HEADER_BUILD_ID entry at "
					"file offset 0x%llx: %llu bytes left, "
					"36 needed", (unsigned long long)pos,
					(unsigned long long)(end - pos));
		misc = (uint16_t)(e[4] | e[5] << 8);
		esz = (uint16_t)(e[6] | e[7] << 8);
		if (esz < 37 || esz > end - pos)
			return hwt_errf(err, errlen, "HEADER_BUILD_ID entry at "
					"file offset 0x%llx: size %u outside "
					"36..%llu", (unsigned long long)pos,
					esz, (unsigned long long)(end - pos));
		if (!memchr(e + 36, 0, esz - 36u))
			return hwt_errf(err, errlen, "HEADER_BUILD_ID entry at "
					"file offset 0x%llx: file name not "
					"terminated", (unsigned long long)pos);
		n = 20;
		if ((misc & (1u << 15)) && e[12 + 20] <= 20)
			n = e[12 + 20];
		f->bids = hwt_xrealloc(f->bids, (f->nbids + 1) *
				       sizeof(*f->bids));
		b = &f->bids[f->nbids++];
		b->pid = (int32_t)rd32(e + 8);
		for (i = 0; i < n; i++)
			snprintf(b->hex + 2 * i, 3, "%02x", e[12 + i]);
		b->hex[2 * n] = 0;
		b->filename = (const char *)e + 36;
		pos += esz;
	}
	return 0;
}

/*
 * format.txt "HEADER_AUXTRACE": struct auxtrace_index { u64 nr;
 * { u64 file_offset, sz } entries[nr] } repeated.  Only counted: the
 * data section is walked for the buffers either way.
 * Returns the number of entries if: the index is sound.
 * Returns 0 if: it is not (perf warns "Failed to process auxtrace index"
 * on simpleperf's files and goes on, as we do).
 */
static size_t read_auxtrace_index(const struct hwt_perf_file *f, uint64_t off,
				  uint64_t size)
{
	uint64_t pos = off, end = off + size;
	size_t n = 0;

	while (end - pos >= 8) {
		uint64_t nr = rd64(f->p + pos), i;

		pos += 8;
		if (nr > (end - pos) / 16)
			return 0;
		for (i = 0; i < nr; i++) {
			uint64_t fo = rd64(f->p + pos + 16 * i);
			uint64_t sz = rd64(f->p + pos + 16 * i + 8);

			if (!in_file(fo, sz, f->size))
				return 0;
		}
		pos += 16 * nr;
		n += (size_t)nr;
	}
	return pos == end ? n : 0;
}

/*
 * One feature section [off, off + size) (inside the file) of feature bit.
 * Returns 0 if: it is sound or not one this reader uses.
 * Returns -1 with err set if: a build-id or nrcpus section is damaged.
 */
static int read_feature(struct hwt_perf_file *f, size_t bit, uint64_t off,
			uint64_t size, char *err, size_t errlen)
{
	if (bit == FEAT_BUILD_ID)
		return read_build_ids(f, off, size, err, errlen);
	if (bit == FEAT_NRCPUS) {
		/* format.txt "HEADER_NRCPUS": u32 available, online */
		if (size < 8)
			return hwt_errf(err, errlen, "HEADER_NRCPUS at file "
					"offset 0x%llx: %llu bytes, 8 needed",
					(unsigned long long)off,
					(unsigned long long)size);
		f->nrcpus = rd32(f->p + off + 4);
	}
	if (bit == FEAT_CPUID && size >= 4 && rd32(f->p + off) <= size - 4 &&
	    memchr(f->p + off + 4, 0, rd32(f->p + off)))
		/* format.txt "HEADER_CPUID": struct perf_header_string
		 * { u32 len; char string[len]; } (NUL-terminated) */
		f->cpuid = (const char *)f->p + off + 4;
	if (bit == FEAT_AUXTRACE)
		f->nindex = read_auxtrace_index(f, off, size);
	return 0;
}

/*
 * format.txt: "the feature sections follow the data section": one
 * perf_file_section per bit set in adds_features, in bit order.
 * Returns 0 if: every section lies inside the file and the ones read
 * are sound.
 * Returns -1 with err set if: the table or a section lies outside the
 * file, or a build-id/nrcpus section is damaged.
 */
static int read_features(struct hwt_perf_file *f, char *err, size_t errlen)
{
	uint64_t tab = f->data_off + f->data_size;
	size_t bit, k = 0;

	for (bit = 0; bit < FEAT_BITS; bit++) {
		uint64_t off, size;

		if (!(f->p[72 + bit / 8] & (1u << (bit % 8))))
			continue;
		if (!in_file(tab + 16 * k, 16, f->size))
			return hwt_errf(err, errlen, "feature table entry %zu "
					"(feature %zu) at file offset 0x%llx: "
					"past the end of the file (%zu bytes)",
					k, bit, (unsigned long long)(tab + 16 * k),
					f->size);
		off = rd64(f->p + tab + 16 * k);
		size = rd64(f->p + tab + 16 * k + 8);
		if (!in_file(off, size, f->size))
			return hwt_errf(err, errlen, "feature %zu section at "
					"file offset 0x%llx size %llu: outside "
					"the file (%zu bytes)", bit,
					(unsigned long long)off,
					(unsigned long long)size, f->size);
		k++;
		if (read_feature(f, bit, off, size, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Adds the perf_event_attr at a (uapi: sample_type at 24, flags at 40;
 * at least PERF_ATTR_SIZE_VER0 bytes) with its nids ids at ids.
 * Returns nothing. */
static void add_attr(struct hwt_perf_file *f, const uint8_t *a,
		     const uint8_t *ids, size_t nids)
{
	struct hwt_perf_attr *at;

	f->attrs = hwt_xrealloc(f->attrs, (f->nattrs + 1) * sizeof(*f->attrs));
	f->ids = hwt_xrealloc(f->ids, (f->nattrs + 1) * sizeof(*f->ids));
	at = &f->attrs[f->nattrs];
	at->type = rd32(a);
	at->size = rd32(a + 4);
	at->config = rd64(a + 8);
	at->sample_type = rd64(a + 24);
	at->flags = rd64(a + 40);
	at->nids = nids;
	f->ids[f->nattrs++] = ids;
	/* The sample_id layout of non-sample records: attr 0's, or with
	 * PERF_SAMPLE_IDENTIFIER the record's own attr's (record_attr). */
	f->id_sample_type = f->attrs[0].sample_type;
}

/*
 * format.txt "attributes": attrs.size / attr_size entries of
 * { perf_event_attr (attr_size - 16 bytes); perf_file_section ids }.
 * Returns 0 if: every attr and its ids lie inside the file.
 * Returns -1 with err set if: attr_size is below PERF_ATTR_SIZE_VER0 + 16,
 * the section is not a whole number of attrs, empty, or an ids section
 * lies outside the file.
 */
static int read_attrs(struct hwt_perf_file *f, uint64_t attr_size,
		      uint64_t off, uint64_t size, char *err, size_t errlen)
{
	size_t i, n;

	if (attr_size < ATTR_VER0 + 16 || attr_size > 4096)
		return hwt_errf(err, errlen, "file header: attr_size %llu "
				"outside %d..4096", (unsigned long long)attr_size,
				ATTR_VER0 + 16);
	if (!size || size % attr_size)
		return hwt_errf(err, errlen, "file header: attrs section size "
				"%llu is not a positive multiple of attr_size "
				"%llu", (unsigned long long)size,
				(unsigned long long)attr_size);
	n = (size_t)(size / attr_size);
	for (i = 0; i < n; i++) {
		const uint8_t *a = f->p + off + i * attr_size;
		const uint8_t *ids = a + attr_size - 16;
		uint64_t ioff = rd64(ids), isz = rd64(ids + 8);

		if (!in_file(ioff, isz, f->size) || isz % 8)
			return hwt_errf(err, errlen, "attr %zu at file offset "
					"0x%llx: ids section 0x%llx size %llu "
					"outside the file", i,
					(unsigned long long)(off + i * attr_size),
					(unsigned long long)ioff,
					(unsigned long long)isz);
		add_attr(f, a, f->p + ioff, (size_t)(isz / 8));
	}
	return 0;
}

struct hwt_perf_file *hwt_perf_open_mem(const uint8_t *data, size_t size,
					char *err, size_t errlen)
{
	struct hwt_perf_file *f;
	uint64_t hsize, attr_size, aoff, asz;

	if (size < 16 || memcmp(data, "PERFILE2", 8)) {
		if (size >= 8 && !memcmp(data, "2ELIFREP", 8))
			hwt_errf(err, errlen, "big-endian perf.data: not "
				 "supported");
		else
			hwt_errf(err, errlen, "not a perf.data file (no "
				 "PERFILE2 magic)");
		return NULL;
	}
	hsize = rd64(data + 8);
	if (hsize == 16) {
		/* format.txt "Pipe-mode data": a header of magic and size,
		 * then records; attrs and features come as records. */
		f = hwt_xrealloc(NULL, sizeof(*f));
		memset(f, 0, sizeof(*f));
		f->p = data;
		f->size = size;
		f->pipe = 1;
		f->data_off = 16;
		f->data_size = size - 16;
		return f;
	}
	/* format.txt "The file header" */
	if (hsize < HDR_SIZE || size < HDR_SIZE) {
		hwt_errf(err, errlen, "file header: size %llu (file %zu "
			 "bytes), %d needed", (unsigned long long)hsize, size,
			 HDR_SIZE);
		return NULL;
	}
	f = hwt_xrealloc(NULL, sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->p = data;
	f->size = size;
	attr_size = rd64(data + 16);
	aoff = rd64(data + 24);
	asz = rd64(data + 32);
	f->data_off = rd64(data + 40);
	f->data_size = rd64(data + 48);
	if (!in_file(aoff, asz, size)) {
		hwt_errf(err, errlen, "file header: attrs section 0x%llx size "
			 "%llu outside the file (%zu bytes)",
			 (unsigned long long)aoff, (unsigned long long)asz, size);
		goto fail;
	}
	if (f->data_off < hsize || f->data_off > size) {
		hwt_errf(err, errlen, "file header: data section at 0x%llx "
			 "outside the file (%zu bytes)",
			 (unsigned long long)f->data_off, size);
		goto fail;
	}
	if (read_attrs(f, attr_size, aoff, asz, err, errlen) < 0)
		goto fail;
	if (!in_file(f->data_off, f->data_size, size)) {
		/* A cut file (perf killed, a short copy): its records up to
		 * the cut are read, the one cut reports it; the features
		 * that followed are gone. */
		snprintf(f->warning, sizeof(f->warning), "data section "
			 "0x%llx size %llu runs past the end of the file (%zu "
			 "bytes): the file is cut, feature sections ignored",
			 (unsigned long long)f->data_off,
			 (unsigned long long)f->data_size, size);
		f->data_size = size - f->data_off;
		f->cut = 1;
		return f;
	}
	if (read_features(f, f->warning, sizeof(f->warning)) < 0) {
		/* Damaged features: build ids and the index are hints, the
		 * data section is still readable. */
		f->nbids = 0;
		f->nrcpus = 0;
		f->cpuid = NULL;
		f->nindex = 0;
	}
	return f;
fail:
	hwt_perf_close(f);
	return NULL;
}

struct hwt_perf_file *hwt_perf_open(const char *path, char *err,
				    size_t errlen)
{
	struct hwt_perf_file *f;
	const uint8_t *p;
	char e[512];
	size_t size;

	p = hwt_map_file(path, &size, err, errlen);
	if (!p)
		return NULL;
	f = hwt_perf_open_mem(p, size, e, sizeof(e));
	if (!f) {
		hwt_errf(err, errlen, "%s: %s", path, e);
		if (size)
			munmap((void *)p, size);
		return NULL;
	}
	f->mapped = 1;
	return f;
}

void hwt_perf_close(struct hwt_perf_file *f)
{
	if (!f)
		return;
	if (f->mapped && f->size)
		munmap((void *)f->p, f->size);
	free(f->attrs);
	free(f->ids);
	free(f->bids);
	free(f);
}

size_t hwt_perf_nattrs(const struct hwt_perf_file *f)
{
	return f->nattrs;
}

const struct hwt_perf_attr *hwt_perf_attr(const struct hwt_perf_file *f,
					  size_t i)
{
	return &f->attrs[i];
}

size_t hwt_perf_nbuild_ids(const struct hwt_perf_file *f)
{
	return f->nbids;
}

const struct hwt_perf_build_id *
hwt_perf_build_id(const struct hwt_perf_file *f, size_t i)
{
	return &f->bids[i];
}

uint32_t hwt_perf_nrcpus(const struct hwt_perf_file *f)
{
	return f->nrcpus;
}

const char *hwt_perf_cpuid(const struct hwt_perf_file *f)
{
	return f->cpuid;
}

size_t hwt_perf_auxtrace_index_entries(const struct hwt_perf_file *f)
{
	return f->nindex;
}

/*
 * uapi "struct sample_id" (PERF_RECORD_* with sample_id_all): the fields
 * the sample_type selects, at the end of the record body [b, b + len).
 * Returns the length of the body without them if: they fit.
 * Returns -1 if: the body is shorter than they are.
 */
/*
 * The attr a record's sample_id belongs to: with PERF_SAMPLE_IDENTIFIER
 * (uapi: "the id is the last u64 of sample_id") the attr whose ids
 * section holds that id, else attr 0 (perf requires one layout then).
 * Returns the attr's index.
 */
static size_t record_attr(const struct hwt_perf_file *f, const uint8_t *b,
			  uint64_t len)
{
	uint64_t id;
	size_t i, k;

	if (!(f->id_sample_type & S_IDENTIFIER) || len < 8)
		return 0;
	id = rd64(b + len - 8);
	for (i = 0; i < f->nattrs; i++)
		for (k = 0; k < f->attrs[i].nids; k++)
			if (rd64(f->ids[i] + 8 * k) == id)
				return i;
	return 0;
}

static int64_t sample_id(const struct hwt_perf_file *f, const uint8_t *b,
			 uint64_t len, struct hwt_perf_sample_id *sid)
{
	const struct hwt_perf_attr *a;
	uint64_t st, need = 0, pos;

	memset(sid, 0, sizeof(*sid));
	if (!f->nattrs)		/* pipe mode before its first attr */
		return (int64_t)len;
	a = &f->attrs[record_attr(f, b, len)];
	st = a->sample_type;
	if (!(a->flags & ATTR_SAMPLE_ID_ALL))
		return (int64_t)len;
	need += (st & S_TID) ? 8 : 0;
	need += (st & S_TIME) ? 8 : 0;
	need += (st & S_ID) ? 8 : 0;
	need += (st & S_STREAM_ID) ? 8 : 0;
	need += (st & S_CPU) ? 8 : 0;
	need += (st & S_IDENTIFIER) ? 8 : 0;
	if (need > len)
		return -1;
	pos = len - need;
	if (st & S_TID) {
		sid->has_tid = 1;
		sid->pid = rd32(b + pos);
		sid->tid = rd32(b + pos + 4);
		pos += 8;
	}
	if (st & S_TIME) {
		sid->has_time = 1;
		sid->time = rd64(b + pos);
		pos += 8;
	}
	pos += (st & S_ID) ? 8 : 0;
	pos += (st & S_STREAM_ID) ? 8 : 0;
	if (st & S_CPU) {
		sid->has_cpu = 1;
		sid->cpu = rd32(b + pos);
	}
	return (int64_t)(len - need);
}

/*
 * One record's fields from its body b (len bytes after the 8-byte
 * header, the sample_id fields removed).
 * Returns 0 if: the body holds the type's fields (and terminated string).
 * Returns -1 with why set if: it does not.
 */
static int decode_body(struct hwt_perf_rec *r, const uint8_t *b, uint64_t len,
		       const char **why)
{
	*why = "shorter than its fields";
	switch (r->type) {
	case HWT_PERF_RECORD_MMAP:	/* uapi PERF_RECORD_MMAP */
		if (len < 32 + 1)
			return -1;
		r->u.mmap.pid = rd32(b);
		r->u.mmap.tid = rd32(b + 4);
		r->u.mmap.addr = rd64(b + 8);
		r->u.mmap.len = rd64(b + 16);
		r->u.mmap.pgoff = rd64(b + 24);
		r->u.mmap.filename = (const char *)b + 32;
		*why = "file name not terminated";
		return memchr(b + 32, 0, len - 32) ? 0 : -1;
	case HWT_PERF_RECORD_MMAP2:	/* uapi PERF_RECORD_MMAP2 */
		if (len < 64 + 1)
			return -1;
		r->u.mmap.pid = rd32(b);
		r->u.mmap.tid = rd32(b + 4);
		r->u.mmap.addr = rd64(b + 8);
		r->u.mmap.len = rd64(b + 16);
		r->u.mmap.pgoff = rd64(b + 24);
		if (r->misc & HWT_PERF_MISC_MMAP_BUILD_ID) {
			/* u8 build_id_size, u8, u16, u8 build_id[20] */
			r->u.mmap.build_id_size = b[32] > 20 ? 20 : b[32];
			r->u.mmap.build_id = b + 36;
		}
		else {
			/* u32 maj, min; u64 ino, ino_generation */
			r->u.mmap.maj = rd32(b + 32);
			r->u.mmap.min = rd32(b + 36);
			r->u.mmap.ino = rd64(b + 40);
			r->u.mmap.ino_generation = rd64(b + 48);
		}
		r->u.mmap.prot = rd32(b + 56);
		r->u.mmap.flags = rd32(b + 60);
		r->u.mmap.filename = (const char *)b + 64;
		*why = "file name not terminated";
		return memchr(b + 64, 0, len - 64) ? 0 : -1;
	case HWT_PERF_RECORD_COMM:	/* uapi PERF_RECORD_COMM */
		if (len < 8 + 1)
			return -1;
		r->u.comm.pid = rd32(b);
		r->u.comm.tid = rd32(b + 4);
		r->u.comm.comm = (const char *)b + 8;
		*why = "name not terminated";
		return memchr(b + 8, 0, len - 8) ? 0 : -1;
	case HWT_PERF_RECORD_FORK:	/* uapi PERF_RECORD_FORK / _EXIT */
	case HWT_PERF_RECORD_EXIT:
		if (len < 24)
			return -1;
		r->u.fork.pid = rd32(b);
		r->u.fork.ppid = rd32(b + 4);
		r->u.fork.tid = rd32(b + 8);
		r->u.fork.ptid = rd32(b + 12);
		r->u.fork.time = rd64(b + 16);
		return 0;
	case HWT_PERF_RECORD_AUX:	/* uapi PERF_RECORD_AUX */
		if (len < 24)
			return -1;
		r->u.aux.aux_offset = rd64(b);
		r->u.aux.aux_size = rd64(b + 8);
		r->u.aux.flags = rd64(b + 16);
		return 0;
	case HWT_PERF_RECORD_ITRACE_START: /* uapi PERF_RECORD_ITRACE_START */
		if (len < 8)
			return -1;
		r->u.itrace_start.pid = rd32(b);
		r->u.itrace_start.tid = rd32(b + 4);
		return 0;
	case HWT_PERF_RECORD_AUX_OUTPUT_HW_ID:
		/* uapi PERF_RECORD_AUX_OUTPUT_HW_ID: u64 hw_id */
		if (len < 8)
			return -1;
		r->u.aux_output_hw_id.hw_id = rd64(b);
		return 0;
	case HWT_PERF_RECORD_LOST:	/* uapi PERF_RECORD_LOST */
		if (len < 16)
			return -1;
		r->u.lost.id = rd64(b);
		r->u.lost.lost = rd64(b + 8);
		return 0;
	case HWT_PERF_RECORD_TIME_CONV:	/* perf/event.h time_conv_event */
		if (len < 24)
			return -1;
		r->u.time_conv.time_shift = rd64(b);
		r->u.time_conv.time_mult = rd64(b + 8);
		r->u.time_conv.time_zero = rd64(b + 16);
		/* perf 5.10 added u64 time_cycles, time_mask; u8
		 * cap_user_time_zero, cap_user_time_short (a shorter record
		 * is the old layout, perf's event_contains()) */
		if (len >= 42) {
			r->u.time_conv.has_short = 1;
			r->u.time_conv.time_cycles = rd64(b + 24);
			r->u.time_conv.time_mask = rd64(b + 32);
			r->u.time_conv.cap_user_time_zero = b[40];
			r->u.time_conv.cap_user_time_short = b[41];
		}
		return 0;
	case HWT_PERF_RECORD_SWITCH_CPU_WIDE:
		/* uapi PERF_RECORD_SWITCH_CPU_WIDE: u32 next_prev_pid,
		 * next_prev_tid */
		if (len < 8)
			return -1;
		r->u.switch_cpu_wide.next_prev_pid = rd32(b);
		r->u.switch_cpu_wide.next_prev_tid = rd32(b + 4);
		return 0;
	case HWT_PERF_RECORD_LOST_SAMPLES:	/* uapi: u64 lost */
		if (len < 8)
			return -1;
		r->u.lost_samples.lost = rd64(b);
		return 0;
	case HWT_PERF_RECORD_THROTTLE:	/* uapi: u64 time, id, stream_id */
	case HWT_PERF_RECORD_UNTHROTTLE:
		if (len < 24)
			return -1;
		r->u.throttle.time = rd64(b);
		r->u.throttle.id = rd64(b + 8);
		r->u.throttle.stream_id = rd64(b + 16);
		return 0;
	}
	return 0;
}

/*
 * uapi PERF_RECORD_SAMPLE: { IDENTIFIER id; IP ip; TID pid, tid; TIME
 * time; ADDR addr; ID id; STREAM_ID stream_id; CPU cpu, res; PERIOD
 * period; ... } as its attr's sample_type selects (with
 * PERF_SAMPLE_IDENTIFIER the attr is the one whose ids hold the first
 * word, else attr 0); the fields after PERIOD are not read.
 * Returns 0 if: the body holds the selected fields up to PERIOD.
 * Returns -1 if: it does not.
 */
static int decode_sample(const struct hwt_perf_file *f,
			 struct hwt_perf_rec *r, const uint8_t *b,
			 uint64_t len)
{
	const struct hwt_perf_attr *a;
	uint64_t st, pos = 0, id, need;
	size_t i, k, ai = 0;

	if (!f->nattrs)
		return -1;
	if ((f->id_sample_type & S_IDENTIFIER) && len >= 8) {
		id = rd64(b);
		for (i = 0; i < f->nattrs; i++)
			for (k = 0; k < f->attrs[i].nids; k++)
				if (rd64(f->ids[i] + 8 * k) == id)
					ai = i;
	}
	a = &f->attrs[ai];
	st = a->sample_type;
	need = 8 * (!!(st & S_IDENTIFIER) + !!(st & S_IP) + !!(st & S_TID) +
		    !!(st & S_TIME) + !!(st & S_ADDR) + !!(st & S_ID) +
		    !!(st & S_STREAM_ID) + !!(st & S_CPU) + !!(st & S_PERIOD));
	if (need > len)
		return -1;
	r->u.sample.sample_type = st;
	if (st & S_IDENTIFIER) {
		r->u.sample.id = rd64(b + pos);
		pos += 8;
	}
	if (st & S_IP) {
		r->u.sample.ip = rd64(b + pos);
		pos += 8;
	}
	if (st & S_TID) {
		r->u.sample.pid = rd32(b + pos);
		r->u.sample.tid = rd32(b + pos + 4);
		r->sid.has_tid = 1;
		r->sid.pid = r->u.sample.pid;
		r->sid.tid = r->u.sample.tid;
		pos += 8;
	}
	if (st & S_TIME) {
		r->u.sample.time = rd64(b + pos);
		r->sid.has_time = 1;
		r->sid.time = r->u.sample.time;
		pos += 8;
	}
	if (st & S_ADDR) {
		r->u.sample.addr = rd64(b + pos);
		pos += 8;
	}
	if (st & S_ID) {
		r->u.sample.id = rd64(b + pos);
		pos += 8;
	}
	pos += (st & S_STREAM_ID) ? 8 : 0;
	if (st & S_CPU) {
		r->u.sample.cpu = rd32(b + pos);
		r->sid.has_cpu = 1;
		r->sid.cpu = r->u.sample.cpu;
		pos += 8;
	}
	if (st & S_PERIOD)
		r->u.sample.period = rd64(b + pos);
	return 0;
}

const char *hwt_perf_warning(const struct hwt_perf_file *f)
{
	return f->warning;
}

int hwt_perf_records(struct hwt_perf_file *f, hwt_perf_rec_fn fn,
		     void *arg, char *err, size_t errlen)
{
	uint64_t pos = f->data_off, end = f->data_off + f->data_size;

	/* Pipe mode: the attrs and build ids come with the records, so a
	 * second walk reads them afresh. */
	if (f->pipe) {
		f->nattrs = 0;
		f->nbids = 0;
	}
	/* format.txt "data": records of struct perf_event_header { u32 type;
	 * u16 misc; u16 size; } back to back. */
	while (pos < end) {
		const uint8_t *h = f->p + pos;
		struct hwt_perf_rec r;
		const char *why = NULL;
		uint64_t body;
		int64_t blen;
		int rc;

		memset(&r, 0, sizeof(r));
		r.file_offset = pos;
		if (end - pos < 8)
			return hwt_errf(err, errlen, "record at file offset "
					"0x%llx: %llu bytes left in the data "
					"section, a header needs 8",
					(unsigned long long)pos,
					(unsigned long long)(end - pos));
		r.type = rd32(h);
		r.misc = (uint16_t)(h[4] | h[5] << 8);
		r.size = (uint16_t)(h[6] | h[7] << 8);
		if (r.size < 8 || r.size > end - pos)
			return hwt_errf(err, errlen, "PERF_RECORD_%s (type %u) "
					"at file offset 0x%llx: size %llu "
					"outside 8..%llu (the data section's "
					"end)", hwt_perf_rec_name(r.type),
					r.type, (unsigned long long)pos,
					(unsigned long long)r.size,
					(unsigned long long)(end - pos));
		body = r.size - 8;
		if (r.type == HWT_PERF_RECORD_HEADER_ATTR) {
			/* perf/event.h attr_event: perf_event_attr (its own
			 * size) then u64 id[] to the record's end */
			uint64_t asz = body >= 8 ? rd32(h + 12) : 0;

			if (asz < ATTR_VER0 || asz > body || (body - asz) % 8)
				why = "attr size outside the record";
			else if (f->pipe)
				add_attr(f, h + 8, h + 8 + asz,
					 (size_t)((body - asz) / 8));
		} else if (r.type == HWT_PERF_RECORD_HEADER_BUILD_ID) {
			/* the record is a build_id_event ("HEADER_BUILD_ID") */
			if (f->pipe && read_build_ids(f, pos, r.size, err,
						      errlen) < 0)
				return -1;
		} else if (r.type == HWT_PERF_RECORD_HEADER_FEATURE) {
			/* perf/event.h perf_record_header_feature: u64
			 * feat_id, then the feature's section */
			if (body < 8)
				why = "shorter than its feature id";
			else if (f->pipe && rd64(h + 8) < FEAT_BITS &&
				 read_feature(f, (size_t)rd64(h + 8), pos + 16,
					      r.size - 16, err, errlen) < 0)
				return -1;
		} else if (r.type == HWT_PERF_RECORD_AUXTRACE_INFO) {
			/* perf/event.h auxtrace_info_event: u32 type, u32
			 * reserved, u64 priv[] */
			if (body < 8 || body % 8)
				why = "size not 8 + a multiple of 8";
			r.u.auxtrace_info.type = rd32(h + 8);
			r.u.auxtrace_info.priv = h + 16;
			r.u.auxtrace_info.npriv = body >= 8 ?
				(size_t)((body - 8) / 8) : 0;
		} else if (r.type == HWT_PERF_RECORD_AUXTRACE) {
			/* perf/event.h auxtrace_event: u64 size, offset,
			 * reference; u32 idx, tid, cpu, reserved; then size
			 * bytes of trace outside header.size. */
			if (body < 40) {
				why = "shorter than its fields";
			} else {
				r.u.auxtrace.size = rd64(h + 8);
				r.u.auxtrace.offset = rd64(h + 16);
				r.u.auxtrace.reference = rd64(h + 24);
				r.u.auxtrace.idx = rd32(h + 32);
				r.u.auxtrace.tid = rd32(h + 36);
				r.u.auxtrace.cpu = rd32(h + 40);
				r.u.auxtrace.data = h + r.size;
				if (r.u.auxtrace.size > end - pos - r.size)
					return hwt_errf(err, errlen,
						"PERF_RECORD_AUXTRACE at file "
						"offset 0x%llx: %llu bytes of "
						"trace, %llu left in the data "
						"section", (unsigned long long)pos,
						(unsigned long long)r.u.auxtrace.size,
						(unsigned long long)(end - pos - r.size));
				r.size += r.u.auxtrace.size;
			}
		} else if (r.type == HWT_PERF_RECORD_SAMPLE) {
			if (decode_sample(f, &r, h + 8, body) < 0)
				why = "shorter than its sample_type's fields";
		} else if (r.type < 64 && strcmp(hwt_perf_rec_name(r.type),
						 "record")) {
			/* kernel records carry sample_id (uapi) */
			blen = sample_id(f, h + 8, body, &r.sid);
			if (blen < 0)
				why = "shorter than its sample_id fields";
			else if (decode_body(&r, h + 8, (uint64_t)blen,
					     &why) == 0)
				why = NULL;
		} else if (decode_body(&r, h + 8, body, &why) == 0) {
			why = NULL;
		}
		if (why)
			return hwt_errf(err, errlen, "PERF_RECORD_%s at file "
					"offset 0x%llx (size %llu): %s",
					hwt_perf_rec_name(r.type),
					(unsigned long long)pos,
					(unsigned long long)r.size, why);
		rc = fn(arg, &r);
		if (rc < 0)
			return rc;
		pos += r.size;
	}
	if (f->cut)
		return hwt_errf(err, errlen, "file cut at offset 0x%llx, "
				"inside its data section",
				(unsigned long long)end);
	return 0;
}
