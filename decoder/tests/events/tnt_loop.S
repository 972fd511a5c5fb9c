# A counted loop: short and long TNT, a PSB+ inside the loop, timing
# packets (TSC, CBR, TMA, MTC, CYC) between branches.
	.intel_syntax noprefix
	.text
#@ psb
#@ tsc 0x1000
#@ cbr 0x20
#@ tma 0x12 0x4
#@ mode.exec 64
#@ psbend
#@ tip.pge 3 start
start:	mov ecx, 52
loop:	add eax, ecx
	dec ecx
#@ tnt tttttt
#@ mtc 1
#@ cyc 3
#@ tnt ttttttttttttttttttttttttttttttttttttttttttttt
#@ tnt n
	jnz loop
	nop
#@ psb
#@ mode.exec 64
#@ fup 3 mid
#@ psbend
mid:	mov ecx, 3
loop2:	dec ecx
#@ tnt ttn
	jnz loop2
#@ cyc 9
	xor eax, eax
#@ fup 1 end
#@ tip.pgd 0
end:	hlt
# padding: the image goes on past the last instruction the trace reaches
	.fill 32, 1, 0x90
