/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A64 instruction text from LLVM's C disassembler API (llvm-c/
 * Disassembler.h, Apache-2.0 WITH LLVM-exception), opened with dlopen:
 * see insn_llvm.h.  The few entry points are declared here (opaque
 * context pointer), so building needs no LLVM headers.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "image/insn_llvm.h"
#include "core/flow.h"

typedef void *(*create_fn)(const char *triple, const char *cpu,
			   const char *features, void *info, int tag_type,
			   void *get_op_info, void *symbol_lookup);
typedef int (*options_fn)(void *dc, uint64_t options);
typedef size_t (*disasm_fn)(void *dc, uint8_t *bytes, uint64_t size,
			    uint64_t pc, char *out, size_t outlen);
typedef void (*init_fn)(void);

#define LLVM_OPTION_PRINT_IMM_HEX	2	/* Disassembler.h */

/* Every A64 extension LLVM 14 decodes: a trace shows what ran. */
#define A64_FEATURES "+v9a,+sve,+sve2,+sve2-bitperm,+sve2-aes,+sve2-sha3," \
	"+sve2-sm4,+sme,+sme-i64,+sme-f64,+lse,+rcpc,+rcpc-immo,+mte,+bf16," \
	"+i8mm,+f64mm,+tme,+ls64,+crypto,+sha3,+sm4,+dotprod,+fp16fml," \
	"+fullfp16,+spe,+rand,+pauth,+flagm,+predres,+sb,+ssbs"

static pthread_once_t llvm_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t llvm_lock = PTHREAD_MUTEX_INITIALIZER;
static void *llvm_dc;
static disasm_fn llvm_disasm;

static void llvm_open(void)
{
	static const char *const libs[] = { "libLLVM-14.so.1",
		"libLLVM-15.so.1", "libLLVM-16.so.1", "libLLVM-14.so" };
	static const char *const inits[] = {
		"LLVMInitializeAArch64TargetInfo",
		"LLVMInitializeAArch64TargetMC",
		"LLVMInitializeAArch64Disassembler" };
	void *lib = NULL;
	create_fn create;
	options_fn options;
	size_t i;

	for (i = 0; !lib && i < sizeof(libs) / sizeof(libs[0]); i++)
		lib = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return;
	for (i = 0; i < sizeof(inits) / sizeof(inits[0]); i++) {
		init_fn f = (init_fn)dlsym(lib, inits[i]);

		if (!f)
			return;
		f();
	}
	create = (create_fn)dlsym(lib, "LLVMCreateDisasmCPUFeatures");
	options = (options_fn)dlsym(lib, "LLVMSetDisasmOptions");
	llvm_disasm = (disasm_fn)dlsym(lib, "LLVMDisasmInstruction");
	if (!create || !options || !llvm_disasm)
		return;
	llvm_dc = create("aarch64-linux-gnu", "", A64_FEATURES, NULL, 0,
			 NULL, NULL);
	if (llvm_dc)
		options(llvm_dc, LLVM_OPTION_PRINT_IMM_HEX);
}

int hwt_insn_text_llvm(int isa, const uint8_t *bytes, size_t size,
		       uint64_t ip, char *text, size_t textlen)
{
	uint8_t word[4];
	size_t n;
	char *p;

	if (isa != HWT_ISA_A64 || size < 4 || textlen < 2)
		return -1;
	pthread_once(&llvm_once, llvm_open);
	if (!llvm_dc)
		return -1;
	memcpy(word, bytes, 4);	/* LLVM takes a non-const buffer */
	pthread_mutex_lock(&llvm_lock);	/* one context, not thread-safe */
	n = llvm_disasm(llvm_dc, word, 4, ip, text, textlen);
	pthread_mutex_unlock(&llvm_lock);
	if (n != 4)
		return -1;
	/* "\tmnemonic\toperands": as capstone's "mnemonic operands". */
	p = text + strspn(text, " \t");
	memmove(text, p, strlen(p) + 1);
	p = strchr(text, '\t');
	if (p)
		*p = ' ';
	return 4;
}
