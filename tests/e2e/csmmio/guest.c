// SPDX-License-Identifier: BSD-2-Clause
/*
 * cs_mmio's guest half (tests/e2e/cs_mmio.sh): hwt_coresight driving
 * memory-mapped ETMv4s, funnels and an ETR it found in the booted
 * device tree, with no emulator: the ops are hwt_cs_mmio's ioremap +
 * readl/writel.  The windows (layout.h) are plain guest RAM outside the
 * kernel's memory, reached here through /dev/mem: a read returns what
 * was last written, nothing answers.  So this proves discovery, the
 * mapping, the register paths and the refusals; not a trace.
 *
 * Ground truth: the registers of the real Juno r1 snapshot
 * (../shared/corpus/coresight/juno_r1_1: ETM_0 of the Cortex-A53 cpu_0
 * as CPU 0's ETMv4, ETM_4 of the Cortex-A57 cpu_4 as CPU 1's), which
 * snap.h carries; TRCIDR3-5 are not in the snapshot and are the values
 * tests/cs_cpus.h assumes for the A53 (marked there); the ETR's DEVID
 * (ETR, 64-bit memory, scatter-gather) is synthetic: the snapshot has
 * no TMC registers.  The capabilities each CPU's line must report are
 * decoded here from those words by the spec's field positions (ETMv4
 * 7.3.17-7.3.22), not by cs_caps.
 *
 *  - cs/mmio/boot: at boot (windows still zero) the module found CPU
 *    0's ETMv4 at its DT address and refused in one line;
 *  - cs/mmio/linux-driver: Debian's own coresight-funnel (with
 *    coresight and configfs) binds the two funnels (AMBA: their
 *    CoreSight component and peripheral IDs are filled in); loading
 *    hwt_coresight is then refused, EBUSY, in one line naming
 *    /funnel@7f0c0000 and how to free it (Linux's CoreSight drivers
 *    allow no unbind through sysfs: rmmod coresight_funnel), which,
 *    done as written, frees both funnels;
 *  - cs/mmio/load: the windows filled, hwt_coresight loads with the
 *    native memory-mapped table: per CPU, its ETMv4's node and physical
 *    address and the capabilities its registers give; the shared ETR;
 *    /proc/iomem holds each window as hwt_coresight's;
 *  - cs/mmio/claimed: CPU 1's ETMv4 claimed by an external debugger
 *    (TRCCLAIMCLR bit 1): CPU-mode START on CPUs 0-1 is EBUSY, the log
 *    names etm@7f140000, and no byte of any window changed;
 *  - cs/mmio/timeout: claim released; START runs the sequences, but
 *    TRCSTATR never leaves IDLE after TRCPRGCTLR = 1 (nothing answers):
 *    START fails ETIMEDOUT, the log says TRCSTATR timed out on
 *    etm@7f040000, and every window is left off: TRCPRGCTLR 0, both
 *    funnels' EnS bits 0, the ETR's CTL 0;
 *  - cs/mmio/unload: rmmod releases every window.
 */
#include <dirent.h>

#include "hwt_test.h"
#include "hwt/hwt_coresight.h"
#include "layout.h"
#include "snap.h"

/*
 * Built twice: for the device tree (tests/e2e/cs_mmio.sh) and, with
 * CSMMIO_ACPI, for the same graph booted through UEFI with ACPI
 * (tests/e2e/cs_acpi.sh, ../csacpi/acpi_layout.h).  What differs is
 * how hwt_coresight names a component: its DT node name (refusals:
 * its full path, %pOF) or its ACPI path; and the ACPI load says where
 * the topology came from.
 */
#ifdef CSMMIO_ACPI
#include "acpi_layout.h"
#define T	"cs/acpi"
#else
#define T	"cs/mmio"
#endif

/* hwt_coresight's name of window w's component. */
static const char *comp_name(int w)
{
#ifdef CSMMIO_ACPI
	return csacpi_devs[w].path;
#else
	return csmmio_wins[w].node;
#endif
}

/* How a refusal names window w's component. */
static void refusal_name(int w, char *buf, size_t n)
{
#ifdef CSMMIO_ACPI
	snprintf(buf, n, "%s", csacpi_devs[w].path);
#else
	snprintf(buf, n, "/%s", csmmio_wins[w].node);
#endif
}

#define TRCPRGCTLR	0x004
#define TRCSTATR	0x00c
#define TRCPDSR		0x314
#define TRCCONFIGR	0x010
#define TRCVICTLR	0x080
#define TRCCLAIMSET	0xfa0
#define TRCCLAIMCLR	0xfa4
#define CLAIMSET	0xfa0
#define TMC_DBALO	0x118
#define TMC_FFCR	0x304
#define TMC_STS		0x00c
#define TMC_CTL		0x020
#define TMC_DEVID	0xfc8
#define FUNNEL_CTRL	0x000
#define FUNNEL_DEVID	0xfc8
#define CS_PIDR0	0xfe0	/* PIDR0-3: part, designer, revision */
#define CS_CIDR0	0xff0	/* CIDR0-3: preamble, class */
/* ETR (CONFIGTYPE 1), MEMWIDTH 3 (64 bits), scatter-gather (NOSCAT 0):
 * synthetic, see the top. */
#define ETR_DEVID	0x340u

static volatile uint32_t *win[W_N];
static uint8_t before[W_N][CSMMIO_SIZE];

static uint32_t rd(int w, uint32_t off)
{
	return win[w][off / 4];
}

static void wr(int w, uint32_t off, uint32_t v)
{
	win[w][off / 4] = v;
}

static void save(void)
{
	int w;
	uint32_t o;

	for (w = 0; w < W_N; w++)
		for (o = 0; o < CSMMIO_SIZE; o += 4)
			*(uint32_t *)&before[w][o] = rd(w, o);
}

/* The first window word that differs from save()'s, or -1. */
static int changed(int *which)
{
	int w;
	uint32_t o;

	for (w = 0; w < W_N; w++)
		for (o = 0; o < CSMMIO_SIZE; o += 4)
			if (rd(w, o) != *(uint32_t *)&before[w][o]) {
				*which = w;
				return (int)o;
			}
	return -1;
}

/* The kernel log, NUL-terminated, malloc'ed. */
static char *klog(void)
{
	FILE *f = popen("dmesg", "r");
	size_t n = 0, cap = 1 << 20;
	char *b = malloc(cap);

	if (!f || !b)
		return b;
	n = fread(b, 1, cap - 1, f);
	b[n] = 0;
	pclose(f);
	return b;
}

static int log_has(const char *needle)
{
	char *l = klog();
	int r = l && strstr(l, needle);

	free(l);
	return r;
}

/* How often needle occurs in the log after the last mark. */
static int log_count_after(const char *mark, const char *needle)
{
	char *l = klog(), *p, *q;
	int n = 0;

	if (!l)
		return -1;
	p = l;
	while ((q = strstr(p, mark)))
		p = q + 1;
	while ((p = strstr(p, needle))) {
		n++;
		p++;
	}
	free(l);
	return n;
}

static void mark(const char *what)
{
	FILE *f = fopen("/dev/kmsg", "w");

	if (f) {
		fprintf(f, "cs_mmio guest: %s\n", what);
		fclose(f);
	}
}

static void fill(void)
{
	unsigned int i;
	int w, c;

	for (w = 0; w < W_N; w++)
		memset((void *)win[w], 0, CSMMIO_SIZE);
	for (c = 0; c < CSMMIO_NCPU; c++) {
		const struct snap_reg *r = snap_etm[c];
		int e = c ? W_ETM1 : W_ETM0;

		for (i = 0; i < snap_etm_n[c]; i++)
			wr(e, r[i].off, r[i].val);
		/* Powered and idle, as a unit out of reset is. */
		wr(e, TRCPDSR, 1);
		wr(e, TRCSTATR, 1);
	}
	wr(W_CFUNNEL, FUNNEL_CTRL, 0x300);	/* HT 3 at reset (SoC-400) */
	wr(W_MFUNNEL, FUNNEL_CTRL, 0x300);
	wr(W_CFUNNEL, FUNNEL_DEVID, 2);		/* two slave ports */
	wr(W_MFUNNEL, FUNNEL_DEVID, 2);
	wr(W_ETR, TMC_DEVID, ETR_DEVID);
	wr(W_ETR, TMC_STS, 1u << 2);		/* TMCReady */
	/*
	 * CoreSight component IDs (CoreSight B2: CIDR 0xB105900D, class 9)
	 * and the part numbers Linux's AMBA id tables match: funnel 0x908
	 * (coresight-funnel.c), A53 ETM 0x95d, A57 ETM 0x95e
	 * (coresight-etm4x-core.c), TMC 0x961 (coresight-tmc-core.c);
	 * designer Arm (JEP106 0x3b: PIDR1 0xb9, PIDR2 0x0b).
	 */
	for (w = 0; w < W_N; w++) {
		static const uint8_t part[W_N] = {
			[W_ETM0] = 0x5d, [W_ETM1] = 0x5e, [W_CFUNNEL] = 0x08,
			[W_MFUNNEL] = 0x08, [W_ETR] = 0x61,
		};
		static const uint8_t cid[4] = { 0x0d, 0x90, 0x05, 0xb1 };

		wr(w, CS_PIDR0, part[w]);
		wr(w, CS_PIDR0 + 4, 0xb9);
		wr(w, CS_PIDR0 + 8, 0x0b);
		wr(w, CS_PIDR0 + 12, 0);
		for (c = 0; c < 4; c++)
			wr(w, CS_CIDR0 + 4 * c, cid[c]);
	}
}

static uint32_t etm_reg(int c, uint32_t off)
{
	return rd(c ? W_ETM1 : W_ETM0, off);
}

/* The line hwt_coresight must print for CPU c, from the words in its
 * window (ETMv4 7.3.17 TRCIDR0, 7.3.18 IDR1, 7.3.19 IDR2, 7.3.21 IDR4,
 * 7.3.22 IDR5). */
static void want_line(int c, char *buf, size_t n)
{
	uint32_t i0 = etm_reg(c, 0x1e0), i1 = etm_reg(c, 0x1e4);
	uint32_t i2 = etm_reg(c, 0x1e8), i4 = etm_reg(c, 0x1f0);
	uint32_t i5 = etm_reg(c, 0x1f4);
	unsigned int ts = (i0 >> 24) & 0x1f, cid = (i2 >> 5) & 0x1f;
	unsigned int vmid = (i2 >> 10) & 0x1f;
	const struct csmmio_win *w = &csmmio_wins[c ? W_ETM1 : W_ETM0];

	snprintf(buf, n, "hwt_coresight: cpu %d (MPIDR 0x%x): %s at 0x%llx: ETMv4.%u rev %u, %u address comparator pairs, %u-bit timestamps, context ID %u bits, VMID %u bits, trace ID %u bits%s%s%s\n",
		 c, c, comp_name(c ? W_ETM1 : W_ETM0),
		 (unsigned long long)w->pa, (i1 >> 4) & 0xf,
		 i1 & 0xf, i4 & 0xf, ts == 8 ? 64 : ts == 6 ? 48 : 0,
		 cid == 4 ? 32 : 0,
		 vmid == 1 ? 8 : vmid == 2 ? 16 : vmid == 4 ? 32 : 0,
		 (i5 >> 16) & 0x3f, i0 & (1u << 5) ? ", branch broadcast" : "",
		 i0 & (1u << 7) ? ", cycle counting" : "",
		 i0 & (1u << 9) ? ", return stack" : "");
}

static int iomem_count(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256], want[64];
	int n = 0, w;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "hwt_coresight"))
			continue;
		for (w = 0; w < W_N; w++) {
			snprintf(want, sizeof(want), "%llx-%llx : hwt_coresight",
				 (unsigned long long)csmmio_wins[w].pa,
				 (unsigned long long)csmmio_wins[w].pa +
				 CSMMIO_SIZE - 1);
			if (strstr(line, want))
				n++;
		}
	}
	fclose(f);
	return n;
}

static int cpu_ctx(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 1 << 20 };

	a.cpu_map[0] = (1u << CSMMIO_NCPU) - 1;
	snprintf(a.backend, sizeof(a.backend), "%s",
		 HWT_CORESIGHT_BACKEND_NAME);
	return ioctl(dev, HWT_IOC_ALLOC, &a);
}

/* The name of the driver bound to AMBA device name, or "" if none. */
static const char *bound(const char *name)
{
	static char buf[256];
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/amba/devices/%s/driver", name);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return "";
	buf[n] = 0;
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

/*
 * AMBA's name of window w ("7f0c0000.funnel" from the device tree,
 * "ARMHC9FF:00" from ACPI): the device whose resource starts at its
 * address (/sys/bus/amba/devices/NAME/resource: start, end, flags).
 */
static void amba_name(int w, char *buf, size_t n)
{
	DIR *d = opendir("/sys/bus/amba/devices");
	struct dirent *e;

	snprintf(buf, n, "(no AMBA device at %#llx)",
		 (unsigned long long)csmmio_wins[w].pa);
	while (d && (e = readdir(d))) {
		char path[300];
		unsigned long long start = 0;
		FILE *f;

		snprintf(path, sizeof(path),
			 "/sys/bus/amba/devices/%s/resource", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llx", &start) == 1 &&
		    start == csmmio_wins[w].pa) {
			size_t i;

			for (i = 0; i + 1 < n && e->d_name[i]; i++)
				buf[i] = e->d_name[i];
			buf[i] = 0;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
}

static void linux_driver(void)
{
	static const char *const kmods[] = { "configfs", "coresight",
					     "coresight-funnel" };
	char name[64], line[512], what[64], *l, *p, *e;
	const char *mod;
	unsigned int i;
	int w;

	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "/lib/hwt/kmods/%s.ko", kmods[i]);
		if (module_load(line, "") && errno != EEXIST) {
			t_fail("insmod %s: %s", kmods[i], strerror(errno));
			return;
		}
	}
	for (w = W_CFUNNEL; w <= W_MFUNNEL; w++) {
		amba_name(w, name, sizeof(name));
		if (strcmp(bound(name), "coresight-dynamic-funnel"))
			t_fail("%s: bound to \"%s\", want coresight-dynamic-funnel",
			       name, bound(name));
	}
	mark("linux-driver");
	errno = 0;
	if (!module_load("/lib/hwt/hwt_coresight.ko", "") || errno != EBUSY) {
		t_fail("insmod hwt_coresight with Linux's funnel driver bound: %s, want EBUSY",
		       strerror(errno));
		module_unload("hwt_coresight");
		return;
	}
	amba_name(W_CFUNNEL, name, sizeof(name));
	refusal_name(W_CFUNNEL, what, sizeof(what));
	snprintf(line, sizeof(line),
		 "hwt_coresight: %s is driven by Linux's coresight-dynamic-funnel (device %s), which allows no unbind: unload it first (rmmod coresight_funnel) or keep it from loading (modprobe.blacklist=coresight_funnel): not loading",
		 what, name);
	if (log_count_after("cs_mmio guest: linux-driver", line) < 1)
		t_fail("no line \"%s\"", line);
	if (log_count_after("cs_mmio guest: linux-driver", "hwt_coresight: ") !=
	    log_count_after("cs_mmio guest: linux-driver", line))
		t_fail("more than that one line");
	/* Done as the line says. */
	l = klog();
	p = l ? strstr(l, "(rmmod ") : NULL;
	e = p ? strchr(p, ')') : NULL;
	if (!e) {
		t_fail("no rmmod in the log");
		free(l);
		return;
	}
	*e = 0;
	mod = p + strlen("(rmmod ");
	if (module_unload(mod))
		t_fail("rmmod %s: %s", mod, strerror(errno));
	for (w = W_CFUNNEL; w <= W_MFUNNEL; w++) {
		amba_name(w, name, sizeof(name));
		if (*bound(name))
			t_fail("rmmod %s left %s bound", mod, name);
	}
	free(l);
}

int main(void)
{
	char line[512], want[128];
	int fd, w, c, dev, ctx, off, which = 0, r, e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open("/dev/mem", O_RDWR | O_SYNC);
	for (w = 0; w < W_N && fd >= 0; w++) {
		win[w] = mmap(NULL, CSMMIO_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd, (off_t)csmmio_wins[w].pa);
		if (win[w] == MAP_FAILED) {
			printf("FAIL: " T "/devmem (%s: %s)\n",
			       comp_name(w), strerror(errno));
			return 1;
		}
	}
	if (fd < 0) {
		printf("FAIL: " T "/devmem (%s)\n", strerror(errno));
		return 1;
	}

	t_begin(T "/boot");
	snprintf(want, sizeof(want),
		 "hwt_coresight: cpu 0: %s at 0x%llx: its ID registers are no ETMv4",
		 comp_name(W_ETM0),
		 (unsigned long long)csmmio_wins[W_ETM0].pa);
	if (!log_has(want))
		t_fail("no boot-time line \"%s\"", want);
#ifdef CSMMIO_ACPI
	if (!access("/sys/firmware/devicetree/base/cpus", F_OK))
		t_fail("booted with a device tree");
#endif
	t_end();

	t_begin(T "/linux-driver");
	fill();
	linux_driver();
	t_end();

	t_begin(T "/load");
	mark("load");
	if (module_load("/lib/hwt/hwt_coresight.ko", "")) {
		t_fail("insmod hwt_coresight: %s", strerror(errno));
		t_end();
		return 1;
	}
	for (c = 0; c < CSMMIO_NCPU; c++) {
		want_line(c, line, sizeof(line));
		if (log_count_after("cs_mmio guest: load", line) != 1)
			t_fail("no line \"%.*s\"", (int)strlen(line) - 1, line);
		else
			printf("  %s", line);
	}
	snprintf(line, sizeof(line),
		 "hwt_coresight: CPUs 0-%d: ETMv4 -> funnels -> %s, one sink shared",
		 CSMMIO_NCPU - 1, comp_name(W_ETR));
	if (log_count_after("cs_mmio guest: load", line) != 1)
		t_fail("no line \"%s\"", line);
	if (log_count_after("cs_mmio guest: load",
			    "hwt_coresight: ETMv4 4.0 with an ETR (scatter-gather)") != 1)
		t_fail("no ETR line");
#ifdef CSMMIO_ACPI
	snprintf(line, sizeof(line),
		 "hwt_coresight: CoreSight topology from ACPI: %d components, %d CPUs with an ETMv4 (ARMHC500)",
		 W_N, CSMMIO_NCPU);
	if (log_count_after("cs_mmio guest: load", line) != 1)
		t_fail("no line \"%s\"", line);
#endif
	r = iomem_count();
	if (r != W_N)
		t_fail("/proc/iomem: %d of %d windows held by hwt_coresight", r,
		       W_N);
	t_end();

	dev = hwt_dev();
	t_begin(T "/claimed");
	wr(W_ETM1, TRCCLAIMCLR, 2);	/* an external debugger's tag */
	save();
	mark("claimed");
	ctx = cpu_ctx(dev);
	if (ctx < 0) {
		t_fail("ALLOC (CPU mode): %s", strerror(errno));
	} else {
		errno = 0;
		r = ioctl(ctx, HWT_IOC_START);
		e = errno;
		if (r != -1 || e != EBUSY)
			t_fail("START: %d (%s), want EBUSY", r, strerror(e));
		close(ctx);
	}
	snprintf(line, sizeof(line),
		 "hwt_coresight: cpu 1: %s is claimed by another agent",
		 comp_name(W_ETM1));
	if (log_count_after("cs_mmio guest: claimed", line) < 1)
		t_fail("no line \"%s\"", line);
	off = changed(&which);
	if (off >= 0)
		t_fail("%s+%#x written: %#x -> %#x", comp_name(which),
		       off, *(uint32_t *)&before[which][off], rd(which, off));
	t_end();

	t_begin(T "/timeout");
	wr(W_ETM1, TRCCLAIMCLR, 0);
	save();
	mark("timeout");
	ctx = cpu_ctx(dev);
	if (ctx < 0) {
		t_fail("ALLOC (CPU mode): %s", strerror(errno));
	} else {
		errno = 0;
		r = ioctl(ctx, HWT_IOC_START);
		e = errno;
		if (r != -1 || e != ETIMEDOUT)
			t_fail("START: %d (%s), want ETIMEDOUT", r,
			       strerror(e));
		close(ctx);
	}
	snprintf(line, sizeof(line),
		 "hwt_coresight: cpu 0: %s: timed out: TRCSTATR (0xc) & 0x1 never read 0x0",
		 comp_name(W_ETM0));
	if (log_count_after("cs_mmio guest: timeout", line) != 1)
		t_fail("no line \"%s\"", line);
	for (c = 0; c < CSMMIO_NCPU; c++)
		if (etm_reg(c, TRCPRGCTLR))
			t_fail("cpu %d: TRCPRGCTLR %#x", c,
			       etm_reg(c, TRCPRGCTLR));
	for (w = W_CFUNNEL; w <= W_MFUNNEL; w++)
		if (rd(w, FUNNEL_CTRL) & 0xff)
			t_fail("%s: CTRL %#x (EnS set)", comp_name(w),
			       rd(w, FUNNEL_CTRL));
	if (rd(W_ETR, TMC_CTL))
		t_fail("ETR CTL %#x", rd(W_ETR, TMC_CTL));
	/*
	 * The sequences did reach each window (plain memory keeps what
	 * was written): the ETR claimed and programmed (a scatter-gather
	 * table address, formatting on), each funnel of CPU 0's path
	 * claimed, CPU 0's ETMv4 claimed and programmed (TRCVICTLR.EVENT
	 * the always-true resource 1, ETMv4 7.3.72: the snapshot has no
	 * TRCVICTLR, so the word was 0).  CPU 1 was not started.
	 */
	if (rd(W_ETR, CLAIMSET) != 1 || !rd(W_ETR, TMC_DBALO) ||
	    !(rd(W_ETR, TMC_FFCR) & 1))
		t_fail("ETR not programmed: CLAIMSET %#x DBALO %#x FFCR %#x",
		       rd(W_ETR, CLAIMSET), rd(W_ETR, TMC_DBALO),
		       rd(W_ETR, TMC_FFCR));
	for (w = W_CFUNNEL; w <= W_MFUNNEL; w++)
		if (rd(w, CLAIMSET) != 1)
			t_fail("%s never claimed (CLAIMSET %#x)",
			       comp_name(w), rd(w, CLAIMSET));
	if (etm_reg(0, TRCCLAIMSET) != 1 ||
	    (etm_reg(0, TRCVICTLR) & 0xff) != 1 ||
	    !(etm_reg(0, TRCCONFIGR) & 1))
		t_fail("cpu 0's ETMv4 not programmed: CLAIMSET %#x VICTLR %#x CONFIGR %#x",
		       etm_reg(0, TRCCLAIMSET), etm_reg(0, TRCVICTLR),
		       etm_reg(0, TRCCONFIGR));
	if (etm_reg(1, TRCCLAIMSET))
		t_fail("cpu 1's ETMv4 claimed");
	/* What START did write, for the log: the programming it ran. */
	for (w = 0; w < W_N; w++) {
		uint32_t o;
		int n = 0;

		for (o = 0; o < CSMMIO_SIZE; o += 4)
			n += rd(w, o) != *(uint32_t *)&before[w][o];
		printf("  %s: %d words changed by START\n",
		       comp_name(w), n);
	}
	t_end();

	t_begin(T "/unload");
	close(dev);
	if (module_unload("hwt_coresight"))
		t_fail("rmmod hwt_coresight: %s", strerror(errno));
	r = iomem_count();
	if (r)
		t_fail("/proc/iomem: %d windows still held", r);
	if (module_unload("coresight"))
		t_fail("rmmod coresight: %s", strerror(errno));
	t_end();
	return t_total_failed ? 1 : 0;
}
