/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * hwt user/kernel ABI.
 *
 * /dev/hwt is the control device.  HWT_IOC_ALLOC on it creates a trace
 * context and returns a new file descriptor for it; every other operation
 * is an ioctl, poll() or mmap() on that context fd.  Closing the context fd
 * (or the death of the process holding it) tears the context down.
 *
 * All structures have fixed layout (explicit padding, 64-bit fields
 * 8-byte aligned) so that 32-bit and 64-bit user space see the same ABI.
 * Reserved fields must be zero; the kernel rejects anything else with
 * -EINVAL so that they can be given a meaning later.
 */
#ifndef _UAPI_HWT_HWT_H
#define _UAPI_HWT_HWT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <linux/types.h>
#include <sys/ioctl.h>
#endif

#define HWT_DEVICE_PATH		"/dev/hwt"
#define HWT_ABI_VERSION		1

#define HWT_IOC_MAGIC		0xB7

/* Trace modes. */
#define HWT_MODE_THREAD		1	/* all threads of one process */
#define HWT_MODE_CPU		2	/* everything that runs on a CPU set */

/* hwt_alloc.flags */
#define HWT_ALLOC_INHERIT	(1u << 0)	/* also trace fork() children */
#define HWT_ALLOC_RING		(1u << 1)	/* overwrite old data (flight
						 * recorder); default: stop
						 * writing and count losses */
#define HWT_ALLOC_FLAGS_ALL	(HWT_ALLOC_INHERIT | HWT_ALLOC_RING)

#define HWT_BACKEND_NAME_MAX	32
#define HWT_CPU_MAP_WORDS	16		/* 1024 CPUs */
#define HWT_BUFSIZE_MIN		4096UL
#define HWT_BUFSIZE_MAX		(256UL << 20)	/* per buffer */
#define HWT_CONFIG_MAX		4096		/* backend config blob */
#define HWT_MAX_THREADS		256		/* buffers per thread context */
#define HWT_RECQ_DEFAULT	(64u << 10)	/* record queue bytes */
#define HWT_RECQ_MAX		(4u << 20)

/*
 * Buffer N of a context is mapped with mmap(NULL, size, PROT_READ,
 * MAP_SHARED, ctxfd, N * HWT_MMAP_STRIDE).  Writable mappings are refused.
 */
#define HWT_MMAP_STRIDE		(1ULL << 32)

struct hwt_alloc {
	__u32	mode;			/* HWT_MODE_* */
	__u32	flags;			/* HWT_ALLOC_* */
	__s32	pid;			/* THREAD: target process (tgid) */
	__u32	recq_size;		/* record queue bytes, 0: default */
	__u64	bufsize;		/* bytes per buffer, page multiple */
	char	backend[HWT_BACKEND_NAME_MAX];	/* NUL-terminated */
	__u64	cpu_map[HWT_CPU_MAP_WORDS];	/* CPU: bit N = CPU N */
	__u64	reserved[4];
};

struct hwt_config {
	__u32	version;		/* backend-defined */
	__u32	size;			/* bytes at data, <= HWT_CONFIG_MAX */
	__u64	data;			/* user pointer */
};

/* hwt_record_get.flags */
#define HWT_RECORD_WAIT		(1u << 0)	/* block until >= 1 record */

struct hwt_record_get {
	__u64	buf;			/* user pointer to record bytes */
	__u32	buflen;			/* bytes available at buf */
	__u32	flags;			/* HWT_RECORD_* */
	__u32	nrecords;		/* out: records copied */
	__u32	bytes;			/* out: bytes copied */
	__u64	dropped;		/* out: records dropped since alloc */
	__u32	pending;		/* out: records still queued */
	__u32	reserved;
};

/* hwt_bufptr.flags (out) */
#define HWT_BUF_OVERFLOW	(1u << 0)	/* data was lost */
#define HWT_BUF_WRAPPED		(1u << 1)	/* ring mode wrapped */
#define HWT_BUF_LIVE		(1u << 2)	/* owner thread/CPU still traced */

struct hwt_bufptr {
	__u32	idx;			/* in: buffer index */
	__u32	flags;			/* out: HWT_BUF_* */
	__s32	tid;			/* out: thread (THREAD mode) or -1 */
	__s32	cpu;			/* out: CPU (CPU mode) or -1 */
	__u64	size;			/* out: buffer bytes */
	__u64	head;			/* out: bytes ever written */
	__u64	tail;			/* out: bytes consumed (SVC_BUF) */
	__u64	lost;			/* out: bytes dropped, never written */
	__u64	wraps;			/* out: times the ring wrapped */
	__u64	mmap_offset;		/* out: offset to mmap() it */
};

/* Data of buffer idx at [tail, new_tail) has been consumed. */
struct hwt_svc_buf {
	__u32	idx;
	__u32	reserved;
	__u64	tail;			/* absolute, <= head, >= old tail */
};

struct hwt_info {
	__u32	abi_version;		/* out: HWT_ABI_VERSION */
	__u32	mode;			/* out */
	__u32	nbuffers;		/* out: buffers allocated so far */
	__u32	state;			/* out: HWT_STATE_* */
	__u64	bufsize;		/* out */
	char	backend[HWT_BACKEND_NAME_MAX];	/* out */
	__s32	pid;			/* out: THREAD: the target process
					 * as the caller's pid namespace
					 * numbers it (0: gone or not
					 * visible); CPU: 0 */
	__u32	flags;			/* out: HWT_ALLOC_* given at ALLOC */
	__u64	reserved[3];
};

/*
 * What a decoder needs to know of a context's trace, as text: lines
 * "key=value\n", the first "kind=K" (the streams' format: "intel_pt",
 * "ete", "etm4", "null"), then the backend's parameters (for Intel PT the
 * CPU and CPUID values libipt wants, for ETE/ETMv4 the trace unit's
 * registers as lowercase names, "trcidr0=0x..."), as of the config set so
 * far.  Keys are [a-z0-9_] (1..31 bytes), values printable ASCII (at
 * most 255 bytes); at most HWT_DESCRIBE_MAX bytes in all, NUL included.
 */
#define HWT_DESCRIBE_MAX	4096

struct hwt_describe {
	__u64	buf;			/* user pointer to the text */
	__u32	buflen;			/* bytes at buf, room for the NUL */
	__u32	len;			/* out: text bytes, NUL not counted;
					 * EMSGSIZE if buflen <= len */
	__u64	reserved[2];
};

#define HWT_STATE_ALLOCATED	1
#define HWT_STATE_RUNNING	2
#define HWT_STATE_STOPPED	3
#define HWT_STATE_TARGET_GONE	4	/* all traced threads exited */

/* On /dev/hwt: returns a context fd (O_CLOEXEC). */
#define HWT_IOC_ALLOC		_IOW(HWT_IOC_MAGIC, 0x01, struct hwt_alloc)

/* On a context fd. */
#define HWT_IOC_SET_CONFIG	_IOW(HWT_IOC_MAGIC, 0x10, struct hwt_config)
#define HWT_IOC_START		_IO(HWT_IOC_MAGIC, 0x11)
#define HWT_IOC_STOP		_IO(HWT_IOC_MAGIC, 0x12)
#define HWT_IOC_RECORD_GET	_IOWR(HWT_IOC_MAGIC, 0x13, struct hwt_record_get)
#define HWT_IOC_BUFPTR_GET	_IOWR(HWT_IOC_MAGIC, 0x14, struct hwt_bufptr)
#define HWT_IOC_SVC_BUF		_IOW(HWT_IOC_MAGIC, 0x15, struct hwt_svc_buf)
#define HWT_IOC_WAKEUP		_IO(HWT_IOC_MAGIC, 0x16)
#define HWT_IOC_INFO		_IOR(HWT_IOC_MAGIC, 0x17, struct hwt_info)
#define HWT_IOC_DESCRIBE	_IOWR(HWT_IOC_MAGIC, 0x18, struct hwt_describe)

/*
 * Records.  RECORD_GET copies whole records back to back; each starts with
 * hwt_record_hdr and is hdr.size bytes long (a multiple of 8).  Unknown
 * types must be skipped by size.
 */
#define HWT_REC_MMAP		1
#define HWT_REC_MUNMAP		2
#define HWT_REC_EXEC		3
#define HWT_REC_THREAD_CREATE	4
#define HWT_REC_THREAD_EXIT	5
#define HWT_REC_COMM		6
#define HWT_REC_SWITCH_IN	7
#define HWT_REC_SWITCH_OUT	8
#define HWT_REC_BUFFER		9
#define HWT_REC_LOST		10	/* records were dropped */
#define HWT_REC_MAX		10

struct hwt_record_hdr {
	__u32	type;			/* HWT_REC_* */
	__u32	size;			/* whole record, multiple of 8 */
	__s32	pid;			/* process (tgid), -1 if none */
	__s32	tid;			/* thread, -1 if none */
	__s32	cpu;			/* CPU it happened on */
	__u32	buf_idx;		/* buffer of that thread/CPU or ~0 */
	__u64	time;			/* CLOCK_MONOTONIC ns */
	__u64	buf_head;		/* that buffer's head at the time */
};

#define HWT_PATH_MAX		4096

/* The name of the vDSO's mapping in an MMAP record's path, as
 * /proc/PID/maps shows it: user code the recorder copies into the
 * session, since no file holds it. */
#define HWT_MMAP_VDSO	"[vdso]"

struct hwt_rec_mmap {
	struct hwt_record_hdr hdr;
	__u64	addr;
	__u64	len;
	__u64	pgoff;			/* file offset in bytes */
	__u32	prot;			/* PROT_* */
	__u32	flags;			/* MAP_SHARED or MAP_PRIVATE */
	char	path[];			/* NUL-terminated: the file, a special
					 * mapping's name ("[vdso]"), or ""
					 * if anonymous */
};

struct hwt_rec_munmap {
	struct hwt_record_hdr hdr;
	__u64	addr;
	__u64	len;
};

struct hwt_rec_exec {
	struct hwt_record_hdr hdr;
	char	path[];			/* NUL-terminated */
};

struct hwt_rec_thread {
	struct hwt_record_hdr hdr;	/* pid/tid: the thread itself */
	__s32	parent_pid;		/* CREATE: creator; EXIT: -1 */
	__s32	parent_tid;
	__s32	exit_code;		/* EXIT: task->exit_code */
	__u32	flags;			/* HWT_THREAD_* */
};

#define HWT_THREAD_LAST		(1u << 0)	/* EXIT: last thread of the
						 * context */
#define HWT_THREAD_FORK		(1u << 1)	/* CREATE: a new process */
#define HWT_THREAD_REVOKED	(1u << 2)	/* EXIT: the thread lives on,
						 * but tracing ended at an exec
						 * that gained privileges
						 * (setuid, setgid, file caps,
						 * unreadable binary) the
						 * context's owner could not
						 * ptrace through */

struct hwt_rec_comm {
	struct hwt_record_hdr hdr;
	char	comm[16];
};

/* SWITCH_IN/OUT: hdr says which thread on which CPU; buf_head marks the
 * point in that buffer's data where the switch happened. */
struct hwt_rec_switch {
	struct hwt_record_hdr hdr;
	__s32	other_tid;		/* thread switched from/to, -1 */
	__u32	reserved;
};

#define HWT_BUFREC_OVERFLOW	(1u << 0)
#define HWT_BUFREC_WRAP		(1u << 1)
/*
 * The trace unit stopped writing for a while (Intel PT: RTIT_STATUS.Error
 * or Stopped): trace is missing at hdr.buf_head, how much is unknown
 * (lost is 0).  The stream goes on after it: cut there.
 */
#define HWT_BUFREC_GAP		(1u << 2)

struct hwt_rec_buffer {
	struct hwt_record_hdr hdr;	/* buf_idx, buf_head */
	__u32	flags;			/* HWT_BUFREC_* */
	__u32	reserved;
	__u64	lost;			/* bytes lost in this episode */
	__u64	total_lost;		/* bytes lost since alloc */
	__u64	wraps;
};

struct hwt_rec_lost {
	struct hwt_record_hdr hdr;
	__u64	records;		/* dropped since the last LOST */
	__u64	total;
};

#endif /* _UAPI_HWT_HWT_H */
