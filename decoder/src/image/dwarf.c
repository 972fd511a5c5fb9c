/* SPDX-License-Identifier: BSD-2-Clause */
/* DWARF line tables via libdwarf: address -> source file:line. */
#include <fcntl.h>
#include <gelf.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/dwarf.h"
#include "core/util.h"

/* The line table being built: rows, and the file names interned
 * through a hash table (open addressing, index + 1, 0: free). */
struct lines_build {
	struct hwt_lines *l;
	size_t cap;
	uint32_t *ht;
	size_t htcap;		/* a power of two, kept over twice nfiles */
	uint32_t *cu_file;	/* the unit's file number -> index + 1 */
	size_t cu_nfile;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
	return h;
}

static void ht_put(struct lines_build *b, uint32_t idx)
{
	size_t m = b->htcap - 1, i = name_hash(b->l->files[idx]) & m;

	while (b->ht[i])
		i = (i + 1) & m;
	b->ht[i] = idx + 1;
}

/*
 * Returns the index of name in b->l->files if it is there.
 * Returns a new index (name copied) if it is not.
 */
static uint32_t file_index(struct lines_build *b, const char *name)
{
	struct hwt_lines *l = b->l;
	size_t m, i, k;

	if (2 * (l->nfiles + 1) > b->htcap) {
		b->htcap = b->htcap ? 2 * b->htcap : 64;
		free(b->ht);
		b->ht = hwt_xrealloc(NULL, b->htcap * sizeof(*b->ht));
		memset(b->ht, 0, b->htcap * sizeof(*b->ht));
		for (k = 0; k < l->nfiles; k++)
			ht_put(b, (uint32_t)k);
	}
	m = b->htcap - 1;
	for (i = name_hash(name) & m; b->ht[i]; i = (i + 1) & m)
		if (!strcmp(l->files[b->ht[i] - 1], name))
			return b->ht[i] - 1;
	l->files = hwt_xrealloc(l->files, (l->nfiles + 1) * sizeof(char *));
	l->files[l->nfiles] = hwt_xstrdup(name);
	b->ht[i] = (uint32_t)l->nfiles + 1;
	return (uint32_t)l->nfiles++;
}

static void add_row(struct lines_build *b, uint64_t addr, uint32_t file,
		    uint32_t line)
{
	struct hwt_lines *l = b->l;

	if (l->nrows == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		l->rows = hwt_xrealloc(l->rows, b->cap * sizeof(*l->rows));
	}
	l->rows[l->nrows].addr = addr;
	l->rows[l->nrows].file = file;
	l->rows[l->nrows].line = line;
	l->nrows++;
}

/* Unit file numbers cached up to this; past it, each row asks libdwarf. */
#define CU_FILES_MAX 65536

/*
 * The file index of line: from the unit's cache, or its dwarf_linesrc()
 * name (the full path libdwarf builds) interned on the file number's
 * first use.
 * Returns 0 with *idx set if the row has a file name.
 * Returns -1 if libdwarf gives none.
 */
static int line_file(Dwarf_Debug dbg, Dwarf_Line line, struct lines_build *b,
		     uint32_t *idx)
{
	Dwarf_Unsigned fno = 0;
	Dwarf_Error e = NULL;
	char *src = NULL;

	if (dwarf_line_srcfileno(line, &fno, &e) != DW_DLV_OK ||
	    fno >= CU_FILES_MAX)
		fno = CU_FILES_MAX;
	else if (fno < b->cu_nfile && b->cu_file[fno]) {
		*idx = b->cu_file[fno] - 1;
		return 0;
	}
	if (dwarf_linesrc(line, &src, &e) != DW_DLV_OK)
		return -1;
	*idx = file_index(b, src);
	dwarf_dealloc(dbg, src, DW_DLA_STRING);
	if (fno < CU_FILES_MAX) {
		if (fno >= b->cu_nfile) {
			size_t n = fno + 16;

			b->cu_file = hwt_xrealloc(b->cu_file,
						  n * sizeof(*b->cu_file));
			memset(b->cu_file + b->cu_nfile, 0,
			       (n - b->cu_nfile) * sizeof(*b->cu_file));
			b->cu_nfile = n;
		}
		b->cu_file[fno] = *idx + 1;
	}
	return 0;
}

static void cu_lines(Dwarf_Debug dbg, Dwarf_Die cu, struct lines_build *b)
{
	Dwarf_Line_Context ctx;
	Dwarf_Unsigned ver;
	Dwarf_Small tc;
	Dwarf_Line *lines;
	Dwarf_Signed n, i;
	Dwarf_Error e = NULL;

	if (dwarf_srclines_b(cu, &ver, &tc, &ctx, &e) != DW_DLV_OK)
		return;
	if (b->cu_nfile)
		memset(b->cu_file, 0, b->cu_nfile * sizeof(*b->cu_file));
	if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &e) ==
	    DW_DLV_OK) {
		for (i = 0; i < n; i++) {
			Dwarf_Addr a;
			Dwarf_Unsigned ln = 0;
			Dwarf_Bool end = 0;
			uint32_t file;

			if (dwarf_lineaddr(lines[i], &a, &e) != DW_DLV_OK)
				continue;
			dwarf_lineendsequence(lines[i], &end, &e);
			if (end) {
				/* Line 0: no source past the sequence. */
				add_row(b, a, 0, 0);
				continue;
			}
			dwarf_lineno(lines[i], &ln, &e);
			if (line_file(dbg, lines[i], b, &file) < 0)
				continue;
			add_row(b, a, file, (uint32_t)ln);
		}
	}
	dwarf_srclines_dealloc_b(ctx);
}

static int row_cmp(const void *a, const void *b)
{
	const struct hwt_line *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* An end-of-sequence row yields to a real row at the same address. */
	return (x->line != 0) - (y->line != 0) > 0 ? 1 :
	       (x->line != 0) == (y->line != 0) ? 0 : -1;
}

/* Merges v[0..m) and v[m..n), each in row_cmp order, through tmp (n
 * rows), stably: of equal rows the left run's first. */
static void merge_rows(struct hwt_line *v, size_t m, size_t n,
		       struct hwt_line *tmp)
{
	size_t i = 0, j = m, k = 0;

	while (i < m && j < n)
		tmp[k++] = row_cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < m)
		tmp[k++] = v[i++];
	memcpy(v, tmp, k * sizeof(*v));	/* v[j..n) is in place */
}

/*
 * Sorts v (n rows) in row_cmp order, stably, as qsort's merge sort did:
 * a line table is in address order but for a few sequences, so the runs
 * in order are found and merged, a few passes over the rows instead of
 * n log n calls of a comparator.
 */
static void sort_rows(struct hwt_line *v, size_t n)
{
	struct hwt_line *tmp;
	size_t *run, nrun = 0, i, w;

	for (i = 1; i < n && row_cmp(&v[i - 1], &v[i]) <= 0; i++)
		;
	if (i >= n)
		return;		/* in order already */
	run = hwt_xrealloc(NULL, (n + 1) * sizeof(*run));
	run[nrun++] = 0;
	for (i = 1; i < n; i++)
		if (row_cmp(&v[i - 1], &v[i]) > 0)
			run[nrun++] = i;
	run[nrun] = n;
	tmp = hwt_xrealloc(NULL, n * sizeof(*tmp));
	/* Adjacent runs merged pairwise until one is left. */
	while (nrun > 1) {
		for (i = 0, w = 0; i < nrun; i += 2, w++) {
			if (i + 1 < nrun)
				merge_rows(v + run[i], run[i + 1] - run[i],
					   run[i + 2] - run[i], tmp);
			run[w] = run[i];
		}
		run[w] = n;
		nrun = w;
	}
	free(tmp);
	free(run);
}

/*
 * The finished table of b: sorted, the last row kept per address.
 * Returns it, or NULL (b's table freed) if it has no rows.
 */
static struct hwt_lines *lines_finish(struct lines_build *b)
{
	struct hwt_lines *l = b->l;
	size_t i, j;

	free(b->ht);
	free(b->cu_file);
	if (!l->nrows) {
		hwt_dwarf_free(l);
		return NULL;
	}
	sort_rows(l->rows, l->nrows);
	/* Keep the last row per address (a real one, see row_cmp). */
	for (i = 0, j = 0; i < l->nrows; i++) {
		if (j && l->rows[j - 1].addr == l->rows[i].addr)
			j--;
		l->rows[j++] = l->rows[i];
	}
	l->nrows = j;
	return l;
}

struct hwt_lines *hwt_dwarf_lines(const char *path)
{
	struct hwt_lines *l;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	l = hwt_dwarf_lines_fd(fd);
	close(fd);
	return l;
}

struct hwt_lines *hwt_dwarf_lines_fd(int fd)
{
	struct hwt_lines *l = NULL;

	hwt_dwarf_load_fd(fd, NULL, 0, &l, NULL);
	return l;
}

void hwt_dwarf_free(struct hwt_lines *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nfiles; i++)
		free(l->files[i]);
	free(l->files);
	free(l->rows);
	free(l);
}

const struct hwt_line *hwt_lines_find(const struct hwt_lines *l,
				      uint64_t addr)
{
	size_t lo = 0, hi = l->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->rows[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || !l->rows[lo - 1].line)
		return NULL;
	return &l->rows[lo - 1];
}

size_t hwt_dwarf_fde_ranges_libdwarf(int fd, struct hwt_range **out)
{
	Dwarf_Cie *cies = NULL;
	Dwarf_Fde *fdes = NULL;
	Dwarf_Signed ncie = 0, nfde = 0, i;
	Dwarf_Debug dbg;
	Dwarf_Error e = NULL;
	size_t n = 0;

	*out = NULL;
	if (dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg,
			 &e) != DW_DLV_OK)
		return 0;
	if (dwarf_get_fde_list_eh(dbg, &cies, &ncie, &fdes, &nfde, &e) ==
	    DW_DLV_OK && nfde > 0) {
		*out = hwt_xrealloc(NULL, (size_t)nfde * sizeof(**out));
		for (i = 0; i < nfde; i++) {
			Dwarf_Addr low;
			Dwarf_Unsigned len, blen;
			Dwarf_Ptr bytes;
			Dwarf_Off cie_off, fde_off;
			Dwarf_Signed cie_index;

			if (dwarf_get_fde_range(fdes[i], &low, &len, &bytes,
						&blen, &cie_off, &cie_index,
						&fde_off, &e) != DW_DLV_OK)
				continue;
			(*out)[n].start = low;
			(*out)[n].size = len;
			n++;
		}
		dwarf_fde_cie_list_dealloc(dbg, cies, ncie, fdes, nfde);
	}
	dwarf_finish(dbg, &e);
	if (!n) {
		free(*out);
		*out = NULL;
	}
	return n;
}

/*
 * .eh_frame read directly: libdwarf's FDE list costs about 5,000
 * instructions an FDE (it builds every CIE and FDE, formatting strings
 * as it goes), ~8 M on a libc, paid on every decode.  Only what
 * toolchains write is read here (64-bit little-endian ELF, CIE versions 1
 * and 3, augmentations of z, P, L, R, S, B; pointers absolute or
 * PC-relative); anything else goes to libdwarf, so the ranges are its
 * own on every file.
 */
#define EH_OTHER	((size_t)-1)	/* not read: ask libdwarf */

struct eh_cie {
	uint64_t off;		/* of its length field in the section */
	uint8_t enc;		/* its FDEs' pointer encoding (R) */
};

/* The ULEB128 at *p (before end), *p moved past it.  Returns 0, or -1 if
 * it runs past end or over 64 bits. */
static int eh_uleb(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned shift = 0;
	uint64_t r = 0;
	uint8_t b;

	do {
		if (*p >= end || shift > 63)
			return -1;
		b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	*v = r;
	return 0;
}

/* Returns the little-endian value of the n bytes at p. */
static uint64_t eh_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The pointer of encoding enc at *p (before end; its address addr),
 * *p moved past it; pcrel applied if apply.  Returns 0, or -1 if the
 * encoding is not one read here or the value runs past end. */
static int eh_ptr(const uint8_t **p, const uint8_t *end, uint8_t enc,
		  uint64_t addr, int apply, uint64_t *v)
{
	static const uint8_t size[16] = {
		[DW_EH_PE_absptr] = 8, [DW_EH_PE_udata2] = 2,
		[DW_EH_PE_udata4] = 4, [DW_EH_PE_udata8] = 8,
		[DW_EH_PE_sdata2] = 2, [DW_EH_PE_sdata4] = 4,
		[DW_EH_PE_sdata8] = 8,
	};
	size_t n = size[enc & 0x0f];
	uint64_t x;

	if ((enc & 0x70) != DW_EH_PE_absptr && (enc & 0x70) != DW_EH_PE_pcrel)
		return -1;
	if ((enc & 0x80) || !n || (size_t)(end - *p) < n)
		return -1;
	x = eh_le(*p, n);
	if ((enc & 0x0f) == DW_EH_PE_sdata2)
		x = (uint64_t)(int64_t)(int16_t)x;
	else if ((enc & 0x0f) == DW_EH_PE_sdata4)
		x = (uint64_t)(int64_t)(int32_t)x;
	if (apply && (enc & 0x70) == DW_EH_PE_pcrel)
		x += addr;
	*p += n;
	*v = x;
	return 0;
}

/* The CIE at off of sec (size bytes): its FDE encoding into c.
 * Returns 0, or -1 if it is not one read here. */
static int eh_cie(const uint8_t *sec, size_t size, uint64_t off,
		  struct eh_cie *c)
{
	const uint8_t *p, *end, *aug;
	uint64_t len, v, alen;
	uint8_t ver;

	if (off > size || size - off < 4)
		return -1;
	len = eh_le(sec + off, 4);
	if (len < 4 || len >= 0xfffffff0u || len > size - off - 4 ||
	    eh_le(sec + off + 4, 4) != 0)
		return -1;
	p = sec + off + 8;
	end = sec + off + 4 + len;
	if (p >= end)
		return -1;
	ver = *p++;
	if (ver != 1 && ver != 3)
		return -1;
	aug = p;
	while (p < end && *p)
		p++;
	if (p >= end)
		return -1;
	p++;
	if (eh_uleb(&p, end, &v) < 0 || eh_uleb(&p, end, &v) < 0)
		return -1;	/* code and data alignment */
	if (ver == 1)
		p++;
	else if (eh_uleb(&p, end, &v) < 0)
		return -1;	/* return address register */
	c->off = off;
	c->enc = DW_EH_PE_absptr;
	if (!*aug)
		return p <= end ? 0 : -1;
	if (*aug != 'z' || eh_uleb(&p, end, &alen) < 0 ||
	    alen > (uint64_t)(end - p))
		return -1;
	end = p + alen;
	for (aug++; *aug; aug++) {
		switch (*aug) {
		case 'R':
			if (p >= end)
				return -1;
			c->enc = *p++;
			break;
		case 'L':
			if (p >= end)
				return -1;
			p++;
			break;
		case 'P':
			if (p >= end)
				return -1;
			/* The personality routine's pointer, skipped: an
			 * indirect one is as long as a direct one. */
			v = *p++ & 0x7f;
			if (eh_ptr(&p, end, (uint8_t)v, 0, 0, &v) < 0)
				return -1;
			break;
		case 'S':
		case 'B':
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Orders ranges by start (qsort).  Returns <0, 0, >0. */
static int range_start_cmp(const void *a, const void *b)
{
	const struct hwt_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The FDE ranges of .eh_frame (sec, size bytes, at address addr), in
 * libdwarf's order: by start, stable.  Returns their number with *out
 * allocated (NULL if none), or EH_OTHER with *out NULL if the section
 * holds anything not read here. */
static size_t eh_frame_ranges(const uint8_t *sec, size_t size, uint64_t addr,
			      struct hwt_range **out)
{
	struct eh_cie *cies = NULL, *c;
	size_t n = 0, cap = 0, ncie = 0, i;
	uint64_t off = 0;

	*out = NULL;
	while (off < size) {
		const uint8_t *p, *end;
		uint64_t len, id, start, range;

		if (size - off < 4)
			goto other;
		len = eh_le(sec + off, 4);
		if (!len)
			break;		/* the terminator */
		if (len < 4 || len >= 0xfffffff0u || len > size - off - 4)
			goto other;
		id = eh_le(sec + off + 4, 4);
		if (!id) {		/* a CIE */
			off += 4 + len;
			continue;
		}
		if (id > off + 4)
			goto other;
		for (i = 0, c = NULL; i < ncie; i++)
			if (cies[i].off == off + 4 - id) {
				c = &cies[i];
				break;
			}
		if (!c) {
			cies = hwt_xrealloc(cies, (ncie + 1) * sizeof(*cies));
			c = &cies[ncie];
			if (eh_cie(sec, size, off + 4 - id, c) < 0)
				goto other;
			ncie++;
		}
		p = sec + off + 8;
		end = sec + off + 4 + len;
		if (eh_ptr(&p, end, c->enc, addr + (uint64_t)(p - sec), 1,
			   &start) < 0 ||
		    eh_ptr(&p, end, c->enc & 0x0f, 0, 0, &range) < 0)
			goto other;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = hwt_xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[n].start = start;
		(*out)[n].size = range;
		n++;
		off += 4 + len;
	}
	free(cies);
	if (!n) {
		free(*out);
		*out = NULL;
	}
	/* glibc's qsort as libdwarf sorts its FDEs: the same order for the
	 * same comparisons. */
	if (n > 1)
		qsort(*out, n, sizeof(**out), range_start_cmp);
	return n;
other:
	free(cies);
	free(*out);
	*out = NULL;
	return EH_OTHER;
}

size_t hwt_dwarf_fde_ranges(int fd, struct hwt_range **out)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstr, n = EH_OTHER;
	Dwarf_Debug dbg;
	Dwarf_Error err = NULL;

	*out = NULL;
	/* What libdwarf cannot open has no FDEs for it either. */
	if (dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg,
			 &err) != DW_DLV_OK)
		return 0;
	dwarf_finish(dbg, &err);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_ident[EI_DATA] == ELFDATA2LSB &&
	    (eh.e_type == ET_EXEC || eh.e_type == ET_DYN) &&
	    !elf_getshdrstrndx(e, &shstr)) {
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh))
				break;
			name = elf_strptr(e, shstr, sh.sh_name);
			if (!name || strcmp(name, ".eh_frame"))
				continue;
			/* LLVM's linkers type it as x86-64's unwind
			 * section. */
			if ((sh.sh_type != SHT_PROGBITS &&
			     (sh.sh_type != SHT_X86_64_UNWIND ||
			      eh.e_machine != EM_X86_64)) ||
			    (sh.sh_flags & SHF_COMPRESSED))
				break;
			d = elf_rawdata(scn, NULL);
			if (d && d->d_buf && d->d_size == sh.sh_size)
				n = eh_frame_ranges(d->d_buf, d->d_size,
						    sh.sh_addr, out);
			break;
		}
	}
	if (e)
		elf_end(e);
	return n != EH_OTHER ? n : hwt_dwarf_fde_ranges_libdwarf(fd, out);
}

/* The name of an inlined subroutine: its abstract origin's (or that
 * one's specification's) DW_AT_name, at most a few hops away. */
static char *origin_name(Dwarf_Debug dbg, Dwarf_Die die)
{
	static const Dwarf_Half refs[] = { DW_AT_abstract_origin,
		DW_AT_specification };
	Dwarf_Error e = NULL;
	Dwarf_Die cur = die;
	char *name = NULL, *out = NULL;
	int hop, i;

	for (hop = 0; hop < 4 && !out; hop++) {
		Dwarf_Die next = NULL;

		if (dwarf_diename(cur, &name, &e) == DW_DLV_OK) {
			out = hwt_xstrdup(name);
			dwarf_dealloc(dbg, name, DW_DLA_STRING);
			break;
		}
		for (i = 0; i < 2 && !next; i++) {
			Dwarf_Attribute a;
			Dwarf_Off off;

			if (dwarf_attr(cur, refs[i], &a, &e) != DW_DLV_OK)
				continue;
			if (dwarf_global_formref(a, &off, &e) != DW_DLV_OK ||
			    dwarf_offdie_b(dbg, off, 1, &next, &e) !=
			    DW_DLV_OK)
				next = NULL;
			dwarf_dealloc(dbg, a, DW_DLA_ATTR);
		}
		if (cur != die)
			dwarf_dealloc(dbg, cur, DW_DLA_DIE);
		if (!next)
			return NULL;
		cur = next;
	}
	if (cur != die)
		dwarf_dealloc(dbg, cur, DW_DLA_DIE);
	return out;
}

struct inl_walk {
	Dwarf_Debug dbg;
	struct hwt_inlines *l;
	size_t cap;
	char **files;		/* the CU's file names (dwarf_srcfiles) */
	Dwarf_Signed nfiles;
	int version;		/* of the CU: DWARF 5 numbers files from 0 */
	uint64_t cu_base;	/* the CU's low_pc, base of .debug_ranges */
	const struct hwt_range *want;	/* NULL: every subprogram */
	size_t nwant;
};

static int wanted(const struct hwt_range *want, size_t n, uint64_t lo,
		  uint64_t hi);

/*
 * Whether the subprogram die can hold inlined code that ran: its
 * [low_pc, high_pc) overlaps w->want.  Nested entries' ranges lie
 * within their parent's (DWARF 5, 2.17: "subsets").
 * Returns 0 if die has low_pc/high_pc and misses w->want.
 * Returns 1 otherwise (no want, DW_AT_ranges, no code address).
 */
static int subprogram_ran(struct inl_walk *w, Dwarf_Die die)
{
	Dwarf_Error e = NULL;
	Dwarf_Addr lo, hi;
	Dwarf_Half form;
	enum Dwarf_Form_Class cls;

	if (!w->want || dwarf_lowpc(die, &lo, &e) != DW_DLV_OK ||
	    dwarf_highpc_b(die, &hi, &form, &cls, &e) != DW_DLV_OK)
		return 1;
	if (cls == DW_FORM_CLASS_CONSTANT)
		hi += lo;
	return hi <= lo || wanted(w->want, w->nwant, lo, hi);
}

static void add_inline(struct inl_walk *w, uint64_t lo, uint64_t hi,
		       uint32_t depth, const char *name, const char *file,
		       uint32_t line)
{
	struct hwt_inline *x;

	if (hi <= lo)
		return;
	if (w->l->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->l->v = hwt_xrealloc(w->l->v, w->cap * sizeof(*w->l->v));
	}
	x = &w->l->v[w->l->n++];
	x->lo = lo;
	x->hi = hi;
	x->depth = depth;
	x->name = hwt_xstrdup(name);
	x->call_file = hwt_xstrdup(file);
	x->call_line = line;
}

/* The address ranges of die (low_pc/high_pc, or DW_AT_ranges in
 * .debug_ranges or DWARF 5's .debug_rnglists), each added. */
static void inline_ranges(struct inl_walk *w, Dwarf_Die die, uint32_t depth,
			  const char *name, const char *file, uint32_t line)
{
	Dwarf_Error e = NULL;
	Dwarf_Addr lo, hi;
	Dwarf_Half form;
	enum Dwarf_Form_Class cls;
	Dwarf_Attribute a;
	Dwarf_Unsigned val, n, i, off;

	if (dwarf_lowpc(die, &lo, &e) == DW_DLV_OK &&
	    dwarf_highpc_b(die, &hi, &form, &cls, &e) == DW_DLV_OK) {
		if (cls == DW_FORM_CLASS_CONSTANT)
			hi += lo;
		add_inline(w, lo, hi, depth, name, file, line);
		return;
	}
	if (dwarf_attr(die, DW_AT_ranges, &a, &e) != DW_DLV_OK)
		return;
	if (dwarf_whatform(a, &form, &e) == DW_DLV_OK &&
	    (form == DW_FORM_rnglistx ?
	     dwarf_formudata(a, &val, &e) :
	     dwarf_global_formref(a, (Dwarf_Off *)&val, &e)) == DW_DLV_OK) {
		if (w->version >= 5) {
			Dwarf_Rnglists_Head head;

			if (dwarf_rnglists_get_rle_head(a, form, val, &head, &n,
							&off, &e) ==
			    DW_DLV_OK) {
				for (i = 0; i < n; i++) {
					unsigned len, code;
					Dwarf_Unsigned r1, r2, c1, c2;
					Dwarf_Bool unavail = 0;

					if (dwarf_get_rnglists_entry_fields_a(
						head, i, &len, &code, &r1, &r2,
						&unavail, &c1, &c2, &e) !=
					    DW_DLV_OK)
						break;
					if (!unavail &&
					    (code == DW_RLE_offset_pair ||
					     code == DW_RLE_startx_endx ||
					     code == DW_RLE_startx_length ||
					     code == DW_RLE_start_end ||
					     code == DW_RLE_start_length))
						add_inline(w, c1, c2, depth,
							   name, file, line);
				}
				dwarf_dealloc_rnglists_head(head);
			}
		} else {
			Dwarf_Ranges *r;
			Dwarf_Signed cnt, k;
			Dwarf_Off real;
			uint64_t base = w->cu_base;

			if (dwarf_get_ranges_b(w->dbg, val, die, &real, &r,
					       &cnt, &n, &e) == DW_DLV_OK) {
				for (k = 0; k < cnt; k++) {
					if (r[k].dwr_type ==
					    DW_RANGES_ADDRESS_SELECTION)
						base = r[k].dwr_addr2;
					else if (r[k].dwr_type ==
						 DW_RANGES_ENTRY)
						add_inline(w,
							   base + r[k].dwr_addr1,
							   base + r[k].dwr_addr2,
							   depth, name, file,
							   line);
				}
				dwarf_ranges_dealloc(w->dbg, r, cnt);
			}
		}
	}
	dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
}

/*
 * The unsigned constant attribute at of die.  DWARF 5's
 * DW_FORM_implicit_const (7.5.3: the value is in the abbreviation; gcc
 * 12 writes the DW_AT_call_file and DW_AT_call_line that several inlined
 * subroutines share so) is a signed constant that libdwarf 20210528's
 * dwarf_formudata() refuses: it is read with dwarf_formsdata().
 * Returns the value if die has the attribute as a constant >= 0.
 * Returns 0 if not.
 */
static Dwarf_Unsigned attr_udata(Dwarf_Debug dbg, Dwarf_Die die,
				 Dwarf_Half at)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute a;
	Dwarf_Unsigned v = 0;
	Dwarf_Signed sv = 0;
	Dwarf_Half form = 0;

	if (dwarf_attr(die, at, &a, &e) != DW_DLV_OK)
		return 0;
	if (dwarf_whatform(a, &form, &e) == DW_DLV_OK &&
	    form == DW_FORM_implicit_const)
		v = dwarf_formsdata(a, &sv, &e) == DW_DLV_OK && sv >= 0 ?
		    (Dwarf_Unsigned)sv : 0;
	else if (dwarf_formudata(a, &v, &e) != DW_DLV_OK)
		v = 0;
	dwarf_dealloc(dbg, a, DW_DLA_ATTR);
	return v;
}

/*
 * Whether a DIE of this tag can hold code, so inlined subroutines: the
 * scopes of DWARF 5, 3.3-3.5 (subprograms, lexical and inlined blocks,
 * try/catch), namespaces and modules, and types that can declare member
 * functions.  Variables, parameters, call sites, enumerations and the
 * other types cannot; their subtrees are not walked.
 * Returns 1 if it can, 0 if not.
 */
static int holds_code(Dwarf_Half tag)
{
	switch (tag) {
	case DW_TAG_subprogram:
	case DW_TAG_lexical_block:
	case DW_TAG_inlined_subroutine:
	case DW_TAG_try_block:
	case DW_TAG_catch_block:
	case DW_TAG_with_stmt:
	case DW_TAG_entry_point:
	case DW_TAG_namespace:
	case DW_TAG_module:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_interface_type:
		return 1;
	default:
		return 0;
	}
}

/* The DIE tree under die; depth: inlined subroutines around it. */
static void walk_dies(struct inl_walk *w, Dwarf_Die die, uint32_t depth,
		      int level)
{
	Dwarf_Error e = NULL;
	Dwarf_Die child = NULL, next;
	Dwarf_Half tag;

	if (level > 64 || dwarf_child(die, &child, &e) != DW_DLV_OK)
		return;
	while (child) {
		uint32_t d = depth;

		if (dwarf_tag(child, &tag, &e) != DW_DLV_OK)
			tag = 0;
		if (tag == DW_TAG_inlined_subroutine) {
			char *name = origin_name(w->dbg, child);
			Dwarf_Unsigned f = attr_udata(w->dbg, child,
						      DW_AT_call_file);
			Dwarf_Signed idx = w->version >= 5 ? (Dwarf_Signed)f :
					   (Dwarf_Signed)f - 1;

			d = depth + 1;
			inline_ranges(w, child, d, name ? name : "??",
				      idx >= 0 && idx < w->nfiles ?
				      w->files[idx] : "??",
				      (uint32_t)attr_udata(w->dbg, child,
							   DW_AT_call_line));
			free(name);
		}
		/* A subprogram none of whose code ran: nor did its inlines. */
		if (holds_code(tag) && (tag != DW_TAG_subprogram ||
					subprogram_ran(w, child)))
			walk_dies(w, child, d, level + 1);
		next = NULL;
		if (dwarf_siblingof_b(w->dbg, child, 1, &next, &e) !=
		    DW_DLV_OK)
			next = NULL;
		dwarf_dealloc(w->dbg, child, DW_DLA_DIE);
		child = next;
	}
}

static int inline_cmp(const void *a, const void *b)
{
	const struct hwt_inline *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->depth > y->depth) - (x->depth < y->depth);
}

static int off_cmp(const void *a, const void *b)
{
	const Dwarf_Off *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* 1 if [lo, hi) overlaps one of want[0..n) (sorted, disjoint). */
static int wanted(const struct hwt_range *want, size_t n, uint64_t lo,
		  uint64_t hi)
{
	size_t a = 0, b = n;

	while (a < b) {	/* the first range starting at or after hi */
		size_t mid = a + (b - a) / 2;

		if (want[mid].start < hi)
			a = mid + 1;
		else
			b = mid;
	}
	return a > 0 && want[a - 1].start + want[a - 1].size > lo;
}

/*
 * The CUs worth walking, from .debug_aranges: *skip gets the sorted DIE
 * offsets of the CUs whose every range misses want (CUs .debug_aranges
 * does not list are walked).  Returns their number.
 */
static size_t cus_to_skip(Dwarf_Debug dbg, const struct hwt_range *want,
			  size_t nwant, Dwarf_Off **skip)
{
	Dwarf_Arange *ar;
	Dwarf_Signed n, i;
	Dwarf_Error e = NULL;
	Dwarf_Off *all, *hit;
	size_t nall = 0, nhit = 0, k, h, out = 0;

	*skip = NULL;
	if (dwarf_get_aranges(dbg, &ar, &n, &e) != DW_DLV_OK || n <= 0)
		return 0;
	all = hwt_xrealloc(NULL, (size_t)n * sizeof(*all));
	hit = hwt_xrealloc(NULL, (size_t)n * sizeof(*hit));
	for (i = 0; i < n; i++) {
		Dwarf_Unsigned seg, segsz, len;
		Dwarf_Addr start;
		Dwarf_Off cu;

		if (dwarf_get_arange_info_b(ar[i], &seg, &segsz, &start, &len,
					    &cu, &e) == DW_DLV_OK) {
			all[nall++] = cu;
			if (wanted(want, nwant, start, start + len))
				hit[nhit++] = cu;
		}
		dwarf_dealloc(dbg, ar[i], DW_DLA_ARANGE);
	}
	dwarf_dealloc(dbg, ar, DW_DLA_LIST);
	qsort(all, nall, sizeof(*all), off_cmp);
	qsort(hit, nhit, sizeof(*hit), off_cmp);
	for (k = 0, h = 0; k < nall; k++) {
		if (k && all[k] == all[k - 1])
			continue;
		while (h < nhit && hit[h] < all[k])
			h++;
		if (h == nhit || hit[h] != all[k])
			all[out++] = all[k];
	}
	free(hit);
	*skip = all;
	return out;
}

/* The inlined subroutines of the unit cu into w. */
static void cu_inlines(struct inl_walk *w, Dwarf_Die cu, int version)
{
	Dwarf_Error e = NULL;
	Dwarf_Addr lo;
	Dwarf_Signed k;

	w->version = version;
	w->cu_base = dwarf_lowpc(cu, &lo, &e) == DW_DLV_OK ? lo : 0;
	w->files = NULL;
	w->nfiles = 0;
	if (dwarf_srcfiles(cu, &w->files, &w->nfiles, &e) != DW_DLV_OK) {
		w->files = NULL;
		w->nfiles = 0;
	}
	walk_dies(w, cu, 0, 0);
	for (k = 0; k < w->nfiles; k++)
		dwarf_dealloc(w->dbg, w->files[k], DW_DLA_STRING);
	if (w->files)
		dwarf_dealloc(w->dbg, w->files, DW_DLA_LIST);
}

/*
 * The finished inlines of w: sorted, with their max_hi prefix.
 * Returns them, or NULL (freed) if there are none.
 */
static struct hwt_inlines *inlines_finish(struct inl_walk *w)
{
	size_t i;

	if (!w->l->n) {
		hwt_dwarf_inlines_free(w->l);
		return NULL;
	}
	qsort(w->l->v, w->l->n, sizeof(*w->l->v), inline_cmp);
	w->l->max_hi = hwt_xrealloc(NULL, w->l->n * sizeof(*w->l->max_hi));
	for (i = 0; i < w->l->n; i++)
		w->l->max_hi[i] = i && w->l->max_hi[i - 1] > w->l->v[i].hi ?
				  w->l->max_hi[i - 1] : w->l->v[i].hi;
	return w->l;
}

int hwt_dwarf_load_fd(int fd, const struct hwt_range *want, size_t nwant,
		      struct hwt_lines **lines, struct hwt_inlines **inlines)
{
	struct lines_build b;
	struct inl_walk w;
	Dwarf_Debug dbg;
	Dwarf_Error e = NULL;
	Dwarf_Off *skip = NULL;
	size_t nskip = 0;

	if (lines)
		*lines = NULL;
	if (inlines)
		*inlines = NULL;
	if (dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg,
			 &e) != DW_DLV_OK)
		return -1;
	memset(&b, 0, sizeof(b));
	memset(&w, 0, sizeof(w));
	w.dbg = dbg;
	w.want = want;
	w.nwant = nwant;
	if (lines) {
		b.l = hwt_xrealloc(NULL, sizeof(*b.l));
		memset(b.l, 0, sizeof(*b.l));
		file_index(&b, "");	/* index 0: no file */
	}
	if (inlines) {
		w.l = hwt_xrealloc(NULL, sizeof(*w.l));
		memset(w.l, 0, sizeof(*w.l));
	}
	if (want)
		nskip = cus_to_skip(dbg, want, nwant, &skip);
	for (;;) {
		Dwarf_Unsigned hl, next, toff;
		Dwarf_Half ver, asz, lsz, esz, ct;
		Dwarf_Sig8 sig;
		Dwarf_Die cu = NULL;
		Dwarf_Off ao, cuoff;

		if (dwarf_next_cu_header_d(dbg, 1, &hl, &ver, &ao, &asz, &lsz,
					   &esz, &sig, &toff, &next, &ct,
					   &e) != DW_DLV_OK)
			break;
		if (dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK)
			continue;
		if (nskip && dwarf_dieoffset(cu, &cuoff, &e) == DW_DLV_OK &&
		    bsearch(&cuoff, skip, nskip, sizeof(*skip), off_cmp)) {
			dwarf_dealloc(dbg, cu, DW_DLA_DIE);
			continue;	/* none of its code ran */
		}
		if (lines)
			cu_lines(dbg, cu, &b);
		if (inlines)
			cu_inlines(&w, cu, ver);
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
	}
	dwarf_finish(dbg, &e);
	free(skip);
	if (lines)
		*lines = lines_finish(&b);
	if (inlines)
		*inlines = inlines_finish(&w);
	return 0;
}

struct hwt_inlines *hwt_dwarf_inlines_fd(int fd, const struct hwt_range *want,
					 size_t nwant)
{
	struct hwt_inlines *l = NULL;

	hwt_dwarf_load_fd(fd, want, nwant, NULL, &l);
	return l;
}

void hwt_dwarf_inlines_free(struct hwt_inlines *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].call_file);
	}
	free(l->v);
	free(l->max_hi);
	free(l);
}

size_t hwt_inlines_at(const struct hwt_inlines *l, uint64_t lo, uint64_t hi,
		      size_t *idx, size_t max)
{
	size_t a = 0, b = l->n, n = 0, j;

	while (a < b) {	/* the first entry starting at or after hi */
		size_t mid = a + (b - a) / 2;

		if (l->v[mid].lo < hi)
			a = mid + 1;
		else
			b = mid;
	}
	for (j = a; j > 0 && l->max_hi[j - 1] > lo; j--)
		if (l->v[j - 1].hi > lo && n < max)
			idx[n++] = j - 1;
	return n;
}

int hwt_dwarf_unit_needed(const struct hwt_dwarf_unit *u,
			  const struct hwt_range *want, size_t nwant)
{
	size_t i;

	if (!want || !u->listed)
		return 1;
	for (i = 0; i < u->nar; i++)
		if (wanted(want, nwant, u->ar[i].start,
			   u->ar[i].start + u->ar[i].size))
			return 1;
	return 0;
}

int hwt_dwarf_units_complete(const struct hwt_dwarf_units *us,
			     const struct hwt_range *want, size_t nwant)
{
	size_t i;

	if (!us->listed)
		return 0;
	for (i = 0; i < us->n; i++)
		if (!us->v[i].loaded &&
		    hwt_dwarf_unit_needed(&us->v[i], want, nwant))
			return 0;
	return 1;
}

/* One entry of .debug_aranges: a range of the unit whose DIE is at cu. */
struct arange {
	uint64_t cu, start, size;
	size_t idx;		/* in the section */
};

static int arange_cmp(const void *a, const void *b)
{
	const struct arange *x = a, *y = b;

	if (x->cu != y->cu)
		return x->cu < y->cu ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Every entry of dbg's .debug_aranges, sorted by unit (stable for one
 * unit's: in section order).
 * Returns their number with *out allocated (free() it); 0 with *out NULL
 * if there are none or libdwarf cannot read them.
 */
static size_t read_aranges(Dwarf_Debug dbg, struct arange **out)
{
	Dwarf_Arange *ar;
	Dwarf_Signed n, i;
	Dwarf_Error e = NULL;
	size_t k = 0;

	*out = NULL;
	if (dwarf_get_aranges(dbg, &ar, &n, &e) != DW_DLV_OK || n <= 0)
		return 0;
	*out = hwt_xrealloc(NULL, (size_t)n * sizeof(**out));
	for (i = 0; i < n; i++) {
		Dwarf_Unsigned seg, segsz, len;
		Dwarf_Addr start;
		Dwarf_Off cu;

		if (dwarf_get_arange_info_b(ar[i], &seg, &segsz, &start, &len,
					    &cu, &e) == DW_DLV_OK) {
			(*out)[k].cu = cu;
			(*out)[k].start = start;
			(*out)[k].size = len;
			(*out)[k].idx = k;
			k++;
		}
		dwarf_dealloc(dbg, ar[i], DW_DLA_ARANGE);
	}
	dwarf_dealloc(dbg, ar, DW_DLA_LIST);
	qsort(*out, k, sizeof(**out), arange_cmp);
	return k;
}

/*
 * The unit of us whose DIE is at off (us->v sorted by off).
 * Returns it if there is one, NULL if not.
 */
static struct hwt_dwarf_unit *unit_at(struct hwt_dwarf_units *us,
				      uint64_t off)
{
	size_t a = 0, b = us->n;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (us->v[mid].off < off)
			a = mid + 1;
		else
			b = mid;
	}
	return a < us->n && us->v[a].off == off ? &us->v[a] : NULL;
}

/* Adds the unit at off (version ver) to us with its aranges (ar: k
 * entries sorted by cu). */
static void unit_add(struct hwt_dwarf_units *us, uint64_t off, uint16_t ver,
		     const struct arange *ar, size_t k)
{
	struct hwt_dwarf_unit *u;
	size_t a = 0, b = k, i;

	us->v = hwt_xrealloc(us->v, (us->n + 1) * sizeof(*us->v));
	u = &us->v[us->n++];
	memset(u, 0, sizeof(*u));
	u->off = off;
	u->version = ver;
	while (a < b) {	/* the first entry of the unit */
		size_t mid = a + (b - a) / 2;

		if (ar[mid].cu < off)
			a = mid + 1;
		else
			b = mid;
	}
	for (i = a; i < k && ar[i].cu == off; i++)
		;
	if (i == a)
		return;
	u->listed = 1;
	u->ar = hwt_xrealloc(NULL, (i - a) * sizeof(*u->ar));
	for (i = a; i < k && ar[i].cu == off; i++) {
		u->ar[u->nar].start = ar[i].start;
		u->ar[u->nar++].size = ar[i].size;
	}
}

/* Reads the unit cu's line rows and every inlined subroutine into u. */
static void unit_load(Dwarf_Debug dbg, Dwarf_Die cu, struct hwt_dwarf_unit *u)
{
	struct lines_build b;
	struct inl_walk w;

	memset(&b, 0, sizeof(b));
	memset(&w, 0, sizeof(w));
	b.l = &u->lines;
	file_index(&b, "");	/* index 0: no file */
	cu_lines(dbg, cu, &b);
	free(b.ht);
	free(b.cu_file);
	w.dbg = dbg;
	w.l = &u->inl;
	cu_inlines(&w, cu, u->version);
	u->loaded = 1;
}

int hwt_dwarf_units_read(int fd, struct hwt_dwarf_units *us,
			 const struct hwt_range *want, size_t nwant)
{
	struct arange *ar = NULL;
	size_t nar = 0;
	Dwarf_Debug dbg;
	Dwarf_Error e = NULL;
	int listing = !us->listed, nread = 0;

	if (!listing && hwt_dwarf_units_complete(us, want, nwant))
		return 0;
	if (dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg,
			 &e) != DW_DLV_OK)
		return -1;
	if (listing) {
		hwt_dwarf_units_fini(us);
		nar = read_aranges(dbg, &ar);
	}
	for (;;) {
		Dwarf_Unsigned hl, next, toff;
		Dwarf_Half ver, asz, lsz, esz, ct;
		Dwarf_Sig8 sig;
		Dwarf_Die cu = NULL;
		Dwarf_Off ao, cuoff;
		struct hwt_dwarf_unit *u;

		if (dwarf_next_cu_header_d(dbg, 1, &hl, &ver, &ao, &asz, &lsz,
					   &esz, &sig, &toff, &next, &ct,
					   &e) != DW_DLV_OK)
			break;
		if (dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK)
			continue;
		if (dwarf_dieoffset(cu, &cuoff, &e) != DW_DLV_OK ||
		    (listing && us->n && us->v[us->n - 1].off >= cuoff)) {
			dwarf_dealloc(dbg, cu, DW_DLA_DIE);
			continue;	/* no key (never seen in practice) */
		}
		if (listing)
			unit_add(us, cuoff, ver, ar, nar);
		u = unit_at(us, cuoff);
		if (u && !u->loaded && hwt_dwarf_unit_needed(u, want, nwant)) {
			unit_load(dbg, cu, u);
			nread++;
		}
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
	}
	dwarf_finish(dbg, &e);
	free(ar);
	us->listed = 1;
	return nread;
}

void hwt_dwarf_units_tables(const struct hwt_dwarf_units *us,
			    const struct hwt_range *want, size_t nwant,
			    struct hwt_lines **lines,
			    struct hwt_inlines **inlines)
{
	struct lines_build b;
	struct inl_walk w;
	uint32_t *map = NULL;
	size_t nmap = 0, i, k;

	memset(&b, 0, sizeof(b));
	memset(&w, 0, sizeof(w));
	if (lines) {
		b.l = hwt_xrealloc(NULL, sizeof(*b.l));
		memset(b.l, 0, sizeof(*b.l));
		file_index(&b, "");	/* index 0: no file */
	}
	if (inlines) {
		w.l = hwt_xrealloc(NULL, sizeof(*w.l));
		memset(w.l, 0, sizeof(*w.l));
	}
	for (i = 0; i < us->n; i++) {
		const struct hwt_dwarf_unit *u = &us->v[i];

		if (!u->loaded || !hwt_dwarf_unit_needed(u, want, nwant))
			continue;
		if (lines) {
			/* The unit's files interned at their first row, as
			 * cu_lines() interns them. */
			if (u->lines.nfiles > nmap) {
				nmap = u->lines.nfiles;
				map = hwt_xrealloc(map, nmap * sizeof(*map));
			}
			memset(map, 0, u->lines.nfiles * sizeof(*map));
			for (k = 0; k < u->lines.nrows; k++) {
				const struct hwt_line *r = &u->lines.rows[k];

				if (!map[r->file])
					map[r->file] = file_index(&b,
						u->lines.files[r->file]) + 1;
				add_row(&b, r->addr, map[r->file] - 1,
					r->line);
			}
		}
		if (inlines)
			for (k = 0; k < u->inl.n; k++) {
				const struct hwt_inline *x = &u->inl.v[k];

				add_inline(&w, x->lo, x->hi, x->depth, x->name,
					   x->call_file, x->call_line);
			}
	}
	free(map);
	if (lines)
		*lines = lines_finish(&b);
	if (inlines)
		*inlines = inlines_finish(&w);
}

void hwt_dwarf_units_fini(struct hwt_dwarf_units *us)
{
	size_t i, k;

	for (i = 0; i < us->n; i++) {
		struct hwt_dwarf_unit *u = &us->v[i];

		for (k = 0; k < u->lines.nfiles; k++)
			free(u->lines.files[k]);
		free(u->lines.files);
		free(u->lines.rows);
		for (k = 0; k < u->inl.n; k++) {
			free(u->inl.v[k].name);
			free(u->inl.v[k].call_file);
		}
		free(u->inl.v);
		free(u->ar);
	}
	free(us->v);
	memset(us, 0, sizeof(*us));
}
