/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hwt_insn_text() against binutils: A64 instructions capstone 4.0.2 does
 * not know (SVE, SVE2, SME: LLVM's disassembler answers, insn_llvm.c) and
 * one it does, assembled by aarch64-linux-gnu-as, must read as
 * aarch64-linux-gnu-objdump prints the same words, after style-only
 * normalisation (case, spaces, immediates in one base).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/flow.h"
#include "image/insn.h"

static const char *const source =
	"add x0, x1, x2\n"
	"add z0.d, z0.d, z1.d\n"
	"ld1d {z0.d}, p0/z, [x0]\n"
	"st1w {z2.s}, p1, [x1, x2, lsl #2]\n"
	"whilelo p0.d, x1, x2\n"
	"ptrue p0.s\n"
	"fmla z0.s, p0/m, z1.s, z2.s\n"
	"incd x0\n"
	"mul z3.d, z3.d, #3\n"
	"smstart\n"
	"smstop\n"
	"zero {za}\n";

/* Lowercase, no blanks, "#0x1f" as "#31". */
static void norm(const char *in, char *out, size_t len)
{
	size_t n = 0;

	while (*in && n + 24 < len) {
		if (in[0] == '#' && in[1] == '0' && in[2] == 'x') {
			char *end;
			unsigned long long v = strtoull(in + 1, &end, 16);

			n += (size_t)snprintf(out + n, len - n, "#%llu", v);
			in = end;
			continue;
		}
		if (!isspace((unsigned char)*in))
			out[n++] = (char)tolower((unsigned char)*in);
		in++;
	}
	out[n] = 0;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : -1;
}

int main(void)
{
	char dir[] = "/tmp/hwt-insn-XXXXXX", cmd[1024], line[512];
	char want[128], got[128], text[160];
	struct hwt_disasm *d = hwt_disasm_alloc();
	int n = 0, bad = 0;
	FILE *f, *bin;

	if (!mkdtemp(dir))
		return 1;
	snprintf(cmd, sizeof(cmd), "%s/x.s", dir);
	f = fopen(cmd, "w");
	if (!f || fputs(source, f) < 0 || fclose(f)) {
		printf("FAIL: insn-text-a64 (cannot write %s)\n", cmd);
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "cd %s && aarch64-linux-gnu-as "
		 "-march=armv9-a+sve2+sme -o x.o x.s && aarch64-linux-gnu-objcopy"
		 " -O binary -j .text x.o x.bin && aarch64-linux-gnu-objdump -d "
		 "x.o > x.dis", dir);
	if (sh(cmd)) {
		printf("FAIL: insn-text-a64 (aarch64 binutils: apt-get install"
		       " binutils-aarch64-linux-gnu)\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "%s/x.dis", dir);
	f = fopen(cmd, "r");
	snprintf(cmd, sizeof(cmd), "%s/x.bin", dir);
	bin = fopen(cmd, "rb");
	if (!f || !bin)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int off;
		uint8_t w[4];
		char *t;

		/* "   4:\t04e10000 \tadd\tz0.d, z0.d, z1.d" */
		if (sscanf(line, " %x:", &off) != 1 || !strchr(line, '\t'))
			continue;
		t = strchr(strchr(line, '\t') + 1, '\t');
		if (!t)
			continue;
		t[strcspn(t, "\n")] = 0;
		if (fseek(bin, (long)off, SEEK_SET) || fread(w, 1, 4, bin) != 4)
			return 1;
		n++;
		norm(t + 1, want, sizeof(want));
		if (hwt_insn_text(d, HWT_ISA_A64, w, 4, off, text,
				  sizeof(text)) != 4) {
			printf("%x: not disassembled; objdump: %s\n", off, t + 1);
			bad++;
			continue;
		}
		norm(text, got, sizeof(got));
		if (strcmp(want, got)) {
			printf("%x: hwt '%s', objdump '%s'\n", off, text, t + 1);
			bad++;
		}
	}
	fclose(f);
	fclose(bin);
	hwt_disasm_free(d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	sh(cmd);
	printf("%s: insn-text-a64-as-objdump (%d instructions, %d differ)\n",
	       !bad && n == 12 ? "PASS" : "FAIL", n, bad);
	return 0;
}
