/* SPDX-License-Identifier: MIT */
/* White-box hooks of nsctl/cgroup.c for the tests only; the product never calls them. */
#pragma once

#include <stdbool.h>

struct cg;

/* Makes cg_node_kill() on v2 ignore cgroup.kill and take the cgroup.freeze path that kernels
 * 5.2..5.13 (no cgroup.kill) get, so that path runs against a real kernel in the tests. */
void cg_set_ignore_kill_file(struct cg *c, bool on);
