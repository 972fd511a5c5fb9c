/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt replay`: expands the flow (block ids) back into the executed
 * instruction sequence using the blocks table (lengths, bytes), so no image
 * is needed at replay time.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "image/insn.h"
#include "db/db.h"
#include "core/flow.h"
#include "db/inlines.h"

struct rblock {
	uint64_t ip;
	uint32_t ninsn;
	int64_t sym, bin;	/* symbols and binaries ids */
	int isa;
	int iclass;		/* of its last instruction (enum hwt_iclass) */
	uint8_t *lens;		/* NULL: unknown */
	uint8_t *code;
	size_t code_size;
};

struct rline {
	int64_t bin;		/* binary_lines: its binary; lines: 0 */
	uint64_t addr;
	const char *file;
	uint32_t line;
};

enum field { F_TID, F_CPU, F_INDEX, F_IP, F_SYM, F_SYMOFF, F_DSO, F_SRCLINE,
	     F_INLINE, F_INSN, F_TIME, F_NFIELDS };

static const char *const field_names[F_NFIELDS] = { "tid", "cpu", "index",
	"ip", "sym", "symoff", "dso", "srcline", "inline", "insn", "time" };

struct ranchor {		/* a call's or return's (insn index, time) */
	uint64_t insn, time;
};

struct revent {			/* a row of events */
	uint64_t insn, ip, arg;
	int64_t code;
	char kind;		/* o(n), d (off), a(sync), e(ret) */
};


struct rsym {			/* a row of symbols, or of binaries */
	int64_t id;
	uint64_t start;
	char *name;
};

struct replay {
	const struct hwt_replay_opts *o;
	enum field fields[32];
	size_t nfields;
	int has[F_NFIELDS];
	struct rsym *syms, *bins;
	size_t nsyms, nbins;
	struct hwt_inline_table inl;
	int64_t tid, cpu;	/* of the stream being replayed */
	FILE *out;
	sqlite3 *db;
	struct hwt_sqlite_budget budget;
	struct rblock *b;
	size_t nb;		/* entries of b, 0 when b is NULL */
	struct rline *lines;	/* lines, by addr */
	size_t nlines;
	struct rline *blines;	/* binary_lines, by binary and addr */
	size_t nblines;
	struct hwt_disasm *dis;
	sqlite3_stmt *err_st;
	uint64_t idx;		/* instruction index in the stream */
	uint64_t lo, hi;	/* the stream's slice: [lo, hi) */
	struct ranchor *anc;	/* the stream's times, by insn */
	size_t nanc;
	int insn_clock;		/* the stream's times count instructions */
	int has_clock_col;	/* streams.clock exists (newer decodes) */
	struct revent *ev;	/* the stream's events, for --markers */
	size_t nev, next_ev;
	int has_events;		/* the events table exists */
	int prev_far;		/* the instruction printed last was a
				 * system call (or int, svc...) */
	uint64_t printed;
	const char *last_file;
	uint32_t last_line;
	int done;
};

static void *dup_blob(sqlite3_stmt *st, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(st, col);
	int len = sqlite3_column_bytes(st, col);
	void *q;

	if (!p || len <= 0)
		return NULL;
	q = hwt_xrealloc(NULL, (size_t)len);
	memcpy(q, p, (size_t)len);
	if (n)
		*n = (size_t)len;
	return q;
}

/* A step loop's end: SQLITE_DONE, or a loud failure (never "no more
 * rows"). */
static int loop_end(struct replay *r, int rc, const char *what)
{
	char why[256];

	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "hwt: replay: reading %s: %s\n", what,
		hwt_sqlite_errmsg(r->db, &r->budget, why, sizeof(why)));
	return -1;
}

/* Parses a comma-separated field list into r (r NULL: only checks).
 * Returns 0, or -1 with the unknown field in err. */
static int parse_fields(struct replay *r, const char *list, char *err,
			size_t errlen)
{
	const char *p = list;
	size_t n = 0;

	while (*p) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < F_NFIELDS; i++)
			if (strlen(field_names[i]) == len &&
			    !strncmp(p, field_names[i], len))
				break;
		if (i == F_NFIELDS || n == 32) {
			snprintf(err, errlen, "%s '%.*s' (fields: tid, cpu, "
				 "index, ip, sym, symoff, dso, srcline, inline, "
				 "insn)",
				 n == 32 ? "too many fields at" :
				 "unknown field", (int)len, p);
			return -1;
		}
		if (r) {
			r->fields[n] = (enum field)i;
			r->has[i] = 1;
		}
		n++;
		p += len + (p[len] == ',');
	}
	if (!n) {
		snprintf(err, errlen, "no fields given");
		return -1;
	}
	if (r)
		r->nfields = n;
	return 0;
}

int hwt_replay_fields_check(const char *fields, char *err, size_t errlen)
{
	return parse_fields(NULL, fields, err, errlen);
}

static int by_id(const void *a, const void *b)
{
	const struct rsym *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* id, start, name rows of sql into *v, sorted by id. */
static int load_named(struct replay *r, const char *sql, struct rsym **v,
		      size_t *n, const char *what)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 2);

		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*v = hwt_xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[*n].id = sqlite3_column_int64(st, 0);
		(*v)[*n].start = (uint64_t)sqlite3_column_int64(st, 1);
		(*v)[*n].name = hwt_xstrdup(name ? name : "[unknown]");
		(*n)++;
	}
	sqlite3_finalize(st);
	if (*n)
		qsort(*v, *n, sizeof(**v), by_id);
	return loop_end(r, rc, what);
}

static const struct rsym *find_named(const struct rsym *v, size_t n,
				     int64_t id)
{
	struct rsym key = { .id = id };

	return n ? bsearch(&key, v, n, sizeof(*v), by_id) : NULL;
}

static int load_inlines(struct replay *r)
{
	static const char *const tables[] = { "inlines", NULL };

	/* A view there could be anything (the reader's tables are checked
	 * to be tables: hwt_db_open_ro). */
	if (hwt_sqlite_check_tables(r->db, tables, NULL, 0)) {
		fprintf(stderr, "hwt: replay: no inlines table (a database "
			"of an older hwt: decode again)\n");
		return -1;
	}
	return hwt_inline_table_load(r->db, &r->inl) < 0 ?
	       loop_end(r, SQLITE_ERROR, "inlines") : 0;
}

/* The inline frames at ip of binary bin, innermost first, ';'-separated,
 * or '-'. */
static void put_inlines(struct replay *r, int64_t bin, uint64_t ip)
{
	const struct hwt_inline_row *at[32];
	size_t n = hwt_inline_table_at(&r->inl, bin, ip, at, 32), j;

	if (!n)
		fputc('-', r->out);
	for (j = 0; j < n; j++)
		fprintf(r->out, "%s%s", j ? ";" : "", at[j]->name);
}

static int load_blocks(struct replay *r)
{
	sqlite3_stmt *st;
	int64_t max = 0, count = 0;
	int rc;

	if (sqlite3_prepare_v2(r->db, "SELECT MAX(id), COUNT(*) FROM blocks",
			       -1, &st, NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, "blocks");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		max = sqlite3_column_int64(st, 0);
		count = sqlite3_column_int64(st, 1);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (loop_end(r, rc, "blocks"))
		return -1;
	/* Blocks are indexed by id: the writer numbers them 1..n, so the
	 * table is sized by the rows there are, not by an id (2^30 in a
	 * damaged database must not cost gigabytes). */
	if (max < 0 || max > count + 1) {
		fprintf(stderr, "hwt: replay: blocks: ids not dense (max id "
			"%lld for %lld rows): not a database hwt wrote\n",
			(long long)max, (long long)count);
		return -1;
	}
	r->nb = (size_t)max + 1;
	r->b = calloc(r->nb, sizeof(*r->b));
	if (!r->b) {
		fprintf(stderr, "hwt: replay: out of memory for %zu blocks\n",
			r->nb);
		r->nb = 0;
		return -1;
	}
	if (sqlite3_prepare_v2(r->db, "SELECT id, ip, ninsn, isa, insn_lens, "
			       "code, symbol_id, binary_id, iclass FROM blocks", -1,
			       &st, NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, "blocks");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		struct rblock *b;
		size_t nl = 0;

		if (id < 0 || (uint64_t)id >= r->nb)
			continue;
		b = &r->b[id];
		free(b->lens);
		free(b->code);
		b->ip = (uint64_t)sqlite3_column_int64(st, 1);
		b->ninsn = (uint32_t)sqlite3_column_int64(st, 2);
		b->isa = sqlite3_column_int(st, 3);
		b->lens = dup_blob(st, 4, &nl);
		if (b->lens && nl != b->ninsn) {
			free(b->lens);
			b->lens = NULL;
		}
		b->code = dup_blob(st, 5, &b->code_size);
		b->sym = sqlite3_column_int64(st, 6);
		b->bin = sqlite3_column_int64(st, 7);
		b->iclass = sqlite3_column_int(st, 8);
	}
	sqlite3_finalize(st);
	return loop_end(r, rc, "blocks");
}

/* The rows of sql (binary, addr, file, line; ordered by both) into *v,
 * *n.  Returns 0, or -1 (said) if SQLite failed. */
static int load_line_rows(struct replay *r, const char *sql,
			  struct rline **v, size_t *n, const char *what)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(st, 2);

		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			*v = hwt_xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[*n].bin = sqlite3_column_int64(st, 0);
		(*v)[*n].addr = (uint64_t)sqlite3_column_int64(st, 1);
		(*v)[*n].file = hwt_xstrdup(f ? f : "??");
		(*v)[*n].line = (uint32_t)sqlite3_column_int(st, 3);
		(*n)++;
	}
	sqlite3_finalize(st);
	return loop_end(r, rc, what);
}

/*
 * The lines table, and binary_lines where the database has it (decodes
 * since it was added: an added table, no version bump).
 * Returns 0 if read.
 * Returns -1 (said) if SQLite failed or binary_lines is not a table.
 */
static int load_lines(struct replay *r)
{
	sqlite3_stmt *st;
	const char *type = NULL;
	int rc, has = 0;

	if (load_line_rows(r, "SELECT 0, addr, file, line FROM lines "
			   "ORDER BY addr", &r->lines, &r->nlines,
			   "lines") < 0)
		return -1;
	if (sqlite3_prepare_v2(r->db, "SELECT type FROM main.sqlite_master "
			       "WHERE lower(name) = 'binary_lines'", -1, &st,
			       NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, "binary_lines");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		type = (const char *)sqlite3_column_text(st, 0);
		has = type && !strcmp(type, "table") ? 1 : -1;
	}
	sqlite3_finalize(st);
	if (loop_end(r, rc, "binary_lines"))
		return -1;
	if (has < 0) {
		fprintf(stderr, "hwt: replay: binary_lines is not a table "
			"(refused: not as hwt writes it)\n");
		return -1;
	}
	return has ? load_line_rows(r, "SELECT binary_id, addr, file, line "
				    "FROM binary_lines ORDER BY binary_id, "
				    "addr", &r->blines, &r->nblines,
				    "binary_lines") : 0;
}

/* Returns the row of (bin, addr) in v (n rows, by bin and addr), or
 * NULL if none. */
static const struct rline *line_row(const struct rline *v, size_t n,
				    int64_t bin, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].bin < bin ||
		    (v[mid].bin == bin && v[mid].addr < addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].bin == bin && v[lo].addr == addr ? &v[lo] :
	       NULL;
}

/* Returns the source line of binary bin's instruction at addr: its
 * binary_lines row (other binaries ran code there too), else the lines
 * row; NULL if neither has one. */
static const struct rline *find_line(const struct replay *r, int64_t bin,
				     uint64_t addr)
{
	const struct rline *l = r->nblines ?
		line_row(r->blines, r->nblines, bin, addr) : NULL;

	return l ? l : line_row(r->lines, r->nlines, 0, addr);
}

static int in_range(struct replay *r)
{
	if (r->idx < r->lo)
		return 0;
	if (r->idx >= r->hi) {
		r->done = 1;
		return 0;
	}
	return 1;
}

/* The last anchor at or before instruction index idx, or NULL. */
static const struct ranchor *anchor_at(const struct replay *r, uint64_t idx)
{
	size_t lo = 0, hi = r->nanc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->anc[mid].insn <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &r->anc[lo - 1] : NULL;
}

/*
 * The time of instruction idx.
 * Returns 1 with *t set if the stream has one there: on an instruction
 * clock any anchor fixes every time; else the last call or return at or
 * before idx gives it.
 * Returns 0 if it has none.
 */
static int time_of(const struct replay *r, uint64_t idx, uint64_t *t)
{
	const struct ranchor *a = anchor_at(r, idx);

	if (r->insn_clock && r->nanc) {
		if (!a)
			a = &r->anc[0];
		*t = a->time - a->insn + idx;
		return 1;
	}
	if (!a)
		return 0;
	*t = a->time;
	return 1;
}

static void put_addr(FILE *out, uint64_t ip)
{
	static const char hex[] = "0123456789abcdef";
	char s[17];
	int i;

	for (i = 15; i >= 0; i--, ip >>= 4)
		s[i] = hex[ip & 15];
	s[16] = '\n';
	fwrite(s, 1, 17, out);
}

/* An instruction the disassembler does not know (capstone 4.0.2 and
 * AVX-512): its bytes, as the trace's decoder measured them. */
static void put_bytes(char *text, size_t textlen, const struct rblock *b,
		      size_t off, unsigned len)
{
	size_t n = 0;
	unsigned i;

	if (!b->code || off >= b->code_size || !len) {
		snprintf(text, textlen, "(bad)");
		return;
	}
	if (len > b->code_size - off)
		len = (unsigned)(b->code_size - off);
	n = (size_t)snprintf(text, textlen, ".byte");
	for (i = 0; i < len && n < textlen; i++)
		n += (size_t)snprintf(text + n, textlen - n, "%s0x%02x",
				      i ? ", " : " ", b->code[off + i]);
}

/* The disassembly of the instruction at off in b (len: its length as the
 * trace's decoder measured it, 0: not known). */
static void insn_text(struct replay *r, const struct rblock *b, uint64_t ip,
		      size_t off, unsigned len, char *text, size_t textlen)
{
	/* Text only where the disassembler agrees with the length the
	 * trace's decoder used. */
	int n = b->code && off < b->code_size ?
		hwt_insn_text(r->dis, b->isa, b->code + off,
			      b->code_size - off, ip, text, textlen) : -1;

	if (n < 0 || (len && n != (int)len))
		put_bytes(text, textlen, b, off, len);
}

/* One line of the chosen fields. */
static void fields_line(struct replay *r, const struct rblock *b,
			uint64_t ip, size_t off, unsigned len)
{
	const struct rsym *sym = NULL, *bin;
	const struct rline *l;
	const char *base;
	char text[160];
	size_t i, printed = 0;

	if (r->has[F_SYM] || r->has[F_SYMOFF])
		sym = b->sym > 0 ? find_named(r->syms, r->nsyms, b->sym) :
		      NULL;
	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i] == F_SYMOFF && r->has[F_SYM])
			continue;	/* printed with sym */
		if (printed++)
			fputc(' ', r->out);
		switch (r->fields[i]) {
		case F_TID:
			fprintf(r->out, "%7lld", (long long)r->tid);
			break;
		case F_CPU:
			if (r->cpu >= 0)
				fprintf(r->out, "[%03lld]", (long long)r->cpu);
			else
				fputs("[---]", r->out);
			break;
		case F_INDEX:
			fprintf(r->out, "%10llu", (unsigned long long)r->idx);
			break;
		case F_IP:
			fprintf(r->out, "%016llx", (unsigned long long)ip);
			break;
		case F_SYM:
			fputs(sym ? sym->name : "[unknown]", r->out);
			if (r->has[F_SYMOFF] && sym)
				fprintf(r->out, "+0x%llx", (unsigned long long)
					(ip - sym->start));
			break;
		case F_SYMOFF:
			if (!r->has[F_SYM])
				fprintf(r->out, "+0x%llx", sym ?
					(unsigned long long)(ip - sym->start) :
					0ull);
			break;
		case F_DSO:
			bin = find_named(r->bins, r->nbins, b->bin);
			base = bin ? strrchr(bin->name, '/') : NULL;
			fprintf(r->out, "(%s)", !bin ? "[unknown]" :
				base ? base + 1 : bin->name);
			break;
		case F_SRCLINE:
			l = find_line(r, b->bin, ip);
			if (l)
				fprintf(r->out, "%s:%u", l->file, l->line);
			else
				fputs("??:0", r->out);
			break;
		case F_INLINE:
			put_inlines(r, b->bin, ip);
			break;
		case F_INSN:
			insn_text(r, b, ip, off, len, text, sizeof(text));
			fputs(text, r->out);
			break;
		case F_TIME: {
			uint64_t t;

			if (time_of(r, r->idx, &t))
				fprintf(r->out, "%12llu", (unsigned long long)t);
			else
				fputs("           -", r->out);
			break;
		}
		case F_NFIELDS:
			break;
		}
	}
	fputc('\n', r->out);
}

/*
 * Whether the instruction at off in b (len bytes) enters the kernel by
 * request: SYSCALL, SYSENTER or INT n on x86, SVC on A64 (Arm ARM C6.2:
 * 0xd4000001 | imm16 << 5).  A trace shows these as tracing off (PT's
 * TIP.PGD) or as an exception (ETE): the marker names the system call.
 * Returns 1 if it does, 0 if not or unknown.
 */
static int is_syscall(const struct rblock *b, size_t off, unsigned len)
{
	const uint8_t *p;

	if (b->iclass == HWT_IC_FAR_CALL)
		return 1;
	if (!b->code || off >= b->code_size || len > b->code_size - off)
		return 0;
	p = b->code + off;
	if (b->isa == HWT_ISA_A64)
		return len == 4 && ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				     (uint32_t)p[2] << 16 |
				     (uint32_t)p[3] << 24) >> 21 == 0x6a0 &&
		       (p[0] & 0x1f) == 1;
	if (b->isa >= HWT_ISA_X86_16 && b->isa <= HWT_ISA_X86_64)
		return len == 2 && ((p[0] == 0x0f &&
				     (p[1] == 0x05 || p[1] == 0x34)) ||
				    p[0] == 0xcd);
	return 0;
}

/*
 * The stream's trace events (events table) for --markers, by place.
 * Returns 0 if loaded (none in a database decoded before the table).
 * Returns -1 (message printed) on an SQLite error.
 */
static int load_events(struct replay *r, int64_t stream)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int step;

	r->nev = 0;
	r->next_ev = 0;
	if (!r->has_events)
		return 0;
	if (sqlite3_prepare_v2(r->db, "SELECT insn_index, kind, ip, arg, code "
			       "FROM events WHERE stream_id = ? ORDER BY "
			       "insn_index, rowid", -1, &st,
			       NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, "events");
	sqlite3_bind_int64(st, 1, stream);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		struct revent *e;

		if (r->nev == cap) {
			cap = cap ? 2 * cap : 256;
			r->ev = hwt_xrealloc(r->ev, cap * sizeof(*r->ev));
		}
		e = &r->ev[r->nev++];
		e->insn = (uint64_t)sqlite3_column_int64(st, 0);
		e->kind = !kind ? '?' : !strcmp(kind, "off") ? 'd' : kind[0];
		e->ip = (uint64_t)sqlite3_column_int64(st, 2);
		e->arg = (uint64_t)sqlite3_column_int64(st, 3);
		e->code = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return loop_end(r, step, "events");
}

/* One marker line: what the trace says happened before instruction
 * e->insn (after the one printed last). */
static void put_marker(struct replay *r, const struct revent *e)
{
	fputs("[", r->out);
	switch (e->kind) {
	case 'o':		/* on */
		fputs("trace on", r->out);
		if (e->ip)
			fprintf(r->out, " at %llx", (unsigned long long)e->ip);
		break;
	case 'd':		/* off */
		fputs(r->prev_far ? "trace off: system call" : "trace off",
		      r->out);
		if (e->ip)
			fprintf(r->out, ", next at %llx",
				(unsigned long long)e->ip);
		break;
	case 'a':		/* async */
		if (r->prev_far)
			fputs("system call", r->out);
		else
			fputs("interrupt or exception", r->out);
		if (e->code)
			fprintf(r->out, " (exception %lld)",
				(long long)e->code);
		if (e->ip)
			fprintf(r->out, " at %llx", (unsigned long long)e->ip);
		break;
	case 'e':		/* eret */
		fputs("exception return", r->out);
		if (e->ip)
			fprintf(r->out, " to %llx", (unsigned long long)e->ip);
		break;
	default:
		fputs("event", r->out);
		break;
	}
	fputs("]\n", r->out);
	r->prev_far = 0;
}

/* The markers due before instruction idx (UINT64_MAX: all that are
 * left), those of the slice only. */
static void put_markers(struct replay *r, uint64_t idx)
{
	while (r->next_ev < r->nev && r->ev[r->next_ev].insn <= idx) {
		const struct revent *e = &r->ev[r->next_ev++];

		if (e->insn >= r->lo && e->insn <= r->hi)
			put_marker(r, e);
	}
}

static void insn(struct replay *r, const struct rblock *b, uint64_t ip,
		 size_t off, unsigned len)
{
	char text[160];
	const struct rline *l;

	if (r->nev)
		put_markers(r, r->idx);
	if (!in_range(r))
		return;
	if (r->nfields) {
		fields_line(r, b, ip, off, len);
		return;
	}
	switch (r->o->format) {
	case HWT_REPLAY_ADDR:
		put_addr(r->out, ip);
		break;
	case HWT_REPLAY_INSN:
		insn_text(r, b, ip, off, len, text, sizeof(text));
		fprintf(r->out, "%016llx  %s\n", (unsigned long long)ip, text);
		break;
	case HWT_REPLAY_LINE:
		l = find_line(r, b->bin, ip);
		if (l && (l->line != r->last_line || !r->last_file ||
			  strcmp(l->file, r->last_file))) {
			fprintf(r->out, "%s:%u\n", l->file, l->line);
			r->last_file = l->file;
			r->last_line = l->line;
		}
		break;
	}
}

static int gap(struct replay *r, uint64_t eid)
{
	sqlite3_stmt *st = r->err_st;
	int rc;

	if (r->idx < r->lo || r->idx >= r->hi)
		return 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)eid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 2);
		const char *msg = (const char *)sqlite3_column_text(st, 3);

		fprintf(r->out, "[%llx, %llx: %s: %s]\n",
			(unsigned long long)sqlite3_column_int64(st, 0),
			(unsigned long long)sqlite3_column_int64(st, 1),
			kind ? kind : "?", msg ? msg : "?");
	} else if (rc == SQLITE_DONE) {
		fprintf(r->out, "[gap]\n");
	}
	sqlite3_reset(st);
	r->last_file = NULL;
	return rc == SQLITE_ROW ? 0 : loop_end(r, rc, "errors");
}

static int chunk(struct replay *r, const uint8_t *p, size_t n)
{
	while (n && !r->done) {
		uint64_t v, id;
		size_t k = hwt_uleb_get(p, n, &v);
		const struct rblock *b;

		if (!k)
			return -1;
		p += k;
		n -= k;
		if (v & 1) {
			if (gap(r, v >> 1) < 0)
				return -2;
			continue;
		}
		id = v >> 1;
		if (id >= r->nb || !r->b[id].ninsn)
			return -1;
		b = &r->b[id];
		if (r->idx + b->ninsn <= r->lo) {
			r->idx += b->ninsn;	/* fast skip */
			continue;
		}
		if (!b->lens) {
			insn(r, b, b->ip, 0, 0);
			if (in_range(r))
				fprintf(r->out, "[%u instructions at %llx: "
					"lengths unknown]\n", b->ninsn - 1,
					(unsigned long long)b->ip);
			r->idx += b->ninsn;
			r->prev_far = b->iclass == HWT_IC_FAR_CALL;
			continue;
		}
		{
			uint64_t ip = b->ip;
			size_t off = 0;
			uint32_t i;

			for (i = 0; i < b->ninsn && !r->done; i++) {
				insn(r, b, ip, off, b->lens[i]);
				ip += b->lens[i];
				off += b->lens[i];
				r->idx++;
			}
			r->prev_far = i && is_syscall(b, off - b->lens[i - 1],
						      b->lens[i - 1]);
		}
	}
	return 0;
}

/*
 * The stream's times: (insn, time) of every call and return that has
 * one, by insn, and whether they count instructions (streams.clock).
 * Returns 0 if loaded.
 * Returns -1 (message printed) on an SQLite error.
 */
static int load_anchors(struct replay *r, int64_t stream, int64_t thread_id)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int step;

	r->nanc = 0;
	r->insn_clock = 0;
	if (r->has_clock_col) {
		if (sqlite3_prepare_v2(r->db, "SELECT clock = 'insn' FROM "
				       "streams WHERE id = ?", -1, &st,
				       NULL) != SQLITE_OK)
			return loop_end(r, SQLITE_ERROR, "streams");
		sqlite3_bind_int64(st, 1, stream);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			r->insn_clock = sqlite3_column_int(st, 0) == 1;
			step = sqlite3_step(st);
		}
		sqlite3_finalize(st);
		if (loop_end(r, step, "streams"))
			return -1;
	}
	if (sqlite3_prepare_v2(r->db, "SELECT call_insn, call_time FROM calls "
			       "WHERE thread_id = ?1 AND call_time > 0 "
			       "UNION ALL SELECT return_insn, return_time "
			       "FROM calls WHERE thread_id = ?1 AND "
			       "return_time > 0 AND return_insn > 0 ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, "calls");
	sqlite3_bind_int64(st, 1, thread_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->nanc == cap) {
			cap = cap ? 2 * cap : 1024;
			r->anc = hwt_xrealloc(r->anc, cap * sizeof(*r->anc));
		}
		r->anc[r->nanc].insn = (uint64_t)sqlite3_column_int64(st, 0);
		r->anc[r->nanc++].time = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return loop_end(r, step, "calls");
}

/* The first anchor whose time is >= t (after 0) or > t (after 1), or
 * nanc if none is. */
static size_t anchor_by_time(const struct replay *r, uint64_t t, int after)
{
	size_t i;

	for (i = 0; i < r->nanc; i++)
		if (after ? r->anc[i].time > t : r->anc[i].time >= t)
			break;
	return i;
}

/* The stream's slice [lo, hi) from --from/--count and --time. */
static void set_slice(struct replay *r)
{
	const struct hwt_replay_opts *o = r->o;
	uint64_t base, lo, hi;
	size_t i;

	r->lo = o->from;
	r->hi = o->count ? o->from + o->count : UINT64_MAX;
	if (!o->time_slice)
		return;
	if (!r->nanc) {
		r->hi = 0;	/* no times: nothing is in the slice */
		return;
	}
	if (r->insn_clock) {
		base = r->anc[0].time - r->anc[0].insn;
		lo = o->time_from > base ? o->time_from - base : 0;
		hi = o->time_to < base ? 0 : o->time_to - base >= UINT64_MAX - 1 ?
		     UINT64_MAX : o->time_to - base + 1;
	} else {
		i = anchor_by_time(r, o->time_from, 0);
		lo = i < r->nanc ? r->anc[i].insn : UINT64_MAX;
		i = anchor_by_time(r, o->time_to, 1);
		hi = i < r->nanc ? r->anc[i].insn : UINT64_MAX;
	}
	if (lo > r->lo)
		r->lo = lo;
	if (hi < r->hi)
		r->hi = hi;
}

static int replay_stream(struct replay *r, int64_t stream, int64_t tid,
			 int64_t cpu, int64_t thread_id)
{
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	r->idx = 0;
	r->done = 0;
	r->last_file = NULL;
	r->tid = tid;
	r->cpu = cpu;
	r->prev_far = 0;
	if ((r->has[F_TIME] || r->o->time_slice) &&
	    load_anchors(r, stream, thread_id) < 0)
		return -1;
	set_slice(r);
	if (r->lo >= r->hi)
		return 0;
	if (r->o->markers && load_events(r, stream) < 0)
		return -1;
	if (sqlite3_prepare_v2(r->db, "SELECT first_insn, insn_count, data "
			       "FROM flow WHERE stream_id = ? ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return loop_end(r, SQLITE_ERROR, "flow");
	sqlite3_bind_int64(st, 1, stream);
	while (!r->done && (step = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t first = (uint64_t)sqlite3_column_int64(st, 0);
		uint64_t cnt = (uint64_t)sqlite3_column_int64(st, 1);

		r->idx = first;
		if (first + cnt < r->lo)
			continue;
		rc = chunk(r, sqlite3_column_blob(st, 2),
			   (size_t)sqlite3_column_bytes(st, 2));
		if (rc == -1)
			fprintf(stderr, "hwt: replay: corrupt flow in stream "
				"%lld\n", (long long)stream);
		if (rc < 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc >= 0 && !r->done && loop_end(r, step, "flow"))
		rc = -1;
	if (rc >= 0 && r->nev)
		put_markers(r, r->idx);	/* those after the last insn */
	return rc < 0 ? -1 : 0;
}

int hwt_replay(const char *path, const struct hwt_replay_opts *o, FILE *out)
{
	static const char *const tables[] = { "meta", "blocks", "flow",
		"errors", "streams", "threads", "lines", "symbols", "binaries",
		NULL };
	struct replay r;
	char why[160];
	sqlite3_stmt *st = NULL;
	int rc = -1, found = 0, step = SQLITE_DONE;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.out = out;
	r.db = hwt_db_open_ro(path, &r.budget, tables);
	if (!r.db)
		return -1;
	r.dis = hwt_disasm_alloc();
	if (o->fields && parse_fields(&r, o->fields, why, sizeof(why)) < 0) {
		fprintf(stderr, "hwt: replay: %s\n", why);
		goto out;
	}
	if (load_blocks(&r) < 0 ||
	    ((o->format == HWT_REPLAY_LINE || r.has[F_SRCLINE]) &&
	     load_lines(&r) < 0) ||
	    ((r.has[F_SYM] || r.has[F_SYMOFF]) &&
	     load_named(&r, "SELECT id, sym_start, name FROM symbols",
			&r.syms, &r.nsyms, "symbols") < 0) ||
	    (r.has[F_DSO] &&
	     load_named(&r, "SELECT id, 0, path FROM binaries", &r.bins,
			&r.nbins, "binaries") < 0) ||
	    (r.has[F_INLINE] && load_inlines(&r) < 0))
		goto out;
	/* streams.clock: in decodes since it was added (an added column,
	 * so no version bump). */
	if (sqlite3_prepare_v2(r.db, "SELECT clock FROM streams", -1, &st,
			       NULL) == SQLITE_OK)
		r.has_clock_col = 1;
	sqlite3_finalize(st);
	st = NULL;
	if (o->markers && sqlite3_prepare_v2(r.db, "SELECT kind FROM events",
					     -1, &st, NULL) == SQLITE_OK)
		r.has_events = 1;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(r.db, "SELECT offset, ip, kind, message FROM "
			       "errors WHERE id = ?", -1, &r.err_st,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r.db, "SELECT s.id, COALESCE(t.tid, s.tid), "
			       "s.cpu, s.thread_id FROM streams s LEFT JOIN "
			       "threads t ON t.id = s.thread_id WHERE "
			       "(?1 < 0 OR s.id = ?1) AND (?2 < 0 OR "
			       "t.tid = ?2 OR s.tid = ?2) ORDER BY s.id", -1,
			       &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "hwt: %s: %s\n", path, sqlite3_errmsg(r.db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, o->stream);
	sqlite3_bind_int64(st, 2, o->tid);
	rc = 0;
	while (rc >= 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		found++;
		rc = replay_stream(&r, sqlite3_column_int64(st, 0),
				   sqlite3_column_type(st, 1) == SQLITE_NULL ?
				   -1 : sqlite3_column_int64(st, 1),
				   sqlite3_column_type(st, 2) == SQLITE_NULL ?
				   -1 : sqlite3_column_int64(st, 2),
				   sqlite3_column_int64(st, 3));
	}
	if (rc >= 0 && loop_end(&r, step, "streams"))
		rc = -1;
	if (!found && (o->stream >= 0 || o->tid >= 0)) {
		fprintf(stderr, "hwt: %s: no such stream/thread\n", path);
		rc = -1;
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(r.err_st);
	for (i = 0; i < r.nb; i++) {
		free(r.b[i].lens);
		free(r.b[i].code);
	}
	for (i = 0; i < r.nlines; i++)
		free((char *)r.lines[i].file);
	for (i = 0; i < r.nblines; i++)
		free((char *)r.blines[i].file);
	for (i = 0; i < r.nsyms; i++)
		free(r.syms[i].name);
	for (i = 0; i < r.nbins; i++)
		free(r.bins[i].name);
	free(r.syms);
	free(r.bins);
	hwt_inline_table_free(&r.inl);
	free(r.anc);
	free(r.ev);
	free(r.lines);
	free(r.blines);
	free(r.b);
	hwt_disasm_free(r.dis);
	sqlite3_close(r.db);
	return rc;
}
