// SPDX-License-Identifier: GPL-2.0
/* hwt_cs_emu builds its own copy of the soft backend's a64_excl.c. */
#include "../../soft/a64_excl.c"
