/* SPDX-License-Identifier: BSD-2-Clause */
/* ELF segments, build id and symbols (symtab + dynsym) via libelf. */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/symtab.h"
#include "core/util.h"

static int sym_cmp(const void *a, const void *b)
{
	const struct hwt_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* Prefer global, then sized, names first among aliases. */
	if (x->binding != y->binding)
		return x->binding == STB_GLOBAL ? -1 :
		       y->binding == STB_GLOBAL ? 1 : 0;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void read_build_id(Elf *e, struct hwt_elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t off = 0, noff, doff;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			const uint8_t *p = (const uint8_t *)d->d_buf + doff;
			size_t i;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)d->d_buf + noff, "GNU", 4))
				continue;
			for (i = 0; i < nh.n_descsz && i < 31; i++)
				snprintf(elf->build_id + 2 * i, 3, "%02x", p[i]);
			return;
		}
	}
}

static void read_symbols(Elf *e, struct hwt_elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0, n = 0, i, j;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t k, cnt;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		cnt = sh.sh_size / sh.sh_entsize;
		for (k = 1; k < cnt; k++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(d, (int)k, &s))
				break;
			if (GELF_ST_TYPE(s.st_info) != STT_FUNC &&
			    !(GELF_ST_TYPE(s.st_info) == STT_NOTYPE &&
			      s.st_shndx != SHN_UNDEF && s.st_name))
				continue;
			if (s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				elf->syms = hwt_xrealloc(elf->syms,
							 cap * sizeof(*elf->syms));
			}
			elf->syms[n].start = s.st_value;
			elf->syms[n].size = s.st_size;
			elf->syms[n].name = hwt_xstrdup(name);
			elf->syms[n].binding = GELF_ST_BIND(s.st_info);
			elf->syms[n].id = 0;
			n++;
		}
	}
	if (!n)
		return;
	qsort(elf->syms, n, sizeof(*elf->syms), sym_cmp);
	/* One symbol per address; unsized ones extend to the next. */
	for (i = 0, j = 0; i < n; i++) {
		if (j && elf->syms[j - 1].start == elf->syms[i].start) {
			free(elf->syms[i].name);
			continue;
		}
		elf->syms[j++] = elf->syms[i];
	}
	for (i = 0; i + 1 < j; i++)
		if (!elf->syms[i].size ||
		    elf->syms[i].start + elf->syms[i].size >
		    elf->syms[i + 1].start)
			elf->syms[i].size =
				elf->syms[i + 1].start - elf->syms[i].start;
	if (j && !elf->syms[j - 1].size)
		elf->syms[j - 1].size = 1;
	elf->nsyms = j;
}

int hwt_elf_load_fd(int fd, const char *path, struct hwt_elf *elf,
		    char *err, size_t errlen)
{
	GElf_Ehdr eh;
	size_t i, nph;
	Elf *e;
	char magic[4];

	memset(elf, 0, sizeof(*elf));
	if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, ELFMAG, 4))
		return 0;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    elf_getphdrnum(e, &nph)) {
		hwt_errf(err, errlen, "%s: corrupt ELF: %s", path,
			   elf_errmsg(-1));
		if (e)
			elf_end(e);
		return -1;
	}
	elf->type = eh.e_type;
	elf->machine = eh.e_machine;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		elf->segs = hwt_xrealloc(elf->segs,
					 (elf->nsegs + 1) * sizeof(*elf->segs));
		elf->segs[elf->nsegs].vaddr = ph.p_vaddr;
		elf->segs[elf->nsegs].offset = ph.p_offset;
		elf->segs[elf->nsegs].filesz = ph.p_filesz;
		elf->segs[elf->nsegs].memsz = ph.p_memsz;
		elf->segs[elf->nsegs].flags = ph.p_flags;
		elf->nsegs++;
	}
	read_build_id(e, elf);
	read_symbols(e, elf);
	elf_end(e);
	return 1;
}

int hwt_elf_load(const char *path, struct hwt_elf *elf, char *err,
		 size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc;

	memset(elf, 0, sizeof(*elf));
	if (fd < 0) {
		hwt_errf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	rc = hwt_elf_load_fd(fd, path, elf, err, errlen);
	close(fd);
	return rc;
}

void hwt_elf_fini(struct hwt_elf *elf)
{
	size_t i;

	for (i = 0; i < elf->nsyms; i++)
		free(elf->syms[i].name);
	free(elf->syms);
	free(elf->segs);
	memset(elf, 0, sizeof(*elf));
}

const struct hwt_sym *hwt_sym_find(const struct hwt_sym *syms, size_t n,
				   uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	if (addr - syms[lo].start < syms[lo].size)
		return &syms[lo];
	return NULL;
}
