/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf_file.c: our own reader of perf.data files (file and pipe mode, from
 * a file on disk: the whole file is mapped), written to
 * linux tools/perf/Documentation/perf.data-file-format.txt ("the file
 * header", "attributes", "data", the feature sections) and the records
 * of uapi linux/perf_event.h (enum perf_event_type) and perf's
 * user-space records (tools/lib/perf/include/perf/event.h).  perf ships no
 * library to read its files.
 *
 * The whole file is mapped read-only; every size, offset and count is
 * checked against it before use.  Little-endian files only.
 */
#ifndef HWT_DECODER_PERF_FILE_H
#define HWT_DECODER_PERF_FILE_H

#include <stddef.h>
#include <stdint.h>

/* enum perf_event_type (uapi) and perf's user records. */
#define HWT_PERF_RECORD_MMAP		1
#define HWT_PERF_RECORD_LOST		2
#define HWT_PERF_RECORD_COMM		3
#define HWT_PERF_RECORD_EXIT		4
#define HWT_PERF_RECORD_THROTTLE	5
#define HWT_PERF_RECORD_UNTHROTTLE	6
#define HWT_PERF_RECORD_FORK		7
#define HWT_PERF_RECORD_SAMPLE		9
#define HWT_PERF_RECORD_MMAP2		10
#define HWT_PERF_RECORD_AUX		11
#define HWT_PERF_RECORD_ITRACE_START	12
#define HWT_PERF_RECORD_LOST_SAMPLES	13
#define HWT_PERF_RECORD_SWITCH		14
#define HWT_PERF_RECORD_SWITCH_CPU_WIDE	15
#define HWT_PERF_RECORD_AUX_OUTPUT_HW_ID 21	/* linux 5.16 */
#define HWT_PERF_RECORD_HEADER_ATTR	64	/* pipe mode */
#define HWT_PERF_RECORD_HEADER_BUILD_ID	67	/* pipe mode */
#define HWT_PERF_RECORD_FINISHED_ROUND	68
#define HWT_PERF_RECORD_AUXTRACE_INFO	70
#define HWT_PERF_RECORD_AUXTRACE	71
#define HWT_PERF_RECORD_TIME_CONV	79
#define HWT_PERF_RECORD_HEADER_FEATURE	80	/* pipe mode */

/* perf_event_header.misc */
#define HWT_PERF_MISC_CPUMODE_MASK	7
#define HWT_PERF_MISC_USER		2
#define HWT_PERF_MISC_MMAP_DATA		(1u << 13)
#define HWT_PERF_MISC_COMM_EXEC		(1u << 13)
#define HWT_PERF_MISC_SWITCH_OUT	(1u << 13)
#define HWT_PERF_MISC_SWITCH_OUT_PREEMPT (1u << 14)
#define HWT_PERF_MISC_MMAP_BUILD_ID	(1u << 14)

/* PERF_RECORD_AUX flags */
#define HWT_PERF_AUX_TRUNCATED		0x01
#define HWT_PERF_AUX_OVERWRITE		0x02
#define HWT_PERF_AUX_PARTIAL		0x04
#define HWT_PERF_AUX_COLLISION		0x08
#define HWT_PERF_AUX_CS_RAW		0x100	/* CoreSight: unformatted */

/* auxtrace_info.type (perf's enum auxtrace_type) */
#define HWT_PERF_AUXTRACE_INTEL_PT	1
#define HWT_PERF_AUXTRACE_CS_ETM	3

/* The sample_id fields a non-sample record carries with sample_id_all. */
struct hwt_perf_sample_id {
	int has_tid, has_time, has_cpu;
	uint32_t pid, tid, cpu;
	uint64_t time;
};

/* One record of the data section, fields decoded (pointers into the
 * mapped file, strings NUL-terminated inside the record). */
struct hwt_perf_rec {
	uint32_t type;
	uint16_t misc;
	uint64_t file_offset;	/* of the record header */
	uint64_t size;		/* header.size (AUXTRACE: plus its data) */
	struct hwt_perf_sample_id sid;
	union {
		struct {
			uint32_t pid, tid;
			uint64_t addr, len, pgoff;
			uint32_t prot;		/* MMAP2 only; MMAP: 0 */
			uint32_t flags;		/* MMAP2 only */
			uint32_t maj, min;	/* MMAP2 without build id */
			uint64_t ino, ino_generation;
			const uint8_t *build_id; /* MMAP2 with MMAP_BUILD_ID */
			uint8_t build_id_size;
			const char *filename;
		} mmap;
		struct {
			uint32_t pid, tid;
			const char *comm;
		} comm;
		struct {
			uint32_t pid, ppid, tid, ptid;
			uint64_t time;
		} fork;			/* FORK and EXIT */
		struct {
			uint64_t aux_offset, aux_size, flags;
		} aux;
		struct {
			uint32_t pid, tid;
		} itrace_start;
		struct {
			uint64_t id, lost;
		} lost;
		struct {
			uint64_t hw_id;	/* CoreSight: [7:0] trace ID,
					 * [63:60] version */
		} aux_output_hw_id;
		struct {
			uint32_t type;
			const uint8_t *priv;	/* npriv u64 words, unaligned */
			size_t npriv;
		} auxtrace_info;
		struct {
			uint64_t size, offset, reference;
			uint32_t idx, tid, cpu;
			const uint8_t *data;	/* size bytes */
		} auxtrace;
		struct {
			uint64_t time_shift, time_mult, time_zero;
			/* perf 5.10+ (size >= 56): the
			 * cap_user_time_short fields */
			int has_short;
			uint64_t time_cycles, time_mask;
			uint8_t cap_user_time_zero, cap_user_time_short;
		} time_conv;
		struct {
			uint32_t next_prev_pid, next_prev_tid;
		} switch_cpu_wide;	/* SWITCH_CPU_WIDE */
		struct {
			uint64_t lost;
		} lost_samples;
		struct {
			uint64_t time, id, stream_id;
		} throttle;		/* THROTTLE, UNTHROTTLE */
		struct {
			/* uapi PERF_RECORD_SAMPLE: the fields up to
			 * PERIOD that its attr's sample_type selects */
			uint64_t sample_type, ip, addr, id, period;
			uint32_t pid, tid, cpu;
			uint64_t time;
		} sample;
	} u;
};

/* A HEADER_BUILD_ID entry: lowercase hex (up to 40 digits). */
struct hwt_perf_build_id {
	int32_t pid;
	char hex[41];
	const char *filename;
};

struct hwt_perf_attr {
	uint32_t type, size;
	uint64_t config, sample_type, flags;
	size_t nids;
};

struct hwt_perf_file;

/*
 * Maps and checks path: the header, the attribute section with its ids,
 * the feature sections (build ids, nrcpus, the auxtrace index).
 * Returns the file if: the header, attrs and feature table are sound.
 * Returns the file if: it is in pipe mode (format.txt "Pipe-mode data":
 * a 16-byte header; attrs and features come with the records).
 * Returns the file, with hwt_perf_warning set, if: the data section runs
 * past the end (a cut file: the data is read up to the cut, features are
 * ignored) or a feature section is damaged (features ignored).
 * Returns NULL with err set if: the file cannot be read, is not a
 * little-endian PERFILE2 file, or a header field or attr lies outside the file or is
 * inconsistent (the message names it and its file offset).
 */
struct hwt_perf_file *hwt_perf_open(const char *path, char *err,
				    size_t errlen);

/* The same over a caller's buffer (kept; tests and fuzzers).
 * Returns as hwt_perf_open. */
struct hwt_perf_file *hwt_perf_open_mem(const uint8_t *data, size_t size,
					char *err, size_t errlen);

/* Returns what hwt_perf_open found wrong but read past ("" if nothing). */
const char *hwt_perf_warning(const struct hwt_perf_file *f);

/* Returns nothing; f may be NULL. */
void hwt_perf_close(struct hwt_perf_file *f);

/* Returns the number of attrs (at least 1 in an open file). */
size_t hwt_perf_nattrs(const struct hwt_perf_file *f);
/* Returns attr i (i < hwt_perf_nattrs). */
const struct hwt_perf_attr *hwt_perf_attr(const struct hwt_perf_file *f,
					  size_t i);
/* Returns the number of HEADER_BUILD_ID entries (0 if none). */
size_t hwt_perf_nbuild_ids(const struct hwt_perf_file *f);
/* Returns build id entry i (i < hwt_perf_nbuild_ids). */
const struct hwt_perf_build_id *
hwt_perf_build_id(const struct hwt_perf_file *f, size_t i);
/* Returns HEADER_NRCPUS' online count, or 0 if the feature is absent. */
uint32_t hwt_perf_nrcpus(const struct hwt_perf_file *f);
/* Returns HEADER_CPUID's string (x86: "GenuineIntel,6,78,3"), or NULL if
 * absent or not terminated inside its section. */
const char *hwt_perf_cpuid(const struct hwt_perf_file *f);
/* Returns the number of HEADER_AUXTRACE index entries (0 if absent or
 * unusable: the index is not needed, the data section is walked). */
size_t hwt_perf_auxtrace_index_entries(const struct hwt_perf_file *f);

/* Called per record; returns <0 to stop (hwt_perf_records returns it). */
typedef int (*hwt_perf_rec_fn)(void *arg, const struct hwt_perf_rec *r);

/*
 * Calls fn for every record of the data section, in file order.  In pipe
 * mode the HEADER_ATTR, HEADER_BUILD_ID and HEADER_FEATURE records fill
 * f's attrs, build ids and features as they come (fn sees them too; each
 * walk starts them afresh).
 * Returns 0 if: every record was read and fn never stopped.
 * Returns fn's negative value if: fn stopped (err untouched).
 * Returns -1 with err set if: a record is damaged (size below its
 * header or its fields, past the data section, an unterminated string,
 * AUXTRACE data past the end) or the file is cut; fn has seen every
 * record before it; the message names the record type and its file
 * offset.
 */
int hwt_perf_records(struct hwt_perf_file *f, hwt_perf_rec_fn fn,
		     void *arg, char *err, size_t errlen);

/* Returns u64 word i of p (unaligned little-endian read). */
uint64_t hwt_perf_u64(const uint8_t *p, size_t i);

/* Returns the record type's name ("MMAP2", "AUXTRACE", ...), or "record"
 * for a type this reader does not decode. */
const char *hwt_perf_rec_name(uint32_t type);

#endif /* HWT_DECODER_PERF_FILE_H */
