// SPDX-License-Identifier: GPL-2.0
/* hwt_pt_emu builds its own copy of the soft backend's pt_enc.c. */
#include "../../soft/pt_enc.c"
