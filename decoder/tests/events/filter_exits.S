# An IP-filtered trace (issue 21's captures are): a branch that leaves the
# traced range disables tracing with TIP.PGD and the IP it went to (SDM
# vol. 3C 33.2.5.3), a branch back into it enables it with TIP.PGE.
# libipt binds the disable where the flow reaches that IP without trace
# (a direct call), else to the branch that needed trace (an indirect call:
# tracing expected back after it, "resumed"; an indirect jump, a taken
# conditional branch, a return: not).  Code outside the range calls back
# into it; TSCs before a disable and an enable; a PSB+ while out.
# fast path: all
#@ psb
#@ mode.exec 64
#@ fup 3 start
#@ tsc 0x1000
#@ psbend
#   pass 1 (ecx 3): ext called directly, it calls cb, cb returns out
#@ tip.pgd 3 ext
#@ tip.pge 3 cb
#@ tip.pgd 3 ext_r
#@ tip.pge 3 back1
#   the indirect call out, back after it
#@ tsc 0x2000
#@ tip.pgd 3 ext2
#@ tip.pge 3 back2
#   inner's return (compressed), jz even not taken, jmp rdx out
#@ tnt t
#@ tnt n
#@ tip.pgd 3 ext3
#@ psb
#@ mode.exec 64
#@ psbend
#@ tsc 0x3000
#@ tip.pge 3 next
#@ tnt t
#   pass 2 (ecx 2): the same calls, jz even taken, jz ext4 out
#@ tip.pgd 3 ext
#@ tip.pge 3 cb
#@ tip.pgd 3 ext_r
#@ tip.pge 3 back1
#@ tip.pgd 3 ext2
#@ tip.pge 3 back2
#@ tnt t
#@ tnt t
#@ tip.pgd 3 ext4
#@ tip.pge 3 next
#@ tnt t
#   pass 3 (ecx 1): as pass 1, then the loop ends
#@ tip.pgd 3 ext
#@ tip.pge 3 cb
#@ tip.pgd 3 ext_r
#@ tip.pge 3 back1
#@ tip.pgd 3 ext2
#@ tip.pge 3 back2
#@ tnt t
#@ tnt n
#@ tip.pgd 3 ext3
#@ tip.pge 3 next
#@ tnt n
#@ fup 1 fin
#@ tip.pgd 0
	.intel_syntax noprefix
	.text
start:	mov ecx, 3
	lea rbx, [rip + ext2]
	lea rdx, [rip + ext3]
top:	call ext
back1:	call rbx
back2:	call inner
back3:	test ecx, 1
	jz even
	jmp rdx
even:	jz ext4
next:	dec ecx
	jnz top
fin:	nop
	hlt
inner:	nop
	ret
cb:	nop
	ret
# outside the traced range
ext:	call cb
ext_r:	ret
ext2:	nop
	ret
ext3:	jmp next
ext4:	jmp next
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
