/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A recording session: one hwt context (a process or a CPU set), its
 * filters, its trace store and collector, its mode and quota.  Used by
 * hwtd for every client and by `hwt record` in-process when no hwtd runs.
 *
 * Driving it: poll() hwtd_session_fd() for hwtd_session_events(), and
 * call hwtd_session_service() when it is ready or at least every
 * HWTD_SERVICE_MS (ring sessions are never "ready": the kernel's ring
 * always holds data, so they are serviced by time).
 */
#ifndef HWTD_SESSION_H
#define HWTD_SESSION_H

#include <stdint.h>
#include <sys/types.h>

#include "priv.h"
#include "proto.h"

#define HWTD_SERVICE_MS		250
#define HWTD_RING_SERVICE_MS	50	/* records pile up: drain often */

struct hwtd_session;

/* An image copier (a child, as the client) gets this long. */
#define HWTD_COPIER_MAX_MS	120000

/*
 * Start recording r for client c into the context ctx, which the client
 * allocated with its own credentials (ctx.h; the kernel checked its
 * rights then).  Checks ctx is the context r describes, creates the
 * session directory (as c), resolves the filters and STARTs.  The session
 * owns ctx from here, whatever the outcome.
 *
 * Returns the session, or NULL with a message in err ("record needs the
 * trace context ...", "the context sent traces process N, not M",
 * "session already exists", a filter's error, ...); nothing is left
 * behind then (ctx closed, no directory).
 */
struct hwtd_session *hwtd_session_start(const struct hwtd_req *r,
					const struct hwtd_cred *c, int id,
					int ctx, char *err, size_t errlen);

int hwtd_session_fd(const struct hwtd_session *s);
/* How long it may wait unserviced, ms. */
int hwtd_session_service_ms(const struct hwtd_session *s);
short hwtd_session_events(const struct hwtd_session *s);

/* Drain what is there; 0: go on, 1: the session has finished (its state
 * says how) and its images are copied: free it. */
int hwtd_session_service(struct hwtd_session *s);

/* Flush (streaming) or dump the kernel rings (flight recorder) into the
 * store now.  0 or -1 with a message in err. */
int hwtd_session_snapshot(struct hwtd_session *s, char *err, size_t errlen);

/* Stop tracing, drain, and finish with state (e.g. "stopped"). */
void hwtd_session_stop(struct hwtd_session *s, const char *state);

/* Commit and close everything; s is freed. */
void hwtd_session_free(struct hwtd_session *s);

int hwtd_session_id(const struct hwtd_session *s);
uid_t hwtd_session_owner(const struct hwtd_session *s);
gid_t hwtd_session_group(const struct hwtd_session *s);
/* The session directory hwtd made: device and inode. */
void hwtd_session_dir_id(const struct hwtd_session *s, dev_t *dev,
			 ino_t *ino);
const char *hwtd_session_path(const struct hwtd_session *s);
const char *hwtd_session_state(const struct hwtd_session *s);
int hwtd_session_is_ring(const struct hwtd_session *s);
int hwtd_session_finished(const struct hwtd_session *s);
/* The error that ended the session, "" if none. */
const char *hwtd_session_error(const struct hwtd_session *s);
/* One line: id, state, backend, target, bytes, records, path. */
void hwtd_session_describe(const struct hwtd_session *s, char *buf,
			   size_t len);
uint64_t hwtd_session_bytes(const struct hwtd_session *s);
/* The CPUs a CPU-mode session traces (HWT_CPU_MAP_WORDS words), NULL
 * for a process target. */
const uint64_t *hwtd_session_cpu_map(const struct hwtd_session *s);

#endif /* HWTD_SESSION_H */
