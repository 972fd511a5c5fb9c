# A transactional abort right after a conditional branch, on a processor
# with erratum BDM64 (the TNT before the abort may be wrong): with the
# erratum applied the decode stops at the branch and takes the abort.
# cpu: 6/61
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ mode.tsx begin
#@ fup 3 l1
#@ psbend
l1:	test [rax], rbx
l2:	je l5
#@ tnt n
l3:	nop
l4:	call rax
l5:	hlt
l6:	hlt
#@ mode.tsx abort
#@ fup 1 l5
#@ tip 1 l7
l7:	nop
#@ fup 1 l8
#@ tip.pgd 0 l9
l8:	nop
l9:	hlt
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
