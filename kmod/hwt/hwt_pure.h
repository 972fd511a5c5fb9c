/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types for the parts of hwt that are pure logic (no kernel includes), so
 * that they compile both into the module and into user-space unit tests.
 */
#ifndef _HWT_PURE_H
#define _HWT_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <stdbool.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#endif /* _HWT_PURE_H */
