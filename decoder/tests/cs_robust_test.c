/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bad input to the CoreSight front end: malformed .ini text, broken
 * snapshot directories, truncated and corrupted trace.bin.  Each must give
 * a clear error (naming the file, and the line for .ini text) or decode
 * with gaps, never crash or hang.  Snapshots are copied from the corpus
 * into a temporary directory and damaged there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs/cs_frontend.h"
#include "cs/cs_ini.h"

static int failed;
static char tmp[] = "/tmp/hwt-cs-robust-XXXXXX";
static char corpus[4096];

static void verdict(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s", ok ? "PASS" : "FAIL", name);
	if (!ok && fmt) {
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
	failed |= !ok;
}

/* .ini text that must be refused with "NAME:LINE:" in the message. */
static void ini_bad(const char *name, const char *text, size_t len,
		    const char *want)
{
	char err[512] = "";
	struct hwt_cs_ini *ini = hwt_cs_ini_parse(text, len, "t.ini", err,
						  sizeof(err));

	verdict(!ini && strstr(err, want), name, "err '%s', want '%s'", err,
		want);
	hwt_cs_ini_free(ini);
}

static void ini_tests(void)
{
	char big[HWT_CS_INI_MAX_LINE + 16];
	struct hwt_cs_ini *ini;
	char err[256];
	uint64_t v;

	const char *good = "; c\n[regs]\r\nA(0x1) = 0x10 # x\n\n[d]\nk=\n";

	ini = hwt_cs_ini_parse(good, strlen(good), "t.ini", err, sizeof(err));
	verdict(ini && hwt_cs_ini_count(ini) == 2 &&
		!strcmp(hwt_cs_ini_get(ini, "REGS", "a(0x1)"), "0x10") &&
		!strcmp(hwt_cs_ini_get(ini, "d", "k"), "") &&
		hwt_cs_ini_entry(ini, 1)->line == 6, "cs-ini-good", "parse");
	hwt_cs_ini_free(ini);
	ini_bad("cs-ini-no-equals", "[a]\nkey\n", 8, "t.ini:2:");
	ini_bad("cs-ini-bad-header", "[a\nk=v\n", 7, "t.ini:1:");
	ini_bad("cs-ini-empty-section", "[ ]\n", 4, "t.ini:1:");
	ini_bad("cs-ini-empty-key", "[a]\n=v\n", 7, "t.ini:2:");
	ini_bad("cs-ini-nul", "[a]\nk=\0v\n", 9, "NUL");
	memset(big, 'x', sizeof(big));
	memcpy(big, "[a]\nk=", 6);
	ini_bad("cs-ini-long-line", big, sizeof(big), "t.ini:2:");
	verdict(hwt_cs_parse_u64("0x10", &v) == 0 && v == 16 &&
		hwt_cs_parse_u64("-1", &v) < 0 && hwt_cs_parse_u64("0x", &v) < 0 &&
		hwt_cs_parse_u64("12z", &v) < 0 &&
		hwt_cs_parse_u64("0x1ffffffffffffffff", &v) < 0 &&
		hwt_cs_parse_u64(" 1", &v) < 0, "cs-parse-u64", "numbers");
}

static int sink_block(void *arg, uint32_t stream, const struct hwt_block *b)
{
	(void)stream;
	if (!b->ninsn || b->end_ip < b->ip)
		return -1;
	++*(size_t *)arg;
	return 0;
}

static int sink_event(void *arg, uint32_t stream, const struct hwt_event *e)
{
	(void)arg;
	(void)stream;
	/* A gap always says why. */
	return e->type == HWT_EV_GAP && (!e->msg || !*e->msg) ? -1 : 0;
}

/* Decodes dir; returns the decoder's rc, *nblocks, err. */
static int decode(const char *dir, size_t *nblocks, char *err, size_t len)
{
	struct hwt_cs_snapshot_opts o = { .only_trace_id = -1, .quiet = 1 };
	const struct hwt_sink sink = {
		.arg = nblocks,
		.block = sink_block,
		.event = sink_event,
	};

	*nblocks = 0;
	err[0] = '\0';
	return hwt_cs_decode_snapshot_opts(dir, &o, &sink, err, len);
}

static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* A fresh writable copy of corpus snapshot snap at tmp/name. */
static void fresh(const char *snap, const char *name, char *dir, size_t n)
{
	snprintf(dir, n, "%s/%s", tmp, name);
	sh("rm -rf '%s' && cp -r '%s/%s' '%s' && chmod -R u+w '%s'", dir,
	   corpus, snap, dir, dir);
}

/* The snapshot edit cmd (run in the copy) must make decode fail with an
 * error mentioning want. */
static void snap_bad(const char *name, const char *cmd, const char *want)
{
	char dir[4096], err[1024];
	size_t nb;
	int rc;

	fresh("juno-uname-002", name, dir, sizeof(dir));
	sh("cd '%s' && %s", dir, cmd);
	rc = decode(dir, &nb, err, sizeof(err));
	verdict(rc == -1 && strstr(err, want), name, "rc %d err '%s'", rc,
		err);
}

/* The edit must still decode (rc 0), with at least min_blocks blocks. */
static void snap_ok(const char *name, const char *cmd, size_t min_blocks)
{
	char dir[4096], err[1024];
	size_t nb;
	int rc;

	fresh("juno-uname-002", name, dir, sizeof(dir));
	sh("cd '%s' && %s", dir, cmd);
	rc = decode(dir, &nb, err, sizeof(err));
	verdict(rc == 0 && nb >= min_blocks, name, "rc %d blocks %zu err '%s'",
		rc, nb, err);
}

static void corrupt_trace(void)
{
	char dir[4096], path[4200], err[1024];
	unsigned seed = 12345, round, bad = 0;
	size_t size, nb, i;
	uint8_t *orig;
	FILE *f;

	fresh("juno-uname-002", "corrupt", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/trace.bin", dir);
	f = fopen(path, "rb");
	if (!f) {
		verdict(0, "cs-corrupt-trace", "no trace.bin");
		return;
	}
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	rewind(f);
	orig = malloc(size);
	if (!orig || fread(orig, 1, size, f) != size)
		size = 0;
	fclose(f);
	/* Truncations at odd places, then random byte damage. */
	for (round = 0; size && round < 24; round++) {
		size_t cut = round < 8 ? (size * round) / 8 + round * 7 : size;
		uint8_t *buf = malloc(size);

		memcpy(buf, orig, size);
		if (round >= 8)
			for (i = 0; i < 64u << (round - 8) && i < size; i++) {
				seed = seed * 1103515245u + 12345u;
				buf[(seed >> 8) % size] ^= (uint8_t)(seed >> 3);
			}
		if (cut > size)
			cut = size;
		f = fopen(path, "wb");
		fwrite(buf, 1, cut, f);
		fclose(f);
		free(buf);
		if (decode(dir, &nb, err, sizeof(err)) != 0) {
			printf("# round %u: %s\n", round, err);
			bad++;
		}
	}
	free(orig);
	verdict(size && !bad, "cs-corrupt-trace", "%u rounds failed", bad);
}

int main(void)
{
	const char *root = getenv("ROOT");

	ini_tests();
	if (!mkdtemp(tmp)) {
		verdict(0, "cs-robust-setup", "mkdtemp");
		return 1;
	}
	snprintf(corpus, sizeof(corpus), "%s/../shared/corpus/coresight",
		 root ? root : "../..");
	snap_ok("cs-snap-intact", "true", 5000);
	snap_bad("cs-snap-no-snapshot-ini", "rm snapshot.ini", "snapshot.ini");
	snap_bad("cs-snap-no-trace-ini", "rm trace.ini", "trace.ini");
	snap_bad("cs-snap-no-device", "rm device_9.ini", "device_9.ini");
	snap_bad("cs-snap-no-trace-bin", "rm trace.bin", "trace.bin");
	snap_bad("cs-snap-truncated-ini",
		 "head -c 100 device_9.ini > x && mv x device_9.ini",
		 "device_9.ini:");
	snap_bad("cs-snap-bad-version",
		 "sed -i 's/version=1.0/version=7/' snapshot.ini", "version");
	snap_bad("cs-snap-dump-no-address",
		 "sed -i '/address=0x400000/d' cpu_3.ini", "cpu_3.ini:");
	snap_bad("cs-snap-dump-bad-number",
		 "sed -i 's/address=0x400000/address=0x40zz/' cpu_3.ini",
		 "cpu_3.ini:");
	snap_bad("cs-snap-dump-unknown-key",
		 "echo 'colour=blue' >> cpu_3.ini", "unknown dump");
	snap_bad("cs-snap-binary-ini",
		 "head -c 300 trace.bin > device_6.ini", "device_6.ini");
	snap_bad("cs-snap-no-buffers",
		 "sed -i '/^buffers=/d' trace.ini", "buffers");
	/* Damage that leaves something to decode: units or dumps skipped. */
	snap_ok("cs-snap-missing-dump", "rm libc-2.21.bin", 5000);
	snap_ok("cs-snap-dump-past-eof",
		"sed -i 's/length=0x1eb40/offset=0x1000000/' cpu_3.ini", 1);
	snap_ok("cs-snap-reg-missing",
		"sed -i '/TRCIDR0/d' device_6.ini", 5000);
	snap_ok("cs-snap-reg-garbage",
		"sed -i 's/TRCIDR0(0x078)=.*/TRCIDR0(0x078)=banana/' device_7.ini",
		5000);
	snap_ok("cs-snap-unknown-core",
		"sed -i 's/Cortex-A53/Pentium/' cpu_0.ini", 5000);
	snap_ok("cs-snap-empty-trace", ": > trace.bin", 0);
	snap_ok("cs-snap-odd-trace", "head -c 1001 trace.bin > x && mv x trace.bin", 0);
	corrupt_trace();
	sh("rm -rf '%s'", tmp);
	return failed;
}
