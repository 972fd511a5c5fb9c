# An asynchronous branch (interrupt) in the middle of a block, the
# handler's iret, and an async disable/enable pair around a syscall.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	nop
l2:	nop
#@ fup 1 l2
#@ tip 3 handler
	nop
	nop
#@ tip 1 l2
	jmp sc
handler: nop
	iretq
sc:	mov eax, 39
#@ tip.pgd 0
	syscall
#@ tip.pge 3 back
back:	nop
#@ fup 1 back2
#@ tip.pgd 0
back2:	nop
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
