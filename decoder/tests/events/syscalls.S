# A user-space trace of a loop that makes system calls: TIP.PGD with no
# IP at each SYSCALL, TIP.PGE where it returns, timing packets and a PSB+
# (no FUP: tracing disabled) in between, PSBs between the calls.
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 3
top:	mov eax, 39
#   first call: disabled, timing, enabled again
#@ tip.pgd 0
#@ tsc 0x100
#@ mtc 2
#@ mode.exec 64
#@ tip.pge 3 ret1
	syscall
ret1:	dec ecx
#@ tnt t
	jnz top
#   second call: a PSB+ while disabled, then the PGE compressed
#@ tip.pgd 0
#@ psb
#@ mode.exec 64
#@ psbend
#@ tip.pge 3 ret1
#@ tnt t
#   third call: straight back, then a PSB in the loop body
#@ tip.pgd 0
#@ tip.pge 1 ret1
#@ tnt n
#@ psb
#@ mode.exec 64
#@ fup 3 after
#@ psbend
after:	call f
#   a call whose target is outside the filter: TIP.PGD with no IP at a
#   SYSCALL inside f, never enabled again
#@ tip.pgd 0
fin:	hlt
f:	nop
	syscall
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
