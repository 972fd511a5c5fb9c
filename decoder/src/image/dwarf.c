/* SPDX-License-Identifier: BSD-2-Clause */
/* DWARF line tables via libdwarf: address -> source file:line. */
#include <fcntl.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/dwarf.h"
#include "core/util.h"

static uint32_t file_index(struct hwt_lines *l, const char *name)
{
	size_t i;

	for (i = l->nfiles; i > 0; i--)
		if (!strcmp(l->files[i - 1], name))
			return (uint32_t)(i - 1);
	l->files = hwt_xrealloc(l->files, (l->nfiles + 1) * sizeof(char *));
	l->files[l->nfiles] = hwt_xstrdup(name);
	return (uint32_t)l->nfiles++;
}

static void add_row(struct hwt_lines *l, size_t *cap, uint64_t addr,
		    uint32_t file, uint32_t line)
{
	if (l->nrows == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		l->rows = hwt_xrealloc(l->rows, *cap * sizeof(*l->rows));
	}
	l->rows[l->nrows].addr = addr;
	l->rows[l->nrows].file = file;
	l->rows[l->nrows].line = line;
	l->nrows++;
}

static void cu_lines(Dwarf_Debug dbg, Dwarf_Die cu, struct hwt_lines *l,
		     size_t *cap)
{
	Dwarf_Line_Context ctx;
	Dwarf_Unsigned ver;
	Dwarf_Small tc;
	Dwarf_Line *lines;
	Dwarf_Signed n, i;
	Dwarf_Error e = NULL;

	if (dwarf_srclines_b(cu, &ver, &tc, &ctx, &e) != DW_DLV_OK)
		return;
	if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &e) ==
	    DW_DLV_OK) {
		for (i = 0; i < n; i++) {
			Dwarf_Addr a;
			Dwarf_Unsigned ln = 0;
			Dwarf_Bool end = 0;
			char *src = NULL;

			if (dwarf_lineaddr(lines[i], &a, &e) != DW_DLV_OK)
				continue;
			dwarf_lineendsequence(lines[i], &end, &e);
			if (end) {
				/* Line 0: no source past the sequence. */
				add_row(l, cap, a, 0, 0);
				continue;
			}
			dwarf_lineno(lines[i], &ln, &e);
			if (dwarf_linesrc(lines[i], &src, &e) != DW_DLV_OK)
				continue;
			add_row(l, cap, a, file_index(l, src), (uint32_t)ln);
			dwarf_dealloc(dbg, src, DW_DLA_STRING);
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
	struct hwt_lines *l;
	Dwarf_Debug dbg;
	Dwarf_Error e = NULL;
	size_t cap = 0, i, j;

	if (dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg,
			 &e) != DW_DLV_OK)
		return NULL;
	l = hwt_xrealloc(NULL, sizeof(*l));
	memset(l, 0, sizeof(*l));
	file_index(l, "");	/* index 0: no file */
	for (;;) {
		Dwarf_Unsigned hl, abbr, next, toff;
		Dwarf_Half ver, asz, lsz, esz, ct;
		Dwarf_Sig8 sig;
		Dwarf_Die cu = NULL;
		Dwarf_Off ao;

		(void)abbr;
		if (dwarf_next_cu_header_d(dbg, 1, &hl, &ver, &ao, &asz, &lsz,
					   &esz, &sig, &toff, &next, &ct,
					   &e) != DW_DLV_OK)
			break;
		if (dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK)
			continue;
		cu_lines(dbg, cu, l, &cap);
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
	}
	dwarf_finish(dbg, &e);
	if (!l->nrows) {
		hwt_dwarf_free(l);
		return NULL;
	}
	qsort(l->rows, l->nrows, sizeof(*l->rows), row_cmp);
	/* Keep the last row per address (a real one, see row_cmp). */
	for (i = 0, j = 0; i < l->nrows; i++) {
		if (j && l->rows[j - 1].addr == l->rows[i].addr)
			j--;
		l->rows[j++] = l->rows[i];
	}
	l->nrows = j;
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

size_t hwt_dwarf_fde_ranges(int fd, struct hwt_range **out)
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
