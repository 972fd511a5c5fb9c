/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector: drains one hwt context (records and every buffer) into a
 * trace store.  Used by hwt-collect (one-off, in the VM) and by hwtd.
 */
#ifndef HWT_COLLECT_H
#define HWT_COLLECT_H

#include <stdint.h>

#include "store.h"

struct hwt_collect;

/*
 * Each stream's kind and decoder parameters are what the backend
 * describes (HWT_IOC_DESCRIBE, describe.h), asked when the first stream
 * appears.
 */
struct hwt_collect_opts {
	int ring;		/* context is in ring (flight recorder) mode */
	/* Called once per new stream, after the backend's parameters are
	 * stored, to add (or override) stream_params. */
	int (*on_stream)(struct hwt_store *s, uint32_t id, void *arg);
	void *arg;
	/* Called for every kernel record after it is stored (may be
	 * NULL): hwtd watches MMAP for filters and THREAD_EXIT for crashes. */
	void (*on_record)(const struct hwt_record_hdr *h, void *arg);
	/* Ring mode: when the target is gone, drain records only and leave
	 * the buffers to an explicit hwt_collect_snapshot() (hwtd dumps the
	 * flight recorder only on request or on a crash). */
	int ring_no_final_dump;
	/* Store at most this many bytes (0: no limit): a drain that would
	 * go past it is not stored, and hwt_collect_quota_reached() says so.
	 * Whole drains only, so the store never ends in a cut write. */
	uint64_t quota;
	/* Images larger than this are not copied (0: the default,
	 * HWT_COLLECT_IMAGE_MAX). */
	uint64_t image_max;
};

#define HWT_COLLECT_IMAGE_MAX	(1ull << 30)

struct hwt_collect *hwt_collect_new(int ctxfd, struct hwt_store *store,
				    const struct hwt_collect_opts *opts);

/*
 * Wait up to timeout_ms for data, then drain what is there (ring mode:
 * records only; buffers are read by hwt_collect_snapshot).  Returns 1 once
 * the target is gone and everything is drained, 0 to go on, -1 on error
 * (message in hwt_collect_error).
 */
int hwt_collect_step(struct hwt_collect *c, int timeout_ms);

/*
 * Milliseconds until a step would drain again (0: now).  The kernel
 * reports data as soon as there is any; draining by the sample costs more
 * per byte than the bytes, so steps come at most every 2 ms (a step with
 * timeout_ms 0 before then does nothing and returns 0).
 */
int hwt_collect_due_ms(const struct hwt_collect *c);

/* Drain everything now (streaming), or copy the buffers' current
 * contents (ring mode), and commit. */
int hwt_collect_snapshot(struct hwt_collect *c);

/* Drain the record queue only (before START: the MMAP records the kernel
 * synthesized at attach), without committing. */
int hwt_collect_drain_records(struct hwt_collect *c);

/*
 * The executable file mappings process pid has now (/proc/PID/maps), as
 * MMAP records of that process (tid = pid, no buffer, the time now) in
 * the store, their files among the images to copy: what a CPU-mode
 * context never reports for a program launched before START (it was
 * mapped at its exec).  Read with the caller's file-system rights.
 * Returns the number of mappings stored.
 * Returns -1 (message in hwt_collect_error) if: the maps cannot be read,
 * a line is malformed, or the store fails.
 */
int hwt_collect_add_process(struct hwt_collect *c, int pid);

/*
 * Copy the files of executable mappings seen since the last call into
 * SESSION/images/<path> so the session decodes on another machine (and a
 * session cut short by a crash still has them).  Each path is whatever
 * is there now: a symlink is not followed, a FIFO not waited for, only a
 * regular file of at most image_max bytes is copied, and no more than
 * its size.  Call it as the session's owner (hwtd: in a child, asuser.h).
 *
 * Returns 0, or -1 if some image could not be copied ("N image(s) could
 * not be copied" in hwt_collect_error; the others are copied).
 */
int hwt_collect_copy_images(struct hwt_collect *c, const char *session_dir);

/* Images seen but not yet copied (or handed to a copier). */
int hwt_collect_images_pending(const struct hwt_collect *c);

/* The pending images were handed to a copier (a child that runs
 * hwt_collect_copy_images()): do not copy them again here. */
void hwt_collect_images_taken(struct hwt_collect *c);

int hwt_collect_quota_reached(const struct hwt_collect *c);
const char *hwt_collect_error(const struct hwt_collect *c);
uint64_t hwt_collect_bytes(const struct hwt_collect *c);
uint64_t hwt_collect_records(const struct hwt_collect *c);
void hwt_collect_free(struct hwt_collect *c);

#endif /* HWT_COLLECT_H */
