/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CoreSight (OpenCSD) front end entry, called by `hwt decode --snapshot DIR`.
 * Created by the Intel PT/core side as the agreed hook; the CoreSight front
 * end (decoder/src/cs_*.c) owns this file and its implementation.
 *
 * Decodes every trace source of the OpenCSD snapshot in DIR and feeds the
 * blocks/events to sink (see flow.h).  On failure returns a negative value
 * and writes a message to err (errlen bytes).
 */
#ifndef HWT_DECODER_CS_FRONTEND_H
#define HWT_DECODER_CS_FRONTEND_H

#include <stddef.h>
#include "flow.h"

int hwt_cs_decode_snapshot(const char *dir, const struct hwt_sink *sink,
			   char *err, size_t errlen);

#endif /* HWT_DECODER_CS_FRONTEND_H */
