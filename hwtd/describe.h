/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A context's description for the decoder (HWT_IOC_DESCRIBE): the
 * streams' kind and the parameters the backend says the decoder needs
 * (CPU and CPUID for Intel PT, the trace unit's registers for ETE/ETMv4),
 * read from the kernel and checked line by line before any of it reaches
 * a session.
 */
#ifndef HWT_DESCRIBE_H
#define HWT_DESCRIBE_H

#include <stddef.h>

#define HWT_DESC_MAX_PARAMS	64
#define HWT_DESC_KEY_MAX	32	/* with the NUL */
#define HWT_DESC_VALUE_MAX	256	/* with the NUL */

struct hwt_desc_param {
	char key[HWT_DESC_KEY_MAX];
	char value[HWT_DESC_VALUE_MAX];
};

struct hwt_desc {
	char kind[HWT_DESC_KEY_MAX];
	int nparams;
	struct hwt_desc_param params[HWT_DESC_MAX_PARAMS];
};

/*
 * Parse text ("kind=K\n" then "key=value\n" lines, include/hwt/hwt.h)
 * into d.
 * Returns 0 if text keeps the grammar: kind first and not empty, keys
 * [a-z0-9_] of 1..31 bytes, each key once, values printable ASCII of at
 * most 255 bytes, every line ended by '\n', at most HWT_DESC_MAX_PARAMS.
 * Returns -1 otherwise, the line at fault named in err.
 */
int hwt_desc_parse(const char *text, struct hwt_desc *d, char *err,
		   size_t errlen);

/*
 * Ask context ctxfd for its description and parse it into d.
 * Returns 0 on success.
 * Returns -1 if the ioctl fails or the text is malformed (reason in err).
 */
int hwt_desc_get(int ctxfd, struct hwt_desc *d, char *err, size_t errlen);

#endif /* HWT_DESCRIBE_H */
