/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A strict reader for the .ini files of an OpenCSD snapshot directory
 * (snapshot.ini, trace.ini, device_N.ini, cpu_N.ini).
 *
 * Syntax (as OpenCSD's own snapshot parser reads it): "[section]" headers,
 * "key=value" lines, ';' or '#' start a comment, CR and blank lines are
 * ignored, keys and values are trimmed.  Anything else is an error with the
 * file name and line number.  Sizes are bounded: a file over
 * HWT_CS_INI_MAX_SIZE bytes, a line over HWT_CS_INI_MAX_LINE bytes or a NUL byte is
 * refused, never truncated silently.
 */
#ifndef HWT_DECODER_CS_INI_H
#define HWT_DECODER_CS_INI_H

#include <stddef.h>
#include <stdint.h>

#define HWT_CS_INI_MAX_SIZE		(1u << 20)
#define HWT_CS_INI_MAX_LINE		4096u
#define HWT_CS_INI_MAX_ENTRIES	65536u

struct hwt_cs_ini_entry {
	const char *section;	/* "" before the first header */
	unsigned secno;		/* header instance: 0 none, 1 first, ... */
	const char *key;
	const char *value;
	unsigned line;
};

/* Opaque: the parsed file. */
struct hwt_cs_ini;

/* Parses size bytes at buf; name is used in messages.  NULL on error (err
 * set to "name:line: what"). */
struct hwt_cs_ini *hwt_cs_ini_parse(const char *buf, size_t size, const char *name,
				    char *err, size_t errlen);
/* Reads and parses path. */
struct hwt_cs_ini *hwt_cs_ini_load(const char *path, char *err, size_t errlen);
void hwt_cs_ini_free(struct hwt_cs_ini *ini);

const char *hwt_cs_ini_name(const struct hwt_cs_ini *ini);
size_t hwt_cs_ini_count(const struct hwt_cs_ini *ini);
const struct hwt_cs_ini_entry *hwt_cs_ini_entry(const struct hwt_cs_ini *ini, size_t i);
/* Number of "[section]" headers named section (case-insensitive). */
size_t hwt_cs_ini_nsections(const struct hwt_cs_ini *ini, const char *section);
/* Value of key in section (both case-insensitive), NULL if absent; with
 * more than one such key the first. */
const char *hwt_cs_ini_get(const struct hwt_cs_ini *ini, const char *section,
			   const char *key);

/* Parses an unsigned number (decimal, 0x hex, 0 octal) with nothing after
 * it; 0 on success, -1 if s is not one or overflows. */
int hwt_cs_parse_u64(const char *s, uint64_t *v);

#endif /* HWT_DECODER_CS_INI_H */
