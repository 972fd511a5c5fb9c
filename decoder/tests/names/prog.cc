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

int main(int argc, char **argv)
{
	hwt_ns::Box<long> b{argc};
	long r = hwt_ns::twice(b);

	(void)argv;
	puts("names");
	return (int)(r & 1);
}
