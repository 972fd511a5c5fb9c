# PTWRITE with its FUP, power events (PWRE, EXSTOP with IP, PWRX), MNT,
# between instructions, and a STOP at the end.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov eax, 5
#@ ptw 1 0x1234 ip
#@ fup 1 pw
pw:	ptwrite rax
	nop
#@ pwre 1 0
#@ exstop ip
#@ fup 1 halt
halt:	nop
#@ pwrx 1 1
#@ mnt 0xabcd
#@ fup 1 after
#@ tip 1 after
after:	nop
	nop
#@ fup 1 fin
#@ tip.pgd 0
#@ stop
fin:	nop
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
