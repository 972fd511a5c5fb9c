/* SPDX-License-Identifier: BSD-2-Clause */
/* OpenCSD snapshot directory reader and decode driver (cs_snapshot.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "cs/cs_config.h"
#include "cs/cs_decode.h"
#include "cs/cs_ini.h"
#include "cs/cs_mem.h"
#include "cs/cs_snapshot.h"
#include "core/util.h"
#include "core/flow.h"

#define HWT_CS_MAX_DEVICES	1024

struct hwt_cs_dev {
	struct hwt_cs_ini *ini;
	const char *name;	/* [device] name */
	const char *cls;	/* [device] class */
	const char *type;	/* [device] type */
};

struct hwt_cs_snapshot {
	char *dir;
	struct hwt_cs_ini *snap, *trace;
	struct hwt_cs_dev *devs;
	size_t ndevs;
	struct hwt_cs_dump *dumps;
	size_t ndumps;
	char *warn;
	size_t warnlen;
	struct hwt_cs_mem *mem;
};

static void warn(struct hwt_cs_snapshot *ss, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct hwt_cs_snapshot *ss, const char *fmt, ...)
{
	char line[512];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	ss->warn = hwt_xrealloc(ss->warn, ss->warnlen + n + 2);
	memcpy(ss->warn + ss->warnlen, line, n);
	ss->warnlen += n;
	ss->warn[ss->warnlen++] = '\n';
	ss->warn[ss->warnlen] = '\0';
}

static char *join(const char *dir, const char *file)
{
	size_t a = strlen(dir), b = strlen(file);
	char *p = hwt_xrealloc(NULL, a + b + 2);

	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, file, b + 1);
	return p;
}

/* Strips one level of quotes, as OpenCSD does for file names. */
static char *unquote(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		char *p = hwt_xrealloc(NULL, n - 1);

		memcpy(p, s + 1, n - 2);
		p[n - 2] = '\0';
		return p;
	}
	return hwt_xstrdup(s);
}

void hwt_cs_snapshot_close(struct hwt_cs_snapshot *ss)
{
	size_t i;

	if (!ss)
		return;
	for (i = 0; i < ss->ndevs; i++)
		hwt_cs_ini_free(ss->devs[i].ini);
	for (i = 0; i < ss->ndumps; i++) {
		free(ss->dumps[i].path);
		free(ss->dumps[i].file);
	}
	hwt_cs_mem_free(ss->mem);
	hwt_cs_ini_free(ss->snap);
	hwt_cs_ini_free(ss->trace);
	free(ss->devs);
	free(ss->dumps);
	free(ss->warn);
	free(ss->dir);
	free(ss);
}

static const struct hwt_cs_dev *find_dev(const struct hwt_cs_snapshot *ss,
				     const char *name)
{
	size_t i;

	for (i = 0; i < ss->ndevs; i++)
		if (ss->devs[i].name && !strcmp(ss->devs[i].name, name))
			return &ss->devs[i];
	return NULL;
}

/* Checks a device file's sections the way OpenCSD does: [device] keys
 * once each, [dump*] needs file and address and knows no other keys. */
static int check_device(struct hwt_cs_snapshot *ss, struct hwt_cs_dev *dev,
			char *err, size_t errlen)
{
	const char *name = hwt_cs_ini_name(dev->ini);
	size_t i, n = hwt_cs_ini_count(dev->ini);

	if (hwt_cs_ini_nsections(dev->ini, "device") != 1) {
		hwt_errf(err, errlen,
			   "%s: needs exactly one [device] section", name);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(dev->ini, i);
		const char **dst = NULL;

		if (!strcasecmp(e->section, "device")) {
			if (!strcasecmp(e->key, "name"))
				dst = &dev->name;
			else if (!strcasecmp(e->key, "class"))
				dst = &dev->cls;
			else if (!strcasecmp(e->key, "type"))
				dst = &dev->type;
			if (dst && *dst) {
				hwt_errf(err, errlen,
					   "%s:%u: duplicate key '%s' in [device]",
					   name, e->line, e->key);
				return -1;
			}
			if (dst)
				*dst = e->value;
		} else if (!*e->section) {
			hwt_errf(err, errlen,
				   "%s:%u: '%s' is outside any section", name,
				   e->line, e->key);
			return -1;
		}
	}
	if (!dev->name || !*dev->name) {
		hwt_errf(err, errlen, "%s: [device] has no name", name);
		return -1;
	}
	(void)ss;
	return 0;
}

/* The [dump*] sections of a core device. */
static int read_dumps(struct hwt_cs_snapshot *ss, const struct hwt_cs_dev *dev,
		      char *err, size_t errlen)
{
	const char *name = hwt_cs_ini_name(dev->ini);
	size_t i, n = hwt_cs_ini_count(dev->ini);
	unsigned cur = 0;
	struct hwt_cs_dump d;
	int have_addr = 0, have_space = 0;
	unsigned secline = 0;

	memset(&d, 0, sizeof(d));
	/* One pass; a dump ends where the next section starts. */
	for (i = 0; i <= n; i++) {
		const struct hwt_cs_ini_entry *e = i < n ?
			hwt_cs_ini_entry(dev->ini, i) : NULL;
		uint64_t v;
		size_t k;

		if (cur && (!e || e->secno != cur)) {
			if (!have_space)
				d.space = hwt_cs_mem_space(NULL);
			if (!d.file || !have_addr) {
				hwt_errf(err, errlen,
					   "%s:%u: dump section without %s", name,
					   secline, d.file ? "address" : "file");
				free(d.file);
				return -1;
			}
			for (k = 0; k < ss->ndumps; k++)
				if (!strcmp(ss->dumps[k].file, d.file) &&
				    ss->dumps[k].addr == d.addr &&
				    ss->dumps[k].offset == d.offset &&
				    ss->dumps[k].length == d.length &&
				    ss->dumps[k].space == d.space)
					break;
			if (k < ss->ndumps) {
				free(d.file);	/* the same dump, another core */
			} else {
				d.path = join(ss->dir, d.file);
				d.core = dev->name;
				ss->dumps = hwt_xrealloc(ss->dumps,
					(ss->ndumps + 1) * sizeof(*ss->dumps));
				ss->dumps[ss->ndumps++] = d;
			}
			memset(&d, 0, sizeof(d));
			have_addr = 0;
			have_space = 0;
			cur = 0;
		}
		if (!e)
			break;
		if (strncasecmp(e->section, "dump", 4))
			continue;
		if (!cur) {
			cur = e->secno;
			secline = e->line;
		}
		if (!strcasecmp(e->key, "file")) {
			if (d.file)
				goto dup;
			d.file = unquote(e->value);
			if (!*d.file) {
				hwt_errf(err, errlen, "%s:%u: empty file name",
					   name, e->line);
				free(d.file);
				return -1;
			}
			continue;
		}
		if (!strcasecmp(e->key, "space")) {
			char *sp;

			if (have_space)
				goto dup;
			sp = unquote(e->value);
			/* Checked: trc_pkt_lister 1.3.3 maps every dump as
			 * "Mem Space::Any" whatever space= says, and the
			 * reference is its output; newer OpenCSD applies
			 * it (then: d.space = hwt_cs_mem_space(sp)). */
			d.space = hwt_cs_mem_space(NULL);
			free(sp);
			have_space = 1;
			continue;
		}
		if (strcasecmp(e->key, "address") &&
		    strcasecmp(e->key, "length") &&
		    strcasecmp(e->key, "offset")) {
			hwt_errf(err, errlen,
				   "%s:%u: unknown dump section key '%s'", name,
				   e->line, e->key);
			free(d.file);
			return -1;
		}
		if (hwt_cs_parse_u64(e->value, &v) < 0) {
			hwt_errf(err, errlen, "%s:%u: %s: bad number '%s'",
				   name, e->line, e->key, e->value);
			free(d.file);
			return -1;
		}
		if (!strcasecmp(e->key, "address")) {
			if (have_addr)
				goto dup;
			d.addr = v;
			have_addr = 1;
		} else if (!strcasecmp(e->key, "length")) {
			d.length = v;
		} else {
			d.offset = v;
		}
		continue;
dup:
		hwt_errf(err, errlen, "%s:%u: duplicate key '%s'", name,
			   e->line, e->key);
		free(d.file);
		return -1;
	}
	return 0;
}

/* Value of key in trace.ini [section] (sections are matched
 * case-sensitively there, like OpenCSD's buffer names). */
static const char *trace_get(const struct hwt_cs_snapshot *ss,
			     const char *section, const char *key)
{
	size_t i, n = hwt_cs_ini_count(ss->trace);

	for (i = 0; i < n; i++) {
		const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(ss->trace, i);

		if (!strcmp(e->section, section) && !strcasecmp(e->key, key))
			return e->value;
	}
	return NULL;
}

/* The core (cpu device name) that [core_trace_sources] gives source. */
static const char *core_of(const struct hwt_cs_snapshot *ss, const char *src)
{
	size_t i, n = hwt_cs_ini_count(ss->trace);
	const char *core = NULL;

	for (i = 0; i < n; i++) {
		const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(ss->trace, i);

		/* The last mention wins, as in OpenCSD's map. */
		if (!strcasecmp(e->section, "core_trace_sources") &&
		    !strcmp(e->value, src))
			core = e->key;
	}
	return core;
}

struct hwt_cs_snapshot *hwt_cs_snapshot_open(const char *dir, char *err,
					     size_t errlen)
{
	struct hwt_cs_snapshot *ss;
	const char *ver, *meta;
	char *path;
	size_t i, n;

	ss = hwt_xrealloc(NULL, sizeof(*ss));
	memset(ss, 0, sizeof(*ss));
	ss->dir = hwt_xstrdup(dir);
	path = join(dir, "snapshot.ini");
	ss->snap = hwt_cs_ini_load(path, err, errlen);
	free(path);
	if (!ss->snap)
		goto fail;
	ver = hwt_cs_ini_get(ss->snap, "snapshot", "version");
	if (ver && strcmp(ver, "1.0") && strcmp(ver, "1")) {
		hwt_errf(err, errlen,
			   "%s: unsupported snapshot version '%s' (1.0 expected)",
			   hwt_cs_ini_name(ss->snap), ver);
		goto fail;
	}
	n = hwt_cs_ini_count(ss->snap);
	for (i = 0; i < n; i++) {
		const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(ss->snap, i);
		struct hwt_cs_dev *dev;
		char *file;

		if (strcasecmp(e->section, "device_list"))
			continue;
		if (ss->ndevs == HWT_CS_MAX_DEVICES) {
			hwt_errf(err, errlen, "%s: more than %d devices",
				   hwt_cs_ini_name(ss->snap), HWT_CS_MAX_DEVICES);
			goto fail;
		}
		ss->devs = hwt_xrealloc(ss->devs,
					(ss->ndevs + 1) * sizeof(*ss->devs));
		dev = &ss->devs[ss->ndevs];
		memset(dev, 0, sizeof(*dev));
		file = unquote(e->value);
		path = join(dir, file);
		free(file);
		dev->ini = hwt_cs_ini_load(path, err, errlen);
		free(path);
		if (!dev->ini)
			goto fail;
		ss->ndevs++;
		if (check_device(ss, dev, err, errlen) < 0)
			goto fail;
		if (find_dev(ss, dev->name) != dev) {
			hwt_errf(err, errlen,
				   "%s: device name '%s' is used twice",
				   hwt_cs_ini_name(dev->ini), dev->name);
			goto fail;
		}
	}
	if (!ss->ndevs) {
		hwt_errf(err, errlen, "%s: no [device_list] entries",
			   hwt_cs_ini_name(ss->snap));
		goto fail;
	}
	meta = hwt_cs_ini_get(ss->snap, "trace", "metadata");
	if (!meta) {
		hwt_errf(err, errlen,
			   "%s: no [trace] metadata= (trace.ini) entry: no trace to decode",
			   hwt_cs_ini_name(ss->snap));
		goto fail;
	}
	path = unquote(meta);
	{
		char *full = join(dir, path);

		ss->trace = hwt_cs_ini_load(full, err, errlen);
		free(full);
	}
	free(path);
	if (!ss->trace)
		goto fail;
	if (!trace_get(ss, "trace_buffers", "buffers")) {
		hwt_errf(err, errlen, "%s: no [trace_buffers] buffers= entry",
			   hwt_cs_ini_name(ss->trace));
		goto fail;
	}
	/* Dumps of the cores that have a trace source. */
	for (i = 0; i < ss->ndevs; i++) {
		n = hwt_cs_ini_count(ss->trace);
		size_t k;

		for (k = 0; k < n; k++) {
			const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(ss->trace,
									    k);

			if (!strcasecmp(e->section, "core_trace_sources") &&
			    !strcmp(e->key, ss->devs[i].name))
				break;
		}
		if (k < n && read_dumps(ss, &ss->devs[i], err, errlen) < 0)
			goto fail;
	}
	return ss;
fail:
	hwt_cs_snapshot_close(ss);
	return NULL;
}

size_t hwt_cs_snapshot_ndumps(const struct hwt_cs_snapshot *ss)
{
	return ss->ndumps;
}

const struct hwt_cs_dump *hwt_cs_snapshot_dump(const struct hwt_cs_snapshot *ss,
					       size_t i)
{
	return i < ss->ndumps ? &ss->dumps[i] : NULL;
}

const char *hwt_cs_snapshot_warnings(const struct hwt_cs_snapshot *ss)
{
	return ss->warn ? ss->warn : "";
}

/* hwt_cs_reg_get_fn over a device's [regs]: "NAME(0x...)" keys match NAME. */
static const char *dev_reg(void *arg, const char *reg)
{
	const struct hwt_cs_dev *dev = arg;
	size_t i, n = hwt_cs_ini_count(dev->ini), len = strlen(reg);

	for (i = 0; i < n; i++) {
		const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(dev->ini, i);
		size_t klen = strcspn(e->key, "(");

		if (!strcasecmp(e->section, "regs") && klen == len &&
		    !strncasecmp(e->key, reg, len))
			return e->value;
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Trailing number of a core name ("cpu_3" -> 3), -1 if none. */
static int32_t cpu_number(const char *core)
{
	size_t n = strlen(core), i = n;

	while (i > 0 && core[i - 1] >= '0' && core[i - 1] <= '9')
		i--;
	if (i == n || n - i > 6)
		return -1;
	return (int32_t)atoi(core + i);
}

static int load_memory(struct hwt_cs_snapshot *ss, char *err, size_t errlen)
{
	size_t i;

	if (ss->mem)
		return 0;
	ss->mem = hwt_cs_mem_alloc();
	for (i = 0; i < ss->ndumps; i++) {
		const struct hwt_cs_dump *d = &ss->dumps[i];
		char e[512];

		/* Like trc_pkt_lister: a dump that cannot be mapped is left
		 * out (its code decodes as "no memory image"). */
		if (hwt_cs_mem_add_file(ss->mem, d->path, d->addr, d->offset,
				    d->length, d->space, e, sizeof(e)) < 0)
			warn(ss, "memory dump of %s ignored: %s", d->core, e);
	}
	(void)err;
	(void)errlen;
	return 0;
}

/* Decodes one [bufferN] section. */
static int decode_buffer(struct hwt_cs_snapshot *ss, const char *bufsec,
			 unsigned bufidx, uint8_t *used, int only_id,
			 int flags, const struct hwt_sink *sink, char *err,
			 size_t errlen)
{
	const char *bname = trace_get(ss, bufsec, "name");
	const char *bfile = trace_get(ss, bufsec, "file");
	const char *fmt = trace_get(ss, bufsec, "format");
	const char **srcs = NULL;
	struct hwt_cs_unit *units = NULL;
	size_t nsrcs = 0, nunits = 0, i, n = hwt_cs_ini_count(ss->trace);
	const uint8_t *data = NULL;
	size_t size = 0;
	int format, rc = 0;
	char *path;

	if (!bname || !bfile) {
		hwt_errf(err, errlen, "%s: [%s] needs name= and file=",
			   hwt_cs_ini_name(ss->trace), bufsec);
		return -1;
	}
	if (fmt && !strcmp(fmt, "source_data"))
		format = HWT_CS_FMT_SINGLE;
	else if (fmt && !strcmp(fmt, "dstream_coresight"))
		format = HWT_CS_FMT_FRAMED_FSYNC;
	else
		format = HWT_CS_FMT_FRAMED;
	for (i = 0; i < n; i++) {
		const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(ss->trace, i);

		if (!strcasecmp(e->section, "source_buffers") &&
		    !strcmp(e->value, bname)) {
			srcs = hwt_xrealloc(srcs, (nsrcs + 1) * sizeof(*srcs));
			srcs[nsrcs++] = e->key;
		}
	}
	/* OpenCSD walks the sources in name order (a std::map). */
	if (nsrcs)
		qsort(srcs, nsrcs, sizeof(*srcs), cmp_str);
	units = hwt_xrealloc(NULL, (nsrcs ? nsrcs : 1) * sizeof(*units));
	for (i = 0; i < nsrcs; i++) {
		const struct hwt_cs_dev *src = find_dev(ss, srcs[i]), *core;
		const char *cname = core_of(ss, srcs[i]);
		struct hwt_cs_unit *u = &units[nunits];
		char e[256];

		if (i && !strcmp(srcs[i], srcs[i - 1]))
			continue;
		if (!src) {
			warn(ss, "source %s of buffer %s: no such device",
			     srcs[i], bname);
			continue;
		}
		if (!cname) {
			/* STM/ITM: not a program flow trace. */
			warn(ss, "source %s (%s) of buffer %s: no core, not decoded",
			     srcs[i], src->type ? src->type : "?", bname);
			continue;
		}
		core = find_dev(ss, cname);
		if (!core) {
			warn(ss, "source %s: core %s has no device file",
			     srcs[i], cname);
			continue;
		}
		memset(u, 0, sizeof(*u));
		if (hwt_cs_unit_config(u, src->type ? src->type : "", core->type,
				   dev_reg, (void *)src, e, sizeof(e)) < 0) {
			warn(ss, "source %s (%s): %s: not decoded",
			     srcs[i], hwt_cs_ini_name(src->ini), e);
			continue;
		}
		if (only_id >= 0 && u->trace_id != only_id)
			continue;
		snprintf(u->name, sizeof(u->name), "%s %s 0x%x", srcs[i],
			 cname, u->trace_id);
		u->info.id = used[u->trace_id] ?
			0x100u * bufidx + u->trace_id : u->trace_id;
		used[u->trace_id] = 1;
		u->info.tid = -1;
		u->info.cpu = cpu_number(cname);
		u->info.trace_id = u->trace_id;
		u->info.name = u->name;
		u->info.read_mem = hwt_cs_mem_read;
		u->info.read_mem_arg = ss->mem;
		u->mem = ss->mem;	/* OpenCSD reads honour space= */
		nunits++;
		if (format == HWT_CS_FMT_SINGLE)
			break;	/* one source per raw buffer */
	}
	if (!nunits)
		goto out;
	path = join(ss->dir, bfile);
	data = hwt_map_file(path, &size, err, errlen);
	free(path);
	if (!data) {
		rc = -1;
		goto out;
	}
	rc = hwt_cs_decode_buffer(data, 0, size, format, units, nunits, flags, sink,
				  err, errlen);
	if (size)
		munmap((void *)data, size);
out:
	free(srcs);
	free(units);
	return rc;
}

/* Whether section names a buffer of the comma-separated list. */
static int in_list(const char *list, const char *section)
{
	size_t n = strlen(section);
	const char *p = list;

	while (*p) {
		size_t k;

		p += strspn(p, " \t,");
		k = strcspn(p, " \t,");
		if (k == n && !strncasecmp(p, section, n))
			return 1;
		p += k;
	}
	return 0;
}

/*
 * The buffer section to decode when not all: the first buffer section
 * in trace.ini's own order (trc_pkt_lister's ss_to_dcdtree takes the
 * first buffer it parsed, not the first of buffers=), or the one whose
 * name= is want.
 * Returns the section name, or NULL with err set if there is none.
 */
static const char *pick_buffer(struct hwt_cs_snapshot *ss, const char *list,
			       const char *want, char *err, size_t errlen)
{
	size_t i, n = hwt_cs_ini_count(ss->trace);

	for (i = 0; i < n; i++) {
		const struct hwt_cs_ini_entry *e = hwt_cs_ini_entry(ss->trace, i);

		if (!in_list(list, e->section))
			continue;
		if (!want || (!strcasecmp(e->key, "name") &&
			      !strcmp(e->value, want)))
			return e->section;
	}
	if (want)
		hwt_errf(err, errlen, "%s: no trace buffer named '%s' (see "
			 "its [trace_buffers] and name= entries)",
			 hwt_cs_ini_name(ss->trace), want);
	else
		hwt_errf(err, errlen, "%s: no section for any of its "
			 "buffers (%s)", hwt_cs_ini_name(ss->trace), list);
	return NULL;
}

int hwt_cs_snapshot_decode(struct hwt_cs_snapshot *ss, int only_id,
			   const char *buffer, int flags,
			   const struct hwt_sink *sink, char *err,
			   size_t errlen)
{
	const char *list = trace_get(ss, "trace_buffers", "buffers");
	const char *one = NULL;
	uint8_t used[128];
	unsigned bufidx = 0;
	char *copy, *tok, *save = NULL;
	int rc = 0;

	if (load_memory(ss, err, errlen) < 0)
		return -1;
	if (!buffer || strcmp(buffer, "all")) {
		one = pick_buffer(ss, list, buffer, err, errlen);
		if (!one)
			return -1;
	}
	memset(used, 0, sizeof(used));
	copy = hwt_xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save), bufidx++) {
		char *b = tok, *e = tok + strlen(tok);

		while (*b == ' ' || *b == '\t')
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		if (!*b || (one && strcasecmp(b, one)))
			continue;
		rc = decode_buffer(ss, b, bufidx, used, only_id, flags, sink,
				   err, errlen);
		if (rc < 0)
			break;
	}
	free(copy);
	return rc;
}
