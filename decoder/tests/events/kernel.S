# User and kernel code traced together (perf's default as root): far
# branches each take a TIP (a far call and return, syscall and sysret, int
# and iretq), an interrupt with its handler traced is a FUP and a TIP
# (libipt's asynchronous branch), kernel code runs plain system
# instructions (swapgs, cli, sti, rdmsr: no flow change, nothing bound),
# timing between them (SDM vol. 3C 33.4.2).
# fast path: all
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ tsc 0x1000
#@ psbend
#   the far call's and the far return's TIPs
#@ tip 3 farfn
#@ tsc 0x3000
#@ tip 3 back1
#   syscall into kernel code, sysret back
#@ tip 3 kentry
#@ cbr 0x18
#@ tip 3 back2
#   int 0x80 into a handler, iretq back
#@ tip 3 handler
#@ tip 3 back3
#   an interrupt at mid (the loop's second instruction), its handler
#   traced, iretq back to mid; the loop's branch
#@ fup 3 mid
#@ tip 3 irq
#@ tsc 0x4000
#@ tip 3 mid
#@ tnt tn
#@ fup 1 fin
#@ tip.pgd 0
	.intel_syntax noprefix
	.text
start:	lea rax, [rip + fptr]
	call fword ptr [rax]
back1:	nop
	syscall
back2:	nop
	int 0x80
back3:	mov ecx, 2
loop:	nop
mid:	add eax, 1
	dec ecx
	jnz loop
fin:	nop
	hlt
farfn:	nop
	retf
kentry:	swapgs
	cli
	nop
	sti
	swapgs
	sysretq
handler: swapgs
	rdmsr
	swapgs
	iretq
irq:	swapgs
	nop
	swapgs
	iretq
	.p2align 3
fptr:	.long farfn
	.word 0x33
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
