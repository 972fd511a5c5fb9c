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

/* libstdc++'s demangler (C linkage; libstdc++ is linked for OpenCSD).
 * The same cp-demangle code as libiberty's, which nm -C uses. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len,
		     int *status);

static struct hwt_sym *add_sym(struct hwt_elf *elf, size_t *cap,
			       const char *name, uint64_t start,
			       uint64_t size, uint64_t limit, int binding,
			       int type)
{
	struct hwt_sym *sym;

	if (elf->nsyms == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		elf->syms = hwt_xrealloc(elf->syms, *cap * sizeof(*elf->syms));
	}
	sym = &elf->syms[elf->nsyms++];
	memset(sym, 0, sizeof(*sym));
	sym->start = start;
	sym->size = size;
	sym->limit = limit;
	sym->binding = (uint8_t)binding;
	sym->type = (uint8_t)type;
	sym->name = NULL;
	if (name[0] == '_' && name[1] == 'Z') {
		int st = -1;
		char *d = __cxa_demangle(name, NULL, NULL, &st);

		if (d && !st) {
			sym->name = hwt_xstrdup(d);
			sym->mangled = hwt_xstrdup(name);
		}
		free(d);
	}
	if (!sym->name)
		sym->name = hwt_xstrdup(name);
	return sym;
}

/* End of the section holding index shndx, 0 if none; *exec: code. */
static uint64_t section_end(Elf *e, size_t shndx, int *exec)
{
	Elf_Scn *scn;
	GElf_Shdr sh;

	*exec = 0;
	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE)
		return 0;
	scn = elf_getscn(e, shndx);
	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC))
		return 0;
	*exec = !!(sh.sh_flags & SHF_EXECINSTR);
	return sh.sh_addr + sh.sh_size;
}

static size_t underscores(const char *s)
{
	return strspn(s, "_");
}

/* The IFUNC at addr (an IRELATIVE slot's resolver; nm's 'i'), global
 * or weak first, then the fewest leading underscores (memcpy, not __new_memcpy),
 * else NULL. */
static const char *ifunc_at(const struct hwt_elf *elf, size_t n,
			    uint64_t addr)
{
	const struct hwt_sym *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct hwt_sym *s = &elf->syms[i];

		if (s->start != addr || s->type != STT_GNU_IFUNC)
			continue;
		if (!best || (s->binding != STB_LOCAL) >
			     (best->binding != STB_LOCAL) ||
		    ((s->binding != STB_LOCAL) ==
		     (best->binding != STB_LOCAL) &&
		     underscores(s->name) < underscores(best->name)))
			best = s;
	}
	return best ? best->mangled ? best->mangled : best->name : NULL;
}

struct got_slot {
	uint64_t addr;		/* r_offset */
	char *name;		/* NAME@plt */
};

static int slot_cmp(const void *a, const void *b)
{
	const struct got_slot *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* GOT slots named by .rela.plt / .rela.dyn: JUMP_SLOT and GLOB_DAT by
 * their symbol, IRELATIVE by the IFUNC at the addend (objdump and perf:
 * "*ABS*+0xADDEND" where none). */
static size_t got_slots(Elf *e, const struct hwt_elf *elf, size_t nsym,
			struct got_slot **out)
{
	struct got_slot *v = NULL;
	size_t n = 0, cap = 0;
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Scn *symscn;
		GElf_Shdr sh, ssh;
		Elf_Data *d, *sd;
		size_t k, cnt;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    !sh.sh_entsize || !(sh.sh_flags & SHF_ALLOC))
			continue;
		d = elf_getdata(scn, NULL);
		symscn = elf_getscn(e, sh.sh_link);
		sd = symscn && gelf_getshdr(symscn, &ssh) ?
		     elf_getdata(symscn, NULL) : NULL;
		if (!d)
			continue;
		cnt = sh.sh_size / sh.sh_entsize;
		for (k = 0; k < cnt; k++) {
			GElf_Rela r;
			GElf_Sym sy;
			const char *name = NULL;
			char buf[64];
			size_t type, si;

			if (!gelf_getrela(d, (int)k, &r))
				break;
			type = GELF_R_TYPE(r.r_info);
			si = GELF_R_SYM(r.r_info);
			if (type == R_X86_64_JUMP_SLOT ||
			    type == R_X86_64_GLOB_DAT) {
				if (si && sd && gelf_getsym(sd, (int)si, &sy))
					name = elf_strptr(e, ssh.sh_link,
							  sy.st_name);
			} else if (type == R_X86_64_IRELATIVE) {
				name = ifunc_at(elf, nsym, (uint64_t)r.r_addend);
				if (!name) {
					snprintf(buf, sizeof(buf), "*ABS*+0x%llx",
						 (unsigned long long)r.r_addend);
					name = buf;
				}
			}
			if (!name || !*name)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				v = hwt_xrealloc(v, cap * sizeof(*v));
			}
			v[n].addr = r.r_offset;
			v[n].name = hwt_xrealloc(NULL, strlen(name) + 5);
			strcpy(v[n].name, name);
			strcat(v[n].name, "@plt");
			n++;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), slot_cmp);
	*out = v;
	return n;
}

/*
 * x86-64 PLT entries as objdump and perf name them: in .plt, .plt.sec
 * and .plt.got, each "jmp *SLOT(%rip)" (bnd- and endbr64-prefixed too)
 * whose GOT slot a relocation names starts an entry NAME@plt that ends
 * at the next entry, at most 16 bytes, never past the section.  PLT0 and
 * lazy-binding stubs whose slot has no relocation stay unnamed.
 */
static void plt_symbols(Elf *e, struct hwt_elf *elf, size_t *cap)
{
	struct got_slot *slots = NULL;
	size_t nslots, nsym = elf->nsyms, shstrndx, i;
	Elf_Scn *scn = NULL;

	if (elf->machine != EM_X86_64 || elf_getshdrstrndx(e, &shstrndx))
		return;
	nslots = got_slots(e, elf, nsym, &slots);
	while (nslots && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const uint8_t *p;
		const char *sname;
		size_t off, sz, entries = elf->nsyms;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		sname = elf_strptr(e, shstrndx, sh.sh_name);
		if (!sname || (strcmp(sname, ".plt") &&
			       strcmp(sname, ".plt.sec") &&
			       strcmp(sname, ".plt.got")))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		p = d->d_buf;
		sz = d->d_size < sh.sh_size ? d->d_size : sh.sh_size;
		for (off = 0; off + 6 <= sz; off++) {
			struct got_slot key, *hit;
			uint64_t start;
			int32_t disp;

			if (p[off] != 0xff || p[off + 1] != 0x25)
				continue;
			memcpy(&disp, p + off + 2, 4);
			key.addr = sh.sh_addr + off + 6 + (int64_t)disp;
			hit = bsearch(&key, slots, nslots, sizeof(*slots),
				      slot_cmp);
			if (!hit)
				continue;
			start = off;
			if (start >= 1 && p[start - 1] == 0xf2)
				start--;	/* bnd jmp */
			if (start >= 4 && !memcmp(p + start - 4,
						  "\xf3\x0f\x1e\xfa", 4))
				start -= 4;	/* endbr64 */
			add_sym(elf, cap, hit->name, sh.sh_addr + start, 0,
				sh.sh_addr + sh.sh_size, STB_GLOBAL, STT_FUNC);
			off += 5;
		}
		/* Each entry reaches the next, at most 16 bytes. */
		for (i = entries; i < elf->nsyms; i++) {
			uint64_t end = i + 1 < elf->nsyms ?
				       elf->syms[i + 1].start :
				       sh.sh_addr + sh.sh_size;

			elf->syms[i].size = end - elf->syms[i].start;
			if (elf->syms[i].size > 16)
				elf->syms[i].size = 16;
		}
	}
	for (i = 0; i < nslots; i++)
		free(slots[i].name);
	free(slots);
}

static void free_sym(struct hwt_sym *s)
{
	free(s->name);
	free(s->mangled);
}

/*
 * Arm's mapping symbols ($a, $t, $d and A64's $x, each optionally
 * followed by ".anything": ELF for the Arm Architecture, "Mapping
 * symbols"; the same in AArch64's ELF) mark code and data, not functions:
 * objdump and perf never name code after them.
 * Returns 1 if name is one.
 */
static int is_mapping_symbol(const char *name)
{
	return name[0] == '$' && strchr("atdx", name[1]) && name[1] &&
	       (!name[2] || name[2] == '.');
}

/* Appends e's function symbols (symtab and dynsym) to elf->syms. */
static void collect_symbols(Elf *e, struct hwt_elf *elf, size_t *cap)
{
	Elf_Scn *scn = NULL;

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
			uint64_t end;
			int exec;

			if (!gelf_getsym(d, (int)k, &s))
				break;
			/* Functions, IFUNC resolvers (nm's 'i'), and
			 * named untyped code labels. */
			if (GELF_ST_TYPE(s.st_info) != STT_FUNC &&
			    GELF_ST_TYPE(s.st_info) != STT_GNU_IFUNC &&
			    !(GELF_ST_TYPE(s.st_info) == STT_NOTYPE &&
			      s.st_shndx != SHN_UNDEF && s.st_name))
				continue;
			if (s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			end = section_end(e, s.st_shndx, &exec);
			if (GELF_ST_TYPE(s.st_info) == STT_NOTYPE && !exec)
				continue;	/* a data or absolute label */
			name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !*name || is_mapping_symbol(name))
				continue;
			add_sym(elf, cap, name, s.st_value, s.st_size, end,
				GELF_ST_BIND(s.st_info),
				GELF_ST_TYPE(s.st_info));
		}
	}
}

/* Sorts elf->syms, keeps one per address and sizes them: sized ones end
 * at the next symbol, unsized ones reach it but never past their
 * section.  Run again after symbols are added: sizes only shrink. */
static void finish_symbols(struct hwt_elf *elf)
{
	size_t n = elf->nsyms, i, j;

	if (!n)
		return;
	qsort(elf->syms, n, sizeof(*elf->syms), sym_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (j && elf->syms[j - 1].start == elf->syms[i].start) {
			free_sym(&elf->syms[i]);
			continue;
		}
		elf->syms[j++] = elf->syms[i];
	}
	for (i = 0; i < j; i++) {
		struct hwt_sym *s = &elf->syms[i];
		uint64_t next = i + 1 < j ? elf->syms[i + 1].start : 0;

		if (!s->size) {
			uint64_t end = next;

			if (s->limit > s->start && (!end || end > s->limit))
				end = s->limit;
			s->size = end ? end - s->start : 1;
		} else if (next && s->start + s->size > next) {
			s->size = next - s->start;
		}
	}
	elf->nsyms = j;
}

static void read_symbols(Elf *e, struct hwt_elf *elf)
{
	size_t cap = elf->nsyms;

	collect_symbols(e, elf, &cap);
	plt_symbols(e, elf, &cap);
	finish_symbols(elf);
}

int hwt_elf_add_debug_fd(struct hwt_elf *elf, int fd)
{
	struct hwt_elf dbg;
	size_t cap = elf->nsyms;
	char magic[4];
	Elf *e;

	if (!elf->build_id[0] || pread(fd, magic, 4, 0) != 4 ||
	    memcmp(magic, ELFMAG, 4))
		return 0;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		return 0;
	}
	memset(&dbg, 0, sizeof(dbg));
	read_build_id(e, &dbg);
	if (strcmp(dbg.build_id, elf->build_id)) {
		elf_end(e);
		return 0;
	}
	collect_symbols(e, elf, &cap);
	elf_end(e);
	finish_symbols(elf);
	return 1;
}

/* 1 if one of the first n symbols overlaps [start, end). */
static int overlaps(const struct hwt_sym *syms, size_t n, uint64_t start,
		    uint64_t end)
{
	size_t lo = 0, hi = n;

	if (hwt_sym_find(syms, n, start))
		return 1;
	while (lo < hi) {	/* the first symbol starting at or after start */
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && syms[lo].start < end;
}

size_t hwt_elf_add_unnamed(struct hwt_elf *elf, const struct hwt_range *r,
			   size_t n)
{
	size_t cap = elf->nsyms, old = elf->nsyms, i, added = 0;
	char name[32];

	for (i = 0; i < n; i++) {
		if (!r[i].start || !r[i].size ||
		    r[i].start + r[i].size < r[i].start ||
		    overlaps(elf->syms, old, r[i].start,
			     r[i].start + r[i].size))
			continue;
		snprintf(name, sizeof(name), "sub_%llx",
			 (unsigned long long)r[i].start);
		add_sym(elf, &cap, name, r[i].start, r[i].size,
			r[i].start + r[i].size, STB_LOCAL, STT_FUNC);
		added++;
	}
	if (added)
		finish_symbols(elf);
	return added;
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
		free_sym(&elf->syms[i]);
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
