/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hwt: hardware trace command line.  One table entry per subcommand; each
 * handler gets argv from the subcommand name on.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwt/decode.h"
#include "hwt_cmds.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

static const struct cmd *find_cmd(const char *name);

int hwt_usage_of(const char *name, FILE *f, int rc)
{
	const struct cmd *c = find_cmd(name);

	if (c)
		fprintf(f, "usage: %s\n", c->usage);
	return rc;
}

int hwt_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

static const struct cmd cmds[] = {
	{ "decode", hwt_cmd_decode, "decode a trace into an SQLite database",
	  HWT_DECODE_USAGE },
	{ "replay", hwt_cmd_replay, "print the executed instructions",
	  HWT_REPLAY_USAGE },
	{ "report", hwt_cmd_report, "top functions and call tree",
	  HWT_REPORT_USAGE },
	{ "query", hwt_cmd_query, "run SQL on a decoded database",
	  HWT_QUERY_USAGE },
	{ "export", hwt_cmd_export, "profiles (AutoFDO, BOLT), Perfetto, perf.data",
	  HWT_EXPORT_USAGE },
	{ "flamegraph", hwt_cmd_flamegraph, "folded stacks from a database",
	  HWT_FLAMEGRAPH_USAGE },
	{ "record", hwt_cmd_record, "record a trace (via hwtd)", HWT_RECORD_USAGE },
	{ "stop", hwt_cmd_stop, "stop a session", HWT_STOP_USAGE },
	{ "snapshot", hwt_cmd_snapshot, "flush / dump a session", HWT_SNAPSHOT_USAGE },
	{ "status", hwt_cmd_status, "list hwtd's sessions", HWT_STATUS_USAGE },
	{ "info", hwt_cmd_info, "summarize a session directory", HWT_INFO_USAGE },
	{ "fsck", hwt_cmd_fsck, "check and repair a session", HWT_FSCK_USAGE },
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int usage(FILE *f, int rc)
{
	size_t i;

	fprintf(f, "usage: hwt COMMAND [ARGS]   (hwt COMMAND --help)\n\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	return rc;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "--version")) {
		printf("hwt %s\n", HWT_VERSION);
		return 0;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "hwt: unknown command '%s'\n", argv[1]);
		return usage(stderr, 2);
	}
	/* One convention for every command, whatever its own parser takes. */
	if (argc == 3 && !strcmp(argv[2], "--help"))
		return hwt_usage_of(c->name, stdout, 0);
	return c->fn(argc - 1, argv + 1);
}
