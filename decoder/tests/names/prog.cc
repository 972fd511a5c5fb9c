// Names the decoder must get right (tests/names.sh): a function template
// in a namespace (demangled as nm -C shows it, mangled name kept) and a
// call through the PLT (puts@plt, as objdump -d shows it).
#include <cstdio>

namespace hwt_ns {
template <typename T> struct Box { T v; };

template <typename T> __attribute__((noinline)) T twice(Box<T> b)
{
	return b.v + b.v;
}
} // namespace hwt_ns

// Inline frames (tests/names.sh against addr2line -i): sq inlined into
// sq_plus inlined into hwt_inl, and sq into hwt_inl directly; no branch,
// so one PT block runs it all.
static inline __attribute__((always_inline)) long sq(long x)
{
	return x * x;
}

static inline __attribute__((always_inline)) long sq_plus(long x)
{
	return sq(x) + 3;
}

extern "C" __attribute__((noinline)) long hwt_inl(long x)
{
	return sq_plus(x) * 5 + sq(x + 1);
}

// Never run by the PT script: its inline frames must not hide hwt_inl's
// (the decoder reads only the DWARF of subprograms whose code ran).
extern "C" __attribute__((noinline)) long hwt_cold(long x)
{
	return sq_plus(x + 2) - sq(x);
}

extern "C" long hwt_unit2(long x);

int main(int argc, char **argv)
{
	hwt_ns::Box<long> b{argc};
	long r = hwt_ns::twice(b) + hwt_inl(argc);

	if (argc > 5)
		r += hwt_cold(argc) + hwt_unit2(argc);

	(void)argv;
	puts("names");
	return (int)(r & 1);
}
