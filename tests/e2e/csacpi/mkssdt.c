// SPDX-License-Identifier: BSD-2-Clause
/*
 * mkssdt OUT.asl: the SSDT of acpi_layout.h (ssdt.h has its shape), for
 * tests/e2e/cs_mmio.sh acpi to compile with iasl.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ssdt.h"

int main(int argc, char **argv)
{
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: mkssdt OUT.asl\n");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	csacpi_write_ssdt(f);
	return fclose(f) ? 1 : 0;
}
