# What an IP-filtered or VMX trace looks like (issue 21): tracing disabled
# (TIP.PGD), then a PSB+ while disabled whose FUP carries the IP where
# tracing will resume (TraceEn=1, FilterEn=0: the SDM lets the PSB+ FUP
# carry the IP), with MODE.TSX, PIP, VMCS and CBR in it, then TIP.PGE at
# that IP and TNT/TIP.  A segment that starts at such a PSB+ must start
# disabled, waiting for the TIP.PGE, as the continuous decode is there.
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 3
top:	call f
#   f returns uncompressed, then the loop's branch
#@ tip 1 back
#@ tnt t
#   second pass: disabled at the VM exit (async), a PSB+ while disabled
#   with the FUP of where it resumes, enabled at that IP, TNT/TIP go on
#@ fup 1 vmx
#@ tip.pgd 0
#@ psb
#@ mode.tsx commit
#@ mode.exec 64
#@ fup 3 vmx
#@ pip 0x1000
#@ vmcs 0x5000
#@ cbr 0x20
#@ psbend
#@ tip.pge 3 vmx
#@ tip 1 back
#@ tnt t
#   third pass: the same with the PGE compressed against the FUP
#@ fup 1 vmx
#@ tip.pgd 0
#@ psb
#@ mode.tsx commit
#@ mode.exec 64
#@ fup 3 vmx
#@ pip 0x1000
#@ vmcs 0x5000
#@ cbr 0x20
#@ psbend
#@ tip.pge 1 vmx
#@ tip 1 back
#@ tnt n
#@ fup 1 fin
#@ tip.pgd 0
back:	dec ecx
	jnz top
fin:	nop
	hlt
f:	nop
vmx:	nop
	add eax, 1
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
