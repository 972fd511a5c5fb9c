/* SPDX-License-Identifier: BSD-2-Clause */
/* perf.data records -> sideband rows (perf_sideband.h).  Layouts: uapi
 * linux/perf_event.h (enum perf_event_type) and perf's event.h. */
#include <stdio.h>
#include <string.h>

#include "db/sideband.h"
#include "perf/perf_file.h"
#include "perf/perf_sideband.h"

struct walk {
	struct hwt_sideband *sb;
	char *err;
	size_t errlen;
	int failed;
};

/* A u32 pid/tid/cpu as perf prints it signed (-1: none).
 * Returns the value. */
static int64_t s32(uint32_t v)
{
	return (int64_t)(int32_t)v;
}

/* r's row into row (bid: room for a 40-digit build id; name: for the
 * name of a type the reader does not decode, "type N").
 * Returns nothing. */
static void to_row(const struct hwt_perf_rec *r, struct hwt_sideband_row *row,
		   char *bid, char *name, size_t namelen)
{
	size_t i;

	memset(row, 0, sizeof(*row));
	row->type = hwt_perf_rec_name(r->type);
	if (!strcmp(row->type, "record")) {
		snprintf(name, namelen, "type %u", r->type);
		row->type = name;
	}
	hwt_sb_set(row, HWT_SB_FILE_OFFSET, (int64_t)r->file_offset);
	hwt_sb_set(row, HWT_SB_MISC, r->misc);
	if (r->sid.has_time)
		hwt_sb_set(row, HWT_SB_TIME, (int64_t)r->sid.time);
	if (r->sid.has_cpu)
		hwt_sb_set(row, HWT_SB_CPU, s32(r->sid.cpu));
	if (r->sid.has_tid) {
		hwt_sb_set(row, HWT_SB_PID, s32(r->sid.pid));
		hwt_sb_set(row, HWT_SB_TID, s32(r->sid.tid));
	}
	switch (r->type) {
	case HWT_PERF_RECORD_MMAP:
	case HWT_PERF_RECORD_MMAP2:
		hwt_sb_set(row, HWT_SB_PID, s32(r->u.mmap.pid));
		hwt_sb_set(row, HWT_SB_TID, s32(r->u.mmap.tid));
		hwt_sb_set(row, HWT_SB_ADDR, (int64_t)r->u.mmap.addr);
		hwt_sb_set(row, HWT_SB_LEN, (int64_t)r->u.mmap.len);
		hwt_sb_set(row, HWT_SB_PGOFF, (int64_t)r->u.mmap.pgoff);
		row->filename = r->u.mmap.filename;
		if (r->type == HWT_PERF_RECORD_MMAP)
			break;
		hwt_sb_set(row, HWT_SB_PROT, r->u.mmap.prot);
		hwt_sb_set(row, HWT_SB_FLAGS, r->u.mmap.flags);
		if (r->u.mmap.build_id) {
			for (i = 0; i < r->u.mmap.build_id_size; i++)
				snprintf(bid + 2 * i, 3, "%02x",
					 r->u.mmap.build_id[i]);
			bid[2 * i] = 0;
			row->build_id = bid;
		} else {
			hwt_sb_set(row, HWT_SB_MAJ, r->u.mmap.maj);
			hwt_sb_set(row, HWT_SB_MIN, r->u.mmap.min);
			hwt_sb_set(row, HWT_SB_INO, (int64_t)r->u.mmap.ino);
			hwt_sb_set(row, HWT_SB_INO_GENERATION,
				   (int64_t)r->u.mmap.ino_generation);
		}
		break;
	case HWT_PERF_RECORD_COMM:
		hwt_sb_set(row, HWT_SB_PID, s32(r->u.comm.pid));
		hwt_sb_set(row, HWT_SB_TID, s32(r->u.comm.tid));
		hwt_sb_set(row, HWT_SB_EXEC,
			   !!(r->misc & HWT_PERF_MISC_COMM_EXEC));
		row->comm = r->u.comm.comm;
		break;
	case HWT_PERF_RECORD_FORK:
	case HWT_PERF_RECORD_EXIT:
		hwt_sb_set(row, HWT_SB_PID, s32(r->u.fork.pid));
		hwt_sb_set(row, HWT_SB_TID, s32(r->u.fork.tid));
		hwt_sb_set(row, HWT_SB_PPID, s32(r->u.fork.ppid));
		hwt_sb_set(row, HWT_SB_PTID, s32(r->u.fork.ptid));
		if (!r->sid.has_time)	/* the record's own time */
			hwt_sb_set(row, HWT_SB_TIME,
				   (int64_t)r->u.fork.time);
		break;
	case HWT_PERF_RECORD_ITRACE_START:
		hwt_sb_set(row, HWT_SB_PID, s32(r->u.itrace_start.pid));
		hwt_sb_set(row, HWT_SB_TID, s32(r->u.itrace_start.tid));
		break;
	case HWT_PERF_RECORD_SWITCH_CPU_WIDE:
		hwt_sb_set(row, HWT_SB_NEXT_PREV_PID,
			   s32(r->u.switch_cpu_wide.next_prev_pid));
		hwt_sb_set(row, HWT_SB_NEXT_PREV_TID,
			   s32(r->u.switch_cpu_wide.next_prev_tid));
		/* fall through */
	case HWT_PERF_RECORD_SWITCH:
		hwt_sb_set(row, HWT_SB_SWITCH_OUT,
			   !!(r->misc & HWT_PERF_MISC_SWITCH_OUT));
		hwt_sb_set(row, HWT_SB_PREEMPT,
			   !!(r->misc & HWT_PERF_MISC_SWITCH_OUT_PREEMPT));
		break;
	case HWT_PERF_RECORD_AUX:
		hwt_sb_set(row, HWT_SB_AUX_OFFSET,
			   (int64_t)r->u.aux.aux_offset);
		hwt_sb_set(row, HWT_SB_AUX_SIZE, (int64_t)r->u.aux.aux_size);
		hwt_sb_set(row, HWT_SB_AUX_FLAGS, (int64_t)r->u.aux.flags);
		break;
	case HWT_PERF_RECORD_AUXTRACE:
		hwt_sb_set(row, HWT_SB_AUX_OFFSET,
			   (int64_t)r->u.auxtrace.offset);
		hwt_sb_set(row, HWT_SB_AUX_SIZE, (int64_t)r->u.auxtrace.size);
		hwt_sb_set(row, HWT_SB_REFERENCE,
			   (int64_t)r->u.auxtrace.reference);
		hwt_sb_set(row, HWT_SB_IDX, r->u.auxtrace.idx);
		hwt_sb_set(row, HWT_SB_TID, s32(r->u.auxtrace.tid));
		hwt_sb_set(row, HWT_SB_CPU, s32(r->u.auxtrace.cpu));
		break;
	case HWT_PERF_RECORD_AUXTRACE_INFO:
		hwt_sb_set(row, HWT_SB_AUXTRACE_TYPE,
			   r->u.auxtrace_info.type);
		break;
	case HWT_PERF_RECORD_LOST:
		hwt_sb_set(row, HWT_SB_SAMPLE_ID, (int64_t)r->u.lost.id);
		hwt_sb_set(row, HWT_SB_LOST, (int64_t)r->u.lost.lost);
		break;
	case HWT_PERF_RECORD_LOST_SAMPLES:
		hwt_sb_set(row, HWT_SB_LOST, (int64_t)r->u.lost_samples.lost);
		break;
	case HWT_PERF_RECORD_AUX_OUTPUT_HW_ID:
		hwt_sb_set(row, HWT_SB_HW_ID,
			   (int64_t)r->u.aux_output_hw_id.hw_id);
		break;
	case HWT_PERF_RECORD_THROTTLE:
	case HWT_PERF_RECORD_UNTHROTTLE:
		hwt_sb_set(row, HWT_SB_SAMPLE_ID, (int64_t)r->u.throttle.id);
		if (!r->sid.has_time)
			hwt_sb_set(row, HWT_SB_TIME,
				   (int64_t)r->u.throttle.time);
		break;
	case HWT_PERF_RECORD_SAMPLE:
		hwt_sb_set(row, HWT_SB_IP, (int64_t)r->u.sample.ip);
		hwt_sb_set(row, HWT_SB_ADDR, (int64_t)r->u.sample.addr);
		hwt_sb_set(row, HWT_SB_PERIOD, (int64_t)r->u.sample.period);
		hwt_sb_set(row, HWT_SB_SAMPLE_ID, (int64_t)r->u.sample.id);
		break;
	case HWT_PERF_RECORD_TIME_CONV:
		hwt_sb_set(row, HWT_SB_TIME_SHIFT,
			   (int64_t)r->u.time_conv.time_shift);
		hwt_sb_set(row, HWT_SB_TIME_MULT,
			   (int64_t)r->u.time_conv.time_mult);
		hwt_sb_set(row, HWT_SB_TIME_ZERO,
			   (int64_t)r->u.time_conv.time_zero);
		if (!r->u.time_conv.has_short)
			break;
		hwt_sb_set(row, HWT_SB_TIME_CYCLES,
			   (int64_t)r->u.time_conv.time_cycles);
		hwt_sb_set(row, HWT_SB_TIME_MASK,
			   (int64_t)r->u.time_conv.time_mask);
		hwt_sb_set(row, HWT_SB_CAP_USER_TIME_ZERO,
			   r->u.time_conv.cap_user_time_zero);
		hwt_sb_set(row, HWT_SB_CAP_USER_TIME_SHORT,
			   r->u.time_conv.cap_user_time_short);
		break;
	}
}

/* hwt_perf_rec_fn: one record's row.  Returns 0 if: written; -2 if:
 * SQLite failed (w->err set). */
static int on_record(void *arg, const struct hwt_perf_rec *r)
{
	struct walk *w = arg;
	struct hwt_sideband_row row;
	char bid[48], name[24];

	to_row(r, &row, bid, name, sizeof(name));
	if (hwt_sideband_add(w->sb, &row, w->err, w->errlen) < 0) {
		w->failed = 1;
		return -2;
	}
	return 0;
}

int hwt_perf_sideband(struct hwt_perf_file *f, struct hwt_sideband *sb,
		      char *err, size_t errlen)
{
	struct walk w = { sb, err, errlen, 0 };
	char e[512];

	if (hwt_perf_records(f, on_record, &w, e, sizeof(e)) < 0 && w.failed)
		return -1;
	return 0;
}
