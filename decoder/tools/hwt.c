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
#include "../../hwtd/client/client.h"	/* record, stop, ... (hwtd) */

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

static const struct cmd *find_cmd(const char *name);

static int usage_of(const char *name, FILE *f, int rc)
{
	const struct cmd *c = find_cmd(name);

	if (c)
		fprintf(f, "usage: %s\n", c->usage);
	return rc;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

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
	if (!c || parse_u64(c + 1, &vaddr) < 0) {
		snprintf(err, errlen, "--raw %s: expected FILE:VADDR or "
			 "FILE:OFFSET-SIZE:VADDR", arg);
		goto out;
	}
	*c = 0;
	c2 = strrchr(s, ':');
	if (c2 && (dash = strchr(c2 + 1, '-'))) {
		*dash = 0;
		if (parse_u64(c2 + 1, &off) == 0 &&
		    parse_u64(dash + 1, &size) == 0) {
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
	if (c && parse_u64(c + 1, &base) == 0) {
		*c = 0;
		have = 1;
	}
	rc = hwt_image_add_elf(img, s, base, have, err, errlen);
	free(s);
	return rc;
}

static int cmd_decode(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pt", required_argument, NULL, 'p' },
		{ "raw", required_argument, NULL, 'r' },
		{ "elf", required_argument, NULL, 'e' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "snapshot", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-calls", no_argument, NULL, 'n' },
		{ "segmented", no_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'f' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct hwt_decode_opts o;
	struct hwt_image *img = hwt_image_alloc();
	const char *pt = NULL, *snap = NULL;
	char err[1024] = "";
	int opt, rc = 2;

	memset(&o, 0, sizeof(o));
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
		case 'c': o.cpu = optarg; break;
		case 'o': o.out = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'n': o.no_calls = 1; break;
		case 'S': o.segmented = 1; break;
		case 't': o.threads = atoi(optarg); break;
		case 'r':
			if (add_raw(img, optarg, err, sizeof(err)) < 0) {
				rc = 1;
				goto fail;
			}
			break;
		case 'e':
			if (add_elf(img, optarg, err, sizeof(err)) < 0) {
				rc = 1;
				goto fail;
			}
			break;
		case 'h':
			hwt_image_free(img);
			return usage_of("decode", stdout, 0);
		default:
			hwt_image_free(img);
			return usage_of("decode", stderr, 2);
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
	rc = 1;
	if (pt && !snap && optind == argc)
		rc = hwt_decode_pt_file(pt, img, &o, err, sizeof(err));
	else if (snap && !pt && optind == argc)
		rc = hwt_decode_snapshot(snap, img, &o, err, sizeof(err));
	else if (!pt && !snap && optind == argc - 1)
		rc = hwt_decode_session(argv[optind], &o, err, sizeof(err));
	else {
		snprintf(err, sizeof(err), "give exactly one input: SESSION, "
			 "--pt FILE or --snapshot DIR");
		rc = -2;
	}
	if (rc < 0)
		goto fail;
	hwt_image_free(img);
	return 0;
fail:
	fprintf(stderr, "hwt decode: %s\n", err[0] ? err : "failed");
	hwt_image_free(img);
	return rc == -2 || rc == 2 ? 2 : 1;
}

static int cmd_replay(int argc, char **argv)
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
			if (parse_u64(optarg, &v) < 0)
				goto bad;
			if (opt == 't')
				o.tid = (int64_t)v;
			else
				o.stream = (int64_t)v;
			break;
		case 'f':
			if (parse_u64(optarg, &o.from) < 0)
				goto bad;
			break;
		case 'c':
			if (parse_u64(optarg, &o.count) < 0)
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
			return usage_of("replay", stdout, 0);
		default:
			return usage_of("replay", stderr, 2);
		}
	}
	if (optind != argc - 1)
		return usage_of("replay", stderr, 2);
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	return hwt_replay(argv[optind], &o, stdout) < 0 ? 1 : 0;
bad:
	fprintf(stderr, "hwt replay: bad value '%s'\n", optarg);
	return 2;
}

static int cmd_report(int argc, char **argv)
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
		case 'h': return usage_of("report", stdout, 0);
		default: return usage_of("report", stderr, 2);
		}
	}
	if (optind != argc - 1)
		return usage_of("report", stderr, 2);
	return hwt_report(argv[optind], top > 0 ? top : 20, stdout) < 0;
}

static int cmd_query(int argc, char **argv)
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
		case 'h': return usage_of("query", stdout, 0);
		default: return usage_of("query", stderr, 2);
		}
	}
	if (optind != argc - 2)
		return usage_of("query", stderr, 2);
	return hwt_query(argv[optind], argv[optind + 1], csv, stdout) < 0;
}

static const struct cmd cmds[] = {
	{ "decode", cmd_decode, "decode a trace into an SQLite database",
	  "hwt decode (SESSION | --pt FILE | --snapshot DIR)\n"
	  "         [--raw FILE:VADDR | --raw FILE:OFFSET-SIZE:VADDR |\n"
	  "          --elf FILE[:BASE]]... [--cpu F/M[/S]] [--threads N]\n"
	  "         [--segmented] [--no-calls] [-q] [--force] [--mode MODE]\n"
	  "         -o OUT.db" },
	{ "replay", cmd_replay, "print the executed instructions",
	  "hwt replay DB [--thread TID] [--stream ID] [--from N --count K]\n"
	  "         [--format addr|insn|line]" },
	{ "report", cmd_report, "top functions and call tree",
	  "hwt report DB [--top N]" },
	{ "query", cmd_query, "run SQL on a decoded database",
	  "hwt query DB [--csv] \"SQL\"" },
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
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "hwt: unknown command '%s'\n", argv[1]);
		return usage(stderr, 2);
	}
	return c->fn(argc - 1, argv + 1);
}
