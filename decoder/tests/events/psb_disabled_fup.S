# A PSB+ while tracing is disabled (an interrupt: FUP, TIP.PGD) whose FUP
# carries an IP anyway (TraceEn=1, FilterEn or ContextEn=0): resumed at
# the FUP's IP (full and compressed TIP.PGE; timing and a MODE.Exec
# between PSBEND and TIP.PGE), at another IP (a signal handler), and after
# two such PSB+s in a row.
# fast path: all
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 4
#   pass 1: interrupted at i1, resumed there
#@ fup 1 i1
#@ tip.pgd 0
#@ psb
#@ mode.exec 64
#@ fup 3 i1
#@ psbend
#@ tip.pge 3 i1
#@ tnt t
#   pass 2: interrupted at i1, timing and a MODE.Exec before the TIP.PGE
#   (compressed against the FUP)
#@ fup 1 i1
#@ tip.pgd 0
#@ psb
#@ tsc 0x1000
#@ mode.exec 64
#@ fup 3 i1
#@ cbr 0x20
#@ psbend
#@ tsc 0x2000
#@ mtc 3
#@ mode.exec 64
#@ tip.pge 1 i1
#@ tnt t
#   pass 3: interrupted at i2, two PSB+s while disabled, resumed in a
#   handler that jumps back to i2
#@ fup 1 i2
#@ tip.pgd 0
#@ psb
#@ mode.exec 64
#@ fup 3 i2
#@ psbend
#@ psb
#@ mode.exec 64
#@ fup 3 i2
#@ psbend
#@ tip.pge 3 handler
#@ tip 1 i2
#@ tnt t
#   pass 4: straight through, then disabled for good at fin
#@ tnt n
#@ fup 1 fin
#@ tip.pgd 0
top:	nop
i1:	add eax, 1
i2:	dec ecx
	jnz top
fin:	nop
	hlt
handler: nop
	lea rdx, [rip + i2]
	jmp rdx
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
