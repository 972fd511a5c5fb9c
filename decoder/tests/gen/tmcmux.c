/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tmcmux: one TMC shared by several trace units, as hwt_coresight's CPU
 * mode on the Juno shape fills it, for the decoder's tests: the units'
 * raw ETMv4 (etegen --etm4 1 runs) through one formatter, the backend's
 * own cs_fmt_put (backends/coresight/cs_tmc.c, checked against
 * OpenCSD's deformatter by test_tmc), in the order a script gives, and
 * at each switch a flush (cs_fmt_flush, the FlushMan at the switch) whose
 * write pointer is the SWITCH_IN record's head.
 *
 * usage: tmcmux OUT STREAM < SCRIPT; script lines:
 *   put ID PATH OFF LEN        LEN bytes of PATH from OFF, under trace ID
 *   switch PID TID CPU TIME    a flush, then a switch_in record of CPU
 * Writes the frames to OUT and, on stdout, mksession's arguments (one a
 * line) for each switch_in (buf = head's stream STREAM).
 * Exit status 0, or 1 with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../backends/coresight/cs_tmc.c"

/* Appends LEN bytes of path from off through f to out.  Returns 0, or
 * -1 if the file cannot give them or the formatter refuses. */
static int put(struct cs_fmt *f, FILE *out, unsigned int id,
	       const char *path, long off, size_t len)
{
	uint8_t *in = malloc(len ? len : 1), *b = malloc(cs_fmt_room(len));
	FILE *fi = fopen(path, "rb");
	int n = -1;

	if (in && b && fi && !fseek(fi, off, SEEK_SET) &&
	    fread(in, 1, len, fi) == len)
		n = cs_fmt_put(f, (uint8_t)id, in, len, b, cs_fmt_room(len));
	if (n >= 0 && fwrite(b, 1, (size_t)n, out) != (size_t)n)
		n = -1;
	if (fi)
		fclose(fi);
	free(in);
	free(b);
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	char line[4200], path[4096];
	unsigned int id, stream;
	long long pid, tid, cpu, t;
	struct cs_fmt f;
	uint8_t pad[16];
	long off;
	size_t len;
	FILE *out;
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: tmcmux OUT STREAM < SCRIPT\n");
		return 1;
	}
	stream = (unsigned int)strtoul(argv[2], NULL, 0);
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	cs_fmt_init(&f);
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "put %u %4095s %ld %zu", &id, path, &off,
			   &len) == 4) {
			if (put(&f, out, id, path, off, len) < 0) {
				fprintf(stderr, "tmcmux: put %s: failed\n",
					path);
				return 1;
			}
		} else if (sscanf(line, "switch %lld %lld %lld %lld", &pid,
				  &tid, &cpu, &t) == 4) {
			n = cs_fmt_flush(&f, pad);
			if (n && fwrite(pad, 1, (size_t)n, out) != (size_t)n)
				return 1;
			printf("--record\nswitch_in:pid=%lld:tid=%lld:cpu=%lld:"
			       "buf=%u:head=%ld:time=%lld\n", pid, tid, cpu,
			       stream, ftell(out), t);
		} else {
			fprintf(stderr, "tmcmux: bad line: %s", line);
			return 1;
		}
	}
	n = cs_fmt_flush(&f, pad);
	if (n && fwrite(pad, 1, (size_t)n, out) != (size_t)n)
		return 1;
	return fclose(out) ? 1 : 0;
}
