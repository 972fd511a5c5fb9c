# PSBs (segment boundaries of the segmented decode) in awkward places:
# right after a taken branch, after a fall-through into straight-line code,
# after a call and a direct jump (no trace until the next branch), while
# tracing is disabled (PSB+ with no FUP), inside a transaction (MODE.TSX in
# PSB+), right after an overflow, and between an async branch's FUP and
# its TIP's target code.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 3
l1:	dec ecx
#   two taken, then a PSB whose FUP is the loop head (after a taken jnz)
#@ tnt t
#@ psb
#@ mode.exec 64
#@ fup 3 l1
#@ psbend
#@ tnt tn
	jnz l1
#   fall through: nop, call f (direct), f: jmp g (direct), g: nops; a PSB
#   whose FUP is in the middle of g
#@ psb
#@ mode.exec 64
#@ fup 3 g2
#@ psbend
#   g returns, uncompressed: the hardware compresses no return across a PSB
#@ tip 1 back
	nop
	call f
back:	nop
#   disabled at d1 (async), a PSB while disabled, enabled again at d2
#@ fup 1 d1
#@ tip.pgd 0
#@ psb
#@ mode.exec 64
#@ psbend
#@ tip.pge 3 d2
d1:	nop
d2:	nop
#   a transaction, a PSB inside it, commit
#@ mode.tsx begin
#@ fup 1 t1
	xbegin ab
t1:	inc eax
#@ psb
#@ mode.exec 64
#@ mode.tsx begin
#@ fup 3 t2
#@ psbend
t2:	inc eax
#@ mode.tsx commit
#@ fup 1 t3
	xend
t3:	nop
#   an overflow resuming at o1, then a PSB right away
#@ ovf
#@ fup 3 o1
#@ psb
#@ mode.exec 64
#@ fup 3 o1
#@ psbend
ab:	nop
o1:	nop
#   an interrupt at i1, a PSB in the handler, iret back to i1
#@ fup 1 i1
#@ tip 3 handler
#@ psb
#@ mode.exec 64
#@ fup 3 h2
#@ psbend
#@ tip 1 i1
i1:	nop
#@ fup 1 fin
#@ tip.pgd 0
	jmp fin
handler: nop
h2:	nop
	iretq
f:	jmp g
g:	nop
g2:	nop
	ret
fin:	nop
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
