/* SPDX-License-Identifier: BSD-2-Clause */
/* hwt decode: a session, a raw PT file or a CoreSight snapshot into an
 * SQLite database (libhwtdecode). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hwt/decode.h"
#include "hwt_cmds.h"
#include "store_reader.h"

/* FILE:VADDR or FILE:OFFSET-SIZE:VADDR (file names may contain ':'). */
static int add_raw(struct hwt_image *img, const char *arg, char *err,
		   size_t errlen)
{
	char *s = strdup(arg), *c, *c2, *dash;
	uint64_t vaddr, off = 0, size = 0;
	int rc = -1;

	if (!s)
		return -1;
	c = strrchr(s, ':');
	if (!c || hwt_parse_u64(c + 1, &vaddr) < 0) {
		snprintf(err, errlen, "--raw %s: expected FILE:VADDR or "
			 "FILE:OFFSET-SIZE:VADDR", arg);
		goto out;
	}
	*c = 0;
	c2 = strrchr(s, ':');
	if (c2 && (dash = strchr(c2 + 1, '-'))) {
		*dash = 0;
		if (hwt_parse_u64(c2 + 1, &off) == 0 &&
		    hwt_parse_u64(dash + 1, &size) == 0) {
			*c2 = 0;
		} else {
			*dash = '-';
		}
	}
	rc = hwt_image_add_raw(img, s, off, size, vaddr, err, errlen);
out:
	free(s);
	return rc;
}

static int add_elf(struct hwt_image *img, const char *arg, char *err,
		   size_t errlen)
{
	char *s = strdup(arg), *c;
	uint64_t base = 0;
	int have = 0, rc;

	if (!s)
		return -1;
	c = strrchr(s, ':');
	if (c && hwt_parse_u64(c + 1, &base) == 0) {
		*c = 0;
		have = 1;
	}
	rc = hwt_image_add_elf(img, s, base, have, err, errlen);
	free(s);
	return rc;
}

/* One SQLite number of the decoded database, -1 if it cannot be read. */
static long long db_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		v = -1;
	sqlite3_finalize(st);
	return v;
}

/* Bytes of trace in the input: the file, or what a session's streams
 * hold (store_reader.h: the session format is the store's); *lost: the
 * bytes a session's trace units lost. */
static unsigned long long input_bytes(const char *path,
				      unsigned long long *lost)
{
	struct hwt_store_stream *v;
	struct hwt_store_reader *r;
	unsigned long long n = 0;
	struct stat sb;
	size_t ns, i;

	*lost = 0;
	if (stat(path, &sb))
		return 0;
	if (!S_ISDIR(sb.st_mode))
		return (unsigned long long)sb.st_size;
	r = hwt_store_reader_open(path, NULL, 0);
	if (r && !hwt_store_reader_streams(r, &v, &ns, NULL, 0)) {
		for (i = 0; i < ns; i++) {
			n += (unsigned long long)v[i].bytes;
			*lost += (unsigned long long)v[i].lost;
		}
		free(v);
	}
	hwt_store_reader_close(r);
	return n;
}

/* While a decode runs on a terminal: one line on stderr, rewritten. */
struct progress {
	struct timespec t0;
	int shown;
};

static void progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	struct timespec t;
	double secs, rate;

	clock_gettime(CLOCK_MONOTONIC, &t);
	secs = (double)(t.tv_sec - p->t0.tv_sec) +
	       (double)(t.tv_nsec - p->t0.tv_nsec) / 1e9;
	rate = secs > 0 ? (double)done / secs : 0;
	if (total && done <= total && rate > 0)
		fprintf(stderr, "\rhwt decode: %.1f of %.1f MB (%.0f%%), "
			"%.1f MB/s, %.0f s left\033[K", (double)done / 1e6,
			(double)total / 1e6, 100.0 * (double)done /
			(double)total, rate / 1e6,
			(double)(total - done) / rate);
	else
		fprintf(stderr, "\rhwt decode: %.1f MB, %.1f MB/s\033[K",
			(double)done / 1e6, rate / 1e6);
	p->shown = 1;
}

/* After a decode: one line on stderr saying what it gave and how fast. */
static void summary(const char *out, const char *input, double secs)
{
	unsigned long long lost, bytes = input_bytes(input, &lost);
	long long insns, streams, threads, errors, overflows;
	char loss[64] = "";
	sqlite3 *db;

	if (!strcmp(out, ":memory:") ||
	    sqlite3_open_v2(out, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return;
	insns = db_count(db, "SELECT COALESCE(SUM(insn_count), 0) FROM "
			 "streams");
	streams = db_count(db, "SELECT COUNT(*) FROM streams");
	threads = db_count(db, "SELECT COUNT(DISTINCT thread_id) FROM "
			   "streams");
	errors = db_count(db, "SELECT COUNT(*) FROM errors");
	overflows = db_count(db, "SELECT COUNT(*) FROM errors WHERE kind = "
			     "'overflow'");
	sqlite3_close(db);
	if (insns < 0 || streams < 0 || threads < 0 || errors < 0 ||
	    overflows < 0)
		return;
	/* What a gap hid cannot be counted in instructions: the trace
	 * says nothing of them.  Say what it can: overflows, bytes lost. */
	if (overflows || lost)
		snprintf(loss, sizeof(loss), " (%lld overflow%s, %llu bytes "
			 "lost)", overflows, overflows == 1 ? "" : "s", lost);
	fprintf(stderr, "hwt decode: %lld instructions in %lld stream%s "
		"(%lld thread%s), %lld error%s or gap%s%s; %llu trace bytes "
		"in %.2f s (%.1f MB/s) -> %s\n", insns, streams,
		streams == 1 ? "" : "s", threads, threads == 1 ? "" : "s",
		errors, errors == 1 ? "" : "s", errors == 1 ? "" : "s", loss,
		bytes, secs, secs > 0 ? (double)bytes / secs / 1e6 : 0.0, out);
}

int hwt_cmd_decode(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pt", required_argument, NULL, 'p' },
		{ "raw", required_argument, NULL, 'r' },
		{ "elf", required_argument, NULL, 'e' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "snapshot", required_argument, NULL, 's' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-calls", no_argument, NULL, 'n' },
		{ "segmented", no_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "mode", required_argument, NULL, 'm' },
		{ "perf-data", required_argument, NULL, 'P' },
		{ "buildid-dir", required_argument, NULL, 'B' },
		{ "symfs", required_argument, NULL, 'Y' },
		{ "debug-dir", required_argument, NULL, 'D' },
		{ "no-cache", no_argument, NULL, 'C' },
		/* Test switches (hwt_decode_test_opts; docs/decoder.md),
		 * not in the usage. */
		{ "test-pt-no-fastpath", required_argument, NULL, 1 },
		{ "test-pt-segment-min", required_argument, NULL, 2 },
		{ "test-cs-no-fork", no_argument, NULL, 3 },
		{ "test-cs-abort-on-child-exit", no_argument, NULL, 4 },
		{ "test-progress-unthrottled", no_argument, NULL, 5 },
		{ "test-pt-reverse-segments", no_argument, NULL, 6 },
		{ "test-db-writer", required_argument, NULL, 7 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hwt_decode_opts o;
	struct hwt_dwarf_cache_stats cstats;
	struct hwt_pt_stats ptstats;
	struct timespec t0, t1;
	struct progress meter = { .shown = 0 };
	struct hwt_image *img = hwt_image_alloc();
	const char *pt = NULL, *snap = NULL, *perf = NULL;
	char err[1024] = "", bdir[4096], cdir[4096];
	struct {
		const char *arg;
		int raw;
	} files[256];
	size_t nfiles = 0, i;
	int opt, rc = 2, no_cache = 0;

	memset(&o, 0, sizeof(o));
	memset(&cstats, 0, sizeof(cstats));
	memset(&ptstats, 0, sizeof(ptstats));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:qfh", lo, NULL)) != -1) {
		switch (opt) {
		case 'f': o.force = 1; break;
		case 'm': {
			char *end;
			unsigned long m = strtoul(optarg, &end, 8);

			if (!*optarg || *end || !m || m > 0666) {
				snprintf(err, sizeof(err), "--mode %s: an "
					 "octal file mode such as 0644 "
					 "expected", optarg);
				goto fail;
			}
			o.mode = (unsigned)m;
			break;
		}
		case 'p': pt = optarg; break;
		case 's': snap = optarg; break;
		case 'b': o.snapshot_buffer = optarg; break;
		case 'P': perf = optarg; break;
		case 'B': o.buildid_dir = optarg; break;
		case 'Y': o.symfs = optarg; break;
		case 'c': o.cpu = optarg; break;
		case 'o': o.out = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'n': o.no_calls = 1; break;
		case 'S': o.segmented = 1; break;
		case 't': {
			uint64_t n;

			if (hwt_parse_u64(optarg, &n) < 0 || n > 256) {
				snprintf(err, sizeof(err), "--threads %s: a number "
					 "from 0 (automatic) to 256 expected",
					 optarg);
				rc = 2;
				goto fail;
			}
			o.threads = (int)n;
			break;
		}
		case 1:
			o.test.pt_no_fastpath = atoi(optarg);
			break;
		case 2:
			if (hwt_parse_u64(optarg, &o.test.pt_segment_min) < 0) {
				snprintf(err, sizeof(err), "--test-pt-segment-"
					 "min %s: a byte count expected",
					 optarg);
				goto fail;
			}
			break;
		case 3: o.test.cs_no_fork = 1; break;
		case 4: o.test.cs_abort_on_child_exit = 1; break;
		case 5: o.test.progress_unthrottled = 1; break;
		case 6: o.test.pt_reverse_segments = 1; break;
		case 7: o.test.db_writer = atoi(optarg); break;
		case 'r':
		case 'e':
			/* added after the options: --debug-dir applies */
			if (nfiles == sizeof(files) / sizeof(files[0])) {
				snprintf(err, sizeof(err), "more than %zu --elf "
					 "and --raw files", nfiles);
				rc = 2;
				goto fail;
			}
			files[nfiles].arg = optarg;
			files[nfiles++].raw = opt == 'r';
			break;
		case 'D': o.debug_dirs = optarg; break;
		case 'C': no_cache = 1; break;
		case 'h':
			hwt_image_free(img);
			return hwt_usage_of("decode", stdout, 0);
		default:
			hwt_image_free(img);
			return hwt_usage_of("decode", stderr, 2);
		}
	}
	hwt_image_set_debug_dirs(img, o.debug_dirs);
	for (i = 0; i < nfiles; i++) {
		if ((files[i].raw ? add_raw : add_elf)(img, files[i].arg, err,
						       sizeof(err)) < 0) {
			rc = 1;
			goto fail;
		}
	}
	if (!o.out) {
		snprintf(err, sizeof(err), "no output given (-o OUT.db)");
		goto fail;
	}
	if (o.cpu) {
		unsigned f, m, s;

		if (hwt_parse_cpu(o.cpu, &f, &m, &s) < 0) {
			snprintf(err, sizeof(err), "unknown CPU '%s' (expected "
				 "family/model[/stepping])", o.cpu);
			goto fail;
		}
	}
	/* perf's default build-id cache (the library reads no environment) */
	if (!o.buildid_dir && getenv("HOME")) {
		snprintf(bdir, sizeof(bdir), "%s/.debug/.build-id",
			 getenv("HOME"));
		o.buildid_dir = bdir;
	}
	/* The DWARF cache: XDG's cache directory (the library reads no
	 * environment); relative paths are not XDG's, so not used. */
	if (!no_cache) {
		const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
		int n = -1;

		if (x && x[0] == '/')
			n = snprintf(cdir, sizeof(cdir), "%s/hwt", x);
		else if (h && h[0] == '/')
			n = snprintf(cdir, sizeof(cdir), "%s/.cache/hwt", h);
		if (n > 0 && n < (int)sizeof(cdir))
			o.dwarf_cache = cdir;
	}
	o.dwarf_cache_stats = &cstats;
	o.pt_stats = &ptstats;
	/* perf.data: --perf-data FILE, or a FILE with its magic */
	if (!perf && !pt && !snap && optind == argc - 1 &&
	    hwt_is_perf_data(argv[optind]))
		perf = argv[optind++];
	if (o.snapshot_buffer && !snap) {
		snprintf(err, sizeof(err), "--buffer picks a trace buffer of a"
			 " --snapshot input");
		rc = 2;
		goto fail;
	}
	if (nfiles && !pt && !snap) {
		/* A session's and a perf.data's images are their records'. */
		snprintf(err, sizeof(err), "--elf and --raw give the image of "
			 "--pt or --snapshot input; a %s names its own",
			 perf ? "perf.data" : "session");
		rc = 2;
		goto fail;
	}
	rc = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	meter.t0 = t0;
	if (!o.quiet && isatty(STDERR_FILENO)) {
		o.progress = progress;
		o.progress_arg = &meter;
	}
	if (perf && !pt && !snap && optind == argc)
		rc = hwt_decode_perf_data(perf, &o, err, sizeof(err));
	else if (pt && !snap && !perf && optind == argc)
		rc = hwt_decode_pt_file(pt, img, &o, err, sizeof(err));
	else if (snap && !pt && !perf && optind == argc)
		rc = hwt_decode_snapshot(snap, img, &o, err, sizeof(err));
	else if (!pt && !snap && !perf && optind == argc - 1)
		rc = hwt_decode_session(argv[optind], &o, err, sizeof(err));
	else {
		snprintf(err, sizeof(err), "give exactly one input: SESSION, "
			 "--pt FILE, --snapshot DIR or --perf-data FILE");
		rc = -2;
	}
	if (meter.shown)
		fputs("\r\033[K", stderr);	/* the summary takes its place */
	if (rc < 0)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!o.quiet)
		summary(o.out, perf ? perf : pt ? pt : snap ? snap :
			argv[optind], (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* Where a PT decode was slow: the part of the trace the fast
	 * path gave to libipt (docs/decoder.md "The fast path"). */
	if (!o.quiet && (ptstats.fast_bytes || ptstats.libipt_bytes))
		fprintf(stderr, "hwt decode: Intel PT in PSB segments: %llu "
			"trace bytes by the fast path, %llu by libipt's block "
			"decoder (packets it does not model)%s\n",
			(unsigned long long)ptstats.fast_bytes,
			(unsigned long long)ptstats.libipt_bytes,
			ptstats.whole_bytes ? "; more in one piece" : "");
	if (!o.quiet && (cstats.hits || cstats.written || cstats.rejected))
		fprintf(stderr, "hwt decode: DWARF cache %s: %lu binar%s read "
			"from it, %lu written, %lu damaged\n", o.dwarf_cache,
			cstats.hits, cstats.hits == 1 ? "y" : "ies",
			cstats.written, cstats.rejected);
	hwt_image_free(img);
	return 0;
fail:
	fprintf(stderr, "hwt decode: %s\n", err[0] ? err : "failed");
	hwt_image_free(img);
	return rc == -2 || rc == 2 ? 2 : 1;
}

