/* SPDX-License-Identifier: BSD-2-Clause */
/* cs_config.c: a trace unit's OpenCSD configuration from its registers. */
#ifndef HWT_DECODER_CS_CONFIG_H
#define HWT_DECODER_CS_CONFIG_H

#include <stddef.h>

#include "cs/cs_decode.h"

/* Register names of a unit as in device_N.ini [regs] and stream_params
 * (lowercase there); get(arg, name) returns the value text or NULL. */
typedef const char *(*hwt_cs_reg_get_fn)(void *arg, const char *name);

/*
 * Fills u->proto and u->cfg from register values.  proto_name: "ETM4",
 * "ETE", "ETM3", "PTM1", "PFT1" (case-insensitive, ".x" suffix ignored);
 * core: core type name ("Cortex-A53", "ARMv8.2-A", ...) giving the
 * architecture and profile.  Missing optional registers get OpenCSD's
 * snapshot defaults.  0, or -1 with err set.
 */
int hwt_cs_unit_config(struct hwt_cs_unit *u, const char *proto_name,
		       const char *core, hwt_cs_reg_get_fn get, void *arg,
		       char *err, size_t errlen);

#endif /* HWT_DECODER_CS_CONFIG_H */
