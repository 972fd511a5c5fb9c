/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The second half of cs_emu.c's rows, as a guest program of its own
 * (each has HWT_VM_PROG_TIMEOUT, and cs_emu's rows fill it): one TMC
 * shared behind funnels by both CPUs, and CPU mode's flight recorder.
 * It runs cs_emu, beside it in the guest's test directory, as
 * "cs_emu shared" (the host's vm-post.sh decodes its dumps against that
 * binary, cs_emu).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];

	(void)argc;
	snprintf(path, sizeof(path), "%s/cs_emu", dirname(argv[0]));
	fflush(stdout);
	execl(path, "cs_emu", "shared", (char *)NULL);
	printf("FAIL: cs/emu/shared (exec %s: %s)\n", path, strerror(errno));
	return 1;
}
