# A PSB+ while tracing is disabled without a FUP (ContextEn=0: in the
# kernel during a system call of a user-only trace), with MODE.TSX, PIP,
# VMCS and timing in it, right after the TIP.PGD and after timing packets.
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 2
top:	mov eax, 39
#@ tip.pgd 0
#@ psb
#@ mode.tsx commit
#@ mode.exec 64
#@ pip 0x2000
#@ vmcs 0x6000
#@ tsc 0x300
#@ psbend
#@ tip.pge 3 ret1
#@ tnt t
#@ tip.pgd 0
#@ tsc 0x400
#@ cbr 0x10
#@ psb
#@ mode.exec 64
#@ pip 0x2000
#@ psbend
#@ mtc 5
#@ tip.pge 3 ret1
#@ tnt n
#@ fup 1 fin
#@ tip.pgd 0
	syscall
ret1:	dec ecx
	jnz top
fin:	nop
	hlt
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
