/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptgen: synthetic Intel PT traces with ground truth.
 *
 * Hand-assembles a small x86-64 program (calls, returns, indirect calls and
 * jumps, a tail call, loops), writes it as a raw image and as an ELF with a
 * symbol table, then "executes" it: a walker follows the code, chooses
 * every conditional branch and indirect target by a fixed script, records
 * each executed instruction address (the truth), counts calls and
 * instructions per function, and encodes the matching packets with libipt's
 * encoder (pt_enc_next): PSB+ (FUP, MODE.Exec) every --psb bytes, TNT for
 * conditional branches, TIP (IP-compressed) for indirect branches and
 * returns, TIP.PGE at the start and TIP.PGD at the end.
 *
 * usage: ptgen OUTDIR [--iters K] [--min-bytes N] [--psb N] [--no-truth]
 *              [--retcomp] [--tsc BASE:STEP] [--tsc-tip N] [--mtc N]
 *              [--switch N] [--switch-fup] [--variant] [--plt]
 * --retcomp compresses returns (a taken TNT bit) whose call came after the
 * last PSB, as the hardware does with return compression enabled.
 * --tsc puts a TSC packet in every PSB+ (SDM vol. 3C 33.3.7: TSC is part
 * of PSB+ with TSCEn), the n-th PSB+'s (from 0) BASE + n * STEP; psb.txt
 * then has the TSC as a third column (the first PSB+, at offset 0 and
 * instruction 0, is not listed: its TSC is BASE).
 * --tsc-tip N (with --tsc) also puts a TSC packet, the next value, before
 * every N-th TIP (a timing packet between a branch's packets, as one
 * sent on a frequency or C-state change, 33.4.2.11): the TIP's branch
 * retired after it, a one-instruction block's (f's RET after its inner
 * loop) as well as a longer one's.
 * --mtc N (with --tsc) adds MTC timing: a TMA after each PSB+'s TSC
 * (33.4.2.12: the crystal clock's low 16 bits, fast counter 0x55) and an
 * MTC after every N-th TNT or TIP packet, the crystal clock one MTC
 * period (MTCFreq 3: 8 ticks) on each time; decode it with stream
 * params mtc_freq=3 and a CPUID 0x15 ratio.
 * --switch N ends a run every N bytes, as an interrupt that switches the
 * thread out does with user-only tracing: FUP (the next instruction)
 * and TIP.PGD (SDM vol. 3C 33.4.2.5, asynchronous event); the next run
 * starts as hardware starts it when the driver wrote PacketByteCnt 0
 * before the drain's enable (33.2.8.3; hwt_intel_pt does in CPU mode,
 * and hwt_pt_emu writes the same): PSB+ without FUP or MODE.Exec
 * (PacketEn 0 in the kernel, 33.3.7), then MODE.Exec and TIP.PGE at the
 * next instruction (33.4.3, 33.4.2.4).  The trace's first run starts
 * that way too.  With --switch-fup the next run starts as hwt_pt_emu
 * starts a task's runs on a CPU without PacketByteCnt (Broadwell): a
 * PSB+ whose FUP is the next instruction, no TIP.PGE.  runs.txt lists
 * each run's first byte and instruction.
 * --variant makes main's first instruction a NOP instead of a MOV: a
 * different program at the same address (every later address 4 bytes
 * lower).
 * --plt makes main's indirect call go to g_plt, whose one instruction
 * jumps to g through the GOT (an indirect jump: a TIP), as a call into a
 * shared library does; g_plt and g are then each called once a loop.
 * Writes OUTDIR/{pt.bin,prog.elf,prog.bin,truth.txt,stats.txt,psb.txt,info}
 * (and runs.txt).
 */
#include <elf.h>
#include <intel-pt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE 0x400000ull
#define TEXT_OFF 0x1000

enum op { NOP, MOV, DEC, JCC, JMP, CALL, RET, ICALL, IJMP, END };

struct ins {
	enum op op;
	const char *label;	/* label defined at this instruction */
	const char *target;	/* JCC/JMP/CALL target, ICALL/IJMP first */
	const char *target2;	/* ICALL/IJMP alternative */
	int jcc;		/* JCC script: >0 loop count, <0 taken unless
				 * count % -jcc == 0 */
	const char *func;	/* function start: symbol name */
	uint64_t addr;
	unsigned len;
	unsigned count;		/* executions (for scripts) */
};

/* The program.  main loops K times over f and an indirect call to g; f
 * calls h two times in three and runs an inner loop; g switches through an
 * indirect jump, one way tail-calls h. */
static struct ins prog[] = {
	{ MOV, "main", 0, 0, 0, "main", 0, 0, 0 },
	{ CALL, "main_loop", "f", 0, 0, 0, 0, 0, 0 },
	{ NOP, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ MOV, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ ICALL, 0, "g", 0, 0, 0, 0, 0, 0 },
	{ DEC, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ JCC, 0, "main_loop", 0, 1 /* set from --iters */, 0, 0, 0, 0 },
	{ IJMP, "main_out", "done", "main", 0, 0, 0, 0, 0 },
	{ MOV, "f", 0, 0, 0, "f", 0, 0, 0 },
	{ NOP, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ JCC, 0, "f_skip", 0, -3, 0, 0, 0, 0 },
	{ CALL, 0, "h", 0, 0, 0, 0, 0, 0 },
	{ MOV, "f_skip", 0, 0, 0, 0, 0, 0, 0 },
	{ NOP, "f_inner", 0, 0, 0, 0, 0, 0, 0 },
	{ DEC, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ JCC, 0, "f_inner", 0, 4, 0, 0, 0, 0 },
	{ RET, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ NOP, "g", 0, 0, 0, "g", 0, 0, 0 },
	{ MOV, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ IJMP, 0, "sw_a", "sw_b", 0, 0, 0, 0, 0 },
	{ NOP, "sw_a", 0, 0, 0, 0, 0, 0, 0 },
	{ JMP, 0, "h", 0, 0, 0, 0, 0, 0 },
	{ MOV, "sw_b", 0, 0, 0, 0, 0, 0, 0 },
	{ RET, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ MOV, "h", 0, 0, 0, "h", 0, 0, 0 },
	{ NOP, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ RET, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ NOP, "done", 0, 0, 0, "done", 0, 0, 0 },
	/* --plt: main calls g through this stub, as through a PLT entry */
	{ IJMP, "g_plt", "g", 0, 0, "g_plt", 0, 0, 0 },
	{ END, 0, 0, 0, 0, 0, 0, 0, 0 },
};
#define NPROG (sizeof(prog) / sizeof(prog[0]) - 1)

static const unsigned oplen[] = {
	[NOP] = 1, [MOV] = 5, [DEC] = 2, [JCC] = 6, [JMP] = 5, [CALL] = 5,
	[RET] = 1, [ICALL] = 2, [IJMP] = 2,
};

static uint8_t code[4096];
static size_t code_size;

static int find(const char *label)
{
	size_t i;

	for (i = 0; i < NPROG; i++)
		if (prog[i].label && !strcmp(prog[i].label, label))
			return (int)i;
	fprintf(stderr, "ptgen: no label %s\n", label);
	exit(1);
}

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

static void assemble(void)
{
	uint64_t a = BASE;
	size_t i;

	for (i = 0; i < NPROG; i++) {
		prog[i].addr = a;
		prog[i].len = oplen[prog[i].op];
		a += prog[i].len;
	}
	code_size = (size_t)(a - BASE);
	for (i = 0; i < NPROG; i++) {
		uint8_t *p = code + (prog[i].addr - BASE);
		int64_t rel = 0;

		if (prog[i].op == JCC || prog[i].op == JMP ||
		    prog[i].op == CALL)
			rel = (int64_t)prog[find(prog[i].target)].addr -
			      (int64_t)(prog[i].addr + prog[i].len);
		switch (prog[i].op) {
		case NOP: p[0] = 0x90; break;
		case MOV: p[0] = 0xb8; put32(p + 1, (int32_t)i); break;
		case DEC: p[0] = 0xff; p[1] = 0xc9; break;
		case JCC: p[0] = 0x0f; p[1] = 0x85; put32(p + 2, (int32_t)rel); break;
		case JMP: p[0] = 0xe9; put32(p + 1, (int32_t)rel); break;
		case CALL: p[0] = 0xe8; put32(p + 1, (int32_t)rel); break;
		case RET: p[0] = 0xc3; break;
		case ICALL: p[0] = 0xff; p[1] = 0xd0; break;
		case IJMP: p[0] = 0xff; p[1] = 0xe0; break;
		default: break;
		}
	}
}

static FILE *xopen(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

/* A minimal ELF: one PT_LOAD with .text, plus .symtab/.strtab. */
static void write_elf(const char *dir)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	Elf64_Shdr sh[5];
	Elf64_Sym syms[16];
	char strtab[256] = "", shstr[] = "\0.text\0.symtab\0.strtab\0.shstrtab";
	size_t nsym = 1, strl = 1, i, off;
	FILE *f = xopen(dir, "prog.elf");
	static const uint8_t zero[TEXT_OFF];

	memset(syms, 0, sizeof(syms));
	for (i = 0; i < NPROG; i++) {
		size_t j;

		if (!prog[i].func)
			continue;
		for (j = i + 1; j < NPROG && !prog[j].func; j++)
			;
		syms[nsym].st_name = (Elf64_Word)strl;
		strcpy(strtab + strl, prog[i].func);
		strl += strlen(prog[i].func) + 1;
		syms[nsym].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		syms[nsym].st_shndx = 1;
		syms[nsym].st_value = prog[i].addr;
		syms[nsym].st_size = (j < NPROG ? prog[j].addr :
				      BASE + code_size) - prog[i].addr;
		nsym++;
	}
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = BASE;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 5;
	eh.e_shstrndx = 4;
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_offset = TEXT_OFF;
	ph.p_vaddr = ph.p_paddr = BASE;
	ph.p_filesz = ph.p_memsz = code_size;
	ph.p_flags = PF_R | PF_X;
	ph.p_align = 0x1000;
	memset(sh, 0, sizeof(sh));
	off = TEXT_OFF;
	sh[1].sh_name = 1; sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR; sh[1].sh_addr = BASE;
	sh[1].sh_offset = off; sh[1].sh_size = code_size; sh[1].sh_addralign = 16;
	off += code_size;
	off = (off + 7) & ~7ul;
	sh[2].sh_name = 7; sh[2].sh_type = SHT_SYMTAB; sh[2].sh_offset = off;
	sh[2].sh_size = nsym * sizeof(Elf64_Sym); sh[2].sh_link = 3;
	sh[2].sh_info = 1; sh[2].sh_entsize = sizeof(Elf64_Sym);
	sh[2].sh_addralign = 8;
	off += sh[2].sh_size;
	sh[3].sh_name = 15; sh[3].sh_type = SHT_STRTAB; sh[3].sh_offset = off;
	sh[3].sh_size = strl; sh[3].sh_addralign = 1;
	off += strl;
	sh[4].sh_name = 23; sh[4].sh_type = SHT_STRTAB; sh[4].sh_offset = off;
	sh[4].sh_size = sizeof(shstr); sh[4].sh_addralign = 1;
	off += sizeof(shstr);
	off = (off + 7) & ~7ul;
	eh.e_shoff = off;
	fwrite(&eh, sizeof(eh), 1, f);
	fwrite(&ph, sizeof(ph), 1, f);
	fwrite(zero, TEXT_OFF - sizeof(eh) - sizeof(ph), 1, f);
	fwrite(code, code_size, 1, f);
	fwrite(zero, sh[2].sh_offset - (TEXT_OFF + code_size), 1, f);
	fwrite(syms, sizeof(Elf64_Sym), nsym, f);
	fwrite(strtab, strl, 1, f);
	fwrite(shstr, sizeof(shstr), 1, f);
	fwrite(zero, off - (sh[4].sh_offset + sizeof(shstr)), 1, f);
	fwrite(sh, sizeof(sh), 1, f);
	fclose(f);
	f = xopen(dir, "prog.bin");
	fwrite(code, code_size, 1, f);
	fclose(f);
}

/* ---- packet output ---- */
static struct pt_encoder *enc;
static uint8_t *tbuf;
static size_t tcap;
static uint64_t tnt_bits, tnt_n, last_ip;
static int have_last_ip;

static void emit(struct pt_packet *p)
{
	int rc = pt_enc_next(enc, p);

	if (rc < 0) {
		fprintf(stderr, "ptgen: encoder: %s\n",
			pt_errstr(pt_errcode(rc)));
		exit(1);
	}
}

static uint64_t offset(void)
{
	uint64_t off;

	pt_enc_get_offset(enc, &off);
	return off;
}

static void after_flow(void);

static void flush_tnt(void)
{
	struct pt_packet p;

	if (!tnt_n)
		return;
	memset(&p, 0, sizeof(p));
	p.type = ppt_tnt_8;
	p.payload.tnt.bit_size = (uint8_t)tnt_n;
	p.payload.tnt.payload = tnt_bits;
	emit(&p);
	tnt_n = 0;
	tnt_bits = 0;
	after_flow();
}

static void tnt(int taken)
{
	/* The oldest branch is the most significant bit. */
	tnt_bits = tnt_bits << 1 | (taken ? 1 : 0);
	if (++tnt_n == 6)
		flush_tnt();
}

static int tsc_on;
static uint64_t tsc_next, tsc_step, tsc_tip_every, ntip;
/* --mtc: an MTC after every mtc_every-th flow packet; ctc: the crystal
 * clock (MTCFreq 3). */
#define PTGEN_MTC_FREQ 3
static uint64_t mtc_every, nflow;
static uint32_t ctc;

/* A flow packet went out: an MTC after every mtc_every-th. */
static void after_flow(void)
{
	struct pt_packet p;

	if (!mtc_every || ++nflow % mtc_every)
		return;
	ctc += 1u << PTGEN_MTC_FREQ;
	memset(&p, 0, sizeof(p));
	p.type = ppt_mtc;
	p.payload.mtc.ctc = (uint8_t)(ctc >> PTGEN_MTC_FREQ);
	emit(&p);
}

static void ip_packet(enum pt_packet_type type, uint64_t ip)
{
	struct pt_packet p;

	flush_tnt();
	if (type == ppt_tip && tsc_on && tsc_tip_every &&
	    ++ntip % tsc_tip_every == 0) {
		memset(&p, 0, sizeof(p));
		p.type = ppt_tsc;
		p.payload.tsc.tsc = tsc_next;
		emit(&p);
		tsc_next += tsc_step;
	}
	memset(&p, 0, sizeof(p));
	p.type = type;
	p.payload.ip.ip = ip;
	if (have_last_ip && (ip >> 16) == (last_ip >> 16))
		p.payload.ip.ipc = pt_ipc_update_16;
	else if (have_last_ip && (ip >> 32) == (last_ip >> 32))
		p.payload.ip.ipc = pt_ipc_update_32;
	else
		p.payload.ip.ipc = pt_ipc_sext_48;
	emit(&p);
	last_ip = ip;
	have_last_ip = 1;
	if (type == ppt_tip)
		after_flow();
}

static void mode64(void)
{
	struct pt_packet p;

	memset(&p, 0, sizeof(p));
	p.type = ppt_mode;
	p.payload.mode.leaf = pt_mol_exec;
	p.payload.mode.bits.exec.csl = 1;
	emit(&p);
}


static void psb_plus(uint64_t ip, int enabled)
{
	struct pt_packet p;

	flush_tnt();
	memset(&p, 0, sizeof(p));
	p.type = ppt_psb;
	emit(&p);
	have_last_ip = 0;	/* PSB resets the last IP */
	if (tsc_on) {		/* SDM 33.4.2.11 TSC: 7 bytes of the TSC */
		memset(&p, 0, sizeof(p));
		p.type = ppt_tsc;
		p.payload.tsc.tsc = tsc_next;
		emit(&p);
		tsc_next += tsc_step;
		if (mtc_every) {
			memset(&p, 0, sizeof(p));
			p.type = ppt_tma;
			p.payload.tma.ctc = (uint16_t)ctc;
			p.payload.tma.fc = 0x55;
			emit(&p);
		}
	}
	/* MODE.Exec and FUP only with PacketEn (33.3.7 "PSB+"). */
	if (enabled) {
		ip_packet(ppt_fup, ip);
		mode64();
	}
	memset(&p, 0, sizeof(p));
	p.type = ppt_psbend;
	emit(&p);
}

/* Tracing (re)starts at ip: MODE.Exec, TIP.PGE (33.4.3, 33.4.2.4). */
static void pge(uint64_t ip)
{
	mode64();
	ip_packet(ppt_tip_pge, ip);
}

int main(int argc, char **argv)
{
	struct pt_config cfg;
	const char *dir;
	uint64_t iters = 10, min_bytes = 0, psb_every = 512, ninsn = 0;
	uint64_t next_psb, stack[64], switch_every = 0, next_switch = 0;
	uint64_t calls[NPROG], insns[NPROG];
	int truth = 1, sp = 0, cur, fn, i, loops = 0, retcomp = 0;
	int switch_fup = 0;
	uint8_t comp[64];	/* frame's call came after the last PSB */
	FILE *tf = NULL, *pf, *rf = NULL, *f;

	if (argc < 2) {
		fprintf(stderr, "usage: ptgen OUTDIR [--iters K] "
			"[--min-bytes N] [--psb N] [--no-truth]\n");
		return 2;
	}
	dir = argv[1];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--min-bytes") && i + 1 < argc)
			min_bytes = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--psb") && i + 1 < argc)
			psb_every = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--no-truth"))
			truth = 0;
		else if (!strcmp(argv[i], "--retcomp"))
			retcomp = 1;
		else if (!strcmp(argv[i], "--switch") && i + 1 < argc)
			switch_every = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--switch-fup"))
			switch_fup = 1;
		else if (!strcmp(argv[i], "--variant"))
			prog[0].op = NOP;
		else if (!strcmp(argv[i], "--plt"))
			prog[find("main_loop") + 3].target = "g_plt";
		else if (!strcmp(argv[i], "--tsc") && i + 1 < argc) {
			char *end;

			tsc_on = 1;
			tsc_next = strtoull(argv[++i], &end, 0);
			tsc_step = *end == ':' ? strtoull(end + 1, NULL, 0) : 0;
		}
		else if (!strcmp(argv[i], "--tsc-tip") && i + 1 < argc)
			tsc_tip_every = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--mtc") && i + 1 < argc)
			mtc_every = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "ptgen: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	prog[find("main_loop") + 5].jcc = (int)iters;
	assemble();
	write_elf(dir);

	tcap = (size_t)(min_bytes ? min_bytes + (1 << 20) : 64 << 20);
	tbuf = malloc(tcap);
	if (!tbuf)
		return 1;
	pt_config_init(&cfg);
	cfg.begin = tbuf;
	cfg.end = tbuf + tcap;
	enc = pt_alloc_encoder(&cfg);
	if (truth)
		tf = xopen(dir, "truth.txt");
	pf = xopen(dir, "psb.txt");
	if (switch_every) {
		rf = xopen(dir, "runs.txt");
		fprintf(rf, "0 0\n");
		next_switch = switch_every;
	}
	memset(calls, 0, sizeof(calls));
	memset(insns, 0, sizeof(insns));

	cur = find("main");
	fn = cur;
	calls[fn] = 1;	/* trace begins in main */
	psb_plus(0, 0);
	pge(prog[cur].addr);
	next_psb = psb_every;
	for (;;) {
		struct ins *in = &prog[cur];
		int next = cur + 1, taken, tgt;

		if (switch_every && offset() >= next_switch) {
			struct pt_packet p;

			/* switched out: FUP + TIP.PGD(suppressed); back in:
			 * PSB+ (PacketEn 0: no FUP) and TIP.PGE, or PSB+
			 * with the FUP (--switch-fup) */
			ip_packet(ppt_fup, in->addr);
			memset(&p, 0, sizeof(p));
			p.type = ppt_tip_pgd;
			p.payload.ip.ipc = pt_ipc_suppressed;
			emit(&p);
			fprintf(rf, "%llu %llu\n", (unsigned long long)offset(),
				(unsigned long long)ninsn);
			if (switch_fup) {
				psb_plus(in->addr, 1);
			} else {
				psb_plus(0, 0);
				pge(in->addr);
			}
			next_switch = offset() + switch_every;
			next_psb = offset() + psb_every;
			memset(comp, 0, sizeof(comp));
		}
		if (offset() >= next_psb) {
			/* PSB+ between instructions: FUP = next to run. */
			if (tsc_on)
				fprintf(pf, "%llu %llu %llu\n",
					(unsigned long long)offset(),
					(unsigned long long)ninsn,
					(unsigned long long)tsc_next);
			else
				fprintf(pf, "%llu %llu\n",
					(unsigned long long)offset(),
					(unsigned long long)ninsn);
			psb_plus(in->addr, 1);
			next_psb = offset() + psb_every;
			memset(comp, 0, sizeof(comp));
		}
		if (tf)
			fprintf(tf, "%016llx\n", (unsigned long long)in->addr);
		ninsn++;
		insns[fn]++;
		in->count++;
		switch (in->op) {
		case JCC:
			if (in->jcc > 0)
				taken = in->count % (unsigned)in->jcc != 0;
			else
				taken = in->count % (unsigned)-in->jcc != 0;
			tnt(taken);
			if (taken)
				next = find(in->target);
			break;
		case JMP:
			next = find(in->target);
			if (prog[next].func) {	/* tail call */
				fn = next;
				calls[fn]++;
			}
			break;
		case CALL:
		case ICALL:
			comp[sp / 2] = 1;
			stack[sp++] = (uint64_t)cur + 1;
			stack[sp++] = (uint64_t)fn;
			next = find(in->target);
			if (in->op == ICALL)
				ip_packet(ppt_tip, prog[next].addr);
			fn = next;
			calls[fn]++;
			break;
		case RET:
			fn = (int)stack[--sp];
			next = (int)stack[--sp];
			if (retcomp && comp[sp / 2])
				tnt(1);
			else
				ip_packet(ppt_tip, prog[next].addr);
			break;
		case IJMP:
			tgt = find(in->count % 2 || !in->target2 ? in->target :
				   in->target2);
			if (in->target2 && !strcmp(in->target, "done")) {
				/* main_out: loop again until big enough */
				if (min_bytes && offset() < min_bytes) {
					tgt = find("main");
					loops++;
				} else {
					tgt = find("done");
				}
			}
			if (!strcmp(prog[tgt].label, "done")) {
				flush_tnt();
				ip_packet(ppt_tip_pgd, prog[tgt].addr);
				goto out;
			}
			ip_packet(ppt_tip, prog[tgt].addr);
			next = tgt;
			if (prog[tgt].func && tgt != fn) {	/* tail call */
				fn = tgt;
				calls[fn]++;
			}
			break;
		default:
			break;
		}
		if (sp > 60) {
			fprintf(stderr, "ptgen: stack overflow\n");
			return 1;
		}
		cur = next;
	}
out:
	flush_tnt();
	f = xopen(dir, "pt.bin");
	fwrite(tbuf, 1, offset(), f);
	fclose(f);
	f = xopen(dir, "stats.txt");
	for (i = 0; i < (int)NPROG; i++)
		if (prog[i].func)
			fprintf(f, "%s %llu %llu\n", prog[i].func,
				(unsigned long long)calls[i],
				(unsigned long long)insns[i]);
	fclose(f);
	f = xopen(dir, "info");
	fprintf(f, "base 0x%llx\nsize %zu\ninsns %llu\nbytes %llu\nloops %d\n",
		BASE, code_size, (unsigned long long)ninsn,
		(unsigned long long)offset(), loops + 1);
	fclose(f);
	if (tf)
		fclose(tf);
	if (rf)
		fclose(rf);
	fclose(pf);
	pt_free_encoder(enc);
	free(tbuf);
	return 0;
}
