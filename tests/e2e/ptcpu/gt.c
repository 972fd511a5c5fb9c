// SPDX-License-Identifier: BSD-2-Clause
/*
 * The ground truth of the CPU-mode end to ends (tests/e2e/pt_cpu.sh,
 * tests/e2e/cs_cpu.sh), run in the VM before the recording: PROG under
 * ptrace, every task it makes (threads and processes:
 * PTRACE_O_TRACECLONE, _FORK) single-stepped from its exec (or its first
 * instruction) to its end; each step's instruction address goes to
 * OUTDIR/task-K.txt (%016llx lines, as hwt replay --format addr prints
 * them), K the task's creation order (0: PROG), and "K PID TID" to
 * OUTDIR/tasks.txt.  x86-64: a REP string instruction stops once per
 * iteration under single-step but is one instruction to Intel PT: it is
 * written once.  arm64: ptrace stops twice at the instruction after an
 * SVC (the syscall exit's pseudo-step): written once; and PROG runs
 * untraced (PTRACE_SYSCALL) up to the exit of its first pipe2(2), its
 * last system call before main_begin: stepped, glibc's start-up could
 * loop forever in a load/store-exclusive sequence (the store fails under
 * single-step), and only main_begin on is compared.
 *
 *   gt OUTDIR PROG [ARGS...]
 *
 * Exit status 0, or 1 with a message (the program killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__aarch64__)
#include <elf.h>
#include <sys/uio.h>
#include <asm/ptrace.h>
#endif

#define MAX_TASKS 16

static struct {
	pid_t tid, pid;
	FILE *f;
	uint64_t last;
	long n;
	int done;
} task[MAX_TASKS];
static int ntasks;

static int fail(const char *what)
{
	fprintf(stderr, "gt: %s: %s\n", what, strerror(errno));
	return 1;
}

#if defined(__aarch64__)
/* The PC of stopped tid, and x8 (the system call number at a syscall
 * stop).  Returns 0, or -1 (errno set). */
static int get_pc(pid_t tid, uint64_t *pc, uint64_t *x8)
{
	struct user_pt_regs r;
	struct iovec io = { &r, sizeof(r) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io))
		return -1;
	*pc = r.pc;
	if (x8)
		*x8 = r.regs[8];
	return 0;
}

/* Returns 1 if a stop of tid at ip repeats the last one, which was ip
 * too: the second stop after an SVC (at ip - 4). */
static int repeated_stop(pid_t tid, uint64_t ip)
{
	long w;

	errno = 0;
	w = ptrace(PTRACE_PEEKTEXT, tid, (void *)(ip - 4), 0);
	return !errno && ((uint32_t)w & 0xffe0001f) == 0xd4000001;
}
#else
static int get_pc(pid_t tid, uint64_t *pc, uint64_t *x8)
{
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, tid, 0, &regs))
		return -1;
	*pc = regs.rip;
	if (x8)
		*x8 = regs.orig_rax;
	return 0;
}

static int is_rep_string(pid_t tid, uint64_t ip);

/* Returns 1 if a stop of tid at ip repeats the last one, which was ip
 * too: another iteration of a REP string instruction. */
static int repeated_stop(pid_t tid, uint64_t ip)
{
	return is_rep_string(tid, ip);
}

/* Returns 1 if the instruction at ip of tid is a REP string one. */
static int is_rep_string(pid_t tid, uint64_t ip)
{
	uint8_t p[16];
	long w[2];
	size_t i = 0;

	errno = 0;
	w[0] = ptrace(PTRACE_PEEKTEXT, tid, (void *)ip, 0);
	w[1] = ptrace(PTRACE_PEEKTEXT, tid, (void *)(ip + 8), 0);
	if (errno)
		return 0;
	memcpy(p, w, sizeof(w));
	while (i < 4 && (p[i] == 0x66 || p[i] == 0x67 ||
			 (p[i] & 0xf0) == 0x40))
		i++;
	if (p[i] != 0xf2 && p[i] != 0xf3)
		return 0;
	i++;
	if ((p[i] & 0xf0) == 0x40)
		i++;
	return (p[i] >= 0xa4 && p[i] <= 0xa7) ||
	       (p[i] >= 0xaa && p[i] <= 0xaf) ||
	       (p[i] >= 0x6c && p[i] <= 0x6f);
}
#endif

/* The task of tid, added (file opened) if new.  Returns its index, or -1
 * if there are too many or the file cannot be made. */
static int task_of(const char *dir, pid_t tid)
{
	char path[4096], line[64];
	int i;

	for (i = 0; i < ntasks; i++)
		if (task[i].tid == tid)
			return i;
	if (ntasks == MAX_TASKS)
		return -1;
	snprintf(path, sizeof(path), "%s/task-%d.txt", dir, ntasks);
	task[ntasks].f = fopen(path, "w");
	if (!task[ntasks].f)
		return -1;
	task[ntasks].tid = tid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	{
		FILE *s = fopen(path, "r");

		while (s && fgets(line, sizeof(line), s))
			if (!strncmp(line, "Tgid:", 5))
				task[ntasks].pid = (pid_t)atoi(line + 5);
		if (s)
			fclose(s);
	}
	return ntasks++;
}

int main(int argc, char **argv)
{
	const char *dir;
	char path[4096];
	int status, left = 1, i;
	FILE *f;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: gt OUTDIR PROG [ARGS...]\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) && errno != EEXIST)
		return fail(dir);
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return fail("waitpid");
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE |
		   PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC |
		   PTRACE_O_EXITKILL))
		return fail("PTRACE_SETOPTIONS");
	/* to the exec: nothing before it is PROG's */
	if (ptrace(PTRACE_CONT, pid, 0, 0) || waitpid(pid, &status, 0) != pid ||
	    status >> 8 != (SIGTRAP | PTRACE_EVENT_EXEC << 8))
		return fail("exec");
	if (task_of(dir, pid) < 0)
		return fail("task file");
	task[0].pid = pid;
#if defined(__aarch64__)
	/* to the exit of the first pipe2: syscall stops, entry then exit */
	for (i = 0;; i++) {
		uint64_t pc, nr;

		if (ptrace(PTRACE_SYSCALL, pid, 0, 0) ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
		    get_pc(pid, &pc, &nr))
			return fail("to pipe2");
		if (WSTOPSIG(status) == SIGTRAP && i % 2 && nr == SYS_pipe2)
			break;
	}
#endif
	/* the stop is at PROG's first instruction (arm64: after pipe2) */
	{
		uint64_t pc;

		if (get_pc(pid, &pc, NULL))
			return fail("GETREGS");
		fprintf(task[0].f, "%016llx\n", (unsigned long long)pc);
		task[0].last = pc;
		task[0].n = 1;
		if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0))
			return fail("SINGLESTEP");
	}
	while (left > 0) {
		uint64_t pc;
		int k, sig = 0, event;
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0)
			return fail("waitpid");
		k = task_of(dir, tid);
		if (k < 0) {
			kill(pid, SIGKILL);
			fprintf(stderr, "gt: more than %d tasks\n", MAX_TASKS);
			return 1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			task[k].done = 1;
			left--;
			continue;
		}
		event = status >> 16;
		if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK) {
			/* not a step; the new task stops on its own */
			left++;
			ptrace(PTRACE_SINGLESTEP, tid, 0, 0);
			continue;
		}
		/* A thread in its step stop is killed by another's
		 * exit_group before we read it (ESRCH): the instruction at
		 * its PC never runs, and waitpid() reports its end next. */
		if (get_pc(tid, &pc, NULL)) {
			if (errno == ESRCH)
				continue;
			return fail("GETREGS");
		}
		if (WSTOPSIG(status) == SIGTRAP ||
		    (WSTOPSIG(status) == SIGSTOP && task[k].n == 0)) {
			if (!(task[k].n && task[k].last == pc &&
			      repeated_stop(tid, pc))) {
				fprintf(task[k].f, "%016llx\n",
					(unsigned long long)pc);
				task[k].n++;
			}
			task[k].last = pc;
		} else {
			sig = WSTOPSIG(status);
		}
		ptrace(PTRACE_SINGLESTEP, tid, 0, sig);
	}
	snprintf(path, sizeof(path), "%s/tasks.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return fail(path);
	for (i = 0; i < ntasks; i++) {
		fprintf(f, "%d %d %d %ld\n", i, (int)task[i].pid,
			(int)task[i].tid, task[i].n);
		fclose(task[i].f);
	}
	return fclose(f) ? fail(path) : 0;
}
