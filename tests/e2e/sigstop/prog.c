/*
 * A process that leaves its CPU inside rt_sigreturn, ROUNDS times
 * (tests/e2e/pt_sigstop.sh).  The child's SIGUSR1 handler raises SIGTSTP,
 * which the handler's mask holds back; rt_sigreturn restores the mask, so
 * the child takes SIGTSTP's job-control stop on that syscall's way out,
 * and is switched out there.  Its parent waits for each stop and
 * continues it.  So the child runs the SYSCALL of __restore_rt exactly
 * ROUNDS times, each time followed by a switch.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 8

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
	raise(SIGTSTP);		/* pending until rt_sigreturn unblocks it */
}

static int child(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int i;

	/*
	 * A group of its own with the parent outside it, in the same
	 * session: not orphaned, so SIGTSTP's default action stops it.
	 */
	if (setpgid(0, 0))
		return 1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTSTP);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	for (i = 0; i < ROUNDS; i++)
		raise(SIGUSR1);
	return handled == ROUNDS ? 0 : 1;
}

int main(void)
{
	int status = 0, stops = 0;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(child());
	for (;;) {
		if (waitpid(pid, &status, WUNTRACED) != pid)
			return 1;
		if (!WIFSTOPPED(status))
			break;
		stops++;
		if (kill(pid, SIGCONT))
			return 1;
	}
	printf("child %d: %d stops, exit %d\n", (int)pid, stops,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	       stops == ROUNDS ? 0 : 1;
}
