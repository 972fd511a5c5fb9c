// SPDX-License-Identifier: BSD-2-Clause
/*
 * kmod/hwt: tracing stops at an exec that gains privileges the context's
 * owner could not ptrace through, as ptrace itself would keep the exec
 * from gaining them.
 *
 * A target (uid 1000) traced from ALLOC on execs a setuid-root copy of
 * this program, which blocks reading its stdin before it does anything:
 *  - owner uid 1000: before the privileged program runs an instruction,
 *    the context reports the thread gone (THREAD_EXIT flagged REVOKED and
 *    LAST, state TARGET_GONE) while the target still lives; its buffer
 *    does not grow while the program then runs; it exits normally;
 *  - owner root (CAP_SYS_PTRACE, like a root ptracer): tracing goes on;
 *  - owner uid 1000, a plain (not setuid) copy: tracing goes on.
 * The soft backend is used where it is loaded (a stepped program must not
 * die of SIGTRAP when stepping is revoked), the null backend elsewhere.
 */
#include "hwt_test.h"
#include "hwt/hwt_soft.h"

#include <grp.h>
#include <sys/stat.h>

#define SUID_PROG	"/tmp/hwt_exec_priv.suid"
#define PLAIN_PROG	"/tmp/hwt_exec_priv.plain"
#define USER_ID		1000

static volatile long sink;

/* The exec'd program: wait for a byte on stdin, then run and switch. */
static int spin_main(void)
{
	char c;
	long x = 1;

	if (read(0, &c, 1) != 1)
		return 20;
	for (int i = 0; i < 200; i++) {
		for (int j = 0; j < 200; j++)
			x = x * 3 + j;
		sink = x;
		sched_yield();
	}
	return 0;
}

static int copy_self(const char *dst, mode_t mode)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	unlink(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	close(out);
	/* chown clears the setuid bit: chmod last. */
	return n < 0 || chown(dst, 0, 0) || chmod(dst, mode) ? -1 : 0;
}

static int become_user(void)
{
	if (setgroups(0, NULL) || setgid(USER_ID) || setuid(USER_ID))
		return -1;
	/* A uid change makes us non-dumpable: ptrace would refuse even
	 * the owner, and so would hwt. */
	return prctl(PR_SET_DUMPABLE, 1);
}

static uint64_t buf_head(int ctx)
{
	struct hwt_bufptr bp = { .idx = 0 };

	return ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) ? 0 : bp.head;
}

static uint32_t ctx_state(int ctx)
{
	struct hwt_info info;

	memset(&info, 0, sizeof(info));
	return ioctl(ctx, HWT_IOC_INFO, &info) ? 0 : info.state;
}

/* Failure bits of one run, returned as the owner's exit status. */
enum {
	F_SETUP = 1, F_TRAP = 2, F_REVOKE = 4, F_GREW = 8, F_KEPT = 16,
	F_RECORD = 32,
};

/*
 * In the owner: trace a target that execs prog; expect revoked or not.
 * Returns failure bits.
 */
static int run(const char *prog, int expect_revoked, const char *backend)
{
	int dev, ctx, go[2], in[2], st, bad = 0, revoked_rec = 0, i;
	struct hwt_alloc a;
	struct recs r = { 0 };
	uint64_t h1, h2;
	pid_t pid;
	char c;

	if (pipe(go) || pipe(in))
		return F_SETUP;
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && become_user())
			_exit(30);
		if (read(go[0], &c, 1) != 1)
			_exit(31);
		dup2(in[0], 0);
		execl(prog, prog, "--spin", (char *)NULL);
		_exit(32);
	}
	dev = open(HWT_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	/* The target drops to the user itself: wait until it has. */
	for (i = 0; i < 500; i++) {
		char path[64];
		struct stat sb;

		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (!stat(path, &sb) && sb.st_uid == USER_ID)
			break;
		usleep(2000);
	}
	alloc_init(&a, HWT_MODE_THREAD, pid, backend, 1 << 16);
	a.flags = HWT_ALLOC_RING;
	ctx = dev < 0 ? -1 : ioctl(dev, HWT_IOC_ALLOC, &a);
	if (ctx < 0 || ioctl(ctx, HWT_IOC_START) ||
	    write(go[1], "g", 1) != 1) {
		printf("INFO: exec_priv: setup: %s\n", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return F_SETUP;
	}
	/* The target now blocks in the new program's first read(). */
	for (i = 0; i < 300 && ctx_state(ctx) == HWT_STATE_RUNNING; i++)
		usleep(10000);
	if (expect_revoked && ctx_state(ctx) != HWT_STATE_TARGET_GONE)
		bad |= F_REVOKE;
	if (!expect_revoked && ctx_state(ctx) != HWT_STATE_RUNNING)
		bad |= F_KEPT;
	h1 = buf_head(ctx);
	if (write(in[1], "s", 1) != 1)	/* let it run */
		bad |= F_SETUP;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		printf("INFO: exec_priv: target status %#x\n", st);
		bad |= WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP ? F_TRAP :
								    F_SETUP;
	}
	h2 = buf_head(ctx);
	if (expect_revoked && h2 != h1)
		bad |= F_GREW;
	if (!expect_revoked && h2 == h1)
		bad |= F_KEPT;
	if (recs_drain(ctx, &r) == 0) {
		recs_for_each(&r, h)
			if (h->type == HWT_REC_THREAD_EXIT &&
			    (((struct hwt_rec_thread *)h)->flags &
			     HWT_THREAD_REVOKED))
				revoked_rec++;
	}
	if (revoked_rec != (expect_revoked ? 1 : 0))
		bad |= F_RECORD;
	printf("INFO: exec_priv: %s, %s: head %llu -> %llu, %d REVOKED records\n",
	       prog, backend, (unsigned long long)h1, (unsigned long long)h2,
	       revoked_rec);
	recs_free(&r);
	close(ctx);
	close(dev);
	return bad;
}

/* Run in a child as uid (0: stay root); returns its failure bits. */
static int run_as(int uid, const char *prog, int expect_revoked,
		  const char *backend)
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		alarm(60);
		if (uid && become_user())
			_exit(F_SETUP);
		_exit(run(prog, expect_revoked, backend));
	}
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st))
		return F_SETUP;
	return WEXITSTATUS(st);
}

static void check(const char *name, int bad)
{
	t_begin(name);
	if (bad)
		t_fail("failures %#x (1 setup, 2 SIGTRAP, 4 not revoked at exec, 8 traced after exec, 16 tracing lost, 32 records)",
		       bad);
	t_end();
}

int main(int argc, char **argv)
{
	const char *backend = access("/sys/module/hwt_soft", F_OK) ? "null" :
			      HWT_SOFT_BACKEND_NAME;

	if (argc > 1 && !strcmp(argv[1], "--spin"))
		return spin_main();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (copy_self(SUID_PROG, 04755) || copy_self(PLAIN_PROG, 0755)) {
		printf("FAIL: kmod/exec-priv: setup: %s\n", strerror(errno));
		return 1;
	}
	check("kmod/exec-priv/user-owner-revoked",
	      run_as(USER_ID, SUID_PROG, 1, backend));
	check("kmod/exec-priv/root-owner-keeps",
	      run_as(0, SUID_PROG, 0, backend));
	check("kmod/exec-priv/plain-exec-keeps",
	      run_as(USER_ID, PLAIN_PROG, 0, backend));
	unlink(SUID_PROG);
	unlink(PLAIN_PROG);
	return t_total_failed != 0;
}
