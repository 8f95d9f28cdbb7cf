/* SPDX-License-Identifier: MIT */
/* exec_in_path(): execvpe() with the node's PATH instead of ours. Header-only because both the
 * launcher (in the nsctl library) and nsctl-init (a libc-only static binary that links nothing
 * of ours) need it. */
#pragma once

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

/* execve(@argv) searching @path (the node's PATH, not ours), as execvpe() would. Returns only
 * when nothing could be executed, with errno set (EACCES wins over ENOENT, as in execvp). */
static inline void exec_in_path(char *const *argv, char *const *envp, const char *path)
{
	char buf[PATH_MAX];
	int err = ENOENT;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		return;
	}
	for (const char *p = path, *colon; *p; p = *colon ? colon + 1 : colon) {
		size_t n;

		colon = strchrnul(p, ':');
		n = (size_t)(colon - p);
		if (n == 0 || n + 1 + strlen(argv[0]) >= sizeof(buf))
			continue;
		memcpy(buf, p, n);
		buf[n] = '/';
		strcpy(buf + n + 1, argv[0]);
		execve(buf, argv, envp);
		if (errno == EACCES)
			err = EACCES; /* keep looking, but report it over ENOENT */
		else if (errno != ENOENT && errno != ENOTDIR)
			return;
	}
	errno = err;
}
