/* SPDX-License-Identifier: MIT */
#include "t.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static int t_child(const struct t_case *c)
{
	alarm(60); /* a hung netlink recv or ping must not hang CI */
	if ((c->flags & (T_ROOT | T_NETNS)) && geteuid() != 0)
		T_SKIP_BECAUSE("needs root");
	if (c->flags & T_NETNS) {
		if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
			return errno == EPERM ? T_SKIP : 1;
		/* Keep the test's mounts (e.g. /run/netns binds) from propagating to the host. */
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			return 1;
	}
	return c->fn();
}

int t_run(const char *tier, const struct t_case *cases, size_t n, int argc, char **argv)
{
	unsigned pass = 0, fail = 0, skip = 0;
	size_t ran = 0;

	for (size_t i = 0; i < n; i++) {
		int st = 0;
		pid_t pid;

		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		ran++;
		fflush(NULL);
		pid = fork();
		if (pid == 0)
			_exit(t_child(&cases[i]));
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			st = -1;

		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			pass++;
			printf("ok %zu - %s\n", ran, cases[i].name);
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == T_SKIP) {
			skip++;
			printf("ok %zu - %s # SKIP\n", ran, cases[i].name);
		} else {
			fail++; /* non-zero exit, signal, or timeout */
			if (WIFSIGNALED(st))
				printf("not ok %zu - %s (signal %d)\n", ran, cases[i].name,
				       WTERMSIG(st));
			else
				printf("not ok %zu - %s\n", ran, cases[i].name);
		}
	}
	printf("1..%zu\n%s: %u passed, %u failed, %u skipped\n", ran, tier, pass, fail, skip);
	return fail ? EXIT_FAILURE : EXIT_SUCCESS;
}
