/* SPDX-License-Identifier: BSD-2-Clause */
/* Strict .ini reader for OpenCSD snapshot directories (see cs_ini.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "cs/cs_ini.h"
#include "core/util.h"

struct hwt_cs_ini {
	char *name;
	char *text;		/* a private copy, cut into strings in place */
	struct hwt_cs_ini_entry *ents;
	size_t nents;
	const char **sections;	/* every header, in order */
	size_t nsections;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trims [*b, *e) in place; returns the NUL-terminated result. */
static char *trim(char *b, char *e)
{
	while (b < e && is_space(*b))
		b++;
	while (e > b && is_space(e[-1]))
		e--;
	*e = '\0';
	return b;
}

void hwt_cs_ini_free(struct hwt_cs_ini *ini)
{
	if (!ini)
		return;
	free(ini->name);
	free(ini->text);
	free(ini->ents);
	free(ini->sections);
	free(ini);
}

struct hwt_cs_ini *hwt_cs_ini_parse(const char *buf, size_t size, const char *name,
				    char *err, size_t errlen)
{
	struct hwt_cs_ini *ini;
	const char *section = "";
	size_t cap = 0, scap = 0;
	unsigned lineno = 0;
	char *p, *end;

	if (size > HWT_CS_INI_MAX_SIZE) {
		hwt_errf(err, errlen, "%s: too large (%zu bytes, limit %u)",
			   name, size, HWT_CS_INI_MAX_SIZE);
		return NULL;
	}
	if (memchr(buf, '\0', size)) {
		hwt_errf(err, errlen, "%s: contains a NUL byte: not a text file",
			   name);
		return NULL;
	}
	ini = hwt_xrealloc(NULL, sizeof(*ini));
	memset(ini, 0, sizeof(*ini));
	ini->name = hwt_xstrdup(name);
	ini->text = hwt_xrealloc(NULL, size + 1);
	memcpy(ini->text, buf, size);
	ini->text[size] = '\0';

	for (p = ini->text, end = p + size; p < end; ) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end, *c, *eq, *key, *val;

		lineno++;
		if ((size_t)(le - p) > HWT_CS_INI_MAX_LINE) {
			hwt_errf(err, errlen, "%s:%u: line longer than %u bytes",
				   name, lineno, HWT_CS_INI_MAX_LINE);
			goto fail;
		}
		/* Comments run to the end of the line. */
		for (c = p; c < le; c++)
			if (*c == ';' || *c == '#')
				break;
		le = c;
		key = trim(p, le);
		p = nl ? nl + 1 : end;
		if (!*key)
			continue;
		if (*key == '[') {
			char *close = strchr(key, ']');

			if (!close || close[1]) {
				hwt_errf(err, errlen,
					   "%s:%u: malformed section header '%s'",
					   name, lineno, key);
				goto fail;
			}
			section = trim(key + 1, close);
			if (!*section) {
				hwt_errf(err, errlen,
					   "%s:%u: empty section name", name,
					   lineno);
				goto fail;
			}
			if (ini->nsections == scap) {
				scap = scap ? 2 * scap : 16;
				ini->sections = hwt_xrealloc(ini->sections,
						scap * sizeof(*ini->sections));
			}
			ini->sections[ini->nsections++] = section;
			continue;
		}
		eq = strchr(key, '=');
		if (!eq) {
			hwt_errf(err, errlen,
				   "%s:%u: expected key=value, got '%s'", name,
				   lineno, key);
			goto fail;
		}
		val = trim(eq + 1, eq + 1 + strlen(eq + 1));
		key = trim(key, eq);
		if (!*key) {
			hwt_errf(err, errlen, "%s:%u: empty key", name,
				   lineno);
			goto fail;
		}
		if (ini->nents == HWT_CS_INI_MAX_ENTRIES) {
			hwt_errf(err, errlen, "%s:%u: more than %u entries",
				   name, lineno, HWT_CS_INI_MAX_ENTRIES);
			goto fail;
		}
		if (ini->nents == cap) {
			cap = cap ? 2 * cap : 32;
			ini->ents = hwt_xrealloc(ini->ents,
						 cap * sizeof(*ini->ents));
		}
		ini->ents[ini->nents].section = section;
		ini->ents[ini->nents].secno = (unsigned)ini->nsections;
		ini->ents[ini->nents].key = key;
		ini->ents[ini->nents].value = val;
		ini->ents[ini->nents].line = lineno;
		ini->nents++;
	}
	return ini;
fail:
	hwt_cs_ini_free(ini);
	return NULL;
}

struct hwt_cs_ini *hwt_cs_ini_load(const char *path, char *err, size_t errlen)
{
	struct hwt_cs_ini *ini;
	const uint8_t *map;
	size_t size;

	map = hwt_map_file(path, &size, err, errlen);
	if (!map)
		return NULL;
	ini = hwt_cs_ini_parse((const char *)map, size, path, err, errlen);
	if (size)
		munmap((void *)map, size);
	return ini;
}

const char *hwt_cs_ini_name(const struct hwt_cs_ini *ini)
{
	return ini->name;
}

size_t hwt_cs_ini_count(const struct hwt_cs_ini *ini)
{
	return ini->nents;
}

const struct hwt_cs_ini_entry *hwt_cs_ini_entry(const struct hwt_cs_ini *ini, size_t i)
{
	return i < ini->nents ? &ini->ents[i] : NULL;
}

size_t hwt_cs_ini_nsections(const struct hwt_cs_ini *ini, const char *section)
{
	size_t i, n = 0;

	for (i = 0; i < ini->nsections; i++)
		n += !strcasecmp(ini->sections[i], section);
	return n;
}

const char *hwt_cs_ini_get(const struct hwt_cs_ini *ini, const char *section,
			   const char *key)
{
	size_t i;

	for (i = 0; i < ini->nents; i++)
		if (!strcasecmp(ini->ents[i].section, section) &&
		    !strcasecmp(ini->ents[i].key, key))
			return ini->ents[i].value;
	return NULL;
}

int hwt_cs_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	/* strtoull accepts a sign and leading blanks: refuse both. */
	if (!s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}
