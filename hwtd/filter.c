// SPDX-License-Identifier: BSD-2-Clause
/* Address-range filters with libelf.  See filter.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hwt_err.h"
#include "filter.h"

static int parse_hex(const char *s, size_t n, uint64_t *v)
{
	char buf[32], *end;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 16);
	return (errno || *end) ? -1 : 0;
}

int hwtd_filter_parse(const char *spec, struct hwtd_filter *f, char *err,
		      size_t errlen)
{
	const char *at = strrchr(spec, '@'), *dash;
	size_t n;

	memset(f, 0, sizeof(*f));
	if (!*spec)
		return hwt_errf(err, errlen, "empty filter");
	if (!at) {
		/* No '@': a path or shared object is a whole object, any
		 * other word a function of the main program. */
		if (strchr(spec, '/') || strstr(spec, ".so")) {
			f->kind = HWTD_F_OBJECT;
			n = strlen(spec);
			if (n >= sizeof(f->object))
				return hwt_errf(err, errlen, "filter: path too long");
			memcpy(f->object, spec, n + 1);
			return 0;
		}
		at = spec + strlen(spec);
	} else {
		n = strlen(at + 1);
		if (!n)
			return hwt_errf(err, errlen, "filter '%s': empty object"
				    " after '@'", spec);
		if (n >= sizeof(f->object))
			return hwt_errf(err, errlen, "filter: path too long");
		memcpy(f->object, at + 1, n + 1);
	}
	n = (size_t)(at - spec);
	if (!n) {
		f->kind = HWTD_F_OBJECT;
		return 0;
	}
	dash = memchr(spec, '-', n);
	if (dash && spec[0] >= '0' && spec[0] <= '9') {
		f->kind = HWTD_F_RANGE;
		if (parse_hex(spec, (size_t)(dash - spec), &f->start) ||
		    parse_hex(dash + 1, (size_t)(at - dash - 1), &f->end) ||
		    f->start >= f->end)
			return hwt_errf(err, errlen, "filter '%s': want START-END"
				    " in hex with START < END", spec);
		if (!*f->object)
			return hwt_errf(err, errlen, "filter '%s': an address range"
				    " needs @OBJECT", spec);
		return 0;
	}
	f->kind = HWTD_F_FUNC;
	if (n >= sizeof(f->func))
		return hwt_errf(err, errlen, "filter: function name too long");
	memcpy(f->func, spec, n);
	f->func[n] = 0;
	return 0;
}

struct elf_file {
	int fd;
	Elf *e;
	GElf_Ehdr eh;
	size_t nph;
};

static int elf_open(struct elf_file *ef, const char *path, char *err,
		    size_t errlen)
{
	struct stat sb;

	elf_version(EV_CURRENT);
	ef->e = NULL;
	/* hwtd reads it (as the client): whatever is at the path now may
	 * be a symlink, a FIFO or a device put there by the client. */
	ef->fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY |
		      O_CLOEXEC);
	if (ef->fd < 0)
		return hwt_errf(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(ef->fd, &sb) || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > HWTD_ELF_MAX) {
		close(ef->fd);
		return hwt_errf(err, errlen, "%s: not a regular file of at most"
				 " %llu bytes", path,
				 (unsigned long long)HWTD_ELF_MAX);
	}
	ef->e = elf_begin(ef->fd, ELF_C_READ, NULL);
	if (!ef->e || elf_kind(ef->e) != ELF_K_ELF ||
	    !gelf_getehdr(ef->e, &ef->eh) || elf_getphdrnum(ef->e, &ef->nph)) {
		if (ef->e)
			elf_end(ef->e);
		close(ef->fd);
		return hwt_errf(err, errlen, "%s: not an ELF file", path);
	}
	return 0;
}

static void elf_close(struct elf_file *ef)
{
	elf_end(ef->e);
	close(ef->fd);
}

/* Link-time [v, v + len) to file offsets via the PT_LOAD that holds it. */
static int vaddr_to_off(struct elf_file *ef, uint64_t v, uint64_t len,
			struct hwtd_range *out)
{
	GElf_Phdr ph;
	size_t i;

	for (i = 0; i < ef->nph; i++) {
		if (!gelf_getphdr(ef->e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (v >= ph.p_vaddr && v + len <= ph.p_vaddr + ph.p_filesz &&
		    v + len > v) {
			out->start = v - ph.p_vaddr + ph.p_offset;
			out->end = out->start + len;
			return 0;
		}
	}
	return -1;
}

static int find_func(struct elf_file *ef, const char *name, GElf_Sym *res)
{
	Elf_Scn *scn;
	int pass;

	/* The full symbol table first; a stripped file keeps .dynsym. */
	for (pass = 0; pass < 2; pass++) {
		Elf64_Word want = pass ? SHT_DYNSYM : SHT_SYMTAB;

		for (scn = NULL; (scn = elf_nextscn(ef->e, scn));) {
			GElf_Shdr sh;
			Elf_Data *d;
			size_t i, n;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want ||
			    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
				continue;
			n = sh.sh_size / sh.sh_entsize;
			for (i = 0; i < n; i++) {
				GElf_Sym s;
				const char *sn;
				int t;

				if (!gelf_getsym(d, (int)i, &s))
					continue;
				t = GELF_ST_TYPE(s.st_info);
				if ((t != STT_FUNC && t != STT_GNU_IFUNC) ||
				    s.st_shndx == SHN_UNDEF || !s.st_size)
					continue;
				sn = elf_strptr(ef->e, sh.sh_link, s.st_name);
				if (sn && !strcmp(sn, name)) {
					*res = s;
					return 0;
				}
			}
		}
	}
	return -1;
}

int hwtd_filter_resolve(const struct hwtd_filter *f, const char *path,
			struct hwtd_range *out, int max, char *err,
			size_t errlen)
{
	struct elf_file ef;
	GElf_Phdr ph;
	GElf_Sym sym;
	int n = 0, ret = -1;
	size_t i;

	if (elf_open(&ef, path, err, errlen))
		return -1;
	switch (f->kind) {
	case HWTD_F_FUNC:
		if (find_func(&ef, f->func, &sym)) {
			hwt_errf(err, errlen, "function '%s' not found in %s",
			     f->func, path);
			break;
		}
		if (max < 1 || vaddr_to_off(&ef, sym.st_value, sym.st_size,
					    out)) {
			hwt_errf(err, errlen, "%s: function '%s' is not in a"
			     " loadable segment", path, f->func);
			break;
		}
		ret = 1;
		break;
	case HWTD_F_RANGE:
		if (max < 1 || vaddr_to_off(&ef, f->start, f->end - f->start,
					    out)) {
			hwt_errf(err, errlen, "%s: %#llx-%#llx is not inside one"
			     " loadable segment", path,
			     (unsigned long long)f->start,
			     (unsigned long long)f->end);
			break;
		}
		ret = 1;
		break;
	case HWTD_F_OBJECT:
		for (i = 0; i < ef.nph; i++) {
			if (!gelf_getphdr(ef.e, (int)i, &ph) ||
			    ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) ||
			    !ph.p_filesz)
				continue;
			if (n == max) {
				n = -1;
				break;
			}
			out[n].start = ph.p_offset;
			out[n].end = ph.p_offset + ph.p_filesz;
			n++;
		}
		if (n <= 0)
			hwt_errf(err, errlen, "%s: %s", path, n ? "too many"
			     " executable segments" : "no executable segment");
		else
			ret = n;
		break;
	}
	elf_close(&ef);
	return ret;
}

int hwtd_filter_object_matches(const char *object, const char *mapped)
{
	const char *base;

	if (strchr(object, '/'))
		return !strcmp(object, mapped);
	base = strrchr(mapped, '/');
	return !strcmp(object, base ? base + 1 : mapped);
}

int hwtd_filter_relocate(struct hwtd_range *r, int n, const char *path,
			 const struct hwtd_mapping *maps, int nmaps,
			 char *err, size_t errlen)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nmaps; j++) {
			const struct hwtd_mapping *m = &maps[j];

			if (strcmp(m->path, path) || r[i].start < m->pgoff ||
			    r[i].end > m->pgoff + m->len)
				continue;
			r[i].start = m->addr + (r[i].start - m->pgoff);
			r[i].end = m->addr + (r[i].end - m->pgoff);
			break;
		}
		if (j == nmaps)
			return hwt_errf(err, errlen, "%s: file offsets %#llx-%#llx"
				    " are not mapped in the target", path,
				    (unsigned long long)r[i].start,
				    (unsigned long long)r[i].end);
	}
	return 0;
}

int hwtd_filter_relocate_static(struct hwtd_range *r, int n,
				const char *path, char *err, size_t errlen)
{
	struct elf_file ef;
	GElf_Phdr ph;
	int i, ret = 0;
	size_t k;

	if (elf_open(&ef, path, err, errlen))
		return -1;
	if (ef.eh.e_type != ET_EXEC) {
		elf_close(&ef);
		return hwt_errf(err, errlen, "%s: position-independent: its load"
			    " address is known only once it runs (attach with"
			    " -p, or build with -no-pie)", path);
	}
	for (i = 0; i < n && !ret; i++) {
		ret = -1;
		for (k = 0; k < ef.nph; k++) {
			if (!gelf_getphdr(ef.e, (int)k, &ph) ||
			    ph.p_type != PT_LOAD || r[i].start < ph.p_offset ||
			    r[i].end > ph.p_offset + ph.p_filesz)
				continue;
			r[i].start = r[i].start - ph.p_offset + ph.p_vaddr;
			r[i].end = r[i].end - ph.p_offset + ph.p_vaddr;
			ret = 0;
			break;
		}
	}
	elf_close(&ef);
	return ret ? hwt_errf(err, errlen, "%s: offsets outside its segments",
			  path) : 0;
}
