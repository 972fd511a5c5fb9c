/* A second compilation unit of tests/names/prog, never run by the PT
 * script: the decoder skips its DWARF unit (.debug_aranges places none
 * of the executed code in it), and the lines and inline frames of the
 * code that ran must stay as llvm-symbolizer gives them. */
static inline __attribute__((always_inline)) long cube(long x)
{
	return x * x * x;
}

long hwt_unit2(long x);

__attribute__((noinline)) long hwt_unit2(long x)
{
	return cube(x) + cube(x + 1);
}
