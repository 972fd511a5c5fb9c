# PSB+s while tracing is enabled, as a real capture's look (issue 21: the
# QEMU one's): MODE.TSX, PIP, VMCS and CBR beside MODE.Exec and the FUP
# (SDM vol. 3C 33.3.7 "PSB+": status only, the order not fixed), some with
# a TSC, their FUP at a block's first instruction and inside blocks (in
# the callee and after its return).  Status only: the flow goes on, and a
# decode gives the blocks, counts and calls it gives without them
# (segcmp.sh: tests/events/psb_status.S against this file without the
# status packets).
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.tsx commit
#@ mode.exec 64
#@ fup 3 start
#@ pip 0x1000
#@ vmcs 0x5000
#@ cbr 0x20
#@ tsc 0x1000
#@ psbend
start:	mov ecx, 3
top:	call f
#   pass 1: f's return compressed; a PSB+ at the block after it
#@ tnt t
#@ psb
#@ pip 0x1000
#@ mode.tsx commit
#@ mode.exec 64
#@ vmcs 0x5000
#@ fup 3 a2
#@ cbr 0x20
#@ tsc 0x2000
#@ psbend
#@ tnt t
#   pass 2: a PSB+ inside f's block (its return then uncompressed: no
#   call before it since the PSB), and one inside the block after
#@ psb
#@ mode.tsx commit
#@ mode.exec 64
#@ fup 3 mid
#@ pip 0x1000
#@ vmcs 0x5000
#@ psbend
#@ tip 3 a2
#@ psb
#@ mode.exec 64
#@ fup 3 a3
#@ vmcs 0x5000
#@ pip 0x1000
#@ tsc 0x3000
#@ psbend
#@ tnt t
#   pass 3: none
#@ tnt t
#@ tnt n
#@ fup 1 fin
#@ tip.pgd 0
a2:	add eax, 2
a3:	add eax, 3
	dec ecx
	jnz top
fin:	nop
	hlt
f:	nop
mid:	add eax, 1
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
