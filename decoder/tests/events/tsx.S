# A transaction that commits and one that aborts (MODE.TSX, FUP, TIP to
# the abort handler).
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	nop
#@ mode.tsx begin
#@ fup 1 t1
	xbegin abort1
t1:	inc eax
#@ mode.tsx commit
#@ fup 1 t1e
	xend
t1e:	nop
#@ mode.tsx begin
#@ fup 1 t2
	xbegin abort1
t2:	inc eax
	inc eax
#@ mode.tsx abort
#@ fup 1 t2b
#@ tip 1 abort1
t2b:	inc eax
	xend
abort1:	nop
#@ fup 1 fin
#@ tip.pgd 0
fin:	nop
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
