/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * symtab.c: an ELF file's segments and symbols (libelf).
 */
#ifndef HWT_DECODER_SYMTAB_H
#define HWT_DECODER_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

struct hwt_sym {
	uint64_t start;		/* link-time address */
	uint64_t size;
	uint64_t limit;		/* end of its section (0: unknown) */
	char *name;		/* demangled where C++ */
	char *mangled;		/* the ELF name where demangled, else NULL */
	uint32_t id;		/* database symbol id (>= 1) */
	uint8_t binding;	/* STB_* */
	uint8_t type;		/* STT_* */
};

struct hwt_elf_seg {
	uint64_t vaddr, offset, filesz, memsz;
	uint32_t flags;		/* PF_* */
};

struct hwt_elf {
	int type;		/* ET_* */
	int machine;		/* EM_* */
	char build_id[64];	/* lowercase hex, "" if none */
	struct hwt_elf_seg *segs;
	size_t nsegs;
	/* Sorted by start, sized and unique: a symbol of size 0 reaches
	 * the next one but never past its section; x86-64 PLT entries are
	 * synthesized as NAME@plt (from .rela.plt/.rela.dyn). */
	struct hwt_sym *syms;
	size_t nsyms;
};

/* 1: ELF loaded, 0: not an ELF file, <0: corrupt ELF (err set). */
int hwt_elf_load(const char *path, struct hwt_elf *elf, char *err,
		 size_t errlen);
/* The same from an open file (not closed; path for messages). */
int hwt_elf_load_fd(int fd, const char *path, struct hwt_elf *elf,
		    char *err, size_t errlen);
void hwt_elf_fini(struct hwt_elf *elf);

/*
 * Adds the function symbols of a separate debug file (fd, not closed:
 * `objcopy --only-keep-debug`, a distribution's -dbg/-dbgsym package),
 * for a stripped elf.
 * Returns 1 if fd is an ELF file with elf's build id (symbols added).
 * Returns 0 if elf has no build id, or fd is not an ELF file, or its
 * build id differs (nothing added).
 */
int hwt_elf_add_debug_fd(struct hwt_elf *elf, int fd);

struct hwt_range {
	uint64_t start, size;	/* link-time address, bytes */
};

/*
 * Names code that no symbol covers (a stripped binary's own functions):
 * one symbol "sub_ADDR" (link-time address in hex, as disassemblers name
 * them) per range r that overlaps no existing symbol.  The ranges are
 * function extents, e.g. .eh_frame's FDEs (hwt_dwarf_fde_ranges).
 * Returns the number of symbols added (0 if every range was covered).
 */
size_t hwt_elf_add_unnamed(struct hwt_elf *elf, const struct hwt_range *r,
			   size_t n);
const struct hwt_sym *hwt_sym_find(const struct hwt_sym *syms, size_t n,
				   uint64_t addr);

#endif /* HWT_DECODER_SYMTAB_H */
