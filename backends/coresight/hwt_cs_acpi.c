// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_cs_acpi: the CoreSight components of the ACPI namespace, read into
 * cs_acpi's tree (hwt_cs_acpi.h).
 *
 * For each _HID cs_acpi names (ARMHC500, ARMHC97C, ARMHC9FF, ...):
 * acpi_get_devices() walks the namespace (it skips a device whose _STA
 * says absent); each device's path (acpi_get_name), parent, _STA
 * enabled bit (its struct acpi_device, which Linux made at boot), first
 * memory window of _CRS (acpi_dev_get_resources), and _DSD evaluated
 * as a package, copied into cs_acpi_obj.  An ETM's CPU is its parent
 * processor device (ACPI0007, DEN0067 "ETM"): the parent's _UID is the
 * ACPI processor UID of the CPU's MADT GICC entry (ACPI 6.x 5.2.12.14),
 * whose MPIDR field is the CPU's affinity, the number cs_topo keys
 * ETMs by; Linux's acpi_coresight_get_cpu reaches the same CPU through
 * the processor driver's per-CPU handles.
 *
 * Devices described by static tables are never removed here (no ACPI
 * hotplug of CoreSight), so struct acpi_device pointers are kept
 * without a reference, as hwt_cs_of keeps device_node pointers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/cputype.h>

#include "cs_acpi.h"
#include "cs_madt.h"
#include "hwt_cs_acpi.h"

#ifdef CONFIG_ACPI

#define HWT_CS_ACPI_OBJS	8192	/* _DSD objects of all devices */

struct hwt_cs_acpi {
	struct cs_acpi_tree tree;
	struct cs_acpi_dev dev[CS_ACPI_MAX_DEV];
	struct acpi_device *adev[CS_ACPI_MAX_DEV];
	struct cs_acpi_cpu cpu[CS_TOPO_MAX_CPU];
	unsigned int ndev, ncpu;
	bool too_many;
	/* While building: the evaluated _DSDs and their copies. */
	void *dsd_buf[CS_ACPI_MAX_DEV];
	struct cs_acpi_obj *obj;
	unsigned int nobj;
};

static struct hwt_cs_acpi *cs_acpi;
/* What the last walk found, for a refusal after the tree is freed. */
static unsigned int cs_acpi_found, cs_acpi_found_etm;

/* acpi_get_devices() callback: one more component. */
static acpi_status hwt_cs_acpi_add(acpi_handle h, u32 level, void *ctx,
				   void **ret)
{
	struct hwt_cs_acpi *a = cs_acpi;
	const char *hid = ctx;
	struct cs_acpi_dev *d;
	unsigned int i;

	for (i = 0; i < a->ndev; i++)
		if (a->dev[i].handle == (uintptr_t)h)
			return AE_OK;	/* matched another _HID by _CID */
	if (a->ndev == CS_ACPI_MAX_DEV) {
		a->too_many = true;
		return AE_CTRL_TERMINATE;
	}
	d = &a->dev[a->ndev];
	a->adev[a->ndev++] = acpi_fetch_acpi_dev(h);
	strscpy(d->hid, hid, sizeof(d->hid));
	d->handle = (uintptr_t)h;
	return AE_OK;
}

/*
 * A union acpi_object (as ACPICA evaluated it) into cs_acpi_obj, its
 * package elements taken from a->obj.
 * Returns 0, or -E2BIG if it nests deeper than CS_ACPI_DEPTH or there
 * are more objects than the pool holds.
 */
static int hwt_cs_acpi_copy(struct hwt_cs_acpi *a, const union acpi_object *s,
			    struct cs_acpi_obj *d, int depth)
{
	struct cs_acpi_obj *elem;
	unsigned int i;
	int ret;

	memset(d, 0, sizeof(*d));
	switch (s->type) {
	case ACPI_TYPE_INTEGER:
		d->type = CS_ACPI_INTEGER;
		d->integer = s->integer.value;
		break;
	case ACPI_TYPE_STRING:
		d->type = CS_ACPI_STRING;
		d->bytes = (const u8 *)s->string.pointer;
		d->len = s->string.length;
		break;
	case ACPI_TYPE_BUFFER:
		d->type = CS_ACPI_BUFFER;
		d->bytes = s->buffer.pointer;
		d->len = s->buffer.length;
		break;
	case ACPI_TYPE_LOCAL_REFERENCE:
		d->type = CS_ACPI_REFERENCE;
		d->ref = (uintptr_t)s->reference.handle;
		break;
	case ACPI_TYPE_PACKAGE:
		if (depth >= CS_ACPI_DEPTH ||
		    s->package.count > HWT_CS_ACPI_OBJS - a->nobj)
			return -E2BIG;
		elem = &a->obj[a->nobj];
		a->nobj += s->package.count;
		d->type = CS_ACPI_PACKAGE;
		d->len = s->package.count;
		d->elem = elem;
		for (i = 0; i < s->package.count; i++) {
			ret = hwt_cs_acpi_copy(a, &s->package.elements[i],
					       &elem[i], depth + 1);
			if (ret)
				return ret;
		}
		break;
	default:
		/* A type no rule accepts: cs_acpi refuses it where read. */
		d->type = 0;
		break;
	}
	return 0;
}

/*
 * Device i's path, parent, _STA, window and _DSD.
 * Returns 0, -E2BIG as hwt_cs_acpi_copy(), -ENODEV after one line if
 * _DSD cannot be evaluated or its _CRS read.
 */
static int hwt_cs_acpi_read(struct hwt_cs_acpi *a, unsigned int i)
{
	struct acpi_buffer path = { ACPI_ALLOCATE_BUFFER, NULL };
	struct acpi_buffer buf = { ACPI_ALLOCATE_BUFFER, NULL };
	struct cs_acpi_dev *d = &a->dev[i];
	acpi_handle h = (acpi_handle)d->handle, parent;
	struct resource_entry *re;
	struct cs_acpi_obj *o;
	acpi_status st;
	LIST_HEAD(res);
	int ret;

	if (ACPI_SUCCESS(acpi_get_name(h, ACPI_FULL_PATHNAME, &path)))
		strscpy(d->name, path.pointer, sizeof(d->name));
	kfree(path.pointer);
	if (ACPI_SUCCESS(acpi_get_parent(h, &parent)))
		d->parent = (uintptr_t)parent;
	d->enabled = a->adev[i] && a->adev[i]->status.enabled;
	if (a->adev[i]) {
		ret = acpi_dev_get_resources(a->adev[i], &res, NULL, NULL);
		if (ret < 0) {
			pr_info("%s (%s): its _CRS cannot be read (%d): not loading\n",
				d->name, d->hid, ret);
			return -ENODEV;
		}
		resource_list_for_each_entry(re, &res) {
			if (resource_type(re->res) == IORESOURCE_MEM) {
				d->base = re->res->start;
				d->size = resource_size(re->res);
				break;
			}
		}
		acpi_dev_free_resource_list(&res);
	}
	st = acpi_evaluate_object_typed(h, "_DSD", NULL, &buf,
					ACPI_TYPE_PACKAGE);
	if (st == AE_NOT_FOUND)
		return 0;
	if (ACPI_FAILURE(st)) {
		pr_info("%s (%s): its _DSD cannot be evaluated (%s): not loading\n",
			d->name, d->hid, acpi_format_exception(st));
		return -ENODEV;
	}
	a->dsd_buf[i] = buf.pointer;
	if (a->nobj == HWT_CS_ACPI_OBJS)
		return -E2BIG;
	o = &a->obj[a->nobj++];
	ret = hwt_cs_acpi_copy(a, buf.pointer, o, 0);
	d->dsd = o;
	return ret;
}

/*
 * The processors the ETMs sit under: handle and MPIDR affinity, by the
 * parent's _UID and the MADT.  An ETM whose parent is no processor of
 * a possible CPU is left out here: cs_acpi refuses it (if enabled).
 */
static void hwt_cs_acpi_cpus(struct hwt_cs_acpi *a)
{
	unsigned int i, k;

	for (i = 0; i < a->ndev; i++) {
		const struct cs_acpi_dev *d = &a->dev[i];
		struct acpi_device *p;
		unsigned long long uid;
		int cpu;

		if (strcmp(d->hid, "ARMHC500") || !d->parent)
			continue;
		for (k = 0; k < a->ncpu; k++)
			if (a->cpu[k].handle == d->parent)
				break;
		if (k < a->ncpu || a->ncpu == CS_TOPO_MAX_CPU)
			continue;
		p = acpi_fetch_acpi_dev((acpi_handle)d->parent);
		if (!p || strcmp(acpi_device_hid(p), "ACPI0007"))
			continue;
		if (ACPI_FAILURE(acpi_evaluate_integer(p->handle, "_UID", NULL,
						       &uid)))
			continue;
		cpu = get_cpu_for_acpi_id((u32)uid);
		if (cpu < 0)
			continue;
		a->cpu[a->ncpu].handle = d->parent;
		a->cpu[a->ncpu].mpidr = acpi_cpu_get_madt_gicc(cpu)->arm_mpidr &
					MPIDR_HWID_BITMASK;
		a->ncpu++;
	}
}

/* Drop what only the build needed: the _DSDs and their copies. */
static void hwt_cs_acpi_drop_dsd(struct hwt_cs_acpi *a)
{
	unsigned int i;

	for (i = 0; i < CS_ACPI_MAX_DEV; i++) {
		kfree(a->dsd_buf[i]);
		a->dsd_buf[i] = NULL;
		a->dev[i].dsd = NULL;
	}
	kvfree(a->obj);
	a->obj = NULL;
}

/*
 * Walk, read, build.
 * Returns as hwt_cs_acpi_tree().
 */
static int hwt_cs_acpi_build(struct hwt_cs_acpi *a)
{
	const char *hid;
	unsigned int i;
	int ret;

	for (i = 0; (hid = cs_acpi_hid_at(i)); i++)
		acpi_get_devices(hid, hwt_cs_acpi_add, (void *)hid, NULL);
	cs_acpi_found = a->ndev;
	cs_acpi_found_etm = 0;
	for (i = 0; i < a->ndev; i++)
		cs_acpi_found_etm += !strcmp(a->dev[i].hid, "ARMHC500");
	if (a->too_many) {
		pr_info("ACPI has more than %d CoreSight components: not loading\n",
			CS_ACPI_MAX_DEV);
		return -E2BIG;
	}
	if (!a->ndev)
		return -ENOENT;
	a->obj = kvcalloc(HWT_CS_ACPI_OBJS, sizeof(*a->obj), GFP_KERNEL);
	if (!a->obj)
		return -ENOMEM;
	for (i = 0; i < a->ndev; i++) {
		ret = hwt_cs_acpi_read(a, i);
		if (ret == -E2BIG)
			pr_info("%s (%s): its _DSD is larger or deeper than this backend reads: not loading\n",
				a->dev[i].name, a->dev[i].hid);
		if (ret)
			goto out;
	}
	hwt_cs_acpi_cpus(a);
	ret = cs_acpi_build(&a->tree, a->dev, a->ndev, a->cpu, a->ncpu);
	if (ret) {
		const struct cs_acpi_dev *d = a->tree.bad_dev >= 0 ?
			&a->dev[a->tree.bad_dev] : NULL;

		pr_info("ACPI's CoreSight description is %s (%s%s%s): not loading\n",
			ret == -CS_E2BIG ? "too large" : "malformed",
			d ? d->name : "the graph", d ? " " : "",
			d ? d->hid : "");
		ret = cs_errno(ret) == -E2BIG ? -E2BIG : -ENODEV;
	}
out:
	hwt_cs_acpi_drop_dsd(a);
	return ret;
}

int hwt_cs_acpi_tree(const struct cs_dt_ops **ops, void **ctx,
		     uintptr_t *root)
{
	int ret;

	if (acpi_disabled)
		return -ENOENT;
	if (!cs_acpi) {
		cs_acpi = kvzalloc(sizeof(*cs_acpi), GFP_KERNEL);
		if (!cs_acpi)
			return -ENOMEM;
		ret = hwt_cs_acpi_build(cs_acpi);
		if (ret) {
			hwt_cs_acpi_free();
			return ret;
		}
	}
	*ops = &cs_dtmem_ops;
	*ctx = &cs_acpi->tree;
	*root = cs_dtmem_root(&cs_acpi->tree.m);
	return 0;
}

struct device *hwt_cs_acpi_phys(uintptr_t node)
{
	struct device *dev;
	int i;

	if (!cs_acpi)
		return NULL;
	i = cs_acpi_tree_dev(&cs_acpi->tree, node);
	if (i < 0 || !cs_acpi->adev[i])
		return NULL;
	dev = acpi_get_first_physical_node(cs_acpi->adev[i]);
	return dev ? get_device(dev) : NULL;
}

void hwt_cs_acpi_describe(char *buf, size_t len)
{
	if (acpi_disabled)
		strscpy(buf, "ACPI is off", len);
	else if (!cs_acpi_found)
		strscpy(buf, "no CoreSight component in ACPI", len);
	else
		snprintf(buf, len, "ACPI has %u CoreSight components, %u ETMv4 (ARMHC500)",
			 cs_acpi_found, cs_acpi_found_etm);
}

void hwt_cs_acpi_free(void)
{
	if (!cs_acpi)
		return;
	hwt_cs_acpi_drop_dsd(cs_acpi);
	kvfree(cs_acpi);
	cs_acpi = NULL;
}

/* The GSIV hwt_cs_acpi_trbe_irq() registered, 0 if none. */
static u32 cs_acpi_trbe_gsiv;

int hwt_cs_acpi_trbe_irq(void)
{
	struct acpi_table_header *madt;
	int gsiv, irq;

	if (acpi_disabled ||
	    ACPI_FAILURE(acpi_get_table(ACPI_SIG_MADT, 0, &madt)))
		return 0;
	/* The whole table is mapped: its header's length is readable. */
	gsiv = cs_madt_trbe_gsiv((const u8 *)madt, madt->length);
	acpi_put_table(madt);
	if (gsiv < 0) {
		pr_info("the MADT's GICC TRBE interrupts are malformed or differ between CPUs (ACPI 6.5 5.2.12.14): not used\n");
		return 0;
	}
	if (!gsiv)
		return 0;
	irq = acpi_register_gsi(NULL, gsiv, ACPI_LEVEL_SENSITIVE,
				ACPI_ACTIVE_HIGH);
	if (irq <= 0) {
		pr_info("the MADT's TRBE interrupt (GSIV %d) cannot be registered (%d): not used\n",
			gsiv, irq);
		return 0;
	}
	cs_acpi_trbe_gsiv = gsiv;
	return irq;
}

void hwt_cs_acpi_trbe_put(void)
{
	if (cs_acpi_trbe_gsiv)
		acpi_unregister_gsi(cs_acpi_trbe_gsiv);
	cs_acpi_trbe_gsiv = 0;
}

#else /* !CONFIG_ACPI */

int hwt_cs_acpi_tree(const struct cs_dt_ops **ops, void **ctx,
		     uintptr_t *root)
{
	return -ENOENT;
}

struct device *hwt_cs_acpi_phys(uintptr_t node)
{
	return NULL;
}

void hwt_cs_acpi_describe(char *buf, size_t len)
{
	strscpy(buf, "no ACPI in this kernel", len);
}

void hwt_cs_acpi_free(void)
{
}

int hwt_cs_acpi_trbe_irq(void)
{
	return 0;
}

void hwt_cs_acpi_trbe_put(void)
{
}

#endif /* CONFIG_ACPI */
