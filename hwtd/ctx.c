// SPDX-License-Identifier: BSD-2-Clause
/* Trace contexts: allocated by the client, checked by hwtd.  See ctx.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "hwt_err.h"

static const char *target_name(const struct hwtd_req *r, char *buf,
			       size_t len)
{
	if (r->target == HWTD_TARGET_CPUS)
		snprintf(buf, len, "CPUs");
	else
		snprintf(buf, len, "process %d", (int)r->pid);
	return buf;
}

int hwtd_ctx_alloc(const struct hwtd_req *r, char *err, size_t errlen)
{
	struct hwt_alloc a = { 0 };
	char what[32];
	int dev, ctx, e;

	a.mode = r->target == HWTD_TARGET_CPUS ? HWT_MODE_CPU :
						 HWT_MODE_THREAD;
	a.flags = r->ring ? HWT_ALLOC_RING : 0;
	a.pid = r->target == HWTD_TARGET_CPUS ? 0 : r->pid;
	a.bufsize = r->bufsize ? r->bufsize : HWTD_BUFSIZE_DEFAULT;
	/* A flight recorder drains records by time only: give them room. */
	a.recq_size = r->ring ? HWT_RECQ_MAX : HWTD_RECQ_DEFAULT;
	memcpy(a.cpu_map, r->cpu_map, sizeof(a.cpu_map));
	snprintf(a.backend, sizeof(a.backend), "%s", r->backend);
	target_name(r, what, sizeof(what));
	dev = open(HWT_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return hwt_errf(err, errlen, "%s: %s (is the hwt module"
				 " loaded?)", HWT_DEVICE_PATH, strerror(errno));
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	e = errno;
	close(dev);
	if (ctx >= 0)
		return ctx;
	switch (e) {
	case EPERM:
	case EACCES:
		if (a.mode == HWT_MODE_CPU)
			return hwt_errf(err, errlen, "cannot trace CPUs:"
				" permission denied (tracing CPUs needs"
				" CAP_PERFMON or CAP_SYS_ADMIN: only root by"
				" default)");
		return hwt_errf(err, errlen, "cannot trace %s: permission"
			" denied (the kernel's ptrace check: another user's"
			" process, a non-dumpable one, or a setuid, setgid or"
			" file-capability program)", what);
	case ESRCH:
		return hwt_errf(err, errlen, "%s: no such process", what);
	case ENOENT:
		return hwt_errf(err, errlen, "unknown backend '%s' (is its"
				 " module loaded?)", r->backend);
	case EOPNOTSUPP:
		return hwt_errf(err, errlen, "backend '%s' cannot trace %s",
				 r->backend, a.mode == HWT_MODE_CPU ? "CPUs" :
				 "threads");
	case EBUSY:
		return hwt_errf(err, errlen, "%s is already traced", what);
	default:
		return hwt_errf(err, errlen, "cannot trace %s: %s", what,
				 strerror(e));
	}
}

/* The kernel names a context's anon inode "[hwt]" (hwt_context.c); no
 * user can make an fd whose /proc link says so. */
static int is_hwt_fd(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = 0;
	return !strcmp(target, "anon_inode:[hwt]");
}

int hwtd_ctx_check(int fd, const struct hwtd_req *r, char *err,
		   size_t errlen)
{
	struct hwt_info info;
	uint32_t mode = r->target == HWTD_TARGET_CPUS ? HWT_MODE_CPU :
							HWT_MODE_THREAD;
	uint64_t bufsize = r->bufsize ? r->bufsize : HWTD_BUFSIZE_DEFAULT;

	if (fd < 0)
		return hwt_errf(err, errlen, "record needs the trace context"
				 " (an fd allocated by the client, sent with"
				 " SCM_RIGHTS): hwtd does not allocate one for"
				 " a client");
	if (!is_hwt_fd(fd))
		return hwt_errf(err, errlen, "the file descriptor sent is not"
				 " an hwt context");
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, HWT_IOC_INFO, &info))
		return hwt_errf(err, errlen, "the context sent: INFO: %s",
				 strerror(errno));
	if (info.abi_version != HWT_ABI_VERSION)
		return hwt_errf(err, errlen, "the context sent: ABI version %u,"
				 " hwtd speaks %u", info.abi_version,
				 HWT_ABI_VERSION);
	if (info.mode != mode)
		return hwt_errf(err, errlen, "the context sent traces %s, the"
				 " request asks for %s", info.mode ==
				 HWT_MODE_CPU ? "CPUs" : "a process",
				 mode == HWT_MODE_CPU ? "CPUs" : "a process");
	if (mode == HWT_MODE_THREAD && info.pid != r->pid)
		return hwt_errf(err, errlen, "the context sent traces process"
				 " %d, not %d", (int)info.pid, (int)r->pid);
	if (strncmp(info.backend, r->backend, sizeof(info.backend)))
		return hwt_errf(err, errlen, "the context sent uses backend"
				 " '%.*s', not '%s'", (int)sizeof(info.backend),
				 info.backend, r->backend);
	if (!(info.flags & HWT_ALLOC_RING) != !r->ring)
		return hwt_errf(err, errlen, "the context sent is%s a ring,"
				 " the request says mode=%s",
				 info.flags & HWT_ALLOC_RING ? "" : " not",
				 r->ring ? "ring" : "stream");
	if (info.bufsize != bufsize)
		return hwt_errf(err, errlen, "the context sent has %llu-byte"
				 " buffers, the request %llu",
				 (unsigned long long)info.bufsize,
				 (unsigned long long)bufsize);
	if (info.state != HWT_STATE_ALLOCATED)
		return hwt_errf(err, errlen, "the context sent has been started"
				 " already (state %u)", info.state);
	return 0;
}
