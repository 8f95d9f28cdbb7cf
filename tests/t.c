/* SPDX-License-Identifier: MIT */
#include "t.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netlink/netlink.h"

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

int t_sh(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	size_t n = 0;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (out && len) {
		n = fread(out, 1, len - 1, f);
		out[n] = '\0';
	} else {
		char sink[256];

		while (fread(sink, 1, sizeof(sink), f) > 0)
			;
	}
	st = pclose(f);
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

ino_t t_netns_ino(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return 0;
	return st.st_ino;
}

int t_netns_leftovers(const char *prefix)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;
	int left = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
			fprintf(stderr, "left behind: /run/netns/%s\n", de->d_name);
			left++;
		}
	closedir(d);
	return left;
}

void t_netns_sweep(const char *prefix)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			(void)netns_delete(de->d_name);
	closedir(d);
}
