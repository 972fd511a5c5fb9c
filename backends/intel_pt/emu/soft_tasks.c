// SPDX-License-Identifier: GPL-2.0
/* hwt_pt_emu builds its own copy of the soft backend's soft_tasks.c. */
#include "../../soft/soft_tasks.c"
