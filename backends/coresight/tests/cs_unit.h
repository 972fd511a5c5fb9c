/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* PASS:/FAIL: lines for the coresight unit tests (tests/lib/backend_unit.h). */
#ifndef CS_UNIT_H
#define CS_UNIT_H

#define UNIT_PREFIX "coresight/"
#include "../../../tests/lib/backend_unit.h"

#endif /* CS_UNIT_H */
