// SPDX-License-Identifier: BSD-2-Clause
/* /proc/PID/maps lines (procmaps.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "procmaps.h"

/* The hex number at *p, *p moved past it.  Returns 0, or -1 if there is
 * none or it overflows. */
static int hex(char **p, uint64_t *v)
{
	char *end;

	if (!((**p >= '0' && **p <= '9') || (**p >= 'a' && **p <= 'f')))
		return -1;
	errno = 0;
	*v = strtoull(*p, &end, 16);
	if (errno || end == *p)
		return -1;
	*p = end;
	return 0;
}

/* Skips one or more spaces.  Returns 0, or -1 if there is none. */
static int spaces(char **p)
{
	if (**p != ' ')
		return -1;
	while (**p == ' ')
		(*p)++;
	return 0;
}

int hwtd_procmap_parse(char *line, struct hwtd_procmap *m)
{
	static const char deleted[] = " (deleted)";
	char *p = line, *nl;
	uint64_t dummy;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (hex(&p, &m->start) || *p++ != '-' || hex(&p, &m->end) ||
	    m->start >= m->end || spaces(&p))
		return -1;
	if ((p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
	    (p[2] != 'x' && p[2] != '-') || (p[3] != 'p' && p[3] != 's'))
		return -1;
	m->prot = (p[0] == 'r' ? PROT_READ : 0) |
		  (p[1] == 'w' ? PROT_WRITE : 0) |
		  (p[2] == 'x' ? PROT_EXEC : 0);
	m->shared = p[3] == 's';
	p += 4;
	/* offset, dev (major:minor), inode */
	if (spaces(&p) || hex(&p, &m->offset) || spaces(&p) ||
	    hex(&p, &dummy) || *p++ != ':' || hex(&p, &dummy))
		return -1;
	if (spaces(&p) || *p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	nl = strchr(p, '\n');
	if (nl)
		*nl = 0;
	n = strlen(p);
	if (n > sizeof(deleted) - 1 &&
	    !strcmp(p + n - (sizeof(deleted) - 1), deleted))
		p[n - (sizeof(deleted) - 1)] = 0;
	m->path = p;
	return 0;
}
