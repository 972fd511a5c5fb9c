/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DWARF cache (dwarf_cache.h).  A file is, little-endian:
 *   "HWTDWARF", u32 version (2; 1 read DW_FORM_implicit_const call
 *   files and lines as 0: a version 1 file is an older key, read again),
 *   u8 n + n bytes of build id, u64 size, i64 mtime s, i64 mtime ns,
 *   u64 units, then per unit:
 *     u64 DIE offset, u16 DWARF version, u8 flags (1 listed, 2 loaded),
 *     u64 aranges, each u64 start, u64 size;
 *     if loaded: u64 files, each a string (file 0: "");
 *                u64 rows, each u64 addr, u32 file, u32 line;
 *                u64 inlines, each u64 lo, u64 hi, u32 depth,
 *                u32 call line, string name, string call file;
 *   u32 CRC-32 (zlib's) of every byte before it.
 * A string is u32 n + n bytes, none of them NUL.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "image/dwarf_cache.h"
#include "core/util.h"

#define CACHE_MAGIC "HWTDWARF"
#define CACHE_VERSION 2
#define CACHE_MAX (1ULL << 30)	/* bytes: larger files are refused */
#define FLAG_LISTED 1
#define FLAG_LOADED 2

/* ---- encoding ---- */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct wbuf *w, uint64_t v, size_t bytes)
{
	size_t i;

	if (w->n + bytes > w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4096;
		if (w->cap < w->n + bytes)
			w->cap = w->n + bytes;
		w->p = hwt_xrealloc(w->p, w->cap);
	}
	for (i = 0; i < bytes; i++)
		w->p[w->n++] = (uint8_t)(v >> (8 * i));
}

static void put_str(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);

	put(w, n, 4);
	if (w->n + n > w->cap) {
		w->cap = 2 * (w->n + n);
		w->p = hwt_xrealloc(w->p, w->cap);
	}
	memcpy(w->p + w->n, s, n);
	w->n += n;
}

uint8_t *hwt_dwarf_cache_encode(const struct hwt_dwarf_units *us,
				const struct hwt_dwarf_cache_key *key,
				size_t *len)
{
	struct wbuf w = { NULL, 0, 0 };
	size_t i, k, idlen = strlen(key->build_id);

	for (i = 0; i < 8; i++)
		put(&w, (uint8_t)CACHE_MAGIC[i], 1);
	put(&w, CACHE_VERSION, 4);
	put(&w, idlen, 1);
	for (i = 0; i < idlen; i++)
		put(&w, (uint8_t)key->build_id[i], 1);
	put(&w, key->size, 8);
	put(&w, (uint64_t)key->mtime_sec, 8);
	put(&w, (uint64_t)key->mtime_nsec, 8);
	put(&w, us->n, 8);
	for (i = 0; i < us->n; i++) {
		const struct hwt_dwarf_unit *u = &us->v[i];

		put(&w, u->off, 8);
		put(&w, u->version, 2);
		put(&w, (u->listed ? FLAG_LISTED : 0) |
		    (u->loaded ? FLAG_LOADED : 0), 1);
		put(&w, u->nar, 8);
		for (k = 0; k < u->nar; k++) {
			put(&w, u->ar[k].start, 8);
			put(&w, u->ar[k].size, 8);
		}
		if (!u->loaded)
			continue;
		put(&w, u->lines.nfiles, 8);
		for (k = 0; k < u->lines.nfiles; k++)
			put_str(&w, u->lines.files[k]);
		put(&w, u->lines.nrows, 8);
		for (k = 0; k < u->lines.nrows; k++) {
			put(&w, u->lines.rows[k].addr, 8);
			put(&w, u->lines.rows[k].file, 4);
			put(&w, u->lines.rows[k].line, 4);
		}
		put(&w, u->inl.n, 8);
		for (k = 0; k < u->inl.n; k++) {
			const struct hwt_inline *x = &u->inl.v[k];

			put(&w, x->lo, 8);
			put(&w, x->hi, 8);
			put(&w, x->depth, 4);
			put(&w, x->call_line, 4);
			put_str(&w, x->name);
			put_str(&w, x->call_file);
		}
	}
	put(&w, crc32(0, w.p, (uInt)w.n), 4);
	*len = w.n;
	return w.p;
}

/* ---- decoding: every byte bounds-checked ---- */

struct rbuf {
	const uint8_t *p;
	size_t n, off;
	const char *bad;	/* the first thing found wrong, NULL if none */
};

/*
 * The next bytes-byte little-endian number of r.
 * Returns it if r has that many bytes left and nothing was found wrong.
 * Returns 0 (r->bad set) if not.
 */
static uint64_t get(struct rbuf *r, size_t bytes)
{
	uint64_t v = 0;
	size_t i;

	if (r->bad || r->n - r->off < bytes) {
		if (!r->bad)
			r->bad = "truncated";
		return 0;
	}
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += bytes;
	return v;
}

/*
 * A u64 count of items of at least size bytes each.
 * Returns it if the bytes left can hold that many.
 * Returns 0 (r->bad set) if they cannot or r is short.
 */
static size_t get_count(struct rbuf *r, size_t size)
{
	uint64_t n = get(r, 8);

	if (!r->bad && n > (r->n - r->off) / size) {
		r->bad = "a count past the end";
		return 0;
	}
	return (size_t)n;
}

/*
 * A string (u32 length, bytes).
 * Returns a new copy (free() it) if it is whole and holds no NUL.
 * Returns NULL (r->bad set) if it runs past the end or holds a NUL.
 */
static char *get_str(struct rbuf *r)
{
	size_t n = (size_t)get(r, 4);
	char *s;

	if (r->bad)
		return NULL;
	if (n > r->n - r->off) {
		r->bad = "a string past the end";
		return NULL;
	}
	if (memchr(r->p + r->off, 0, n)) {
		r->bad = "a NUL inside a string";
		return NULL;
	}
	s = hwt_xrealloc(NULL, n + 1);
	memcpy(s, r->p + r->off, n);
	s[n] = 0;
	r->off += n;
	return s;
}

/* Unit u's lines and inlines from r (u->lines and u->inl empty on
 * entry): what was whole is kept in u (freed with it), the first thing
 * wrong in r->bad. */
static void get_loaded(struct rbuf *r, struct hwt_dwarf_unit *u)
{
	struct hwt_lines *l = &u->lines;
	struct hwt_inlines *in = &u->inl;
	size_t n, k;

	n = get_count(r, 4);
	l->files = hwt_xrealloc(NULL, (n ? n : 1) * sizeof(*l->files));
	for (k = 0; k < n && !r->bad; k++)
		if ((l->files[k] = get_str(r)))
			l->nfiles++;
	if (!r->bad && (!l->nfiles || l->files[0][0]))
		r->bad = "a unit's file 0 is not \"\"";
	n = get_count(r, 16);
	l->rows = hwt_xrealloc(NULL, (n ? n : 1) * sizeof(*l->rows));
	for (k = 0; k < n && !r->bad; k++) {
		struct hwt_line *x = &l->rows[k];

		x->addr = get(r, 8);
		x->file = (uint32_t)get(r, 4);
		x->line = (uint32_t)get(r, 4);
		if (!r->bad && x->file >= l->nfiles)
			r->bad = "a row's file past the unit's files";
		if (!r->bad)
			l->nrows++;
	}
	n = get_count(r, 32);
	in->v = hwt_xrealloc(NULL, (n ? n : 1) * sizeof(*in->v));
	for (k = 0; k < n && !r->bad; k++) {
		struct hwt_inline *x = &in->v[k];

		x->lo = get(r, 8);
		x->hi = get(r, 8);
		x->depth = (uint32_t)get(r, 4);
		x->call_line = (uint32_t)get(r, 4);
		x->name = get_str(r);
		x->call_file = x->name ? get_str(r) : NULL;
		if (!x->call_file) {
			free(x->name);
			break;
		}
		in->n++;
		if (x->hi <= x->lo || !x->depth)
			r->bad = "an empty range or depth 0 of an inline";
	}
}

int hwt_dwarf_cache_decode(const uint8_t *buf, size_t len,
			   const struct hwt_dwarf_cache_key *key,
			   struct hwt_dwarf_units *us, char *why,
			   size_t whylen)
{
	struct rbuf r = { buf, len, 0, NULL };
	char id[256];
	size_t idlen, n, i, k;
	int other = 0;

	memset(us, 0, sizeof(*us));
	if (len < 12 + 4 || memcmp(buf, CACHE_MAGIC, 8)) {
		hwt_errf(why, whylen, "not a DWARF cache (bad magic)");
		return -1;
	}
	if (crc32(0, buf, (uInt)(len - 4)) !=
	    ((uint32_t)buf[len - 4] | (uint32_t)buf[len - 3] << 8 |
	     (uint32_t)buf[len - 2] << 16 | (uint32_t)buf[len - 1] << 24)) {
		hwt_errf(why, whylen, "bad CRC (damaged or truncated)");
		return -1;
	}
	r.n = len - 4;
	r.off = 8;
	k = (size_t)get(&r, 4);
	if (k && k < CACHE_VERSION)
		return 1;	/* an older hwt's: read again, rewritten */
	if (k != CACHE_VERSION) {
		hwt_errf(why, whylen, "unknown version");
		return -1;
	}
	idlen = (size_t)get(&r, 1);
	for (i = 0; i < idlen; i++)
		id[i] = (char)get(&r, 1);
	id[idlen] = 0;
	other = strcmp(id, key->build_id) != 0;
	other |= get(&r, 8) != key->size;
	other |= get(&r, 8) != (uint64_t)key->mtime_sec;
	other |= get(&r, 8) != (uint64_t)key->mtime_nsec;
	if (!r.bad && other)
		return 1;
	n = get_count(&r, 19);
	us->v = hwt_xrealloc(NULL, (n ? n : 1) * sizeof(*us->v));
	for (i = 0; i < n && !r.bad; i++) {
		struct hwt_dwarf_unit *u = &us->v[i];
		unsigned flags;

		memset(u, 0, sizeof(*u));
		us->n++;
		u->off = get(&r, 8);
		u->version = (uint16_t)get(&r, 2);
		flags = (unsigned)get(&r, 1);
		if (!r.bad && (flags & ~(unsigned)(FLAG_LISTED | FLAG_LOADED)))
			r.bad = "unknown unit flags";
		if (!r.bad && i && u->off <= us->v[i - 1].off)
			r.bad = "units out of order";
		u->listed = !!(flags & FLAG_LISTED);
		u->nar = get_count(&r, 16);
		u->ar = hwt_xrealloc(NULL, (u->nar ? u->nar : 1) *
				     sizeof(*u->ar));
		for (k = 0; k < u->nar; k++) {
			u->ar[k].start = get(&r, 8);
			u->ar[k].size = get(&r, 8);
		}
		if (!r.bad && u->listed != (u->nar > 0))
			r.bad = "a listed unit without aranges";
		if (!r.bad && (flags & FLAG_LOADED)) {
			u->loaded = 1;
			get_loaded(&r, u);
		}
	}
	if (!r.bad && r.off != r.n)
		r.bad = "bytes after the last unit";
	if (r.bad) {
		hwt_dwarf_units_fini(us);
		hwt_errf(why, whylen, "%s at byte %zu", r.bad, r.off);
		return -1;
	}
	us->listed = 1;
	return 0;
}

/* ---- the files ---- */

/*
 * The cache file's name of key under dir (DIR/dwarfSUBBUILD_ID) into
 * path.
 * Returns 0 if it fits.
 * Returns -1 if the build id is not lowercase hex (1-128 digits) or the
 * name is too long.
 */
static int cache_path(const char *dir, const struct hwt_dwarf_cache_key *key,
		      const char *sub, char *path, size_t len)
{
	size_t n = strlen(key->build_id);

	if (!n || n > 128 || strspn(key->build_id, "0123456789abcdef") != n)
		return -1;
	if (snprintf(path, len, "%s/dwarf%s%s", dir, sub, key->build_id) >=
	    (int)len)
		return -1;
	return 0;
}

int hwt_dwarf_cache_load(const char *dir, const struct hwt_dwarf_cache_key *key,
			 struct hwt_dwarf_units *us, char *why, size_t whylen)
{
	char path[PATH_MAX];
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd, rc;

	memset(us, 0, sizeof(*us));
	if (cache_path(dir, key, "/", path, sizeof(path)) < 0)
		return 1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		hwt_errf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (uint64_t)st.st_size > CACHE_MAX) {
		close(fd);
		hwt_errf(why, whylen, "%s: not a regular file of ours under "
			 "1 GiB", path);
		return -1;
	}
	buf = hwt_xrealloc(NULL, st.st_size ? (size_t)st.st_size : 1);
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	rc = hwt_dwarf_cache_decode(buf, got, key, us, why, whylen);
	free(buf);
	if (rc < 0) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", why);
		hwt_errf(why, whylen, "%s: %s", path, inner);
	}
	return rc;
}

/*
 * mkdir -p path, mode 0700 for what it makes.
 * Returns 0 if path is a directory at the end.
 * Returns -1 (errno set) if not.
 */
static int make_dirs(char *path)
{
	char *p;
	struct stat st;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -1;
	if (stat(path, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int hwt_dwarf_cache_store(const char *dir,
			  const struct hwt_dwarf_cache_key *key,
			  const struct hwt_dwarf_units *us, char *why,
			  size_t whylen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	uint8_t *buf;
	size_t len, done = 0;
	int fd;

	if (cache_path(dir, key, "/", path, sizeof(path)) < 0 ||
	    cache_path(dir, key, "/.tmp-", tmp, sizeof(tmp)) < 0 ||
	    strlen(tmp) + 8 >= sizeof(tmp)) {
		hwt_errf(why, whylen, "no cache name for build id %s",
			 key->build_id);
		return -1;
	}
	strcat(tmp, ".XXXXXX");
	snprintf(path, sizeof(path), "%s/dwarf", dir);
	if (make_dirs(path) < 0) {
		hwt_errf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	cache_path(dir, key, "/", path, sizeof(path));
	fd = mkstemp(tmp);
	if (fd < 0) {
		hwt_errf(why, whylen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	buf = hwt_dwarf_cache_encode(us, key, &len);
	while (done < len) {
		ssize_t k = write(fd, buf + done, len - done);

		if (k <= 0)
			break;
		done += (size_t)k;
	}
	free(buf);
	if (close(fd) || done < len || rename(tmp, path)) {
		hwt_errf(why, whylen, "%s: %s", path,
			 done < len ? "short write" : strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
