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
