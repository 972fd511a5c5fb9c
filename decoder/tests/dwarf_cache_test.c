/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DWARF cache (image/dwarf_cache.c) and the unit tables it keeps
 * (image/dwarf.c hwt_dwarf_units_*), on this test program's own DWARF:
 * the tables made from the units equal the ones hwt_dwarf_load_fd()
 * reads directly (every unit, and the units of one unit's ranges); they
 * survive an encode and decode unchanged; every truncation and every
 * changed byte of a cache file is refused, and with its CRC made right
 * again a changed byte is refused or gives tables that stay in bounds;
 * a file of another key is not used; files are written 0600 and a
 * symlink in their place is not followed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/util.h"
#include "image/dwarf.h"
#include "image/dwarf_cache.h"

static int failed;

static void check(const char *name, int ok)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		failed = 1;
}

/* 1 if a and b hold the same rows and file names. */
static int lines_equal(const struct hwt_lines *a, const struct hwt_lines *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->nrows != b->nrows || a->nfiles != b->nfiles)
		return 0;
	for (i = 0; i < a->nrows; i++)
		if (a->rows[i].addr != b->rows[i].addr ||
		    a->rows[i].line != b->rows[i].line ||
		    a->rows[i].file != b->rows[i].file)
			return 0;
	for (i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i], b->files[i]))
			return 0;
	return 1;
}

static int inline_equal(const struct hwt_inline *x, const struct hwt_inline *y)
{
	return x->lo == y->lo && x->hi == y->hi && x->depth == y->depth &&
	       x->call_line == y->call_line && !strcmp(x->name, y->name) &&
	       !strcmp(x->call_file, y->call_file);
}

/* 1 if the entries of a and b overlapping want (NULL: all) are equal,
 * in order. */
static int inlines_equal(const struct hwt_inlines *a,
			 const struct hwt_inlines *b,
			 const struct hwt_range *want)
{
	size_t i = 0, j = 0, na = a ? a->n : 0, nb = b ? b->n : 0;

	for (;;) {
		while (want && i < na && (a->v[i].hi <= want->start ||
		       a->v[i].lo >= want->start + want->size))
			i++;
		while (want && j < nb && (b->v[j].hi <= want->start ||
		       b->v[j].lo >= want->start + want->size))
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (!inline_equal(&a->v[i++], &b->v[j++]))
			return 0;
	}
}

/* The tables of us for want equal hwt_dwarf_load_fd()'s of fd. */
static int tables_as_libdwarf(int fd, const struct hwt_dwarf_units *us,
			      const struct hwt_range *want, size_t nwant)
{
	struct hwt_lines *l1 = NULL, *l2 = NULL;
	struct hwt_inlines *i1 = NULL, *i2 = NULL;
	int ok;

	hwt_dwarf_load_fd(fd, want, nwant, &l1, &i1);
	hwt_dwarf_units_tables(us, want, nwant, &l2, &i2);
	ok = l1 && l1->nrows > 0 && lines_equal(l1, l2) &&
	     inlines_equal(i1, i2, nwant == 1 ? want : NULL);
	hwt_dwarf_free(l1);
	hwt_dwarf_free(l2);
	hwt_dwarf_inlines_free(i1);
	hwt_dwarf_inlines_free(i2);
	return ok;
}

static const struct hwt_dwarf_cache_key key = {
	"0123456789abcdef0123456789abcdef01234567", 4096, 1700000000, 5
};

/* A small units set: two units, the first loaded. */
static void small_units(struct hwt_dwarf_units *us)
{
	struct hwt_dwarf_unit *u;
	static const char *files[] = { "", "/src/a.c", "/src/a.h" };
	size_t k;

	memset(us, 0, sizeof(*us));
	us->listed = 1;
	us->n = 2;
	us->v = calloc(2, sizeof(*us->v));
	u = &us->v[0];
	u->off = 11;
	u->version = 5;
	u->listed = 1;
	u->nar = 1;
	u->ar = calloc(1, sizeof(*u->ar));
	u->ar[0].start = 0x1000;
	u->ar[0].size = 0x100;
	u->loaded = 1;
	u->lines.nfiles = 3;
	u->lines.files = calloc(3, sizeof(char *));
	for (k = 0; k < 3; k++)
		u->lines.files[k] = hwt_xstrdup(files[k]);
	u->lines.nrows = 3;
	u->lines.rows = calloc(3, sizeof(*u->lines.rows));
	u->lines.rows[0] = (struct hwt_line){ 0x1000, 1, 10 };
	u->lines.rows[1] = (struct hwt_line){ 0x1010, 2, 3 };
	u->lines.rows[2] = (struct hwt_line){ 0x1100, 0, 0 };
	u->inl.n = 1;
	u->inl.v = calloc(1, sizeof(*u->inl.v));
	u->inl.v[0] = (struct hwt_inline){ 0x1010, 0x1020, 1,
		hwt_xstrdup("sq"), hwt_xstrdup("/src/a.c"), 12 };
	u = &us->v[1];
	u->off = 200;
	u->version = 4;
}

/* Sets buf's last 4 bytes to the CRC of the others. */
static void fix_crc(uint8_t *buf, size_t len)
{
	uint32_t c = (uint32_t)crc32(0, buf, (uInt)(len - 4));

	buf[len - 4] = (uint8_t)c;
	buf[len - 3] = (uint8_t)(c >> 8);
	buf[len - 2] = (uint8_t)(c >> 16);
	buf[len - 1] = (uint8_t)(c >> 24);
}

static void test_damage(void)
{
	struct hwt_dwarf_units us, out;
	struct hwt_lines *l;
	struct hwt_inlines *in;
	struct hwt_dwarf_cache_key other = key;
	uint8_t *buf, *m;
	size_t len, i;
	char why[256];
	int trunc_ok = 1, flip_ok = 1, fixed_ok = 1, rc;

	small_units(&us);
	buf = hwt_dwarf_cache_encode(&us, &key, &len);
	rc = hwt_dwarf_cache_decode(buf, len, &key, &out, why, sizeof(why));
	check("dwarf-cache-roundtrip-small", rc == 0 && out.n == 2 &&
	      out.v[0].loaded && !out.v[1].loaded &&
	      lines_equal(&out.v[0].lines, &us.v[0].lines) &&
	      inlines_equal(&out.v[0].inl, &us.v[0].inl, NULL));
	hwt_dwarf_units_fini(&out);
	other.mtime_nsec = 6;
	check("dwarf-cache-other-key-not-used",
	      hwt_dwarf_cache_decode(buf, len, &other, &out, why,
				     sizeof(why)) == 1 && out.n == 0);
	m = malloc(len);
	for (i = 0; i < len; i++) {
		memcpy(m, buf, i);
		if (hwt_dwarf_cache_decode(m, i, &key, &out, why,
					   sizeof(why)) != -1 || out.n)
			trunc_ok = 0;
	}
	check("dwarf-cache-every-truncation-refused", trunc_ok);
	for (i = 0; i < len; i++) {
		memcpy(m, buf, len);
		m[i] ^= 0x5a;
		if (hwt_dwarf_cache_decode(m, len, &key, &out, why,
					   sizeof(why)) != -1 || out.n)
			flip_ok = 0;
		/* The CRC made right: the structure's checks alone. */
		fix_crc(m, len);
		rc = hwt_dwarf_cache_decode(m, len, &key, &out, why,
					    sizeof(why));
		if (rc == 0) {
			size_t u, r;

			/* Whatever passed is in bounds: tables can be made. */
			for (u = 0; u < out.n; u++)
				for (r = 0; r < out.v[u].lines.nrows; r++)
					if (out.v[u].lines.rows[r].file >=
					    out.v[u].lines.nfiles)
						fixed_ok = 0;
			hwt_dwarf_units_tables(&out, NULL, 0, &l, &in);
			hwt_dwarf_free(l);
			hwt_dwarf_inlines_free(in);
		} else if (rc < 0 && out.n) {
			fixed_ok = 0;
		}
		hwt_dwarf_units_fini(&out);
	}
	check("dwarf-cache-every-changed-byte-refused", flip_ok);
	check("dwarf-cache-changed-byte-crc-fixed-bounded", fixed_ok);
	/* A row's file past the unit's files, with a right CRC. */
	us.v[0].lines.rows[1].file = 3;
	free(buf);
	buf = hwt_dwarf_cache_encode(&us, &key, &len);
	rc = hwt_dwarf_cache_decode(buf, len, &key, &out, why, sizeof(why));
	check("dwarf-cache-file-index-checked",
	      rc == -1 && strstr(why, "file past") != NULL);
	free(m);
	free(buf);
	hwt_dwarf_units_fini(&us);
}

static void test_self(void)
{
	struct hwt_dwarf_units us, out, part;
	struct hwt_range want;
	uint8_t *buf;
	size_t len, i, nloaded = 0;
	char why[256];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	memset(&us, 0, sizeof(us));
	check("dwarf-units-read-all",
	      fd >= 0 && hwt_dwarf_units_read(fd, &us, NULL, 0) > 0 &&
	      us.listed && hwt_dwarf_units_complete(&us, NULL, 0));
	check("dwarf-units-tables-as-libdwarf-all",
	      fd >= 0 && tables_as_libdwarf(fd, &us, NULL, 0));
	/* One listed unit's first non-empty range: only the units it
	 * touches are read. */
	for (i = 0; i < us.n && !(us.v[i].nar && us.v[i].ar[0].size); i++)
		;
	want = i < us.n ? us.v[i].ar[0] : (struct hwt_range){ 0, 0 };
	memset(&part, 0, sizeof(part));
	check("dwarf-units-read-want",
	      i < us.n && hwt_dwarf_units_read(fd, &part, &want, 1) > 0 &&
	      hwt_dwarf_units_complete(&part, &want, 1) &&
	      !hwt_dwarf_units_complete(&part, NULL, 0));
	for (i = 0; i < part.n; i++)
		nloaded += part.v[i].loaded;
	check("dwarf-units-read-want-fewer", nloaded < part.n);
	check("dwarf-units-tables-as-libdwarf-want",
	      tables_as_libdwarf(fd, &part, &want, 1));
	buf = hwt_dwarf_cache_encode(&part, &key, &len);
	check("dwarf-cache-roundtrip-self",
	      hwt_dwarf_cache_decode(buf, len, &key, &out, why,
				     sizeof(why)) == 0 &&
	      tables_as_libdwarf(fd, &out, &want, 1));
	/* The rest read into the decoded cache: then all as libdwarf. */
	check("dwarf-units-read-rest",
	      hwt_dwarf_units_read(fd, &out, NULL, 0) ==
	      (int)(out.n - nloaded) &&
	      tables_as_libdwarf(fd, &out, NULL, 0));
	free(buf);
	hwt_dwarf_units_fini(&out);
	hwt_dwarf_units_fini(&part);
	hwt_dwarf_units_fini(&us);
	if (fd >= 0)
		close(fd);
}

static void test_files(void)
{
	char dir[] = "/tmp/hwt-dwarf-cache-XXXXXX", path[512], why[512];
	struct hwt_dwarf_units us, out;
	struct stat st;
	int ok;

	small_units(&us);
	ok = mkdtemp(dir) != NULL;
	snprintf(path, sizeof(path), "%s/hwt/dwarf/%s", dir, key.build_id);
	if (ok) {
		char sub[256];

		snprintf(sub, sizeof(sub), "%s/hwt", dir);
		ok = hwt_dwarf_cache_load(sub, &key, &out, why,
					  sizeof(why)) == 1 &&
		     hwt_dwarf_cache_store(sub, &key, &us, why,
					   sizeof(why)) == 0 &&
		     stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
		     hwt_dwarf_cache_load(sub, &key, &out, why,
					  sizeof(why)) == 0 && out.n == 2;
		hwt_dwarf_units_fini(&out);
		check("dwarf-cache-store-load-0600", ok);
		unlink(path);
		ok = symlink("/etc/passwd", path) == 0 &&
		     hwt_dwarf_cache_load(sub, &key, &out, why,
					  sizeof(why)) == -1 && out.n == 0;
		check("dwarf-cache-symlink-not-followed", ok);
		unlink(path);
		snprintf(sub, sizeof(sub), "%s/hwt/dwarf", dir);
		rmdir(sub);
		snprintf(sub, sizeof(sub), "%s/hwt", dir);
		rmdir(sub);
		rmdir(dir);
	} else {
		check("dwarf-cache-store-load-0600", 0);
	}
	hwt_dwarf_units_fini(&us);
}

int main(void)
{
	test_damage();
	test_self();
	test_files();
	return failed;
}
