# The trace ends while tracing is disabled, after PSB+s whose FUP carries
# an IP (filtered out: an indirect call into filtered-out code, TIP.PGD
# with its target): nothing runs after the TIP.PGD.  The first time a
# TIP.PGE follows the PSB+; at the end none does, so nothing after the
# last PSBs tells that tracing is disabled there.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 2
	lea rax, [rip + filt]
#@ tip.pgd 3 filt
#@ psb
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
#@ tip.pge 3 r1
#@ tnt t
#@ tip.pgd 1 filt
#@ psb
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
#@ tsc 0x800
#@ psb
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
top:	call rax
r1:	dec ecx
	jnz top
fin:	nop
	hlt
filt:	nop
	mov ecx, 5
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
