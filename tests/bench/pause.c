/* bench-pause: the program bench-floor (tests/bench/floor.c) execs as each node's process. It
 * only sleeps until it is killed: built static and -Os (like nsctl-init), so that the exec
 * maps one small file and nothing is resolved at startup.
 *
 * It runs as PID 1 of the node's PID namespace, whose signals with the default action are
 * dropped unless they are SIGKILL/SIGSTOP from an ancestor namespace (kernel/signal.c,
 * SIGNAL_UNKILLABLE); bench-floor stops it with SIGKILL by pid. It keeps no descriptor of the
 * launcher's (stdout may be a pipe someone reads to EOF) and asks for SIGKILL when the launcher
 * dies, so that a bench-floor that is itself SIGKILLed leaves no process behind. All of this
 * runs after the exec, while the launcher already starts the next node. */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	sigset_t mask;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (syscall(SYS_close_range, 0U, ~0U, 0U) < 0)
		for (int fd = 0; fd < 3; fd++)
			(void)close(fd);
	/* SIGTERM: default action, not blocked; every other signal blocked (SIGKILL and SIGSTOP
	 * cannot be) */
	(void)signal(SIGTERM, SIG_DFL);
	sigfillset(&mask);
	sigdelset(&mask, SIGTERM);
	(void)sigprocmask(SIG_SETMASK, &mask, NULL);
	for (;;)
		pause();
}
