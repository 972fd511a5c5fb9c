# A PSB right after an indirect branch whose block holds the PSB's FUP
# (a loop closed by an indirect jump): the block before the PSB must stay
# in the segment before it, although the decoder has read past the PSB to
# finish it.  Then the same after a return and after a compressed return.
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	lea rax, [rip + l1]
l1:	nop
#@ tip 1 l1
#@ tip 1 l1
#@ psb
#@ mode.exec 64
#@ fup 3 l1
#@ psbend
#@ tip 1 l1
#@ tip 1 out
	jmp rax
out:	call f
#@ tip 1 r1
#@ psb
#@ mode.exec 64
#@ fup 3 r1
#@ psbend
r1:	call f
#@ tnt t
#@ psb
#@ mode.exec 64
#@ fup 3 r2
#@ psbend
r2:	nop
#@ fup 1 fin
#@ tip.pgd 0
fin:	nop
f:	nop
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
