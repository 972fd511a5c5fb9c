// SPDX-License-Identifier: BSD-2-Clause
/*
 * Checks the VM harness itself (tests/vm/run.sh): the guest's file systems
 * are mounted, and when the initramfs carries hwt.ko, the module is loaded
 * and its control device exists.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed;

static void check(int ok, const char *name)
{
	printf("%s: harness/%s\n", ok ? "PASS" : "FAIL", name);
	failed |= !ok;
}

static int is_chr(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

static int module_loaded(const char *name)
{
	char line[512];
	size_t n = strlen(name);
	int found = 0;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, n) && line[n] == ' ';
	fclose(f);
	return found;
}

int main(void)
{
	FILE *f;

	check(access("/proc/self/status", R_OK) == 0, "proc-mounted");
	check(access("/sys/kernel", F_OK) == 0, "sys-mounted");
	check(is_chr("/dev/null") && is_chr("/dev/console"), "dev-mounted");
	f = fopen("/tmp/harness_selftest", "w");
	check(f && fputs("x", f) >= 0 && fclose(f) == 0, "tmp-writable");
	/* run.sh puts our modules in /lib/hwt; none there: build failed. */
	if (access("/lib/hwt/hwt.ko", F_OK) == 0) {
		check(module_loaded("hwt"), "hwt-loaded");
		check(is_chr("/dev/hwt"), "dev-hwt");
	}
	return failed;
}
