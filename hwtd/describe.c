// SPDX-License-Identifier: BSD-2-Clause
/* HWT_IOC_DESCRIBE: read and check a context's description. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <hwt/hwt.h>

#include "describe.h"
#include "hwt_err.h"

static int key_ok(const char *k, size_t n)
{
	size_t i;

	if (!n || n >= HWT_DESC_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return 1;
}

static int value_ok(const char *v, size_t n)
{
	size_t i;

	if (n >= HWT_DESC_VALUE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return 0;
	return 1;
}

int hwt_desc_parse(const char *text, struct hwt_desc *d, char *err,
		   size_t errlen)
{
	const char *p = text;
	int line = 0, i;

	memset(d, 0, sizeof(*d));
	while (*p) {
		const char *nl = strchr(p, '\n'), *eq;
		size_t klen, vlen;

		line++;
		if (!nl)
			return hwt_errf(err, errlen, "description line %d: no"
					" newline", line);
		eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq)
			return hwt_errf(err, errlen, "description line %d: no"
					" '='", line);
		klen = (size_t)(eq - p);
		vlen = (size_t)(nl - eq - 1);
		if (!key_ok(p, klen) || !value_ok(eq + 1, vlen))
			return hwt_errf(err, errlen, "description line %d: bad"
					" key or value", line);
		if (line == 1) {
			if (klen != 4 || memcmp(p, "kind", 4) ||
			    !key_ok(eq + 1, vlen))
				return hwt_errf(err, errlen, "description does"
						" not start with kind=KIND");
			memcpy(d->kind, eq + 1, vlen);
		} else {
			struct hwt_desc_param *dp;

			if (klen == 4 && !memcmp(p, "kind", 4))
				return hwt_errf(err, errlen, "description line"
						" %d: a second kind", line);
			for (i = 0; i < d->nparams; i++)
				if (strlen(d->params[i].key) == klen &&
				    !memcmp(d->params[i].key, p, klen))
					return hwt_errf(err, errlen,
							"description line %d:"
							" key given twice",
							line);
			if (d->nparams == HWT_DESC_MAX_PARAMS)
				return hwt_errf(err, errlen, "description has"
						" more than %d parameters",
						HWT_DESC_MAX_PARAMS);
			dp = &d->params[d->nparams++];
			memcpy(dp->key, p, klen);
			memcpy(dp->value, eq + 1, vlen);
		}
		p = nl + 1;
	}
	if (!line)
		return hwt_errf(err, errlen, "empty description");
	return 0;
}

int hwt_desc_get(int ctxfd, struct hwt_desc *d, char *err, size_t errlen)
{
	char text[HWT_DESCRIBE_MAX];
	struct hwt_describe req;

	memset(&req, 0, sizeof(req));
	req.buf = (uintptr_t)text;
	req.buflen = sizeof(text);
	if (ioctl(ctxfd, HWT_IOC_DESCRIBE, &req))
		return hwt_errf(err, errlen, "cannot ask the backend what it"
				" records (HWT_IOC_DESCRIBE): %s",
				strerror(errno));
	if (req.len >= sizeof(text) || text[req.len] ||
	    strlen(text) != req.len)
		return hwt_errf(err, errlen, "the backend's description is"
				" not one string of %u bytes", req.len);
	return hwt_desc_parse(text, d, err, errlen);
}
