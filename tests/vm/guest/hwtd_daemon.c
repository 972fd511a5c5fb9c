// SPDX-License-Identifier: BSD-2-Clause
/*
 * hwtd end to end in the VM with the null backend: sessions recorded
 * through the daemon and in-process, checked against the null backend's
 * ground truth (every sample carries a per-context sequence number, so
 * stored samples + counted losses must add up to every sample written);
 * kill -9 of hwtd mid-session; flight recorder with a crashing target;
 * snapshot and SIGUSR2; quota; bad input.  Needs /bin/hwtd and /bin/hwt
 * (make -C hwtd vm; tests/vm/run.sh packs them).
 *
 * Re-executed as the traced program: "busy MS" (two threads yielding on
 * one CPU for MS ms), "crash MS" (the same, then a SIGSEGV).
 */
#include "hwtd_util.h"

/* --- tests ----------------------------------------------------------- */

/*
 * A target that ends while hwtd still copies its image: the session is
 * done only once the copy is (hwtd once ended it at the target's exit
 * and killed the copier, leaving images/...tmp and no image).
 */
static void test_image_outlives_target(void)
{
	static char block[1 << 16];
	const size_t size = 64u << 20;
	struct stat sb;
	size_t i;
	int fd;

	t_begin("hwtd/image-copied-after-target-exit");
	fd = open("/tmp/bigimage", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	for (i = 0; i < sizeof(block); i++)
		block[i] = (char)(i * 7);
	for (i = 0; fd >= 0 && i < size; i += sizeof(block))
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
			break;
	CHECK(fd >= 0 && i == size);
	if (fd >= 0)
		close(fd);
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/simg",
		  "--", self, "mapexec", "/tmp/bigimage") == 0);
	CHECK(stat("/tmp/simg/images/tmp/bigimage", &sb) == 0 &&
	      (size_t)sb.st_size == size, "image size %lld",
	      (long long)sb.st_size);
	CHECK(access("/tmp/simg/images/tmp/bigimage.tmp", F_OK) != 0);
	CHECK(HWT("info", "/tmp/simg") == 0 && !info_has("image_error"));
	unlink("/tmp/bigimage");
	system("rm -rf /tmp/simg");
	t_end();
}


static void test_record_daemon(void)
{
	long long bytes, lost, n;
	uint64_t max;

	t_begin("hwtd/record-null-via-daemon");
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-c", "1:/tmp/nullcfg",
		  "-o", "/tmp/s1", "--", self, "busy", "600") == 0);
	CHECK(HWT("info", "/tmp/s1") == 0);
	CHECK(info_has("state        complete"));
	CHECK(info_totals(&bytes, &lost) == 0 && bytes > 0);
	n = check_samples("/tmp/s1", 0, &max);
	CHECK(n > 0 && accounted(n, lost, max));
	CHECK(bytes == n * (long long)SAMPLE);
	CHECK(HWT("fsck", "/tmp/s1") == 0);
	t_end();

	t_begin("hwtd/record-null-in-process");
	CHECK(HWT("record", "-n", "-b", "null", "-c", "1:/tmp/nullcfg",
		  "-o", "/tmp/s1n", "--", self, "busy", "300") == 0);
	CHECK(HWT("info", "/tmp/s1n") == 0 && info_has("state        complete"));
	n = check_samples("/tmp/s1n", 0, &max);
	CHECK(info_totals(&bytes, &lost) == 0);
	CHECK(n > 0 && accounted(n, lost, max));
	t_end();

	t_begin("hwtd/same-as-hwt-collect");
	/* Same layout as hwt-collect's session of the same program. */
	CHECK(run((char *const[]){ "/bin/hwt-collect", "-b", "null", "-c",
				   "1:/tmp/nullcfg", "-o", "/tmp/s1c", "--",
				   self, "busy", "300", NULL }) == 0);
	CHECK(HWT("info", "/tmp/s1c") == 0);
	CHECK(info_has("records") && info_has("state        complete"));
	n = check_samples("/tmp/s1c", 0, &max);
	CHECK(n > 0);
	t_end();
}

/*
 * A loss episode still open when the target exits: its buffer is full and
 * nothing drains it (hwtd is stopped) until every thread is gone.  hwtd's
 * final drain stores that loss as unplaced; its STOP then makes the kernel
 * report the episode in a BUFFER record, which must not be stored again
 * (it was, and the final accounting went negative: a chunk with
 * lost_before -N that fsck refuses).
 */
static void test_loss_at_exit(void)
{
	long long bytes, lost, n;
	uint64_t max;
	pid_t rec, target = 0;
	FILE *f;
	int st, i;

	t_begin("hwtd/loss-open-at-target-exit");
	unlink("/tmp/burst.pid");
	unlink("/tmp/burst.go");
	rec = spawn_hwt((char *const[]){ "/bin/hwt", "record", "-S", SOCK,
				"-b", "null", "-s", "4K", "-c",
				"1:/tmp/nullcfg", "-o", "/tmp/s10", "--", self,
				"burst", "200", NULL });
	for (i = 0; i < 600 && !target; i++) {
		f = fopen("/tmp/burst.pid", "r");
		if (f) {
			if (fscanf(f, "%d", &target) != 1)
				target = 0;
			fclose(f);
		}
		if (!target)
			usleep(50000);
	}
	CHECK(target > 0);
	/* Nothing drains from here until the target is gone: its 4 KiB
	 * buffer (two samples) overflows and stays full. */
	CHECK(kill(hwtd_pid, SIGSTOP) == 0);
	close(open("/tmp/burst.go", O_WRONLY | O_CREAT, 0644));
	for (i = 0; i < 1200 && target > 0; i++) {
		char c = proc_state(target);

		if (!c || c == 'Z')
			break;
		usleep(50000);
	}
	CHECK(kill(hwtd_pid, SIGCONT) == 0);
	waitpid(rec, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(HWT("info", "/tmp/s10") == 0);
	CHECK(info_has("state        complete"));
	CHECK(info_totals(&bytes, &lost) == 0 && lost > 0);
	n = check_samples("/tmp/s10", 0, &max);
	CHECK(n > 0 && accounted(n, lost, max));
	CHECK(HWT("fsck", "/tmp/s10") == 0);
	t_end();
}

static void test_kill9(void)
{
	long long bytes, lost, n;
	uint64_t max;
	pid_t rec;
	int st;

	t_begin("hwtd/kill-9-mid-session");
	rec = spawn_hwt((char *const[]){ "/bin/hwt", "record", "-S", SOCK,
				"-b", "null", "-s", "64K", "-c",
				"1:/tmp/nullcfg", "-o", "/tmp/s2", "--", self,
				"slow", "3000", NULL });
	CHECK(wait_session("/tmp/s2") == 0);
	usleep(500 * 1000);
	CHECK(kill(hwtd_pid, SIGKILL) == 0);
	waitpid(hwtd_pid, &st, 0);
	waitpid(rec, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);	/* "hwtd went away" */
	/* The directory opens and what is indexed is consistent. */
	CHECK(HWT("info", "/tmp/s2") == 0);
	CHECK(info_has("state        recording"));
	CHECK(HWT("fsck", "/tmp/s2") == 0);
	CHECK(HWT("info", "/tmp/s2") == 0);
	CHECK(info_has("state        interrupted"));
	CHECK(info_totals(&bytes, &lost) == 0 && bytes > 0);
	n = check_samples("/tmp/s2", 0, &max);
	CHECK(n > 0 && bytes == n * (long long)SAMPLE);
	t_end();

	t_begin("hwtd/restart-recovers");
	/* A session hwtd was writing when killed: a restart repairs it. */
	start_hwtd();
	rec = spawn_hwt((char *const[]){ "/bin/hwt", "record", "-S", SOCK,
				"-b", "null", "-c", "1:/tmp/nullcfg", "-o",
				"/tmp/s3", "--", self, "slow", "3000", NULL });
	CHECK(wait_session("/tmp/s3") == 0);
	usleep(500 * 1000);
	kill(hwtd_pid, SIGKILL);
	waitpid(hwtd_pid, &st, 0);
	waitpid(rec, &st, 0);
	start_hwtd();
	CHECK(HWT("info", "/tmp/s3") == 0);
	CHECK(info_has("state        interrupted"));
	n = check_samples("/tmp/s3", 0, &max);
	CHECK(n > 0);
	CHECK(HWT("fsck", "/tmp/s3") == 0);
	t_end();
}

static void test_ring(void)
{
	long long bytes, lost, n, b1, b2;
	uint64_t max;

	t_begin("hwtd/flight-recorder-crash");
	/* exit status: hwt record itself succeeds; the target crashed. */
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-m", "ring", "-s",
		  "64K", "-c", "1:/tmp/nullcfg", "-o", "/tmp/s4", "--", self,
		  "crash", "800") == 0);
	CHECK(HWT("info", "/tmp/s4") == 0);
	CHECK(info_has("state        crashed"));
	CHECK(info_num("crash_signal") == SIGSEGV);
	CHECK(info_totals(&bytes, &lost) == 0);
	/* The last 64K of each thread's buffer, no more. */
	CHECK(bytes > 0 && bytes <= 2 * 65536);
	n = check_samples("/tmp/s4", 1, &max);
	CHECK(n > 0);
	t_end();

	t_begin("hwtd/flight-recorder-no-crash-no-dump");
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-m", "ring", "-s",
		  "64K", "-c", "1:/tmp/nullcfg", "-o", "/tmp/s5", "--", self,
		  "busy", "300") == 0);
	CHECK(HWT("info", "/tmp/s5") == 0 && info_has("state        complete"));
	CHECK(info_totals(&bytes, &lost) == 0 && bytes == 0);
	t_end();

	t_begin("hwtd/snapshot-and-sigusr2");
	{
		pid_t rec = spawn_hwt((char *const[]){ "/bin/hwt", "record",
			"-S", SOCK, "-b", "null", "-m", "ring", "-s", "64K", "-c",
			"1:/tmp/nullcfg", "-o", "/tmp/s6", "--", self, "slow", "4000",
			NULL });
		int st;
		CHECK(wait_session("/tmp/s6") == 0);
		usleep(300 * 1000);
		CHECK(HWT("snapshot", "-S", SOCK, "/tmp/s6") == 0);
		CHECK(HWT("status", "-S", SOCK) == 0 && info_has("/tmp/s6"));
		CHECK(HWT("info", "/tmp/s6") == 0);
		CHECK(info_totals(&b1, &lost) == 0 && b1 > 0);
		usleep(300 * 1000);
		kill(hwtd_pid, SIGUSR2);
		usleep(600 * 1000);
		CHECK(HWT("info", "/tmp/s6") == 0);
		CHECK(info_totals(&b2, &lost) == 0 && b2 > b1);
		waitpid(rec, &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	t_end();

	t_begin("hwtd/quota-stops-cleanly");
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-s", "64K", "-q", "1M",
		  "-c", "1:/tmp/nullcfg", "-o", "/tmp/s7", "--", self, "slow",
		  "5000") == 0);
	CHECK(HWT("info", "/tmp/s7") == 0);
	CHECK(info_has("state        stopped-quota"));
	/* Never past the quota; whole drains (<= 2 x 64K) short of it. */
	CHECK(info_totals(&bytes, &lost) == 0 && bytes <= 1 << 20 &&
	      bytes > (1 << 20) - 2 * 65536);
	CHECK(check_samples("/tmp/s7", 0, &max) > 0);
	t_end();
}

/* One raw request; the answer's first line. */
static int raw(const char *msg, size_t len, char *ans, size_t anslen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ssize_t n;

	strcpy(sa.sun_path, SOCK);
	if (fd < 0 || connect(fd, (void *)&sa, sizeof(sa)))
		return -1;
	if (send(fd, msg, len, 0) < 0)
		return -1;
	n = recv(fd, ans, anslen - 1, 0);
	close(fd);
	if (n < 0)
		return -1;
	ans[n] = 0;
	return 0;
}

static void test_bad_input(void)
{
	static char big[20000];
	char ans[4096];

	t_begin("hwtd/bad-input");
	CHECK(HWT("record", "-S", SOCK, "-b", "nosuch", "-o", "/tmp/b1", "--",
		  self, "busy", "10") == 1);
	CHECK(info_has("unknown backend 'nosuch'"));
	CHECK(access("/tmp/b1", F_OK) != 0);	/* nothing left behind */
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/s1", "--",
		  self, "busy", "10") == 1);
	CHECK(info_has("session already exists"));
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-f", "no_such_func",
		  "-o", "/tmp/b2", "--", self, "busy", "10") == 1);
	CHECK(info_has("function 'no_such_func' not found"));
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-f", "busy", "-o",
		  "/tmp/b3", "--", self, "busy", "10") == 1);
	CHECK(info_has("too many address ranges"));
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/b4", "-p",
		  "999999") == 1);
	CHECK(info_has("no such process"));
	CHECK(raw("bogus\n", 6, ans, sizeof(ans)) == 0 &&
	      !strncmp(ans, "error\n", 6));
	CHECK(raw("record\ntarget=pid:1\n", 20, ans, sizeof(ans)) == 0 &&
	      strstr(ans, "needs target"));
	CHECK(raw("stop\nsession=/x\nsession=/y\n", 27, ans, sizeof(ans)) == 0
	      && strstr(ans, "twice"));
	memset(big, 'a', sizeof(big));
	CHECK(raw(big, sizeof(big), ans, sizeof(ans)) == 0 &&
	      strstr(ans, "too long"));
	CHECK(raw("status\n\0x\n", 10, ans, sizeof(ans)) == 0 &&
	      strstr(ans, "NUL"));
	CHECK(HWT("stop", "-S", SOCK, "/tmp/nosuch") == 1);
	CHECK(info_has("no such session"));
	/* Still up. */
	CHECK(HWT("status", "-S", SOCK) == 0);
	CHECK(kill(hwtd_pid, 0) == 0);
	t_end();

	t_begin("hwtd/full-disk");
	mkdir("/tmp/small", 0755);
	CHECK(mount("tmpfs", "/tmp/small", "tmpfs", 0, "size=512k") == 0);
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-c", "1:/tmp/nullcfg",
		  "-o", "/tmp/small/s", "--", self, "busy", "1500") == 1);
	CHECK(info_has("error") &&
	      (info_has("No space left") || info_has("disk is full")));
	CHECK(HWT("status", "-S", SOCK) == 0);
	/* What is indexed is consistent, whichever write hit the wall. */
	CHECK(HWT("info", "/tmp/small/s") == 0);
	umount("/tmp/small");
	t_end();
}

/* /tmp/affinity.txt (the "affinity" program's) has the line want. */
static int affinity_is(const char *want)
{
	char line[256];
	FILE *f = fopen("/tmp/affinity.txt", "r");
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		found |= !strncmp(line, want, strlen(want)) &&
			 line[strlen(want)] == '\n';
	if (f)
		fclose(f);
	if (!found)
		t_fail("/tmp/affinity.txt has no line '%s'", want);
	return found;
}

static void test_attach_and_cpus(void)
{
	long long bytes, lost;
	pid_t target, rec;
	char pid[16], pid_arg[16], cpus[128];
	int st;

	t_begin("hwtd/attach-pid-and-stop");
	target = spawn_hwt((char *const[]){ self, "slow", "4000", NULL });
	snprintf(pid, sizeof(pid), "%d", (int)target);
	usleep(200 * 1000);
	rec = spawn_hwt((char *const[]){ "/bin/hwt", "record", "-S", SOCK,
					 "-b", "null", "-c", "1:/tmp/nullcfg",
					 "-o", "/tmp/s8", "-p", pid, NULL });
	CHECK(wait_session("/tmp/s8") == 0);
	usleep(500 * 1000);
	CHECK(HWT("stop", "-S", SOCK, "/tmp/s8") == 0);
	CHECK(info_has("stopped"));
	waitpid(rec, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(kill(target, 0) == 0);	/* the target lives on, untraced */
	CHECK(HWT("info", "/tmp/s8") == 0 && info_has("state        stopped"));
	/* Attached mid-run: the kernel reported the mappings at attach. */
	CHECK(info_has("mmap "));
	CHECK(info_totals(&bytes, &lost) == 0 && bytes > 0);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	t_end();

	t_begin("hwtd/cpu-mode");
	rec = spawn_hwt((char *const[]){ "/bin/hwt", "record", "-S", SOCK,
					 "-b", "null", "-o", "/tmp/s9", "-C",
					 "0-1", NULL });
	CHECK(wait_session("/tmp/s9") == 0);
	usleep(500 * 1000);
	CHECK(HWT("stop", "-S", SOCK, "/tmp/s9") == 0);
	waitpid(rec, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(HWT("info", "/tmp/s9") == 0 && info_has("state        stopped"));
	CHECK(info_has("mode         cpu") && info_has("cpu 0") &&
	      info_has("cpu 1"));
	CHECK(info_totals(&bytes, &lost) == 0 && bytes > 0);
	t_end();

	/* CPU mode around a launched program, through hwtd and in-process:
	 * the session ends with the program, its mappings from before
	 * START stored as mmap records (the CPU context never reports
	 * them). */
	t_begin("hwtd/cpu-mode-launch");
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-o",
		  "/tmp/scpu-launch", "-C", "0-1", "--", self, "busy",
		  "100") == 0);
	CHECK(HWT("info", "/tmp/scpu-launch") == 0 &&
	      info_has("mode         cpu") && info_has("mmap "));
	CHECK(HWT("record", "-n", "-b", "null", "-o", "/tmp/scpu-launch-n",
		  "-C", "0", "--", self, "busy", "100") == 0);
	CHECK(HWT("info", "/tmp/scpu-launch-n") == 0 &&
	      info_has("mode         cpu") && info_has("mmap "));
	t_end();

	/* The program runs on the traced CPU only, the recorder on the
	 * other: hwtd while the session records (and everywhere again
	 * once it has ended), `hwt record` itself in-process. */
	t_begin("hwtd/cpu-mode-pins");
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)hwtd_pid);
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/scpu-pin",
		  "-C", "1", "--", self, "affinity", pid_arg) == 0);
	CHECK(affinity_is("self 1") && affinity_is("hwtd 0"));
	cpus_allowed(hwtd_pid, cpus, sizeof(cpus));
	CHECK(!strcmp(cpus, "0-1"));
	CHECK(HWT("record", "-n", "-b", "null", "-o", "/tmp/scpu-pin-n",
		  "-C", "1", "--", self, "affinity", pid_arg) == 0);
	CHECK(affinity_is("self 1") && affinity_is("parent 0"));
	/* Every CPU traced: nothing left to move to, nothing moved. */
	CHECK(HWT("record", "-S", SOCK, "-b", "null", "-o",
		  "/tmp/scpu-pin-all", "-C", "0-1", "--", self, "affinity",
		  pid_arg) == 0);
	CHECK(affinity_is("self 0-1") && affinity_is("hwtd 0-1"));
	t_end();
}

/* As uid 1000: own processes only, no CPUs, files as that user. */
static int unprivileged(void)
{
	int bad = 0;
	struct stat sb;

	if (setgid(1000) || setuid(1000))
		return 0xff;
	if (HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/u/s", "--",
		self, "busy", "100") != 0)
		bad |= 1;
	if (stat("/tmp/u/s/stream-0.bin", &sb) || sb.st_uid != 1000 ||
	    stat("/tmp/u/s/session.db", &sb) || sb.st_uid != 1000)
		bad |= 2;
	if (HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/u/s1", "-p",
		"1") != 1 || !info_has("permission denied"))
		bad |= 4;
	if (HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/u/s2", "-C",
		"0") != 1 || !info_has("only root"))
		bad |= 8;
	/* hwtd (root) must not create what uid 1000 could not. */
	if (HWT("record", "-S", SOCK, "-b", "null", "-o", "/tmp/rootonly/s",
		"--", self, "busy", "100") != 1 ||
	    !info_has("Permission denied") || !access("/tmp/rootonly/s", F_OK))
		bad |= 16;
	/* Someone else's session is invisible. */
	if (HWT("stop", "-S", SOCK, "/tmp/s-root") != 1 ||
	    !info_has("no such session"))
		bad |= 32;
	return bad;
}

static void test_permissions(void)
{
	pid_t pid, rec;
	int st;

	t_begin("hwtd/permissions");
	mkdir("/tmp/u", 0777);
	chmod("/tmp/u", 0777);
	mkdir("/tmp/rootonly", 0755);
	/* A root session for the user to fail to stop. */
	rec = spawn_hwt((char *const[]){ "/bin/hwt", "record", "-S", SOCK,
				"-b", "null", "-o", "/tmp/s-root", "--", self,
				"slow", "3000", NULL });
	CHECK(wait_session("/tmp/s-root") == 0);
	pid = fork();
	if (pid == 0)
		_exit(unprivileged());
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st));
	if (WIFEXITED(st) && WEXITSTATUS(st))
		t_fail("unprivileged checks failed: mask %#x", WEXITSTATUS(st));
	CHECK(HWT("stop", "-S", SOCK, "/tmp/s-root") == 0);
	waitpid(rec, &st, 0);
	t_end();
}

int main(int argc, char **argv)
{
	traced_program(argc, argv);
	if (access("/bin/hwtd", X_OK) || access("/bin/hwt", X_OK)) {
		printf("SKIP: hwtd (no /bin/hwtd or /bin/hwt in the guest)\n");
		return 0;
	}
	if (find_self())
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	write_null_config();
	start_hwtd();
	test_record_daemon();
	test_image_outlives_target();
	test_loss_at_exit();
	test_bad_input();
	test_permissions();
	test_attach_and_cpus();
	test_ring();
	test_kill9();
	if (hwtd_pid > 0) {
		kill(hwtd_pid, SIGTERM);
		waitpid(hwtd_pid, NULL, 0);
	}
	if (t_total_failed) {
		printf("  hwtd log:\n");
		fflush(stdout);
		system("cat /tmp/hwtd.log /tmp/busy.log");
	}
	return t_total_failed ? 1 : 0;
}
