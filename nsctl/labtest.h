/* SPDX-License-Identifier: MIT */
/* nsctl test: the reachability checks a topology file declares (and, on request, the full
 * node-to-node ping matrix) run against the lab that is up, with a pass/fail table or JSON. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "topo/topo.h"

struct labtest_opts {
	bool all;	     /* also ping every node's first address from every other node */
	bool json;	     /* one JSON object instead of the table */
	unsigned timeout_ms; /* per attempt; 0 = PROBE_TIMEOUT_MS_DEFAULT (1000) */
	unsigned attempts;   /* requests per unanswered check; 0 = PROBE_ATTEMPTS_DEFAULT (3) */
};

/* Runs the tests of @t (validated) against the running lab @t->name, whose node namespaces are
 * /run/netns/<lab>-<node>: each {ping: [from, to]} pings, from inside from's namespace, the
 * address @to names, or @to node's first address (of a family @from has an address of, IPv4
 * first); `expect: fail` passes when no reply comes (timeout, ICMP unreachable, no route, or a
 * firewall refusing the send). With @o->all, every ordered pair of distinct nodes that both
 * have an address is checked too, expecting a reply. All pings run concurrently in one event
 * loop (nsctl/probe.h).
 *
 * Prints to @out one line per check ("PASS  h1 -> h2 (192.0.2.2)  0.08 ms"), only the failed
 * ones of the matrix, and a closing "tests: N passed, N failed" line; or, with @o->json, one
 * object {"lab", "passed", "failed", "results": [{"from", "to", "address", "expect", "result",
 * "rtt_us", "pass", ...}]}. A check whose source namespace is missing fails with that reason.
 *
 * Returns 0 if every check passed, 1 if any failed, -ENOENT (not logged, nothing printed) if
 * none of the lab's node namespaces exists — the lab is not up — or another negative errno,
 * logged here, for a setup failure (-EPERM without CAP_NET_RAW, -ENOMEM, -EMFILE, ...). */
int labtest_run(const struct topo *t, const struct labtest_opts *o, FILE *out);

/* The kernel's neighbour tables (ARP, NDP) are shared by all namespaces: together they hold at
 * most net.ipv{4,6}.neigh.default.gc_thresh3 entries (1024 by default), settable in the host
 * namespace only. Past that a new neighbour is refused ("neighbor table overflow!" in dmesg) and
 * packets to it are dropped without an error to the sender. Warns (log_warning) when every pair
 * of @t's nodes talking would need more entries than a table of a family in use (@v4, @v6)
 * allows; @what names that traffic in the message. Warns, never refuses: other labs' entries
 * count too, and the estimate is only that. */
void labtest_warn_neigh_limit(const struct topo *t, bool v4, bool v6, const char *what);
