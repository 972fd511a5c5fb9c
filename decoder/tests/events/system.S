# System transfers traced in both user and kernel space: a far call and
# far return, syscall and sysret, an int and iret, a MOV CR3 with its PIP,
# CBR/TSC between them.  Each far transfer takes a TIP.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	lea rax, [rip + fptr]
#   the far call's and the far return's TIPs
#@ tip 3 farfn
#@ tsc 0x3000
#@ tip 3 back1
	call fword ptr [rax]
back1:	nop
#   syscall into kernel code, sysret back
#@ tip 3 kentry
#@ cbr 0x18
#@ tip 3 back2
	syscall
back2:	nop
#   int 0x80 into a handler, iretq back
#@ tip 3 handler
#@ tip 3 back3
	int 0x80
back3:	nop
#   kernel code that switches page tables: PIP at the MOV CR3
#@ tip 3 kswitch
#@ pip 0x1000
#@ tip 3 back4
	jmp qword ptr [rip + kswitch_ptr]
back4:	nop
#@ fup 1 fin
#@ tip.pgd 0
fin:	nop
	hlt
farfn:	nop
	retf
kentry:	nop
	sysretq
handler: nop
	iretq
kswitch: mov cr3, rax
	jmp qword ptr [rip + back4_ptr]
	.p2align 3
fptr:	.long farfn
	.word 0x33
kswitch_ptr: .quad kswitch
back4_ptr: .quad back4
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
