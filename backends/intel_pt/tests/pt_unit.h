/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* PASS:/FAIL: lines for the intel_pt unit tests (tests/lib/backend_unit.h). */
#ifndef PT_UNIT_H
#define PT_UNIT_H

#define UNIT_PREFIX "intel_pt/"
#include "../../../tests/lib/backend_unit.h"

#endif /* PT_UNIT_H */
