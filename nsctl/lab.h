/* SPDX-License-Identifier: MIT */
/* The verbs that change the kernel. Each returns an exit status (EXIT_OK/FAILED/USAGE). */
#pragma once

#include <stdbool.h>

struct lab_opts {
	bool json;
	bool all; /* test: the full node-pair ping matrix */
};

/* Exit status of `exec` when nsctl itself fails (no such node, ...), as podman and docker
 * do: it cannot be mistaken for the command's own exit status 1. */
#define EXIT_EXEC_FAILED 125

/* Resolves a LAB|FILE argument to a lab name (*@ret, malloc'd). A FILE has a '/' or a .yaml/.yml
 * suffix and is loaded (errors printed); a LAB must be a valid lab name. 0 or -EINVAL/-ENOMEM. */
int lab_name_of(const char *arg, char **ret);
/* nsctl test LAB|FILE: the file's ping checks (and with all, every node pair). */
int lab_test(const char *arg, const struct lab_opts *o);

/* nsctl up FILE: validate, preflight, lock, journal, apply; all or nothing. */
int lab_up(const char *path, const struct lab_opts *o);
/* nsctl down LAB|FILE: undo the lab's journal and remove its state; idempotent. */
int lab_down(const char *arg, const struct lab_opts *o);
/* nsctl exec LAB/NODE [-- CMD...]: run CMD (default: $SHELL) in the node's network namespace.
 * Returns only on failure: an exit status (2 usage, 125 nsctl failed, 126/127 as a shell). */
int lab_exec(const char *target, char **cmd);
