/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * csacpi_write_ssdt(): acpi_layout.h as ASL, for iasl: each component a
 * Device with its _HID, a Memory32Fixed window in _CRS (layout.h's),
 * and a _DSD holding the ACPI graph (UUID ab02a46b-74c7-45a2-bd68-
 * f7d344ef2153: revision 0, one graph) whose CoreSight graph (UUID
 * 3ecbc8b6-1d0e-4fb3-8107-e627f805c6cd) lists its links as { local
 * port, remote port, remote device, direction } (Arm DEN 0067; the
 * shape of Linux's coresight-platform.c comment and of Juno's EDK2
 * Dsdt.asl); the ETR's "arm,scatter-gather" as a device property (UUID
 * daffd814-6eba-4d8c-8a91-bc9bbf4aa301).  ETMs go under QEMU virt's
 * processor devices \_SB.C000 and \_SB.C001 (External: they are the
 * DSDT's).  Used by mkssdt.c (the booted test) and by
 * backends/coresight/tests/test_acpi.c (iasl + acpiexec).
 */
#ifndef CSACPI_SSDT_H
#define CSACPI_SSDT_H

#include <stdio.h>

#include "acpi_layout.h"

static void csacpi_write_ssdt(FILE *f)
{
	int w, c;
	unsigned int i;

	fprintf(f, "/* Generated from tests/e2e/csacpi/ssdt.h. */\n"
		"DefinitionBlock (\"\", \"SSDT\", 2, \"HWT\", \"CSJUNO\", 1)\n{\n");
	for (c = 0; c < CSMMIO_NCPU; c++)
		fprintf(f, "    External (\\_SB.C%03X, DeviceObj)\n", c);
	for (w = 0; w < W_N; w++) {
		const struct csacpi_dev *d = &csacpi_devs[w];

		fprintf(f, "\n    Scope (%s)\n    {\n"
			"        Device (%s)\n        {\n"
			"            Name (_HID, \"%s\")\n"
			"            Name (_UID, %d)\n"
			"            Name (_CRS, ResourceTemplate ()\n"
			"            {\n"
			"                Memory32Fixed (ReadWrite, 0x%08llX, 0x%08X)\n"
			"            })\n"
			"            Name (_DSD, Package ()\n            {\n",
			d->scope, d->name, d->hid, w,
			(unsigned long long)csmmio_wins[w].pa, CSMMIO_SIZE);
		if (d->sg)
			fprintf(f, "                ToUUID (\"daffd814-6eba-4d8c-8a91-bc9bbf4aa301\"),\n"
				"                Package ()\n                {\n"
				"                    Package (2) { \"arm,scatter-gather\", 1 }\n"
				"                },\n");
		fprintf(f, "                ToUUID (\"ab02a46b-74c7-45a2-bd68-f7d344ef2153\"),\n"
			"                Package ()\n                {\n"
			"                    0,\n                    1,\n"
			"                    Package ()\n                    {\n"
			"                        1,\n"
			"                        ToUUID (\"3ecbc8b6-1d0e-4fb3-8107-e627f805c6cd\"),\n"
			"                        %u,\n", d->nlink);
		for (i = 0; i < d->nlink; i++) {
			const struct csacpi_link *l = &d->link[i];
			const struct csacpi_dev *r = &csacpi_devs[l->remote];

			fprintf(f, "                        Package () { %d, %d, %s.%s, %d }%s\n",
				l->port, l->remote_port, r->scope, r->name,
				l->out, i + 1 < d->nlink ? "," : "");
		}
		fprintf(f, "                    }\n                }\n"
			"            })\n        }\n    }\n");
	}
	fprintf(f, "}\n");
}

#endif /* CSACPI_SSDT_H */
