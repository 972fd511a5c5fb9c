// SPDX-License-Identifier: GPL-2.0
/* hwt_pt_emu builds its own copy of the soft backend's x86_insn.c. */
#include "../../soft/x86_insn.c"
