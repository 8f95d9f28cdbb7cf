/* SPDX-License-Identifier: MIT */
/* Shared CLI plumbing: loading a topology with diagnostics, exit codes, feature gates. */
#pragma once

#include <stdbool.h>

#include "topo/topo.h"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* an operation or a lab test failed */
	EXIT_USAGE = 2,	 /* bad input: usage, unreadable or invalid topology */
};

/* Parses and validates @path, printing every diagnostic to stderr. Returns 0 with *@ret set
 * (and *@ret_unsupported, if non-NULL, = number of keys `up` cannot build yet), -EINVAL when
 * the file has errors (already printed), or -errno when it cannot be read (also printed).
 * Warnings are printed unless @quiet_warnings. */
int cli_load_topology(const char *path, bool quiet_warnings, struct topo **ret,
		      int *ret_unsupported);

/* Adds a warning to @d for every key in @t whose effect `nsctl up` does not build yet.
 * Returns the number of such keys (so `up` can refuse) or -ENOMEM. */
int cli_unsupported(const struct topo *t, struct topo_diag *d);
