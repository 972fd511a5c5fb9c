// SPDX-License-Identifier: BSD-2-Clause
/*
 * The benchmark's program: a branchy hot path of the kind profile-guided
 * layout helps.  A small stack-machine interpreter runs a bytecode program
 * (a dispatch switch, hot and cold opcodes), then a word-frequency count
 * over generated text (hashing, probing, rare resizes) and an insertion
 * sort of the counts.  usage: prog SEED N; prints one checksum line, the
 * same for every build of this file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op { PUSH, ADD, SUB, MUL, DUP, SWAP, JNZ, DEC, MOD, XOR, SHR, HALT,
	  RARE1, RARE2, RARE3, RARE4 };

static uint32_t rng;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Runs code on a stack; returns the top. */
static int64_t run_vm(const int32_t *code, int64_t arg)
{
	int64_t st[64];
	int sp = 0, pc = 0;

	st[sp++] = arg;
	for (;;) {
		int32_t op = code[pc++];
		int64_t a, b;

		switch (op) {
		case PUSH: st[sp++] = code[pc++]; break;
		case ADD: b = st[--sp]; st[sp - 1] += b; break;
		case SUB: b = st[--sp]; st[sp - 1] -= b; break;
		case MUL: b = st[--sp]; st[sp - 1] *= b; break;
		case DUP: st[sp] = st[sp - 1]; sp++; break;
		case SWAP: a = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = a; break;
		case JNZ: a = st[--sp]; if (a) pc = code[pc]; else pc++; break;
		case DEC: st[sp - 1]--; break;
		case MOD: b = st[--sp]; st[sp - 1] = b ? st[sp - 1] % b : 0; break;
		case XOR: b = st[--sp]; st[sp - 1] ^= b; break;
		case SHR: st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] >> 1); break;
		case RARE1: st[sp - 1] = st[sp - 1] * 7 + 3; break;
		case RARE2: st[sp - 1] = -st[sp - 1]; break;
		case RARE3: st[sp - 1] |= 0x100; break;
		case RARE4: st[sp - 1] &= 0xffff; break;
		case HALT: default: return st[sp - 1];
		}
	}
}

struct ent { char w[8]; unsigned n; };

static unsigned hash(const char *w)
{
	unsigned h = 2166136261u;

	for (; *w; w++)
		h = (h ^ (unsigned char)*w) * 16777619u;
	return h;
}

/* Counts n generated words in an open-addressing table; returns the
 * number of distinct words, *tab its entries. */
static size_t count_words(unsigned n, struct ent **tab, size_t *cap)
{
	size_t used = 0, i;
	unsigned k;

	*cap = 64;
	*tab = calloc(*cap, sizeof(**tab));
	for (k = 0; k < n; k++) {
		char w[8];
		int len = 1 + (int)(next_rand() % 3), j;
		size_t h;

		for (j = 0; j < len; j++)
			w[j] = (char)('a' + next_rand() % (j ? 6 : 4));
		w[len] = 0;
		if (used * 2 >= *cap) {		/* rare: grow */
			struct ent *o = *tab;
			size_t oc = *cap;

			*cap *= 2;
			*tab = calloc(*cap, sizeof(**tab));
			for (i = 0; i < oc; i++)
				if (o[i].n) {
					h = hash(o[i].w) & (*cap - 1);
					while ((*tab)[h].n)
						h = (h + 1) & (*cap - 1);
					(*tab)[h] = o[i];
				}
			free(o);
		}
		h = hash(w) & (*cap - 1);
		while ((*tab)[h].n && strcmp((*tab)[h].w, w))
			h = (h + 1) & (*cap - 1);
		if (!(*tab)[h].n) {
			memcpy((*tab)[h].w, w, sizeof(w));
			used++;
		}
		(*tab)[h].n++;
	}
	return used;
}

int main(int argc, char **argv)
{
	/* sum = 0; for (i = arg; i; i--) sum = (sum * 31 + i % 7) ^ (i >> 1) */
	static const int32_t code[] = {
		PUSH, 0, SWAP,			/* sum i */
		/* 3: loop */
		DUP, PUSH, 7, MOD,		/* sum i i%7 */
		SWAP, PUSH, 0, ADD,		/* sum i%7 i */
		DUP, SHR, SWAP,			/* sum i%7 i>>1 i  -- kept below */
		PUSH, 0, ADD, DEC,		/* ... i-1 */
		DUP, JNZ, 23, HALT,
		HALT, HALT,
	};
	unsigned seed = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1;
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 1000;
	uint64_t sum = 0;
	struct ent *tab;
	size_t cap, used, i, j;
	unsigned k;

	rng = seed * 2654435761u + 1;
	for (k = 0; k < n; k++) {
		int32_t prog[8] = { PUSH, 0, 0, 0, 0, 0, HALT, HALT };
		unsigned r = next_rand();

		/* a short random straight-line program: mostly hot opcodes */
		prog[1] = (int32_t)(r & 0xff);
		prog[2] = (r >> 8) % 16 < 14 ? (int32_t)(ADD + (r >> 12) % 4) :
			  (int32_t)(RARE1 + (r >> 12) % 4);
		prog[3] = (r >> 16) % 2 ? DUP : SHR;
		prog[4] = (r >> 17) % 3 ? XOR : ADD;
		prog[5] = HALT;
		sum = sum * 31 + (uint64_t)run_vm(prog, (int64_t)k);
		if (k % 64 == 0)
			sum ^= (uint64_t)run_vm(code, (int64_t)(k % 50));
	}
	used = count_words(n, &tab, &cap);
	/* insertion sort of the counts: hot compare, data-dependent exits */
	for (i = 0, j = 0; i < cap; i++)
		if (tab[i].n)
			tab[j++] = tab[i];
	for (i = 1; i < used; i++) {
		struct ent e = tab[i];

		for (j = i; j > 0 && (tab[j - 1].n < e.n ||
			(tab[j - 1].n == e.n && strcmp(tab[j - 1].w, e.w) > 0)); j--)
			tab[j] = tab[j - 1];
		tab[j] = e;
	}
	for (i = 0; i < used && i < 5; i++)
		sum = sum * 131 + tab[i].n + (uint64_t)hash(tab[i].w);
	printf("%llu %zu\n", (unsigned long long)sum, used);
	free(tab);
	return 0;
}
