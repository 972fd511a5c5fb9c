# Enable and async disable on the same IP; a resume; a disable at a jump.
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 l1
#@ psbend
l1:	nop
#@ fup 1 l1
#@ tip.pgd 0
#@ tip.pge 3 l1
l2:	nop
#@ fup 1 l2
#@ tip.pgd 0 l3
l3:	hlt
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
