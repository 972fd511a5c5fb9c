# A user-space trace interrupted (FUP, TIP.PGD, later TIP.PGE) at awkward
# places: in straight-line code after a direct call, at a conditional
# branch itself, at an indirect jump (a disabled PSB+ in between), at a
# return resumed in a signal handler; the trace ends disabled.
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
#   pass 1: interrupted at f2, f returns uncompressed, the loop goes on
#@ fup 1 f2
#@ tip.pgd 0
#@ tsc 0x500
#@ tip.pge 3 f2
#@ tip 1 back
#@ tnt t
#   pass 2: f returns compressed; interrupted at the jnz, which falls
#   through
#@ tnt t
#@ fup 1 jz1
#@ tip.pgd 0
#@ tip.pge 3 jz1
#@ tnt n
#   interrupted at the indirect jump, a PSB+ while disabled
#@ fup 1 j1
#@ tip.pgd 0
#@ psb
#@ mode.exec 64
#@ psbend
#@ tip.pge 3 j1
#@ tip 1 ind
#   interrupted at g's return, resumed in a signal handler that jumps
#   back to it; g returns uncompressed
#@ fup 1 gret
#@ tip.pgd 0
#@ tip.pge 3 handler
#@ tip 1 gret
#@ tip 1 after
#   interrupted for good
#@ fup 1 fin
#@ tip.pgd 0
start:	mov ecx, 2
top:	call f
back:	dec ecx
jz1:	jnz top
	lea rax, [rip + ind]
j1:	jmp rax
ind:	call g
after:	nop
fin:	nop
	hlt
f:	nop
f2:	nop
	ret
g:	nop
gret:	ret
handler: nop
	lea rdx, [rip + gret]
	jmp rdx
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
