/* SPDX-License-Identifier: MIT */
/* The verbs that change the kernel. Each returns an exit status (EXIT_OK/FAILED/USAGE). */
#pragma once

#include <stdbool.h>

struct lab_opts {
	bool json;
};

/* nsctl up FILE: validate, preflight, lock, journal, apply; all or nothing. */
int lab_up(const char *path, const struct lab_opts *o);
/* nsctl down LAB|FILE: undo the lab's journal and remove its state; idempotent. */
int lab_down(const char *arg, const struct lab_opts *o);
/* nsctl exec LAB/NODE [-- CMD...]: run CMD (default: $SHELL) in the node's network namespace.
 * Returns only on failure: an exit status (2 usage, 1 no such node, 126/127 as a shell). */
int lab_exec(const char *target, char **cmd);
