/* SPDX-License-Identifier: MIT */
/* The executor: runs a plan's actions in order, journaling every object that needs an explicit
 * undo before creating it; on failure or SIGINT/SIGTERM it undoes the journal in reverse. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/macro.h"
#include "nsctl/plan.h"
#include "nsctl/state.h"

struct nlk;

struct exec_opts {
	const struct topo *topo; /* the validated model the plan was built from */
	const char *topo_dir;	 /* absolute dir of the topology file: relative rootfs and binds */
	unsigned long fail_at;	 /* test hook: step k fails with -EIO before it runs; 0 = off */
	volatile sig_atomic_t *stop; /* set by a signal handler: roll back at the next step */
	bool progress;		     /* print a progress line on stderr (a TTY) */
};

/* Timing per phase (action kind), for `up --json` and the phase lines. */
struct exec_stats {
	size_t count[_ACT_MAX];
	double seconds[_ACT_MAX];
	double total_seconds;
	size_t failed_step;   /* 1-based; 0 if none failed */
	bool rollback_failed; /* something could not be undone: keep the journal */
};

/* Applies every action of @p for lab @lab, journaling into @state (state_begin() done).
 * On success writes the journal's "complete" record and returns 0. On failure logs the failing
 * step, its object and the kernel's reason, undoes everything done (state_undo()), and returns
 * the negative errno of the failure (-EINTR when stopped by a signal). */
int exec_apply(const struct plan *p, struct lab_state *state, const struct exec_opts *o,
	       struct exec_stats *stats);

/* What an undo did, per phase: `down --json`. */
struct undo_stats {
	double kill_seconds;	   /* stopping every process of the lab at once */
	size_t count[_JREC_MAX];   /* objects removed, per journal kind */
	double seconds[_JREC_MAX]; /* time spent on each kind, removed or not */
	double total_seconds;
};

/* Undoes every record of @state's journal in reverse: first every process of the lab at once
 * (its cgroup), then host links removed if they still carry our owner mark, cgroups, node dirs,
 * namespaces deleted. Reports each object it could not remove, by name. With @progress, a
 * progress line on stderr for long journals. Fills @stats unless NULL. Returns the number of
 * objects removed (>= 0) when everything is gone, or the first negative errno. Idempotent. */
int exec_undo_journal(struct lab_state *state, bool progress, struct undo_stats *stats);

/* Parses NSCTL_FAIL_AT (a positive step number) from the environment; 0 when unset. */
unsigned long exec_fail_at_from_env(void);

/* Action implementations, referenced from the action table in actions.c. */
struct exec_ctx;
struct action_result;
int exec_netns_add(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_sysctl_set(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_link_bridge(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_link_dummy(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_link_veth(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_link_master(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_addr_add(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_link_up(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_route_add(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_qdisc_netem(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_node_start(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_node_start_finish(struct exec_ctx *ctx, const struct action *a, struct action_result *res);
int exec_node_exec(struct exec_ctx *ctx, const struct action *a, struct action_result *res);

/* The node's env: as "K=V" strings, NULL-terminated, in *@ret (free with strv_free()).
 * Returns 0 or -ENOMEM. */
int exec_node_env(const struct topo_node *n, char ***ret);
/* Frees a NULL-terminated string array; accepts NULL. */
void strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)

/* Reads the init pid `up` recorded for @node and checks it is still that node's init (it is in
 * the network namespace /run/netns/@netns_name). Returns the pid (> 0), -ESRCH, or -errno. */
int exec_node_pid(const struct lab_state *s, const char *netns_name, const char *node);
