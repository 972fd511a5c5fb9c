# An overflow just before a PSB: resumed at the PSB+'s FUP (tracing on),
# disabled (a PSB+ without FUP, TIP.PGE later), and disabled by filtering
# (a PSB+ whose FUP carries an IP, TIP.PGE at it).  libipt 2.0.5 binds an
# overflow to no FUP in a PSB+ (tracing counts as disabled) and fails at
# the next TNT or TIP.PGE; the segmented decode must fail alike.
	.intel_syntax noprefix
	.text
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ psbend
start:	mov ecx, 4
#   pass 1: an overflow, a PSB+ with the FUP where it resumes
#@ ovf
#@ psb
#@ mode.exec 64
#@ fup 3 o1
#@ psbend
#@ tnt t
#   pass 2: an overflow, a PSB+ without FUP, enabled at o1
#@ ovf
#@ psb
#@ mode.exec 64
#@ psbend
#@ tip.pge 3 o1
#@ tnt t
#   pass 3: an overflow, a PSB+ with a FUP while filtered, enabled there
#@ ovf
#@ psb
#@ mode.exec 64
#@ fup 3 o1
#@ pip 0x1000
#@ psbend
#@ tip.pge 3 o1
#@ tnt t
#@ tnt n
#@ fup 1 fin
#@ tip.pgd 0
top:	nop
o1:	add eax, 1
	dec ecx
	jnz top
fin:	nop
	hlt
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
