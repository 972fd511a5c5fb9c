# Instructions capstone 4.0.2 (Debian 12) does not know, as glibc's
# *_evex string functions run them: EVEX (AVX-512) compares and moves, and
# mask-register instructions, several in one block and as the last one
# before a branch and before tracing stops.  Their lengths come from
# libipt (insn_ipt.c): the replay must list every address, no placeholder.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ psbend
#@ tip.pge 3 start
start:	vpbroadcastb ymm16, esi
	vpcmpb k1, ymm16, YMMWORD PTR [rdi], 0
	kmovd eax, k1
	vmovdqu64 ymm16, YMMWORD PTR [rsi]
	test eax, eax
#@ tnt n
	jz skip
	vpcmpeqb k0, ymm16, YMMWORD PTR [rdi]
	vpminub ymm18, ymm17, YMMWORD PTR [rdi + 0x20]
	kortestd k1, k0
#@ tnt t
	jnz next
	nop
next:	vptestnmb k2, ymm18, ymm18
	kmovd eax, k2
	vmovdqu8 YMMWORD PTR [rdi]{k1}, ymm16
#@ tnt n
	jc skip
	vmovdqu64 ymm17, YMMWORD PTR [rsi + 0x40]
	vpcmpeqb k3, ymm17, YMMWORD PTR [rdi + 0x40]
#@ fup 1 end
#@ tip.pgd 0
end:	hlt
skip:	hlt
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
