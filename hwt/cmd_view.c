/* SPDX-License-Identifier: BSD-2-Clause */
/* hwt replay, report, query: read a decoded database (libhwtdecode). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwt/decode.h"
#include "hwt_cmds.h"

int hwt_cmd_replay(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "thread", required_argument, NULL, 't' },
		{ "stream", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hwt_replay_opts o = { -1, -1, 0, 0, HWT_REPLAY_ADDR };
	static char obuf[1 << 16];
	uint64_t v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 't':
		case 's':
			if (hwt_parse_u64(optarg, &v) < 0)
				goto bad;
			if (opt == 't')
				o.tid = (int64_t)v;
			else
				o.stream = (int64_t)v;
			break;
		case 'f':
			if (hwt_parse_u64(optarg, &o.from) < 0)
				goto bad;
			break;
		case 'c':
			if (hwt_parse_u64(optarg, &o.count) < 0)
				goto bad;
			break;
		case 'F':
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
	if (optind != argc - 1)
		return hwt_usage_of("replay", stderr, 2);
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	return hwt_replay(argv[optind], &o, stdout) < 0 ? 1 : 0;
bad:
	fprintf(stderr, "hwt replay: bad value '%s'\n", optarg);
	return 2;
}

int hwt_cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, top = 20;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n': top = atoi(optarg); break;
		case 'h': return hwt_usage_of("report", stdout, 0);
		default: return hwt_usage_of("report", stderr, 2);
		}
	}
	if (optind != argc - 1)
		return hwt_usage_of("report", stderr, 2);
	return hwt_report(argv[optind], top > 0 ? top : 20, stdout) < 0;
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
	return hwt_query(argv[optind], argv[optind + 1], csv, stdout) < 0;
}

