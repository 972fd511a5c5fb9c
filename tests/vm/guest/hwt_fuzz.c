// SPDX-License-Identifier: BSD-2-Clause
/*
 * A kernel fuzzer for hwt (guest side): random and structured calls on
 * /dev/hwt and on context fds, with every backend the guest has, from
 * several threads racing on the same contexts, while the traced targets
 * fork, exec, exit and are killed (also while being attached and while
 * exiting), contexts are closed mid-operation, buffers are mapped and
 * unmapped, and an unprivileged user tries its luck.
 *
 * Every call's outcome is checked against its contract (the errno it may
 * give for what was asked, the fields INFO and BUFPTR_GET must return,
 * records that parse, mappings that are read-only), and every traced
 * target must end by exit(0) or by our SIGKILL: a SIGTRAP or a crash there
 * means tracing changed what the program did.  Afterwards no context may
 * be left: module reference counts come back to their start values, and
 * a few thousand untraced processes run system calls without one
 * SIGTRAP.  The VM's init then unloads every module and scans dmesg for
 * warnings (tests/vm/init.sh).
 *
 * Bounded by a call count and a time, seeded; the seed is printed so a
 * run can be repeated:
 *   hwt_fuzz [-s SEED] [-n CALLS] [-t SECONDS] [-j THREADS] [-S SPAWNS]
 * `make check` runs it with the defaults below; `make check-vm-fuzz`
 * (FUZZ_SECONDS=N FUZZ_SEED=S) runs it longer, alone.
 */
#include "hwt_test.h"
#include "hwt/hwt_soft.h"

#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#define NSLOTS		6	/* contexts alive at once */
#define NTARGETS	6	/* traced target processes */
#define MAX_THREADS	4
#define NOTE_MAX	25	/* broken contracts printed */

/* Defaults; `make check-vm-fuzz` builds a copy with others. */
#ifndef FUZZ_SECONDS
#define FUZZ_SECONDS	30
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED	0	/* 0: from the clock */
#endif

/* ---- random numbers: one xorshift state per thread, from the seed ---- */

static __thread uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static int chance(int percent)
{
	return below(100) < (uint32_t)percent;
}

/* ---- what the run saw ---- */

static atomic_long n_calls, n_checked, n_broken;
static atomic_int stop_now;
static int have_soft;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void broken(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&n_broken, 1) >= NOTE_MAX)
		return;
	pthread_mutex_lock(&print_lock);
	printf("INFO: fuzz: contract broken: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

/* A call returned r with errno; it must be one of the allowed outcomes
 * (0 stands for success, i.e. r >= 0). */
static int outcome_in(const char *what, long r, int err, const int *ok,
		      int nok)
{
	int e = r >= 0 ? 0 : err;

	atomic_fetch_add(&n_checked, 1);
	for (int i = 0; i < nok; i++)
		if (ok[i] == e)
			return 1;
	broken("%s returned %ld, errno %d (%s)", what, r, e,
	       e ? strerror(e) : "success");
	return 0;
}

#define EXPECT(what, r, err, ...) ({					\
	static const int ok_[] = { __VA_ARGS__ };			\
	outcome_in(what, r, err, ok_, (int)(sizeof(ok_) / sizeof(ok_[0]))); \
})

static void expect_true(int cond, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	atomic_fetch_add(&n_checked, 1);
	if (cond)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	broken("%s", msg);
}

/* ---- targets: processes to trace ---- */

struct target {
	_Atomic pid_t pid;		/* 0: free slot */
	int inherit_ok;			/* may fork traced children */
};

static struct target targets[NTARGETS];
static pthread_mutex_t target_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long n_targets, n_target_bad;

static volatile long sink;

__attribute__((noinline)) static long tgt_a(long x) { return x * 3 + 1; }
__attribute__((noinline)) static long tgt_b(long x) { return x / 2; }
static long (*const tgt_ops[2])(long) = { tgt_a, tgt_b };

static void *tgt_spin(void *arg)
{
	long x = 27, n = (long)(intptr_t)arg;

	for (long i = 0; i < n; i++) {
		x = tgt_ops[x & 1](x) + (i & 7);
		if (!(i & 63))
			syscall(SYS_getppid);
	}
	sink = x;
	return NULL;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A target's life: work in bursts for up to ms milliseconds, now and then
 * with a thread, a fork (its child works and exits), a signal to itself,
 * or an exec of this program in target mode.  Exits 0 unless killed.
 */
static void on_usr1(int sig)
{
	sink += sig;
}

static void target_main(long ms, uint64_t seed, const char *self)
{
	long end = now_ms() + ms;

	rng_state = seed | 1;
	signal(SIGUSR1, on_usr1);
	while (now_ms() < end) {
		uint32_t what = below(100);

		if (what < 8) {
			pthread_t th;

			if (!pthread_create(&th, NULL, tgt_spin,
					    (void *)(intptr_t)2000))
				pthread_join(th, NULL);
		} else if (what < 12) {
			pid_t p = fork();

			if (p == 0) {
				tgt_spin((void *)(intptr_t)500);
				_exit(0);
			}
			if (p > 0)
				waitpid(p, NULL, 0);
		} else if (what < 15) {
			raise(SIGUSR1);
		} else if (what < 17 && self) {
			char ms_arg[32], seed_arg[32];

			snprintf(ms_arg, sizeof(ms_arg), "%ld",
				 (end - now_ms()) / 2);
			snprintf(seed_arg, sizeof(seed_arg), "%llu",
				 (unsigned long long)rnd());
			/* exec resets handlers to SIG_DFL, not SIG_IGN */
			signal(SIGUSR1, SIG_IGN);
			execl(self, self, "--target", ms_arg, seed_arg,
			      (char *)NULL);
			_exit(9);	/* exec failed */
		} else {
			tgt_spin((void *)(intptr_t)300);
		}
	}
	_exit(0);
}

/* Fork a target into a free slot; returns its pid or -1. */
static pid_t target_spawn(void)
{
	long ms = 100 + below(1500);
	uint64_t seed = rnd();
	pid_t pid;
	int i;

	pthread_mutex_lock(&target_lock);
	for (i = 0; i < NTARGETS && targets[i].pid; i++)
		;
	if (i == NTARGETS) {
		pthread_mutex_unlock(&target_lock);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* Gone with us: a target left stopped would pin a context. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		target_main(ms, seed, "/proc/self/exe");
	}
	if (pid > 0) {
		targets[i].pid = pid;
		atomic_fetch_add(&n_targets, 1);
	}
	pthread_mutex_unlock(&target_lock);
	return pid;
}

static pid_t target_any(void)
{
	return targets[below(NTARGETS)].pid;
}

/* A target's end: exit(0), our SIGKILL; anything else is a broken
 * contract (SIGTRAP above all: tracing must not change the program). */
static void target_check_status(pid_t pid, int st)
{
	if ((WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
	    (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
		return;
	/* Rare and the worst: always printed. */
	atomic_fetch_add(&n_target_bad, 1);
	atomic_fetch_add(&n_broken, 1);
	printf("INFO: fuzz: contract broken: target %d ended with %s %d\n",
	       pid, WIFSIGNALED(st) ? "signal" : "exit status",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* Reap the targets that ended (main thread). */
static void targets_reap(int block)
{
	for (int i = 0; i < NTARGETS; i++) {
		pid_t pid = targets[i].pid;
		int st;

		if (!pid)
			continue;
		if (block)
			kill(pid, SIGKILL);
		if (waitpid(pid, &st, block ? 0 : WNOHANG) == pid) {
			atomic_fetch_add(&n_checked, 1);
			target_check_status(pid, st);
			targets[i].pid = 0;
		}
	}
}

/* ---- contexts ---- */

/* What ALLOC asked for: what INFO and BUFPTR_GET must say. */
struct ctx_desc {
	uint32_t mode;
	uint64_t bufsize;
	char backend[HWT_BACKEND_NAME_MAX];
};

struct slot {
	_Atomic int fd;			/* -1: empty */
	atomic_uint gen;		/* bumped before each close */
	struct ctx_desc desc;		/* set while fd is -1 */
	pthread_mutex_t fill;		/* one filler at a time */
};

static struct slot slots[NSLOTS];
static int dev_fd = -1;
static int ncpus;

/*
 * A private reference to slot s's context for one operation: a dup of its
 * fd, taken only if the slot did not change meanwhile (a closed fd number
 * may already name another file).  Returns the fd or -1.
 */
static int slot_grab(struct slot *s, unsigned int *gen)
{
	int fd, d;

	*gen = atomic_load(&s->gen);
	fd = atomic_load(&s->fd);
	if (fd < 0)
		return -1;
	d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (d < 0)
		return -1;
	if (atomic_load(&s->gen) != *gen || atomic_load(&s->fd) != fd) {
		close(d);
		return -1;
	}
	return d;
}

/* True if the slot still holds the context grabbed with gen. */
static int slot_same(struct slot *s, unsigned int gen)
{
	return atomic_load(&s->gen) == gen;
}

static void slot_close(struct slot *s)
{
	int fd;

	atomic_fetch_add(&s->gen, 1);
	fd = atomic_exchange(&s->fd, -1);
	if (fd >= 0) {
		atomic_fetch_add(&n_calls, 1);
		atomic_fetch_add(&n_checked, 1);
		if (close(fd))
			broken("close(context) failed: %s", strerror(errno));
	}
}

static const uint64_t bufsizes[] = {
	/* Valid sizes stay small: a thread of a target gets a buffer each,
	 * and the guest has 1 GiB (HWT_BUFSIZE_MAX: see hwt_badinput). */
	0, 1, 4095, 4096, 8192, 12288, 65536, 1 << 20, 4097,
	HWT_BUFSIZE_MAX + 4096, ~0ULL,
};

/* What alloc_validate() must refuse (EINVAL or E2BIG), by the ABI. */
static int alloc_malformed(const struct hwt_alloc *a)
{
	int i;

	for (i = 0; i < 4; i++)
		if (a->reserved[i])
			return EINVAL;
	if (a->mode != HWT_MODE_THREAD && a->mode != HWT_MODE_CPU)
		return EINVAL;
	if (a->flags & ~HWT_ALLOC_FLAGS_ALL)
		return EINVAL;
	if (!memchr(a->backend, 0, sizeof(a->backend)) || !a->backend[0])
		return EINVAL;
	if (a->bufsize > HWT_BUFSIZE_MAX)
		return E2BIG;
	if (a->bufsize < HWT_BUFSIZE_MIN || a->bufsize % 4096)
		return EINVAL;
	if (a->recq_size && (a->recq_size < 4096 ||
			     a->recq_size > HWT_RECQ_MAX ||
			     a->recq_size % 8))
		return EINVAL;
	if (a->mode == HWT_MODE_THREAD) {
		if (a->pid <= 0)
			return EINVAL;
		for (i = 0; i < HWT_CPU_MAP_WORDS; i++)
			if (a->cpu_map[i])
				return EINVAL;
	} else if (a->pid) {
		return EINVAL;
	}
	return 0;
}

static void op_alloc(void)
{
	struct slot *s = &slots[below(NSLOTS)];
	struct hwt_alloc a;
	const char *be;
	int fd, err, bad;
	pid_t pid;

	if (pthread_mutex_trylock(&s->fill))
		return;
	if (atomic_load(&s->fd) >= 0)
		goto out;
	be = chance(60) && have_soft ? HWT_SOFT_BACKEND_NAME :
	     chance(90) ? "null" : "no-such-backend";
	pid = target_any();
	if (!pid || chance(10))
		pid = chance(50) ? target_spawn() : (pid_t)below(3);
	memset(&a, 0, sizeof(a));
	a.mode = chance(85) ? HWT_MODE_THREAD :
		 chance(90) ? HWT_MODE_CPU : below(5);
	a.pid = a.mode == HWT_MODE_THREAD ? pid : 0;
	a.bufsize = chance(85) ? 16384ull << below(4) :
		    bufsizes[below(sizeof(bufsizes) / sizeof(bufsizes[0]))];
	a.flags = chance(50) ? HWT_ALLOC_RING : 0;
	if (chance(20))
		a.flags |= HWT_ALLOC_INHERIT;
	if (chance(3))
		a.flags |= 1u << below(32);
	if (chance(10))
		a.recq_size = chance(50) ? 4096 : (uint32_t)rnd();
	snprintf(a.backend, sizeof(a.backend), "%s", be);
	if (chance(2))
		memset(a.backend, 'x', sizeof(a.backend));	/* no NUL */
	if (a.mode == HWT_MODE_CPU)
		a.cpu_map[0] = chance(90) ? 1ull << below(ncpus) : rnd();
	if (chance(3))
		a.reserved[below(4)] = rnd() | 1;
	if (chance(3) && a.mode == HWT_MODE_THREAD)
		a.cpu_map[below(HWT_CPU_MAP_WORDS)] = 1;
	bad = alloc_malformed(&a);
	atomic_fetch_add(&n_calls, 1);
	fd = ioctl(dev_fd, HWT_IOC_ALLOC, &a);
	err = errno;
	if (bad) {
		if (fd >= 0 || err != bad) {
			broken("ALLOC of a malformed request (want %s) returned %d, errno %d",
			       bad == EINVAL ? "EINVAL" : "E2BIG", fd, err);
		}
		atomic_fetch_add(&n_checked, 1);
	} else if (strcmp(a.backend, "null") &&
		   strcmp(a.backend, HWT_SOFT_BACKEND_NAME)) {
		EXPECT("ALLOC of an unknown backend", fd, err, ENOENT);
	} else if (a.mode == HWT_MODE_CPU) {
		/* soft is thread-only; a CPU already has a context. */
		if (!strcmp(a.backend, "null") && a.cpu_map[0] &&
		    !(a.cpu_map[0] >> ncpus))
			EXPECT("ALLOC cpu null", fd, err, 0, EBUSY);
		else
			EXPECT("ALLOC cpu", fd, err, 0, EINVAL, EBUSY,
			       EOPNOTSUPP);
	} else if (a.pid <= 2) {
		/* init, kthreadd, pid 0: never a kernel thread. */
		EXPECT("ALLOC of pid <= 2", fd, err, 0, EPERM, ESRCH, EBUSY);
		if (fd >= 0 && a.pid != 1)
			broken("ALLOC traced pid %d", a.pid);
		if (fd >= 0) {
			close(fd);	/* never leave init traced */
			fd = -1;
		}
	} else {
		/* A target: it may have exited, or be traced already. */
		EXPECT("ALLOC thread", fd, err, 0, ESRCH, EBUSY);
	}
	if (fd >= 0) {
		s->desc.mode = a.mode;
		s->desc.bufsize = a.bufsize;
		memcpy(s->desc.backend, a.backend, sizeof(a.backend));
		atomic_store(&s->fd, fd);
	}
out:
	pthread_mutex_unlock(&s->fill);
}

static int config_for(const struct ctx_desc *s, int fd, int valid)
{
	struct hwt_config c = { 0 };
	struct hwt_soft_config sc = { 0 };
	struct hwt_null_config nc = { 0 };

	if (!strcmp(s->backend, HWT_SOFT_BACKEND_NAME)) {
		sc.flags = valid ? (uint32_t)below(8) : 1u << (3 + below(29));
		sc.psb_period = chance(50) ? 0 : 256 << below(6);
		/* Address filters (x86-64: PT ranges, arm64: comparators). */
		if (chance(30)) {
			sc.nranges = 1;
			sc.ranges[0].start = 0x400000;
			sc.ranges[0].end = 0x7fffffffffff;
		}
		c.version = HWT_SOFT_CONFIG_VERSION;
		c.size = sizeof(sc);
		c.data = (uintptr_t)&sc;
		if (!valid && chance(50)) {
			sc.flags = 0;
			sc.reserved = 1;
		}
	} else {
		nc.filler = valid ? 8 * (uint32_t)below(4) : 0;
		c.version = HWT_NULL_CONFIG_VERSION;
		c.size = sizeof(nc);
		c.data = (uintptr_t)&nc;
		if (!valid)
			c.version = 77;
	}
	atomic_fetch_add(&n_calls, 1);
	return ioctl(fd, HWT_IOC_SET_CONFIG, &c);
}

static void op_ctx(void)
{
	struct slot *sl = &slots[below(NSLOTS)];
	struct ctx_desc desc, *s = &desc;
	struct hwt_info info;
	unsigned int gen;
	int fd, r, err;

	fd = slot_grab(sl, &gen);
	if (fd < 0)
		return;
	/* The slot may be refilled for another context at any time: a
	 * copy of its description taken within the same generation. */
	desc = sl->desc;
	if (!slot_same(sl, gen)) {
		close(fd);
		return;
	}
	switch (below(16)) {
	case 0:
	case 1:
		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_START);
		EXPECT("START", r, errno, 0, EBUSY, ESRCH);
		break;
	case 2:
		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_STOP);
		EXPECT("STOP", r, errno, 0, EINVAL);
		break;
	case 3: {
		int valid = chance(80);

		r = config_for(s, fd, valid);
		err = errno;
		if (valid)
			EXPECT("SET_CONFIG valid", r, err, 0, EBUSY);
		else
			EXPECT("SET_CONFIG invalid", r, err, EINVAL, EBUSY);
		break;
	}
	case 4: {
		struct hwt_config c = { .version = 1, .size = (uint32_t)rnd(),
					.data = chance(50) ? 0 : 16 };

		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_SET_CONFIG, &c);
		EXPECT("SET_CONFIG garbage", r, errno, EINVAL, E2BIG, EFAULT,
		       EBUSY);
		break;
	}
	case 5:
	case 6: {
		memset(&info, 0xa5, sizeof(info));
		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_INFO, &info);
		if (!EXPECT("INFO", r, errno, 0) || r)
			break;
		expect_true((info.abi_version == HWT_ABI_VERSION &&
			     info.mode == s->mode &&
			     info.state >= HWT_STATE_ALLOCATED &&
			     info.state <= HWT_STATE_TARGET_GONE &&
			     info.bufsize == s->bufsize &&
			     !strncmp(info.backend, s->backend,
				      sizeof(info.backend)) &&
			     info.nbuffers <= (s->mode == HWT_MODE_THREAD ?
					       HWT_MAX_THREADS : 1024)),
			    "INFO fields: abi %u mode %u state %u bufsize %llu nbuffers %u backend %.32s",
			    info.abi_version, info.mode, info.state,
			    (unsigned long long)info.bufsize, info.nbuffers,
			    info.backend);
		break;
	}
	case 7:
	case 8: {
		struct hwt_bufptr bp = { 0 };
		uint32_t nb;

		memset(&info, 0, sizeof(info));
		if (ioctl(fd, HWT_IOC_INFO, &info))
			break;
		nb = info.nbuffers;
		bp.idx = chance(90) && nb ? below(nb) : below(nb + 3);
		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_BUFPTR_GET, &bp);
		err = errno;
		if (bp.idx < nb && s->mode == HWT_MODE_CPU) {
			/* CPU mode: indexes are CPUs, some not traced. */
			EXPECT("BUFPTR_GET of a CPU", r, err, 0, EINVAL);
		} else if (bp.idx < nb) {
			if (!EXPECT("BUFPTR_GET of a buffer", r, err, 0))
				break;
			expect_true(bp.tail <= bp.head &&
				    bp.size == s->bufsize &&
				    bp.mmap_offset ==
				    (uint64_t)bp.idx * HWT_MMAP_STRIDE &&
				    (s->mode == HWT_MODE_THREAD ?
				     bp.tid > 0 && bp.cpu == -1 :
				     bp.tid == -1 && bp.cpu >= 0) &&
				    bp.head - bp.tail <= bp.size,
				    "BUFPTR_GET idx %u: head %llu tail %llu size %llu tid %d cpu %d",
				    bp.idx, (unsigned long long)bp.head,
				    (unsigned long long)bp.tail,
				    (unsigned long long)bp.size, bp.tid,
				    bp.cpu);
			if (chance(50)) {
				struct hwt_svc_buf sv = { .idx = bp.idx,
							  .tail = bp.head };

				atomic_fetch_add(&n_calls, 1);
				r = ioctl(fd, HWT_IOC_SVC_BUF, &sv);
				/* Another thread may have consumed more. */
				EXPECT("SVC_BUF to head", r, errno, 0,
				       EINVAL);
			}
		} else {
			EXPECT("BUFPTR_GET", r, err, 0, EINVAL);
		}
		break;
	}
	case 9: {
		struct hwt_svc_buf sv = { .idx = below(4),
					  .tail = ~0ULL - below(1000) };

		if (chance(30))
			sv.reserved = 1;
		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_SVC_BUF, &sv);
		EXPECT("SVC_BUF past head", r, errno, EINVAL);
		break;
	}
	case 10:
	case 11: {
		static __thread uint8_t recbuf[65536];
		struct hwt_record_get g = { 0 };
		struct recs rs = { 0 };

		g.buf = (uintptr_t)recbuf;
		g.buflen = chance(80) ? sizeof(recbuf) : below(64);
		if (chance(5))
			g.buf = chance(50) ? 0 : 8;	/* bad pointer */
		if (chance(3))
			g.reserved = 1;
		if (chance(3))
			g.flags = 2;
		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_RECORD_GET, &g);
		err = errno;
		if (g.reserved || g.flags & ~HWT_RECORD_WAIT ||
		    g.buflen < sizeof(struct hwt_record_hdr) || !g.buf) {
			EXPECT("RECORD_GET bad request", r, err, EINVAL);
		} else if (g.buf == (uintptr_t)recbuf) {
			if (!EXPECT("RECORD_GET", r, err, 0, EMSGSIZE) || r)
				break;
			rs.buf = recbuf;
			rs.len = g.bytes;
			expect_true(g.bytes <= g.buflen && recs_valid(&rs) &&
				    (g.nrecords > 0) == (g.bytes > 0),
				    "RECORD_GET: %u records, %u bytes of %u, valid %d",
				    g.nrecords, g.bytes, g.buflen,
				    recs_valid(&rs));
		} else {
			EXPECT("RECORD_GET bad buffer", r, err, 0, EFAULT,
			       EMSGSIZE);
		}
		break;
	}
	case 12: {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		atomic_fetch_add(&n_calls, 1);
		r = poll(&p, 1, (int)below(5));
		EXPECT("poll", r, errno, 0);
		expect_true(!(p.revents & ~(POLLIN | POLLRDNORM | POLLHUP)),
			    "poll revents %#x", p.revents);
		break;
	}
	case 13: {
		/* Map a buffer read-only, read it, unmap; writable refused. */
		uint32_t idx = below(3);
		size_t len = chance(80) ? s->bufsize : s->bufsize * 2;
		int prot = chance(85) ? PROT_READ : PROT_READ | PROT_WRITE;
		int flags = chance(80) ? MAP_SHARED : MAP_PRIVATE;
		off_t off = (off_t)idx * (off_t)HWT_MMAP_STRIDE +
			    (chance(5) ? 4096 : 0);
		void *m;

		memset(&info, 0, sizeof(info));
		if (ioctl(fd, HWT_IOC_INFO, &info))
			break;
		atomic_fetch_add(&n_calls, 1);
		m = mmap(NULL, len, prot, flags, fd, off);
		err = errno;
		if ((prot & PROT_WRITE) && flags == MAP_SHARED) {
			expect_true(m == MAP_FAILED, "writable mmap allowed");
		} else if (idx < info.nbuffers && len <= s->bufsize &&
			   s->mode == HWT_MODE_THREAD &&
			   off % HWT_MMAP_STRIDE == 0 &&
			   !(prot & PROT_WRITE)) {
			expect_true(m != MAP_FAILED,
				    "mmap of buffer %u refused: %s", idx,
				    strerror(err));
		} else if (idx >= info.nbuffers + 0 && m == MAP_FAILED) {
			EXPECT("mmap of no buffer", -1, err, EINVAL, EPERM);
		}
		if (m != MAP_FAILED) {
			volatile const uint8_t *b = m;
			uint64_t sum = 0;

			for (size_t i = 0; i < len && len <= s->bufsize;
			     i += 4096)
				sum += b[i];
			sink += (long)sum;
			expect_true(mprotect(m, 4096, PROT_READ | PROT_WRITE)
				    != 0, "mapping made writable");
			munmap(m, len);
		}
		break;
	}
	case 14: {
		/* Unknown commands: ENOTTY, whatever their size/direction. */
		unsigned int nr = 0x20 + below(0xe0);
		unsigned long cmd = chance(50) ?
			_IOC(below(4), HWT_IOC_MAGIC, nr, below(256)) :
			_IOC(below(4), 'h', below(256), below(256));

		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, cmd, NULL);
		EXPECT("unknown ioctl", r, errno, ENOTTY);
		break;
	}
	default:
		atomic_fetch_add(&n_calls, 1);
		r = ioctl(fd, HWT_IOC_WAKEUP);
		EXPECT("WAKEUP", r, errno, 0);
		break;
	}
	close(fd);
}

/* The owner side: a forked copy of us closes or keeps inherited fds and
 * dies, sometimes by SIGKILL, sometimes mid-ioctl. */
static void op_fork_owner(void)
{
	pid_t p;
	int st;

	atomic_fetch_add(&n_calls, 1);
	p = fork();
	if (p == 0) {
		for (int i = 0; i < NSLOTS; i++) {
			int fd = atomic_load(&slots[i].fd);

			if (fd >= 0 && chance(50))
				ioctl(fd, chance(50) ? HWT_IOC_STOP :
					  HWT_IOC_START);
		}
		_exit(0);
	}
	if (p < 0)
		return;
	if (chance(30))
		kill(p, SIGKILL);
	waitpid(p, &st, 0);
}

/* An unprivileged user: it may open /dev/hwt (mode 0666) but must not
 * trace root's processes nor whole CPUs; its own process it may. */
static void op_unprivileged(void)
{
	pid_t victim = target_any(), p;
	int st;

	if (!victim)
		return;
	atomic_fetch_add(&n_calls, 3);
	p = fork();
	if (p == 0) {
		struct hwt_alloc a;
		int dev, fd, bad = 0;

		alarm(20);
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(50);
		/* A uid change makes the process non-dumpable, which
		 * ptrace (and so hwt) would refuse even to its owner. */
		if (prctl(PR_SET_DUMPABLE, 1))
			_exit(52);
		dev = open(HWT_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (dev < 0)
			_exit(51);
		alloc_init(&a, HWT_MODE_THREAD, victim, "null", 16384);
		fd = ioctl(dev, HWT_IOC_ALLOC, &a);
		if (fd >= 0 || (errno != EPERM && errno != ESRCH))
			bad |= 1;
		alloc_init(&a, HWT_MODE_CPU, 0, "null", 16384);
		a.cpu_map[0] = 1;
		fd = ioctl(dev, HWT_IOC_ALLOC, &a);
		if (fd >= 0 || errno != EPERM)
			bad |= 2;
		alloc_init(&a, HWT_MODE_THREAD, getpid(), "null", 16384);
		fd = ioctl(dev, HWT_IOC_ALLOC, &a);
		if (fd < 0)
			bad |= 4;
		_exit(bad);
	}
	if (p < 0 || waitpid(p, &st, 0) != p)
		return;
	atomic_fetch_add(&n_checked, 3);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		broken("unprivileged user: %s %d (1: traced root's process, 2: traced a CPU, 4: could not trace itself, 50+: setup)",
		       WIFEXITED(st) ? "status" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static void op_targets(void)
{
	uint32_t what = below(10);
	pid_t p;

	atomic_fetch_add(&n_calls, 1);
	if (what < 4) {
		target_spawn();
	} else if (what < 6) {
		/* Killed while being attached: kill right after ALLOC. */
		struct slot *s = &slots[below(NSLOTS)];

		p = target_any();
		if (p && pthread_mutex_trylock(&s->fill) == 0) {
			if (atomic_load(&s->fd) < 0) {
				struct hwt_alloc a;
				int fd;

				alloc_init(&a, HWT_MODE_THREAD, p,
					   have_soft && chance(70) ?
					   HWT_SOFT_BACKEND_NAME : "null",
					   16384);
				a.flags = HWT_ALLOC_RING;
				fd = ioctl(dev_fd, HWT_IOC_ALLOC, &a);
				if (fd >= 0 && chance(70))
					ioctl(fd, HWT_IOC_START);
				kill(p, SIGKILL);
				if (fd >= 0) {
					s->desc.mode = a.mode;
					s->desc.bufsize = a.bufsize;
					memcpy(s->desc.backend, a.backend,
					       sizeof(a.backend));
					atomic_store(&s->fd, fd);
				}
			}
			pthread_mutex_unlock(&s->fill);
		}
	} else if (what < 8) {
		p = target_any();
		if (p)
			kill(p, chance(80) ? SIGKILL : SIGUSR1);
	} else {
		p = target_any();
		if (p)
			kill(p, SIGSTOP), usleep(below(2000)),
			kill(p, SIGCONT);
	}
}

static void one_op(void)
{
	uint32_t what = below(100);

	if (what < 14)
		op_alloc();
	else if (what < 20)
		slot_close(&slots[below(NSLOTS)]);
	else if (what < 26)
		op_targets();
	else if (what < 27)
		op_fork_owner();
	else if (what == 27 && chance(20))
		op_unprivileged();
	else
		op_ctx();
}

static long max_calls;
static long deadline_ms;

static void *worker(void *arg)
{
	rng_state = (uint64_t)(uintptr_t)arg;
	while (!atomic_load(&stop_now) && atomic_load(&n_calls) < max_calls &&
	       now_ms() < deadline_ms)
		one_op();
	return NULL;
}

/* ---- the checks after the run ---- */

/* Bytes of vmalloc memory hwt.ko holds (its buffers, record queues). */
static long hwt_vmalloc_bytes(void)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	char line[512];
	long sum = 0, n;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[hwt]") &&
		    sscanf(line, "%*s %ld", &n) == 1)
			sum += n;
	fclose(f);
	return sum;
}

static const char *const fuzz_mods[] = { "hwt", "hwt_null", "hwt_soft" };
#define NMODS	3

int main(int argc, char **argv)
{
	uint64_t seed = FUZZ_SEED ? FUZZ_SEED :
			(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	long seconds = FUZZ_SECONDS, spawns = 1000;
	int nthreads = 3, opt, base[NMODS], trapped, bad, i;
	long vm_base, vm_now = -1;
	pthread_t th[MAX_THREADS];

	if (argc == 4 && !strcmp(argv[1], "--target")) {
		/* exec'd by a target: go on being one */
		rng_state = strtoull(argv[3], NULL, 0) | 1;
		target_main(atol(argv[2]), rng_state, NULL);
	}
	max_calls = 400000;
	while ((opt = getopt(argc, argv, "s:n:t:j:S:")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': max_calls = atol(optarg); break;
		case 't': seconds = atol(optarg); break;
		case 'j': nthreads = atoi(optarg); break;
		case 'S': spawns = atol(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n CALLS] [-t SECONDS] [-j THREADS(2-4)] [-S SPAWNS]\n",
				argv[0]);
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > MAX_THREADS)
		nthreads = 3;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* Targets install a handler; until then (after fork or exec) an
	 * ignored SIGUSR1 is inherited, so an early one cannot kill them. */
	signal(SIGUSR1, SIG_IGN);
	printf("INFO: fuzz: seed %llu, up to %ld calls, %ld s, %d threads (repeat: hwt_fuzz -s %llu -n %ld -t %ld -j %d)\n",
	       (unsigned long long)seed, max_calls, seconds, nthreads,
	       (unsigned long long)seed, max_calls, seconds, nthreads);
	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1 || ncpus > 64)
		ncpus = 1;
	have_soft = access("/sys/module/hwt_soft", F_OK) == 0;
	dev_fd = hwt_dev();
	for (i = 0; i < NMODS; i++)
		base[i] = mod_refcnt(fuzz_mods[i]);
	vm_base = hwt_vmalloc_bytes();
	base[0]--;		/* our /dev/hwt fd, closed before the check */
	for (i = 0; i < NSLOTS; i++) {
		atomic_init(&slots[i].fd, -1);
		pthread_mutex_init(&slots[i].fill, NULL);
	}

	t_begin("kmod/fuzz/contracts");
	deadline_ms = now_ms() + seconds * 1000;
	for (i = 0; i < nthreads; i++) {
		rng_state = seed + 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		if (pthread_create(&th[i], NULL, worker,
				   (void *)(uintptr_t)(rnd() | 1)))
			nthreads = i;
	}
	while (atomic_load(&n_calls) < max_calls && now_ms() < deadline_ms) {
		targets_reap(0);
		usleep(20000);
	}
	atomic_store(&stop_now, 1);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NSLOTS; i++)
		slot_close(&slots[i]);
	targets_reap(1);
	printf("INFO: fuzz: %ld calls, %ld contracts checked, %ld broken, %ld targets (%ld ended badly), seed %llu\n",
	       atomic_load(&n_calls), atomic_load(&n_checked),
	       atomic_load(&n_broken), atomic_load(&n_targets),
	       atomic_load(&n_target_bad), (unsigned long long)seed);
	if (atomic_load(&n_broken))
		t_fail("%ld contracts broken (seed %llu): see the INFO lines",
		       atomic_load(&n_broken), (unsigned long long)seed);
	t_end();

	t_begin("kmod/fuzz/refcounts-settle");
	close(dev_fd);
	for (i = 0; i < NMODS; i++) {
		if (base[i] < 0)
			continue;	/* module not loaded */
		if (!wait_mod_refcnt(fuzz_mods[i], base[i]))
			t_fail("%s refcnt %d, was %d before the run",
			       fuzz_mods[i], mod_refcnt(fuzz_mods[i]),
			       base[i]);
	}
	/* Every buffer and record queue freed (the frees are deferred). */
	for (i = 0; i < 500 && (vm_now = hwt_vmalloc_bytes()) != vm_base; i++)
		usleep(10000);
	printf("INFO: fuzz: hwt vmalloc bytes %ld before, %ld after\n",
	       vm_base, vm_now);
	if (vm_now != vm_base)
		t_fail("hwt holds %ld vmalloc bytes, %ld before the run",
		       vm_now, vm_base);
	t_end();

	t_begin("kmod/fuzz/no-stray-sigtrap");
	spawn_untraced((int)spawns, 0, &bad, &trapped);
	printf("INFO: fuzz: %ld untraced processes, %d killed by SIGTRAP, %d failed otherwise\n",
	       spawns, trapped, bad - trapped);
	CHECK(trapped == 0);
	CHECK(bad == 0);
	t_end();
	return t_total_failed != 0;
}
