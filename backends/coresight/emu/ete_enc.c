// SPDX-License-Identifier: GPL-2.0
/* hwt_cs_emu builds its own copy of the soft backend's ete_enc.c. */
#include "../../soft/ete_enc.c"
