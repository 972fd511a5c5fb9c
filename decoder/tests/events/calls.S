# Direct and indirect calls, compressed and uncompressed returns, every
# IP compression of TIP.  Packets in execution order:
#@ psb
#@ mode.exec 64
#@ psbend
#@ tip.pge 6 start
#   call f1; f1 returns compressed
#@ tnt t
#   call rax four times, each TIP compressed differently; f2 returns
#   uncompressed (TIP to the return address)
#@ tip 1 f2
#@ tip 6 r1
#@ tip 2 f2
#@ tip 1 r2
#@ tip 4 f2
#@ tip 2 r3
#@ tip 3 f2
#@ tip 4 r4
#   call f3: f3 calls f1 (compressed return), loops twice, returns
#   compressed
#@ tnt t
#@ tnt tn
#@ tnt t
#@ tip.pgd 0
	.intel_syntax noprefix
	.text
start:	call f1
	lea rax, [rip + f2]
	call rax
r1:	call rax
r2:	call rax
r3:	call rax
r4:	call f3
	hlt
f1:	nop
	ret
f2:	xor eax, eax
	ret
f3:	call f1
	mov ecx, 2
f3l:	dec ecx
	jnz f3l
	ret
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
