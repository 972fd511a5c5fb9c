/* SPDX-License-Identifier: BSD-2-Clause */
/* hwt replay, report, query, export: read a decoded database (libhwtdecode). */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hwt/decode.h"
#include "hwt_cmds.h"

/*
 * These commands read a decoded database; a session directory given
 * instead gets the command that makes one, not SQLite's "disk I/O error".
 * Returns 0 if db may be a database, 1 (message printed) if it is a
 * directory.
 */
static int not_a_session(const char *cmd, const char *db)
{
	char probe[4096];
	struct stat sb;

	if (stat(db, &sb) || !S_ISDIR(sb.st_mode))
		return 0;
	snprintf(probe, sizeof(probe), "%s/session.db", db);
	if (!lstat(probe, &sb))
		fprintf(stderr, "hwt %s: %s is a trace session; %s reads the "
			"database hwt decode makes of it: hwt decode %s -o "
			"OUT.db, then hwt %s OUT.db\n", cmd, db, cmd, db, cmd);
	else
		fprintf(stderr, "hwt %s: %s is a directory, not a decoded "
			"database\n", cmd, db);
	return 1;
}

/*
 * A --time value: A,B, A, (from A on) or ,B (up to B), times on the
 * streams' clocks.
 * Returns 0 with the slice in o if arg is one.
 * Returns -1 if it is not (no number, B before A, anything else).
 */
static int parse_time(const char *arg, struct hwt_replay_opts *o)
{
	const char *comma = strchr(arg, ',');
	char a[32];
	size_t n;

	if (!comma || (size_t)(comma - arg) >= sizeof(a))
		return -1;
	n = (size_t)(comma - arg);
	memcpy(a, arg, n);
	a[n] = 0;
	o->time_from = 0;
	o->time_to = UINT64_MAX;
	if ((n && hwt_parse_u64(a, &o->time_from) < 0) ||
	    (comma[1] && hwt_parse_u64(comma + 1, &o->time_to) < 0) ||
	    (!n && !comma[1]) || o->time_to < o->time_from)
		return -1;
	o->time_slice = 1;
	return 0;
}

/* A --thread value.  Returns the thread id, or -1 (message printed) if
 * arg is not one. */
static int64_t parse_tid(const char *cmd, const char *arg)
{
	uint64_t n;

	if (hwt_parse_u64(arg, &n) < 0 || n > INT32_MAX) {
		fprintf(stderr, "hwt %s: --thread %s: a thread id expected\n",
			cmd, arg);
		return -1;
	}
	return (int64_t)n;
}

int hwt_cmd_replay(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "thread", required_argument, NULL, 't' },
		{ "stream", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 'T' },
		{ "markers", no_argument, NULL, 'M' },
		{ "format", required_argument, NULL, 'm' },
		{ "fields", required_argument, NULL, 'F' },
		{ "calls", no_argument, NULL, 'C' },
		{ "func", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hwt_replay_opts o = { .tid = -1, .stream = -1,
				     .format = HWT_REPLAY_ADDR };
	char why[160];
	struct hwt_calls_opts co = { -1, NULL };
	static char obuf[1 << 16];
	int opt, calls = 0, flow_opts = 0;
	uint64_t v;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hF:", lo, NULL)) != -1) {
		switch (opt) {
		case 'F':
			if (hwt_replay_fields_check(optarg, why,
						    sizeof(why)) < 0) {
				fprintf(stderr, "hwt replay: -F %s: %s\n",
					optarg, why);
				return 2;
			}
			o.fields = optarg;
			flow_opts = 1;
			break;
		case 't':
		case 's':
			if (hwt_parse_u64(optarg, &v) < 0)
				goto bad;
			if (opt == 't') {
				o.tid = (int64_t)v;
				co.tid = (int64_t)v;
			} else {
				o.stream = (int64_t)v;
				flow_opts = 1;
			}
			break;
		case 'f':
			if (hwt_parse_u64(optarg, &o.from) < 0)
				goto bad;
			flow_opts = 1;
			break;
		case 'c':
			if (hwt_parse_u64(optarg, &o.count) < 0)
				goto bad;
			flow_opts = 1;
			break;
		case 'T':
			if (parse_time(optarg, &o) < 0) {
				fprintf(stderr, "hwt replay: --time %s: A,B, A,"
					" or ,B expected (times on the trace's "
					"clock, A <= B)\n", optarg);
				return 2;
			}
			flow_opts = 1;
			break;
		case 'M':
			o.markers = 1;
			flow_opts = 1;
			break;
		case 'C':
			calls = 1;
			break;
		case 'u':
			if (!*optarg)
				goto bad;
			co.func = optarg;
			break;
		case 'm':
			flow_opts = 1;
			if (!strcmp(optarg, "addr"))
				o.format = HWT_REPLAY_ADDR;
			else if (!strcmp(optarg, "insn"))
				o.format = HWT_REPLAY_INSN;
			else if (!strcmp(optarg, "line"))
				o.format = HWT_REPLAY_LINE;
			else
				goto bad;
			break;
		case 'h':
			return hwt_usage_of("replay", stdout, 0);
		default:
			return hwt_usage_of("replay", stderr, 2);
		}
	}
	if (optind != argc - 1 || (calls && flow_opts) || (co.func && !calls))
		return hwt_usage_of("replay", stderr, 2);
	if (not_a_session("replay", argv[optind]))
		return 1;
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (calls)
		return hwt_replay_calls(argv[optind], &co, stdout) < 0 ? 1 : 0;
	return hwt_replay(argv[optind], &o, stdout) < 0 ? 1 : 0;
bad:
	fprintf(stderr, "hwt replay: bad value '%s'\n", optarg);
	return 2;
}

int hwt_cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "diff", no_argument, NULL, 'd' },
		{ "latency", required_argument, NULL, 'l' },
		{ "inline", no_argument, NULL, 'i' },
		{ "sort", required_argument, NULL, 's' },
		{ "children", no_argument, NULL, 'c' },
		{ "thread", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const sorts[] = { "self", "calls", "total",
		"name" };
	struct hwt_report_opts ro = { .top = 20, .tid = -1 };
	const char *latency = NULL;
	int opt, top = 20, diff = 0, tree_opts = 0, inl = 0;
	size_t i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n': {
			uint64_t n;

			if (hwt_parse_u64(optarg, &n) < 0 || !n || n > 1000000) {
				fprintf(stderr, "hwt report: --top %s: a number "
					"from 1 to 1000000 expected\n", optarg);
				return 2;
			}
			top = (int)n;
			break;
		}
		case 'd': diff = 1; break;
		case 'i': inl = 1; break;
		case 's':
			for (i = 0; i < 4 && strcmp(optarg, sorts[i]); i++)
				;
			if (i == 4) {
				fprintf(stderr, "hwt report: --sort %s: one of "
					"self, calls, total, name expected\n",
					optarg);
				return 2;
			}
			ro.sort = (enum hwt_report_sort)(HWT_REPORT_SORT_SELF +
							 (int)i);
			tree_opts = 1;
			break;
		case 'c': ro.children = 1; tree_opts = 1; break;
		case 't':
			ro.tid = parse_tid("report", optarg);
			if (ro.tid < 0)
				return 2;
			tree_opts = 1;
			break;
		case 'l':
			if (!*optarg)
				return hwt_usage_of("report", stderr, 2);
			latency = optarg;
			break;
		case 'h': return hwt_usage_of("report", stdout, 0);
		default: return hwt_usage_of("report", stderr, 2);
		}
	}
	if ((diff && latency) || (tree_opts && (diff || latency)) ||
	    (inl && (diff || latency || ro.sort || ro.children)))
		return hwt_usage_of("report", stderr, 2);
	if (inl) {
		if (optind != argc - 1)
			return hwt_usage_of("report", stderr, 2);
		if (not_a_session("report", argv[optind]))
			return 1;
		return hwt_report_inline(argv[optind], ro.tid, top,
					 stdout) < 0;
	}
	if (latency) {
		if (optind != argc - 1)
			return hwt_usage_of("report", stderr, 2);
		if (not_a_session("report", argv[optind]))
			return 1;
		return hwt_report_latency(argv[optind], latency, stdout) < 0;
	}
	if (diff) {
		if (optind != argc - 2)
			return hwt_usage_of("report", stderr, 2);
		if (not_a_session("report", argv[optind]) ||
		    not_a_session("report", argv[optind + 1]))
			return 1;
		return hwt_report_diff(argv[optind], argv[optind + 1], top,
				       stdout) < 0;
	}
	if (optind != argc - 1)
		return hwt_usage_of("report", stderr, 2);
	if (not_a_session("report", argv[optind]))
		return 1;
	ro.top = top;
	return hwt_report(argv[optind], &ro, stdout) < 0;
}

int hwt_cmd_query(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, csv = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'c': csv = 1; break;
		case 'h': return hwt_usage_of("query", stdout, 0);
		default: return hwt_usage_of("query", stderr, 2);
		}
	}
	if (optind != argc - 2)
		return hwt_usage_of("query", stderr, 2);
	if (not_a_session("query", argv[optind]))
		return 1;
	return hwt_query(argv[optind], argv[optind + 1], csv, stdout) < 0;
}


/* A count option's value: 0 if it is a number in 0..max, else -1. */
static int count_arg(const char *what, const char *s, uint64_t max,
		     uint64_t *v)
{
	if (hwt_parse_u64(s, v) < 0 || *v > max) {
		fprintf(stderr, "hwt export: %s %s: a number from 0 to %"
			PRIu64 " expected\n", what, s, max);
		return -1;
	}
	return 0;
}

int hwt_cmd_export(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "autofdo", required_argument, NULL, 'a' },
		{ "bolt", required_argument, NULL, 'b' },
		{ "profgen", required_argument, NULL, 'g' },
		{ "perfetto", required_argument, NULL, 'p' },
		{ "perf-data", required_argument, NULL, 'P' },
		{ "binary", required_argument, NULL, 'B' },
		{ "sample", required_argument, NULL, 's' },
		{ "clock", required_argument, NULL, 'c' },
		{ "min-duration", required_argument, NULL, 'm' },
		{ "max-events", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hwt_timeline_opts t;
	struct hwt_export_opts o;
	const char *outpath = NULL;
	int opt, rc, perfetto = 0, perf_data = 0, tl_opts = 0, prof_opts = 0;
	FILE *out;

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'a':
		case 'b':
		case 'g':
		case 'p':
		case 'P':
			if (outpath) {
				fprintf(stderr, "hwt export: one of --autofdo, "
					"--bolt, --profgen, --perfetto and "
					"--perf-data, once\n");
				return 2;
			}
			o.format = opt == 'a' ? HWT_EXPORT_AUTOFDO :
				   opt == 'g' ? HWT_EXPORT_PROFGEN :
				   HWT_EXPORT_BOLT;
			perfetto = opt == 'p';
			perf_data = opt == 'P';
			outpath = optarg;
			break;
		case 'B': o.binary = optarg; prof_opts = 1; break;
		case 's': {
			uint64_t n;

			if (hwt_parse_u64(optarg, &n) < 0 || !n ||
			    n > 1000000000) {
				fprintf(stderr, "hwt export: --sample %s: a "
					"number from 1 to 1000000000 "
					"expected\n", optarg);
				return 2;
			}
			o.sample = (uint32_t)n;
			prof_opts = 1;
			break;
		}
		case 'c':
			if (strcmp(optarg, "insn") && strcmp(optarg, "time")) {
				fprintf(stderr, "hwt export: --clock %s: insn"
					" or time expected\n", optarg);
				return 2;
			}
			t.clock_time = !strcmp(optarg, "time");
			tl_opts = 1;
			break;
		case 'm':
			if (count_arg("--min-duration", optarg, UINT64_MAX / 2,
				      &t.min_duration))
				return 2;
			tl_opts = 1;
			break;
		case 'M':
			if (count_arg("--max-events", optarg, 1000000000,
				      &t.max_events))
				return 2;
			tl_opts = 1;
			break;
		case 'h': return hwt_usage_of("export", stdout, 0);
		default: return hwt_usage_of("export", stderr, 2);
		}
	}
	if (!outpath || !*outpath || optind != argc - 1)
		return hwt_usage_of("export", stderr, 2);
	if (perf_data) {
		char err[1024];

		if (tl_opts || prof_opts) {
			fprintf(stderr, "hwt export: --perf-data takes no "
				"other option\n");
			return 2;
		}
		if (hwt_export_perf_data(argv[optind], outpath, err,
					 sizeof(err)) < 0) {
			fprintf(stderr, "hwt export: %s\n", err);
			return 1;
		}
		return 0;
	}
	if ((perfetto && prof_opts) || (!perfetto && tl_opts)) {
		fprintf(stderr, "hwt export: --binary and --sample go with "
			"--autofdo/--bolt/--profgen; --clock, "
			"--min-duration and "
			"--max-events with --perfetto\n");
		return 2;
	}
	if (not_a_session("export", argv[optind]))
		return 1;
	out = strcmp(outpath, "-") ? fopen(outpath, "w") : stdout;
	if (!out) {
		fprintf(stderr, "hwt export: %s: %s\n", outpath,
			strerror(errno));
		return 1;
	}
	rc = perfetto ? hwt_timeline_json(argv[optind], &t, out) :
			hwt_export(argv[optind], &o, out);
	if (out != stdout) {
		if (fclose(out) && !rc) {
			fprintf(stderr, "hwt export: %s: %s\n", outpath,
				strerror(errno));
			rc = -1;
		}
		if (rc)
			unlink(outpath);	/* no half a file */
	} else if (fflush(out) && !rc) {
		rc = -1;
	}
	return rc ? 1 : 0;
}

int hwt_cmd_flamegraph(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "folded", no_argument, NULL, 'f' },
		{ "svg", required_argument, NULL, 'S' },
		{ "per-thread", no_argument, NULL, 'p' },
		{ "thread", required_argument, NULL, 't' },
		{ "weight", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hwt_flame_opts o = { .tid = -1 };
	const char *outpath = NULL, *svg = NULL;
	int opt, rc, folded = 0;
	FILE *out;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'f': folded = 1; break;
		case 'S': svg = optarg; break;
		case 'p': o.per_thread = 1; break;
		case 'w':
			if (strcmp(optarg, "insn") && strcmp(optarg, "time")) {
				fprintf(stderr, "hwt flamegraph: --weight %s: "
					"insn or time expected\n", optarg);
				return 2;
			}
			o.weight_time = !strcmp(optarg, "time");
			break;
		case 'o': outpath = optarg; break;
		case 't':
			o.tid = parse_tid("flamegraph", optarg);
			if (o.tid < 0)
				return 2;
			break;
		case 'h': return hwt_usage_of("flamegraph", stdout, 0);
		default: return hwt_usage_of("flamegraph", stderr, 2);
		}
	}
	/* One output, named: --folded (to -o or stdout) or --svg FILE. */
	if (folded == !!svg || optind != argc - 1 ||
	    (outpath && (!*outpath || svg)) || (svg && !*svg))
		return hwt_usage_of("flamegraph", stderr, 2);
	if (not_a_session("flamegraph", argv[optind]))
		return 1;
	if (svg)
		outpath = svg;
	out = outpath && strcmp(outpath, "-") ? fopen(outpath, "w") : stdout;
	if (!out) {
		fprintf(stderr, "hwt flamegraph: %s: %s\n", outpath,
			strerror(errno));
		return 1;
	}
	rc = svg ? hwt_flame_svg(argv[optind], &o, argv[optind], out) :
		   hwt_flame_folded(argv[optind], &o, out);
	if (out != stdout) {
		if (fclose(out) && !rc) {
			fprintf(stderr, "hwt flamegraph: %s: %s\n", outpath,
				strerror(errno));
			rc = -1;
		}
		if (rc)
			unlink(outpath);
	}
	return rc ? 1 : 0;
}
