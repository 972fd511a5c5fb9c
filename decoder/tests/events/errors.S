# Decode errors: a TNT with no conditional branch ahead (the decoders must
# resync at the next PSB), and a TIP into memory no image covers.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	nop
	nop
#@ tnt t
	jmp l2
l2:	nop
#@ psb
#@ mode.exec 64
#@ fup 3 l3
#@ psbend
l3:	nop
	lea rax, [rip + l4]
#@ tip 6 0x7000000
	jmp rax
l4:	nop
#@ psb
#@ mode.exec 64
#@ fup 3 l5
#@ psbend
l5:	mov ecx, 2
l6:	dec ecx
#@ tnt tn
	jnz l6
#@ fup 1 l7
#@ tip.pgd 0
l7:	nop
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
