// SPDX-License-Identifier: GPL-2.0
/*
 * Backend registry.  A context holds a reference on its backend's module,
 * so a backend cannot be unloaded while a context uses it.
 */

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "hwt_internal.h"

static LIST_HEAD(hwt_backends);
static DEFINE_MUTEX(hwt_backends_lock);

static struct hwt_backend *backend_find(const char *name)
{
	struct hwt_backend *be;

	list_for_each_entry(be, &hwt_backends, link)
		if (!strcmp(be->name, name))
			return be;
	return NULL;
}

int hwt_backend_register(struct hwt_backend *be)
{
	int ret = 0;

	if (!be->name || !be->ops || !be->modes ||
	    strlen(be->name) >= HWT_BACKEND_NAME_MAX)
		return -EINVAL;
	mutex_lock(&hwt_backends_lock);
	if (backend_find(be->name))
		ret = -EEXIST;
	else
		list_add_tail(&be->link, &hwt_backends);
	mutex_unlock(&hwt_backends_lock);
	if (!ret)
		pr_info("hwt: backend %s registered\n", be->name);
	return ret;
}
EXPORT_SYMBOL_GPL(hwt_backend_register);

void hwt_backend_unregister(struct hwt_backend *be)
{
	mutex_lock(&hwt_backends_lock);
	list_del(&be->link);
	mutex_unlock(&hwt_backends_lock);
}
EXPORT_SYMBOL_GPL(hwt_backend_unregister);

struct hwt_backend *hwt_backend_get(const char *name)
{
	struct hwt_backend *be;

	mutex_lock(&hwt_backends_lock);
	be = backend_find(name);
	if (be && !try_module_get(be->owner))
		be = NULL;
	mutex_unlock(&hwt_backends_lock);
	return be;
}

void hwt_backend_put(struct hwt_backend *be)
{
	module_put(be->owner);
}
