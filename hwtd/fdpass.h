/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One message with at most one file descriptor (SCM_RIGHTS) over the
 * control socket: how a client hands hwtd the trace context it allocated
 * with its own credentials (ctx.h).
 */
#ifndef HWTD_FDPASS_H
#define HWTD_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Send len bytes of buf as one message, with fd attached when fd >= 0.
 * Returns the bytes sent, or -1 with errno (EPIPE: the peer is gone).
 */
ssize_t hwtd_send_fd(int sock, const void *buf, size_t len, int fd);

/*
 * Receive one message (without blocking) into buf.  The fds attached to
 * it are received close-on-exec; the first goes to *fd (-1 if none), any
 * others are closed at once and *extra says so (1).
 *
 * Returns the message's full length (larger than len if it was cut:
 * MSG_TRUNC), 0 at EOF, or -1 with errno (EAGAIN: nothing there).
 */
ssize_t hwtd_recv_fd(int sock, void *buf, size_t len, int *fd, int *extra);

#endif /* HWTD_FDPASS_H */
