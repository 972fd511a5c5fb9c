# A user-space trace: an interrupt (FUP, TIP.PGD) at a direct call that the
# fast path has walked past already (into the callee, to its return), so
# the call never ran before it; tracing resumes at the call, which runs
# then.  The returns after are compressed: each takes the return address
# of the call it returns from, so a return address pushed for the call
# that never ran, had it stayed, would send the second one astray.
# fast path: all
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
#@ fup 3 x
#@ tip.pgd 0
#@ tip.pge 3 x
#   f's return, then body's
#@ tnt t
#@ tnt t
#@ fup 1 fin
#@ tip.pgd 0
	.intel_syntax noprefix
	.text
start:	call body
fin:	nop
	hlt
body:	nop
x:	call f
	nop
	ret
f:	nop
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
