# IP filtering (TraceEn=1, FilterEn=0 outside the traced range): an
# indirect call into filtered-out code disables tracing (TIP.PGD with the
# call's target, a synchronous disable); PSB+s while filtered out carry a
# FUP with the IP where tracing resumes (the return address; libipt
# 2.0.5 accepts a disabled PSB+'s FUP only there), TIP.PGE at it.
# Compressed and uncompressed, timing around, two PSB+s while filtered.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 3
	lea rax, [rip + filt]
#   pass 1
#@ tip.pgd 3 filt
#@ psb
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
#@ tip.pge 3 r1
#@ tnt t
#   pass 2: compressed, timing around
#@ tip.pgd 1 filt
#@ tsc 0x100
#@ psb
#@ tsc 0x200
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
#@ mtc 1
#@ tip.pge 1 r1
#@ tnt t
#   pass 3: two PSB+s while filtered out
#@ tip.pgd 1 filt
#@ psb
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
#@ psb
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
#@ tip.pge 3 r1
#@ tnt n
#@ fup 1 fin
#@ tip.pgd 0
top:	call rax
r1:	dec ecx
	jnz top
fin:	nop
	hlt
filt:	nop
filt2:	nop
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
