// SPDX-License-Identifier: BSD-2-Clause
/*
 * Filters against real ELF files built here with gcc, checked against
 * binutils (nm for symbols, readelf for segments) as ground truth.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../filter.h"
#include "../../tests/lib/unit.h"

static char dir[] = "/tmp/hwtd-filter-test-XXXXXX";
static char exe[256], pie[256], err[512];

static const char prog[] =
	"__attribute__((noinline)) int alpha(int x) { return x * 3 + 1; }\n"
	"__attribute__((noinline)) int beta(int x)"
	" { return alpha(x) ^ alpha(x + 1); }\n"
	"int main(int c, char **v) { (void)v; return beta(c); }\n";

static int sh(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* nm's address and size of sym in file. */
static int nm(const char *file, const char *sym, unsigned long long *addr,
	      unsigned long long *size)
{
	char cmd[512], name[128], t;
	FILE *p;
	int ok = 0;

	snprintf(cmd, sizeof(cmd), "nm -S %s", file);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fscanf(p, "%llx %llx %c %127s", addr, size, &t, name) == 4 ||
	       fscanf(p, "%*[^\n]\n") == 0)
		if (!strcmp(name, sym) && (t == 'T' || t == 't')) {
			ok = 1;
			break;
		}
	pclose(p);
	return ok ? 0 : -1;
}

/* readelf's LOAD segments: the mappings the kernel would make at base. */
static int loads(const char *file, unsigned long long base,
		 struct hwtd_mapping *m, int max, int *nexec)
{
	char cmd[512], line[512], flags[16];
	unsigned long long off, va, pa, fsz, msz;
	FILE *p;
	int n = 0;

	*nexec = 0;
	snprintf(cmd, sizeof(cmd), "readelf -lW %s", file);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p) && n < max) {
		if (sscanf(line, " LOAD 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx %15[RWE ]",
			   &off, &va, &pa, &fsz, &msz, flags) != 6)
			continue;
		m[n].addr = base + (va & ~0xfffULL);
		m[n].pgoff = off & ~0xfffULL;
		m[n].len = ((va + fsz + 0xfff) & ~0xfffULL) - (va & ~0xfffULL);
		strcpy(m[n].path, file);
		*nexec += strchr(flags, 'E') != NULL;
		n++;
	}
	pclose(p);
	return n;
}

static void test_parse(void)
{
	struct hwtd_filter f;

	UNIT_CHECK(!hwtd_filter_parse("main", &f, err, sizeof(err)) &&
		   f.kind == HWTD_F_FUNC && !strcmp(f.func, "main") &&
		   !f.object[0]);
	UNIT_CHECK(!hwtd_filter_parse("foo@libc.so.6", &f, err, sizeof(err)) &&
		   f.kind == HWTD_F_FUNC && !strcmp(f.object, "libc.so.6"));
	UNIT_CHECK(!hwtd_filter_parse("1000-2000@/bin/x", &f, err, sizeof(err))
		   && f.kind == HWTD_F_RANGE && f.start == 0x1000 &&
		   f.end == 0x2000 && !strcmp(f.object, "/bin/x"));
	UNIT_CHECK(!hwtd_filter_parse("0x1000-0x2000@x", &f, err, sizeof(err))
		   && f.start == 0x1000);
	UNIT_CHECK(!hwtd_filter_parse("/lib/libm.so", &f, err, sizeof(err)) &&
		   f.kind == HWTD_F_OBJECT);
	UNIT_CHECK(!hwtd_filter_parse("libfoo.so.1", &f, err, sizeof(err)) &&
		   f.kind == HWTD_F_OBJECT);
	UNIT_CHECK(!hwtd_filter_parse("@prog", &f, err, sizeof(err)) &&
		   f.kind == HWTD_F_OBJECT && !strcmp(f.object, "prog"));
	UNIT_CHECK(hwtd_filter_parse("", &f, err, sizeof(err)));
	UNIT_CHECK(hwtd_filter_parse("main@", &f, err, sizeof(err)));
	UNIT_CHECK(hwtd_filter_parse("2000-1000@x", &f, err, sizeof(err)));
	UNIT_CHECK(hwtd_filter_parse("1000-zz@x", &f, err, sizeof(err)));
	UNIT_CHECK(hwtd_filter_object_matches("libc.so.6",
					      "/usr/lib/libc.so.6"));
	UNIT_CHECK(!hwtd_filter_object_matches("/lib/libc.so.6",
					       "/usr/lib/libc.so.6"));
}

static void test_static_exe(void)
{
	struct hwtd_filter f;
	struct hwtd_range r[HWTD_RANGES_MAX];
	struct hwtd_mapping m[8];
	unsigned long long a, s;
	int n, nexec;

	/* A function: exactly nm's [addr, addr + size). */
	UNIT_CHECK(nm(exe, "beta", &a, &s) == 0 && s > 0);
	UNIT_CHECK(!hwtd_filter_parse("beta", &f, err, sizeof(err)));
	n = hwtd_filter_resolve(&f, exe, r, HWTD_RANGES_MAX, err, sizeof(err));
	UNIT_CHECK(n == 1);
	UNIT_CHECK(!hwtd_filter_relocate_static(r, n, exe, err, sizeof(err)));
	UNIT_CHECK(r[0].start == a && r[0].end == a + s);

	/* The same through the mappings the kernel makes (base 0). */
	UNIT_CHECK(loads(exe, 0, m, 8, &nexec) > 0 && nexec >= 1);
	n = hwtd_filter_resolve(&f, exe, r, HWTD_RANGES_MAX, err, sizeof(err));
	UNIT_CHECK(!hwtd_filter_relocate(r, n, exe, m, 8, err, sizeof(err)));
	UNIT_CHECK(r[0].start == a && r[0].end == a + s);

	/* An address range round-trips. */
	{
		char spec[512];

		snprintf(spec, sizeof(spec), "%llx-%llx@%s", a, a + 4, exe);
		UNIT_CHECK(!hwtd_filter_parse(spec, &f, err, sizeof(err)));
		n = hwtd_filter_resolve(&f, exe, r, 4, err, sizeof(err));
		UNIT_CHECK(n == 1 && !hwtd_filter_relocate_static(r, n, exe,
				err, sizeof(err)));
		UNIT_CHECK(r[0].start == a && r[0].end == a + 4);
	}

	/* The whole object: one range per executable segment. */
	UNIT_CHECK(!hwtd_filter_parse(exe, &f, err, sizeof(err)));
	n = hwtd_filter_resolve(&f, exe, r, HWTD_RANGES_MAX, err, sizeof(err));
	UNIT_CHECK(n == nexec);
	UNIT_CHECK(hwtd_filter_resolve(&f, exe, r, 0, err, sizeof(err)) == -1);

	/* A missing symbol says so. */
	UNIT_CHECK(!hwtd_filter_parse("no_such_fn", &f, err, sizeof(err)));
	UNIT_CHECK(hwtd_filter_resolve(&f, exe, r, 4, err, sizeof(err)) == -1
		   && strstr(err, "'no_such_fn' not found"));
	/* A range outside every segment. */
	UNIT_CHECK(!hwtd_filter_parse("10-20@x", &f, err, sizeof(err)));
	UNIT_CHECK(hwtd_filter_resolve(&f, exe, r, 4, err, sizeof(err)) == -1);
}

static void test_pie(void)
{
	const unsigned long long base = 0x555555554000ULL;
	struct hwtd_filter f;
	struct hwtd_range r[4];
	struct hwtd_mapping m[8];
	unsigned long long a, s;
	int n, nm_, nexec;

	UNIT_CHECK(nm(pie, "alpha", &a, &s) == 0);
	nm_ = loads(pie, base, m, 8, &nexec);
	UNIT_CHECK(nm_ > 0);
	UNIT_CHECK(!hwtd_filter_parse("alpha", &f, err, sizeof(err)));
	n = hwtd_filter_resolve(&f, pie, r, 4, err, sizeof(err));
	UNIT_CHECK(n == 1);
	UNIT_CHECK(!hwtd_filter_relocate(r, n, pie, m, nm_, err, sizeof(err)));
	UNIT_CHECK(r[0].start == base + a && r[0].end == base + a + s);
	/* Not mapped: refused. */
	n = hwtd_filter_resolve(&f, pie, r, 4, err, sizeof(err));
	UNIT_CHECK(hwtd_filter_relocate(r, n, pie, m, 0, err, sizeof(err)) ==
		   -1 && strstr(err, "not mapped"));
	/* Its load address is unknown before it runs. */
	UNIT_CHECK(hwtd_filter_relocate_static(r, n, pie, err, sizeof(err)) ==
		   -1 && strstr(err, "position-independent"));
}

static void test_not_elf(void)
{
	struct hwtd_filter f;
	struct hwtd_range r[4];
	char path[300];

	snprintf(path, sizeof(path), "%s/prog.c", dir);
	UNIT_CHECK(!hwtd_filter_parse("main", &f, err, sizeof(err)));
	UNIT_CHECK(hwtd_filter_resolve(&f, path, r, 4, err, sizeof(err)) == -1
		   && strstr(err, "not an ELF"));
	UNIT_CHECK(hwtd_filter_resolve(&f, "/nonexistent", r, 4, err,
				       sizeof(err)) == -1);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(exe, sizeof(exe), "%s/prog", dir);
	snprintf(pie, sizeof(pie), "%s/prog-pie", dir);
	if (sh("printf '%%s' '%s' > %s/prog.c", prog, dir) ||
	    sh("cc -O1 -g -no-pie -o %s %s/prog.c", exe, dir) ||
	    sh("cc -O1 -g -fPIE -pie -o %s %s/prog.c", pie, dir)) {
		printf("FAIL: hwtd/filter (cannot build the test programs)\n");
		return 1;
	}
	UNIT_RUN(test_parse(), "hwtd/filter-parse");
	UNIT_RUN(test_static_exe(), "hwtd/filter-exe-vs-nm");
	UNIT_RUN(test_pie(), "hwtd/filter-pie-relocated");
	UNIT_RUN(test_not_elf(), "hwtd/filter-bad-files");
	sh("rm -rf %s", dir);
	return unit_failed ? 1 : 0;
}
