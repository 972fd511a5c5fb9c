/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The traced program's memory: sections of mapped files at virtual
 * addresses, and the binaries they belong to (symbols, lines).
 * Later sections win over earlier ones where they overlap, as in libipt.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image.h"
#include "core/util.h"
#include "image/symtab.h"
#include "image/dwarf.h"
#include "image/dwarf_cache.h"

struct hwt_file {
	char *path;
	const uint8_t *data;
	size_t size;
	int fd;		/* kept: ELF symbols and DWARF lines read from it */
};

struct hwt_image {
	struct hwt_section *secs;
	size_t nsecs;
	struct hwt_binary **bins;
	size_t nbins;
	struct hwt_file *files;
	size_t nfiles;
	uint32_t next_sym_id;
	/* How files are opened: as named (symlinks followed, any owner),
	 * or as a session's records name them (hwt_image_set_policy). */
	int dirfd;
	struct hwt_file_policy policy;
	char *debug_dirs;	/* NULL: HWT_DEBUG_DIR; "": none */
	struct hwt_image_dwarf_cache cache;
};

struct hwt_image *hwt_image_alloc(void)
{
	struct hwt_image *img = hwt_xrealloc(NULL, sizeof(*img));

	memset(img, 0, sizeof(*img));
	img->next_sym_id = 1;
	img->dirfd = AT_FDCWD;
	img->policy.follow = 1;
	return img;
}

void hwt_image_set_policy(struct hwt_image *img, int dirfd,
			  const struct hwt_file_policy *p)
{
	img->dirfd = dirfd;
	img->policy = *p;
}

void hwt_image_set_debug_dirs(struct hwt_image *img, const char *dirs)
{
	free(img->debug_dirs);
	img->debug_dirs = dirs ? hwt_xstrdup(dirs) : NULL;
}

void hwt_image_set_dwarf_cache(struct hwt_image *img,
			       const struct hwt_decode_opts *o)
{
	free(img->cache.dir);
	img->cache.dir = o->dwarf_cache ? hwt_xstrdup(o->dwarf_cache) : NULL;
	img->cache.stats = o->dwarf_cache_stats;
	img->cache.quiet = o->quiet;
}

void hwt_image_free(struct hwt_image *img)
{
	size_t i;

	if (!img)
		return;
	for (i = 0; i < img->nbins; i++) {
		hwt_elf_fini(&img->bins[i]->elf);
		hwt_dwarf_free(img->bins[i]->lines);
		hwt_dwarf_inlines_free(img->bins[i]->inlines);
		if (img->bins[i]->debug_fd >= 0)
			close(img->bins[i]->debug_fd);
		free(img->bins[i]->path);
		free(img->bins[i]);
	}
	for (i = 0; i < img->nfiles; i++) {
		free(img->files[i].path);
		close(img->files[i].fd);
	}
	/* File mappings stay until exit: sections may still point at them. */
	free(img->files);
	free(img->debug_dirs);
	free(img->cache.dir);
	free(img->bins);
	free(img->secs);
	free(img);
}

/* The file open_name (relative to img->dirfd, opened under img->policy),
 * known as path. */
static const struct hwt_file *get_file_at(struct hwt_image *img,
					  const char *open_name,
					  const char *path, char *err,
					  size_t errlen)
{
	struct hwt_file *f;
	size_t i;

	for (i = 0; i < img->nfiles; i++)
		if (!strcmp(img->files[i].path, path))
			return &img->files[i];
	img->files = hwt_xrealloc(img->files,
				  (img->nfiles + 1) * sizeof(*img->files));
	f = &img->files[img->nfiles];
	f->fd = hwt_open_checked(img->dirfd, open_name, path, &img->policy,
				 NULL, err, errlen);
	if (f->fd < 0)
		return NULL;
	f->data = hwt_map_fd(f->fd, path, &f->size, err, errlen);
	if (!f->data) {
		close(f->fd);
		return NULL;
	}
	f->path = hwt_xstrdup(path);
	img->nfiles++;
	return f;
}

static const struct hwt_file *get_file(struct hwt_image *img,
				       const char *path, char *err,
				       size_t errlen)
{
	return get_file_at(img, path, path, err, errlen);
}

/*
 * The separate debug file of build id in debug directory dir:
 * DIR/.build-id/xx/rest.debug (gdb's and Debian's -dbg/-dbgsym layout).
 * A symlink is followed only where it stays inside dir (Fedora's layout);
 * the file must be a regular file owned by root or by us, writable by
 * no one else (a root decode must not read what another user planted).
 * Returns an open fd if there is one.
 * Returns -1 if there is none or it fails a check.
 */
static int open_debug_file(const char *dir, const char *build_id)
{
	char path[PATH_MAX], real[PATH_MAX], rdir[PATH_MAX];
	const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	struct stat st;
	size_t n;
	int fd;

	if (strlen(build_id) < 3 ||
	    snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dir,
		     build_id, build_id + 2) >= (int)sizeof(path))
		return -1;
	fd = open(path, flags);
	if (fd < 0 && errno == ELOOP) {
		if (!realpath(path, real) || !realpath(dir, rdir))
			return -1;
		n = strlen(rdir);
		if (strncmp(real, rdir, n) || real[n] != '/')
			return -1;
		fd = open(real, flags);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 0022)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Names for a binary's code beyond its own symbols: those of its debug
 * file (by build id, in img's debug directories), then "sub_ADDR" for
 * the functions its .eh_frame describes and no symbol covers (a stripped
 * program's own functions).
 */
static void more_symbols(struct hwt_image *img, struct hwt_binary *b)
{
	const char *dirs = img->debug_dirs ? img->debug_dirs : HWT_DEBUG_DIR;
	struct hwt_range *r;
	size_t n;

	while (*dirs && b->build_id[0]) {
		size_t len = strcspn(dirs, ":");
		char dir[PATH_MAX];
		int fd = -1;

		if (len && len < sizeof(dir)) {
			memcpy(dir, dirs, len);
			dir[len] = 0;
			fd = open_debug_file(dir, b->build_id);
		}
		dirs += len + (dirs[len] == ':');
		if (fd < 0)
			continue;
		if (hwt_elf_add_debug_fd(&b->elf, fd) == 1) {
			b->debug_fd = fd;
			break;
		}
		close(fd);
	}
	n = hwt_dwarf_fde_ranges(b->fd, &r);
	hwt_elf_add_unnamed(&b->elf, r, n);
	free(r);
}

static struct hwt_binary *get_binary(struct hwt_image *img,
				     const struct hwt_file *f, int64_t bias,
				     const struct hwt_elf *elf)
{
	const char *path = f->path;
	struct hwt_binary *b;
	size_t i;

	for (i = 0; i < img->nbins; i++)
		if (!strcmp(img->bins[i]->path, path) &&
		    img->bins[i]->bias == bias) {
			if (elf)
				hwt_elf_fini((struct hwt_elf *)elf);
			return img->bins[i];
		}
	b = hwt_xrealloc(NULL, sizeof(*b));
	memset(b, 0, sizeof(*b));
	b->id = (uint32_t)img->nbins + 1;
	b->path = hwt_xstrdup(path);
	b->fd = f->fd;
	b->debug_fd = -1;
	b->bias = bias;
	b->cache = &img->cache;
	if (elf) {
		b->elf = *elf;
		b->is_elf = 1;
		memcpy(b->build_id, elf->build_id, sizeof(b->build_id));
		more_symbols(img, b);
		for (i = 0; i < b->elf.nsyms; i++)
			b->elf.syms[i].id = img->next_sym_id++;
	}
	img->bins = hwt_xrealloc(img->bins,
				 (img->nbins + 1) * sizeof(*img->bins));
	img->bins[img->nbins++] = b;
	return b;
}

static void add_section(struct hwt_image *img, const struct hwt_file *f,
			uint64_t off, uint64_t size, uint64_t vaddr,
			struct hwt_binary *bin)
{
	struct hwt_section *s;

	img->secs = hwt_xrealloc(img->secs,
				 (img->nsecs + 1) * sizeof(*img->secs));
	s = &img->secs[img->nsecs++];
	s->vaddr = vaddr;
	s->size = size;
	s->data = f->data + off;
	s->file_offset = off;
	s->path = f->path;
	s->bin = bin;
}

int hwt_image_add_raw(struct hwt_image *img, const char *path, uint64_t offset,
		      uint64_t size, uint64_t vaddr, char *err, size_t errlen)
{
	const struct hwt_file *f = get_file(img, path, err, errlen);

	if (!f)
		return -1;
	if (offset >= f->size) {
		hwt_errf(err, errlen, "%s: offset 0x%llx beyond the file "
			   "(%zu bytes)", path, (unsigned long long)offset,
			   f->size);
		return -1;
	}
	/* A size past the end maps to the end (ptxed's FROM-TO ranges
	 * read as OFFSET-SIZE cover the same bytes). */
	if (!size || size > f->size - offset)
		size = f->size - offset;
	if (!size) {
		hwt_errf(err, errlen, "%s: empty", path);
		return -1;
	}
	if (vaddr + size < vaddr) {
		hwt_errf(err, errlen, "%s: address wraps", path);
		return -1;
	}
	add_section(img, f, offset, size, vaddr,
		    get_binary(img, f, (int64_t)(vaddr - offset), NULL));
	return 0;
}

int hwt_image_add_elf(struct hwt_image *img, const char *path, uint64_t base,
		      int have_base, char *err, size_t errlen)
{
	const struct hwt_file *f;
	struct hwt_binary *bin;
	struct hwt_elf elf;
	uint64_t minv = UINT64_MAX;
	int64_t bias = 0;
	size_t i, added = 0;
	int rc;

	f = get_file(img, path, err, errlen);
	if (!f)
		return -1;
	rc = hwt_elf_load_fd(f->fd, path, &elf, err, errlen);
	if (rc < 0)
		return -1;
	if (!rc) {
		hwt_errf(err, errlen, "%s: not an ELF file", path);
		return -1;
	}
	for (i = 0; i < elf.nsegs; i++)
		if (elf.segs[i].vaddr < minv)
			minv = elf.segs[i].vaddr;
	if (have_base && elf.nsegs)
		bias = (int64_t)(base - minv);
	bin = get_binary(img, f, bias, &elf);
	for (i = 0; i < bin->elf.nsegs; i++) {
		const struct hwt_elf_seg *s = &bin->elf.segs[i];

		if (!s->filesz)
			continue;
		if (s->offset > f->size || s->filesz > f->size - s->offset) {
			hwt_errf(err, errlen, "%s: corrupt ELF: segment "
				   "beyond the file", path);
			return -1;
		}
		add_section(img, f, s->offset, s->filesz,
			    s->vaddr + (uint64_t)bias, bin);
		added++;
	}
	if (!added) {
		hwt_errf(err, errlen, "%s: no loadable segments", path);
		return -1;
	}
	return 0;
}

int hwt_image_add_mapping(struct hwt_image *img, const char *path,
			  uint64_t addr, uint64_t len, uint64_t pgoff,
			  char *err, size_t errlen)
{
	return hwt_image_add_mapping_at(img, path, path, addr, len, pgoff,
					err, errlen);
}

int hwt_image_add_mapping_at(struct hwt_image *img, const char *open_name,
			     const char *path, uint64_t addr, uint64_t len,
			     uint64_t pgoff, char *err, size_t errlen)
{
	const struct hwt_file *f = get_file_at(img, open_name, path, err,
					       errlen);
	struct hwt_binary *bin;
	struct hwt_elf elf;
	int64_t bias = (int64_t)(addr - pgoff);
	size_t i;
	int rc;

	if (!f)
		return -1;
	if (pgoff >= f->size) {
		hwt_errf(err, errlen, "%s: offset 0x%llx beyond the file",
			   path, (unsigned long long)pgoff);
		return -1;
	}
	if (len > f->size - pgoff)
		len = f->size - pgoff;
	rc = hwt_elf_load_fd(f->fd, path, &elf, NULL, 0);
	if (rc > 0) {
		/* Link address of file offset pgoff, from its segment. */
		for (i = 0; i < elf.nsegs; i++) {
			const struct hwt_elf_seg *s = &elf.segs[i];

			if (pgoff >= (s->offset & ~0xfffull) &&
			    pgoff < s->offset + s->filesz) {
				bias = (int64_t)(addr - pgoff -
						 (s->vaddr - s->offset));
				break;
			}
		}
		bin = get_binary(img, f, bias, &elf);
	} else {
		bin = get_binary(img, f, bias, NULL);
	}
	add_section(img, f, pgoff, len, addr, bin);
	return 0;
}

int hwt_image_add_view(struct hwt_image *img, const struct hwt_section *s)
{
	if (img->nbins || img->nfiles)
		return -1;
	img->secs = hwt_xrealloc(img->secs,
				 (img->nsecs + 1) * sizeof(*img->secs));
	img->secs[img->nsecs++] = *s;
	return 0;
}

size_t hwt_image_nsections(const struct hwt_image *img)
{
	return img->nsecs;
}

const struct hwt_section *hwt_image_section(const struct hwt_image *img,
					    size_t i)
{
	return i < img->nsecs ? &img->secs[i] : NULL;
}

size_t hwt_image_nbinaries(const struct hwt_image *img)
{
	return img->nbins;
}

struct hwt_binary *hwt_image_binary(const struct hwt_image *img, size_t i)
{
	return i < img->nbins ? img->bins[i] : NULL;
}

const struct hwt_section *hwt_image_find(const struct hwt_image *img,
					 uint64_t addr)
{
	size_t i;

	/* Newest first; no lookup cache: decoder threads share images. */
	for (i = img->nsecs; i > 0; i--) {
		const struct hwt_section *s = &img->secs[i - 1];

		if (addr - s->vaddr < s->size)
			return s;
	}
	return NULL;
}

int hwt_image_read(const struct hwt_image *img, uint64_t addr, void *buf,
		   size_t size)
{
	const struct hwt_section *s = hwt_image_find(img, addr);
	uint64_t avail;

	if (!s)
		return -1;
	avail = s->size - (addr - s->vaddr);
	if (size > avail)
		size = (size_t)avail;
	if (size > 0x7fffffff)
		size = 0x7fffffff;
	memcpy(buf, s->data + (addr - s->vaddr), size);
	return (int)size;
}

int hwt_image_read_cb(void *arg, uint64_t addr, void *buf, size_t size)
{
	return hwt_image_read(arg, addr, buf, size);
}

const struct hwt_sym *hwt_image_symbol(const struct hwt_image *img,
				       uint64_t addr,
				       const struct hwt_binary **bin)
{
	const struct hwt_section *s = hwt_image_find(img, addr);

	if (bin)
		*bin = s ? s->bin : NULL;
	if (!s || !s->bin->elf.nsyms)
		return NULL;
	return hwt_sym_find(s->bin->elf.syms, s->bin->elf.nsyms,
			    addr - (uint64_t)s->bin->bias);
}

int hwt_image_is_sym_start(const struct hwt_image *img, uint64_t addr)
{
	const struct hwt_binary *bin;
	const struct hwt_sym *sym = hwt_image_symbol(img, addr, &bin);

	return sym && sym->start + (uint64_t)bin->bias == addr;
}

const struct hwt_line *hwt_image_line(const struct hwt_image *img,
				      uint64_t addr, const char **file)
{
	const struct hwt_section *s = hwt_image_find(img, addr);
	struct hwt_binary *b;
	const struct hwt_line *l;

	if (!s || !s->bin->is_elf)
		return NULL;
	b = s->bin;
	if (!b->lines_loaded) {
		b->lines = hwt_dwarf_lines_fd(b->debug_fd >= 0 ?
					      b->debug_fd : b->fd);
		b->lines_loaded = 1;
	}
	if (!b->lines)
		return NULL;
	l = hwt_lines_find(b->lines, addr - (uint64_t)b->bias);
	if (l && file)
		*file = b->lines->files[l->file];
	return l;
}

/*
 * b's DWARF lines and inlines for want through the cache: the units the
 * cache has, those it lacks read and the cache file rewritten; a damaged
 * cache file is warned about and replaced.
 * Returns 0 if the tables are set (NULL where there are none).
 * Returns -1 if b has no build id or its file cannot be stat'ed (no
 * cache: read its DWARF as without one).
 */
static int load_dwarf_cached(struct hwt_binary *b, int fd,
			     const struct hwt_range *want, size_t nwant)
{
	const struct hwt_image_dwarf_cache *c = b->cache;
	struct hwt_dwarf_cache_key key;
	struct hwt_dwarf_units us;
	struct stat st;
	char why[512];
	int rc;

	if (!b->build_id[0] || fstat(fd, &st))
		return -1;
	key.build_id = b->build_id;
	key.size = (uint64_t)st.st_size;
	key.mtime_sec = (int64_t)st.st_mtim.tv_sec;
	key.mtime_nsec = (int64_t)st.st_mtim.tv_nsec;
	rc = hwt_dwarf_cache_load(c->dir, &key, &us, why, sizeof(why));
	if (rc < 0) {
		if (!c->quiet)
			fprintf(stderr, "hwt: warning: DWARF cache %s: "
				"ignored, rebuilt\n", why);
		if (c->stats)
			__atomic_add_fetch(&c->stats->rejected, 1,
					   __ATOMIC_RELAXED);
	}
	if (rc == 0 && hwt_dwarf_units_complete(&us, want, nwant)) {
		if (c->stats)
			__atomic_add_fetch(&c->stats->hits, 1,
					   __ATOMIC_RELAXED);
	} else if (hwt_dwarf_units_read(fd, &us, want, nwant) < 0) {
		hwt_dwarf_units_fini(&us);	/* no DWARF: nothing kept */
		return 0;
	} else if (hwt_dwarf_cache_store(c->dir, &key, &us, why,
					 sizeof(why)) < 0) {
		if (!c->quiet)
			fprintf(stderr, "hwt: warning: DWARF cache not "
				"written: %s\n", why);
	} else if (c->stats) {
		__atomic_add_fetch(&c->stats->written, 1, __ATOMIC_RELAXED);
	}
	hwt_dwarf_units_tables(&us, want, nwant,
			       b->lines_loaded ? NULL : &b->lines,
			       b->inlines_loaded ? NULL : &b->inlines);
	hwt_dwarf_units_fini(&us);
	return 0;
}

void hwt_binary_load_dwarf(struct hwt_binary *b, const struct hwt_range *want,
			   size_t nwant)
{
	int fd = b->debug_fd >= 0 ? b->debug_fd : b->fd;

	if (!b->is_elf || (b->lines_loaded && b->inlines_loaded))
		return;
	if (!b->cache->dir || load_dwarf_cached(b, fd, want, nwant) < 0)
		hwt_dwarf_load_fd(fd, want, nwant,
				  b->lines_loaded ? NULL : &b->lines,
				  b->inlines_loaded ? NULL : &b->inlines);
	b->lines_loaded = 1;
	b->inlines_loaded = 1;
}

const struct hwt_inlines *hwt_binary_inlines(struct hwt_binary *b,
					     const struct hwt_range *want,
					     size_t nwant)
{
	hwt_binary_load_dwarf(b, want, nwant);
	return b->inlines;
}
