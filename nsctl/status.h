/* SPDX-License-Identifier: MIT */
/* nsctl status: what the kernel has for the labs that are up. Read-only: takes no lock. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/* Without @lab_or_null: one line per lab under the state root (name, node count, up or
 * interrupted, stored topology path). With it: the lab's interfaces as the kernel reports them
 * (node namespaces, the fabric's bridges and ports, the lab's host-side ends), from the node
 * list of the lab's stored topology copy. @json prints one JSON object instead. Results go to
 * @out, problems to stderr. Returns an exit status: EXIT_OK, EXIT_FAILED when the lab is not
 * up or the kernel or state cannot be read, EXIT_USAGE for an invalid lab name. */
int status_run(const char *lab_or_null, bool json, FILE *out);
