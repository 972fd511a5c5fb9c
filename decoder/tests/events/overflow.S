# Overflow: resume at a FUP, and resume with TIP.PGE after a disabled
# stretch; timing packets around the overflow.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 4
l1:	dec ecx
#@ tnt tt
#@ ovf
#@ tsc 0x2000
#@ fup 3 l3
	jnz l1
l3:	nop
	mov ecx, 2
l4:	dec ecx
#@ tnt tn
	jnz l4
	nop
#@ ovf
#@ tip.pge 3 l6
l5:	nop
l6:	nop
#@ fup 1 l7
#@ tip.pgd 0
l7:	nop
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
