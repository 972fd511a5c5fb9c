/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptscript: encode a packet script into a PT stream with libipt's encoder
 * (pt_enc_next), for hand-written event scenarios (tests/events/).
 *
 * usage: ptscript SCRIPT SYMS OUT.pt
 * SYMS is `nm` output ("ADDR TYPE NAME" lines): an IP operand may be a
 * label name or a number.  SCRIPT has one packet per line ('#' comments):
 *   psb | psbend | pad | ovf | stop
 *   fup|tip|tip.pge|tip.pgd IPC [IP]   IPC: 0 suppressed, 1 update-16,
 *                                      2 update-32, 3 sext-48,
 *                                      4 update-48, 6 full
 *   tnt BITS            t/n per conditional branch, oldest first
 *                       (up to 6: short TNT; up to 47: long TNT)
 *   mode.exec 16|32|64  mode.tsx begin|commit|abort
 *   pip CR3 [nr]        vmcs BASE      tsc V   cbr V   tma CTC FC
 *   mtc V   cyc V   mnt V   ptw PLC PAYLOAD [ip]   exstop [ip]
 *   pwre STATE SUBSTATE [hw]   pwrx LAST DEEPEST
 */
#include <intel-pt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SYMS 1024

static struct { char name[64]; uint64_t addr; } syms[MAX_SYMS];
static int nsyms, lineno;

static void fail(const char *what, const char *arg)
{
	fprintf(stderr, "ptscript: line %d: %s%s%s\n", lineno, what,
		arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static uint64_t value(const char *s)
{
	char *end;
	uint64_t v;

	if (!s)
		fail("missing operand", NULL);
	for (int i = 0; i < nsyms; i++)
		if (!strcmp(syms[i].name, s))
			return syms[i].addr;
	v = strtoull(s, &end, 0);
	if (*end)
		fail("unknown label", s);
	return v;
}

static void load_syms(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256], type, name[64];
	unsigned long long a;

	if (!f)
		fail("cannot open symbols", path);
	while (fgets(line, sizeof(line), f) && nsyms < MAX_SYMS)
		if (sscanf(line, "%llx %c %63s", &a, &type, name) == 3) {
			snprintf(syms[nsyms].name, sizeof(syms[0].name), "%s",
				 name);
			syms[nsyms++].addr = a;
		}
	fclose(f);
}

static enum pt_ip_compression ipc(const char *s)
{
	switch (s ? atoi(s) : -1) {
	case 0: return pt_ipc_suppressed;
	case 1: return pt_ipc_update_16;
	case 2: return pt_ipc_update_32;
	case 3: return pt_ipc_sext_48;
	case 4: return pt_ipc_update_48;
	case 6: return pt_ipc_full;
	}
	fail("bad IP compression", s);
	return pt_ipc_suppressed;
}

/* One script line into *p; 0 for a blank line. */
static int parse(char *line, struct pt_packet *p)
{
	char *w[8] = { 0 }, *save = NULL;
	int n = 0;

	line[strcspn(line, "#\n")] = 0;
	for (char *t = strtok_r(line, " \t", &save); t && n < 8;
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	if (!n)
		return 0;
	memset(p, 0, sizeof(*p));
	if (!strcmp(w[0], "psb")) {
		p->type = ppt_psb;
	} else if (!strcmp(w[0], "psbend")) {
		p->type = ppt_psbend;
	} else if (!strcmp(w[0], "pad")) {
		p->type = ppt_pad;
	} else if (!strcmp(w[0], "ovf")) {
		p->type = ppt_ovf;
	} else if (!strcmp(w[0], "stop")) {
		p->type = ppt_stop;
	} else if (!strcmp(w[0], "fup") || !strcmp(w[0], "tip") ||
		   !strcmp(w[0], "tip.pge") || !strcmp(w[0], "tip.pgd")) {
		p->type = !strcmp(w[0], "fup") ? ppt_fup :
			  !strcmp(w[0], "tip") ? ppt_tip :
			  !strcmp(w[0], "tip.pge") ? ppt_tip_pge : ppt_tip_pgd;
		p->payload.ip.ipc = ipc(w[1]);
		if (p->payload.ip.ipc != pt_ipc_suppressed)
			p->payload.ip.ip = value(w[2]);
	} else if (!strcmp(w[0], "tnt")) {
		size_t bits = w[1] ? strlen(w[1]) : 0;

		if (!bits || bits > 47)
			fail("tnt needs 1-47 t/n bits", w[1]);
		p->type = bits <= 6 ? ppt_tnt_8 : ppt_tnt_64;
		p->payload.tnt.bit_size = (uint8_t)bits;
		for (size_t i = 0; i < bits; i++) {
			if (w[1][i] != 't' && w[1][i] != 'n')
				fail("tnt bits are t or n", w[1]);
			p->payload.tnt.payload = p->payload.tnt.payload << 1 |
						 (w[1][i] == 't');
		}
	} else if (!strcmp(w[0], "mode.exec")) {
		p->type = ppt_mode;
		p->payload.mode.leaf = pt_mol_exec;
		if (!w[1])
			fail("mode.exec needs 16, 32 or 64", NULL);
		p->payload.mode.bits.exec.csl = !strcmp(w[1], "64");
		p->payload.mode.bits.exec.csd = !strcmp(w[1], "32");
	} else if (!strcmp(w[0], "mode.tsx")) {
		p->type = ppt_mode;
		p->payload.mode.leaf = pt_mol_tsx;
		if (!w[1])
			fail("mode.tsx needs begin, commit or abort", NULL);
		p->payload.mode.bits.tsx.intx = !strcmp(w[1], "begin");
		p->payload.mode.bits.tsx.abrt = !strcmp(w[1], "abort");
	} else if (!strcmp(w[0], "pip")) {
		p->type = ppt_pip;
		p->payload.pip.cr3 = value(w[1]);
		p->payload.pip.nr = w[2] && !strcmp(w[2], "nr");
	} else if (!strcmp(w[0], "vmcs")) {
		p->type = ppt_vmcs;
		p->payload.vmcs.base = value(w[1]);
	} else if (!strcmp(w[0], "tsc")) {
		p->type = ppt_tsc;
		p->payload.tsc.tsc = value(w[1]);
	} else if (!strcmp(w[0], "cbr")) {
		p->type = ppt_cbr;
		p->payload.cbr.ratio = (uint8_t)value(w[1]);
	} else if (!strcmp(w[0], "tma")) {
		p->type = ppt_tma;
		p->payload.tma.ctc = (uint16_t)value(w[1]);
		p->payload.tma.fc = (uint16_t)value(w[2]);
	} else if (!strcmp(w[0], "mtc")) {
		p->type = ppt_mtc;
		p->payload.mtc.ctc = (uint8_t)value(w[1]);
	} else if (!strcmp(w[0], "cyc")) {
		p->type = ppt_cyc;
		p->payload.cyc.value = value(w[1]);
	} else if (!strcmp(w[0], "mnt")) {
		p->type = ppt_mnt;
		p->payload.mnt.payload = value(w[1]);
	} else if (!strcmp(w[0], "ptw")) {
		p->type = ppt_ptw;
		p->payload.ptw.plc = (uint8_t)value(w[1]);
		p->payload.ptw.payload = value(w[2]);
		p->payload.ptw.ip = w[3] && !strcmp(w[3], "ip");
	} else if (!strcmp(w[0], "exstop")) {
		p->type = ppt_exstop;
		p->payload.exstop.ip = w[1] && !strcmp(w[1], "ip");
	} else if (!strcmp(w[0], "pwre")) {
		p->type = ppt_pwre;
		p->payload.pwre.state = (uint8_t)value(w[1]);
		p->payload.pwre.sub_state = (uint8_t)value(w[2]);
		p->payload.pwre.hw = w[3] && !strcmp(w[3], "hw");
	} else if (!strcmp(w[0], "pwrx")) {
		p->type = ppt_pwrx;
		p->payload.pwrx.last = (uint8_t)value(w[1]);
		p->payload.pwrx.deepest = (uint8_t)value(w[2]);
		p->payload.pwrx.interrupt = 1;
	} else {
		fail("unknown packet", w[0]);
	}
	return 1;
}

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	struct pt_config cfg;
	struct pt_encoder *enc;
	struct pt_packet p;
	char line[512];
	uint64_t off = 0;
	FILE *in, *out;

	if (argc != 4) {
		fprintf(stderr, "usage: ptscript SCRIPT SYMS OUT.pt\n");
		return 2;
	}
	load_syms(argv[2]);
	in = fopen(argv[1], "r");
	if (!in)
		fail("cannot open script", argv[1]);
	pt_config_init(&cfg);
	cfg.begin = buf;
	cfg.end = buf + sizeof(buf);
	enc = pt_alloc_encoder(&cfg);
	if (!enc)
		fail("pt_alloc_encoder", NULL);
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (!parse(line, &p))
			continue;
		if (pt_enc_next(enc, &p) < 0)
			fail("pt_enc_next refused the packet", NULL);
	}
	fclose(in);
	if (pt_enc_get_offset(enc, &off) < 0)
		fail("pt_enc_get_offset", NULL);
	pt_free_encoder(enc);
	out = fopen(argv[3], "wb");
	if (!out || fwrite(buf, 1, off, out) != off || fclose(out))
		fail("cannot write", argv[3]);
	return 0;
}
