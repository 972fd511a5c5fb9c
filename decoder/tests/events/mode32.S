# A switch to 32-bit code (MODE.Exec before TIP.PGE) and back to 64-bit.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	nop
#@ fup 1 j1
#@ tip.pgd 0
j1:	jmp c32
#@ mode.exec 32
#@ tip.pge 3 c32
	.code32
c32:	mov eax, 1
	inc eax
	push eax
	pop eax
#@ fup 1 c32e
#@ tip.pgd 0
c32e:	nop
	.code64
#@ mode.exec 64
#@ tip.pge 3 c64
c64:	nop
#@ fup 1 c64e
#@ tip.pgd 0
c64e:	nop
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
