// SPDX-License-Identifier: BSD-2-Clause
/*
 * HWT_IOC_DESCRIBE (include/hwt/hwt.h): what a context tells the decoder.
 *  - bad input: reserved fields, no buffer, a bad pointer, a buffer too
 *    small (EMSGSIZE with the length needed, nothing written past it);
 *  - the framework's default for a backend that says nothing (null);
 *  - the soft backend: on x86-64 Intel PT of no particular CPU and the
 *    address filter of its config; on arm64 ETE with exactly the register
 *    set ete_soft_regs() (backends/soft/ete_enc.c, compiled in here)
 *    gives for the config, each register once, lowercase.
 */
#include "hwt_test.h"
#include "hwt/hwt_soft.h"

#include <ctype.h>

#ifdef __aarch64__
#include "../../../backends/soft/ete_enc.c"
#endif

static int describe(int ctx, char *buf, uint32_t buflen, uint32_t *len)
{
	struct hwt_describe d = { .buf = (uintptr_t)buf, .buflen = buflen };
	int ret = ioctl(ctx, HWT_IOC_DESCRIBE, &d);

	*len = d.len;
	return ret ? errno : 0;
}

static int sleeper(void *arg)
{
	(void)arg;
	pause();
	return 0;
}

static void test_null(int dev)
{
	int base = settled_refcnt(), ctx;
	struct hwt_describe d;
	char buf[HWT_DESCRIBE_MAX];
	struct child c;
	uint32_t len;

	t_begin("kmod/describe-null-and-bad-input");
	c = child_spawn(sleeper, NULL);
	ctx = ctx_thread(dev, c.pid, 65536, 0, 0);
	CHECK(ctx >= 0);
	memset(&d, 0, sizeof(d));
	d.buf = (uintptr_t)buf;
	d.buflen = sizeof(buf);
	d.reserved[1] = 1;
	CHECK_ERR(ioctl(ctx, HWT_IOC_DESCRIBE, &d), EINVAL);
	d.reserved[1] = 0;
	d.buf = 0;
	CHECK_ERR(ioctl(ctx, HWT_IOC_DESCRIBE, &d), EINVAL);
	d.buf = 16;
	CHECK_ERR(ioctl(ctx, HWT_IOC_DESCRIBE, &d), EFAULT);
	CHECK_ERR(ioctl(ctx, HWT_IOC_DESCRIBE, (void *)8), EFAULT);
	/* "kind=null\n" is 10 bytes: 10 leaves no room for the NUL. */
	memset(buf, 'x', sizeof(buf));
	CHECK(describe(ctx, buf, 10, &len) == EMSGSIZE && len == 10);
	CHECK(buf[0] == 'x');
	CHECK(describe(ctx, buf, 11, &len) == 0 && len == 10);
	CHECK(!strcmp(buf, "kind=null\n") && buf[11] == 'x');
	close(ctx);
	kill(c.pid, SIGKILL);
	child_wait(&c);
	CHECK(wait_refcnt(base));
	t_end();
}

static int soft_ctx(int dev, pid_t pid)
{
	struct hwt_alloc a;

	alloc_init(&a, HWT_MODE_THREAD, pid, HWT_SOFT_BACKEND_NAME, 65536);
	return ioctl(dev, HWT_IOC_ALLOC, &a);
}

static int set_soft(int ctx, const struct hwt_soft_config *sc)
{
	struct hwt_config c = { .version = HWT_SOFT_CONFIG_VERSION,
				.size = sizeof(*sc), .data = (uintptr_t)sc };

	return ioctl(ctx, HWT_IOC_SET_CONFIG, &c) ? errno : 0;
}

#ifdef __aarch64__
/* Each of ete_soft_regs(cfg) as "name=0xVALUE\n", lowercase, in text,
 * after "kind=ete" and, with timestamps, "clock=insn" (they count
 * instructions), and nothing else. */
static int regs_match(const char *text, const struct ete_soft_config *cfg)
{
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	int n = ete_soft_regs(cfg, regs), i, lines = 0;
	int ts = !!(cfg->flags & ETE_SOFT_TS);
	const char *p;

	for (p = text; *p; p++)
		lines += *p == '\n';
	if (lines != n + 1 + ts ||
	    !!strstr(text, "\nclock=insn\n") != ts)
		return 0;
	for (i = 0; i < n; i++) {
		char want[64];
		size_t j;

		snprintf(want, sizeof(want), "\n%s=0x%llx\n", regs[i].name,
			 (unsigned long long)regs[i].value);
		for (j = 0; want[j]; j++)
			want[j] = (char)tolower((unsigned char)want[j]);
		if (!strstr(text, want))
			return 0;
	}
	return 1;
}
#endif

static void test_soft(int dev)
{
	struct hwt_soft_config sc = { 0 };
	char buf[HWT_DESCRIBE_MAX];
	uint32_t len;
	int ctx;

	t_begin("soft/describe");
	ctx = soft_ctx(dev, getpid());
	CHECK(ctx >= 0);
	CHECK(describe(ctx, buf, sizeof(buf), &len) == 0 &&
	      len == strlen(buf));
#ifdef __x86_64__
	CHECK(!strcmp(buf, "kind=intel_pt\ncpu=0/0/0\n"), "%s", buf);
	sc.nranges = 2;
	sc.ranges[0].start = 0x401000;
	sc.ranges[0].end = 0x4010ff;
	sc.ranges[1].start = 0x7f0000000000;
	sc.ranges[1].end = 0x7f0000000fff;
	CHECK(set_soft(ctx, &sc) == 0);
	CHECK(describe(ctx, buf, sizeof(buf), &len) == 0);
	CHECK(!strcmp(buf, "kind=intel_pt\ncpu=0/0/0\naddr_filter="
		      "401000-4010ff,7f0000000000-7f0000000fff\n"), "%s", buf);
	/* TSC packets count instructions: the decoder must know. */
	sc.flags = HWT_SOFT_TSC;
	CHECK(set_soft(ctx, &sc) == 0);
	CHECK(describe(ctx, buf, sizeof(buf), &len) == 0);
	CHECK(!strcmp(buf, "kind=intel_pt\ncpu=0/0/0\nclock=insn\n"
		      "addr_filter=401000-4010ff,7f0000000000-7f0000000fff\n"),
	      "%s", buf);
#else
	{
		struct ete_soft_config ec = { .trace_id = 0x10 };

		CHECK(!strncmp(buf, "kind=ete\n", 9), "%s", buf);
		CHECK(regs_match(buf, &ec), "%s", buf);
		sc.flags = HWT_SOFT_TSC;
		CHECK(set_soft(ctx, &sc) == 0);
		CHECK(describe(ctx, buf, sizeof(buf), &len) == 0);
		ec.flags = ETE_SOFT_TS;
		CHECK(regs_match(buf, &ec), "%s", buf);
	}
#endif
	close(ctx);
	t_end();
}

int main(void)
{
	int dev = hwt_dev();

	test_null(dev);
	test_soft(dev);
	close(dev);
	return t_total_failed ? 1 : 0;
}
